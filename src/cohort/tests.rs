//! Window edge cases, each checked against a value computed by hand.

use super::*;
use crate::dates::{ymd, Horizon};

fn d(y: i32, m: u32, day: u32) -> i32 {
    ymd(y, m, day).unwrap()
}

/// One individual indexed 2016-03-01, data to 2019-12-31; HVB (type 0) and
/// foster home (type 1), HVB tariff 3000 until 2016-12-31 and 3500 after.
fn base() -> CohortInput {
    CohortInput {
        index_date: vec![d(2016, 3, 1)],
        end_of_data: vec![d(2019, 12, 31)],
        participant: vec![true],
        n_types: 2,
        tariffs: Some((vec![0, 0, 1], vec![d(2010, 1, 1), d(2017, 1, 1), d(2010, 1, 1)], vec![3000.0, 3500.0, 1000.0])),
        ..Default::default()
    }
}

fn with_episodes(mut input: CohortInput, eps: &[(i32, i32, u32)]) -> CohortInput {
    for &(s, e, t) in eps {
        input.episode_individual.push(0);
        input.episode_start.push(s);
        input.episode_end.push(e);
        input.episode_type.push(t);
    }
    input
}

#[test]
fn episode_starting_before_index_counts_only_days_inside() {
    // 2016-02-20 .. 2016-03-11: 10 days inside [2016-03-01, ..).
    let c = Cohort::new(with_episodes(base(), &[(d(2016, 2, 20), d(2016, 3, 11), 0)])).unwrap();
    let w = c.costs(Horizon::Years(2));
    assert_eq!(w.values[0], 10.0);
    assert_eq!(w.values[2], 30_000.0);
    assert!(w.complete[0]);
    assert_eq!(w.end[0] - w.start[0], 730); // 2016-03-01 .. 2018-03-01: the leap day is before the window
}

#[test]
fn episode_past_horizon_and_tariff_change() {
    // Foster home from 2016-12-22 to 2019-06-01; horizon 1y ends 2017-03-01.
    let c =
        Cohort::new(with_episodes(base(), &[(d(2016, 12, 22), d(2017, 1, 11), 0), (d(2017, 2, 19), d(2019, 6, 1), 1)]))
            .unwrap();
    let w = c.costs(Horizon::Years(1));
    // HVB: 10 days at 3000 (Dec 22-31) and 10 at 3500 (Jan 1-10).
    assert_eq!(w.values[0], 20.0);
    assert_eq!(w.values[2], 65_000.0);
    // Foster home: Feb 19 .. Mar 1 2017 = 10 days at 1000.
    assert_eq!(w.values[1], 10.0);
    assert_eq!(w.values[3], 10_000.0);
}

#[test]
fn ongoing_episode_runs_to_end_of_data_and_window_is_clipped() {
    let mut input = with_episodes(base(), &[(d(2019, 12, 1), ONGOING, 1)]);
    input.index_date = vec![d(2019, 1, 1)];
    let c = Cohort::new(input).unwrap();
    let w = c.costs(Horizon::Years(2));
    assert!(!w.complete[0]);
    assert_eq!(w.end[0], d(2020, 1, 1));
    assert_eq!(w.values[1], 31.0);
}

#[test]
fn leap_day_index() {
    let mut input = with_episodes(base(), &[(d(2016, 2, 1), d(2016, 4, 1), 1)]);
    input.index_date = vec![d(2016, 2, 29)];
    let c = Cohort::new(input).unwrap();
    let w = c.costs(Horizon::Years(1));
    assert_eq!(w.end[0], d(2017, 2, 28));
    assert_eq!(w.values[1], 32.0); // Feb 29 + 31 days of March
}

#[test]
fn price_index_and_ledger() {
    let mut input = with_episodes(base(), &[(d(2016, 12, 27), d(2017, 1, 6), 1)]);
    input.price_index = Some((vec![2015, 2016, 2017, 2018, 2019], vec![90.0, 100.0, 110.0, 120.0, 125.0], 2017));
    input.ledger_individual = vec![0, 0];
    input.ledger_date = vec![d(2016, 5, 1), d(2019, 5, 1)];
    input.ledger_amount = vec![1000.0, 500.0];
    input.ledger_category = vec![0, 0];
    input.n_categories = 1;
    let c = Cohort::new(input).unwrap();
    let w = c.costs(Horizon::Years(2));
    // Foster home: 5 days of 2016 at 1000 * 110/100 and 5 of 2017 at 1000.
    assert!((w.values[3] - (5.0 * 1100.0 + 5000.0)).abs() < 1e-9);
    // Ledger: only the 2016 entry falls in the window, rebased to 2017 prices.
    assert!((w.values[4] - 1100.0).abs() < 1e-9);
}

#[test]
fn trajectories_split_by_month_and_stop_at_end_of_data() {
    let mut input = with_episodes(base(), &[(d(2019, 10, 15), ONGOING, 1)]);
    input.index_date = vec![d(2019, 10, 1)];
    let c = Cohort::new(input).unwrap();
    let t = c.trajectories(4, &crate::cancel::NEVER).unwrap();
    assert_eq!(t[0], 17_000.0);
    assert_eq!(t[1], 30_000.0);
    assert_eq!(t[2], 31_000.0);
    assert!(t[3].is_nan());
}

#[test]
fn history_counts_placements_before_index() {
    let c = Cohort::new(with_episodes(
        base(),
        &[(d(2014, 1, 1), d(2014, 1, 11), 1), (d(2015, 6, 1), d(2015, 6, 3), 1), (d(2016, 3, 1), d(2016, 4, 1), 0)],
    ))
    .unwrap();
    let h = c.history(Some(Horizon::Years(1)));
    assert_eq!(h.placements[0], 1);
    assert_eq!(h.totals.values[1], 2.0);
    let all = c.history(None);
    assert_eq!(all.placements[0], 2);
    assert_eq!(all.totals.values[1], 12.0);
}

#[test]
fn bad_inputs_name_the_row() {
    let err = |input: CohortInput| match Cohort::new(input) {
        Err(Error::Data { location, .. }) => location,
        other => panic!("expected a data error, got {other:?}"),
    };
    let l = err(with_episodes(base(), &[(d(2016, 5, 1), d(2016, 4, 1), 0)]));
    assert_eq!((l.table, l.column, l.row), ("episodes", "end", Some(0)));
    let l = err(with_episodes(base(), &[(d(2016, 5, 1), d(2016, 6, 1), 0), (d(2016, 5, 20), d(2016, 7, 1), 1)]));
    assert_eq!((l.table, l.row), ("episodes", Some(1)));
    let mut input = base();
    input.index_date = vec![d(2020, 1, 2)];
    assert_eq!(err(input).table, "individuals");
    let mut input = base();
    input.tariffs.as_mut().unwrap().2[1] = f64::NAN;
    assert_eq!(err(input).row, Some(1));
    let l = err(with_episodes(base(), &[(d(2005, 1, 1), d(2005, 2, 1), 0)]));
    assert_eq!(l.column, "care_type");
}

#[test]
fn overlaps_allowed_when_asked() {
    let mut input = with_episodes(base(), &[(d(2016, 5, 1), d(2016, 6, 1), 0), (d(2016, 5, 20), d(2016, 7, 1), 1)]);
    input.allow_overlaps = true;
    let c = Cohort::new(input).unwrap();
    let w = c.costs(Horizon::Years(1));
    assert_eq!(w.values[0] + w.values[1], 31.0 + 42.0);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// One individual with non-overlapping episodes built from (gap, length, type) steps.
    fn cohort_from(steps: &[(i32, i32, u32)], index_offset: i32) -> Cohort {
        let mut input = base();
        input.index_date = vec![d(2014, 1, 1) + index_offset];
        input.end_of_data = vec![d(2019, 12, 31)];
        let mut day = d(2013, 1, 1);
        for &(gap, len, t) in steps {
            day += gap;
            input.episode_individual.push(0);
            input.episode_start.push(day);
            input.episode_end.push(day + len);
            input.episode_type.push(t);
            day += len;
        }
        input.price_index = Some(((2010..=2020).collect(), (0..11).map(|k| 100.0 + 3.0 * k as f64).collect(), 2020));
        Cohort::new(input).unwrap()
    }

    proptest! {
        #[test]
        fn windows_add_up(steps in prop::collection::vec((0i32..200, 0i32..400, 0u32..2), 0..8),
                          offset in 0i32..700, cut in 0i32..1500) {
            let c = cohort_from(&steps, offset);
            let index = c.index_date[0];
            let whole = c.totals_over(&[(index, index + 1500)]);
            let left = c.totals_over(&[(index, index + cut)]);
            let right = c.totals_over(&[(index + cut, index + 1500)]);
            for j in 0..whole.width() {
                let sum = left.values[j] + right.values[j];
                prop_assert!((whole.values[j] - sum).abs() <= 1e-9 * whole.values[j].abs().max(1.0));
            }
        }

        #[test]
        fn monthly_trajectory_sums_to_the_window_cost(steps in prop::collection::vec((0i32..200, 0i32..400, 0u32..2), 0..8),
                                                      offset in 0i32..700) {
            let c = cohort_from(&steps, offset);
            let months = c.trajectories(24, &crate::cancel::NEVER).unwrap();
            let total: f64 = months.iter().sum();
            let window = c.costs(Horizon::Months(24));
            let cost: f64 = window.values[2..4].iter().sum();
            prop_assert!((total - cost).abs() <= 1e-9 * cost.abs().max(1.0));
        }
    }
}

#[test]
fn group_order_is_the_stable_sort_by_individual_then_date() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(18);
    for &(rows, people, days) in &[(0usize, 1i64, 1i32), (1, 1, 1), (1000, 50, 20), (5000, 3000, 400), (200, 5, 3)] {
        let individual: Vec<i64> = (0..rows).map(|_| rng.random_range(0..people)).collect();
        let date: Vec<i32> = (0..rows).map(|_| rng.random_range(-days..days)).collect();
        let mut expected: Vec<usize> = (0..rows).collect();
        expected.sort_by_key(|&r| (individual[r], date[r]));
        assert_eq!(super::group_order(&individual, &date), expected);
    }
    // Sparse or negative codes take the comparison sort, with the same order.
    let individual = vec![1_000_000_000i64, -3, 7, -3, 1_000_000_000];
    let date = vec![5, 2, 1, 1, 4];
    assert_eq!(super::group_order(&individual, &date), vec![3, 1, 2, 4, 0]);
}
