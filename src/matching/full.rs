//! Full matching (MatchIt's `method = "full"`, optmatch's `fullmatch` with MatchIt's
//! defaults `min.controls = 0`, `max.controls = Inf`, `tol = 0.001`), as a minimum-cost
//! flow.
//!
//! A full matching splits the units into subclasses, each one focal unit with one or
//! more others or one other with one or more focal units, using every unit that has a
//! candidate, so that the sum of the within-subclass distances (between each unit and
//! the one it is joined to) is least. This is a minimum-cost edge cover of the candidate
//! graph with degree limits, the flow network of optmatch's `fmatch`: every focal unit
//! takes between `mnc` and `mxc` others, every other unit one focal unit, or up to `mxr`
//! when it heads a subclass of several focal units, where
//!
//! - `maxc = min(max.controls, n_other)`, `minc = max(min.controls, 1 / n_focal)`;
//! - `mxc = ceiling(maxc)`, `mnc = max(1, floor(minc))`, `mxr = ceiling(1 / minc)`
//!   (1 when `mnc > 1`);
//! - when `max.controls <= 1/2` optmatch flips the problem (others become rows) with
//!   `maxc = min(1 / min.controls, n_focal)`, `minc = max(1 / max.controls, 1 / n_other)`.
//!
//! Costs are positive (`ceiling(0.5 + d/eps) >= 1`, or `1 + ...` with exact costs), so
//! every optimal cover is a forest of stars; the subclasses are its connected components,
//! numbered in the data order of their first unit. Without limits the cover is found
//! from a small matching network ([`edge_cover`]). optmatch's `omit.fraction` and
//! `mean.controls` are not offered.

use super::arcs::{Scale, Subproblem, Window};
use super::assign;
use super::optimal::{optmatch_objective, row_starts, solve_subproblem, Degree, Solved};
use crate::error::{Error, Result};

/// A minimum-cost edge cover of the candidate graph: full matching without limits
/// (MatchIt's defaults), in a small network.
///
/// With every focal unit free to take any number of others and every other unit
/// free to join any number of focal units, full matching is a minimum-cost edge cover
/// (every unit with a candidate on one arc at least). A classical reduction (Gallai;
/// Schrijver, *Combinatorial Optimization*, 19.3) gives it from a matching: with
/// `m(v)` the cost of the cheapest arc at `v` and reduced costs
/// `w'(u, v) = w(u, v) - m(u) - m(v)`, the least cover is a minimum-cost matching `M` on
/// the arcs with `w' < 0`, plus the cheapest arc of every unit `M` leaves uncovered;
/// its cost is `sum_v m(v) + sum_M w'`. Only arcs shorter than the two units' nearest
/// candidates together take part, so on a score the matching network is a thin band
/// around the diagonal (4.3 million of the 59 million pairs at 10,000 / 100,000 with a
/// caliper of 0.1 sd; on a [`Window`] they are found without storing the others), where
/// the general network (every unit forced onto the flow) needs one augmentation per
/// control over the whole candidate graph. The matching is a sparse assignment
/// ([`super::assign`], leaving a unit out costs 0). The integer costs
/// are the same as the general network's, so the optimum is the same (ties aside).
fn edge_cover(sp: &Subproblem, scale: Scale, check: &mut dyn FnMut() -> bool) -> Result<Vec<(u32, u32)>> {
    match &sp.window {
        None => edge_cover_on(sp, &sp.arcs, scale, check),
        Some(w) => edge_cover_on(sp, &cover_arcs(sp, w, scale, check)?, scale, check),
    }
}

/// On a window of candidates, the only pairs the edge cover looks at: each unit's
/// cheapest pair and the pairs cheaper than their two units' cheapest together, found in
/// two passes over the candidates without keeping them.
fn cover_arcs(
    sp: &Subproblem,
    w: &Window,
    scale: Scale,
    check: &mut dyn FnMut() -> bool,
) -> Result<Vec<(u32, u32, f64)>> {
    let (nf, no) = (sp.focal.len(), sp.other.len());
    let m = sp.cost_model(scale, nf + no + 2)?;
    // Cheapest pair per unit, the first in arc order (focal, then other index) among equals.
    let mut best_f: Vec<Option<(i64, u32, f64)>> = vec![None; nf];
    let mut best_o: Vec<Option<(i64, u32, f64)>> = vec![None; no];
    for i in 0..nf {
        if i % 8 == 0 && !check() {
            return Err(Error::Interrupted);
        }
        let bf = &mut best_f[i];
        w.each(i, |j, d| {
            let c = m.cost(d);
            if bf.map_or(true, |b| c < b.0 || (c == b.0 && j < b.1)) {
                *bf = Some((c, j, d));
            }
            let bo = &mut best_o[j as usize];
            if bo.map_or(true, |b| c < b.0) {
                *bo = Some((c, i as u32, d));
            }
        });
    }
    let mut arcs: Vec<(u32, u32, f64)> = Vec::new();
    for i in 0..nf {
        if i % 8 == 0 && !check() {
            return Err(Error::Interrupted);
        }
        let Some((mf, jf, df)) = best_f[i] else { continue };
        let start = arcs.len();
        arcs.push((i as u32, jf, df));
        w.each(i, |j, d| {
            if j != jf && m.cost(d) - mf - best_o[j as usize].map_or(0, |b| b.0) < 0 {
                arcs.push((i as u32, j, d));
            }
        });
        arcs[start..].sort_by_key(|a| a.1);
    }
    for (j, b) in best_o.iter().enumerate() {
        if let Some((_, i, d)) = *b {
            arcs.push((i, j as u32, d));
        }
    }
    arcs.sort_by_key(|a| (a.0, a.1));
    arcs.dedup_by_key(|a| (a.0, a.1));
    Ok(arcs)
}

/// The edge cover over `arcs`: all of the subproblem's pairs, or those of [`cover_arcs`].
fn edge_cover_on(
    sp: &Subproblem,
    arcs: &[(u32, u32, f64)],
    scale: Scale,
    check: &mut dyn FnMut() -> bool,
) -> Result<Vec<(u32, u32)>> {
    let (nf, no) = (sp.focal.len(), sp.other.len());
    let m = sp.cost_model(scale, nf + no + 2)?;
    let costs: Vec<i64> = arcs.iter().map(|a| m.cost(a.2)).collect();
    // Cheapest arc per unit (first in arc order among equals).
    let mut best_f: Vec<Option<(i64, usize)>> = vec![None; nf];
    let mut best_o: Vec<Option<(i64, usize)>> = vec![None; no];
    for (a, &(i, j, _)) in arcs.iter().enumerate() {
        let c = costs[a];
        if best_f[i as usize].map_or(true, |b| c < b.0) {
            best_f[i as usize] = Some((c, a));
        }
        if best_o[j as usize].map_or(true, |b| c < b.0) {
            best_o[j as usize] = Some((c, a));
        }
    }
    // The matching on the arcs with w' < 0 (in arc order, so grouped by focal unit); a
    // focal unit left out costs 0.
    let mut reduced: Vec<usize> = Vec::new();
    let mut w: Vec<i64> = Vec::new();
    for (a, &(i, j, _)) in arcs.iter().enumerate() {
        let (mf, mo) = (best_f[i as usize].map_or(0, |b| b.0), best_o[j as usize].map_or(0, |b| b.0));
        if costs[a] - mf - mo < 0 {
            reduced.push(a);
            w.push(costs[a] - mf - mo);
        }
    }
    let start = row_starts(nf, reduced.iter().map(|&a| arcs[a].0));
    let cols: Vec<u32> = reduced.iter().map(|&a| arcs[a].1).collect();
    let solved = assign::solve(nf, no, &start, &cols, &w, |r| r, 0, check).ok_or(Error::Interrupted)?;
    let mut chosen = vec![false; arcs.len()];
    let (mut cov_f, mut cov_o) = (vec![false; nf], vec![false; no]);
    for (i, c) in solved.col_of_row.iter().enumerate() {
        if let Some(j) = *c {
            let k = start[i] + cols[start[i]..start[i + 1]].iter().position(|&x| x == j).expect("an arc of the row");
            chosen[reduced[k]] = true;
            cov_f[i] = true;
            cov_o[j as usize] = true;
        }
    }
    for i in 0..nf {
        if let (false, Some((_, a))) = (cov_f[i], best_f[i]) {
            chosen[a] = true;
        }
    }
    for j in 0..no {
        if let (false, Some((_, a))) = (cov_o[j], best_o[j]) {
            chosen[a] = true;
        }
    }
    Ok(arcs.iter().enumerate().filter(|(a, _)| chosen[*a]).map(|(_, &(i, j, _))| (i, j)).collect())
}

/// Limits on the number of others per focal unit (MatchIt's `min.controls`, `max.controls`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub min_controls: f64,
    pub max_controls: f64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { min_controls: 0.0, max_controls: f64::INFINITY }
    }
}

/// The degree limits of optmatch for a subproblem of `nf` focal and `no` other units, and
/// whether it is flipped.
fn degrees(limits: Limits, nf: usize, no: usize) -> (Degree, Degree, bool) {
    let flipped = !(limits.max_controls > 0.5);
    let (maxc, minc) = if !flipped {
        (limits.max_controls.min(no as f64), limits.min_controls.max(1.0 / nf as f64))
    } else {
        ((1.0 / limits.min_controls).min(nf as f64), (1.0 / limits.max_controls).max(1.0 / no as f64))
    };
    let mxc = maxc.ceil().round() as i32;
    let mnc = (minc.floor().round() as i32).max(1);
    let mxr = if mnc > 1 { 1 } else { (1.0 / minc).ceil().round() as i32 };
    (Degree { min: mnc, max: mxc.max(mnc) }, Degree { min: 1, max: mxr.max(1) }, flipped)
}

/// Checks MatchIt's and optmatch's rules for the limits.
pub fn check_limits(limits: Limits) -> Result<()> {
    let Limits { min_controls: lo, max_controls: hi } = limits;
    if !(lo >= 0.0) || lo.is_infinite() {
        return Err(Error::Spec(format!("min_controls must be a non-negative number, got {lo}")));
    }
    if !(hi > 0.0) {
        return Err(Error::Spec(format!("max_controls must be a positive number, got {hi}")));
    }
    if hi < lo {
        return Err(Error::Spec(format!("max_controls ({hi}) must not be below min_controls ({lo})")));
    }
    if lo.floor() > hi.ceil() {
        return Err(Error::Spec(format!("min_controls {lo} and max_controls {hi} admit no subclass")));
    }
    Ok(())
}

/// Full matching over the subproblems; `n`: the number of units.
pub fn full(
    subproblems: &[Subproblem],
    n: usize,
    limits: Limits,
    scale: Scale,
    check: &mut dyn FnMut() -> bool,
) -> Result<Solved> {
    check_limits(limits)?;
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    let mut out = Solved { pairs: Vec::new(), subclass: vec![None; n], total_distance: 0.0, objective: 0 };
    let mut used = vec![false; n];
    for sp in subproblems {
        let (fd, od, flipped) = degrees(limits, sp.focal.len(), sp.other.len());
        let unlimited =
            !flipped && fd.min == 1 && fd.max as usize >= sp.other.len() && od.max as usize >= sp.focal.len();
        // The general network needs every candidate pair as an arc.
        let materialised;
        let sp = if sp.window.is_some() && !unlimited {
            materialised = sp.with_all_arcs();
            &materialised
        } else {
            sp
        };
        let chosen = if unlimited {
            let c = edge_cover(sp, scale, check)?;
            out.objective += optmatch_objective(sp, &c, scale);
            c
        } else if flipped {
            let t = Subproblem {
                focal: sp.other.clone(),
                other: sp.focal.clone(),
                arcs: {
                    let mut a: Vec<(u32, u32, f64)> = sp.arcs.iter().map(|&(i, j, d)| (j, i, d)).collect();
                    a.sort_by_key(|x| (x.0, x.1));
                    a
                },
                window: None,
            };
            let c = solve_subproblem(&t, fd, od, scale, check)?;
            out.objective += optmatch_objective(&t, &c, scale);
            c.into_iter().map(|(j, i)| (i, j)).collect::<Vec<_>>()
        } else {
            let c = solve_subproblem(sp, fd, od, scale, check)?;
            out.objective += optmatch_objective(sp, &c, scale);
            c
        };
        for &(i, j) in &chosen {
            let (t, c) = (sp.focal[i as usize], sp.other[j as usize]);
            out.pairs.push((t, c, sp.distance_of(i, j)));
            used[t] = true;
            used[c] = true;
            let (a, b) = (find(&mut parent, t), find(&mut parent, c));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    out.pairs.sort_by_key(|a| (a.0, a.1));
    out.total_distance = out.pairs.iter().map(|p| p.2).sum();
    let mut label = vec![u32::MAX; n];
    let mut next = 0;
    for u in 0..n {
        if used[u] {
            let r = find(&mut parent, u);
            if label[r] == u32::MAX {
                label[r] = next;
                next += 1;
            }
            out.subclass[u] = Some(label[r]);
        }
    }
    Ok(out)
}
