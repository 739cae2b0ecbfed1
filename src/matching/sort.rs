//! Sorting units by a distance, ties in data order, as R's `order()`.
//!
//! A least-significant-digit radix sort (three passes of 11 bits) on the leading 32 bits of
//! the IEEE-754 bits mapped to an order-preserving unsigned integer (offset from the
//! smallest key): stable (so equal values keep their data order, as R's `order` does),
//! linear in the number of units, and quicker than a comparison sort on a million units.
//! Units whose keys share those leading bits are then ordered by their full keys.

const BITS: u32 = 11;
const BUCKETS: usize = 1 << BITS;

/// Maps an `f64` to a `u64` with the same order (`-0.0` and `0.0` equal, as in R).
fn ordered_bits(v: f64) -> u64 {
    let b = (v + 0.0).to_bits();
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The members sorted by `key`, equal keys in the order given.
///
/// # Examples
///
/// ```
/// let order = utfall::matching::sort::order_by(&[0.5, 0.1, 0.5, -2.0], 0..4);
/// assert_eq!(order, vec![3, 1, 0, 2]);
/// ```
pub fn order_by(key: &[f64], members: impl Iterator<Item = usize>) -> Vec<usize> {
    let members: Vec<u32> = members.map(|u| u as u32).collect();
    let bits = |u: u32| ordered_bits(key[u as usize]);
    let (lo, hi) = members.iter().fold((u64::MAX, 0), |(lo, hi), &u| (lo.min(bits(u)), hi.max(bits(u))));
    let lo = lo.min(hi);
    // The leading 32 bits of the key's offset from the smallest: an order-preserving
    // 32-bit key, sorted with half the memory traffic of the full one.
    let shift = (64 - (hi - lo).leading_zeros()).saturating_sub(32);
    let items: Vec<(u32, u32)> = members.iter().map(|&u| (((bits(u) - lo) >> shift) as u32, u)).collect();
    let mut sorted = radix(items);
    // Units that share the leading bits (rare, and few at a time) are put in the order of
    // their full keys, equal keys still in the order given (a stable sort).
    let mut start = 0;
    while start < sorted.len() {
        let mut end = start + 1;
        while end < sorted.len() && sorted[end].0 == sorted[start].0 {
            end += 1;
        }
        if end - start > 1 && shift > 0 {
            sorted[start..end].sort_by_key(|&(_, u)| bits(u));
        }
        start = end;
    }
    sorted.into_iter().map(|(_, u)| u as usize).collect()
}

fn radix(mut items: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    const PASSES: usize = 32usize.div_ceil(BITS as usize);
    // The counts of every digit in one read of the items.
    let mut counts = vec![[0usize; BUCKETS]; PASSES];
    for &(k, _) in &items {
        for (pass, c) in counts.iter_mut().enumerate() {
            c[((k >> (pass as u32 * BITS)) as usize) & (BUCKETS - 1)] += 1;
        }
    }
    let mut buffer = vec![(0u32, 0u32); items.len()];
    for (pass, counts) in counts.iter_mut().enumerate() {
        // A digit on which all keys agree leaves the order as it is.
        if counts.contains(&items.len()) {
            continue;
        }
        let shift = pass as u32 * BITS;
        let mut start = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = start;
            start += n;
        }
        for &item in &items {
            let digit = ((item.0 >> shift) as usize) & (BUCKETS - 1);
            buffer[counts[digit]] = item;
            counts[digit] += 1;
        }
        std::mem::swap(&mut items, &mut buffer);
    }
    items
}

#[cfg(test)]
mod tests {
    use super::order_by;

    #[test]
    fn agrees_with_a_stable_comparison_sort() {
        let mut s: u64 = 7;
        let key: Vec<f64> = (0..200_000)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s % 97) as f64 - 40.0) * 0.25
            })
            .collect();
        let mut expected: Vec<usize> = (0..key.len()).collect();
        expected.sort_by(|&a, &b| key[a].total_cmp(&key[b]));
        assert_eq!(order_by(&key, 0..key.len()), expected);
        // A subset, with keys spread over many binades and close neighbours.
        let wide: Vec<f64> = key
            .iter()
            .enumerate()
            .map(|(i, k)| k * 10f64.powi((i % 13) as i32 - 6) + (i % 5) as f64 * 1e-300)
            .collect();
        let members: Vec<usize> = (0..wide.len()).filter(|i| i % 3 != 1).collect();
        let mut expected = members.clone();
        expected.sort_by(|&a, &b| wide[a].total_cmp(&wide[b]));
        assert_eq!(order_by(&wide, members.into_iter()), expected);
        let close: Vec<f64> = (0..50_000).map(|i| 0.25 + ((i * 7919) % 1000) as f64 * f64::EPSILON).collect();
        let mut expected: Vec<usize> = (0..close.len()).collect();
        expected.sort_by(|&a, &b| close[a].total_cmp(&close[b]));
        assert_eq!(order_by(&close, 0..close.len()), expected);
    }
}
