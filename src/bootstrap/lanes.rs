//! Several replicates drawn at once, each exactly as if drawn alone.
//!
//! One replicate's draws form a serial chain: every xoshiro256++ output
//! depends on the previous state, and a core waits on that chain more than it
//! computes. [`Lanes`] runs the generators of [`LANES`] consecutive replicates
//! side by side (state held word by word across the replicates, so the compiler
//! keeps the lanes in vector registers), and [`sum_draws`] turns each lane's
//! outputs into bounded indices, gathers the values and adds them up, with the
//! same arithmetic in the same order as the one-replicate path
//! ([`super::designs::draw_indices`] with four accumulators): lane `l` gives
//! the bits of replicate `l` alone, whatever the other lanes hold. The random
//! stream is unchanged (stream version 1, see [`super::STREAM_VERSION`]).

use crate::rng::stream;
use rand::{RngCore, SeedableRng};
use rand_xoshiro::SplitMix64;

/// Replicates drawn side by side.
pub const LANES: usize = 4;

/// How many index pairs ahead of the gather the values are prefetched.
const AHEAD: usize = 16;

/// Segments of at least this many values (1 MiB, this machine's L2 per core)
/// are drawn in lanes with prefetching; below it the gathers hit the cache and
/// one replicate at a time is as fast (measured: AMD EPYC, no AVX2).
pub const PREFETCH_FROM: usize = 1 << 17;

/// The xoshiro256++ states of [`LANES`] replicates, word-major (`s[word][lane]`).
#[derive(Debug, Clone)]
pub struct Lanes {
    s: [[u64; LANES]; 4],
}

/// The xoshiro256++ state of replicate `r` under `seed`: the one
/// [`super::replicate_rng`] builds (`Xoshiro256PlusPlus::from_rng` on
/// `rng::stream(seed, r)`: four outputs as the state words, and rand_xoshiro's
/// replacement for the all-zero state).
pub fn replicate_state(seed: u64, r: u64) -> [u64; 4] {
    let mut source = stream(seed, r);
    let s = [source.next_u64(), source.next_u64(), source.next_u64(), source.next_u64()];
    if s == [0; 4] {
        let mut z = SplitMix64::seed_from_u64(0);
        return [z.next_u64(), z.next_u64(), z.next_u64(), z.next_u64()];
    }
    s
}

impl Lanes {
    /// The generators of replicates `first .. first + LANES` under `seed`.
    pub fn new(seed: u64, first: u64) -> Lanes {
        let mut s = [[0u64; LANES]; 4];
        for l in 0..LANES {
            let state = replicate_state(seed, first + l as u64);
            for w in 0..4 {
                s[w][l] = state[w];
            }
        }
        Lanes { s }
    }

    /// The next output of every lane.
    #[inline(always)]
    fn next(&mut self) -> [u64; LANES] {
        let s = &mut self.s;
        let mut out = [0u64; LANES];
        for l in 0..LANES {
            out[l] = s[0][l].wrapping_add(s[3][l]).rotate_left(23).wrapping_add(s[0][l]);
            let t = s[1][l] << 17;
            s[2][l] ^= s[0][l];
            s[3][l] ^= s[1][l];
            s[1][l] ^= s[2][l];
            s[0][l] ^= s[3][l];
            s[2][l] ^= t;
            s[3][l] = s[3][l].rotate_left(45);
        }
        out
    }

    /// The next output of lane `l` alone (for the rare rejected draw).
    #[inline(never)]
    fn next_of(&mut self, l: usize) -> u64 {
        let s = &mut self.s;
        let out = s[0][l].wrapping_add(s[3][l]).rotate_left(23).wrapping_add(s[0][l]);
        let t = s[1][l] << 17;
        s[2][l] ^= s[0][l];
        s[3][l] ^= s[1][l];
        s[1][l] ^= s[2][l];
        s[0][l] ^= s[3][l];
        s[2][l] ^= t;
        s[3][l] = s[3][l].rotate_left(45);
        out
    }

    /// Lemire's rejection for lane `l`: draws again until the low product clears `threshold`.
    #[cold]
    fn redraw(&mut self, l: usize, n: u64, threshold: u32) -> u32 {
        loop {
            let m = (self.next_of(l) >> 32) * n;
            if (m as u32) >= threshold {
                return (m >> 32) as u32;
            }
        }
    }

    /// The indices of one output per lane: its low then its high 32 bits, each
    /// bounded to `0..n` by [`super::designs::draw_indices`]'s rule.
    #[inline(always)]
    fn pair(&mut self, n: u64, threshold: u32) -> [[u32; LANES]; 2] {
        let v = self.next();
        let mut m = [[0u64; LANES]; 2];
        let mut rejected = false;
        for l in 0..LANES {
            m[0][l] = (v[l] & 0xFFFF_FFFF) * n;
            m[1][l] = (v[l] >> 32) * n;
            rejected |= ((m[0][l] as u32) < threshold) | ((m[1][l] as u32) < threshold);
        }
        let mut idx = [[0u32; LANES]; 2];
        for l in 0..LANES {
            idx[0][l] = (m[0][l] >> 32) as u32;
            idx[1][l] = (m[1][l] >> 32) as u32;
        }
        if rejected {
            // The low half's redraws come before the high half's, as in the one-lane order.
            for l in 0..LANES {
                for h in 0..2 {
                    if (m[h][l] as u32) < threshold {
                        idx[h][l] = self.redraw(l, n, threshold);
                    }
                }
            }
        }
        idx
    }

    /// One index per lane from the high half of a fresh output (a segment's odd last draw).
    #[inline]
    fn single(&mut self, n: u64, threshold: u32) -> [u32; LANES] {
        let v = self.next();
        let mut idx = [0u32; LANES];
        for l in 0..LANES {
            let m = (v[l] >> 32) * n;
            idx[l] = if (m as u32) < threshold { self.redraw(l, n, threshold) } else { (m >> 32) as u32 };
        }
        idx
    }
}

#[inline(always)]
fn prefetch(values: &[f64], i: u32) {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: a prefetch is a hint and never faults; the pointer stays inside `values`.
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = values.as_ptr().wrapping_add(i as usize) as *const i8;
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, i);
}

/// The sum (and sum of squares when `SQUARES`) of `values.len()` draws from
/// `values`, for each lane: what [`super::sum_draws`] gives replicate by replicate.
///
/// Draw `j` of a lane goes to its accumulator `j mod 4` and the four are added
/// as `(a0 + a1) + (a2 + a3)`, as in the one-replicate path. For values that do
/// not fit in the L2 cache ([`PREFETCH_FROM`]) the indices are made [`AHEAD`] pairs before their
/// gather and the values prefetched; the order of the additions stays the same.
pub fn sum_draws<const SQUARES: bool>(lanes: &mut Lanes, values: &[f64]) -> [(f64, f64); LANES] {
    let n = values.len() as u32;
    let n64 = n as u64;
    // Lemire: a low product below 2^32 mod n is rejected (only then is it below n).
    let threshold = n.wrapping_neg() % n;
    let (mut s, mut q) = ([[0.0f64; LANES]; 4], [[0.0f64; LANES]; 4]);
    let pairs = (n / 2) as usize;
    let mut add = |acc: usize, idx: &[u32; LANES]| {
        for l in 0..LANES {
            debug_assert!((idx[l] as usize) < values.len());
            // SAFETY: an index is the high half of x * n with x < 2^32, so below n = values.len().
            let v = unsafe { *values.get_unchecked(idx[l] as usize) };
            s[acc][l] += v;
            if SQUARES {
                q[acc][l] += v * v;
            }
        }
    };
    if values.len() < PREFETCH_FROM || pairs <= AHEAD {
        let mut p = 0;
        while p + 2 <= pairs {
            let a = lanes.pair(n64, threshold);
            let b = lanes.pair(n64, threshold);
            add(0, &a[0]);
            add(1, &a[1]);
            add(2, &b[0]);
            add(3, &b[1]);
            p += 2;
        }
        if p < pairs {
            let a = lanes.pair(n64, threshold);
            add(0, &a[0]);
            add(1, &a[1]);
        }
    } else {
        // A ring of the next AHEAD pairs' indices, prefetched when made.
        let mut ring = [[[0u32; LANES]; 2]; AHEAD];
        for slot in ring.iter_mut() {
            *slot = lanes.pair(n64, threshold);
            slot.iter().flatten().for_each(|&i| prefetch(values, i));
        }
        for p in 0..pairs {
            let slot = p % AHEAD;
            let idx = ring[slot];
            if p + AHEAD < pairs {
                ring[slot] = lanes.pair(n64, threshold);
                ring[slot].iter().flatten().for_each(|&i| prefetch(values, i));
            }
            let acc = (2 * p) & 3;
            add(acc, &idx[0]);
            add(acc + 1, &idx[1]);
        }
    }
    if n % 2 == 1 {
        let idx = lanes.single(n64, threshold);
        add((n as usize - 1) & 3, &idx);
    }
    let mut out = [(0.0, 0.0); LANES];
    for l in 0..LANES {
        out[l] = ((s[0][l] + s[1][l]) + (s[2][l] + s[3][l]), (q[0][l] + q[1][l]) + (q[2][l] + q[3][l]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_states_are_the_replicate_generators() {
        for (seed, r) in [(0u64, 0u64), (1, 7), (u64::MAX, u64::MAX - 3)] {
            let mut one = super::super::replicate_rng(seed, r);
            let mut lanes = Lanes::new(seed, r);
            for _ in 0..100 {
                let v = lanes.next();
                assert_eq!(v[0], one.next_u64());
            }
        }
    }

    #[test]
    fn lane_sums_are_the_one_replicate_sums_bit_for_bit() {
        // Small n: rejections are frequent (n near 2^32 makes them likeliest; here
        // n = 3 rejects 1 in 2^32, so also an n whose threshold is large).
        let mut x: Vec<f64> = (0..PREFETCH_FROM + 2).map(|i| ((i as f64) * 0.37).sin() * 1e3 + 1e4).collect();
        x[5] = 1e300_f64.sqrt();
        for n in [2usize, 3, 4, 5, 7, 8, 9, 33, 1000, 1001, PREFETCH_FROM + 1, PREFETCH_FROM + 2] {
            let values = &x[..n];
            for first in [0u64, 13] {
                let mut lanes = Lanes::new(99, first);
                let got = sum_draws::<true>(&mut lanes, values);
                for l in 0..LANES {
                    let mut rng = super::super::replicate_rng(99, first + l as u64);
                    let want = super::super::sum_draws::<true>(&mut rng, values);
                    assert_eq!(got[l].0.to_bits(), want.0.to_bits(), "n {n} lane {l}");
                    assert_eq!(got[l].1.to_bits(), want.1.to_bits(), "n {n} lane {l}");
                }
            }
        }
    }

    #[test]
    fn rejections_follow_the_one_lane_order() {
        // n = 3 * 2^30 + 1: about a quarter of the low products are rejected.
        let n = 3u32 * (1 << 30) + 1;
        let threshold = n.wrapping_neg() % n;
        let mut lanes = Lanes::new(5, 0);
        let mut rngs: Vec<_> = (0..LANES as u64).map(|l| super::super::replicate_rng(5, l)).collect();
        for _ in 0..2000 {
            let got = lanes.pair(n as u64, threshold);
            for l in 0..LANES {
                let rng = &mut rngs[l];
                let v = rng.next_u64();
                let a = super::super::designs::lemire(v as u32, n, rng);
                let b = super::super::designs::lemire((v >> 32) as u32, n, rng);
                assert_eq!([got[0][l], got[1][l]], [a, b]);
            }
        }
    }
}
