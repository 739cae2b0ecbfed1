//! The candidate pairs of an optimal or full matching: which (focal, other) pairs may be
//! matched and at what distance, stratum by stratum, and how distances become the
//! integer costs of the flow network.

use super::Metric;
use crate::error::{Error, Result};

/// What restricts the candidate pairs.
pub struct Restrictions<'a> {
    /// Exact strata codes: a pair must share its code (matched stratum by stratum).
    pub exact: Option<&'a [u32]>,
    /// Antiexact codes: a pair must differ on every one of these.
    pub antiexact: Vec<&'a [u32]>,
    /// Absolute caliper on a score (`|s_t - s_c| <= caliper`): the propensity score, also
    /// when the distance is Mahalanobis (MatchIt's `mahvars`).
    pub caliper: Option<(&'a [f64], f64)>,
    /// Calipers on covariates: (values per unit, absolute width).
    pub covariate_calipers: Vec<(&'a [f64], f64)>,
}

/// Whether units `t` and `c` may be paired: they differ on every antiexact code and are
/// within every covariate caliper (MatchIt's `antiexact_okay`, `caliper_covs_okay`).
/// Shared by the greedy ([`super::nearest`]) and the optimal and full matchings.
pub fn pair_allowed(antiexact: &[&[u32]], covariate_calipers: &[(&[f64], f64)], t: usize, c: usize) -> bool {
    antiexact.iter().all(|codes| codes[t] != codes[c])
        && covariate_calipers.iter().all(|(x, w)| (x[t] - x[c]).abs() <= *w)
}

/// How distances become integer costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// optmatch's discretisation: `ceiling(0.5 + d / eps)` with
    /// `eps = max(max_d / (2^31 / 64 - 2), tol * (n_focal + n_other) / (r + c - 2))`
    /// (`r`, `c`: units with at least one candidate; `solve_reg_fm_prob` in optmatch),
    /// so the optimum of the integer problem is optmatch's. Ties among integer optima are
    /// broken by the exact distance (the finer part of a lexicographic cost).
    Optmatch { tol: f64 },
    /// The exact distances, scaled to integers at the finest resolution the network allows
    /// (about `2^-40` of the largest distance): the floating-point optimum.
    Exact,
}

/// The candidate pairs of one stratum.
pub struct Subproblem {
    /// Focal units (rows), in data order.
    pub focal: Vec<usize>,
    /// Other units (columns), in data order.
    pub other: Vec<usize>,
    /// (focal index, other index, distance), grouped by focal index.
    pub arcs: Vec<(u32, u32, f64)>,
}

impl Subproblem {
    /// Integer costs per arc (in arc order) and the cost of "must use" arcs (`-big`).
    pub fn costs(&self, scale: Scale, n_nodes: usize) -> Result<(Vec<i64>, i64)> {
        let max_d = self.arcs.iter().map(|a| a.2).fold(0.0f64, f64::max);
        let (primary, max_primary): (Vec<i64>, i64) = match scale {
            Scale::Exact => (vec![1; self.arcs.len()], 1),
            Scale::Optmatch { tol } => {
                let eps = self.epsilon(tol, max_d);
                if self.arcs.iter().all(|a| a.2.abs() < f64::EPSILON.sqrt()) {
                    (vec![1; self.arcs.len()], 1)
                } else {
                    let p: Vec<i64> = self.arcs.iter().map(|a| (0.5 + a.2 / eps).ceil() as i64).collect();
                    let m = p.iter().copied().max().unwrap_or(1);
                    (p, m)
                }
            }
        };
        // Budget: 16 * n_nodes * max_cost must stay below 2^62 (see flow.rs).
        let room = 58.0 - (n_nodes.max(2) as f64).log2() - ((max_primary + 1) as f64).log2();
        let bits = room.floor().min(40.0) as i32;
        if bits < 0 {
            return Err(Error::Computation(format!(
                "the matching problem is too large for exact integer costs ({n_nodes} nodes, {max_primary} distance levels)"
            )));
        }
        let unit = (1i64 << bits) as f64;
        let fine_scale = if max_d > 0.0 { (unit - 1.0) / max_d } else { 0.0 };
        let costs: Vec<i64> = primary
            .iter()
            .zip(&self.arcs)
            .map(|(&p, a)| p * (1i64 << bits) + (a.2 * fine_scale).round() as i64)
            .collect();
        let max_cost = (max_primary + 1) * (1i64 << bits);
        Ok((costs, 2 * n_nodes.max(2) as i64 * max_cost + 1))
    }

    /// optmatch's `epsilon` for this subproblem.
    pub fn epsilon(&self, tol: f64, max_d: f64) -> f64 {
        let (r, c) = self.feasible_counts();
        let lower = max_d / (i32::MAX as f64 / 64.0 - 2.0);
        let tolerance = tol * (self.focal.len() + self.other.len()) as f64;
        if tolerance > 0.0 && r > 1 && c > 1 {
            lower.max(tolerance / (r + c - 2) as f64)
        } else {
            lower
        }
    }

    /// Focal and other units with at least one candidate.
    pub fn feasible_counts(&self) -> (usize, usize) {
        let mut r = vec![false; self.focal.len()];
        let mut c = vec![false; self.other.len()];
        for a in &self.arcs {
            r[a.0 as usize] = true;
            c[a.1 as usize] = true;
        }
        (r.iter().filter(|&&x| x).count(), c.iter().filter(|&&x| x).count())
    }
}

fn distance(metric: &Metric, t: usize, c: usize) -> f64 {
    match metric {
        Metric::Score(s) => (s[t] - s[c]).abs(),
        Metric::Covariates { coords, dims, .. } => {
            let (a, b) = (&coords[t * dims..(t + 1) * dims], &coords[c * dims..(c + 1) * dims]);
            a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
        }
    }
}

/// Sävje's (2020) pruning as MatchIt's `preprocess_matchC`: for 1:1 matching on a
/// score, only pairs inside each control's window of the sorted units can be in some
/// optimal matching. Returns, per control (in data order among `other`), the allowed
/// focal units as a range of sorted positions.
fn savje_windows(score: &[f64], focal: &[usize], other: &[usize]) -> Vec<(usize, usize)> {
    let mut units: Vec<(usize, bool)> =
        focal.iter().map(|&u| (u, true)).chain(other.iter().map(|&u| (u, false))).collect();
    units.sort_by(|a, b| score[a.0].total_cmp(&score[b.0]).then(a.0.cmp(&b.0)));
    let n = units.len();
    let n0 = other.len();
    let (mut a, mut b) = (vec![0usize; n0], vec![0usize; n0]);
    let mut queue: Vec<usize> = Vec::with_capacity(focal.len());
    let (mut k0, mut ci) = (0usize, 0usize);
    for (i, u) in units.iter().enumerate() {
        if u.1 {
            queue.push(i);
            continue;
        }
        a[ci] = if queue.len() > k0 {
            k0 += 1;
            queue[k0 - 1]
        } else {
            i
        };
        ci += 1;
    }
    queue.clear();
    k0 = 0;
    let mut ci = n0;
    for i in (0..n).rev() {
        if units[i].1 {
            queue.push(i);
            continue;
        }
        ci -= 1;
        b[ci] = if queue.len() > k0 {
            k0 += 1;
            queue[k0 - 1]
        } else {
            i
        };
    }
    // a, b are indexed by sorted control order; map back to `other` order.
    let mut out = vec![(0, 0); n0];
    let mut ci = 0;
    let pos_in_other: std::collections::HashMap<usize, usize> =
        other.iter().enumerate().map(|(j, &u)| (u, j)).collect();
    for u in &units {
        if !u.1 {
            out[pos_in_other[&u.0]] = (a[ci], b[ci]);
            ci += 1;
        }
    }
    let _ = units;
    out
}

/// Builds the candidate pairs, one subproblem per exact stratum holding both groups.
///
/// `prune`: apply Sävje's pruning (MatchIt does for 1:1 optimal matching on a score
/// without exact strata); it leaves the optimum unchanged but changes optmatch's `eps`.
pub fn subproblems(
    metric: &Metric,
    focal: &[bool],
    eligible: &[bool],
    r: &Restrictions,
    prune: bool,
) -> Result<Vec<Subproblem>> {
    let n = focal.len();
    let n_strata = r.exact.map_or(1, |e| e.iter().map(|&c| c as usize + 1).max().unwrap_or(1));
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = vec![(Vec::new(), Vec::new()); n_strata];
    for u in 0..n {
        if !eligible[u] {
            continue;
        }
        let s = r.exact.map_or(0, |e| e[u] as usize);
        if focal[u] {
            groups[s].0.push(u);
        } else {
            groups[s].1.push(u);
        }
    }
    let allowed = |t: usize, c: usize| pair_allowed(&r.antiexact, &r.covariate_calipers, t, c);
    let mut out = Vec::new();
    for (f, o) in groups {
        if f.is_empty() || o.is_empty() {
            continue;
        }
        let mut arcs: Vec<(u32, u32, f64)> = Vec::new();
        match (metric, r.caliper) {
            (Metric::Score(s), None) if prune && n_strata == 1 => {
                // The windows are over sorted positions; list the focal units by position.
                let mut units: Vec<(usize, bool)> =
                    f.iter().map(|&u| (u, true)).chain(o.iter().map(|&u| (u, false))).collect();
                units.sort_by(|a, b| s[a.0].total_cmp(&s[b.0]).then(a.0.cmp(&b.0)));
                let fi: std::collections::HashMap<usize, u32> =
                    f.iter().enumerate().map(|(i, &u)| (u, i as u32)).collect();
                let windows = savje_windows(s, &f, &o);
                for (j, &(lo, hi)) in windows.iter().enumerate() {
                    for p in lo..=hi.min(units.len() - 1) {
                        let (u, is_f) = units[p];
                        if is_f {
                            let c = o[j];
                            let d = (s[u] - s[c]).abs();
                            if allowed(u, c) {
                                arcs.push((fi[&u], j as u32, d));
                            }
                        }
                    }
                }
                arcs.sort_by_key(|a| (a.0, a.1));
            }
            (_, Some((s, cal))) => {
                let mut sorted: Vec<u32> = (0..o.len() as u32).collect();
                sorted.sort_by(|&a, &b| s[o[a as usize]].total_cmp(&s[o[b as usize]]).then(a.cmp(&b)));
                let keys: Vec<f64> = sorted.iter().map(|&j| s[o[j as usize]]).collect();
                for (i, &t) in f.iter().enumerate() {
                    let lo = keys.partition_point(|&k| k < s[t] - cal);
                    let start = arcs.len();
                    for p in lo..keys.len() {
                        if keys[p] > s[t] + cal {
                            break;
                        }
                        let c = o[sorted[p] as usize];
                        if (s[t] - keys[p]).abs() <= cal && allowed(t, c) {
                            arcs.push((i as u32, sorted[p], distance(metric, t, c)));
                        }
                    }
                    arcs[start..].sort_by_key(|a| a.1);
                }
            }
            _ => {
                arcs.reserve(f.len() * o.len());
                for (i, &t) in f.iter().enumerate() {
                    for (j, &c) in o.iter().enumerate() {
                        let d = distance(metric, t, c);
                        if !allowed(t, c) {
                            continue;
                        }
                        arcs.push((i as u32, j as u32, d));
                    }
                }
            }
        }
        if arcs.len() > i32::MAX as usize {
            return Err(Error::Computation("more than 2^31 candidate pairs: add a caliper or exact strata".into()));
        }
        if arcs.iter().any(|a| !a.2.is_finite()) {
            return Err(Error::data("data", "distance", None, "a distance between units is not finite"));
        }
        out.push(Subproblem { focal: f, other: o, arcs });
    }
    Ok(out)
}
