//! A sparse rectangular assignment solver: every row takes one of its candidate columns
//! (each column at most one row) or stays unmatched at a fixed cost, so that the total
//! cost is least. Optimal pair and k:1 matching (unmatched costs `big`: as many pairs as
//! possible, then the least distance) and the matching inside full matching's edge cover
//! (unmatched costs 0, the arcs are negative) are such problems.
//!
//! # Why this algorithm
//!
//! Shortest augmenting paths started from one free row at a time (the Hungarian method in
//! Jonker and Volgenant's form, for rectangular and sparse problems as in Crouse, "On
//! implementing 2D rectangular assignment algorithms", IEEE TAES 52(4), 2016, the method
//! of scipy's `linear_sum_assignment`): each row is added by one Dijkstra over reduced
//! costs that stops at the first free column it reaches. On a one-dimensional score the
//! nearest free control is a few arcs away, so the search stays in a small neighbourhood
//! of the row. The network form ([`super::flow`]: one super-source feeding every free row)
//! cannot do that: every free row sits at reduced distance 0 from the source, so each of
//! its Dijkstras starts from all free rows at once and relaxes all their arcs, and the
//! augmentations come in the order of increasing cost over the whole network, one per
//! Dijkstra (measured: 1,000 treated / 20,000 controls with a caliper of 0.1 sd, 1.3
//! million arcs, 9.6 s; 10,000 / 100,000, 59 million arcs, beyond 300 s).
//!
//! Leaving a row unmatched is an arc to a dummy column of its own with the unmatched
//! cost, so every row is assigned and the method is exact (it is the textbook
//! rectangular case: rows at most columns). The order rows are added in does not change
//! the optimal total; it is the row order, and Dijkstra's ties are broken by (distance,
//! free columns first, column number), so the result is deterministic. Costs are
//! integers (`i64`): no floating-point comparison decides a path. The duals `u`, `v`
//! (with `v <= 0`, `v = 0` on free columns, `u_i + v_j <= c_ij` on every arc, equality on
//! the assigned ones) certify the optimum and are returned.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A solved assignment: per row its column (`None`: unmatched) and the duals.
pub struct Assignment {
    pub col_of_row: Vec<Option<u32>>,
    pub u: Vec<i64>,
    pub v: Vec<i64>,
}

/// Solves the assignment of `n_rows` rows (row `i`'s arcs: `cols[start[i]..start[i+1]]`
/// at `cost[..]`, from the same slice of `start`) to `n_cols` columns, each row left
/// unmatched at `unmatched`. `row_arcs(r)` maps row `r` to the arc row whose arcs it uses
/// (k:1 matching repeats each focal unit's arcs `k` times). `check` is called every few
/// thousand steps; `false` stops the solve (`None`).
#[allow(clippy::too_many_arguments)]
pub fn solve(
    n_rows: usize,
    n_cols: usize,
    start: &[usize],
    cols: &[u32],
    cost: &[i64],
    row_arcs: impl Fn(usize) -> usize,
    unmatched: i64,
    check: &mut dyn FnMut() -> bool,
) -> Option<Assignment> {
    // Columns 0..n_cols are real, n_cols + r is row r's dummy.
    let n_all = n_cols + n_rows;
    const FREE: u32 = u32::MAX;
    let mut u = vec![0i64; n_rows];
    let mut v = vec![0i64; n_all];
    let mut row4col = vec![FREE; n_all];
    let mut col4row = vec![FREE; n_rows];
    let mut dist = vec![i64::MAX; n_all];
    let mut path = vec![FREE; n_all];
    let mut scanned = vec![false; n_all];
    let mut touched: Vec<u32> = Vec::new();
    let mut done: Vec<u32> = Vec::new();
    let mut heap: BinaryHeap<Reverse<(i64, bool, u32)>> = BinaryHeap::new();
    let mut steps = 0u32;
    for cur in 0..n_rows {
        if !check() {
            return None;
        }
        heap.clear();
        let mut min_val = 0i64;
        let mut i = cur;
        let sink;
        loop {
            // Relax row i's arcs and its dummy.
            let base = row_arcs(i);
            let (lo, hi) = (start[base], start[base + 1]);
            let ui = u[i];
            let mut relax = |j: usize, c: i64, heap: &mut BinaryHeap<Reverse<(i64, bool, u32)>>| {
                if scanned[j] {
                    return;
                }
                let r = min_val + (c - ui - v[j]);
                if r < dist[j] {
                    if dist[j] == i64::MAX {
                        touched.push(j as u32);
                    }
                    dist[j] = r;
                    path[j] = i as u32;
                    heap.push(Reverse((r, row4col[j] != FREE, j as u32)));
                }
            };
            for k in lo..hi {
                relax(cols[k] as usize, cost[k], &mut heap);
            }
            relax(n_cols + i, unmatched, &mut heap);
            // The nearest unscanned column (free ones first among equals).
            let j = loop {
                let Reverse((d, _, j)) = heap.pop().expect("every row reaches its own dummy column");
                let j = j as usize;
                if !scanned[j] && d == dist[j] {
                    break j;
                }
            };
            steps += 1;
            if steps % 4096 == 0 && !check() {
                return None;
            }
            scanned[j] = true;
            done.push(j as u32);
            min_val = dist[j];
            if row4col[j] == FREE {
                sink = j;
                break;
            }
            i = row4col[j] as usize;
        }
        // Duals: the rows reached through scanned columns and those columns move by
        // the slack of their distance (Crouse's update; the free sink's is 0).
        u[cur] += min_val;
        for &j in &done {
            let j = j as usize;
            let delta = min_val - dist[j];
            if j != sink {
                u[row4col[j] as usize] += delta;
            }
            v[j] -= delta;
        }
        // Augment along the path back to `cur`.
        let mut j = sink;
        loop {
            let i = path[j] as usize;
            row4col[j] = i as u32;
            let prev = col4row[i];
            col4row[i] = j as u32;
            if i == cur {
                break;
            }
            j = prev as usize;
        }
        for &j in &touched {
            dist[j as usize] = i64::MAX;
            scanned[j as usize] = false;
        }
        touched.clear();
        done.clear();
    }
    let col_of_row = col4row.iter().map(|&j| if (j as usize) < n_cols { Some(j) } else { None }).collect();
    v.truncate(n_cols);
    Some(Assignment { col_of_row, u, v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The least total by enumeration: each row takes a free candidate or stays out.
    fn brute(n_cols: usize, arcs: &[Vec<(u32, i64)>], unmatched: i64) -> i64 {
        fn go(i: usize, arcs: &[Vec<(u32, i64)>], used: &mut Vec<bool>, unmatched: i64) -> i64 {
            if i == arcs.len() {
                return 0;
            }
            let mut best = unmatched + go(i + 1, arcs, used, unmatched);
            for &(j, c) in &arcs[i] {
                if !used[j as usize] {
                    used[j as usize] = true;
                    best = best.min(c + go(i + 1, arcs, used, unmatched));
                    used[j as usize] = false;
                }
            }
            best
        }
        go(0, arcs, &mut vec![false; n_cols], unmatched)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn equals_brute_force_with_certified_duals(
            n_rows in 1usize..6, n_cols in 1usize..6,
            raw in proptest::collection::vec((0u32..6, 0u32..6, -20i64..40), 0..25),
            unmatched in prop_oneof![Just(0i64), Just(1000i64), -5i64..30],
        ) {
            let mut arcs: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n_rows];
            for &(i, j, c) in &raw {
                let (i, j) = (i as usize % n_rows, j % n_cols as u32);
                if !arcs[i].iter().any(|a| a.0 == j) {
                    arcs[i].push((j, c));
                }
            }
            let mut start = vec![0usize];
            let (mut cols, mut cost) = (Vec::new(), Vec::new());
            for a in &arcs {
                for &(j, c) in a {
                    cols.push(j);
                    cost.push(c);
                }
                start.push(cols.len());
            }
            let s = solve(n_rows, n_cols, &start, &cols, &cost, |r| r, unmatched, &mut || true).unwrap();
            let mut total = 0;
            let mut seen = vec![false; n_cols];
            for (i, c) in s.col_of_row.iter().enumerate() {
                match c {
                    Some(j) => {
                        prop_assert!(!seen[*j as usize]);
                        seen[*j as usize] = true;
                        total += arcs[i].iter().find(|a| a.0 == *j).unwrap().1;
                    }
                    None => total += unmatched,
                }
            }
            prop_assert_eq!(total, brute(n_cols, &arcs, unmatched));
            // The certificate: dual feasible, tight where assigned, v = 0 on free columns.
            for (i, a) in arcs.iter().enumerate() {
                for &(j, c) in a {
                    prop_assert!(s.u[i] + s.v[j as usize] <= c);
                    if s.col_of_row[i] == Some(j) {
                        prop_assert_eq!(s.u[i] + s.v[j as usize], c);
                    }
                }
            }
            for j in 0..n_cols {
                prop_assert!(s.v[j] <= 0);
                if !seen[j] {
                    prop_assert_eq!(s.v[j], 0);
                }
            }
        }
    }
}
