use super::nearest::{Greedy, GreedyInput};
use super::*;

fn input<'a>(treat: &'a [bool]) -> GreedyInput<'a> {
    GreedyInput {
        treat,
        exact: None,
        unit_id: None,
        ratio: 1,
        replace: false,
        caliper: None,
        order: None,
        seed: 1,
        constraints: Default::default(),
    }
}

#[test]
fn greedy_without_replacement_takes_the_nearest_available() {
    // Treated at 0.9 (matched first) and 0.8; controls at 0.85, 0.5, 0.1.
    let treat = [true, true, false, false, false];
    let d = [0.8, 0.9, 0.85, 0.5, 0.1];
    let m = Greedy::new(Metric::Score(&d), input(&treat)).unwrap().finish();
    assert_eq!(m.rows[1][0].0, 2);
    assert_eq!(m.rows[0][0].0, 3);
    assert_eq!(m.weights, vec![1.0, 1.0, 1.0, 1.0, 0.0]);
}

#[test]
fn caliper_and_exact_strata_leave_units_unmatched_with_a_reason() {
    let treat = [true, true, false, false];
    let d = [0.9, 0.2, 0.85, 0.21];
    let mut spec = input(&treat);
    spec.caliper = Some(0.02);
    let exact = [0u32, 1, 1, 1];
    spec.exact = Some(&exact);
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    assert_eq!(m.unmatched[0], Some(Unmatched::NoControlInStratum));
    assert_eq!(m.rows[1][0].0, 3);
    let mut spec = input(&treat);
    spec.caliper = Some(0.001);
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    assert_eq!(m.unmatched, vec![Some(Unmatched::NoControlWithinCaliper); 2]);
}

#[test]
fn replacement_weights_sum_to_the_number_of_controls_used() {
    let treat = [true, true, true, false, false, false];
    let d = [0.5, 0.52, 0.9, 0.51, 0.88, 0.1];
    let mut spec = input(&treat);
    spec.replace = true;
    spec.ratio = 2;
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    let controls: Vec<f64> = (3..6).map(|u| m.weights[u]).filter(|&w| w > 0.0).collect();
    let total: f64 = controls.iter().sum();
    assert!((total - controls.len() as f64).abs() < 1e-12);
}

#[test]
fn a_person_is_used_at_most_once() {
    // Controls 2 and 3 are the same person: once 2 is used, 3 is no longer available.
    let treat = [true, true, false, false, false];
    let d = [0.9, 0.8, 0.9, 0.8, 0.1];
    let ids = [0u32, 1, 2, 2, 3];
    let mut spec = input(&treat);
    spec.unit_id = Some(&ids);
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    assert_eq!(m.rows[0][0].0, 2);
    assert_eq!(m.rows[1][0].0, 4);
}

#[test]
fn chunked_advance_gives_the_same_matching() {
    let n = 400;
    let treat: Vec<bool> = (0..n).map(|i| i % 4 == 0).collect();
    let d: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 / 1000.0).collect();
    let whole = Greedy::new(Metric::Score(&d), input(&treat)).unwrap().finish();
    let mut g = Greedy::new(Metric::Score(&d), input(&treat)).unwrap();
    while !g.advance(7) {}
    let chunked = g.finish();
    assert_eq!(whole.rows, chunked.rows);
}

#[test]
fn mahalanobis_matches_the_closest_in_whitened_space() {
    let treat = [true, false, false, false];
    let x = [0.0, 0.0, 1.0, 0.1, -0.2, 1.5, 3.0, 3.0];
    let names = vec!["a".to_string(), "b".to_string()];
    let elig = [true; 4];
    let w = covariates::whiten(&x, 2, &treat, &elig, covariates::CovariateDistance::Euclidean, &names).unwrap();
    let metric = Metric::Covariates { coords: &w.coords, dims: w.dims, sort_key: &w.sort_key };
    let m = Greedy::new(metric, input(&treat)).unwrap().finish();
    assert_eq!(m.rows[0][0].0, 1);
    assert!((m.rows[0][0].1 - (1.01f64).sqrt()).abs() < 1e-12);
}

#[test]
fn closest_pair_first_rematches_beyond_the_lost_control() {
    // T0 0.5 and T1 0.75 both want C2 0.625; the tie goes to T0 (data order), and T1
    // searches again beyond C2: C3 (1.0, distance 0.25) beats C4 (0.125, distance 0.625).
    let treat = [true, true, false, false, false];
    let d = [0.5, 0.75, 0.625, 1.0, 0.125];
    let mut spec = input(&treat);
    spec.order = Some(Order::Closest);
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    assert_eq!((m.rows[0][0].0, m.rows[1][0].0), (2, 3));
    let largest = Greedy::new(Metric::Score(&d), input(&treat)).unwrap().finish();
    assert_eq!((largest.rows[0][0].0, largest.rows[1][0].0), (4, 2));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn weights_and_uses_follow_the_rules(
            scores in proptest::collection::vec(0.0f64..1.0, 8..80),
            every in 2usize..5,
            ratio in 1usize..3,
            replace in any::<bool>(),
        ) {
            let treat: Vec<bool> = (0..scores.len()).map(|i| i % every == 0).collect();
            let mut spec = input(&treat);
            spec.ratio = ratio;
            spec.replace = replace;
            let m = Greedy::new(Metric::Score(&scores), spec).unwrap().finish();
            let mut uses = vec![0usize; scores.len()];
            for row in &m.rows {
                prop_assert!(row.len() <= ratio);
                for &(c, d) in row {
                    prop_assert!(!treat[c]);
                    prop_assert!(d >= 0.0);
                    uses[c] += 1;
                }
            }
            if !replace {
                prop_assert!(uses.iter().all(|&u| u <= 1));
            }
            let used: Vec<f64> = (0..scores.len()).filter(|&u| !treat[u] && m.weights[u] > 0.0).map(|u| m.weights[u]).collect();
            prop_assert_eq!(used.len(), uses.iter().filter(|&&u| u > 0).count());
            let total: f64 = used.iter().sum();
            prop_assert!((total - used.len() as f64).abs() < 1e-9);
        }
    }

    #[test]
    fn the_logit_fit_is_identical_for_one_and_two_threads() {
        let n = 50_000;
        let ones = vec![1.0; n];
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1013) as f64 / 500.0 - 1.0).collect();
        let b: Vec<f64> = (0..n).map(|i| ((i * 131) % 997) as f64 / 500.0 - 1.0).collect();
        let y: Vec<bool> = (0..n).map(|i| ((i * 31) % 11) < 2 + (a[i] > 0.0) as usize).collect();
        let names: Vec<String> = ["(Intercept)", "a", "b"].iter().map(|s| s.to_string()).collect();
        let fit = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| logit::fit_logit(&[&ones, &a, &b], &y, &names).unwrap())
        };
        let (one, two) = (fit(1), fit(2));
        assert_eq!(one.coefficients, two.coefficients);
        assert_eq!(one.fitted, two.fitted);
    }
}

#[test]
fn antiexact_covariate_calipers_and_discard_skip_pairs_in_the_walk() {
    // Treated 0 (0.9) and 1 (0.5); controls 2 (0.88), 3 (0.86), 4 (0.52), 5 (0.1).
    let treat = [true, true, false, false, false, false];
    let d = [0.9, 0.5, 0.88, 0.86, 0.52, 0.1];
    let sex = [0u32, 1, 0, 1, 1, 0];
    let age = [30.0, 40.0, 31.0, 45.0, 39.0, 41.0];
    let mut spec = input(&treat);
    spec.constraints.antiexact = vec![&sex];
    // Unit 0 may not take 2 (same sex): it takes 3; unit 1 may not take 4 (same sex): it takes 2.
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    assert_eq!((m.rows[0][0].0, m.rows[1][0].0), (3, 2));
    // An age caliper of 5 forbids 0-3 (15 years): 0 finds no one.
    let mut spec = input(&treat);
    spec.constraints.antiexact = vec![&sex];
    spec.constraints.covariate_calipers = vec![(&age, 5.0)];
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    assert!(m.rows[0].is_empty());
    assert_eq!(m.rows[1][0].0, 5);
    // Discarding control 2 sends unit 0 to 3; a discarded treated unit is reported.
    let discarded = [false, true, true, false, false, false];
    let mut spec = input(&treat);
    spec.constraints.discarded = Some(&discarded);
    let m = Greedy::new(Metric::Score(&d), spec).unwrap().finish();
    assert_eq!(m.rows[0][0].0, 3);
    assert_eq!(m.unmatched[1], Some(Unmatched::Discarded));
    assert_eq!(m.weights[2], 0.0);
}

#[test]
fn mahvars_match_on_covariates_within_the_score_caliper() {
    // One whitened covariate x; the score decides who is within the caliper.
    let treat = [true, false, false, false];
    let x = [0.0, 0.1, 0.5, 2.0];
    let score = [0.5, 0.9, 0.52, 0.49];
    let mut spec = input(&treat);
    spec.constraints.score_caliper = Some((&score, 0.05));
    spec.constraints.order_key = Some(&score);
    let metric = Metric::Covariates { coords: &x, dims: 1, sort_key: &x };
    let g = Greedy::new(metric.clone(), spec).unwrap();
    let m = g.finish();
    // 1 is closest on x but outside the score caliper; 2 is the closest within it.
    assert_eq!(m.rows[0][0].0, 2);
    assert!((m.rows[0][0].1 - 0.5).abs() < 1e-12);
    let mut spec = input(&treat);
    spec.constraints.covariate_calipers = vec![(&x, -1.0)];
    assert!(Greedy::new(metric, spec).is_err());
}
