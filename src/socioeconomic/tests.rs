use super::*;

fn deterministic(actor: usize, coef: Vec<f64>, benefit: bool) -> Component {
    Component { actor, benefit, transfer: false, source: None, coef }
}

#[test]
fn discount_factors_by_hand() {
    let d = discount_factors(&[0.05; 3], Timing::End).unwrap();
    assert_eq!(d, vec![1.0 / 1.05, 1.0 / 1.05 / 1.05, 1.0 / 1.05 / 1.05 / 1.05]);
    let mut rates = vec![0.035; 30];
    rates.extend([0.03; 5]);
    let d = discount_factors(&rates, Timing::Start).unwrap();
    assert!((d[30] - 1.035f64.powi(-30)).abs() < 1e-15);
    assert!((d[31] - 1.035f64.powi(-30) / 1.03).abs() < 1e-15);
    assert!(discount_factors(&[0.03, -1.0], Timing::Start).is_err());
    assert!(discount_factors(&[f64::NAN], Timing::Start).is_err());
}

#[test]
fn positions_break_even_payback_and_hump_by_hand() {
    // Costs 100 in year 0, gains 30, 50, 40 in years 1-3; no discounting.
    let model = Model {
        n_actors: 1,
        n_years: 4,
        discount: vec![1.0; 4],
        sources: vec![],
        components: vec![
            deterministic(0, vec![-100.0, 0.0, 0.0, 0.0], false),
            deterministic(0, vec![0.0, 30.0, 50.0, 40.0], true),
        ],
    };
    let o = simulate(&model, 1, true, true).unwrap();
    assert_eq!(o.npv, vec![20.0, 20.0]);
    assert_eq!(o.cumulative[..4], [-100.0, -70.0, -20.0, 20.0]);
    assert_eq!(o.break_even, vec![3, 3]);
    assert_eq!(o.payback, vec![3, 3]);
    assert_eq!(o.hump_depth, vec![-100.0, -100.0]);
    assert_eq!(o.hump_year, vec![0, 0]);
    assert_eq!((o.pv_benefits[0], o.pv_costs[0]), (120.0, 100.0));
}

#[test]
fn break_even_counts_from_the_first_cash_flow() {
    // Nothing in years 0-1, a cost in year 2 never recovered; and a gain first in year 3.
    let model = Model {
        n_actors: 2,
        n_years: 5,
        discount: vec![1.0; 5],
        sources: vec![],
        components: vec![
            deterministic(0, vec![0.0, 0.0, -5.0, 1.0, 1.0], false),
            deterministic(1, vec![0.0, 0.0, 0.0, 2.0, 0.0], true),
        ],
    };
    let o = simulate(&model, 1, false, false).unwrap();
    assert_eq!((o.break_even[0], o.payback[0], o.hump_year[0]), (-1, -1, 2));
    assert_eq!((o.break_even[1], o.payback[1], o.hump_year[1]), (3, 3, -1));
}

#[test]
fn a_transfer_nets_to_zero_for_society() {
    let pay = |actor, sign: f64, benefit| Component {
        actor,
        benefit,
        transfer: true,
        source: None,
        coef: vec![0.0, sign * 7.5],
    };
    let model = Model {
        n_actors: 2,
        n_years: 2,
        discount: vec![1.0, 0.9],
        sources: vec![],
        components: vec![deterministic(0, vec![-3.0, 4.0], true), pay(0, -1.0, false), pay(1, 1.0, true)],
    };
    let o = simulate(&model, 1, false, true).unwrap();
    assert_eq!(o.npv[2], -3.0 + 0.9 * 4.0);
    assert_eq!(o.npv[1], 0.9 * 7.5);
    assert!((o.npv[0] + o.npv[1] - o.npv[2]).abs() < 1e-12);
}

#[test]
fn replicates_do_not_depend_on_the_thread_count() {
    let values: Vec<f64> = (0..3000 * 5).map(|i| ((i * 7919) % 1000) as f64 - 400.0).collect();
    let model = Model {
        n_actors: 3,
        n_years: 5,
        discount: discount_factors(&[0.035; 5], Timing::Start).unwrap(),
        sources: vec![Source { n_rows: 3000, values }],
        components: vec![
            deterministic(0, vec![-500.0, 0.0, 0.0, 0.0, 0.0], false),
            Component { actor: 1, benefit: true, transfer: false, source: Some(0), coef: vec![1.5; 5] },
        ],
    };
    let run = |threads| {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| {
            let o = simulate(&model, 3000, true, false).unwrap();
            let bands = quantile_bands(&o.cumulative, 3000, o.cumulative.len() / 3000, &[0.025, 0.5, 0.975]).unwrap();
            (o.npv, o.break_even, bands)
        })
    };
    assert_eq!(run(1), run(4));
    assert!(simulate(&model, 3001, false, false).is_err());
}

#[test]
fn quantiles_follow_numpy_linear() {
    // numpy.quantile([1, 2, 3, 4], [0, 0.25, 0.5, 1]) = [1, 1.75, 2.5, 4]
    let q = quantile_bands(&[4.0, 1.0, 3.0, 2.0], 4, 1, &[0.0, 0.25, 0.5, 1.0]).unwrap();
    assert_eq!(q, vec![1.0, 1.75, 2.5, 4.0]);
}
