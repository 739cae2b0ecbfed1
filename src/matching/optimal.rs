//! Optimal pair and k:1 matching (MatchIt's `method = "optimal"`, optmatch's
//! `pairmatch`/`fullmatch(min = max = mean = k)`), and the network shared with full
//! matching ([`super::full`]).
//!
//! Each exact stratum is one subproblem (as MatchIt calls optmatch once per stratum).
//! The network: source -> focal unit (capacity `k`, cost `-big`: as many pairs as
//! possible), focal -> candidate (capacity 1, cost: the scaled distance), candidate ->
//! sink (capacity 1). Its minimum-cost flow ([`super::flow`]) matches as many pairs as
//! the candidates and calipers allow (all `k` per focal unit when possible, which is
//! optmatch's problem) and among those minimises the total distance.
//!
//! With [`Scale::Optmatch`] the integer costs are optmatch's (`ceiling(0.5 + d/eps)`),
//! so the integer objective equals optmatch's optimum exactly; among the integer optima
//! the one of least exact distance is taken (optmatch's own pick among them depends on
//! its solver's pivoting and is not reproduced: its total distance can be larger by up
//! to about `n * eps`). [`Scale::Exact`] minimises the exact distance.

use super::arcs::{Scale, Subproblem};
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

/// The objective optmatch reports: its integer costs summed over the chosen arcs.
pub(crate) fn optmatch_objective(sp: &Subproblem, chosen: &[(u32, u32)], scale: Scale) -> i64 {
    let Scale::Optmatch { tol } = scale else { return 0 };
    let max_d = sp.arcs.iter().map(|a| a.2).fold(0.0f64, f64::max);
    let eps = sp.epsilon(tol, max_d);
    let d: std::collections::HashMap<(u32, u32), f64> = sp.arcs.iter().map(|a| ((a.0, a.1), a.2)).collect();
    chosen.iter().map(|k| (0.5 + d[k] / eps).ceil() as i64).sum()
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
        let chosen =
            solve_subproblem(sp, Degree { min: 0, max: ratio as i32 }, Degree { min: 0, max: 1 }, scale, check)?;
        out.objective += optmatch_objective(sp, &chosen, scale);
        let d: std::collections::HashMap<(u32, u32), f64> = sp.arcs.iter().map(|a| ((a.0, a.1), a.2)).collect();
        for &(i, j) in &chosen {
            by_focal.push((sp.focal[i as usize], sp.other[j as usize], d[&(i, j)]));
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
