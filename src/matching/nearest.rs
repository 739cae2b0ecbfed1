//! Greedy nearest-neighbour matching, replaying MatchIt 4.7's `nn_matchC_*` exactly.
//!
//! Treated units are taken one at a time in the matching order; each gets the closest
//! still-available controls. The C++ of MatchIt sorts all units by the distance (for a
//! propensity score) or by the first whitened covariate (for Mahalanobis) and walks
//! outwards from the treated unit's position, alternating left and right one position
//! at a time. That walk decides ties, so it is reproduced here by its *event order*: a
//! candidate at offset `a` on the left is met before one at offset `b` on the right
//! exactly when `a <= b`. For a score, removed controls are skipped with `Alive`
//! instead of being visited, and the controls of each exact stratum sit in their own
//! sorted list, so the walk never touches a control it could not take. For covariates,
//! a k-d tree with removals (`KdTree`) finds every available control at the smallest
//! distance, and MatchIt's event order picks among them.
//!
//! Rules replayed (see MatchIt `src/internal.cpp`, `find_control_vec`, `find_control_mahcovs`):
//! - one-dimensional distance: up to `k` candidates are collected on each side; a side
//!   stops at the caliper, at its `k`-th candidate, or at a candidate farther than `k`
//!   already found; the `k` closest are kept (`keep_closest`, replaying libstdc++);
//! - covariates: the `k` closest controls; among equal distances (equal to a relative
//!   1e-10, the rounding noise of the whitening) the candidate MatchIt's walk meets
//!   *last* wins (MatchIt replaces on `<=`);
//! - without replacement and `k > 1`, matching runs in rounds: every treated unit gets its
//!   first control before any gets its second, and the second search starts beyond the
//!   first match;
//! - with replacement, controls are never removed and the order is the data order.

use super::select::keep_closest;
use super::{Matching, Metric, Order, Unmatched};
use crate::error::{Error, Result};
use rand::seq::SliceRandom;
use std::collections::HashMap;

mod closest;
mod pool;
mod walk;

use pool::{Pool, StratumControls};
use walk::Walk;

/// Relative difference below which two squared covariate distances count as a tie: the
/// rounding of the whitening differs between implementations, and MatchIt resolves
/// mathematically equal distances (mirror-image controls) by its walk order.
const TIE: f64 = 1e-10;

/// Stratum codes as given when they are below the number of units (as `0..k` codes
/// are); otherwise renumbered `0..k` in their sorted order, so that a sparse code
/// such as `u32::MAX` never sizes a table.
fn dense_codes(codes: &[u32]) -> (Vec<u32>, usize) {
    let max = codes.iter().copied().max().map_or(0, |m| m as usize);
    if max < codes.len().max(1) {
        return (codes.to_vec(), max + 1);
    }
    let mut distinct = codes.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let dense = codes.iter().map(|c| distinct.partition_point(|d| d < c) as u32).collect();
    (dense, distinct.len().max(1))
}

/// Finds up to `ratio` controls for treated unit `t` (`row`: its earlier matches).
/// `prev_start`: a control the search must start beyond (MatchIt's `prev_start`, used
/// when the closest-first order re-matches a unit whose control was taken).
#[allow(clippy::too_many_arguments)]
fn find(
    metric: &Metric,
    constraints: &Constraints,
    caliper: f64,
    pool: &mut Pool,
    pos: &[usize],
    stratum: u32,
    t: usize,
    round: usize,
    row: &[(usize, f64)],
    ratio: usize,
    prev_start: Option<usize>,
) -> Vec<(usize, f64)> {
    pool.found_slots.clear();
    let found_slots = &mut pool.found_slots;
    let s = &mut pool.strata[stratum as usize];
    let ii = pos[t];
    let start = if s.whole { Some(ii) } else { pool.start_slot.get(&t).copied() };
    match metric {
        Metric::Score(distance) => {
            let di = distance[t];
            let (mut lo, mut hi, mut min_dist) = (ii, ii, 0.0f64);
            let earlier = if round > 1 { row } else { &[] };
            if !earlier.is_empty() || prev_start.is_some() {
                // MatchIt starts a later round's search beyond this unit's earlier matches.
                let (mut lo_d, mut hi_d) = (di, di);
                for u in earlier.iter().map(|m| m.0).chain(prev_start) {
                    if pos[u] < lo {
                        lo = pos[u];
                        lo_d = distance[u];
                    }
                    if pos[u] > hi {
                        hi = pos[u];
                        hi_d = distance[u];
                    }
                }
                min_dist = if lo == ii {
                    (di - hi_d).abs()
                } else if hi == ii {
                    (di - lo_d).abs()
                } else {
                    (di - lo_d).abs().max((di - hi_d).abs())
                };
            }
            let mut walk = Walk::new(s, lo, hi, if lo == ii && hi == ii { start } else { None });
            let mut cands: Vec<(usize, f64)> = Vec::with_capacity(2 * ratio);
            let (mut n_left, mut n_right) = (0, 0);
            while let Some((j, left)) = walk.next(s) {
                let u = s.units[j];
                if round > 1 && row.iter().any(|m| m.0 == u) {
                    continue;
                }
                let d = (di - distance[u]).abs();
                if d > caliper {
                    walk.stop(left);
                    continue;
                }
                if d < min_dist {
                    continue;
                }
                if cands.len() >= ratio && cands.iter().filter(|c| c.1 < d).count() >= ratio {
                    walk.stop(left);
                    continue;
                }
                // MatchIt checks antiexact and the covariate calipers last: a pair they
                // forbid is skipped, the walk goes on.
                if !constraints.allowed(t, u) {
                    continue;
                }
                cands.push((u, d));
                found_slots.push((u, stratum, j));
                let n = if left { &mut n_left } else { &mut n_right };
                *n += 1;
                if *n == ratio {
                    walk.stop(left);
                }
            }
            keep_closest(cands, ratio)
        }
        Metric::Covariates { coords, dims, sort_key } if !constraints.unrestricted() => {
            walk_covariates(constraints, coords, *dims, sort_key, s, ii, t, round, row, ratio)
        }
        Metric::Covariates { coords, dims, .. } => {
            let q = *dims;
            let Some(tree) = s.tree.as_ref() else {
                return Vec::new();
            };
            let extra = if round > 1 { row.len() } else { 0 };
            let found = tree.nearest(&coords[t * q..(t + 1) * q], ratio + extra, 4.0 * TIE);
            // (unit, squared distance, MatchIt's walk event: offset from the treated
            // unit's position, right after left at equal offsets).
            let mut cands: Vec<(usize, f64, (usize, bool))> = found
                .into_iter()
                .map(|(slot, d)| (s.units[slot], d, (s.position(slot).abs_diff(ii), s.position(slot) > ii)))
                .filter(|c| !(round > 1 && row.iter().any(|m| m.0 == c.0)) && c.1.is_finite())
                .collect();
            cands.sort_by(|a, b| a.1.total_cmp(&b.1));
            // MatchIt keeps, among equal distances, the control its walk meets last.
            let mut i = 0;
            while i < cands.len() {
                let limit = cands[i].1 + TIE * cands[i].1.abs();
                let mut j = i + 1;
                while j < cands.len() && cands[j].1 <= limit {
                    j += 1;
                }
                cands[i..j].sort_by_key(|c| std::cmp::Reverse(c.2));
                i = j;
            }
            cands.into_iter().take(ratio).map(|(u, d, _)| (u, d.sqrt())).collect()
        }
    }
}

/// MatchIt's `find_control_mahcovs`: a walk outwards along the sort key (the first whitened
/// covariate), skipping pairs the constraints forbid, stopping a side when the key alone
/// puts its next candidate beyond the `ratio`-th closest found; among equal distances
/// (to [`TIE`]) the candidate met last comes first, as MatchIt's `<=` replacement and
/// `lower_bound` insertion give.
#[allow(clippy::too_many_arguments)]
fn walk_covariates(
    constraints: &Constraints,
    coords: &[f64],
    q: usize,
    key: &[f64],
    s: &mut StratumControls,
    ii: usize,
    t: usize,
    round: usize,
    row: &[(usize, f64)],
    ratio: usize,
) -> Vec<(usize, f64)> {
    let mut walk = Walk::new(s, ii, ii, None);
    let mut found: Vec<(usize, f64)> = Vec::with_capacity(ratio + 1);
    let x = &coords[t * q..(t + 1) * q];
    let gt = |a: f64, b: f64| a > b + TIE * b.abs();
    while let Some((j, left)) = walk.next(s) {
        let u = s.units[j];
        if round > 1 && row.iter().any(|m| m.0 == u) {
            continue;
        }
        let mv = key[t] - key[u];
        if found.len() == ratio && found.last().is_some_and(|b| gt(mv * mv, b.1)) {
            walk.stop(left);
            continue;
        }
        if !constraints.allowed(t, u) {
            continue;
        }
        let d: f64 = x.iter().zip(&coords[u * q..(u + 1) * q]).map(|(a, b)| (a - b) * (a - b)).sum();
        if !d.is_finite() {
            continue;
        }
        match found.last() {
            None => found.push((u, d)),
            Some(b) if gt(d, b.1) => {
                if found.len() < ratio {
                    found.push((u, d));
                }
            }
            _ if ratio == 1 => found[0] = (u, d),
            _ => {
                if found.len() == ratio {
                    found.pop();
                }
                let at = found.partition_point(|f| gt(d, f.1));
                found.insert(at, (u, d));
            }
        }
    }
    found.into_iter().map(|(u, d)| (u, d.sqrt())).collect()
}

/// The state of a greedy matching, advanced in chunks so that callers can check for
/// interruption between them.
pub struct Greedy<'a> {
    metric: Metric<'a>,
    constraints: Constraints<'a>,
    treat: &'a [bool],
    /// Each unit's exact stratum; empty when there is one (never read then: see `stratum_of`).
    stratum: Vec<u32>,
    caliper: f64,
    ratio: usize,
    rounds: bool,
    pos: Vec<usize>,
    pool: Pool,
    order: Vec<usize>,
    /// The treated units in data order.
    treated: Vec<usize>,
    eligible: Vec<bool>,
    /// Uses per unit, when a unit may be used more than once (empty otherwise: see `use_once`).
    times_matched: Vec<u32>,
    /// How often a control may be used (a treated unit: `ratio` times).
    reuse_max: u32,
    rows: Vec<Vec<(usize, f64)>>,
    reasons: Vec<Option<Unmatched>>,
    units_by_id: Option<(Vec<u32>, HashMap<u32, Vec<usize>>)>,
    round: usize,
    cursor: usize,
    order_used: Order,
}

/// What a greedy matching needs besides the metric.
pub struct GreedyInput<'a> {
    pub treat: &'a [bool],
    /// Exact strata codes (0.. per unit) or `None`.
    pub exact: Option<&'a [u32]>,
    /// The person behind each unit; a person's units leave the pool together.
    pub unit_id: Option<&'a [u32]>,
    pub ratio: usize,
    pub replace: bool,
    /// Absolute caliper on the one-dimensional distance.
    pub caliper: Option<f64>,
    /// `None`: MatchIt's default (largest for a score, data order otherwise).
    pub order: Option<Order>,
    pub seed: u64,
    /// Common support, antiexact, covariate calipers, a score caliper for covariate
    /// distances (MatchIt's `mahvars`) and the key of the matching order.
    pub constraints: Constraints<'a>,
}

/// What MatchIt's `discard`, `antiexact`, named `caliper` entries and `mahvars` add to a
/// greedy matching. The pair restrictions are those of [`super::arcs::Restrictions`]
/// (the same representation; [`super::arcs::pair_allowed`] decides them for both).
#[derive(Default, Clone)]
pub struct Constraints<'a> {
    /// Units outside the common support (MatchIt's `discarded`): never matched, but kept
    /// in the walk order (so that ties resolve as MatchIt's).
    pub discarded: Option<&'a [bool]>,
    /// Antiexact codes: a pair must differ on every one of these.
    pub antiexact: Vec<&'a [u32]>,
    /// Calipers on covariates: (values per unit, absolute width); a pair must be within each.
    pub covariate_calipers: Vec<(&'a [f64], f64)>,
    /// With a covariate metric: an absolute caliper on this score (MatchIt's `mahvars`
    /// within a propensity-score caliper).
    pub score_caliper: Option<(&'a [f64], f64)>,
    /// With a covariate metric: the score whose order `largest`/`smallest` follow (the
    /// propensity score under `mahvars`); the covariate metric's default order is then
    /// `largest`, as MatchIt's.
    pub order_key: Option<&'a [f64]>,
}

impl Constraints<'_> {
    /// Whether the pair restrictions are empty (the k-d tree can answer without them).
    fn unrestricted(&self) -> bool {
        self.antiexact.is_empty() && self.covariate_calipers.is_empty() && self.score_caliper.is_none()
    }

    fn allowed(&self, t: usize, c: usize) -> bool {
        super::arcs::pair_allowed(&self.antiexact, &self.covariate_calipers, t, c)
            && self.score_caliper.map_or(true, |(s, w)| (s[t] - s[c]).abs() <= w)
    }
}

impl<'a> Greedy<'a> {
    /// Prepares a matching.
    ///
    /// # Errors
    ///
    /// [`Error::Spec`] for a ratio of 0, an order that needs a score without one, or a
    /// negative caliper; [`Error::Data`] for a missing distance.
    pub fn new(metric: Metric<'a>, input: GreedyInput<'a>) -> Result<Greedy<'a>> {
        let treat = input.treat;
        let n = treat.len();
        crate::limits::check("ratio", input.ratio, crate::limits::MAX_RATIO)?;
        for (name, len) in
            [("exact strata", input.exact.map(<[u32]>::len)), ("unit ids", input.unit_id.map(<[u32]>::len))]
        {
            if let Some(len) = len {
                if len != n {
                    return Err(Error::Spec(format!("{len} {name} for {n} units")));
                }
            }
        }
        if let Metric::Covariates { coords, dims, .. } = &metric {
            if *dims == 0 || dims.checked_mul(n) != Some(coords.len()) {
                return Err(Error::Spec(format!("{} coordinates for {n} units of {dims} dimensions", coords.len())));
            }
        }
        // Slots of the result: treated units x controls each (at most the controls there are).
        let n_controls = treat.iter().filter(|&&t| !t).count();
        crate::limits::check_values(
            "matching: treated units x ratio",
            n - n_controls,
            input.ratio.min(n_controls.max(1)),
        )?;
        let key: &[f64] = match &metric {
            Metric::Score(d) => d,
            Metric::Covariates { sort_key, .. } => sort_key,
        };
        if key.len() != n {
            return Err(Error::Spec(format!("{} distances for {n} units", key.len())));
        }
        if let Some(row) = crate::error::first_not_finite(key) {
            return Err(Error::data("data", "distance", Some(row), crate::error::not_finite(key[row])));
        }
        if let Some(c) = input.caliper {
            if !(c >= 0.0) {
                return Err(Error::Spec(format!("the caliper must be a non-negative number, got {c}")));
            }
        }
        let is_score = matches!(metric, Metric::Score(_));
        let c = &input.constraints;
        for (name, len) in [
            ("discarded flags", c.discarded.map(<[bool]>::len)),
            ("order keys", c.order_key.map(<[f64]>::len)),
            ("caliper scores", c.score_caliper.map(|s| s.0.len())),
        ]
        .into_iter()
        .chain(c.antiexact.iter().map(|a| ("antiexact codes", Some(a.len()))))
        .chain(c.covariate_calipers.iter().map(|a| ("caliper covariate values", Some(a.0.len()))))
        {
            if let Some(len) = len {
                if len != n {
                    return Err(Error::Spec(format!("{len} {name} for {n} units")));
                }
            }
        }
        for (x, w) in c.covariate_calipers.iter().copied().chain(c.score_caliper) {
            if !(w >= 0.0) {
                return Err(Error::Spec(format!("a caliper must be a non-negative number, got {w}")));
            }
            if let Some(row) = x.iter().position(|v| !v.is_finite()) {
                return Err(Error::data("data", "caliper covariate", Some(row), crate::error::not_finite(x[row])));
            }
        }
        if c.score_caliper.is_some() && is_score {
            return Err(Error::Spec("a score caliper for a covariate metric was given with a score metric".into()));
        }
        // The key of the matching order: the score, or the one given for a covariate metric.
        let order_key: Option<&[f64]> = if is_score { Some(key) } else { c.order_key };
        let (stratum, n_strata) = match input.exact {
            Some(codes) => dense_codes(codes),
            None => (Vec::new(), 1),
        };
        // Exact strata without both groups: their units are discarded, as in MatchIt.
        let mut eligible: Vec<bool> = if n_strata == 1 {
            let both = treat.contains(&true) && treat.contains(&false);
            vec![both; n]
        } else {
            let mut has = vec![(false, false); n_strata];
            for u in 0..n {
                let h = &mut has[stratum[u] as usize];
                if treat[u] {
                    h.0 = true
                } else {
                    h.1 = true
                }
            }
            (0..n)
                .map(|u| {
                    let h = has[stratum[u] as usize];
                    h.0 && h.1
                })
                .collect()
        };
        if let Some(d) = input.constraints.discarded {
            for (e, &dropped) in eligible.iter_mut().zip(d) {
                *e &= !dropped;
            }
        }
        // Positions: over all units, or within each stratum when MatchIt matches strata apart.
        let per_stratum = !is_score && input.exact.is_some() && input.unit_id.is_none();
        let (sorted, mut pos) = super::sort::order_and_positions(key);
        let mut sorted_pos = Vec::with_capacity(if per_stratum { n } else { 0 });
        if per_stratum {
            let mut counters = vec![0usize; n_strata];
            for &u in &sorted {
                let c = &mut counters[stratum[u] as usize];
                pos[u] = *c;
                sorted_pos.push(*c);
                *c += 1;
            }
        }
        let treated: Vec<usize> = (0..n).filter(|&u| treat[u]).collect();
        let n1 = treated.len();
        let mut reasons = vec![None; n1];
        for (i, &u) in treated.iter().enumerate() {
            if input.constraints.discarded.is_some_and(|d| d[u]) {
                reasons[i] = Some(Unmatched::Discarded);
            } else if !eligible[u] {
                reasons[i] = Some(Unmatched::NoControlInStratum);
            }
        }
        let reuse_max: u32 = if input.replace { u32::MAX } else { 1 };
        let order_used = if input.replace {
            Order::Data
        } else {
            match input.order {
                None if order_key.is_some() => Order::Largest,
                None => Order::Data,
                Some(Order::Largest | Order::Smallest) if order_key.is_none() => {
                    return Err(Error::Spec("orders 'largest', 'smallest' and 'closest' need a propensity score or a user score; with covariate distances use 'data' or 'random'".into()))
                }
                Some(Order::Closest) if !is_score => {
                    return Err(Error::Spec("order 'closest' needs a propensity score or a user score; with covariate distances use 'data', 'random', 'largest' or 'smallest' (the last two with mahvars)".into()))
                }
                Some(o) => o,
            }
        };
        let okey = order_key.unwrap_or(key);
        let order = match order_used {
            Order::Largest => {
                let mut o = treated.clone();
                o.sort_by(|&a, &b| okey[b].total_cmp(&okey[a]).then(a.cmp(&b)));
                o
            }
            Order::Smallest => super::sort::order_by(okey, treated.iter().copied()),
            Order::Data => treated.clone(),
            Order::Closest => treated.clone(),
            Order::Random => {
                let mut o: Vec<usize> = treated.iter().copied().filter(|&u| eligible[u]).collect();
                o.shuffle(&mut crate::rng::stream(input.seed, 0));
                o
            }
        };
        let units_by_id = input.unit_id.map(|ids| {
            let mut map: HashMap<u32, Vec<usize>> = HashMap::new();
            for (u, &id) in ids.iter().enumerate() {
                map.entry(id).or_default().push(u);
            }
            (ids.to_vec(), map)
        });
        let rounds = reuse_max < n1 as u32 || units_by_id.is_some() || order_used == Order::Closest;
        let pool = Pool::new(
            treat,
            per_stratum.then_some(&sorted_pos[..]),
            sorted,
            &pos,
            &stratum,
            n_strata,
            &eligible,
            &metric,
        );
        Ok(Greedy {
            metric,
            constraints: input.constraints,
            treat,
            stratum,
            caliper: input.caliper.unwrap_or(f64::INFINITY),
            ratio: input.ratio,
            rounds,
            pos,
            pool,
            order,
            treated,
            eligible,
            times_matched: if reuse_max > 1 || input.ratio > 1 { vec![0; n] } else { Vec::new() },
            reuse_max,
            rows: vec![Vec::new(); n1],
            reasons,
            units_by_id,
            round: 1,
            cursor: 0,
            order_used,
        })
    }

    /// The number of steps in all (treated units times rounds).
    pub fn total_steps(&self) -> usize {
        self.order.len() * if self.rounds { self.ratio } else { 1 }
    }

    /// Matches up to `budget` more treated units; returns `true` when finished.
    pub fn advance(&mut self, budget: usize) -> bool {
        if self.order_used == Order::Closest {
            if self.round == 1 {
                self.match_closest_first();
                self.round = self.ratio + 1;
            }
            return true;
        }
        let last_round = if self.rounds { self.ratio } else { 1 };
        let mut done = 0;
        while self.round <= last_round {
            while self.cursor < self.order.len() {
                if done == budget {
                    return false;
                }
                done += 1;
                if self.rounds && self.pool.alive_total == 0 {
                    self.cursor = self.order.len();
                    break;
                }
                let t = self.order[self.cursor];
                self.cursor += 1;
                self.step(t);
            }
            self.round += 1;
            self.cursor = 0;
        }
        true
    }

    /// The index of treated unit `t` among the treated.
    fn treated_index(&self, t: usize) -> usize {
        self.treated.binary_search(&t).unwrap_or(usize::MAX)
    }

    /// The `k` closest available controls of treated unit `t` in round `round`
    /// (after `skip`, a control found unavailable), from its stratum's walk.
    fn find_for(&mut self, t: usize, round: usize, k: usize, skip: Option<usize>) -> Vec<(usize, f64)> {
        let ti = self.treated_index(t);
        let stratum = self.stratum_of(t);
        find(
            &self.metric,
            &self.constraints,
            self.caliper,
            &mut self.pool,
            &self.pos,
            stratum,
            t,
            round,
            &self.rows[ti],
            k,
            skip,
        )
    }

    fn step(&mut self, t: usize) {
        if !self.eligible[t] {
            return;
        }
        let ti = self.treated_index(t);
        let ratio = if self.rounds { 1 } else { self.ratio };
        let st = self.stratum_of(t);
        let found = self.find_for(t, self.round, ratio, None);
        if found.is_empty() {
            if self.round == 1 {
                self.reasons[ti] = Some(self.reason(st));
                if self.rounds {
                    self.eligible[t] = false;
                }
            }
            return;
        }
        self.rows[ti].extend_from_slice(&found);
        if self.rounds {
            self.record(t, &found);
        }
    }

    /// The stratum of unit `u` (not read from its table when there is one stratum: a
    /// cache miss less per treated unit).
    fn stratum_of(&self, u: usize) -> u32 {
        if self.pool.strata.len() == 1 {
            0
        } else {
            self.stratum[u]
        }
    }

    /// Why a treated unit of stratum `st` found no control.
    fn reason(&self, st: u32) -> Unmatched {
        let s = &self.pool.strata[st as usize];
        if !s.had_any {
            Unmatched::NoControlInStratum
        } else if s.alive.count() == 0 {
            Unmatched::NoControlLeft
        } else {
            Unmatched::NoControlWithinCaliper
        }
    }

    /// Counts a use of `t` and its controls (and of every unit of the same person); a
    /// unit used as often as allowed leaves the pool.
    fn record(&mut self, t: usize, found: &[(usize, f64)]) {
        let used = found.iter().map(|f| f.0).chain(std::iter::once(t));
        match &self.units_by_id {
            Some((ids, map)) => {
                let all: Vec<usize> = used.flat_map(|u| map[&ids[u]].iter().copied()).collect();
                for u in all {
                    self.use_once(u);
                }
            }
            None => {
                for u in used {
                    self.use_once(u);
                }
            }
        }
    }

    /// Counts a use of unit `u`; one used as often as allowed leaves the pool.
    fn use_once(&mut self, u: usize) {
        if !self.eligible[u] {
            return;
        }
        let allowed = if self.treat[u] { self.ratio as u32 } else { self.reuse_max };
        // (A unit used at most once needs no count: a read less in a table in data order.)
        let used_up = allowed == 1 || {
            self.times_matched[u] += 1;
            self.times_matched[u] >= allowed
        };
        if used_up {
            self.eligible[u] = false;
            if !self.treat[u] {
                let (stratum, pos, single) = (&self.stratum, &self.pos, self.pool.strata.len() == 1);
                self.pool.remove(u, || (if single { 0 } else { stratum[u] }, pos[u]));
            }
        }
    }

    /// The finished matching with MatchIt's weights.
    pub fn finish(mut self) -> Matching {
        self.advance(usize::MAX);
        let treated = std::mem::take(&mut self.treated);
        let mut reasons = self.reasons;
        for (i, row) in self.rows.iter().enumerate() {
            if row.is_empty() && reasons[i].is_none() {
                reasons[i] = Some(Unmatched::NoControlLeft);
            }
            if !row.is_empty() {
                reasons[i] = None;
            }
        }
        let weights = super::att_weights(self.treat, &treated, &self.rows);
        Matching { treated, rows: self.rows, unmatched: reasons, weights, order_used: self.order_used }
    }
}
