//! Fuzz targets on the core's entry points: arbitrary (often nonsensical) input must
//! give `Ok` or `Err`, never a panic.
//!
//! Each target is a proptest over inputs that mix ordinary values with the ones
//! that break numerical code (NaN, infinities, subnormals, values near `f64::MAX`,
//! zeros) and with inconsistent shapes (labels of the wrong length, codes out of
//! range, huge ratios and horizons). The test command runs them with a fixed seed
//! and no failure files (`tests/run_all.sh`), [`CASES`] inputs each, a few
//! seconds in all.

use crate::bootstrap::designs::Labels;
use crate::bootstrap::intervals::{summarize, Inputs, Method, QuantileRule};
use crate::bootstrap::statistics::{Linear, Statistic};
use crate::bootstrap::{Plan, Table};
use crate::cohort::{Cohort, CohortInput, ONGOING};
use crate::concentration::{measures, Measure};
use crate::dates::Horizon;
use crate::matching::nearest::{Greedy, GreedyInput};
use crate::matching::{Metric, Order};
use proptest::prelude::*;

/// Inputs tried per target.
pub const CASES: u32 = 400;

fn nasty_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -10.0f64..1e3,
        1 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(5e-324),
        1 => Just(f64::MAX),
        1 => Just(1e308),
        1 => Just(-1e308),
    ]
}

fn fraction() -> impl Strategy<Value = f64> {
    prop_oneof![4 => 0.0f64..=1.0, 1 => Just(f64::NAN), 1 => Just(-0.5), 1 => Just(1.5)]
}

fn measure() -> impl Strategy<Value = Measure> {
    prop_oneof![
        fraction().prop_map(Measure::TopShare),
        fraction().prop_map(Measure::TopShareInteger),
        fraction().prop_map(Measure::Lorenz),
        fraction().prop_map(Measure::Quantile),
        Just(Measure::Gini),
        Just(Measure::GiniCorrected),
        Just(Measure::Hoover),
        Just(Measure::TheilT),
        Just(Measure::MeanLogDeviation),
        Just(Measure::Herfindahl),
        Just(Measure::Mean),
    ]
}

fn statistic() -> impl Strategy<Value = Statistic> {
    prop_oneof![
        prop::sample::select(vec![
            Linear::Mean,
            Linear::Sum,
            Linear::DifferenceOfMeans,
            Linear::DifferenceOfSums,
            Linear::RatioOfSums,
            Linear::RatioOfMeans,
        ])
        .prop_map(Statistic::Linear),
        prop::collection::vec(measure(), 0..4).prop_map(Statistic::Sorted),
    ]
}

fn labels(n: usize) -> impl Strategy<Value = Option<Vec<u32>>> {
    prop_oneof![
        2 => Just(None),
        1 => prop::collection::vec(0u32..3, n).prop_map(Some),
        1 => prop::collection::vec(prop_oneof![0u32..3, Just(u32::MAX)], 0..n + 2).prop_map(Some),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn bootstrap_never_panics(
        (x, y, samples, strata, clusters, weights) in (0usize..12).prop_flat_map(|n| (
            prop::collection::vec(nasty_f64(), n),
            prop::option::of(prop::collection::vec(nasty_f64(), n)),
            labels(n), labels(n), labels(n),
            prop::option::of(prop::collection::vec(nasty_f64(), n)),
        )),
        stat in statistic(),
        seed in any::<u64>(),
        count in 0usize..20,
        levels in prop::collection::vec(fraction(), 0..3),
        acceleration in nasty_f64(),
    ) {
        let columns = match y { Some(y) => vec![x, y], None => vec![x] };
        let table = Table { columns, weights };
        let labels = Labels { samples, strata, clusters };
        if let Ok(plan) = Plan::new(table, &labels, stat) {
            let k = plan.n_outputs();
            let (t0, v0) = plan.estimate();
            let mut out = vec![0.0; count * k];
            let mut var = vec![0.0; count];
            prop_assert!(plan.run_cancellable(seed, u64::MAX - 3, &mut out, &mut var, true, &crate::cancel::NEVER).is_ok() || count > 3);
            plan.run_cancellable(seed, 0, &mut out, &mut var, true, &crate::cancel::NEVER).unwrap();
            let _ = plan.leave_one_out_cancellable(&crate::cancel::NEVER);
            let methods = [Method::Percentile, Method::Basic, Method::Normal, Method::Bca, Method::Studentized];
            for rule in [QuantileRule::R, QuantileRule::Linear] {
                let column: Vec<f64> = (0..count).map(|r| out[r * k]).collect();
                let inputs = Inputs { estimate: t0[0], acceleration, variances: Some((&var, v0)) };
                let _ = summarize(&column, &inputs, &levels, &methods, rule);
            }
        }
    }

    #[test]
    fn concentration_never_panics(
        (x, w) in (0usize..15).prop_flat_map(|n| (
            prop::collection::vec(nasty_f64(), n),
            prop::option::of(prop::collection::vec(nasty_f64(), n.saturating_sub(1)..n + 2)),
        )),
        ms in prop::collection::vec(measure(), 0..6),
    ) {
        if let Ok(v) = measures(&x, w.as_deref(), &ms) {
            prop_assert_eq!(v.len(), ms.len());
        }
    }

    #[test]
    fn matching_never_panics(
        (treat, score, exact, unit_id) in (0usize..14).prop_flat_map(|n| (
            prop::collection::vec(any::<bool>(), n),
            prop::collection::vec(nasty_f64(), n.saturating_sub(1)..n + 1),
            labels(n), labels(n),
        )),
        ratio in prop_oneof![0usize..4, Just(1usize << 40), Just(usize::MAX)],
        replace in any::<bool>(),
        caliper in prop::option::of(nasty_f64()),
        order in prop::option::of(prop::sample::select(vec![Order::Largest, Order::Smallest, Order::Data, Order::Random, Order::Closest])),
        seed in any::<u64>(),
    ) {
        let input = GreedyInput { treat: &treat, exact: exact.as_deref(), unit_id: unit_id.as_deref(), ratio, replace, caliper, order, seed, constraints: Default::default() };
        if let Ok(mut greedy) = Greedy::new(Metric::Score(&score), input) {
            while !greedy.advance(3) {}
            let m = greedy.finish();
            prop_assert_eq!(m.weights.len(), treat.len());
        }
    }

    #[test]
    fn cohort_building_and_queries_never_panic(
        n in 0usize..5,
        rows in prop::collection::vec((0i64..6, -400i32..400, prop_oneof![-400i32..800, Just(ONGOING)], 0u32..3, nasty_f64()), 0..8),
        tariffs in prop::option::of(prop::collection::vec((0u32..3, -800i32..0, nasty_f64()), 0..4)),
        n_types in 0usize..3,
        horizon in prop_oneof![
            (-5i32..5000).prop_map(Horizon::Days), (-5i32..100).prop_map(Horizon::Months),
            (-5i32..10).prop_map(Horizon::Years), Just(Horizon::Years(i32::MAX)), Just(Horizon::Days(i32::MIN)),
        ],
        months in prop_oneof![0usize..30, Just(usize::MAX)],
    ) {
        let input = CohortInput {
            index_date: (0..n as i32).map(|i| i * 30).collect(),
            end_of_data: (0..n as i32).map(|i| i * 30 + 700).collect(),
            participant: (0..n).map(|i| i % 2 == 0).collect(),
            episode_individual: rows.iter().map(|r| r.0).collect(),
            episode_start: rows.iter().map(|r| r.1).collect(),
            episode_end: rows.iter().map(|r| r.2).collect(),
            episode_type: rows.iter().map(|r| r.3).collect(),
            n_types,
            tariffs: tariffs.map(|t| (t.iter().map(|r| r.0).collect(), t.iter().map(|r| r.1).collect(), t.iter().map(|r| r.2).collect())),
            ledger_individual: rows.iter().map(|r| r.0).collect(),
            ledger_date: rows.iter().map(|r| r.1).collect(),
            ledger_amount: rows.iter().map(|r| r.4).collect(),
            ledger_category: rows.iter().map(|r| r.3).collect(),
            n_categories: 2,
            price_index: None,
            allow_overlaps: n_types % 2 == 0,
        };
        if let Ok(cohort) = Cohort::new(input) {
            let totals = cohort.costs(horizon);
            prop_assert!(totals.values.iter().all(|v| !v.is_infinite()));
            let _ = cohort.history(Some(horizon));
            let _ = cohort.trajectories(months, &crate::cancel::NEVER);
        }
    }
}
