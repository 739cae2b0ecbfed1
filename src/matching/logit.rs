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
/// Rows per block inside a chunk of the unrolled pass (divides CHUNK).
const BLOCK: usize = 32;

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

/// The normal equations of one IRLS step and the deviance of the current fit.
struct Step {
    a: DMatrix<f64>,
    b: DVector<f64>,
    deviance: f64,
}

/// One pass over the rows: the linear predictor `eta = x beta` (glm's start when `beta`
/// is None), the fitted probabilities (written to `mu`), the deviance, and `X' W X`,
/// `X' W z` with glm's working weights and response for the next step. Rows are summed
/// in fixed chunks, the chunks in order, so the result does not depend on the threads.
fn pass(x: &[f64], p: usize, beta: Option<&[f64]>, y: &[bool], mu: &mut [f64]) -> Step {
    let parts: Vec<(Vec<f64>, Vec<f64>, f64)> = mu
        .par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK * p))
        .zip(y.par_chunks(CHUNK))
        .map(|((mu, x), y)| {
            let mut a = vec![0.0; p * p];
            let mut b = vec![0.0; p];
            let mut wx = vec![0.0; p];
            let mut dev = Deviance::new();
            for i in 0..y.len() {
                let row = &x[i * p..(i + 1) * p];
                let eta = match beta {
                    Some(beta) => row.iter().zip(beta).map(|(a, b)| a * b).sum(),
                    // glm's start: mustart = (y + 0.5) / 2, eta = logit(mustart).
                    None => if y[i] { 3f64.ln() } else { (1.0f64 / 3.0).ln() },
                };
                let (m, w, z) = irls_row(eta, y[i], &mut dev);
                mu[i] = m;
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
            (a, b, dev.total())
        })
        .collect();
    let mut a = DMatrix::zeros(p, p);
    let mut b = DVector::zeros(p);
    let mut deviance = 0.0;
    for (pa, pb, dev) in &parts {
        deviance += dev;
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
    Step { a, b, deviance }
}

/// [`pass`] for a design of exactly `P` columns: the same arithmetic in the same order,
/// with the row and the accumulators in fixed-size arrays the compiler can unroll.
fn pass_fixed<const P: usize>(x: &[f64], beta: Option<&[f64]>, y: &[bool], mu: &mut [f64]) -> Step {
    let beta_fixed: Option<[f64; P]> = beta.map(|b| std::array::from_fn(|j| b[j]));
    let parts: Vec<([[f64; P]; P], [f64; P], f64)> = mu
        .par_chunks_mut(CHUNK)
        .zip(x.par_chunks(CHUNK * P))
        .zip(y.par_chunks(CHUNK))
        .map(|((mu, x), y)| {
            let mut a = [[0.0; P]; P];
            let mut b = [0.0; P];
            let mut dev = Deviance::new();
            // Rows in blocks of BLOCK, stored by column, so that each entry of X'WX is a
            // dot product the compiler vectorises (a fixed order: deterministic).
            let mut wxb = [[0.0; BLOCK]; P];
            let mut xb = [[0.0; BLOCK]; P];
            for (rows, (mu, y)) in x.chunks(BLOCK * P).zip(mu.chunks_mut(BLOCK).zip(y.chunks(BLOCK))) {
                let len = y.len();
                for (i, row) in rows.chunks_exact(P).enumerate() {
                    let eta = match &beta_fixed {
                        Some(beta) => row.iter().zip(beta).map(|(a, b)| a * b).sum(),
                        None => if y[i] { 3f64.ln() } else { (1.0f64 / 3.0).ln() },
                    };
                    let (m, w, z) = irls_row(eta, y[i], &mut dev);
                    mu[i] = m;
                    for j in 0..P {
                        let wx = w * row[j];
                        wxb[j][i] = wx;
                        xb[j][i] = row[j];
                        b[j] += wx * z;
                    }
                }
                if len < BLOCK {
                    for j in 0..P {
                        wxb[j][len..].fill(0.0);
                        xb[j][len..].fill(0.0);
                    }
                }
                for j in 0..P {
                    for k in j..P {
                        let mut acc = [0.0; 4];
                        for (u, v) in wxb[j].chunks_exact(4).zip(xb[k].chunks_exact(4)) {
                            for l in 0..4 {
                                acc[l] += u[l] * v[l];
                            }
                        }
                        a[j][k] += (acc[0] + acc[1]) + (acc[2] + acc[3]);
                    }
                }
            }
            (a, b, dev.total())
        })
        .collect();
    let mut a = DMatrix::zeros(P, P);
    let mut b = DVector::zeros(P);
    let mut deviance = 0.0;
    for (pa, pb, dev) in &parts {
        deviance += dev;
        for j in 0..P {
            b[j] += pb[j];
            for k in j..P {
                a[(j, k)] += pa[j][k];
            }
        }
    }
    for j in 0..P {
        for k in 0..j {
            a[(j, k)] = a[(k, j)];
        }
    }
    Step { a, b, deviance }
}

/// One IRLS pass, with unrolled code for designs of up to 12 columns.
fn step(x: &[f64], p: usize, beta: Option<&[f64]>, y: &[bool], mu: &mut [f64]) -> Step {
    match p {
        1 => pass_fixed::<1>(x, beta, y, mu),
        2 => pass_fixed::<2>(x, beta, y, mu),
        3 => pass_fixed::<3>(x, beta, y, mu),
        4 => pass_fixed::<4>(x, beta, y, mu),
        5 => pass_fixed::<5>(x, beta, y, mu),
        6 => pass_fixed::<6>(x, beta, y, mu),
        7 => pass_fixed::<7>(x, beta, y, mu),
        8 => pass_fixed::<8>(x, beta, y, mu),
        9 => pass_fixed::<9>(x, beta, y, mu),
        10 => pass_fixed::<10>(x, beta, y, mu),
        11 => pass_fixed::<11>(x, beta, y, mu),
        12 => pass_fixed::<12>(x, beta, y, mu),
        _ => pass(x, p, beta, y, mu),
    }
}

/// The binomial deviance of a chunk, `sum -2 (y log mu + (1 - y) log(1 - mu))`, which for
/// `mu = e / (1 + e)`, `e = exp(eta)`, is `2 sum log(1 + e) - 2 sum y eta`. The logarithms
/// are taken of products of eight factors (at most 1e13 each, so no overflow): one
/// logarithm per eight rows, with a relative error far below glm's 1e-8 stopping rule.
struct Deviance {
    product: f64,
    factors: u32,
    logs: f64,
    rest: f64,
}

impl Deviance {
    fn new() -> Self {
        Deviance { product: 1.0, factors: 0, logs: 0.0, rest: 0.0 }
    }

    #[inline]
    fn add_log(&mut self, factor: f64) {
        self.product *= factor;
        self.factors += 1;
        if self.factors == 8 {
            self.logs += self.product.ln();
            self.product = 1.0;
            self.factors = 0;
        }
    }

    fn total(&self) -> f64 {
        2.0 * (self.logs + self.product.ln()) + self.rest
    }
}

/// One row of an IRLS step: the fitted probability, glm's working weight
/// `mu.eta^2 / (mu (1 - mu))` and working response `eta + (y - mu) / mu.eta`.
///
/// Inside the clamp, with `r = 1 / (1 + e)`: `mu = e r`, `mu.eta = e r^2 = mu (1 - mu)`,
/// so the weight equals `mu.eta` (glm computes the same quantity in another order; the
/// results differ in the last bits only).
#[inline]
fn irls_row(eta: f64, y: bool, dev: &mut Deviance) -> (f64, f64, f64) {
    let yf = y as u8 as f64;
    if (-THRESH..=THRESH).contains(&eta) {
        let e = eta.exp();
        let one = 1.0 + e;
        let r = 1.0 / one;
        let m = e * r;
        let d = m * r;
        dev.add_log(one);
        dev.rest -= 2.0 * yf * eta;
        (m, d, eta + (yf - m) / d)
    } else {
        let (m, d) = link(eta);
        dev.rest += if y { -2.0 * m.ln() } else { -2.0 * (1.0 - m).ln() };
        (m, d * d / (m * (1.0 - m)), eta + (yf - m) / d)
    }
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
    let mut mu = vec![0.0; n];
    let mut current = step(x, p, None, y, &mut mu);
    for iteration in 1..=MAX_ITERATIONS {
        let dev_old = current.deviance;
        let beta = solve_spd(&current.a, &current.b, names)?;
        let coefficients: Vec<f64> = beta.iter().copied().collect();
        current = step(x, p, Some(&coefficients), y, &mut mu);
        let dev = current.deviance;
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
    fn unrolled_and_general_passes_agree() {
        let n = 40_000;
        let x: Vec<f64> = (0..n * 3).map(|i| if i % 3 == 0 { 1.0 } else { ((i * 7919) % 101) as f64 / 50.0 - 1.0 }).collect();
        let y: Vec<bool> = (0..n).map(|i| (i * 31) % 7 < 3).collect();
        let beta = [0.1, -0.3, 0.2];
        let (mut m1, mut m2) = (vec![0.0; n], vec![0.0; n]);
        let a = pass(&x, 3, Some(&beta), &y, &mut m1);
        let b = pass_fixed::<3>(&x, Some(&beta), &y, &mut m2);
        // The unrolled pass sums X'WX in blocks: the same sums in another order.
        assert!((&a.a - &b.a).abs().max() <= 1e-10 * a.a.abs().max());
        assert_eq!(a.b, b.b);
        assert_eq!(a.deviance, b.deviance);
        assert_eq!(m1, m2);
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
