//! Expected outcomes on a cohort small enough to compute by hand.

use super::*;
use crate::cohort::CohortInput;
use crate::dates::ymd;

fn d(y: i32, m: u32, day: u32) -> i32 {
    ymd(y, m, day).unwrap()
}

/// Participant 0 (index 2017-01-01, data to 2017-06-30: incomplete at 1y) and three
/// comparison individuals indexed 2013-01-01, 2013-02-01, 2013-03-01 with data to 2016.
/// One care type at 100 SEK a day; individual k > 0 has an episode of 10 k days from
/// its index date, and individual 3 another of 30 days after 200 days.
fn cohort() -> Cohort {
    let mut input = CohortInput {
        index_date: vec![d(2017, 1, 1), d(2013, 1, 1), d(2013, 2, 1), d(2013, 3, 1)],
        end_of_data: vec![d(2017, 6, 30), d(2016, 12, 31), d(2016, 12, 31), d(2016, 12, 31)],
        participant: vec![true, false, false, false],
        n_types: 1,
        tariffs: Some((vec![0], vec![d(2000, 1, 1)], vec![100.0])),
        ..Default::default()
    };
    for (k, (start, days)) in
        [(d(2013, 1, 1), 10), (d(2013, 2, 1), 20), (d(2013, 3, 1), 30), (d(2013, 3, 1) + 200, 30)].iter().enumerate()
    {
        input.episode_individual.push(if k < 3 { k as i64 + 1 } else { 3 });
        input.episode_start.push(*start);
        input.episode_end.push(start + days);
        input.episode_type.push(0);
    }
    Cohort::new(input).unwrap()
}

const MEMBERS: [usize; 3] = [1, 2, 3];

#[test]
fn a_complete_follow_up_averages_the_members_whole_windows() {
    let c = cohort();
    let sets = Sets { offsets: &[0, 3], members: &MEMBERS, weights: None };
    let out = set_means(&c, Horizon::Years(1), sets, &[Request { set: 0, observed_days: None }], &[0, 1]).unwrap();
    // care days (10 + 20 + 60) / 3 = 30; cost 3000; the total column adds both.
    assert_eq!(out, vec![30.0, 3000.0, 3030.0]);
}

#[test]
fn an_incomplete_follow_up_is_compared_over_the_same_observed_days() {
    let c = cohort();
    let sets = Sets { offsets: &[0, 3], members: &MEMBERS, weights: None };
    // 100 observed days: member 3's second episode (from day 200) falls outside.
    let out = set_means(&c, Horizon::Years(1), sets, &[Request { set: 0, observed_days: Some(100) }], &[1]).unwrap();
    assert_eq!(out, vec![2000.0, 2000.0]);
}

#[test]
fn weights_and_empty_sets() {
    let c = cohort();
    let weights = [1.0, 0.0, 3.0];
    let sets = Sets { offsets: &[0, 3, 3], members: &MEMBERS, weights: Some(&weights) };
    let requests = [Request { set: 0, observed_days: None }, Request { set: 1, observed_days: None }];
    let out = set_means(&c, Horizon::Years(1), sets, &requests, &[0]).unwrap();
    assert_eq!(out[0], (10.0 + 3.0 * 60.0) / 4.0);
    assert!(out[2].is_nan() && out[3].is_nan());
}

#[test]
fn monthly_curves_are_cumulative_and_end_at_the_window_total() {
    let c = cohort();
    let curves = cumulative_months(&c, &[3], 12, &[0]).unwrap();
    assert_eq!(curves[0], 30.0); // March 2013: the first 30 days
    assert_eq!(curves[11], 60.0);
    assert!(curves.windows(2).all(|w| w[0] <= w[1]));
    let sets = Sets { offsets: &[0, 3], members: &MEMBERS, weights: None };
    let mean = set_mean_curves(&c, sets, &[0, 0], 12, &[0]).unwrap();
    assert_eq!(mean[11], 30.0);
    assert_eq!(mean[..12], mean[12..]);
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let c = cohort();
    let sets = Sets { offsets: &[0, 3], members: &MEMBERS, weights: None };
    assert!(set_means(&c, Horizon::Years(1), sets, &[Request { set: 1, observed_days: None }], &[0]).is_err());
    assert!(set_means(&c, Horizon::Years(1), sets, &[Request { set: 0, observed_days: None }], &[9]).is_err());
    let broken = Sets { offsets: &[0, 4], members: &MEMBERS, weights: None };
    assert!(set_means(&c, Horizon::Years(1), broken, &[], &[0]).is_err());
    assert!(cumulative_months(&c, &[7], 3, &[0]).is_err());
    assert!(set_mean_curves(&c, sets, &[2], 3, &[0]).is_err());
}
