//! The synthetic register: determinism across thread counts, validity as a
//! cohort, and the calibration targets of the module documentation.

use super::*;
use crate::cohort::Cohort;
use crate::dates::Horizon;

/// Share of the total held by the `top` fraction with the largest values.
fn top_share(values: &mut [f64], top: f64) -> f64 {
    values.sort_by(|a, b| b.total_cmp(a));
    let k = (top * values.len() as f64).round() as usize;
    values[..k].iter().sum::<f64>() / values.iter().sum::<f64>()
}

/// (top 20 % share, top 50 % share of HVB+SiS days, mean 2-year cost) of the
/// complete historical individuals over two years from the index date.
fn calibration(r: &Register) -> (f64, f64, f64) {
    let cohort = Cohort::new(r.cohort_input()).expect("the synthetic register is a valid cohort");
    let w = cohort.costs(Horizon::Years(2));
    let width = w.width();
    let (mut days, mut cost) = (Vec::new(), Vec::new());
    for i in 0..cohort.n() {
        if r.participant[i] || !w.complete[i] {
            continue;
        }
        let row = &w.values[i * width..(i + 1) * width];
        days.push(row[HVB as usize] + row[SIS as usize]);
        cost.push(row[4..].iter().sum::<f64>());
    }
    let mean = cost.iter().sum::<f64>() / cost.len() as f64;
    (top_share(&mut days.clone(), 0.2), top_share(&mut days, 0.5), mean)
}

#[test]
fn calibrated_to_the_published_figures() {
    let r = register(0, 20_000, 1);
    let (top20, top50, mean) = calibration(&r);
    eprintln!("top20 {top20:.3} top50 {top50:.3} mean 2y cost {mean:.0}");
    assert!((0.45..=0.50).contains(&top20), "top 20 % share {top20}");
    assert!((0.80..=0.85).contains(&top50), "top 50 % share {top50}");
    assert!((1.5e6..=1.9e6).contains(&mean), "mean two-year cost {mean}");
}

#[test]
fn same_register_on_one_and_four_threads() {
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| register(60, 9_000, 7));
    let four = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap().install(|| register(60, 9_000, 7));
    assert_eq!(one.index_date, four.index_date);
    assert_eq!(one.end_of_data, four.end_of_data);
    assert_eq!(one.episode_individual, four.episode_individual);
    assert_eq!(one.episode_start, four.episode_start);
    assert_eq!(one.episode_end, four.episode_end);
    assert_eq!(one.episode_type, four.episode_type);
    assert_eq!(one.ledger_date, four.ledger_date);
    assert_eq!(
        one.ledger_amount.iter().map(|a| a.to_bits()).collect::<Vec<_>>(),
        four.ledger_amount.iter().map(|a| a.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn participants_do_not_depend_on_the_number_of_historical() {
    let small = register(30, 10, 3);
    let large = register(30, 500, 3);
    let eps = |r: &Register| r.episode_individual.iter().filter(|&&w| w < 30).count();
    assert_eq!(small.index_date[..30], large.index_date[..30]);
    assert_eq!(small.episode_start[..eps(&small)], large.episode_start[..eps(&large)]);
}

#[test]
fn register_shape_follows_the_model() {
    let r = register(600, 3_000, 11);
    let (p_first, p_last) = (day(2016, 8, 1), day(2018, 12, 31));
    let (h_first, h_last) = (day(2013, 1, 1), day(2015, 12, 31));
    for i in 0..r.index_date.len() {
        let (a, b) = if r.participant[i] { (p_first, p_last) } else { (h_first, h_last) };
        assert!(r.index_date[i] >= a && r.index_date[i] <= b);
        assert!((12..=17).contains(&r.age[i]));
        assert!(r.end_of_data[i] >= r.index_date[i] && r.end_of_data[i] <= r.data_end);
    }
    let early = r.end_of_data.iter().filter(|&&d| d < r.data_end).count() as f64 / r.end_of_data.len() as f64;
    assert!((0.02..0.07).contains(&early), "early end of data {early}");
    // Every individual starts an HVB or SiS placement on the index date.
    let mut index_placements = 0;
    for e in 0..r.episode_start.len() {
        let who = r.episode_individual[e] as usize;
        if r.episode_start[e] == r.index_date[who] {
            assert!(r.episode_type[e] == HVB || r.episode_type[e] == SIS);
            index_placements += 1;
        }
    }
    assert_eq!(index_placements, r.index_date.len());
    let ongoing = r.episode_end.iter().filter(|&&e| e == ONGOING).count();
    assert!(ongoing > 0 && ongoing < r.index_date.len() / 2);
    let before = (0..r.episode_start.len())
        .filter(|&e| r.episode_start[e] < r.index_date[r.episode_individual[e] as usize])
        .count();
    assert!(before > r.index_date.len() / 4, "placements before the index date: {before}");
    // All four care types occur, and outpatient costs are billed.
    for t in 0..4 {
        assert!(r.episode_type.contains(&t));
    }
    assert!(!r.ledger_amount.is_empty());
}

#[test]
fn column_major_totals_equal_the_row_major_ones() {
    let r = register(20, 10_000, 5);
    let cohort = Cohort::new(r.cohort_input()).unwrap();
    let rows = cohort.costs(Horizon::Years(3));
    let columns = cohort.costs_by_column(Horizon::Years(3));
    let (n, width) = (cohort.n(), rows.width());
    assert_eq!(rows.end, columns.end);
    assert_eq!(rows.complete, columns.complete);
    for i in 0..n {
        for j in 0..width {
            assert_eq!(rows.values[i * width + j].to_bits(), columns.values[j * n + i].to_bits());
        }
    }
}

#[test]
fn price_curves_give_the_segment_by_segment_costs() {
    let r = register(0, 3_000, 8);
    let cohort = Cohort::new(r.cohort_input()).unwrap();
    let curves = cohort.price_curves.as_ref().unwrap();
    for e in 0..cohort.episode_start.len() {
        let (a, b, t) = (cohort.episode_start[e], cohort.episode_end[e], cohort.episode_type[e] as usize);
        assert_eq!(curves[t].interval_cost(a, b).to_bits(), cohort.pricing.interval_cost(t, a, b).to_bits());
    }
}
