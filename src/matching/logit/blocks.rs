//! The loops over one block of [`BLOCK`] rows in the unrolled pass of the logit fit: the
//! linear predictor, the weighted columns and the sums of `X' W X` and `X' W z` in
//! interleaved partial sums, in explicit 256-bit vectors when `V` (functions compiled for
//! AVX2 or AVX-512, after the CPU was checked) and in plain loops otherwise. The same IEEE
//! operations in the same order either way, so the bits are the same.

use super::{BLOCK, LANES};

/// `eta[i] = ((0 + x_0[i] b_0) + x_1[i] b_1) + ...` over a block (as `V` in [`super::chunk_pass`]).
/// The compiler, left to itself, computed this one row at a time (or gathered across the
/// columns), which took a third of the fit.
#[inline(always)]
pub(super) fn block_eta<const V: bool>(xb: &[&[f64; BLOCK]], beta: &[f64], eta: &mut [f64; BLOCK]) {
    #[cfg(target_arch = "x86_64")]
    if V {
        use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd, _mm256_storeu_pd};
        for g in (0..BLOCK).step_by(LANES) {
            // SAFETY: V is true only inside functions compiled with AVX2 and called after
            // the CPU was checked; every load and store is of four values inside a block.
            unsafe {
                let mut e = _mm256_loadu_pd(eta.as_ptr().add(g));
                for (x, &bj) in xb.iter().zip(beta) {
                    e = _mm256_add_pd(e, _mm256_mul_pd(_mm256_loadu_pd(x.as_ptr().add(g)), _mm256_set1_pd(bj)));
                }
                _mm256_storeu_pd(eta.as_mut_ptr().add(g), e);
            }
        }
        return;
    }
    for (x, &bj) in xb.iter().zip(beta) {
        for i in 0..BLOCK {
            eta[i] += x[i] * bj;
        }
    }
}

/// `out[i] = w[i] x[i]` over a block (as `V` in [`super::chunk_pass`]).
#[inline(always)]
pub(super) fn block_weighted<const V: bool>(w: &[f64; BLOCK], x: &[f64; BLOCK], out: &mut [f64; BLOCK]) {
    #[cfg(target_arch = "x86_64")]
    if V {
        use std::arch::x86_64::{_mm256_loadu_pd, _mm256_mul_pd, _mm256_storeu_pd};
        for g in (0..BLOCK).step_by(LANES) {
            // SAFETY: as in `block_eta`.
            unsafe {
                let v = _mm256_mul_pd(_mm256_loadu_pd(w.as_ptr().add(g)), _mm256_loadu_pd(x.as_ptr().add(g)));
                _mm256_storeu_pd(out.as_mut_ptr().add(g), v);
            }
        }
        return;
    }
    for i in 0..BLOCK {
        out[i] = w[i] * x[i];
    }
}

/// Adds the products of two blocks into interleaved partial sums (`acc[l]` gets the rows
/// `l`, `l + LANES`, ...): vectorisable and in a fixed order.
#[inline(always)]
pub(super) fn accumulate<const V: bool>(acc: &mut [f64; LANES], u: &[f64; BLOCK], v: &[f64; BLOCK]) {
    #[cfg(target_arch = "x86_64")]
    if V {
        use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_storeu_pd};
        // SAFETY: as in `block_eta`.
        unsafe {
            let mut a = _mm256_loadu_pd(acc.as_ptr());
            for g in (0..BLOCK).step_by(LANES) {
                a = _mm256_add_pd(
                    a,
                    _mm256_mul_pd(_mm256_loadu_pd(u.as_ptr().add(g)), _mm256_loadu_pd(v.as_ptr().add(g))),
                );
            }
            _mm256_storeu_pd(acc.as_mut_ptr(), a);
        }
        return;
    }
    for (u, v) in u.chunks_exact(LANES).zip(v.chunks_exact(LANES)) {
        for l in 0..LANES {
            acc[l] += u[l] * v[l];
        }
    }
}

/// [`accumulate`] of one block `u` against each of the blocks `vs` into `acc[k]`, and
/// against `z` into `acc_z`, with the block `u` held in registers across them (as `V` in
/// [`super::chunk_pass`]): a row of `X' W X` and its element of `X' W z`, with half the loads of
/// one [`accumulate`] per pair (the fit took 10-15 % less time).
#[inline(always)]
pub(super) fn accumulate_row<const V: bool>(
    acc: &mut [[f64; LANES]],
    acc_z: &mut [f64; LANES],
    u: &[f64; BLOCK],
    vs: &[&[f64; BLOCK]],
    z: &[f64; BLOCK],
) {
    #[cfg(target_arch = "x86_64")]
    if V {
        use std::arch::x86_64::{__m256d, _mm256_add_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_storeu_pd};
        const GROUPS: usize = BLOCK / LANES;
        // SAFETY: as in `block_eta`.
        unsafe {
            let held: [__m256d; GROUPS] = std::array::from_fn(|g| _mm256_loadu_pd(u.as_ptr().add(g * LANES)));
            for (acc, v) in acc.iter_mut().zip(vs.iter().copied()).chain(std::iter::once((acc_z, z))) {
                let mut a = _mm256_loadu_pd(acc.as_ptr());
                for (g, &w) in held.iter().enumerate() {
                    a = _mm256_add_pd(a, _mm256_mul_pd(w, _mm256_loadu_pd(v.as_ptr().add(g * LANES))));
                }
                _mm256_storeu_pd(acc.as_mut_ptr(), a);
            }
        }
        return;
    }
    for (acc, v) in acc.iter_mut().zip(vs) {
        accumulate::<false>(acc, u, v);
    }
    accumulate::<false>(acc_z, u, z);
}

/// Adds blocks into interleaved partial sums (`acc[k]` gets the rows of `vs[k]` as
/// [`accumulate`] would add them times one), as `V` in [`super::chunk_pass`].
#[inline(always)]
pub(super) fn accumulate_sums<const V: bool>(acc: &mut [[f64; LANES]], vs: &[[f64; BLOCK]]) {
    #[cfg(target_arch = "x86_64")]
    if V {
        use std::arch::x86_64::{_mm256_add_pd, _mm256_loadu_pd, _mm256_storeu_pd};
        // SAFETY: as in `block_eta`.
        unsafe {
            for (acc, v) in acc.iter_mut().zip(vs) {
                let mut a = _mm256_loadu_pd(acc.as_ptr());
                for g in (0..BLOCK).step_by(LANES) {
                    a = _mm256_add_pd(a, _mm256_loadu_pd(v.as_ptr().add(g)));
                }
                _mm256_storeu_pd(acc.as_mut_ptr(), a);
            }
        }
        return;
    }
    for (acc, v) in acc.iter_mut().zip(vs) {
        for v in v.chunks_exact(LANES) {
            for l in 0..LANES {
                acc[l] += v[l];
            }
        }
    }
}

/// The total of interleaved partial sums, in a fixed order.
#[inline(always)]
pub(super) fn lane_sum(acc: &[f64; LANES]) -> f64 {
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}
