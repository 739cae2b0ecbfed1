//! Optimal, full and subclass matching: small cases by hand, properties against brute
//! force and against greedy matching.

use super::arcs::{subproblems, Restrictions, Scale};
use super::full::{full, Limits};
use super::nearest::{Greedy, GreedyInput};
use super::optimal::optimal;
use super::subclass::{quantile7, subclass_weights, subclassify, Estimand};
use super::Metric;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn none() -> Restrictions<'static> {
    Restrictions { exact: None, antiexact: Vec::new(), caliper: None, covariate_calipers: Vec::new() }
}

fn solve_optimal(score: &[f64], treat: &[bool], ratio: usize, scale: Scale) -> super::optimal::Solved {
    let eligible = vec![true; treat.len()];
    let sps = subproblems(&Metric::Score(score), treat, &eligible, &none(), false).unwrap();
    optimal(&sps, treat.len(), ratio, scale, &mut || true).unwrap()
}

/// The least total distance of a k:1 matching, by enumeration (every treated unit gets
/// `ratio` distinct controls, no control twice).
fn brute_force(score: &[f64], treat: &[bool], ratio: usize) -> f64 {
    let t: Vec<usize> = (0..treat.len()).filter(|&u| treat[u]).collect();
    let c: Vec<usize> = (0..treat.len()).filter(|&u| !treat[u]).collect();
    let slots: Vec<usize> = t.iter().flat_map(|&u| std::iter::repeat_n(u, ratio)).collect();
    fn go(k: usize, slots: &[usize], c: &[usize], used: &mut Vec<bool>, s: &[f64], best: &mut f64, acc: f64, last: &mut Vec<usize>) {
        if acc >= *best {
            return;
        }
        if k == slots.len() {
            *best = acc;
            return;
        }
        for j in 0..c.len() {
            // The slots of one treated unit take controls in increasing order (no duplicates).
            if used[j] || (k > 0 && slots[k - 1] == slots[k] && j <= last[k - 1]) {
                continue;
            }
            used[j] = true;
            last[k] = j;
            go(k + 1, slots, c, used, s, best, acc + (s[slots[k]] - s[c[j]]).abs(), last);
            used[j] = false;
        }
    }
    let mut best = f64::INFINITY;
    go(0, &slots, &c, &mut vec![false; c.len()], score, &mut best, 0.0, &mut vec![0; slots.len()]);
    best
}

#[test]
fn optimal_beats_greedy_where_greedy_is_myopic() {
    // Greedy (largest first) gives 0.9 the control at 0.8, leaving 0.79 with 0.1.
    let treat = [true, true, false, false];
    let s = [0.9, 0.79, 0.8, 0.1];
    let m = solve_optimal(&s, &treat, 1, Scale::Exact);
    assert!((m.total_distance - brute_force(&s, &treat, 1)).abs() < 1e-12);
    assert_eq!(m.pairs.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(), vec![(0, 3), (1, 2)]);
}

#[test]
fn r_quantiles_and_subclass_weights() {
    assert_eq!(quantile7(&[1.0, 2.0, 3.0, 4.0], &[0.0, 0.5, 1.0]), vec![1.0, 2.5, 4.0]);
    let sub = [Some(0), Some(0), Some(0), Some(1), Some(1), None];
    let treat = [true, false, false, true, false, false];
    let w = subclass_weights(&sub, &treat, Estimand::Att).unwrap();
    // Controls: 1/2, 1/2, 1 before rescaling to sum to 3.
    assert_eq!(w, vec![1.0, 0.75, 0.75, 1.0, 1.5, 0.0]);
}

#[test]
fn subclassification_fills_empty_classes_and_rejects_too_many() {
    let s: Vec<f64> = (0..20).map(|i| i as f64 / 20.0).collect();
    let treat: Vec<bool> = (0..20).map(|i| i % 3 == 0).collect();
    let (sub, cuts) = subclassify(&s, &treat, &[true; 20], 3, 1, Estimand::Att).unwrap();
    assert_eq!(cuts.len(), 4);
    for k in 0..3u32 {
        assert!((0..20).any(|u| treat[u] && sub[u] == Some(k)));
        assert!((0..20).any(|u| !treat[u] && sub[u] == Some(k)));
    }
    assert!(subclassify(&s, &treat, &[true; 20], 8, 1, Estimand::Att).is_err());
}

fn config() -> Config {
    Config { cases: 64, rng_seed: RngSeed::Fixed(14), failure_persistence: None, ..Config::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn optimal_equals_brute_force_and_never_loses_to_greedy(
        scores in proptest::collection::vec(0.0f64..1.0, 5..9),
        every in 2usize..4,
        ratio in 1usize..3,
    ) {
        let treat: Vec<bool> = (0..scores.len()).map(|i| i % every == 0).collect();
        let (nt, nc) = (treat.iter().filter(|&&t| t).count(), treat.iter().filter(|&&t| !t).count());
        prop_assume!(nt * ratio <= nc);
        let m = solve_optimal(&scores, &treat, ratio, Scale::Exact);
        prop_assert_eq!(m.pairs.len(), nt * ratio);
        let best = brute_force(&scores, &treat, ratio);
        prop_assert!((m.total_distance - best).abs() < 1e-9, "optimal {} brute force {}", m.total_distance, best);
        let input = GreedyInput { treat: &treat, exact: None, unit_id: None, ratio, replace: false, caliper: None, order: None, seed: 1 };
        let g = Greedy::new(Metric::Score(&scores), input).unwrap().finish();
        let greedy: f64 = g.rows.iter().flatten().map(|p| p.1).sum();
        prop_assert!(m.total_distance <= greedy + 1e-12);
        // optmatch's integer costs: an optimum of the integer problem, no better than exact.
        let o = solve_optimal(&scores, &treat, ratio, Scale::Optmatch { tol: 0.001 });
        prop_assert!(o.total_distance >= best - 1e-12);
    }

    #[test]
    fn full_matching_is_an_optimal_cover_within_the_limits(
        scores in proptest::collection::vec(0.01f64..1.0, 4..8),
        every in 2usize..4,
        limits in prop_oneof![Just((0.0, f64::INFINITY)), Just((1.0, 2.0)), Just((0.5, 3.0)), Just((0.0, 0.5))],
    ) {
        let treat: Vec<bool> = (0..scores.len()).map(|i| i % every == 0).collect();
        let eligible = vec![true; treat.len()];
        let sps = subproblems(&Metric::Score(&scores), &treat, &eligible, &none(), false).unwrap();
        let lim = Limits { min_controls: limits.0, max_controls: limits.1 };
        let m = full(&sps, treat.len(), lim, Scale::Exact, &mut || true).unwrap();
        let k = m.subclass.iter().flatten().map(|&s| s as usize + 1).max().unwrap_or(0);
        for s in 0..k as u32 {
            let t = (0..treat.len()).filter(|&u| treat[u] && m.subclass[u] == Some(s)).count() as f64;
            let c = (0..treat.len()).filter(|&u| !treat[u] && m.subclass[u] == Some(s)).count() as f64;
            prop_assert!(t >= 1.0 && c >= 1.0 && (t == 1.0 || c == 1.0));
            // Controls per treated unit within [min, max] (a ratio below 1 for many treated).
            prop_assert!(c / t <= limits.1 + 1e-12, "{} controls for {} treated, max {}", c, t, limits.1);
            prop_assert!(c / t >= limits.0 - 1e-12 || c / t >= 1.0 / (treat.iter().filter(|&&x| x).count() as f64), "{} controls for {} treated, min {}", c, t, limits.0);
        }
        if limits == (0.0, f64::INFINITY) {
            // Every unit is used, and no cover of the complete graph is cheaper.
            prop_assert!(m.subclass.iter().all(Option::is_some));
            let t: Vec<usize> = (0..treat.len()).filter(|&u| treat[u]).collect();
            let c: Vec<usize> = (0..treat.len()).filter(|&u| !treat[u]).collect();
            let edges: Vec<(usize, usize)> = t.iter().flat_map(|&a| c.iter().map(move |&b| (a, b))).collect();
            let mut best = f64::INFINITY;
            for mask in 1u32..(1 << edges.len()) {
                let mut cov = vec![false; treat.len()];
                let mut cost = 0.0;
                for (e, &(a, b)) in edges.iter().enumerate() {
                    if mask >> e & 1 == 1 {
                        cov[a] = true;
                        cov[b] = true;
                        cost += (scores[a] - scores[b]).abs();
                    }
                }
                if cov.iter().all(|&x| x) && cost < best {
                    best = cost;
                }
            }
            prop_assert!((m.total_distance - best).abs() < 1e-9, "full {} brute force {}", m.total_distance, best);
        }
    }
}
