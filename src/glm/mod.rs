//! Generalised linear models by iteratively reweighted least squares, as R's `glm.fit`.
//!
//! One fitting routine for the families of [`Family`]: the logistic regression of any
//! cost, the Gamma GLM with log link for positive costs (together the two-part model of
//! costs), the Tweedie GLM with log link for costs with zeros, and weighted least squares
//! (the outcome regression of the bias-corrected matching estimator). The propensity
//! score of matching keeps its own, vectorised logit in [`crate::matching::logit`].
//!
//! # Formula
//!
//! With `eta = X b + offset`, `mu = g^-1(eta)`, each iteration solves the weighted least
//! squares problem `(X' W X) b = X' W z` with working weights
//! `W = diag(w mu'(eta)^2 / V(mu))` and working response `z = eta - offset + (y - mu) / mu'(eta)`,
//! starting from R's `mustart` (see [`family`]), and stops when
//! `|dev - dev_old| / (|dev| + 0.1) < epsilon` (R's default `epsilon = 1e-8`, 25
//! iterations), `dev = sum_i w_i d(y_i, mu_i)`. A step giving an infinite deviance or
//! an invalid mean is halved towards the previous coefficients, as `glm.fit` does. The
//! normal equations are accumulated over fixed chunks of rows in parallel and added in
//! chunk order (the result does not depend on the thread count) and solved by Cholesky
//! on the Jacobi-scaled matrix with one step of iterative refinement (R uses a QR
//! decomposition; on well-conditioned designs the two agree far below 1e-8).
//!
//! # Errors
//!
//! [`Error::Spec`] for an outcome outside the family's support (a zero for Gamma) or
//! mismatched lengths; [`Error::Computation`] for a rank-deficient design (naming the
//! column: e.g. a covariate constant among the rows, aliased with the intercept), a fit
//! that does not converge within the iterations (R only warns), or a step that cannot be
//! corrected.

pub mod family;

pub use family::Family;

use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

const CHUNK: usize = 16_384;

/// Control of the iterations (R's `glm.control`).
#[derive(Debug, Clone, Copy)]
pub struct Control {
    /// Relative change of the deviance that counts as converged.
    pub epsilon: f64,
    /// The most iterations.
    pub max_iterations: usize,
}

impl Default for Control {
    fn default() -> Self {
        Control { epsilon: 1e-8, max_iterations: 25 }
    }
}

/// A fitted GLM.
#[derive(Debug, Clone)]
pub struct GlmFit {
    /// One coefficient per design column.
    pub coefficients: Vec<f64>,
    /// The fitted means, one per row.
    pub fitted: Vec<f64>,
    /// The residual deviance.
    pub deviance: f64,
    /// The number of IRLS iterations (R's `iter`).
    pub iterations: usize,
}

/// A design: its columns (the intercept's ones included) and their names.
pub struct Design<'a> {
    pub columns: &'a [&'a [f64]],
    pub names: &'a [String],
}

impl Design<'_> {
    fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.len())
    }

    /// The linear predictor `X b + offset`.
    pub fn predict(&self, beta: &[f64], offset: Option<&[f64]>) -> Vec<f64> {
        let n = self.rows();
        let mut eta: Vec<f64> = offset.map_or_else(|| vec![0.0; n], <[f64]>::to_vec);
        for (col, &b) in self.columns.iter().zip(beta) {
            for (e, &x) in eta.iter_mut().zip(col.iter()) {
                *e += x * b;
            }
        }
        eta
    }
}

/// Fits a GLM by IRLS as `glm(y ~ X - 1, family, weights, offset)` does.
///
/// # Examples
///
/// ```
/// use utfall::glm::{fit_glm, Control, Design, Family};
/// let ones = [1.0; 5];
/// let x = [0.0, 1.0, 2.0, 3.0, 4.0];
/// let y = [1.0, 2.5, 3.0, 8.0, 15.0];
/// let names = ["(Intercept)".to_string(), "x".to_string()];
/// let design = Design { columns: &[&ones, &x], names: &names };
/// let fit = fit_glm(&design, &y, None, None, Family::Gamma, Control::default()).unwrap();
/// assert!(fit.coefficients[1] > 0.0);
/// ```
///
/// # Errors
///
/// See the module documentation.
pub fn fit_glm(
    design: &Design,
    y: &[f64],
    weights: Option<&[f64]>,
    offset: Option<&[f64]>,
    family: Family,
    control: Control,
) -> Result<GlmFit> {
    let n = y.len();
    let p = design.columns.len();
    if p == 0 || design.columns.iter().any(|c| c.len() != n) || design.names.len() != p {
        return Err(Error::Spec(format!("the design needs {p} named columns of {n} values each")));
    }
    if weights.is_some_and(|w| w.len() != n) || offset.is_some_and(|o| o.len() != n) {
        return Err(Error::Spec(format!("weights and offset need {n} values each")));
    }
    if design.columns.iter().flat_map(|c| c.iter()).any(|v| !v.is_finite())
        || offset.is_some_and(|o| o.iter().any(|v| !v.is_finite()))
    {
        return Err(Error::Spec("the design and offset must be finite numbers (no NaN)".into()));
    }
    let ones = vec![1.0; n];
    let w = weights.unwrap_or(&ones);
    family.check(y, w)?;
    let used = w.iter().filter(|&&v| v > 0.0).count();
    if used <= p {
        return Err(Error::Computation(format!(
            "{used} rows with positive weight are too few to fit a {} GLM with {p} coefficients",
            family.name()
        )));
    }
    let off = offset.unwrap_or(&[]);
    let mut eta: Vec<f64> = (0..n).map(|i| family.link(family.mustart(y[i], w[i]))).collect();
    let mut mu: Vec<f64> = eta.iter().map(|&e| family.inverse(e).0).collect();
    let mut dev_old = deviance(family, y, &mu, w);
    let mut coef_old: Option<Vec<f64>> = None;
    for iteration in 1..=control.max_iterations {
        let (a, b) = normal_equations(design, family, y, w, &eta, &mu, off);
        let mut beta: Vec<f64> = solve_spd(&a, &b, design.names, family)?.iter().copied().collect();
        let evaluate = |beta: &[f64], eta: &mut Vec<f64>, mu: &mut Vec<f64>| {
            *eta = design.predict(beta, offset);
            for (m, &e) in mu.iter_mut().zip(eta.iter()) {
                *m = family.inverse(e).0;
            }
            deviance(family, y, mu, w)
        };
        let mut dev = evaluate(&beta, &mut eta, &mut mu);
        // glm.fit's step halving: an infinite deviance or an invalid mean.
        let mut halvings = 0;
        while !dev.is_finite() || !mu.iter().all(|&m| family.valid_mu(m)) {
            let Some(old) = &coef_old else {
                return Err(Error::Computation(format!(
                    "the {} GLM has no valid set of coefficients at the start: please check the outcome and design",
                    family.name()
                )));
            };
            halvings += 1;
            if halvings > control.max_iterations {
                return Err(Error::Computation(format!(
                    "the {} GLM diverged: halving the step {} times did not give a finite deviance and valid means (R: 'inner loop; cannot correct step size')",
                    family.name(),
                    control.max_iterations
                )));
            }
            for (bj, oj) in beta.iter_mut().zip(old) {
                *bj = (*bj + oj) / 2.0;
            }
            dev = evaluate(&beta, &mut eta, &mut mu);
        }
        if (dev - dev_old).abs() / (dev.abs() + 0.1) < control.epsilon {
            if family == Family::Binomial {
                let boundary = 10.0 * f64::EPSILON;
                if let Some(i) = mu.iter().position(|&m| m < boundary || m > 1.0 - boundary) {
                    return Err(Error::Computation(format!(
                        "perfect separation in the logistic regression: fitted probability numerically 0 or 1 for row {i} (R's glm warns 'fitted probabilities numerically 0 or 1 occurred'); drop or coarsen the separating covariate"
                    )));
                }
            }
            return Ok(GlmFit { coefficients: beta, fitted: mu, deviance: dev, iterations: iteration });
        }
        dev_old = dev;
        coef_old = Some(beta);
    }
    Err(Error::Computation(format!(
        "the {} GLM did not converge in {} iterations (R's glm would warn 'glm.fit: algorithm did not converge'); simplify the model or check the outcome for extreme values",
        family.name(),
        control.max_iterations
    )))
}

/// The fitted means of a model at new rows: `g^-1(X b + offset)`.
pub fn predict(design: &Design, beta: &[f64], offset: Option<&[f64]>, family: Family) -> Vec<f64> {
    design.predict(beta, offset).into_iter().map(|e| family.inverse(e).0).collect()
}

fn deviance(family: Family, y: &[f64], mu: &[f64], w: &[f64]) -> f64 {
    let parts: Vec<f64> = y
        .par_chunks(CHUNK)
        .zip(mu.par_chunks(CHUNK))
        .zip(w.par_chunks(CHUNK))
        .map(|((y, mu), w)| y.iter().zip(mu).zip(w).map(|((&y, &m), &w)| family.deviance(y, m, w)).sum::<f64>())
        .collect();
    parts.iter().sum()
}

/// `X' W X` and `X' W z` of one IRLS step, summed over fixed chunks in chunk order.
fn normal_equations(
    design: &Design,
    family: Family,
    y: &[f64],
    w: &[f64],
    eta: &[f64],
    mu: &[f64],
    off: &[f64],
) -> (DMatrix<f64>, DVector<f64>) {
    let p = design.columns.len();
    let n = y.len();
    let chunks = n.div_ceil(CHUNK);
    let parts: Vec<(Vec<f64>, Vec<f64>)> = (0..chunks)
        .into_par_iter()
        .map(|c| {
            let mut a = vec![0.0; p * p];
            let mut b = vec![0.0; p];
            let mut x = vec![0.0; p];
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                let (_, d) = family.inverse(eta[i]);
                if w[i] <= 0.0 || d == 0.0 {
                    continue; // glm.fit's `good`
                }
                let o = if off.is_empty() { 0.0 } else { off[i] };
                let z = eta[i] - o + (y[i] - mu[i]) / d;
                let wi = w[i] * d * d / family.variance(mu[i]);
                for (j, col) in design.columns.iter().enumerate() {
                    x[j] = col[i];
                }
                for j in 0..p {
                    let wx = wi * x[j];
                    b[j] += wx * z;
                    for k in j..p {
                        a[j * p + k] += wx * x[k];
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
fn solve_spd(a: &DMatrix<f64>, b: &DVector<f64>, names: &[String], family: Family) -> Result<DVector<f64>> {
    let p = a.nrows();
    let scale = DVector::from_iterator(p, (0..p).map(|j| if a[(j, j)] > 0.0 { 1.0 / a[(j, j)].sqrt() } else { 1.0 }));
    let scaled = DMatrix::from_fn(p, p, |i, j| a[(i, j)] * scale[i] * scale[j]);
    let aliased = |j: usize| {
        Error::Computation(format!(
            "the {} GLM's design is singular: column '{}' is constant or a linear combination of the other columns in the rows fitted (R's glm would give it an NA coefficient); drop it",
            family.name(),
            names.get(j).map(String::as_str).unwrap_or("?")
        ))
    };
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
    let mut x = chol.solve(&rhs);
    let residual = &rhs - &scaled * &x;
    x += chol.solve(&residual);
    Ok(x.component_mul(&scale))
}

#[cfg(test)]
mod tests;
