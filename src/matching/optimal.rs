//! Optimal pair and k:1 matching (MatchIt's `method = "optimal"`, optmatch's
//! `pairmatch`/`fullmatch(min = max = mean = k)`), and the network shared with full
//! matching ([`super::full`]).
//!
//! Each exact stratum is one subproblem (as MatchIt calls optmatch once per stratum).
//! The network: source -> focal unit (capacity `k`, cost `-big`: as many pairs as
//! possible), focal -> candidate (capacity 1, cost: the scaled distance), candidate ->
//! sink (capacity 1). Its minimum-cost flow matches as many pairs as the candidates and
//! calipers allow (all `k` per focal unit when possible, which is optmatch's problem) and
//! among those minimises the total distance. It is solved as the equivalent sparse
//! assignment ([`super::assign`]: `k` rows per focal unit, leaving one out costs `big`).
//!
//! On a score within a caliper the candidate pairs are not stored ([`super::arcs::Window`]):
//! the assignment is solved on each focal unit's `8 k` nearest candidates, then every
//! candidate pair is checked against the duals `u`, `v` of that optimum; the pairs with
//! `u_i + v_j > c_ij` are added and the assignment solved again, until none is. The duals
//! are then feasible for the problem with all the pairs and complementary to the
//! assignment, so by LP duality it is the optimum over all the pairs, not an
//! approximation (at 10,000 treated / 100,000 controls with a caliper of 0.1 sd: 80,000
//! arcs instead of 59 million, four rounds).
//!
//! With [`Scale::Optmatch`] the integer costs are optmatch's (`ceiling(0.5 + d/eps)`),
//! so the integer objective equals optmatch's optimum exactly; among the integer optima
//! the one of least exact distance is taken (optmatch's own pick among them depends on
//! its solver's pivoting and is not reproduced: its total distance can be larger by up
//! to about `n * eps`). [`Scale::Exact`] minimises the exact distance.

use super::arcs::{CostModel, Scale, Subproblem};
use super::assign;
use super::flow::Network;
use crate::error::{Error, Result};

/// A solved optimal or full matching.
#[derive(Debug, Clone)]
pub struct Solved {
    /// Matched pairs: (focal unit, other unit, distance), grouped by focal unit in data
    /// order, then by other unit.
    pub pairs: Vec<(usize, usize, f64)>,
    /// Per unit: its subclass (0..), or `None` when unmatched.
    pub subclass: Vec<Option<u32>>,
    /// Sum of the distances of the pairs.
    pub total_distance: f64,
    /// Sum of optmatch's integer costs of the pairs (0 with [`Scale::Exact`]).
    pub objective: i64,
}

/// Capacities of one side of the network: each unit takes `min..=max` arcs.
#[derive(Debug, Clone, Copy)]
pub struct Degree {
    pub min: i32,
    pub max: i32,
}

/// Solves one subproblem: focal units take `focal` arcs, other units `other` arcs.
/// `other.min == 0` leaves unused candidates out (pair matching); `1` makes every
/// candidate count (full matching).
pub(crate) fn solve_subproblem(
    sp: &Subproblem,
    focal: Degree,
    other: Degree,
    scale: Scale,
    check: &mut dyn FnMut() -> bool,
) -> Result<Vec<(u32, u32)>> {
    let (nf, no) = (sp.focal.len(), sp.other.len());
    let n_nodes = nf + no + 2;
    let (costs, big) = sp.costs(scale, n_nodes)?;
    let (source, sink) = (0, nf + no + 1);
    let mut g = Network::new(n_nodes);
    g.reserve(sp.arcs.len() + 2 * (nf + no));
    for i in 0..nf {
        if focal.min > 0 {
            g.add_arc(source, 1 + i, focal.min, -big);
        }
        if focal.max > focal.min {
            g.add_arc(source, 1 + i, focal.max - focal.min, if focal.min > 0 { 0 } else { -big });
        }
    }
    let first = g.arc_count();
    for (a, &(i, j, _)) in sp.arcs.iter().enumerate() {
        g.add_arc(1 + i as usize, 1 + nf + j as usize, 1, costs[a]);
    }
    for j in 0..no {
        if other.min > 0 {
            g.add_arc(1 + nf + j, sink, other.min, -big);
        }
        if other.max > other.min {
            g.add_arc(1 + nf + j, sink, other.max - other.min, 0);
        }
    }
    let topo: Vec<usize> = (0..n_nodes).collect();
    if !g.solve(source, sink, &topo, check) {
        return Err(Error::Interrupted);
    }
    Ok(sp.arcs.iter().enumerate().filter(|(a, _)| g.flow(first + a) > 0).map(|(_, &(i, j, _))| (i, j)).collect())
}

/// Solves one subproblem of k:1 matching (`ratio` others per focal unit, each other used
/// once) as a sparse assignment ([`super::assign`]): each focal unit is `ratio` rows
/// sharing its arcs, a row left unmatched costs `big`, so the optimum is the network's of
/// [`solve_subproblem`] with `Degree { min: 0, max: ratio }` and `Degree { min: 0, max: 1 }`
/// (as many pairs as possible, then the least cost). Returns the pairs in arc order.
pub(crate) fn solve_pairs(
    sp: &Subproblem,
    ratio: usize,
    scale: Scale,
    check: &mut dyn FnMut() -> bool,
) -> Result<Vec<(u32, u32)>> {
    let (nf, no) = (sp.focal.len(), sp.other.len());
    let m = sp.cost_model(scale, nf + no + 2)?;
    let Some(w) = &sp.window else {
        return Ok(assigned(&solve_arcs(&sp.arcs, nf, no, ratio, &m, check)?, ratio));
    };
    // The nearest few candidates of each focal unit, then every pair the duals price
    // below its cost, until none is: the optimum over all pairs (LP duality).
    let mut arcs: Vec<(u32, u32, f64)> = Vec::new();
    for i in 0..nf {
        w.nearest(i, NEAREST * ratio, &mut arcs);
    }
    loop {
        let solved = solve_arcs(&arcs, nf, no, ratio, &m, check)?;
        let mut violated: Vec<(u32, u32, f64)> = Vec::new();
        for i in 0..nf {
            if i % 8 == 0 && !check() {
                return Err(Error::Interrupted);
            }
            let ui = (0..ratio).map(|c| solved.u[i * ratio + c]).max().expect("ratio >= 1");
            w.each(i, |j, d| {
                if ui + solved.v[j as usize] > m.cost(d) {
                    violated.push((i as u32, j, d));
                }
            });
        }
        if violated.is_empty() {
            return Ok(assigned(&solved, ratio));
        }
        arcs.extend(violated);
        arcs.sort_by_key(|a| (a.0, a.1));
        arcs.dedup_by_key(|a| (a.0, a.1));
    }
}

/// How many nearest candidates per matched slot the first solve on a window takes (one
/// in the unit tests, so that their small problems go through the dual check's rounds).
const NEAREST: usize = if cfg!(test) { 1 } else { 8 };

/// The assignment of `ratio` rows per focal unit to the others over `arcs`.
fn solve_arcs(
    arcs: &[(u32, u32, f64)],
    nf: usize,
    no: usize,
    ratio: usize,
    m: &CostModel,
    check: &mut dyn FnMut() -> bool,
) -> Result<assign::Assignment> {
    let start = row_starts(nf, arcs.iter().map(|a| a.0));
    let cols: Vec<u32> = arcs.iter().map(|a| a.1).collect();
    let costs: Vec<i64> = arcs.iter().map(|a| m.cost(a.2)).collect();
    assign::solve(nf * ratio, no, &start, &cols, &costs, |r| r / ratio, m.big, check).ok_or(Error::Interrupted)
}

/// The (focal, other) pairs of a solved assignment, sorted.
fn assigned(solved: &assign::Assignment, ratio: usize) -> Vec<(u32, u32)> {
    let mut chosen: Vec<(u32, u32)> =
        solved.col_of_row.iter().enumerate().filter_map(|(r, c)| c.map(|j| ((r / ratio) as u32, j))).collect();
    chosen.sort_unstable();
    chosen
}

/// CSR row starts of arcs grouped by row (`rows`: the row of each arc, non-decreasing).
pub(crate) fn row_starts(n_rows: usize, rows: impl Iterator<Item = u32>) -> Vec<usize> {
    let mut start = vec![0usize; n_rows + 1];
    for r in rows {
        start[r as usize + 1] += 1;
    }
    for i in 0..n_rows {
        start[i + 1] += start[i];
    }
    start
}

/// The objective optmatch reports: its integer costs summed over the chosen arcs.
pub(crate) fn optmatch_objective(sp: &Subproblem, chosen: &[(u32, u32)], scale: Scale) -> i64 {
    let Scale::Optmatch { tol } = scale else { return 0 };
    let eps = sp.epsilon(tol, sp.max_d());
    chosen.iter().map(|&(i, j)| (0.5 + sp.distance_of(i, j) / eps).ceil() as i64).sum()
}

/// Optimal k:1 matching over the subproblems; `n`: the number of units.
pub fn optimal(
    subproblems: &[Subproblem],
    n: usize,
    ratio: usize,
    scale: Scale,
    check: &mut dyn FnMut() -> bool,
) -> Result<Solved> {
    if ratio == 0 {
        return Err(Error::Spec("ratio must be at least 1".into()));
    }
    let mut out = Solved { pairs: Vec::new(), subclass: vec![None; n], total_distance: 0.0, objective: 0 };
    let mut next = 0u32;
    let mut by_focal: Vec<(usize, usize, f64)> = Vec::new();
    for sp in subproblems {
        let chosen = solve_pairs(sp, ratio, scale, check)?;
        out.objective += optmatch_objective(sp, &chosen, scale);
        for &(i, j) in &chosen {
            by_focal.push((sp.focal[i as usize], sp.other[j as usize], sp.distance_of(i, j)));
        }
    }
    by_focal.sort_by_key(|a| (a.0, a.1));
    for &(t, c, d) in &by_focal {
        if out.subclass[t].is_none() {
            out.subclass[t] = Some(next);
            next += 1;
        }
        out.subclass[c] = out.subclass[t];
        out.total_distance += d;
    }
    out.pairs = by_focal;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::arcs::{subproblems, Restrictions};
    use crate::matching::full::{full, Limits};
    use crate::matching::Metric;
    use proptest::prelude::*;

    fn none() -> Restrictions<'static> {
        Restrictions { exact: None, antiexact: Vec::new(), caliper: None, covariate_calipers: Vec::new() }
    }

    /// The least total of a 1:1 matching of every focal unit (nf <= no), by enumeration.
    fn brute_force(s: &[f64], focal: &[usize], other: &[usize]) -> f64 {
        fn go(s: &[f64], focal: &[usize], other: &[usize], used: &mut Vec<bool>, i: usize) -> f64 {
            if i == focal.len() {
                return 0.0;
            }
            let mut best = f64::INFINITY;
            for j in 0..other.len() {
                if !used[j] {
                    used[j] = true;
                    let d = (s[focal[i]] - s[other[j]]).abs() + go(s, focal, other, used, i + 1);
                    used[j] = false;
                    best = best.min(d);
                }
            }
            best
        }
        go(s, focal, other, &mut vec![false; other.len()], 0)
    }

    /// Greedy matching in data order: each focal unit takes the nearest free other.
    fn greedy(s: &[f64], focal: &[usize], other: &[usize]) -> f64 {
        let mut free = vec![true; other.len()];
        let mut total = 0.0;
        for &t in focal {
            let best = (0..other.len())
                .filter(|&j| free[j])
                .min_by(|&a, &b| (s[t] - s[other[a]]).abs().total_cmp(&(s[t] - s[other[b]]).abs()));
            if let Some(j) = best {
                free[j] = false;
                total += (s[t] - s[other[j]]).abs();
            }
        }
        total
    }

    fn problem() -> impl Strategy<Value = (Vec<f64>, Vec<bool>)> {
        (1usize..5, 0usize..4).prop_flat_map(|(nf, extra)| {
            let n = 2 * nf + extra;
            (proptest::collection::vec(0u32..1000, n), Just(nf)).prop_map(move |(v, nf)| {
                (v.iter().map(|&x| x as f64 / 997.0).collect(), (0..n).map(|i| i < nf).collect())
            })
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn optimal_is_the_brute_force_optimum_and_never_above_greedy((s, focal) in problem(), prune in any::<bool>()) {
            let n = s.len();
            let f: Vec<usize> = (0..n).filter(|&u| focal[u]).collect();
            let o: Vec<usize> = (0..n).filter(|&u| !focal[u]).collect();
            let sps = subproblems(&Metric::Score(&s), &focal, &vec![true; n], &none(), prune).unwrap();
            let m = optimal(&sps, n, 1, Scale::Exact, &mut || true).unwrap();
            prop_assert_eq!(m.pairs.len(), f.len());
            let best = brute_force(&s, &f, &o);
            prop_assert!((m.total_distance - best).abs() < 1e-9, "{} vs {}", m.total_distance, best);
            prop_assert!(m.total_distance <= greedy(&s, &f, &o) + 1e-9);
        }

        #[test]
        fn full_matching_subclasses_respect_the_limits(
            (s, focal) in problem(), lo in 0usize..3, span in 0usize..3, caliper in proptest::option::of(0.3f64..2.0),
        ) {
            let n = s.len();
            let (lo, hi) = (lo as f64, (lo + span).max(1) as f64);
            let mut r = none();
            if let Some(c) = caliper {
                r.caliper = Some((&s, c));
            }
            let sps = subproblems(&Metric::Score(&s), &focal, &vec![true; n], &r, false).unwrap();
            let limits = Limits { min_controls: lo, max_controls: hi };
            let m = full(&sps, n, limits, Scale::Exact, &mut || true).unwrap();
            let k = m.subclass.iter().flatten().map(|&c| c as usize + 1).max().unwrap_or(0);
            let (mut n1, mut n0) = (vec![0usize; k], vec![0usize; k]);
            for (u, c) in m.subclass.iter().enumerate() {
                if let Some(c) = c {
                    if focal[u] { n1[*c as usize] += 1 } else { n0[*c as usize] += 1 }
                }
            }
            for c in 0..k {
                prop_assert!(n1[c] >= 1 && n0[c] >= 1);
                prop_assert!(n1[c] == 1 || n0[c] == 1, "not a star");
                let ratio = n0[c] as f64 / n1[c] as f64;
                prop_assert!(ratio <= hi + 1e-12, "{} controls for {} treated above max {}", n0[c], n1[c], hi);
                // min_controls binds where the pool allows it (enough others for every focal unit).
                let nf = focal.iter().filter(|&&x| x).count();
                if caliper.is_none() && (lo as usize) * nf <= n - nf {
                    prop_assert!(ratio >= lo - 1e-12, "{} controls for {} treated below min {}", n0[c], n1[c], lo);
                }
            }
        }

        #[test]
        fn the_assignment_is_the_networks_optimum(
            (s, focal) in problem(), caliper in proptest::option::of(0.02f64..0.5), ratio in 1usize..4,
            tol in proptest::option::of(0.0f64..0.01),
        ) {
            let n = s.len();
            let mut r = none();
            if let Some(c) = caliper {
                r.caliper = Some((&s, c));
            }
            let scale = tol.map_or(Scale::Exact, |tol| Scale::Optmatch { tol });
            let sps = subproblems(&Metric::Score(&s), &focal, &vec![true; n], &r, false).unwrap();
            for sp in &sps {
                let all = sp.with_all_arcs();
                let (costs, _) = all.costs(scale, sp.focal.len() + sp.other.len() + 2).unwrap();
                let total = |chosen: &[(u32, u32)]| -> (usize, i64) {
                    let c = chosen.iter().map(|&(i, j)| {
                        costs[all.arcs.binary_search_by(|a| (a.0, a.1).cmp(&(i, j))).unwrap()]
                    });
                    (chosen.len(), c.sum())
                };
                let fast = solve_pairs(sp, ratio, scale, &mut || true).unwrap();
                let net = solve_subproblem(
                    &all, Degree { min: 0, max: ratio as i32 }, Degree { min: 0, max: 1 }, scale, &mut || true,
                ).unwrap();
                prop_assert_eq!(total(&fast), total(&net));
                let mut per = vec![0usize; sp.focal.len()];
                let mut used = vec![false; sp.other.len()];
                for &(i, j) in &fast {
                    per[i as usize] += 1;
                    prop_assert!(!used[j as usize]);
                    used[j as usize] = true;
                }
                prop_assert!(per.iter().all(|&k| k <= ratio));
            }
        }

        #[test]
        fn the_edge_cover_is_the_general_networks_optimum((s, focal) in problem(), caliper in proptest::option::of(0.05f64..0.5)) {
            let n = s.len();
            let mut r = none();
            if let Some(c) = caliper {
                r.caliper = Some((&s, c));
            }
            let sps = subproblems(&Metric::Score(&s), &focal, &vec![true; n], &r, false).unwrap();
            let cover = full(&sps, n, Limits::default(), Scale::Exact, &mut || true).unwrap();
            let mut general = 0.0;
            for sp in &sps {
                let fd = Degree { min: 1, max: sp.other.len() as i32 };
                let od = Degree { min: 1, max: sp.focal.len() as i32 };
                let chosen = solve_subproblem(&sp.with_all_arcs(), fd, od, Scale::Exact, &mut || true).unwrap();
                general += chosen.iter().map(|&(i, j)| sp.distance_of(i, j)).sum::<f64>();
            }
            prop_assert!((cover.total_distance - general).abs() < 1e-9, "{} vs {}", cover.total_distance, general);
        }
    }
}
