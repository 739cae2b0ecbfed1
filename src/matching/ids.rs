//! Unit ids: are they unique, answered in the core, in place.
//!
//! pandas' Arrow-backed strings (pandas 3's default `str` dtype, `string[pyarrow]`) keep
//! every id in one byte buffer with an offsets array. Checking them for duplicates with
//! pandas turns them into a million Python objects first; here the two buffers are read
//! as they are, without a copy. Integer ids (and dates, as their integers) are checked
//! here too: pandas' hash table takes 18-35 ms for a million shuffled ones. Python str ids
//! (pandas 2's object columns) come in Arrow's layout, copied from their UTF-8 forms by
//! the binding (`python::matching`).
//!
//! # Method
//!
//! Ids that increase from row to row (text in byte order, integers as signed numbers)
//! are all different: register extracts usually come sorted by their id, and this one
//! pass (parallel, stopping at the first row that does not increase) is then the whole
//! check. Otherwise every id is hashed (FxHash of its bytes, or of the integer, then one
//! multiply to mix them into the top 32 bits, in parallel) into a 32-bit key beside its
//! row. The (key, row) pairs are split by the key's top byte into 256 groups with the
//! radix sort's parallel stable split ([`crate::matching::sort::split_by_top_byte`]: each
//! group keeps its rows in order), and each group, small enough for the cache, is checked
//! with an open-addressing table of (key, row) probed linearly, one table per thread
//! reused from group to group; equal keys are confirmed by comparing the ids. The answer
//! is the first row whose id occurred in an earlier row (pandas' first `duplicated()`),
//! independent of the number of threads. (8-byte pairs rather than the full 64-bit hash
//! beside a 64-bit row: half the memory through which a million ids pass; equal 32-bit
//! keys of different ids only cost a comparison.)

use crate::error::{Error, Result};
use crate::matching::sort::split_by_top_byte;
use rayon::prelude::*;
use std::hash::Hasher;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};

/// Rows per task in the passes over every id.
const CHUNK: usize = 1 << 16;

/// Mixes a 64-bit hash into its top 32 bits (Fibonacci hashing), the key of [`first_repeat`].
#[inline]
fn key_of(hash: u64) -> u32 {
    (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as u32
}

/// The first row (0-based) whose text equals that of an earlier row, or None when every
/// id is distinct. `offsets` has one entry more than there are rows (Arrow's layout):
/// row `i` is `data[offsets[i]..offsets[i + 1]]`.
///
/// # Errors
///
/// [`Error::Data`] when the offsets do not describe slices of `data`.
///
/// # Examples
///
/// ```
/// use utfall::matching::ids::first_repeated_text;
/// let data = b"abbcab";
/// assert_eq!(first_repeated_text(&[0i64, 2, 3, 4, 6], data).unwrap(), Some(3)); // "ab" again
/// assert_eq!(first_repeated_text(&[0i64, 2, 3, 4], data).unwrap(), None);
/// ```
pub fn first_repeated_text<O: Copy + Into<i64> + Sync>(offsets: &[O], data: &[u8]) -> Result<Option<usize>> {
    let n = offsets.len().saturating_sub(1);
    // Each row's offsets are checked where they are read (a separate pass over them was a
    // fifth of a sorted million's check): a row outside the data reads as empty and is
    // reported once the search is over. Every row is read by the search: by the ordered
    // pass when it finds no repeat, by the hash pass otherwise.
    let outside = AtomicBool::new(false);
    let span = |i: usize| -> (usize, usize) {
        let (a, b) = (offsets[i].into(), offsets[i + 1].into());
        if 0 <= a && a <= b && b as u64 <= data.len() as u64 {
            (a as usize, b as usize)
        } else {
            outside.store(true, Relaxed);
            (0, 0)
        }
    };
    let text = |i: usize| -> &[u8] {
        let (a, b) = span(i);
        &data[a..b]
    };
    // (Most ids differ in their first eight bytes: one integer comparison each.)
    let prefix = |i: usize| {
        let (a, b) = span(i);
        leading_bytes(data, a, b - a)
    };
    let first = first_repeat(
        n,
        |rows| {
            // Each row's leading bytes read once, carried to the comparison with the next.
            let mut before = prefix(rows.start - 1);
            rows.into_iter().all(|i| {
                let here = prefix(i);
                let increases = match before.cmp(&here) {
                    std::cmp::Ordering::Equal => text(i - 1) < text(i),
                    order => order.is_lt(),
                };
                before = here;
                increases
            })
        },
        |i| {
            let (a, b) = span(i);
            if b - a <= 8 {
                // Up to eight bytes are their leading bytes and length (a third of the
                // time of hashing the bytes).
                key_of(leading_bytes(data, a, b - a) ^ ((b - a) as u64).rotate_right(4))
            } else {
                let mut h = rustc_hash::FxHasher::default();
                h.write(&data[a..b]);
                h.write_usize(b - a);
                key_of(h.finish())
            }
        },
        |i, j| text(i) == text(j),
    );
    if outside.load(Relaxed) {
        return Err(Error::data("data", "id", None, "the text ids' Arrow offsets do not fit their data buffer"));
    }
    Ok(first)
}

/// The first eight bytes of `data[start..start + len]` as a big-endian integer, zero bytes
/// past the end: two texts whose leading bytes differ are in the order of these integers
/// (a zero byte is the least, and a text's end comes before any byte).
#[inline]
fn leading_bytes(data: &[u8], start: usize, len: usize) -> u64 {
    let keep = if len >= 8 { u64::MAX } else { !(u64::MAX >> (8 * len)) };
    match data.get(start..start + 8) {
        Some(eight) => u64::from_be_bytes(eight.try_into().expect("eight bytes")) & keep,
        None => {
            let mut eight = [0u8; 8];
            let k = len.min(8);
            eight[..k].copy_from_slice(&data[start..start + k]);
            u64::from_be_bytes(eight)
        }
    }
}

/// The first row (0-based) whose integer equals that of an earlier row, or None when
/// every id is distinct. `values` are 64-bit integers' bits (signed or not: equal bits
/// are equal values either way).
///
/// # Examples
///
/// ```
/// use utfall::matching::ids::first_repeated_integer;
/// assert_eq!(first_repeated_integer(&[7, 3, 9, 3, 7]), Some(3));
/// assert_eq!(first_repeated_integer(&[1, 2, 3]), None);
/// ```
pub fn first_repeated_integer(values: &[u64]) -> Option<usize> {
    first_repeat(
        values.len(),
        |rows| values[rows.start - 1..rows.end].windows(2).all(|w| (w[0] as i64) < w[1] as i64),
        |i| key_of(values[i]),
        |i, j| values[i] == values[j],
    )
}

/// The first of rows `0..n` that repeats an earlier one, or None. `increase(rows)`: each
/// of `rows` (never starting at 0) is greater than the row before in some total order
/// (all true: no repeat); `key(i)`: a 32-bit hash of row `i`; `same(i, j)`: rows `i` and
/// `j` are equal.
fn first_repeat(
    n: usize,
    increase: impl Fn(std::ops::Range<usize>) -> bool + Sync,
    key: impl Fn(usize) -> u32 + Sync,
    same: impl Fn(usize, usize) -> bool + Sync,
) -> Option<usize> {
    assert!(n < u32::MAX as usize, "fewer than 2^32 ids");
    // (Chunks, each a plain loop: rayon's `all` over single rows costs more than the test.)
    let chunks = n.div_ceil(CHUNK);
    if (0..chunks).into_par_iter().all(|c| increase((c * CHUNK).max(1)..((c + 1) * CHUNK).min(n))) {
        return None;
    }
    let keys: Vec<(u32, u32)> = (0..n).into_par_iter().with_min_len(CHUNK).map(|i| (key(i), i as u32)).collect();
    let (grouped, starts) = split_by_top_byte(&keys);
    drop(keys);
    let groups: Vec<&[(u32, u32)]> = (0..256).map(|g| &grouped[starts[g]..starts[g + 1]]).collect();
    groups
        .into_par_iter()
        .with_max_len(1)
        .map_init(Vec::new, |table, members| first_repeat_in_group(members, table, &same))
        .flatten()
        .min()
}

/// The first row of `members` (one group's (key, row) pairs, rows in increasing order)
/// that equals an earlier member, found with `table` (reused: cleared here).
fn first_repeat_in_group(
    members: &[(u32, u32)],
    table: &mut Vec<u64>,
    same: &impl Fn(usize, usize) -> bool,
) -> Option<usize> {
    // Slots taken from the key's low bits (its top byte is the group's); each holds
    // key << 32 | (row + 1), 0 when empty.
    let size = (4 * members.len()).next_power_of_two().max(16);
    let mask = size - 1;
    table.clear();
    table.resize(size, 0);
    for &(key, row) in members {
        let mut slot = key as usize & mask;
        loop {
            let entry = table[slot];
            if entry == 0 {
                table[slot] = (u64::from(key) << 32) | u64::from(row + 1);
                break;
            }
            // The same key: the same id is a repeat (`row` is later than the earlier
            // one, the members being in row order); another id, a collision, probes on.
            if (entry >> 32) as u32 == key && same((entry as u32 - 1) as usize, row as usize) {
                return Some(row as usize);
            }
            slot = (slot + 1) & mask;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(ids: &[&str]) -> (Vec<i32>, Vec<u8>) {
        let mut offsets = vec![0i32];
        let mut data = Vec::new();
        for s in ids {
            data.extend_from_slice(s.as_bytes());
            offsets.push(data.len() as i32);
        }
        (offsets, data)
    }

    #[test]
    fn finds_the_first_repeat_as_pandas_does() {
        let ids: Vec<String> = (0..100_000).map(|i| format!("P{i:07}")).collect();
        let mut refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let (o, d) = layout(&refs);
        assert_eq!(first_repeated_text(&o, &d).unwrap(), None);
        // Two repeats: the later-occurring first repeat is not the answer.
        refs[70_000] = "P0000005";
        refs[50_000] = "P0099999";
        let (o, d) = layout(&refs);
        assert_eq!(first_repeated_text(&o, &d).unwrap(), Some(70_000));
        refs.push("");
        refs.push("");
        let (o, d) = layout(&refs[99_000..]);
        assert_eq!(first_repeated_text(&o, &d).unwrap(), Some(1_001));
    }

    #[test]
    fn the_answer_does_not_depend_on_the_threads() {
        let ids: Vec<String> = (0..60_000).map(|i| format!("{}", (i * 7919) % 59_999)).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let (o, d) = layout(&refs);
        let run = |t: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
            pool.install(|| first_repeated_text(&o, &d).unwrap())
        };
        assert_eq!(run(1), run(3));
        assert_eq!(run(1), Some(59_999));
    }

    #[test]
    fn rejects_offsets_outside_the_data() {
        assert!(first_repeated_text(&[0i64, 5], b"abc").is_err());
        assert!(first_repeated_text(&[2i64, 1], b"abc").is_err());
        // Late in sorted ids (found by the ordered pass) and in unsorted ones (the hash pass).
        let ids: Vec<String> = (0..200_000).map(|i| format!("P{i:07}")).collect();
        let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let (mut o, d) = layout(&refs);
        o[150_000] = -1;
        assert!(first_repeated_text(&o, &d).is_err());
        o[150_000] = o[150_001];
        o.swap(3, 4);
        assert!(first_repeated_text(&o, &d).is_err());
    }

    #[test]
    fn sorted_ids_are_checked_by_the_ordered_pass_and_repeats_still_found() {
        // Ids sharing their first eight bytes (the whole texts compared), one repeat far in.
        let ids: Vec<String> = (0..150_000).map(|i| format!("19800101{i:06}")).collect();
        let mut refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let (o, d) = layout(&refs);
        assert_eq!(first_repeated_text(&o, &d).unwrap(), None);
        refs[140_001] = refs[140_000];
        let (o, d) = layout(&refs);
        assert_eq!(first_repeated_text(&o, &d).unwrap(), Some(140_001));
        let values: Vec<u64> = (0..150_000u64).map(|i| (i as i64 - 70_000) as u64).collect();
        assert_eq!(first_repeated_integer(&values), None);
        let mut values = values;
        values[149_999] = values[10];
        assert_eq!(first_repeated_integer(&values), Some(149_999));
    }

    #[test]
    fn equal_keys_of_different_ids_are_not_repeats() {
        // Every member of the group with one key: the table probes on past each.
        let texts: Vec<String> = (0..300).map(|i| format!("t{}", i % 200)).collect();
        let members: Vec<(u32, u32)> = (0..300).map(|i| (0x0700_0001, i)).collect();
        let same = |i: usize, j: usize| texts[i] == texts[j];
        assert_eq!(first_repeat_in_group(&members, &mut Vec::new(), &same), Some(200));
        assert_eq!(first_repeat_in_group(&members[..200], &mut vec![5; 3], &same), None);
    }

    #[test]
    fn integer_answers_do_not_depend_on_the_threads() {
        let mut values: Vec<u64> = (0..300_000u64).map(|i| (i * 2_654_435_761) % 1_000_003).collect();
        values[250_000] = values[99];
        values[260_000] = values[1];
        let run = |t: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
            pool.install(|| first_repeated_integer(&values))
        };
        assert_eq!(run(1), Some(250_000));
        assert_eq!(run(3), Some(250_000));
    }
}
