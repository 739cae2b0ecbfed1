//! Logistic regression with prior weights, as R's `glm(..., weights = w, family = quasibinomial)`:
//! MatchIt's propensity score with sampling weights (`s.weights`).
//!
//! # Formula
//!
//! glm.fit's iterations with prior weights `w`: start `mu = (w y + 0.5) / (w + 1)`,
//! `eta = log(mu / (1 - mu))`; each step solves `(X' W X) b = X' W z` with
//! `W = w mu_eta^2 / (mu (1 - mu))`, `z = eta + (y - mu) / mu_eta`, over the rows with
//! `w > 0`, and stops when `|dev - dev_old| / (|dev| + 0.1) < 1e-8`, where
//! `dev = -2 sum w (y log mu + (1 - y) log(1 - mu))`. The inverse link and `mu_eta` are
//! clamped at `|eta| > 30` as R's C code clamps them. The unweighted fit of
//! [`super::logit`] is the same iteration with `w = 1` (and faster); this one is plain
//! sequential code, so it is deterministic on any thread count.

use super::logit::LogitFit;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};

const EPSILON: f64 = 1e-8;
const MAX_ITERATIONS: usize = 25;
const THRESH: f64 = 30.0;

fn linkinv(eta: f64) -> f64 {
    let tmp = if eta < -THRESH {
        f64::EPSILON
    } else if eta > THRESH {
        1.0 / f64::EPSILON
    } else {
        eta.exp()
    };
    tmp / (1.0 + tmp)
}

fn mu_eta(eta: f64) -> f64 {
    if !(-THRESH..=THRESH).contains(&eta) {
        return f64::EPSILON;
    }
    let opexp = 1.0 + eta.exp();
    eta.exp() / (opexp * opexp)
}

fn deviance(y: &[bool], mu: &[f64], w: &[f64]) -> f64 {
    y.iter().zip(mu).zip(w).map(|((&yi, &m), &wi)| -2.0 * wi * if yi { m.ln() } else { (1.0 - m).ln() }).sum()
}

/// Fits `y ~ columns` with prior weights `weights` (non-negative, finite, not all zero).
///
/// # Errors
///
/// [`Error::Data`] for a negative or non-finite weight; [`Error::Computation`] when the
/// weighted design is rank deficient or 25 iterations do not converge.
pub fn fit_logit_weighted(columns: &[&[f64]], y: &[bool], weights: &[f64], names: &[String]) -> Result<LogitFit> {
    let n = y.len();
    let p = columns.len();
    if weights.len() != n || columns.iter().any(|c| c.len() != n) {
        return Err(Error::Spec(format!("weighted logit: {} weights and columns for {n} rows", weights.len())));
    }
    if let Some(row) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(Error::data(
            "data",
            "s_weights",
            Some(row),
            format!("a sampling weight must be a non-negative number, got {}", weights[row]),
        ));
    }
    let mut mu: Vec<f64> =
        y.iter().zip(weights).map(|(&yi, &w)| (w * f64::from(u8::from(yi)) + 0.5) / (w + 1.0)).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| (m / (1.0 - m)).ln()).collect();
    let mut dev_old = deviance(y, &mu, weights);
    let mut beta = vec![0.0; p];
    for iteration in 1..=MAX_ITERATIONS {
        let mut a = DMatrix::<f64>::zeros(p, p);
        let mut b = DVector::<f64>::zeros(p);
        let mut x = vec![0.0; p];
        for i in 0..n {
            let me = mu_eta(eta[i]);
            if weights[i] <= 0.0 || me == 0.0 {
                continue;
            }
            let var = mu[i] * (1.0 - mu[i]);
            let wi = weights[i] * me * me / var;
            let z = eta[i] + (f64::from(u8::from(y[i])) - mu[i]) / me;
            for (j, c) in columns.iter().enumerate() {
                x[j] = c[i];
            }
            for j in 0..p {
                b[j] += wi * x[j] * z;
                for k in j..p {
                    a[(j, k)] += wi * x[j] * x[k];
                }
            }
        }
        for j in 0..p {
            for k in 0..j {
                a[(j, k)] = a[(k, j)];
            }
        }
        let Some(chol) = a.clone().cholesky() else {
            return Err(Error::Computation(format!(
                "the weighted propensity model is rank deficient (columns {names:?}): drop a column that is a combination of the others"
            )));
        };
        let solution = chol.solve(&b);
        beta = solution.iter().copied().collect();
        for i in 0..n {
            eta[i] = columns.iter().zip(&beta).map(|(c, bj)| c[i] * bj).sum();
            mu[i] = linkinv(eta[i]);
        }
        let dev = deviance(y, &mu, weights);
        if !dev.is_finite() {
            return Err(Error::Computation("the weighted propensity model diverged (a non-finite deviance)".into()));
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < EPSILON {
            return Ok(LogitFit { coefficients: beta, fitted: mu, deviance: dev, iterations: iteration });
        }
        dev_old = dev;
    }
    let _ = beta;
    Err(Error::Computation(format!(
        "the weighted propensity model did not converge in {MAX_ITERATIONS} iterations (perfect separation?)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_weights_give_the_unweighted_fit() {
        let x: Vec<f64> = (0..40).map(|i| (i as f64 * 0.37).sin() * 3.0 + i as f64 * 0.05).collect();
        let y: Vec<bool> = (0..40).map(|i| (i * 7 + 3) % 5 < 2).collect();
        let ones = vec![1.0; 40];
        let names = vec!["(Intercept)".to_string(), "x".to_string()];
        let cols: Vec<&[f64]> = vec![&ones, &x];
        let a = fit_logit_weighted(&cols, &y, &ones, &names).unwrap();
        let b = super::super::logit::fit_logit(&cols, &y, &names).unwrap();
        for (p, q) in a.fitted.iter().zip(&b.fitted) {
            assert!((p - q).abs() < 1e-10, "{p} {q}");
        }
    }

    #[test]
    fn doubling_a_row_equals_weight_two() {
        let x = [0.5, 1.5, -0.3, 2.0, 0.1, -1.2, 0.8];
        let y = [true, false, false, true, true, false, true];
        let w = [2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0];
        let xd = [0.5, 0.5, 1.5, -0.3, 2.0, 0.1, -1.2, 0.8];
        let yd = [true, true, false, false, true, true, false, true];
        let names = vec!["(Intercept)".to_string(), "x".to_string()];
        let (o7, o8) = (vec![1.0; 7], vec![1.0; 8]);
        let a = fit_logit_weighted(&[&o7, &x], &y, &w, &names).unwrap();
        let b = fit_logit_weighted(&[&o8, &xd], &yd, &o8, &names).unwrap();
        assert!((a.coefficients[1] - b.coefficients[1]).abs() < 1e-6);
        assert!(fit_logit_weighted(&[&o7, &x], &y, &[-1.0; 7], &names).is_err());
    }
}
