//! Sorting units by a distance, ties in data order, as R's `order()`.
//!
//! A least-significant-digit radix sort on the IEEE-754 bits mapped to an order-preserving
//! unsigned integer: stable (so equal values keep their data order, as R's `order` does),
//! linear in the number of units, and quicker than a comparison sort on a million units.
//! Digits on which all keys agree (the exponent bits of probabilities, say) are skipped.

const BITS: u32 = 13;
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
    let items: Vec<(u64, u32)> = members.map(|u| (ordered_bits(key[u]), u as u32)).collect();
    let sorted = if items.len() < PARALLEL_FROM {
        radix(items)
    } else {
        // Two halves sorted in parallel, then merged taking the first half on equal keys:
        // still stable, so equal values stay in the order given.
        let right = items[items.len() / 2..].to_vec();
        let mut left = items;
        left.truncate(left.len() - right.len());
        let (left, right) = rayon::join(|| radix(left), || radix(right));
        merge(&left, &right)
    };
    sorted.into_iter().map(|(_, u)| u as usize).collect()
}

const PARALLEL_FROM: usize = 1 << 16;

fn merge(left: &[(u64, u32)], right: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if right[j].0 < left[i].0 {
            out.push(right[j]);
            j += 1;
        } else {
            out.push(left[i]);
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

fn radix(mut items: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    let mut buffer = vec![(0u64, 0u32); items.len()];
    let mut shift = 0;
    while shift < 64 {
        let mut counts = vec![0usize; BUCKETS];
        for &(k, _) in &items {
            counts[((k >> shift) as usize) & (BUCKETS - 1)] += 1;
        }
        if counts.contains(&items.len()) {
            shift += BITS;
            continue;
        }
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
        shift += BITS;
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
    }
}
