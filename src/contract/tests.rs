use super::replicates::joint_sums;
use super::signtests::{binomial_two_sided, signed_rank};
use super::*;
use crate::bootstrap::designs::Labels;
use crate::bootstrap::statistics::{Linear, Statistic};
use crate::bootstrap::{Plan, Table};

const F: f64 = 7.5e6;

/// Norrkoping's terms: metric 0 savings, metric 1 the school change-score sum.
fn norrkoping() -> Mechanism {
    let plain = |metric, rate, lower, upper, fixed, cap, conditions| Tranche {
        metric,
        rate,
        lower,
        upper,
        fixed,
        cap,
        conditions,
    };
    Mechanism {
        tranches: vec![
            plain(None, 0.0, 0.0, 0.0, 0.4 * F, f64::INFINITY, vec![]),
            plain(Some(0), 0.6, 0.0, F, 0.0, 0.6 * F, vec![]),
            plain(
                Some(0),
                0.6,
                F,
                f64::INFINITY,
                0.0,
                0.2 * F,
                vec![Condition { metric: 1, op: Op::Greater, value: 0.0 }],
            ),
        ],
        total_cap: 1.2 * F,
        floor: f64::NEG_INFINITY,
    }
}

fn by_hand(s: f64, school: f64) -> f64 {
    let bonus = if school > 0.0 { (0.6 * (s - F).max(0.0)).min(0.2 * F) } else { 0.0 };
    0.4 * F + 0.6 * s.clamp(0.0, F) + bonus
}

#[test]
fn norrkoping_published_and_hand_computed_settlements() {
    let savings = [-7.5e6, 3.0e6, 7.5e6, 10e6, 10e6, 40e6];
    let school = [18.0, 18.0, 18.0, 18.0, -2.0, 5.0];
    let s = norrkoping().settle(&[&savings, &school]).unwrap();
    assert_eq!(s.total[0], 3.0e6);
    for i in 0..savings.len() {
        assert!((s.total[i] - by_hand(savings[i], school[i])).abs() < 1e-6, "{i}: {}", s.total[i]);
    }
    assert_eq!(s.total[5], 1.2 * F);
    assert!(!s.met[2][4] && s.met[2][3]);
}

#[test]
fn the_total_cap_trims_the_last_tranches_and_a_floor_tops_up() {
    let mut m = norrkoping();
    m.total_cap = 8.0e6;
    let s = m.settle(&[&[40e6], &[1.0]]).unwrap();
    assert_eq!(s.total[0], 8.0e6);
    assert_eq!(s.amounts[2][0], 8.0e6 - 7.5e6);
    m.tranches.remove(0);
    m.floor = 2.0e6;
    let s = m.settle(&[&[-1e6], &[1.0]]).unwrap();
    assert_eq!((s.total[0], s.top_up[0]), (2.0e6, 2.0e6));
}

#[test]
fn bad_mechanisms_and_values_are_errors() {
    let mut m = norrkoping();
    m.floor = 2.0 * F;
    assert!(m.settle(&[&[0.0], &[0.0]]).is_err());
    let m = norrkoping();
    assert!(m.settle(&[&[0.0]]).is_err());
    assert!(m.settle(&[&[f64::NAN], &[0.0]]).is_err());
    assert!(m.settle(&[&[0.0, 1.0], &[0.0]]).is_err());
}

#[test]
fn joint_sums_replay_the_bootstrap_draws_bit_for_bit() {
    let x: Vec<f64> = (0..61).map(|i| ((i * 37) % 11) as f64 * 1.3e5 - 4.0e5).collect();
    let y: Vec<f64> = (0..61).map(|i| (i % 5) as f64 - 2.0).collect();
    let plan = Plan::new(
        Table { columns: vec![x.clone()], weights: None },
        &Labels::default(),
        Statistic::Linear(Linear::Sum),
    )
    .unwrap();
    let (mut out, mut var) = (vec![0.0; 500], vec![0.0; 500]);
    plan.run(99, 3, &mut out, &mut var, false);
    let joint = joint_sums(99, 3, 500, &[&x, &y]).unwrap();
    for r in 0..500 {
        assert_eq!(joint[2 * r].to_bits(), out[r].to_bits(), "replicate {r}");
    }
    assert!(joint_sums(1, 0, 3, &[&[]]).is_err());
}

#[test]
fn sign_and_signed_rank_tests_match_r() {
    // binom.test(17, 24) and binom.test(9, 9): R 4.2.2.
    assert!((binomial_two_sided(17, 24, 0.5) - 0.0639146566390992).abs() < 1e-13);
    assert!((binomial_two_sided(9, 9, 0.5) - 0.00390625).abs() < 1e-15);
    assert_eq!(binomial_two_sided(5, 10, 0.5), 1.0);
    // wilcox.test(c(0.5, 1.25, 0.75, 2, 0.1, 0.3, 1.5, 0.05, 2.5)): exact, V = 45, p = 0.00390625.
    let w = signed_rank(&[0.5, 1.25, 0.75, 2.0, 0.1, 0.3, 1.5, 0.05, 2.5]);
    assert!(w.exact && w.statistic == 45.0 && (w.p_value - 0.00390625).abs() < 1e-15);
    assert!(signed_rank(&[0.0, 0.0]).p_value.is_nan());
}

#[test]
fn totals_stay_within_floor_and_cap_and_add_up_for_any_values() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    // Deterministic: a fixed ChaCha stream, so the test command always checks the same cases.
    let mut runner =
        TestRunner::new_with_rng(Config::with_cases(256), TestRng::deterministic_rng(RngAlgorithm::ChaCha));
    let values = (prop::collection::vec(-1e8f64..1e8, 1..40), prop::collection::vec(-50f64..50.0, 40), 0.0f64..2e7);
    runner
        .run(&values, |(savings, school, cap_extra)| {
            let school = &school[..savings.len()];
            let mut m = norrkoping();
            m.total_cap = 3.0e6 + cap_extra;
            m.floor = 2.0e6;
            let s = m.settle(&[&savings, school]).unwrap();
            for i in 0..savings.len() {
                let parts: f64 = s.amounts.iter().map(|a| a[i]).sum::<f64>() + s.top_up[i];
                prop_assert!((parts - s.total[i]).abs() <= 1e-6);
                prop_assert!(s.total[i] >= m.floor && s.total[i] <= m.total_cap + 1e-6);
                prop_assert!(s.amounts.iter().all(|a| a[i] >= 0.0));
            }
            Ok(())
        })
        .unwrap();
}
