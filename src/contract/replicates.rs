//! Sums of several metrics over the bootstrap's own resamples.
//!
//! The evaluation's savings replicates come from a one-sample `"sum"`
//! bootstrap of the included participants: replicate `r` draws `n` row indices
//! with [`crate::bootstrap::replicate_rng`]`(seed, r)` and
//! [`crate::bootstrap::designs::draw_indices`]. [`joint_sums`] replays exactly
//! those draws and sums every metric column over them, so a school outcome
//! summed over the same resampled participants is drawn jointly with the
//! savings, and a savings column summed here equals the bootstrap's replicates
//! bit for bit (the same four interleaved accumulators).

use crate::bootstrap::designs::draw_indices;
use crate::bootstrap::replicate_rng;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Sums of each column over the rows drawn by replicates `start..start + count`:
/// `count x columns.len()`, row-major.
///
/// # Errors
/// `Error::Data` when the columns differ in length, hold a non-finite value or
/// have no rows.
pub fn joint_sums(seed: u64, start: u64, count: usize, columns: &[&[f64]]) -> Result<Vec<f64>> {
    let k = columns.len();
    let n = columns.first().map_or(0, |c| c.len());
    if n == 0 || n > u32::MAX as usize {
        return Err(Error::data("metrics", "", None, format!("resampling needs between 1 and 2^32 - 1 rows, not {n}")));
    }
    for (j, c) in columns.iter().enumerate() {
        if c.len() != n {
            return Err(Error::data("metrics", "", None, format!("column {j} has {} rows, column 0 has {n}", c.len())));
        }
        if let Some(row) = c.iter().position(|v| !v.is_finite()) {
            return Err(Error::data("metrics", "", Some(row), format!("column {j} is {}", c[row])));
        }
    }
    // Row-major values, so one draw reads one contiguous row.
    let rows: Vec<f64> = (0..n).flat_map(|i| columns.iter().map(move |c| c[i])).collect();
    let mut out = vec![0.0; count * k];
    if k == 0 {
        return Ok(out);
    }
    out.par_chunks_mut(k).enumerate().for_each(|(j, o)| {
        let mut rng = replicate_rng(seed, start + j as u64);
        let mut lanes = vec![[0.0f64; 4]; k];
        let mut lane = 0usize;
        draw_indices(&mut rng, n as u32, |i| {
            let row = &rows[i as usize * k..(i as usize + 1) * k];
            for (acc, &v) in lanes.iter_mut().zip(row) {
                acc[lane & 3] += v;
            }
            lane += 1;
        });
        for (o, s) in o.iter_mut().zip(&lanes) {
            *o = (s[0] + s[1]) + (s[2] + s[3]);
        }
    });
    Ok(out)
}
