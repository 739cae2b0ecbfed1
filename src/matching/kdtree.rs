//! A k-d tree over the available controls, for nearest neighbours in whitened space.
//!
//! MatchIt finds a treated unit's closest control under a covariate distance by walking
//! outwards along one coordinate, which visits a large share of the controls in several
//! dimensions. This tree answers the same question exactly (every control within the
//! best distance is examined, so ties can be resolved by MatchIt's rule) in roughly
//! logarithmic time: nodes hold bounding boxes and counts of controls still available,
//! and removing a used control updates the counts on its path, so emptied branches are
//! skipped.

/// A static k-d tree with removals.
pub(crate) struct KdTree {
    dims: usize,
    /// Point coordinates in tree order, `dims` per point.
    coords: Vec<f64>,
    /// The slot (caller's index) of each point in tree order.
    slots: Vec<usize>,
    /// Tree position of each slot.
    place: Vec<usize>,
    alive: Vec<bool>,
    nodes: Vec<Node>,
    /// The leaf of each tree position.
    leaf_of: Vec<u32>,
}

struct Node {
    start: usize,
    end: usize,
    lo: Vec<f64>,
    hi: Vec<f64>,
    children: Option<(u32, u32)>,
    parent: u32,
    alive: usize,
}

const LEAF: usize = 12;

impl KdTree {
    /// Builds a tree over `points` (row-major, `dims` per point), indexed by slot.
    pub(crate) fn new(points: &[f64], dims: usize) -> KdTree {
        let n = points.len() / dims.max(1);
        let mut order: Vec<usize> = (0..n).collect();
        let mut nodes = Vec::new();
        build(points, dims, &mut order, 0, n, u32::MAX, &mut nodes);
        let mut coords = Vec::with_capacity(points.len());
        for &s in &order {
            coords.extend_from_slice(&points[s * dims..(s + 1) * dims]);
        }
        let mut place = vec![0; n];
        for (p, &s) in order.iter().enumerate() {
            place[s] = p;
        }
        let mut leaf_of = vec![0u32; n];
        for (i, node) in nodes.iter().enumerate() {
            if node.children.is_none() {
                for p in node.start..node.end {
                    leaf_of[p] = i as u32;
                }
            }
        }
        KdTree { dims, coords, slots: order, place, alive: vec![true; n], nodes, leaf_of }
    }

    /// Marks `slot` as used.
    pub(crate) fn remove(&mut self, slot: usize) {
        let p = self.place[slot];
        if !self.alive[p] {
            return;
        }
        self.alive[p] = false;
        let mut node = self.leaf_of[p];
        while node != u32::MAX {
            self.nodes[node as usize].alive -= 1;
            node = self.nodes[node as usize].parent;
        }
    }

    /// Every available slot whose squared distance to `x` is at most the `k`-th smallest
    /// times `1 + slack` (so that near-ties are all returned), as (slot, squared distance).
    pub(crate) fn nearest(&self, x: &[f64], k: usize, slack: f64) -> Vec<(usize, f64)> {
        let mut found: Vec<(usize, f64)> = Vec::new();
        let mut bound = f64::INFINITY;
        if !self.nodes.is_empty() {
            self.search(0, x, k, slack, &mut found, &mut bound);
        }
        found.retain(|f| f.1 <= bound);
        found
    }

    fn search(&self, node: usize, x: &[f64], k: usize, slack: f64, found: &mut Vec<(usize, f64)>, bound: &mut f64) {
        let nd = &self.nodes[node];
        if nd.alive == 0 || box_distance(x, &nd.lo, &nd.hi) > *bound {
            return;
        }
        match nd.children {
            None => {
                for p in nd.start..nd.end {
                    if !self.alive[p] {
                        continue;
                    }
                    let c = &self.coords[p * self.dims..(p + 1) * self.dims];
                    let d: f64 = x.iter().zip(c).map(|(a, b)| (a - b) * (a - b)).sum();
                    if d <= *bound {
                        found.push((self.slots[p], d));
                        if found.len() >= k {
                            // The k-th smallest so far sets the bound (with slack for near-ties).
                            let mut ds: Vec<f64> = found.iter().map(|f| f.1).collect();
                            ds.select_nth_unstable_by(k - 1, f64::total_cmp);
                            *bound = ds[k - 1] * (1.0 + slack) + f64::MIN_POSITIVE;
                            found.retain(|f| f.1 <= *bound);
                        }
                    }
                }
            }
            Some((a, b)) => {
                let (da, db) = (
                    box_distance(x, &self.nodes[a as usize].lo, &self.nodes[a as usize].hi),
                    box_distance(x, &self.nodes[b as usize].lo, &self.nodes[b as usize].hi),
                );
                let (first, second) = if da <= db { (a, b) } else { (b, a) };
                self.search(first as usize, x, k, slack, found, bound);
                self.search(second as usize, x, k, slack, found, bound);
            }
        }
    }
}

fn box_distance(x: &[f64], lo: &[f64], hi: &[f64]) -> f64 {
    let mut d = 0.0;
    for i in 0..x.len() {
        let gap = if x[i] < lo[i] {
            lo[i] - x[i]
        } else if x[i] > hi[i] {
            x[i] - hi[i]
        } else {
            0.0
        };
        d += gap * gap;
    }
    d
}

fn build(
    points: &[f64],
    dims: usize,
    order: &mut [usize],
    start: usize,
    end: usize,
    parent: u32,
    nodes: &mut Vec<Node>,
) -> u32 {
    let mut lo = vec![f64::INFINITY; dims];
    let mut hi = vec![f64::NEG_INFINITY; dims];
    for &s in &order[start..end] {
        for j in 0..dims {
            let v = points[s * dims + j];
            lo[j] = lo[j].min(v);
            hi[j] = hi[j].max(v);
        }
    }
    let id = nodes.len() as u32;
    nodes.push(Node { start, end, lo: lo.clone(), hi: hi.clone(), children: None, parent, alive: end - start });
    if end - start > LEAF {
        let split = (0..dims).max_by(|&a, &b| (hi[a] - lo[a]).total_cmp(&(hi[b] - lo[b]))).unwrap_or(0);
        let mid = (start + end) / 2;
        order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            points[a * dims + split].total_cmp(&points[b * dims + split])
        });
        let left = build(points, dims, order, start, mid, id, nodes);
        let right = build(points, dims, order, mid, end, id, nodes);
        nodes[id as usize].children = Some((left, right));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::KdTree;

    #[test]
    fn finds_the_nearest_available_point_like_a_scan() {
        let mut s: u64 = 3;
        let mut rnd = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s % 1000) as f64 / 100.0
        };
        let pts: Vec<f64> = (0..3000).map(|_| rnd()).collect();
        let mut tree = KdTree::new(&pts, 3);
        let mut removed = vec![false; 1000];
        for q in 0..200 {
            let x = [rnd(), rnd(), rnd()];
            let found = tree.nearest(&x, 1, 0.0);
            let best = (0..1000)
                .filter(|&i| !removed[i])
                .map(|i| (0..3).map(|j| (pts[i * 3 + j] - x[j]).powi(2)).sum::<f64>())
                .fold(f64::INFINITY, f64::min);
            assert!(found.iter().all(|f| f.1 == best) && !found.is_empty());
            if q % 2 == 0 {
                tree.remove(found[0].0);
                removed[found[0].0] = true;
            }
        }
    }
}
