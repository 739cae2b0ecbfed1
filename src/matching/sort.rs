//! Sorting units by a distance, ties in data order, as R's `order()`.
//!
//! A radix sort (the top byte through memory, then each bucket by the other three bytes in
//! the cache) on the leading 32 bits of the IEEE-754 bits mapped to an order-preserving
//! unsigned integer (offset from the smallest key): stable (so equal values keep their data
//! order, as R's `order` does), linear in the number of units, and quicker than a
//! comparison sort on a million units.
//! Units whose keys share those leading bits are then ordered by their full keys.

use rayon::prelude::*;

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
pub fn order_by(key: &[f64], members: impl Iterator<Item = usize> + Clone) -> Vec<usize> {
    let bits = |u: usize| ordered_bits(key[u]);
    // (Two walks over the members, not a list of them: a million units' list was 4 MB of fresh memory.)
    let (lo, hi) = members.clone().fold((u64::MAX, 0), |(lo, hi), u| (lo.min(bits(u)), hi.max(bits(u))));
    let shift = leading_shift(lo, hi);
    let lo = lo.min(hi);
    let items: Vec<(u32, u32)> = members.map(|u| (((bits(u) - lo) >> shift) as u32, u as u32)).collect();
    let sorted = radix(items, &|bucket| order_ties(bucket, key, shift));
    sorted.into_iter().map(|(_, u)| u as usize).collect()
}

/// All units `0..key.len()` sorted by `key` (equal keys in data order), and each unit's
/// position in that order: [`order_by`] over every unit, the passes through memory split
/// between the threads.
///
/// # Examples
///
/// ```
/// let (order, position) = utfall::matching::sort::order_and_positions(&[0.5, 0.1, 0.5, -2.0]);
/// assert_eq!(order, vec![3, 1, 0, 2]);
/// assert_eq!(position, vec![2, 1, 3, 0]);
/// ```
pub fn order_and_positions(key: &[f64]) -> (Vec<usize>, Vec<usize>) {
    let n = key.len();
    assert!(n <= u32::MAX as usize, "at most 2^32 units");
    let (lo, hi) = key
        .par_chunks(PASS_CHUNK)
        .map(|c| c.iter().fold((u64::MAX, 0), |(lo, hi), &v| (lo.min(ordered_bits(v)), hi.max(ordered_bits(v)))))
        .reduce(|| (u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    let shift = leading_shift(lo, hi);
    let lo = lo.min(hi);
    let items: Vec<(u32, u32)> =
        key.par_iter().enumerate().map(|(u, &v)| (((ordered_bits(v) - lo) >> shift) as u32, u as u32)).collect();
    let sorted = radix(items, &|bucket| order_ties(bucket, key, shift));
    let order: Vec<usize> = sorted.par_iter().map(|&(_, u)| u as usize).collect();
    // (Not zeroed first: every element is written below.)
    let mut position: Vec<usize> = Vec::with_capacity(n);
    let out = Disjoint(position.as_mut_ptr());
    sorted.par_chunks(PASS_CHUNK).enumerate().for_each(|(c, chunk)| {
        for (k, &(_, u)) in chunk.iter().enumerate() {
            // SAFETY: `sorted` holds each unit 0..n exactly once (the items were made from
            // `0..n` and a sort permutes them), so the threads write to distinct elements,
            // all inside `position`'s capacity, which outlives this loop.
            unsafe { out.write(u as usize, c * PASS_CHUNK + k) };
        }
    });
    // SAFETY: every element `0..n` was written above (each unit once), inside the capacity.
    unsafe { position.set_len(n) };
    (order, position)
}

/// A vector's elements, written from several threads at distinct indices.
struct Disjoint<T>(*mut T);

// SAFETY: the users write every index from one thread only (see each use), and `T` is
// sent to that thread.
unsafe impl<T: Send> Sync for Disjoint<T> {}

impl<T> Disjoint<T> {
    /// Writes `value` at `i` (without reading or dropping what was there). (A method, so
    /// that closures capture the whole `Sync` wrapper rather than its raw pointer field.)
    ///
    /// # Safety
    ///
    /// `i` inside the allocation, and written by this thread only.
    unsafe fn write(&self, i: usize, value: T) {
        self.0.add(i).write(value);
    }
}

/// Units per task in the passes of [`order_and_positions`].
const PASS_CHUNK: usize = 1 << 16;

/// The shift that keeps the leading 32 bits of offsets from `lo` up to `hi` (an
/// order-preserving 32-bit key, sorted with half the memory traffic of the full one).
fn leading_shift(lo: u64, hi: u64) -> u32 {
    (64 - (hi - lo.min(hi)).leading_zeros()).saturating_sub(32)
}

/// Puts the units of a sorted bucket that share the leading bits (rare, and few at a
/// time) in the order of their full keys, equal keys still in the order given (a stable
/// sort). Equal 32-bit keys share their top byte, so they are in the same bucket.
fn order_ties(bucket: &mut [(u32, u32)], key: &[f64], shift: u32) {
    if shift == 0 {
        return;
    }
    let mut start = 0;
    while start < bucket.len() {
        let mut end = start + 1;
        while end < bucket.len() && bucket[end].0 == bucket[start].0 {
            end += 1;
        }
        if end - start > 1 {
            bucket[start..end].sort_by_key(|&(_, u)| ordered_bits(key[u as usize]));
        }
        start = end;
    }
}

/// Sorts by the 32-bit key, stably: one pass through memory on the top byte into 256
/// buckets, then each bucket (a few thousand items, in the cache) by the low 24 bits in
/// up to three passes of a byte, the buckets in parallel. (A plain least-significant-digit
/// sort made three passes of 11 bits through memory, each scattering to more places than
/// the cache keeps open: the sorting step of a 1,010,000-unit match took 19 ms, now 10 ms.)
/// `finish` is applied to each sorted bucket (in its thread, while it is in the cache).
fn radix(mut items: Vec<(u32, u32)>, finish: &(dyn Fn(&mut [(u32, u32)]) + Sync)) -> Vec<(u32, u32)> {
    let n = items.len();
    let (mut out, starts) = split_by_top_byte(&items);
    // The input is free now: it is each bucket's scratch space.
    let mut buckets = Vec::with_capacity(256);
    let (mut rest, mut spare) = (&mut out[..], &mut items[..]);
    for b in 0..256 {
        let len = starts[b + 1] - starts[b];
        let (bucket, r) = rest.split_at_mut(len);
        let (scratch, s) = spare.split_at_mut(len);
        buckets.push((bucket, scratch));
        (rest, spare) = (r, s);
    }
    if n >= PARALLEL_FROM {
        buckets.into_par_iter().with_max_len(1).for_each(|(bucket, scratch)| {
            sort_low(bucket, scratch);
            finish(bucket);
        });
    } else {
        // Small sorts (a rematching bootstrap makes thousands) are not worth the tasks.
        for (bucket, scratch) in buckets {
            sort_low(bucket, scratch);
            finish(bucket);
        }
    }
    out
}

/// The items in a stable counting sort by their top byte, and where each bucket starts.
///
/// From [`PARALLEL_FROM`] items, the items are cut into one part per thread: each part's
/// counts are taken in parallel, and each part then moves its items to its own places in
/// every bucket (after the earlier parts' items of that bucket), so the result is the
/// sequential one for any number of parts. The output is not zeroed first: every place
/// is written once.
pub(crate) fn split_by_top_byte(items: &[(u32, u32)]) -> (Vec<(u32, u32)>, [usize; 257]) {
    let n = items.len();
    let threads = if n >= PARALLEL_FROM { rayon::current_num_threads().clamp(1, 16) } else { 1 };
    let parts: Vec<&[(u32, u32)]> = items.chunks(n.div_ceil(threads).max(1)).collect();
    let counts: Vec<[usize; 256]> = parts.par_iter().map(|part| byte_counts(part, TOP_SHIFT)).collect();
    let mut total = [0usize; 256];
    for c in &counts {
        for b in 0..256 {
            total[b] += c[b];
        }
    }
    let starts = starts_of(&total);
    // Where each part's items of each bucket go.
    let mut next = starts;
    let offsets: Vec<[usize; 257]> = counts
        .iter()
        .map(|c| {
            let here = next;
            for b in 0..256 {
                next[b] += c[b];
            }
            here
        })
        .collect();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(n);
    let to = Disjoint(out.as_mut_ptr());
    parts.par_iter().zip(offsets).for_each(|(part, mut at)| {
        for &item in *part {
            let b = byte(item.0, TOP_SHIFT);
            // SAFETY: the parts' ranges of each bucket are disjoint and together cover
            // `0..n` (they are the counts of a partition of the items), inside the capacity.
            unsafe { to.write(at[b], item) };
            at[b] += 1;
        }
    });
    // SAFETY: every element `0..n` was written above.
    unsafe { out.set_len(n) };
    (out, starts)
}

/// Items from which the buckets are sorted in parallel.
const PARALLEL_FROM: usize = 1 << 16;

/// The position of the top byte of a key, by which the items are split into buckets.
const TOP_SHIFT: u32 = 24;

/// The byte of `key` at bit `shift`.
#[inline]
fn byte(key: u32, shift: u32) -> usize {
    ((key >> shift) & 0xff) as usize
}

/// How many of `items` have each value of the keys' byte at `shift`.
fn byte_counts(items: &[(u32, u32)], shift: u32) -> [usize; 256] {
    let mut counts = [0usize; 256];
    for &(k, _) in items {
        counts[byte(k, shift)] += 1;
    }
    counts
}

/// Where each byte value's items start in a stable counting sort with these `counts`: the
/// items with byte `b` go to `starts[b]..starts[b + 1]`.
fn starts_of(counts: &[usize; 256]) -> [usize; 257] {
    let mut starts = [0usize; 257];
    for b in 0..256 {
        starts[b + 1] = starts[b] + counts[b];
    }
    starts
}

/// Moves `from` into `to` stably in the order of the keys' byte at `shift` (`starts` from
/// [`starts_of`]).
fn scatter(from: &[(u32, u32)], to: &mut [(u32, u32)], shift: u32, mut starts: [usize; 257]) {
    for &item in from {
        let b = byte(item.0, shift);
        to[starts[b]] = item;
        starts[b] += 1;
    }
}

/// Sorts one bucket stably by the low 24 bits of its keys (its top byte is the same).
fn sort_low(bucket: &mut [(u32, u32)], scratch: &mut [(u32, u32)]) {
    if bucket.len() <= 32 {
        // Insertion sort: moves an item only past greater keys, so it is stable.
        for i in 1..bucket.len() {
            let item = bucket[i];
            let mut j = i;
            while j > 0 && bucket[j - 1].0 > item.0 {
                bucket[j] = bucket[j - 1];
                j -= 1;
            }
            bucket[j] = item;
        }
        return;
    }
    // The counts of the three low bytes in one pass (a counting sort's counts do not
    // depend on the order the items are in, so all three are taken from the input).
    let mut counts = [[0usize; 256]; 3];
    for &(k, _) in bucket.iter() {
        for (d, c) in counts.iter_mut().enumerate() {
            c[byte(k, 8 * d as u32)] += 1;
        }
    }
    let (mut from, mut to) = (&mut *bucket, &mut *scratch);
    let mut in_scratch = false;
    for (d, c) in counts.iter().enumerate() {
        // A byte on which all keys agree leaves the order as it is.
        if c.contains(&from.len()) {
            continue;
        }
        scatter(from, to, 8 * d as u32, starts_of(c));
        std::mem::swap(&mut from, &mut to);
        in_scratch = !in_scratch;
    }
    if in_scratch {
        // The sorted items are in `scratch` (`from`): back into the bucket.
        to.copy_from_slice(from);
    }
}

#[cfg(test)]
mod tests {
    use super::order_by;

    #[test]
    fn the_radix_sort_is_a_stable_sort_by_the_key() {
        // Keys spread over all four bytes, keys that differ in one low byte only (one pass:
        // the result ends in the scratch space and is copied back), and buckets of every
        // size, from a few items (insertion sort) to all of them.
        let mut s: u64 = 11;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for keys in [
            (0..100_000).map(|_| next() as u32).collect::<Vec<u32>>(),
            (0..50_000).map(|_| 0x0300_0000 | (next() % 7) as u32).collect(),
            (0..50_000).map(|_| (((next() % 40) as u32) << 24) | ((next() % 3) as u32 * 0x0101)).collect(),
            (0..20).map(|_| (next() % 5) as u32).collect(),
        ] {
            let items: Vec<(u32, u32)> = keys.iter().enumerate().map(|(i, &k)| (k, i as u32)).collect();
            let mut expected = items.clone();
            expected.sort_by_key(|&(k, _)| k);
            assert_eq!(super::radix(items, &|_| {}), expected);
        }
    }

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
        let (order, position) = super::order_and_positions(&key);
        assert_eq!(order, expected);
        assert!(order.iter().enumerate().all(|(i, &u)| position[u] == i));
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
        assert_eq!(super::order_and_positions(&close).0, expected);
    }
}
