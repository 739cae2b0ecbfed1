//! The built-in statistics, computed from a replicate's draws without ever
//! materialising the resampled data.
//!
//! Two families:
//! - **Totals** statistics are smooth functions `g(T0, M0, T1, M1)` of weighted
//!   totals: `Tv` the sum of variable `v` over the resampled rows, `Mv` the number
//!   of resampled rows of variable `v`. A replicate only accumulates these four
//!   numbers (and, for studentized intervals, their cross products) while it
//!   draws: O(1) memory, whatever the data size.
//! - **Sorted** statistics (quantiles, top shares, Gini, ...) need the order of
//!   the values: the data are sorted once, a replicate counts how often each unit
//!   is drawn (O(n) memory per thread) and walks the sorted values with those
//!   counts as weights ([`crate::concentration::measures_sorted`]).
//!
//! Variables: with one column and one sample, variable 0 is that column; with
//! two independent samples, variable `v` is sample `v`; with two paired columns
//! (rows resampled together), variable `v` is column `v`.

use crate::concentration::Measure;

/// A statistic of the weighted totals `T0, M0, T1, M1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linear {
    /// `T0 / M0`: the mean of variable 0.
    Mean,
    /// `T0`: the sum of variable 0.
    Sum,
    /// `T0/M0 - T1/M1`: mean of variable 0 minus mean of variable 1 (for paired
    /// columns, the mean of the row differences).
    DifferenceOfMeans,
    /// `T0 - T1`: e.g. savings = sum(expected) - sum(actual) over the resampled rows.
    DifferenceOfSums,
    /// `T0 / T1`.
    RatioOfSums,
    /// `(T0/M0) / (T1/M1)`.
    RatioOfMeans,
}

impl Linear {
    /// How many variables the statistic reads.
    pub fn n_variables(self) -> usize {
        match self {
            Linear::Mean | Linear::Sum => 1,
            _ => 2,
        }
    }

    /// The statistic at totals `z = [T0, M0, T1, M1]`.
    #[inline]
    pub fn value(self, z: &[f64; 4]) -> f64 {
        let [t0, m0, t1, m1] = *z;
        match self {
            Linear::Mean => t0 / m0,
            Linear::Sum => t0,
            Linear::DifferenceOfMeans => t0 / m0 - t1 / m1,
            Linear::DifferenceOfSums => t0 - t1,
            Linear::RatioOfSums => t0 / t1,
            Linear::RatioOfMeans => (t0 * m1) / (m0 * t1),
        }
    }

    /// The gradient of the statistic with respect to `[T0, M0, T1, M1]`.
    #[inline]
    pub fn gradient(self, z: &[f64; 4]) -> [f64; 4] {
        let [t0, m0, t1, m1] = *z;
        match self {
            Linear::Mean => [1.0 / m0, -t0 / (m0 * m0), 0.0, 0.0],
            Linear::Sum => [1.0, 0.0, 0.0, 0.0],
            Linear::DifferenceOfMeans => [1.0 / m0, -t0 / (m0 * m0), -1.0 / m1, t1 / (m1 * m1)],
            Linear::DifferenceOfSums => [1.0, 0.0, -1.0, 0.0],
            Linear::RatioOfSums => [1.0 / t1, 0.0, -t0 / (t1 * t1), 0.0],
            Linear::RatioOfMeans => {
                let r = (t0 * m1) / (m0 * t1);
                [r / t0, -r / m0, -r / t1, r / m1]
            }
        }
    }
}

/// A built-in statistic.
#[derive(Debug, Clone, PartialEq)]
pub enum Statistic {
    /// One smooth function of the totals.
    Linear(Linear),
    /// One or more measures of the sorted values of variable 0 (e.g. all the
    /// concentration measures and Lorenz points at once): a vector statistic.
    Sorted(Vec<Measure>),
}

impl Statistic {
    /// The number of values per replicate.
    pub fn n_outputs(&self) -> usize {
        match self {
            Statistic::Linear(_) => 1,
            Statistic::Sorted(m) => m.len(),
        }
    }

    /// The number of variables the statistic reads.
    pub fn n_variables(&self) -> usize {
        match self {
            Statistic::Linear(l) => l.n_variables(),
            Statistic::Sorted(_) => 1,
        }
    }
}

/// The first and second moments of the unit totals `z_u = [s0, n0, s1, n1]`
/// drawn in one segment: `m1 = sum_u c_u z_u`, `m2 = sum_u c_u z_u z_u'`
/// (upper triangle, row by row), `units` the number of units the segment draws.
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    pub m1: [f64; 4],
    pub m2: [f64; 10],
    pub units: f64,
}

/// Index of `(i, j)`, `i <= j`, in the upper triangle of a 4 x 4 matrix.
#[inline]
pub const fn upper(i: usize, j: usize) -> usize {
    i * 4 - i * (i + 1) / 2 + j
}

impl Moments {
    /// Adds one drawn unit with totals `z`.
    #[inline]
    pub fn add(&mut self, z: &[f64; 4], second: bool) {
        for (m, v) in self.m1.iter_mut().zip(z) {
            *m += v;
        }
        if second {
            for i in 0..4 {
                for j in i..4 {
                    self.m2[upper(i, j)] += z[i] * z[j];
                }
            }
        }
    }
}

/// The value and the delta-method variance of a linear statistic over segments.
///
/// # Formula
/// With `D_u = grad g(T) . z_u` the linearised contribution of unit `u`,
/// `var = sum_k n_k/(n_k - 1) sum_{u in k} c_u (D_u - Dbar_k)^2`, which is the
/// familiar `s^2 / n` for a mean (`n_k` the units segment `k` draws,
/// `Dbar_k = sum c_u D_u / n_k`). Only its ratio between replicates matters
/// for studentized intervals.
pub fn linear_value_and_variance(stat: Linear, segments: &[Moments], want_variance: bool) -> (f64, f64) {
    let mut total = [0.0; 4];
    for s in segments {
        for (t, v) in total.iter_mut().zip(s.m1) {
            *t += v;
        }
    }
    let value = stat.value(&total);
    if !want_variance {
        return (value, f64::NAN);
    }
    let g = stat.gradient(&total);
    let mut variance = 0.0;
    for s in segments {
        let mut quad = 0.0;
        for i in 0..4 {
            for j in 0..4 {
                let (a, b) = if i <= j { (i, j) } else { (j, i) };
                quad += g[i] * g[j] * s.m2[upper(a, b)];
            }
        }
        let lin: f64 = (0..4).map(|i| g[i] * s.m1[i]).sum();
        let within = quad - lin * lin / s.units;
        let correction = if s.units > 1.0 { s.units / (s.units - 1.0) } else { 1.0 };
        variance += correction * within.max(0.0);
    }
    (value, variance)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradients_match_finite_differences() {
        let z = [12.0, 4.0, 7.0, 3.0];
        for stat in [
            Linear::Mean,
            Linear::Sum,
            Linear::DifferenceOfMeans,
            Linear::DifferenceOfSums,
            Linear::RatioOfSums,
            Linear::RatioOfMeans,
        ] {
            let g = stat.gradient(&z);
            for i in 0..4 {
                let mut up = z;
                let mut down = z;
                up[i] += 1e-6;
                down[i] -= 1e-6;
                let numeric = (stat.value(&up) - stat.value(&down)) / 2e-6;
                assert!((numeric - g[i]).abs() < 1e-6, "{stat:?} {i}");
            }
        }
    }

    #[test]
    fn mean_variance_is_s2_over_n() {
        let x = [1.0, 2.0, 4.0, 9.0];
        let mut m = Moments { units: 4.0, ..Default::default() };
        for v in x {
            m.add(&[v, 1.0, 0.0, 0.0], true);
        }
        let (value, var) = linear_value_and_variance(Linear::Mean, &[m], true);
        assert_eq!(value, 4.0);
        let s2 = x.iter().map(|v| (v - 4.0) * (v - 4.0)).sum::<f64>() / 3.0;
        assert!((var - s2 / 4.0).abs() < 1e-12);
    }
}
