//! The controls a greedy matching may still take, by exact stratum, in walk order.

use crate::matching::kdtree::KdTree;
use crate::matching::skip::Alive;
use crate::matching::Metric;
use std::collections::HashMap;

/// The controls of one exact stratum, sorted by position.
///
/// Without exact strata and on a score, the list is every unit in walk order, the treated
/// ones removed from the start (`whole`): a slot is then its own position, and the list is
/// the sort's output itself, not a copy of a million controls and their positions.
pub(super) struct StratumControls {
    pub(super) units: Vec<usize>,
    /// For covariate distances: the controls' whitened coordinates in a k-d tree.
    pub(super) tree: Option<KdTree>,
    /// The walk position of each slot (empty when `whole`).
    pub(super) pos: Vec<usize>,
    pub(super) whole: bool,
    pub(super) alive: Alive,
    pub(super) had_any: bool,
}

impl StratumControls {
    /// The walk position of slot `j`.
    #[inline]
    pub(super) fn position(&self, j: usize) -> usize {
        if self.whole {
            j
        } else {
            self.pos[j]
        }
    }

    /// The number of slots whose position is below `position` (`or_equal`: at or below).
    pub(super) fn slots_before(&self, position: usize, or_equal: bool) -> usize {
        match (self.whole, or_equal) {
            (true, false) => position,
            (true, true) => position + 1,
            (false, false) => self.pos.partition_point(|&p| p < position),
            (false, true) => self.pos.partition_point(|&p| p <= position),
        }
    }
}

/// The available controls, by stratum.
pub(super) struct Pool {
    pub(super) strata: Vec<StratumControls>,
    pub(super) alive_total: usize,
    /// Per treated unit: the number of its stratum's controls before it in the walk
    /// order, where its first search starts (saves two binary searches over a million
    /// positions, each a string of cache misses).
    pub(super) start_slot: HashMap<usize, usize>,
    /// (unit, stratum, slot) of the candidates of the last search, so that removing a
    /// matched control needs no binary search, nor its stratum and position read from
    /// tables in data order (cache misses).
    pub(super) found_slots: Vec<(usize, u32, usize)>,
}

impl Pool {
    /// `sorted`: all units in walk order (so each stratum's controls come out sorted), `pos`
    /// the position of each unit in it.
    /// `sorted_pos[i]`: the walk position of `sorted[i]`, `i` when None (read in order, not by unit, which
    /// would miss the cache on a million units).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        treat: &[bool],
        sorted_pos: Option<&[usize]>,
        sorted: Vec<usize>,
        pos: &[usize],
        stratum: &[u32],
        n_strata: usize,
        eligible: &[bool],
        metric: &Metric,
    ) -> Pool {
        let all_eligible = eligible.iter().all(|&e| e);
        if n_strata == 1 && sorted_pos.is_none() && matches!(metric, Metric::Score(_)) {
            let mut alive = Alive::new(sorted.len());
            let mut had_any = false;
            if all_eligible {
                for (u, &t) in treat.iter().enumerate() {
                    if t {
                        alive.remove(pos[u]);
                    } else {
                        had_any = true;
                    }
                }
            } else {
                for (u, (&t, &e)) in treat.iter().zip(eligible).enumerate() {
                    had_any |= !t;
                    if t || !e {
                        alive.remove(pos[u]);
                    }
                }
            }
            let alive_total = alive.count();
            let whole = StratumControls { units: sorted, tree: None, pos: Vec::new(), whole: true, alive, had_any };
            return Pool { strata: vec![whole], alive_total, start_slot: HashMap::new(), found_slots: Vec::new() };
        }
        // Without exact strata every unit is in stratum 0 (not looked up: a read per
        // unit in walk order misses the cache).
        let stratum_of = |u: usize| {
            if n_strata == 1 {
                0
            } else {
                stratum[u] as usize
            }
        };
        let mut sizes = vec![0usize; n_strata];
        for (u, &t) in treat.iter().enumerate() {
            if !t {
                sizes[stratum_of(u)] += 1;
            }
        }
        let mut lists: Vec<(Vec<usize>, Vec<usize>)> =
            sizes.iter().map(|&k| (Vec::with_capacity(k), Vec::with_capacity(k))).collect();
        let mut start_slot = HashMap::new();
        for (i, &u) in sorted.iter().enumerate() {
            if treat[u] {
                start_slot.insert(u, lists[stratum_of(u)].0.len());
            } else {
                let p = sorted_pos.map_or(i, |sp| sp[i]);
                let l = &mut lists[stratum_of(u)];
                l.0.push(u);
                l.1.push(p);
            }
        }
        drop(sorted);
        let mut alive_total = 0;
        let strata = lists
            .into_iter()
            .map(|(units, pos)| {
                let mut alive = Alive::new(units.len());
                // (Without strata all units are eligible when any is.)
                if !all_eligible {
                    for (j, &u) in units.iter().enumerate() {
                        if !eligible[u] {
                            alive.remove(j);
                        }
                    }
                }
                let mut tree = match metric {
                    Metric::Covariates { coords, dims, .. } if !units.is_empty() => {
                        let points: Vec<f64> =
                            units.iter().flat_map(|&u| coords[u * dims..(u + 1) * dims].iter().copied()).collect();
                        Some(KdTree::new(&points, *dims))
                    }
                    _ => None,
                };
                if let Some(tree) = tree.as_mut() {
                    for (j, &u) in units.iter().enumerate() {
                        if !eligible[u] {
                            tree.remove(j);
                        }
                    }
                }
                alive_total += alive.count();
                StratumControls { had_any: !units.is_empty(), units, tree, pos, whole: false, alive }
            })
            .collect();
        Pool { strata, alive_total, start_slot, found_slots: Vec::new() }
    }

    /// Removes control `unit`: from the last search's candidates, or at the walk position
    /// of its stratum that `locate` gives, (stratum, position) (positions are distinct
    /// within a stratum, so a binary search finds its slot: no per-unit table).
    pub(super) fn remove(&mut self, unit: usize, locate: impl FnOnce() -> (u32, usize)) {
        let (stratum, j) = match self.found_slots.iter().find(|f| f.0 == unit) {
            Some(&(_, stratum, j)) => (stratum, j),
            None => {
                let (stratum, position) = locate();
                (stratum, self.strata[stratum as usize].slots_before(position, false))
            }
        };
        let s = &mut self.strata[stratum as usize];
        if s.alive.is_alive(j) {
            s.alive.remove(j);
            if let Some(tree) = s.tree.as_mut() {
                tree.remove(j);
            }
            self.alive_total -= 1;
        }
    }
}
