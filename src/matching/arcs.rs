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
    /// (focal index, other index, distance), grouped by focal index, then by other index.
    /// With a [`Window`], only a sparse part of the candidate pairs (see there).
    pub arcs: Vec<(u32, u32, f64)>,
    /// All candidate pairs, when `arcs` holds only some of them.
    pub window: Option<Window>,
}

/// The candidate pairs of a one-dimensional score within a caliper, not materialised:
/// focal unit `i`'s are the others whose score is within `cal` of its own, found in the
/// sorted scores. At 10,000 focal units against 100,000 others with a caliper of 0.1
/// standard deviations these are about 60 million pairs (about 2 GB as arcs and network);
/// the solvers work on each unit's nearest few ([`Window::nearest`]) and check the rest
/// against the optimum's duals, one pass over the sorted scores ([`super::optimal`]).
pub struct Window {
    /// Score of each focal unit (by focal index).
    pub focal_score: Vec<f64>,
    /// The others' scores, sorted, and the other index at each sorted position.
    pub keys: Vec<f64>,
    pub order: Vec<u32>,
    /// Score of each other unit (by other index).
    pub other_score: Vec<f64>,
    pub cal: f64,
    /// The largest distance of a candidate pair and the focal and other units with at
    /// least one candidate (what optmatch's `eps` depends on).
    pub max_d: f64,
    pub feasible: (usize, usize),
}

impl Window {
    fn new(score: &[f64], focal: &[usize], other: &[usize], cal: f64) -> Window {
        let mut order: Vec<u32> = (0..other.len() as u32).collect();
        order.sort_by(|&a, &b| score[other[a as usize]].total_cmp(&score[other[b as usize]]).then(a.cmp(&b)));
        let keys: Vec<f64> = order.iter().map(|&j| score[other[j as usize]]).collect();
        let focal_score: Vec<f64> = focal.iter().map(|&u| score[u]).collect();
        let other_score: Vec<f64> = other.iter().map(|&u| score[u]).collect();
        let mut w = Window { focal_score, keys, order, other_score, cal, max_d: 0.0, feasible: (0, 0) };
        let mut has_o = vec![false; other.len()];
        let mut r = 0;
        for i in 0..focal.len() {
            let (lo, hi) = w.range(i);
            if lo < hi {
                r += 1;
                let si = w.focal_score[i];
                w.max_d = w.max_d.max((si - w.keys[lo]).abs()).max((w.keys[hi - 1] - si).abs());
            }
        }
        // An other unit has a candidate if the nearest focal score is within the caliper.
        let mut fs = w.focal_score.clone();
        fs.sort_by(f64::total_cmp);
        for (p, &k) in w.keys.iter().enumerate() {
            let q = fs.partition_point(|&x| x < k - cal);
            if q < fs.len() && (fs[q] - k).abs() <= cal {
                has_o[w.order[p] as usize] = true;
            }
        }
        w.feasible = (r, has_o.iter().filter(|&&x| x).count());
        w
    }

    /// The sorted positions of focal unit `i`'s candidates.
    pub fn range(&self, i: usize) -> (usize, usize) {
        let si = self.focal_score[i];
        let lo = self.keys.partition_point(|&k| k < si - self.cal);
        let mut hi = lo;
        while hi < self.keys.len() && self.keys[hi] <= si + self.cal {
            hi += 1;
        }
        // The bounds test is the materialised one's: `|s_i - s_j| <= cal`.
        let (mut a, mut b) = (lo, hi);
        while a < b && (si - self.keys[a]).abs() > self.cal {
            a += 1;
        }
        while b > a && (si - self.keys[b - 1]).abs() > self.cal {
            b -= 1;
        }
        (a, b)
    }

    /// Calls `f(other index, distance)` for every candidate of focal unit `i`.
    pub fn each(&self, i: usize, mut f: impl FnMut(u32, f64)) {
        let si = self.focal_score[i];
        let (lo, hi) = self.range(i);
        for p in lo..hi {
            f(self.order[p], (si - self.keys[p]).abs());
        }
    }

    /// Focal unit `i`'s `k` nearest candidates (ties: the lower score first), as arcs.
    pub fn nearest(&self, i: usize, k: usize, out: &mut Vec<(u32, u32, f64)>) {
        let si = self.focal_score[i];
        let (lo, hi) = self.range(i);
        let mid = self.keys[lo..hi].partition_point(|&x| x < si) + lo;
        let (mut a, mut b) = (mid, mid);
        let start = out.len();
        while out.len() - start < k && (a > lo || b < hi) {
            let take_left = b >= hi || (a > lo && (si - self.keys[a - 1]).abs() <= (self.keys[b] - si).abs());
            let p = if take_left {
                a -= 1;
                a
            } else {
                b += 1;
                b - 1
            };
            out.push((i as u32, self.order[p], (si - self.keys[p]).abs()));
        }
        out[start..].sort_by_key(|x| x.1);
    }

    /// Every candidate pair, grouped by focal index, then by other index.
    pub fn all_arcs(&self) -> Vec<(u32, u32, f64)> {
        let mut arcs = Vec::new();
        for i in 0..self.focal_score.len() {
            let start = arcs.len();
            self.each(i, |j, d| arcs.push((i as u32, j, d)));
            arcs[start..].sort_by_key(|a| a.1);
        }
        arcs
    }
}

/// How distances become integer costs in one subproblem (see [`Subproblem::costs`]).
#[derive(Debug, Clone, Copy)]
pub struct CostModel {
    /// optmatch's `eps` (`None`: exact costs); `ones`: every distance is 0 to optmatch.
    eps: Option<f64>,
    ones: bool,
    unit: i64,
    fine: f64,
    /// The cost of "must use" arcs is `-big` (and of leaving a unit out `big`).
    pub big: i64,
}

impl CostModel {
    /// The integer cost of a pair at distance `d` (non-decreasing in `d`).
    pub fn cost(&self, d: f64) -> i64 {
        match self.eps {
            Some(eps) => {
                let p = if self.ones { 1 } else { (0.5 + d / eps).ceil() as i64 };
                p * self.unit + (d * self.fine).round() as i64
            }
            None => 1 + (d * self.fine).round() as i64,
        }
    }
}

impl Subproblem {
    /// Integer costs per arc (in arc order) and the cost of "must use" arcs (`-big`).
    pub fn costs(&self, scale: Scale, n_nodes: usize) -> Result<(Vec<i64>, i64)> {
        let m = self.cost_model(scale, n_nodes)?;
        Ok((self.arcs.iter().map(|a| m.cost(a.2)).collect(), m.big))
    }

    /// The largest distance among the candidate pairs.
    pub fn max_d(&self) -> f64 {
        match &self.window {
            Some(w) => w.max_d,
            None => self.arcs.iter().map(|a| a.2).fold(0.0f64, f64::max),
        }
    }

    /// The integer costs of the candidate pairs: optmatch's `ceiling(0.5 + d / eps)` (or
    /// nothing, with [`Scale::Exact`]) times a unit, plus the exact distance in the
    /// unit's steps.
    pub fn cost_model(&self, scale: Scale, n_nodes: usize) -> Result<CostModel> {
        let max_d = self.max_d();
        let (eps, ones) = match scale {
            Scale::Exact => (None, false),
            Scale::Optmatch { tol } => (Some(self.epsilon(tol, max_d)), max_d.abs() < f64::EPSILON.sqrt()),
        };
        // Costs are non-decreasing in the distance, so the largest is the largest distance's.
        let max_primary = match eps {
            None => 0,
            Some(_) if ones => 1,
            Some(e) => (0.5 + max_d / e).ceil() as i64,
        };
        // Budget: 16 * n_nodes * max_cost must stay below 2^62 (see flow.rs).
        let room = 58.0 - (n_nodes.max(2) as f64).log2() - ((max_primary + 1) as f64).log2();
        let bits = room.floor().min(40.0) as i32;
        if bits < 1 {
            return Err(Error::Computation(format!(
                "the matching problem is too large for exact integer costs ({n_nodes} nodes, {max_primary} distance levels)"
            )));
        }
        let unit = 1i64 << bits;
        // The fine part: the exact distance in `unit - 2` steps of the largest distance.
        // With optmatch's integer cost first, it breaks its ties. Alone (exact costs), one
        // step more per arc makes every arc cost something: a full matching then never
        // uses an arc it does not need (its cover is a forest of stars), as optmatch's
        // `ceiling(0.5 + d / eps)` ensures. The integer optimum is within 1.5 steps per
        // arc of the exact one (below 1e-9 of the largest distance up to 10^3 arcs at
        // 40 bits; at most `n * 2^-bits` relative in general).
        let fine = if max_d > 0.0 { (unit - 2) as f64 / max_d } else { 0.0 };
        let max_cost = (max_primary + 1) * unit;
        Ok(CostModel { eps, ones, unit, fine, big: 2 * n_nodes.max(2) as i64 * max_cost + 1 })
    }

    /// The distance of arc `(i, j)` (arcs are sorted by focal, then other index).
    pub fn distance_of(&self, i: u32, j: u32) -> f64 {
        if let Some(w) = &self.window {
            let d = (w.focal_score[i as usize] - w.other_score[j as usize]).abs();
            return if d <= w.cal { d } else { f64::NAN };
        }
        match self.arcs.binary_search_by(|a| (a.0, a.1).cmp(&(i, j))) {
            Ok(k) => self.arcs[k].2,
            Err(_) => f64::NAN,
        }
    }

    /// The same subproblem with every candidate pair as an arc (itself without a window).
    pub fn with_all_arcs(&self) -> Subproblem {
        let arcs = self.window.as_ref().map_or_else(|| self.arcs.clone(), Window::all_arcs);
        Subproblem { focal: self.focal.clone(), other: self.other.clone(), arcs, window: None }
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
        if let Some(w) = &self.window {
            return w.feasible;
        }
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
            (Metric::Score(ms), cal)
                if r.antiexact.is_empty()
                    && r.covariate_calipers.is_empty()
                    && cal.map_or(true, |(s, _)| {
                        ms.len() == s.len() && ms.iter().zip(s).all(|(a, b)| a.to_bits() == b.to_bits())
                    }) =>
            {
                // Without a caliper, every pair (an infinite window). As below, a pair with
                // a non-finite distance is never within the caliper.
                if cal.is_none() && f.iter().chain(&o).any(|&u| !ms[u].is_finite()) {
                    return Err(Error::data("data", "distance", None, "a distance between units is not finite"));
                }
                let w = Window::new(ms, &f, &o, cal.map_or(f64::INFINITY, |c| c.1));
                out.push(Subproblem { focal: f, other: o, arcs: Vec::new(), window: Some(w) });
                continue;
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
        debug_assert!(arcs.windows(2).all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1)), "arcs sorted by (focal, other)");
        out.push(Subproblem { focal: f, other: o, arcs, window: None });
    }
    Ok(out)
}
