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

/// One pass over the rows: `eta = x b`, `mu`, `d mu / d eta` and the deviance (summed
/// per chunk, then over chunks in order).
fn update(x: &[f64], p: usize, beta: &[f64], y: &[bool], eta: &mut [f64], mu: &mut [f64], dmu: &mut [f64]) -> f64 {
    let parts: Vec<f64> = eta
        .par_chunks_mut(CHUNK)
        .zip(mu.par_chunks_mut(CHUNK))
        .zip(dmu.par_chunks_mut(CHUNK))
        .zip(x.par_chunks(CHUNK * p))
        .zip(y.par_chunks(CHUNK))
        .map(|((((eta, mu), dmu), x), y)| {
            let mut dev = 0.0;
            for i in 0..eta.len() {
                let row = &x[i * p..(i + 1) * p];
                let e: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
                eta[i] = e;
                let (m, d) = link(e);
                mu[i] = m;
                dmu[i] = d;
                dev += if y[i] { -2.0 * m.ln() } else { -2.0 * (1.0 - m).ln() };
            }
            dev
        })
        .collect();
    parts.iter().sum()
}

/// R's `binomial()` `linkinv` and `mu.eta` from one exponential (the linear predictor
/// clamped at ±30 as R's C code does).
fn link(eta: f64) -> (f64, f64) {
    if eta < -THRESH {
        (f64::EPSILON / (1.0 + f64::EPSILON), f64::EPSILON)
    } else if eta > THRESH {
        let t = 1.0 / f64::EPSILON;
        (t / (1.0 + t), f64::EPSILON)
    } else {
        let e = eta.exp();
        let one = 1.0 + e;
        (e / one, e / (one * one))
    }
}

/// `X' W X` and `X' W z` with glm's working weights and response, over fixed chunks.
fn normal_equations(x: &[f64], p: usize, y: &[bool], eta: &[f64], mu: &[f64], dmu: &[f64]) -> (DMatrix<f64>, DVector<f64>) {
    let parts: Vec<(Vec<f64>, Vec<f64>)> = x
        .par_chunks(CHUNK * p)
        .zip(y.par_chunks(CHUNK))
        .zip(eta.par_chunks(CHUNK))
        .zip(mu.par_chunks(CHUNK))
        .zip(dmu.par_chunks(CHUNK))
        .map(|((((x, y), eta), mu), dmu)| {
            let mut a = vec![0.0; p * p];
            let mut b = vec![0.0; p];
            let mut wx = vec![0.0; p];
            for i in 0..y.len() {
                let row = &x[i * p..(i + 1) * p];
                let d = dmu[i];
                let w = d * d / (mu[i] * (1.0 - mu[i]));
                let z = eta[i] + ((y[i] as u8 as f64) - mu[i]) / d;
                for j in 0..p {
                    wx[j] = w * row[j];
                    b[j] += wx[j] * z;
                }
                for j in 0..p {
                    let arow = &mut a[j * p..(j + 1) * p];
                    let v = wx[j];
                    for k in j..p {
                        arow[k] += v * row[k];
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
    // glm's start: mustart = (y + 0.5) / 2, eta = logit(mustart).
    let mut eta: Vec<f64> = y.iter().map(|&v| if v { 3f64.ln() } else { (1.0f64 / 3.0).ln() }).collect();
    let mut mu = vec![0.0; n];
    let mut dmu = vec![0.0; n];
    let mut dev_old = 0.0;
    for i in 0..n {
        (mu[i], dmu[i]) = link(eta[i]);
        dev_old += if y[i] { -2.0 * mu[i].ln() } else { -2.0 * (1.0 - mu[i]).ln() };
    }
    for iteration in 1..=MAX_ITERATIONS {
        let (a, b) = normal_equations(x, p, y, &eta, &mu, &dmu);
        let beta = solve_spd(&a, &b, names)?;
        let coefficients: Vec<f64> = beta.iter().copied().collect();
        let dev = update(x, p, &coefficients, y, &mut eta, &mut mu, &mut dmu);
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
