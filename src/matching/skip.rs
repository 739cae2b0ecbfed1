//! The controls still available, as a sorted list with removals.
//!
//! Greedy matching without replacement removes a control once it is used. Scanning
//! outwards from a treated unit must skip the removed ones without visiting them, or
//! matching 10,000 treated units against a million controls degrades to a scan of all
//! controls per treated unit. Two union-find forests ("next alive to the left / right",
//! with path halving) make each jump amortised near-constant.

/// Alive members of a list of `n` slots; removed slots are skipped by `left`/`right`.
#[derive(Debug, Clone)]
pub(crate) struct Alive {
    /// `left[j + 1]` leads to the largest alive slot <= j (slot 0 is the "none" sentinel).
    left: Vec<u32>,
    /// `right[j]` leads to the smallest alive slot >= j (slot n is the "none" sentinel).
    right: Vec<u32>,
    count: usize,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let grand = parent[parent[x as usize] as usize];
        parent[x as usize] = grand;
        x = grand;
    }
    x
}

impl Alive {
    pub(crate) fn new(n: usize) -> Self {
        Alive { left: (0..=n as u32).collect(), right: (0..=n as u32).collect(), count: n }
    }

    /// The number of slots still alive.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    pub(crate) fn is_alive(&mut self, j: usize) -> bool {
        find(&mut self.right, j as u32) == j as u32
    }

    /// The largest alive slot at or before `j`, if any.
    pub(crate) fn at_or_before(&mut self, j: usize) -> Option<usize> {
        let root = find(&mut self.left, j as u32 + 1);
        (root > 0).then(|| root as usize - 1)
    }

    /// The smallest alive slot at or after `j`, if any.
    pub(crate) fn at_or_after(&mut self, j: usize) -> Option<usize> {
        let n = self.right.len() - 1;
        if j >= n {
            return None;
        }
        let root = find(&mut self.right, j as u32) as usize;
        (root < n).then_some(root)
    }

    /// Removes slot `j` (no effect when already removed).
    pub(crate) fn remove(&mut self, j: usize) {
        if self.is_alive(j) {
            self.left[j + 1] = j as u32;
            self.right[j] = j as u32 + 1;
            self.count -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Alive;

    #[test]
    fn skips_removed_slots() {
        let mut a = Alive::new(6);
        a.remove(2);
        a.remove(3);
        assert_eq!(a.at_or_before(3), Some(1));
        assert_eq!(a.at_or_after(2), Some(4));
        a.remove(0);
        assert_eq!(a.at_or_before(1), Some(1));
        a.remove(1);
        assert_eq!(a.at_or_before(3), None);
        a.remove(5);
        a.remove(4);
        assert_eq!(a.at_or_after(0), None);
        assert_eq!(a.count(), 0);
    }
}
