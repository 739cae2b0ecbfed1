//! The jackknife acceleration of BCa intervals.
//!
//! The leave-one-out values come from [`super::Plan::leave_one_out`]: for totals
//! statistics (mean, sum, difference of means, ratio of sums, ...) each one is
//! the statistic of the totals minus the left-out unit's own, an exact O(1)
//! jackknife, so the acceleration at n = 1,000,000 costs one pass over the data.

use std::ops::Range;

/// The BCa acceleration from leave-one-unit-out values `loo` (one per unit,
/// units grouped into `segments`, each resampled separately).
///
/// # Formula
/// With `theta_(u)` the statistic without unit `u` of segment `k` (of `n_k` units),
/// `thetabar_k` their mean in the segment and `U_u = (n_k - 1)(thetabar_k - theta_(u))`,
///
/// `a = (1/6) sum_k sum_u U_u^3 / n_k^3  /  (sum_k sum_u U_u^2 / n_k^2)^(3/2)`.
///
/// For one segment this is R boot's `sum(L^3) / (6 sum(L^2)^1.5)` with the
/// jackknife influence values `L = U`; for several independent samples it is
/// scipy's `_bca_interval` (each sample jackknifed in turn); strata are treated
/// as samples. NaN when every `U` is 0 (e.g. all values equal).
///
/// # Examples
/// ```
/// // The mean: U_u = x_u - mean.
/// let x = [1.0, 2.0, 6.0];
/// let loo: Vec<f64> = (0..3).map(|i| (9.0 - x[i]) / 2.0).collect();
/// let a = utfall::bootstrap::jackknife::acceleration(&loo, &[0..3]);
/// let u = [-2.0f64, -1.0, 3.0];
/// let expected = u.iter().map(|v| v.powi(3)).sum::<f64>() / (6.0 * u.iter().map(|v| v * v).sum::<f64>().powf(1.5));
/// assert!((a - expected).abs() < 1e-15);
/// ```
pub fn acceleration(loo: &[f64], segments: &[Range<usize>]) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for seg in segments {
        let n = seg.len() as f64;
        if seg.len() < 2 {
            continue;
        }
        let mean = loo[seg.clone()].iter().sum::<f64>() / n;
        let (mut cubes, mut squares) = (0.0, 0.0);
        for &t in &loo[seg.clone()] {
            let u = (n - 1.0) * (mean - t);
            cubes += u * u * u;
            squares += u * u;
        }
        num += cubes / (n * n * n);
        den += squares / (n * n);
    }
    if den == 0.0 {
        return f64::NAN;
    }
    num / (6.0 * den.powf(1.5))
}

/// [`acceleration`] for each of `k` outputs of a vector statistic, from
/// leave-one-out values `n_units x k`, row-major.
pub fn accelerations(loo: &[f64], k: usize, segments: &[Range<usize>]) -> Vec<f64> {
    let n_units = loo.len().checked_div(k).unwrap_or(0);
    (0..k)
        .map(|j| {
            let column: Vec<f64> = (0..n_units).map(|u| loo[u * k + j]).collect();
            acceleration(&column, segments)
        })
        .collect()
}
