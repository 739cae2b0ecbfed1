//! The jackknife acceleration of BCa intervals.
//!
//! The leave-one-out values come from [`super::Plan::leave_one_out`]: for totals
//! statistics (mean, sum, difference of means, ratio of sums, ...) each one is
//! the statistic of the totals minus the left-out unit's own, an exact O(1)
//! jackknife, so the acceleration at n = 1,000,000 costs one pass over the data.

use crate::concentration::Measure;
use rayon::prelude::*;
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

/// Leave-one-out values of sorted measures in O(n) overall (unit weights, one
/// sample): `n x k`, row-major, value `j` with sorted position `j` left out.
///
/// # Formula
/// With prefix sums `P_k = x_0 + ... + x_{k-1}` of the sorted values, the sample
/// without `x_j` has `m = n - 1` values, total `V' = S - x_j` and prefix sums
/// `Q_k = P_k` (`k <= j`), `P_{k+1} - x_j` (`k > j`); every measure is read from
/// these. Gini, for instance: values below `j` gain one in `2i - m - 1`, values
/// above lose one, so the numerator is `N - (2j - n + 1) x_j + P_j - (S - P_{j+1})`
/// (0-based `j`, `N = sum (2i - n + 1) x_i`), over `m V'`.
pub fn sorted_leave_one_out(x: &[f64], measures: &[Measure]) -> Vec<f64> {
    let n = x.len();
    let k = measures.len();
    let m = (n - 1) as f64;
    let mut prefix = Vec::with_capacity(n + 1);
    prefix.push(0.0);
    for &v in x {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + v);
    }
    let total = prefix[n];
    let gini_numerator: f64 = x.iter().enumerate().map(|(i, &v)| (2.0 * i as f64 - n as f64 + 1.0) * v).sum();
    let squares: f64 = x.iter().map(|v| v * v).sum();
    let x_log_x: f64 = x.iter().filter(|&&v| v > 0.0).map(|&v| v * v.ln()).sum();
    let logs: f64 = x.iter().filter(|&&v| v > 0.0).map(|&v| v.ln()).sum();
    let zeros = x.iter().filter(|&&v| v == 0.0).count();
    let mut out = vec![0.0; n * k];
    out.par_chunks_mut(k).enumerate().for_each(|(j, o)| {
        let xj = x[j];
        let v = total - xj;
        let y = |i: usize| if i < j { x[i] } else { x[i + 1] };
        let q = |i: usize| if i <= j { prefix[i] } else { prefix[i + 1] - xj };
        let lorenz = |f: f64| {
            let pos = f.clamp(0.0, 1.0) * m;
            if pos <= 0.0 {
                return 0.0;
            }
            let b = ((pos.ceil() as usize).max(1) - 1).min(n - 2);
            ((q(b) + (pos - b as f64) * y(b)) / v).min(1.0)
        };
        let gini =
            (gini_numerator - (2.0 * j as f64 - n as f64 + 1.0) * xj + prefix[j] - (total - prefix[j + 1])) / (m * v);
        let mu = v / m;
        for (slot, measure) in o.iter_mut().zip(measures) {
            *slot = match *measure {
                Measure::Lorenz(f) => lorenz(f),
                Measure::TopShare(p) => 1.0 - lorenz(1.0 - p),
                Measure::TopShareInteger(p) => {
                    let pos = (1.0 - p).clamp(0.0, 1.0) * m;
                    if pos <= 0.0 {
                        1.0
                    } else {
                        let b = ((pos.ceil() as usize).max(1) - 1).min(n - 2);
                        let fit = ((pos - b as f64) + 1e-9).floor().clamp(0.0, 1.0);
                        1.0 - (q(b) + fit * y(b)) / v
                    }
                }
                Measure::Quantile(p) => {
                    let h = (m - 1.0) * p.clamp(0.0, 1.0);
                    let lo = h.floor() as usize;
                    let hi = (lo + 1).min(n - 2);
                    y(lo) + (h - lo as f64) * (y(hi) - y(lo))
                }
                Measure::Gini => gini,
                Measure::GiniCorrected => gini * m / (m - 1.0),
                Measure::Hoover => {
                    let below_x = x.partition_point(|&t| t < mu);
                    let below = if j < below_x { below_x - 1 } else { below_x };
                    let sum_below = q(below);
                    let dev = below as f64 * mu - sum_below + (v - sum_below) - (m - below as f64) * mu;
                    dev / (2.0 * v)
                }
                Measure::TheilT => {
                    let own = if xj > 0.0 { xj * xj.ln() } else { 0.0 };
                    (x_log_x - own) / v - mu.ln()
                }
                Measure::MeanLogDeviation => {
                    if zeros - usize::from(xj == 0.0) > 0 {
                        f64::NAN
                    } else {
                        mu.ln() - (logs - xj.ln()) / m
                    }
                }
                Measure::Herfindahl => (squares - xj * xj) / (v * v),
                Measure::Mean => mu,
            };
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concentration::measures_sorted;

    #[test]
    fn sorted_closed_forms_match_the_generic_jackknife() {
        let mut x: Vec<f64> = (0..40).map(|i| ((i * 7919) % 23) as f64 * if i % 5 == 0 { 0.0 } else { 1.5 }).collect();
        x.sort_by(f64::total_cmp);
        let measures = [
            Measure::Gini,
            Measure::GiniCorrected,
            Measure::Hoover,
            Measure::TheilT,
            Measure::Herfindahl,
            Measure::Mean,
            Measure::TopShare(0.2),
            Measure::TopShare(0.37),
            Measure::TopShareInteger(0.2),
            Measure::TopShareInteger(0.33),
            Measure::Lorenz(0.0),
            Measure::Lorenz(0.5),
            Measure::Lorenz(1.0),
            Measure::Quantile(0.5),
            Measure::Quantile(0.9),
            Measure::MeanLogDeviation,
        ];
        let k = measures.len();
        let fast = sorted_leave_one_out(&x, &measures);
        let mut slow = vec![0.0; k];
        for j in 0..x.len() {
            let w = |i: usize| if i == j { 0.0 } else { 1.0 };
            measures_sorted(&x, w, w, &measures, &mut slow);
            for (m, (a, b)) in fast[j * k..(j + 1) * k].iter().zip(&slow).enumerate() {
                assert!((a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12, "{:?} at {j}: {a} vs {b}", measures[m]);
            }
        }
        let positive: Vec<f64> = x.iter().map(|v| v + 1.0).collect();
        let fast = sorted_leave_one_out(&positive, &[Measure::MeanLogDeviation]);
        for j in 0..positive.len() {
            let w = |i: usize| if i == j { 0.0 } else { 1.0 };
            measures_sorted(&positive, w, w, &[Measure::MeanLogDeviation], &mut slow[..1]);
            assert!((fast[j] - slow[0]).abs() < 1e-12);
        }
    }
}
