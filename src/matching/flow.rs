//! A minimum-cost flow solver for the matching networks: successive shortest paths
//! with Dijkstra on reduced costs (the primal-dual method).
//!
//! # Why this algorithm, and where it is used
//!
//! This general network serves full matching with limits on the number of controls
//! (`min_controls` / `max_controls`, every unit forced onto the flow with a `-big` arc)
//! and is the reference the faster solvers are tested against. Optimal pair and k:1
//! matching and full matching without limits (an edge cover from a matching) are
//! assignment problems and go to [`super::assign`], which adds one row at a time.
//!
//! Successive shortest paths here does one Dijkstra per augmentation, from the source.
//! Every free focal unit sits at reduced distance 0 from the source, so each Dijkstra
//! starts from all of them at once and relaxes all their arcs, and the augmentations come
//! in the order of increasing cost over the whole network: the work grows as
//! augmentations times arcs. That is fine for the limited full matchings of a
//! programme's size (hundreds of units; measured: 1,000 treated / 20,000 controls with a
//! caliper, 1.3 million arcs, 9.6 s for 1:1 pair matching before it moved to
//! [`super::assign`], which takes 0.01 s) but not at 10,000 / 100,000. Network simplex
//! (LEMON's, which optmatch calls through rlemon) or cost scaling would scale better for
//! the limited case; no Rust crate fits (`rs-graph`, network simplex, is GPL-3; `mcmf`
//! wraps LEMON's C++ and is unmaintained since 2018).
//!
//! Costs are integers (`i64`), so the optimum is exact: no floating-point comparison
//! decides an augmenting path. The callers scale distances to integers (see
//! [`super::optimal::Scale`]). "Must use" arcs carry a cost of `-big`, and the solver
//! stops when the cheapest augmenting path no longer lowers the total cost, so the
//! result maximises first the number of `-big` arcs used (matched units), then
//! minimises the total distance.
//!
//! Ties between equally cheap paths are broken by node number (the heap orders
//! `(distance, node)`), so the result is deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A network under construction and then solved.
pub struct Network {
    n: usize,
    /// Per arc (paired: arc `2a` forward, `2a + 1` its reverse): the head node.
    to: Vec<u32>,
    /// Residual capacity per arc.
    cap: Vec<i32>,
    /// Cost of each forward arc (the reverse arc costs its negation).
    cost: Vec<i64>,
    /// Tail node per forward arc (for the adjacency build).
    from: Vec<u32>,
    /// CSR adjacency: arcs leaving each node.
    start: Vec<u32>,
    adj: Vec<u32>,
}

impl Network {
    pub fn new(n_nodes: usize) -> Network {
        Network {
            n: n_nodes,
            to: Vec::new(),
            cap: Vec::new(),
            cost: Vec::new(),
            from: Vec::new(),
            start: Vec::new(),
            adj: Vec::new(),
        }
    }

    /// Adds an arc `u -> v`; returns its index (the value [`Network::flow`] takes).
    pub fn add_arc(&mut self, u: usize, v: usize, capacity: i32, cost: i64) -> usize {
        let a = self.cost.len();
        self.from.push(u as u32);
        self.to.push(v as u32);
        self.to.push(u as u32);
        self.cap.push(capacity);
        self.cap.push(0);
        self.cost.push(cost);
        a
    }

    /// The number of forward arcs so far (the index the next arc gets).
    pub fn arc_count(&self) -> usize {
        self.cost.len()
    }

    pub fn reserve(&mut self, arcs: usize) {
        self.from.reserve(arcs);
        self.cost.reserve(arcs);
        self.to.reserve(2 * arcs);
        self.cap.reserve(2 * arcs);
    }

    /// The flow on forward arc `a`.
    pub fn flow(&self, a: usize) -> i32 {
        self.cap[2 * a + 1]
    }

    fn arc_cost(&self, e: usize) -> i64 {
        if e & 1 == 0 {
            self.cost[e >> 1]
        } else {
            -self.cost[e >> 1]
        }
    }

    fn tail(&self, e: usize) -> usize {
        if e & 1 == 0 {
            self.from[e >> 1] as usize
        } else {
            self.to[e - 1] as usize
        }
    }

    fn build_adjacency(&mut self) {
        let mut deg = vec![0u32; self.n + 1];
        for e in 0..self.to.len() {
            deg[self.tail(e)] += 1;
        }
        let mut start = vec![0u32; self.n + 1];
        for v in 0..self.n {
            start[v + 1] = start[v] + deg[v];
        }
        let mut fill = start.clone();
        let mut adj = vec![0u32; self.to.len()];
        for e in 0..self.to.len() {
            let u = self.tail(e);
            adj[fill[u] as usize] = e as u32;
            fill[u] += 1;
        }
        self.start = start;
        self.adj = adj;
    }

    /// Sends flow from `source` to `sink` while an augmenting path has negative cost
    /// (a min-cost flow of any value), or up to `limit` units. The network must be a
    /// DAG as given (arcs from lower to higher layers), which lets the initial
    /// potentials be computed in one pass in `topo` order.
    ///
    /// `check` is called between augmentations; returning `false` stops the solve
    /// (interruption), and `solve` returns `false`.
    pub fn solve(&mut self, source: usize, sink: usize, topo: &[usize], mut check: impl FnMut() -> bool) -> bool {
        self.build_adjacency();
        const INF: i64 = i64::MAX / 4;
        // Initial potentials: shortest distances from the source over the DAG.
        let mut pi = vec![INF; self.n];
        pi[source] = 0;
        for &u in topo {
            if pi[u] == INF {
                continue;
            }
            for k in self.start[u]..self.start[u + 1] {
                let e = self.adj[k as usize] as usize;
                if e & 1 == 0 && self.cap[e] > 0 {
                    let v = self.to[e] as usize;
                    let d = pi[u] + self.cost[e >> 1];
                    if d < pi[v] {
                        pi[v] = d;
                    }
                }
            }
        }
        // Unreachable nodes stay unreachable (no residual arc ever enters them).
        let mut dist = vec![INF; self.n];
        let mut stamp = vec![0u32; self.n];
        let mut done = vec![0u32; self.n];
        let mut parent = vec![u32::MAX; self.n];
        let mut settled: Vec<usize> = Vec::new();
        let mut heap: BinaryHeap<Reverse<(i64, u32)>> = BinaryHeap::new();
        let mut round = 0u32;
        loop {
            if !check() {
                return false;
            }
            round += 1;
            heap.clear();
            settled.clear();
            dist[source] = 0;
            stamp[source] = round;
            heap.push(Reverse((0, source as u32)));
            let mut reached = false;
            while let Some(Reverse((d, u))) = heap.pop() {
                let u = u as usize;
                if done[u] == round || d > dist[u] {
                    continue;
                }
                done[u] = round;
                settled.push(u);
                if u == sink {
                    reached = true;
                    break;
                }
                for k in self.start[u]..self.start[u + 1] {
                    let e = self.adj[k as usize] as usize;
                    if self.cap[e] <= 0 {
                        continue;
                    }
                    let v = self.to[e] as usize;
                    if done[v] == round || pi[v] == INF {
                        continue;
                    }
                    let nd = d + self.arc_cost(e) + pi[u] - pi[v];
                    if stamp[v] != round || nd < dist[v] {
                        stamp[v] = round;
                        dist[v] = nd;
                        parent[v] = e as u32;
                        heap.push(Reverse((nd, v as u32)));
                    }
                }
            }
            if !reached {
                return true;
            }
            let big_d = dist[sink];
            // The real cost of the path: reduced cost plus the potential difference.
            let real = big_d + pi[sink] - pi[source];
            if real >= 0 {
                return true;
            }
            // Bottleneck and augmentation.
            let mut push = i32::MAX;
            let mut v = sink;
            while v != source {
                let e = parent[v] as usize;
                push = push.min(self.cap[e]);
                v = self.tail(e);
            }
            let mut v = sink;
            while v != source {
                let e = parent[v] as usize;
                self.cap[e] -= push;
                self.cap[e ^ 1] += push;
                v = self.tail(e);
            }
            for &u in &settled {
                pi[u] += dist[u] - big_d;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_finds_the_cheaper_crossing() {
        // Two treated (1, 2), two controls (3, 4): greedy would take 1-3 (cost 1) then
        // 2-4 (cost 10); the optimum is 1-4 + 2-3 = 2 + 2.
        let mut g = Network::new(6);
        let big = 1_000;
        g.add_arc(0, 1, 1, -big);
        g.add_arc(0, 2, 1, -big);
        let a13 = g.add_arc(1, 3, 1, 1);
        let a14 = g.add_arc(1, 4, 1, 2);
        let a23 = g.add_arc(2, 3, 1, 2);
        let a24 = g.add_arc(2, 4, 1, 10);
        g.add_arc(3, 5, 1, 0);
        g.add_arc(4, 5, 1, 0);
        assert!(g.solve(0, 5, &[0, 1, 2, 3, 4, 5], || true));
        assert_eq!((g.flow(a13), g.flow(a14), g.flow(a23), g.flow(a24)), (0, 1, 1, 0));
    }
}
