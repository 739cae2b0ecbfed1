//! Logistic regression by iteratively reweighted least squares, as R's `glm`.
//!
//! The propensity score of MatchIt's `distance = "glm"` is the fitted probability of
//! `glm(treat ~ covariates, family = binomial)`. To give the same scores to 1e-8 this fit
//! follows `glm.fit` step by step: the same start (`mustart = (y + 0.5) / 2`), the same
//! working response and weights, the same clamping of the linear predictor at ±30 in the
//! inverse link, and the same stopping rule, so it stops at the same iterate.
//!
//! # Formula
//!
//! With `eta = X b`, `mu = 1 / (1 + exp(-eta))`, each iteration solves the weighted least
//! squares problem `(X' W X) b = X' W z` with `W = diag(mu (1 - mu))` and
//! `z = eta + (y - mu) / (mu (1 - mu))`, and stops when
//! `|dev - dev_old| / (|dev| + 0.1) < 1e-8`, where `dev = -2 sum(y log mu + (1-y) log(1-mu))`.
//! The normal equations are accumulated in parallel over fixed chunks of rows (added in
//! chunk order, so the result does not depend on the thread count) and solved by a
//! Cholesky factorisation of the Jacobi-scaled matrix with one step of iterative refinement.
//!
//! # Errors
//!
//! [`Error::Computation`] when the design is rank deficient (a column is a linear
//! combination of the others, R would report an `NA` coefficient), when the outcome is
//! perfectly separated (fitted probabilities numerically 0 or 1) or when 25 iterations do
//! not converge.

use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

const EPSILON: f64 = 1e-8;
const MAX_ITERATIONS: usize = 25;
const THRESH: f64 = 30.0;
const CHUNK: usize = 16_384;

/// A fitted logistic regression.
#[derive(Debug, Clone)]
pub struct LogitFit {
    /// One coefficient per design column.
    pub coefficients: Vec<f64>,
    /// The fitted probabilities, one per row.
    pub fitted: Vec<f64>,
    /// The residual deviance.
    pub deviance: f64,
    /// The number of IRLS iterations.
    pub iterations: usize,
}

/// R's `binomial()$linkinv` (`plogis` with the linear predictor clamped at ±30).
fn inverse_link(eta: f64) -> f64 {
    let t = if eta < -THRESH {
        f64::EPSILON
    } else if eta > THRESH {
        1.0 / f64::EPSILON
    } else {
        eta.exp()
    };
    t / (1.0 + t)
}

/// R's `binomial()$mu.eta`.
fn dmu_deta(eta: f64) -> f64 {
    if !(-THRESH..=THRESH).contains(&eta) {
        return f64::EPSILON;
    }
    let e = eta.exp();
    e / ((1.0 + e) * (1.0 + e))
}

fn deviance(y: &[bool], mu: &[f64]) -> f64 {
    y.par_chunks(CHUNK)
        .zip(mu.par_chunks(CHUNK))
        .map(|(y, mu)| y.iter().zip(mu).map(|(&y, &m)| if y { -2.0 * m.ln() } else { -2.0 * (1.0 - m).ln() }).sum::<f64>())
        .collect::<Vec<_>>()
        .iter()
        .sum()
}

/// `X' W X` and `X' W z` (upper triangle packed into a full matrix), over fixed chunks.
fn normal_equations(x: &[f64], p: usize, w: &[f64], z: &[f64]) -> (DMatrix<f64>, DVector<f64>) {
    let parts: Vec<(Vec<f64>, Vec<f64>)> = x
        .par_chunks(CHUNK * p)
        .zip(w.par_chunks(CHUNK))
        .zip(z.par_chunks(CHUNK))
        .map(|((x, w), z)| {
            let mut a = vec![0.0; p * p];
            let mut b = vec![0.0; p];
            for ((row, &wi), &zi) in x.chunks_exact(p).zip(w).zip(z) {
                for j in 0..p {
                    let wx = wi * row[j];
                    b[j] += wx * zi;
                    for k in j..p {
                        a[j * p + k] += wx * row[k];
                    }
                }
            }
            (a, b)
        })
        .collect();
    let mut a = DMatrix::zeros(p, p);
    let mut b = DVector::zeros(p);
    for (pa, pb) in &parts {
        for j in 0..p {
            b[j] += pb[j];
            for k in j..p {
                a[(j, k)] += pa[j * p + k];
            }
        }
    }
    for j in 0..p {
        for k in 0..j {
            a[(j, k)] = a[(k, j)];
        }
    }
    (a, b)
}

/// Solves `a x = b` for a symmetric positive definite `a`, or names the aliased column.
fn solve_spd(a: &DMatrix<f64>, b: &DVector<f64>, names: &[String]) -> Result<DVector<f64>> {
    let p = a.nrows();
    let scale = DVector::from_iterator(p, (0..p).map(|j| if a[(j, j)] > 0.0 { 1.0 / a[(j, j)].sqrt() } else { 1.0 }));
    let scaled = DMatrix::from_fn(p, p, |i, j| a[(i, j)] * scale[i] * scale[j]);
    let aliased = |j: usize| {
        Error::Computation(format!(
            "the propensity-score design is singular: column '{}' is a linear combination of the others (R's glm would give it an NA coefficient); drop it or one of the columns it duplicates",
            names.get(j).map(String::as_str).unwrap_or("?")
        ))
    };
    // Rank check: a pivot that vanishes relative to its diagonal means the column is aliased.
    let mut l = scaled.clone();
    for j in 0..p {
        for k in 0..j {
            let v = l[(j, k)];
            for i in j..p {
                l[(i, j)] -= l[(i, k)] * v;
            }
        }
        let d = l[(j, j)];
        if !(d > 1e-10) {
            return Err(aliased(j));
        }
        let s = d.sqrt();
        for i in j..p {
            l[(i, j)] /= s;
        }
    }
    let chol = nalgebra::Cholesky::new(scaled.clone()).ok_or_else(|| aliased(p.saturating_sub(1)))?;
    let rhs = b.component_mul(&scale);
    let mut y = chol.solve(&rhs);
    let residual = &rhs - &scaled * &y;
    y += chol.solve(&residual);
    Ok(y.component_mul(&scale))
}

/// Fits `P(y = 1) = logistic(x b)` by IRLS as `glm(family = binomial)` does.
///
/// `x` is row-major, `n x p`, including the intercept column; `names` names the columns
/// for error messages.
///
/// # Examples
///
/// ```
/// use utfall::matching::logit::fit_logit;
/// let x = [1.0, 0.0, 1.0, 1.0, 1.0, 2.0, 1.0, 3.0];
/// let y = [false, true, false, true];
/// let fit = fit_logit(&x, 2, &y, &["(Intercept)".into(), "x".into()]).unwrap();
/// assert_eq!(fit.fitted.len(), 4);
/// ```
///
/// # Errors
///
/// See the module documentation.
pub fn fit_logit(x: &[f64], p: usize, y: &[bool], names: &[String]) -> Result<LogitFit> {
    let n = y.len();
    if p == 0 || x.len() != n * p {
        return Err(Error::Spec(format!("the design has {} values, expected {n} rows x {p} columns", x.len())));
    }
    if n <= p {
        return Err(Error::Computation(format!("{n} units are too few to fit a propensity score with {p} coefficients")));
    }
    let ones = y.iter().filter(|&&v| v).count();
    if ones == 0 || ones == n {
        return Err(Error::Computation("the treatment is constant: every unit is in the same group".into()));
    }
    let mut eta: Vec<f64> = y.iter().map(|&v| if v { (0.75f64 / 0.25).ln() } else { (0.25f64 / 0.75).ln() }).collect();
    let mut mu: Vec<f64> = eta.iter().map(|&e| inverse_link(e)).collect();
    let mut dev_old = deviance(y, &mu);
    let mut coefficients = vec![0.0; p];
    let mut w = vec![0.0; n];
    let mut z = vec![0.0; n];
    for iteration in 1..=MAX_ITERATIONS {
        w.par_iter_mut().zip(z.par_iter_mut()).enumerate().for_each(|(i, (wi, zi))| {
            let d = dmu_deta(eta[i]);
            let variance = mu[i] * (1.0 - mu[i]);
            *zi = eta[i] + ((y[i] as u8 as f64) - mu[i]) / d;
            *wi = d * d / variance;
        });
        let (a, b) = normal_equations(x, p, &w, &z);
        let beta = solve_spd(&a, &b, names)?;
        coefficients = beta.iter().copied().collect();
        eta.par_chunks_mut(CHUNK).zip(x.par_chunks(CHUNK * p)).for_each(|(eta, x)| {
            for (e, row) in eta.iter_mut().zip(x.chunks_exact(p)) {
                *e = row.iter().zip(&coefficients).map(|(a, b)| a * b).sum();
            }
        });
        mu.par_iter_mut().zip(eta.par_iter()).for_each(|(m, &e)| *m = inverse_link(e));
        let dev = deviance(y, &mu);
        if !dev.is_finite() {
            return Err(Error::Computation("the logistic regression diverged (infinite deviance)".into()));
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < EPSILON {
            let boundary = 10.0 * f64::EPSILON;
            if let Some(i) = mu.iter().position(|&m| m < boundary || m > 1.0 - boundary) {
                return Err(Error::Computation(format!(
                    "perfect separation in the propensity-score model: fitted probability numerically {} for row {i}; the covariates predict the treatment exactly (R's glm warns 'fitted probabilities numerically 0 or 1 occurred'); drop or coarsen the separating covariate",
                    if mu[i] < 0.5 { 0 } else { 1 }
                )));
            }
            return Ok(LogitFit { coefficients, fitted: mu, deviance: dev, iterations: iteration });
        }
        dev_old = dev;
    }
    Err(Error::Computation(format!(
        "the logistic regression did not converge in {MAX_ITERATIONS} iterations (usually perfect or quasi-perfect separation of the treatment by the covariates)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_a_simple_logit_to_its_closed_form() {
        // One binary covariate: the MLE reproduces the group proportions exactly.
        let x = [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let y = [true, false, false, true, true, true, false];
        let names = vec!["(Intercept)".to_string(), "x".to_string()];
        let fit = fit_logit(&x, 2, &y, &names).unwrap();
        assert!((fit.fitted[0] - 1.0 / 3.0).abs() < 1e-7);
        assert!((fit.fitted[3] - 0.75).abs() < 1e-7);
    }

    #[test]
    fn rejects_aliased_columns_and_separation() {
        let x = [1.0, 2.0, 1.0, 3.0, 1.0, 4.0, 1.0, 5.0].iter().flat_map(|&v| [v]).collect::<Vec<_>>();
        let dup: Vec<f64> = x.chunks(2).flat_map(|r| [r[0], r[1], 2.0 * r[1]]).collect();
        let names: Vec<String> = ["(Intercept)", "a", "b"].iter().map(|s| s.to_string()).collect();
        let err = fit_logit(&dup, 3, &[true, false, true, false], &names).unwrap_err();
        assert!(err.to_string().contains("'b'"));
        let err = fit_logit(&x, 2, &[false, false, true, true], &names).unwrap_err();
        assert!(err.to_string().contains("separation") || err.to_string().contains("converge"));
    }
}
