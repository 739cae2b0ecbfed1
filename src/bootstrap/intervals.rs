//! Confidence intervals from bootstrap replicates.
//!
//! Notation: `t0` the statistic on the data, `t*_1..t*_B` the replicates (non-finite
//! ones are dropped, as R boot does), `alpha = (1 - level)/2`, `q(p)` a quantile of
//! the replicates under the chosen [`QuantileRule`], `Phi` the standard normal cdf.
//!
//! - percentile: `[q(alpha), q(1 - alpha)]`;
//! - basic: `[2 t0 - q(1 - alpha), 2 t0 - q(alpha)]`;
//! - normal (bias-corrected, as R's `norm.ci`): `t0 - bias -/+ z_{1-alpha} se`,
//!   `bias = mean(t*) - t0`, `se` the standard deviation of the replicates (n - 1);
//! - BCa (as R's `bca.ci` and scipy): `z0 = Phi^-1(#{t* < t0} / B)`, acceleration `a`
//!   from the jackknife, endpoints `q(Phi(z0 + (z0 + z)/(1 - a (z0 + z))))` for
//!   `z = Phi^-1(alpha), Phi^-1(1 - alpha)`;
//! - studentized (bootstrap-t, as R's `stud.ci`): `z*_r = (t*_r - t0)/se*_r`,
//!   `[t0 - se0 qz(1 - alpha), t0 - se0 qz(alpha)]`.

use statrs::distribution::{ContinuousCDF, Normal};

/// How a quantile of the replicates is read off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantileRule {
    /// R boot's `norm.inter` (the default): the order statistic `k = (B + 1) p` when it
    /// is an integer; otherwise interpolation between order statistics `floor(k)` and
    /// `floor(k) + 1` on the normal-quantile scale,
    /// `t_(k) + (Phi^-1(p) - Phi^-1(k/(B+1))) / (Phi^-1((k+1)/(B+1)) - Phi^-1(k/(B+1))) (t_(k+1) - t_(k))`;
    /// the extreme order statistic when `k < 1` or `k >= B` (with a warning).
    R,
    /// numpy's default (linear, Hyndman & Fan type 7), as `scipy.stats.bootstrap`:
    /// position `h = (B - 1) p` (0-based), linear between `floor(h)` and `floor(h) + 1`.
    Linear,
}

/// An interval method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Percentile,
    Basic,
    Normal,
    Bca,
    Studentized,
}

/// One interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub method: Method,
    pub level: f64,
    pub low: f64,
    pub high: f64,
}

/// Estimate, standard error, bias and intervals of one statistic.
#[derive(Debug, Clone)]
pub struct Summary {
    pub estimate: f64,
    pub standard_error: f64,
    pub bias: f64,
    /// The BCa bias correction `z0` (NaN when not computed).
    pub z0: f64,
    pub intervals: Vec<Interval>,
    /// Problems worth a warning (an undefined BCa, extreme order statistics).
    pub warnings: Vec<String>,
}

/// What the interval methods need besides the replicates.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    pub estimate: f64,
    /// The BCa acceleration (NaN when unavailable).
    pub acceleration: f64,
    /// Replicate variances for studentized intervals, and the variance at the data.
    pub variances: Option<(&'a [f64], f64)>,
}

fn normal() -> Normal {
    Normal::new(0.0, 1.0).expect("the standard normal")
}

/// The `p` quantile of `sorted` (ascending, finite, non-empty) under `rule`.
///
/// # Examples
/// ```
/// use utfall::bootstrap::intervals::{quantile_sorted, QuantileRule};
/// let t: Vec<f64> = (1..=99).map(f64::from).collect();
/// // (B + 1) p = 5 is an integer: the 5th order statistic.
/// assert_eq!(quantile_sorted(&t, 0.05, QuantileRule::R, &mut Vec::new()), 5.0);
/// assert!((quantile_sorted(&t, 0.05, QuantileRule::Linear, &mut Vec::new()) - 5.9).abs() < 1e-12);
/// ```
pub fn quantile_sorted(sorted: &[f64], p: f64, rule: QuantileRule, warnings: &mut Vec<String>) -> f64 {
    let b = sorted.len();
    if b == 0 || p.is_nan() {
        return f64::NAN;
    }
    match rule {
        QuantileRule::Linear => {
            let h = (b - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(b - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
        QuantileRule::R => {
            let rk = (b + 1) as f64 * p;
            if !(rk > 1.0 && rk < b as f64) {
                let w = "extreme order statistics used as endpoints (too few resamples for this level)".to_string();
                if !warnings.contains(&w) {
                    warnings.push(w);
                }
            }
            let k = rk.trunc();
            if k <= 0.0 {
                return sorted[0];
            }
            if k >= b as f64 {
                return sorted[b - 1];
            }
            let ki = k as usize; // 1-based order statistic
            if k == rk {
                return sorted[ki - 1];
            }
            let n = normal();
            let z = n.inverse_cdf(p);
            let zk = n.inverse_cdf(k / (b + 1) as f64);
            let zk1 = n.inverse_cdf((k + 1.0) / (b + 1) as f64);
            let (tk, tk1) = (sorted[ki - 1], sorted[ki]);
            tk + (z - zk) / (zk1 - zk) * (tk1 - tk)
        }
    }
}

/// Estimate, standard error, bias and the intervals of `methods` at `levels`.
///
/// A method that is undefined for the data (BCa when every replicate equals the
/// estimate, studentized without variances) gives NaN endpoints and a warning.
pub fn summarize(
    replicates: &[f64],
    inputs: &Inputs<'_>,
    levels: &[f64],
    methods: &[Method],
    rule: QuantileRule,
) -> Summary {
    let t0 = inputs.estimate;
    let mut sorted: Vec<f64> = replicates.iter().copied().filter(|v| v.is_finite()).collect();
    let mut warnings = Vec::new();
    if sorted.len() < replicates.len() {
        warnings.push(format!(
            "{} of {} replicates were not finite and were left out",
            replicates.len() - sorted.len(),
            replicates.len()
        ));
    }
    sorted.sort_unstable_by(f64::total_cmp);
    let b = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / b;
    // Two-pass variance; the replicates are summed in sorted order, fixed for any thread count.
    let se = (sorted.iter().map(|t| (t - mean) * (t - mean)).sum::<f64>() / (b - 1.0)).sqrt();
    let bias = mean - t0;
    let n = normal();
    let z0 = if methods.contains(&Method::Bca) {
        n.inverse_cdf(sorted.partition_point(|&t| t < t0) as f64 / b)
    } else {
        f64::NAN
    };
    if methods.contains(&Method::Bca) {
        if !z0.is_finite() {
            warnings.push("BCa is undefined: the bias correction z0 is infinite because no replicate falls below (or none at or above) the estimate, e.g. when all values are equal".into());
        } else if !inputs.acceleration.is_finite() {
            warnings.push(
                "BCa is undefined: the jackknife acceleration is not finite (the leave-one-out values are all equal)"
                    .into(),
            );
        }
    }
    let studentized = inputs.variances.map(|(v, v0)| {
        let mut z: Vec<f64> =
            replicates.iter().zip(v).map(|(t, v)| (t - t0) / v.sqrt()).filter(|z| z.is_finite()).collect();
        z.sort_unstable_by(f64::total_cmp);
        (z, v0.sqrt())
    });
    if methods.contains(&Method::Studentized) {
        match &studentized {
            None => warnings.push("studentized intervals need a variance for the statistic; none is available".into()),
            Some((z, se0)) if z.is_empty() || !se0.is_finite() => {
                warnings.push("studentized intervals are undefined: every replicate has a zero variance".into())
            }
            _ => {}
        }
    }
    let mut intervals = Vec::new();
    for &level in levels {
        let alpha = (1.0 - level) / 2.0;
        for &method in methods {
            let mut q = |p: f64| quantile_sorted(&sorted, p, rule, &mut warnings);
            let (low, high) = match method {
                Method::Percentile => (q(alpha), q(1.0 - alpha)),
                Method::Basic => (2.0 * t0 - q(1.0 - alpha), 2.0 * t0 - q(alpha)),
                Method::Normal => {
                    let half = n.inverse_cdf(1.0 - alpha) * se;
                    (t0 - bias - half, t0 - bias + half)
                }
                Method::Bca => {
                    let a = inputs.acceleration;
                    if z0.is_finite() && a.is_finite() {
                        let adjust = |z: f64| n.cdf(z0 + (z0 + z) / (1.0 - a * (z0 + z)));
                        let (zl, zh) = (n.inverse_cdf(alpha), n.inverse_cdf(1.0 - alpha));
                        (q(adjust(zl)), q(adjust(zh)))
                    } else {
                        (f64::NAN, f64::NAN)
                    }
                }
                Method::Studentized => match &studentized {
                    Some((z, se0)) if !z.is_empty() && se0.is_finite() => {
                        let qz = |p: f64| quantile_sorted(z, p, rule, &mut Vec::new());
                        (t0 - se0 * qz(1.0 - alpha), t0 - se0 * qz(alpha))
                    }
                    _ => (f64::NAN, f64::NAN),
                },
            };
            intervals.push(Interval { method, level, low, high });
        }
    }
    Summary { estimate: t0, standard_error: se, bias, z0, intervals, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_rule_interpolates_on_the_normal_scale() {
        let t: Vec<f64> = (1..=10).map(f64::from).collect();
        // (B + 1) p = 11 * 0.3 = 3.3: between the 3rd and 4th order statistics.
        let v = quantile_sorted(&t, 0.3, QuantileRule::R, &mut Vec::new());
        assert!(v > 3.0 && v < 4.0);
        let n = normal();
        let expected = 3.0
            + (n.inverse_cdf(0.3) - n.inverse_cdf(3.0 / 11.0))
                / (n.inverse_cdf(4.0 / 11.0) - n.inverse_cdf(3.0 / 11.0));
        assert!((v - expected).abs() < 1e-12);
    }

    #[test]
    fn degenerate_replicates_give_constant_percentile_and_nan_bca() {
        let t = vec![5.0; 100];
        let inputs = Inputs { estimate: 5.0, acceleration: f64::NAN, variances: None };
        let s = summarize(
            &t,
            &inputs,
            &[0.95],
            &[Method::Percentile, Method::Basic, Method::Normal, Method::Bca],
            QuantileRule::R,
        );
        assert_eq!(s.standard_error, 0.0);
        assert_eq!((s.intervals[0].low, s.intervals[0].high), (5.0, 5.0));
        assert_eq!((s.intervals[1].low, s.intervals[1].high), (5.0, 5.0));
        assert_eq!((s.intervals[2].low, s.intervals[2].high), (5.0, 5.0));
        assert!(s.intervals[3].low.is_nan() && s.intervals[3].high.is_nan());
        assert!(!s.warnings.is_empty());
    }
}
