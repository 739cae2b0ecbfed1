//! The walk outwards from a treated unit along its stratum's sorted controls, in MatchIt's
//! event order: a candidate at offset `a` on the left is met before one at offset `b` on the
//! right exactly when `a <= b`, and removed controls are skipped without being visited.

use super::pool::StratumControls;

/// A walk outwards from a treated unit: yields (slot, is_left) in MatchIt's event order.
pub(super) struct Walk {
    left: Option<usize>,
    right: Option<usize>,
    left_origin: usize,
    right_origin: usize,
    left_stopped: bool,
    right_stopped: bool,
}

impl Walk {
    /// `start`: the slot of the first control beyond `left_origin == right_origin` when known.
    pub(super) fn new(s: &mut StratumControls, left_origin: usize, right_origin: usize, start: Option<usize>) -> Walk {
        let (kl, kr) = match start {
            Some(k) => (k, k),
            None => (s.slots_before(left_origin, false), s.slots_before(right_origin, true)),
        };
        let left = if kl > 0 { s.alive.at_or_before(kl - 1) } else { None };
        let right = s.alive.at_or_after(kr);
        Walk { left, right, left_origin, right_origin, left_stopped: false, right_stopped: false }
    }

    pub(super) fn next(&mut self, s: &mut StratumControls) -> Option<(usize, bool)> {
        loop {
            if self.left.is_none() {
                self.left_stopped = true;
            }
            if self.right.is_none() {
                self.right_stopped = true;
            }
            let go_left = match (self.left_stopped, self.right_stopped) {
                (true, true) => return None,
                (false, true) => true,
                (true, false) => false,
                (false, false) => {
                    let (l, r) = (self.left?, self.right?);
                    self.left_origin - s.position(l) <= s.position(r) - self.right_origin
                }
            };
            if go_left {
                let Some(j) = self.left else { continue };
                self.left = if j > 0 { s.alive.at_or_before(j - 1) } else { None };
                return Some((j, true));
            }
            let Some(j) = self.right else { continue };
            self.right = s.alive.at_or_after(j + 1);
            return Some((j, false));
        }
    }

    pub(super) fn stop(&mut self, left: bool) {
        if left {
            self.left_stopped = true;
        } else {
            self.right_stopped = true;
        }
    }
}
