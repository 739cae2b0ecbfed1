//! The closest-pair-first order (MatchIt's `m.order = "closest"`, `nn_matchC_vec_closest`).
//!
//! In each round every available treated unit finds its closest available control; the
//! (treated, control) pairs are taken in increasing distance (ties in data order). When a
//! pair's control has meanwhile been taken, its treated unit searches again, beyond the lost
//! control, and the pair moves to its new place in the queue, found and moved exactly as
//! MatchIt does (`std::lower_bound` on the partly re-sorted queue, then `std::rotate`).
//! A treated unit that finds no control leaves the matching.

use super::Greedy;
use crate::matching::sort::order_by;

/// libstdc++ `std::lower_bound` over `queue[from..]` with `less(element)`.
fn lower_bound(queue: &[usize], from: usize, less: impl Fn(usize) -> bool) -> usize {
    let (mut first, mut len) = (from, queue.len() - from);
    while len > 0 {
        let half = len / 2;
        let middle = first + half;
        if less(queue[middle]) {
            first = middle + 1;
            len = len - half - 1;
        } else {
            len = half;
        }
    }
    first
}

impl Greedy<'_> {
    pub(super) fn match_closest_first(&mut self) {
        let treated: Vec<usize> = (0..self.treat.len()).filter(|&u| self.treat[u]).collect();
        for round in 1..=self.ratio {
            self.round = round;
            let (mut t_id, mut c_id, mut dist) = (Vec::new(), Vec::new(), Vec::new());
            for &t in &treated {
                if !self.eligible[t] {
                    continue;
                }
                let ti = self.treated_index(t);
                let st = self.stratum_of(t);
                let found = self.find_for(t, round, 1, None);
                match found.first() {
                    None => {
                        if round == 1 {
                            self.reasons[ti] = Some(self.reason(st));
                        }
                        self.eligible[t] = false;
                    }
                    Some(&(c, d)) => {
                        t_id.push(t);
                        c_id.push(c);
                        dist.push(d);
                    }
                }
            }
            let mut queue = order_by(&dist, 0..dist.len());
            let mut i = 0;
            while i < queue.len() && self.pool.alive_total > 0 {
                let h = queue[i];
                let t = t_id[h];
                if !self.eligible[t] {
                    i += 1;
                    continue;
                }
                let c = c_id[h];
                let ti = self.treated_index(t);
                if self.treat[c] || !self.eligible[c] {
                    let st = self.stratum_of(t);
                    let found = self.find_for(t, round, 1, Some(c));
                    let Some(&(c_new, d_new)) = found.first() else {
                        if round == 1 {
                            self.reasons[ti] = Some(self.reason(st));
                        }
                        self.eligible[t] = false;
                        continue;
                    };
                    c_id[h] = c_new;
                    dist[h] = d_new;
                    let at = lower_bound(&queue, i, |e| dist[e] < dist[h]);
                    if at != i {
                        queue[i..at].rotate_left(1);
                    }
                    continue;
                }
                let d = dist[h];
                self.rows[ti].push((c, d));
                self.record(t, &[(c, d)]);
                i += 1;
            }
        }
    }
}
