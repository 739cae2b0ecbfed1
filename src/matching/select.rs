//! Choosing the `k` closest of a few candidates exactly as MatchIt 4.7 does.
//!
//! MatchIt's C++ collects up to `k` candidates on each side of a treated unit and then
//! keeps the `k` closest with `std::partial_sort` (or `std::sort` when it has at most `k`
//! of them and they are out of order). Neither is a stable sort, so when two candidates
//! are at exactly the same distance the one kept depends on how GNU libstdc++ runs its
//! heap selection. MatchIt's published binaries for Linux are built with libstdc++; these
//! functions replay its algorithms step by step so that ties resolve identically.

/// Keeps the `k` candidates with the smallest distance, in MatchIt's order.
pub(crate) fn keep_closest(mut cands: Vec<(usize, f64)>, k: usize) -> Vec<(usize, f64)> {
    let n = cands.len();
    if n <= 1 {
        return cands;
    }
    if k == 1 {
        // libstdc++'s partial sort of one: the heap's top is replaced by each later
        // candidate strictly closer, so the first of the closest is kept. (In place: a
        // matching makes one such choice per treated unit.)
        let best = (1..n).fold(0, |best, i| if cands[i].1 < cands[best].1 { i } else { best });
        cands.swap(0, best);
        cands.truncate(1);
        return cands;
    }
    keep_closest_general(cands, k)
}

/// [`keep_closest`] for any `k`, replaying libstdc++'s algorithms.
fn keep_closest_general(cands: Vec<(usize, f64)>, k: usize) -> Vec<(usize, f64)> {
    let n = cands.len();
    let sorted = cands.windows(2).all(|w| !(w[1].1 < w[0].1));
    if n <= k && sorted {
        return cands;
    }
    let mut idx: Vec<usize> = (0..n).collect();
    let less = |a: usize, b: usize| cands[a].1 < cands[b].1;
    if n > k {
        partial_sort(&mut idx, k, &less);
        idx.truncate(k);
    } else if n <= 16 {
        insertion_sort(&mut idx, &less);
    } else {
        // libstdc++'s introsort is not replayed for more than 16 candidates (ratio > 8).
        idx.sort_by(|&a, &b| cands[a].1.total_cmp(&cands[b].1));
    }
    idx.into_iter().map(|i| cands[i]).collect()
}

fn insertion_sort(v: &mut [usize], less: &impl Fn(usize, usize) -> bool) {
    for i in 1..v.len() {
        let value = v[i];
        let mut j = i;
        while j > 0 && less(value, v[j - 1]) {
            v[j] = v[j - 1];
            j -= 1;
        }
        v[j] = value;
    }
}

/// libstdc++ `__adjust_heap` followed by `__push_heap` (a max-heap under `less`).
fn adjust_heap(v: &mut [usize], mut hole: usize, len: usize, value: usize, less: &impl Fn(usize, usize) -> bool) {
    let top = hole;
    let mut second = hole;
    while len > 0 && second < (len - 1) / 2 {
        second = 2 * (second + 1);
        if less(v[second], v[second - 1]) {
            second -= 1;
        }
        v[hole] = v[second];
        hole = second;
    }
    if len >= 2 && len % 2 == 0 && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        v[hole] = v[second - 1];
        hole = second - 1;
    }
    while hole > top {
        let parent = (hole - 1) / 2;
        if !less(v[parent], value) {
            break;
        }
        v[hole] = v[parent];
        hole = parent;
    }
    v[hole] = value;
}

fn make_heap(v: &mut [usize], less: &impl Fn(usize, usize) -> bool) {
    let len = v.len();
    if len < 2 {
        return;
    }
    let mut parent = (len - 2) / 2;
    loop {
        let value = v[parent];
        adjust_heap(v, parent, len, value, less);
        if parent == 0 {
            return;
        }
        parent -= 1;
    }
}

/// libstdc++ `std::partial_sort(first, first + k, last)`: heap selection then heap sort.
fn partial_sort(v: &mut [usize], k: usize, less: &impl Fn(usize, usize) -> bool) {
    make_heap(&mut v[..k], less);
    for i in k..v.len() {
        if less(v[i], v[0]) {
            let value = v[i];
            v[i] = v[0];
            adjust_heap(&mut v[..k], 0, k, value, less);
        }
    }
    let mut last = k;
    while last > 1 {
        last -= 1;
        let value = v[last];
        v[last] = v[0];
        adjust_heap(&mut v[..last], 0, last, value, less);
    }
}

#[cfg(test)]
mod tests {
    use super::keep_closest;

    #[test]
    fn keeps_the_closest_and_the_first_found_among_ties_for_one() {
        let c = vec![(10, 0.5), (11, 0.2), (12, 0.2), (13, 0.9)];
        assert_eq!(keep_closest(c, 1), vec![(11, 0.2)]);
        let c = vec![(10, 0.5), (11, 0.2), (12, 0.1), (13, 0.9)];
        let two: Vec<usize> = keep_closest(c, 2).iter().map(|c| c.0).collect();
        assert_eq!(two, vec![12, 11]);
    }

    #[test]
    fn the_choice_of_one_is_libstdcxx_partial_sort() {
        // Up to six candidates with many ties, every order: the shortcut for k = 1 keeps
        // what the replayed heap selection keeps.
        let mut s: u64 = 3;
        for _ in 0..5000 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let n = 2 + (s % 5) as usize;
            let c: Vec<(usize, f64)> = (0..n).map(|i| (i, ((s >> (3 * i + 8)) % 3) as f64)).collect();
            assert_eq!(keep_closest(c.clone(), 1), super::keep_closest_general(c, 1));
        }
    }
}
