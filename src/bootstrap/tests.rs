//! Tests of the engine against the published references and for determinism.

use super::designs::Labels;
use super::intervals::{summarize, Inputs, Method, QuantileRule};
use super::jackknife::acceleration;
use super::statistics::{Linear, Statistic};
use super::{Plan, Table};
use crate::concentration::Measure;

const R_BOOT_DATA: [f64; 16] =
    [10.0, 12.0, 12.5, 12.5, 13.9, 15.0, 21.0, 22.0, 23.0, 34.0, 50.0, 81.0, 89.0, 121.0, 134.0, 213.0];

fn one_sample(x: &[f64], stat: Statistic) -> Plan {
    Plan::new(Table { columns: vec![x.to_vec()], weights: None }, &Labels::default(), stat).unwrap()
}

fn run_all(plan: &Plan, seed: u64, b: usize) -> Vec<f64> {
    let mut out = vec![0.0; b * plan.n_outputs()];
    let mut var = vec![0.0; b];
    plan.run(seed, 0, &mut out, &mut var, false);
    out
}

/// R's reference is itself one Monte Carlo run; the seed is fixed (see
/// tests/test_bootstrap.py for the spread over seeds).
#[test]
fn r_boot_one_sample_mean() {
    let plan = one_sample(&R_BOOT_DATA, Statistic::Linear(Linear::Mean));
    let b = 1_000_000;
    let t = run_all(&plan, 1, b);
    let (t0, _) = plan.estimate();
    let a = acceleration(&plan.leave_one_out(), &plan.design.segments);
    let inputs = Inputs { estimate: t0[0], acceleration: a, variances: None };
    let methods = [Method::Normal, Method::Basic, Method::Percentile, Method::Bca];
    let s = summarize(&t, &inputs, &[0.95], &methods, QuantileRule::R);
    let expected = [(26.16, 81.93), (23.77, 79.12), (28.86, 84.21), (32.31, 91.43)];
    for (interval, (lo, hi)) in s.intervals.iter().zip(expected) {
        assert!((interval.low / lo - 1.0).abs() < 0.005, "{:?} {lo}", interval);
        assert!((interval.high / hi - 1.0).abs() < 0.005, "{:?} {hi}", interval);
    }
}

#[test]
fn two_sample_acceleration_matches_scipy() {
    let z = [16.0, 23.0, 38.0, 94.0, 99.0, 141.0, 197.0];
    let y = [10.0, 27.0, 31.0, 40.0, 46.0, 50.0, 52.0, 104.0, 146.0];
    let mut values = z.to_vec();
    values.extend_from_slice(&y);
    let samples = Some([vec![0u32; 7], vec![1u32; 9]].concat());
    let plan = Plan::new(
        Table { columns: vec![values], weights: None },
        &Labels { samples, ..Default::default() },
        Statistic::Linear(Linear::DifferenceOfMeans),
    )
    .unwrap();
    let a = acceleration(&plan.leave_one_out(), &plan.design.segments);
    assert!((a - 0.011008228344026734).abs() < 1e-12, "{a}");
}

#[test]
fn results_do_not_depend_on_threads_or_batches() {
    let x: Vec<f64> = (0..500).map(|i| ((i * 37) % 101) as f64).collect();
    let clusters = Some((0..500u32).map(|i| i / 3).collect());
    for (stat, labels) in [
        (Statistic::Linear(Linear::Mean), Labels::default()),
        (Statistic::Linear(Linear::Mean), Labels { clusters: clusters.clone(), ..Default::default() }),
        (Statistic::Sorted(vec![Measure::Gini, Measure::Quantile(0.5)]), Labels { clusters, ..Default::default() }),
    ] {
        let plan = Plan::new(Table { columns: vec![x.clone()], weights: None }, &labels, stat).unwrap();
        let k = plan.n_outputs();
        let b = 1000;
        let reference =
            rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| run_all(&plan, 7, b));
        let parallel = rayon::ThreadPoolBuilder::new().num_threads(4).build().unwrap().install(|| run_all(&plan, 7, b));
        assert_eq!(reference, parallel);
        let mut batched = vec![0.0; b * k];
        for start in (0..b).step_by(137) {
            let stop = (start + 137).min(b);
            let mut var = vec![0.0; stop - start];
            plan.run(7, start as u64, &mut batched[start * k..stop * k], &mut var, false);
        }
        assert_eq!(reference, batched);
    }
}

#[test]
fn fast_and_general_paths_agree() {
    // Singleton clusters take the general path but draw the same units.
    let x: Vec<f64> = (0..50).map(|i| (i * i % 17) as f64).collect();
    let fast = one_sample(&x, Statistic::Linear(Linear::Mean));
    let general = Plan::new(
        Table { columns: vec![x.clone()], weights: None },
        &Labels { clusters: Some((0..50).collect()), ..Default::default() },
        Statistic::Linear(Linear::Mean),
    )
    .unwrap();
    let (mut a, mut va) = (vec![0.0; 20], vec![0.0; 20]);
    let (mut b, mut vb) = (vec![0.0; 20], vec![0.0; 20]);
    fast.run(3, 0, &mut a, &mut va, true);
    general.run(3, 0, &mut b, &mut vb, true);
    for i in 0..20 {
        assert!((a[i] - b[i]).abs() < 1e-12);
        assert!((va[i] - vb[i]).abs() < 1e-9);
    }
    // And the resampled rows reproduce the replicate.
    let rows = fast.design.resample_rows(3, 5);
    let mean = rows.iter().map(|&r| x[r as usize]).sum::<f64>() / 50.0;
    assert!((mean - a[5]).abs() < 1e-12);
}

#[test]
fn paired_difference_of_sums_over_clusters() {
    let expected = vec![10.0, 0.0, 5.0, 7.0];
    let actual = vec![8.0, 1.0, 5.0, 2.0];
    let labels = Labels { clusters: Some(vec![0, 0, 1, 2]), ..Default::default() };
    let plan = Plan::new(
        Table { columns: vec![expected, actual], weights: None },
        &labels,
        Statistic::Linear(Linear::DifferenceOfSums),
    )
    .unwrap();
    let (t0, _) = plan.estimate();
    assert_eq!(t0[0], 6.0);
    // Leaving out cluster 0 removes rows 0 and 1: 6 - (10 - 8 + 0 - 1) = 5.
    assert_eq!(plan.leave_one_out(), vec![5.0, 6.0, 1.0]);
}

#[test]
fn bad_data_is_an_error() {
    assert!(Plan::new(
        Table { columns: vec![vec![1.0, f64::NAN]], weights: None },
        &Labels::default(),
        Statistic::Linear(Linear::Mean)
    )
    .is_err());
    assert!(Plan::new(
        Table { columns: vec![vec![1.0]], weights: None },
        &Labels::default(),
        Statistic::Linear(Linear::Mean)
    )
    .is_err());
    assert!(Plan::new(
        Table { columns: vec![vec![1.0, 2.0]], weights: None },
        &Labels::default(),
        Statistic::Linear(Linear::DifferenceOfMeans)
    )
    .is_err());
    // Labels of the wrong length for a sorted statistic (whose rows are relabelled in
    // sorted order first): an error, not an index out of bounds (found by the fuzz target
    // with another seed).
    for labels in [
        Labels { strata: Some(vec![]), ..Labels::default() },
        Labels { samples: Some(vec![0, 0, 0]), ..Labels::default() },
    ] {
        let plan = Plan::new(
            Table { columns: vec![vec![3.0, 1.0]], weights: None },
            &labels,
            Statistic::Sorted(vec![Measure::TopShare(0.5)]),
        );
        assert!(plan.is_err());
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn same_result_for_one_and_three_threads(
            x in proptest::collection::vec(0.0f64..1e4, 4..60),
            cluster_size in 1usize..4,
            seed in any::<u64>(),
            sorted in any::<bool>(),
        ) {
            let clusters = Some((0..x.len()).map(|i| (i / cluster_size) as u32).collect::<Vec<_>>());
            prop_assume!(x.len() / cluster_size >= 2);
            let stat = if sorted { Statistic::Sorted(vec![Measure::Gini, Measure::TopShare(0.2)]) } else { Statistic::Linear(Linear::Mean) };
            let plan = Plan::new(Table { columns: vec![x.clone()], weights: None }, &Labels { clusters, ..Default::default() }, stat).unwrap();
            let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| run_all(&plan, seed, 97));
            let three = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap().install(|| run_all(&plan, seed, 97));
            prop_assert_eq!(one, three);
        }
    }
}

#[test]
fn lanes_give_the_one_replicate_bits_across_threads_and_batches() {
    // Two samples, one beyond the cache size (drawn in lanes with prefetching),
    // one small; with variances (studentized) and without.
    let n0 = super::lanes::PREFETCH_FROM + 3;
    let n = n0 + 101;
    let x: Vec<f64> = (0..n).map(|i| ((i as f64) * 0.61).cos() * 250.0 + 1000.0).collect();
    let samples = Some((0..n).map(|i| u32::from(i >= n0)).collect());
    let plan = Plan::new(
        Table { columns: vec![x], weights: None },
        &Labels { samples, ..Default::default() },
        Statistic::Linear(Linear::DifferenceOfMeans),
    )
    .unwrap();
    assert!(plan.lanes_pay());
    let b = 11;
    for want_variance in [false, true] {
        // One replicate per call: chunks of one, never in lanes.
        let mut one = vec![0.0; b];
        let mut one_var = vec![0.0; b];
        for r in 0..b {
            plan.run(3, r as u64, &mut one[r..r + 1], &mut one_var[r..r + 1], want_variance);
        }
        for threads in [1, 2, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let (mut all, mut var) = (vec![0.0; b], vec![0.0; b]);
            pool.install(|| plan.run(3, 0, &mut all, &mut var, want_variance));
            assert_eq!(
                one.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                all.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
            );
            if want_variance {
                assert_eq!(
                    one_var.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                    var.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
                );
            }
        }
    }
}
