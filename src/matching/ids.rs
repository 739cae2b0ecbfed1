//! Unit ids given as text: are they unique, read in place from Arrow's string buffers.
//!
//! pandas' Arrow-backed strings (pandas 3's default `str` dtype, `string[pyarrow]`) keep
//! every id in one byte buffer with an offsets array. Checking them for duplicates with
//! pandas turns them into a million Python objects first; here the two buffers are read
//! as they are, without a copy, so a text id costs no more than an integer one.
//!
//! # Method
//!
//! Every id is hashed (FxHash of its bytes, in parallel), the rows are split by the top
//! eight bits of their hash below the top byte into 256 groups (a stable counting sort, so
//! each group keeps the rows in order, each row with its hash), and each group, small
//! enough for the cache, is checked with an open-addressing table of (hash, row) probed
//! linearly (a third of the time of a general hash map); equal hashes are confirmed by
//! comparing the bytes. The answer is the first row whose id occurred in an earlier row
//! (pandas' first `duplicated()`), independent of the number of threads.

use crate::error::{Error, Result};
use rayon::prelude::*;
use std::hash::Hasher;

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
    let bad = || Error::data("data", "id", None, "the text ids' Arrow offsets do not fit their data buffer");
    let bounds = |i: usize| -> Option<(usize, usize)> {
        let (a, b) = (offsets[i].into(), offsets[i + 1].into());
        (0 <= a && a <= b && b as u64 <= data.len() as u64).then_some((a as usize, b as usize))
    };
    let text = |i: usize| -> &[u8] {
        let (a, b) = bounds(i).expect("checked");
        &data[a..b]
    };
    if (0..n).any(|i| bounds(i).is_none()) {
        return Err(bad());
    }
    // (Checked first, so that the hashes are collected straight into place.)
    let hashes: Vec<u64> = (0..n)
        .into_par_iter()
        .with_min_len(1 << 14)
        .map(|i| {
            let mut h = rustc_hash::FxHasher::default();
            let t = text(i);
            h.write(t);
            h.write_usize(t.len());
            h.finish()
        })
        .collect();
    const GROUPS: usize = 256;
    // Bits 48..56: the table inside a group takes its slots from the low bits and its
    // control bytes from the top seven, which must not be the same for a whole group.
    let group = |h: u64| ((h >> 48) & 0xff) as usize;
    let mut start = vec![0usize; GROUPS + 1];
    for &h in &hashes {
        start[group(h) + 1] += 1;
    }
    for g in 0..GROUPS {
        start[g + 1] += start[g];
    }
    // Each row's hash goes with it: a group's rows lie all over `hashes`, and reading
    // them there was a cache miss per row (90 % of the time at a million ids).
    let mut fill = start.clone();
    let mut grouped = vec![(0u64, 0u32); n];
    for (i, &h) in hashes.iter().enumerate() {
        let g = group(h);
        grouped[fill[g]] = (h, i as u32);
        fill[g] += 1;
    }
    let first = (0..GROUPS)
        .into_par_iter()
        .filter_map(|g| {
            let members = &grouped[start[g]..start[g + 1]];
            // An open-addressing table of (hash, row + 1), probed linearly from the hash's
            // low bits (the group is the bits 48..56, so the low ones still differ).
            let size = (2 * members.len()).next_power_of_two().max(16);
            let mask = size - 1;
            let mut table = vec![(0u64, 0u32); size];
            for &(h, r) in members {
                let mut slot = h as usize & mask;
                loop {
                    let (th, tr) = table[slot];
                    if tr == 0 {
                        table[slot] = (h, r + 1);
                        break;
                    }
                    // The same hash: the same text is a repeat (`r` is later than the
                    // earlier row, the members being in row order); another text, a
                    // collision (rare), probes on.
                    if th == h && text(tr as usize - 1) == text(r as usize) {
                        return Some(r as usize);
                    }
                    slot = (slot + 1) & mask;
                }
            }
            None
        })
        .min();
    Ok(first)
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
    }
}
