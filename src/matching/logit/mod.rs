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

use super::exp::exp;
use crate::error::{Error, Result};
use blocks::{accumulate, accumulate_row, accumulate_sums, block_eta, block_weighted, lane_sum};
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;

mod blocks;

const EPSILON: f64 = 1e-8;
const MAX_ITERATIONS: usize = 25;
const THRESH: f64 = 30.0;
const CHUNK: usize = 16_384;
/// Designs of up to this many columns get unrolled code.
const MAX_FIXED: usize = 12;
const ZEROS: [f64; BLOCK] = [0.0; BLOCK];
const ONES: [f64; BLOCK] = [1.0; BLOCK];
/// Rows per block inside a chunk of the unrolled pass (divides CHUNK).
const BLOCK: usize = 32;
/// Interleaved partial sums per chunk (one 256-bit vector of f64).
const LANES: usize = 4;

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

/// One pass over the rows: the linear predictor `eta = X beta` (glm's start when `beta`
/// is None), the fitted probabilities (written to `mu`), the deviance, and `X' W X`,
/// `X' W z` with glm's working weights and response for the next step.
///
/// Rows are taken in fixed chunks (in parallel, then added in chunk order, so the result
/// does not depend on the threads) and, inside a chunk, in blocks of [`BLOCK`] rows whose
/// columns sit in small arrays: every sum over the rows of a block is a short dot product
/// the compiler vectorises. `P` is the number of columns, or 0 for any number. Columns
/// flagged in `unit` are all ones (the intercept) and are not read from memory. Without
/// `normal` the normal equations are not accumulated (zero): a pass that is expected to
/// be the last, whose fitted values and deviance are all that is needed.
fn pass<const P: usize>(
    columns: &[&[f64]],
    unit: &[bool],
    beta: Option<&[f64]>,
    normal: bool,
    y: &[bool],
    mu: &mut [f64],
) -> Step {
    let p = if P == 0 { columns.len() } else { P };
    let wide = wide_vectors();
    let parts: Vec<(Vec<f64>, Vec<f64>, f64)> = mu
        .par_chunks_mut(CHUNK)
        .zip(y.par_chunks(CHUNK))
        .enumerate()
        .map(|(chunk, (mu, y))| {
            let rows = Rows { columns, unit, beta, normal, start: chunk * CHUNK };
            #[cfg(target_arch = "x86_64")]
            match wide {
                // SAFETY: `wide_vectors` checked that the CPU has these instructions.
                Wide::Avx512 => return unsafe { chunk_pass_avx512::<P>(&rows, y, mu) },
                Wide::Avx2 => return unsafe { chunk_pass_avx2::<P>(&rows, y, mu) },
                Wide::None => {}
            }
            chunk_pass::<P, false>(&rows, y, mu)
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

/// Which wide vector code may run. It computes the same IEEE operations in the same
/// order as the portable code (no fused multiply-add), so the results are bit-identical
/// on every machine; only the speed differs.
#[derive(Clone, Copy, PartialEq)]
enum Wide {
    None,
    #[allow(dead_code)]
    Avx2,
    #[allow(dead_code)]
    Avx512,
}

fn wide_vectors() -> Wide {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("avx512vl") {
            return Wide::Avx512;
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            return Wide::Avx2;
        }
    }
    Wide::None
}

/// The design rows of one chunk.
struct Rows<'a> {
    columns: &'a [&'a [f64]],
    unit: &'a [bool],
    beta: Option<&'a [f64]>,
    /// Whether `X' W X` and `X' W z` are accumulated.
    normal: bool,
    start: usize,
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn chunk_pass_avx2<const P: usize>(rows: &Rows, y: &[bool], mu: &mut [f64]) -> (Vec<f64>, Vec<f64>, f64) {
    chunk_pass::<P, true>(rows, y, mu)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl")]
unsafe fn chunk_pass_avx512<const P: usize>(rows: &Rows, y: &[bool], mu: &mut [f64]) -> (Vec<f64>, Vec<f64>, f64) {
    chunk_pass::<P, true>(rows, y, mu)
}

/// The sums of one chunk of rows: `X' W X` (upper triangle), `X' W z` and the deviance.
///
/// `V`: the block loops below in explicit 256-bit vectors ([`block_eta`],
/// [`block_weighted`], [`accumulate`]); only in functions compiled for AVX2 or AVX-512,
/// after the CPU was checked. The same IEEE operations in the same order either way.
#[inline(always)]
fn chunk_pass<const P: usize, const V: bool>(rows: &Rows, y: &[bool], mu: &mut [f64]) -> (Vec<f64>, Vec<f64>, f64) {
    let columns = rows.columns;
    let p = if P == 0 { columns.len() } else { P };
    // Sums kept in LANES interleaved partial sums over the whole chunk (row i goes to
    // lane i mod LANES), added up once at the end: the sums vectorise without a
    // reduction per block, and their order is fixed, so the result is too.
    let mut a = vec![[0.0; LANES]; p * p];
    let mut b = vec![[0.0; LANES]; p];
    let mut dev = Deviance::new();
    let mut logs = [0.0; LANES];
    let mut rest = [0.0; LANES];
    let mut xb = vec![[0.0; BLOCK]; p];
    let mut wxb = vec![[0.0; BLOCK]; p];
    for (block, (mu, y)) in mu.chunks_mut(BLOCK).zip(y.chunks(BLOCK)).enumerate() {
        let start = rows.start + block * BLOCK;
        let len = y.len();
        // Full blocks are read in place; the last, short one through a zero-padded copy.
        let mut xs: [&[f64; BLOCK]; MAX_FIXED] = [&ZEROS; MAX_FIXED];
        let mut xv: Vec<&[f64; BLOCK]> = Vec::new();
        if len < BLOCK {
            for j in 0..p {
                let value = if rows.unit[j] { &ONES[..len] } else { &columns[j][start..start + len] };
                xb[j][..len].copy_from_slice(value);
                xb[j][len..].fill(0.0);
            }
        }
        for j in 0..p {
            let col: &[f64; BLOCK] = if len < BLOCK {
                &xb[j]
            } else if rows.unit[j] {
                &ONES
            } else {
                columns[j][start..start + BLOCK].try_into().expect("a full block")
            };
            if P == 0 {
                xv.push(col);
            } else {
                xs[j] = col;
            }
        }
        let xb: &[&[f64; BLOCK]] = if P == 0 { &xv } else { &xs[..p] };
        let mut eta = [0.0; BLOCK];
        match rows.beta {
            Some(beta) => block_eta::<V>(xb, beta, &mut eta),
            // glm's start: mustart = (y + 0.5) / 2, eta = logit(mustart).
            None => {
                for i in 0..len {
                    eta[i] = if y[i] { 3f64.ln() } else { (1.0f64 / 3.0).ln() };
                }
            }
        }
        // The working weights and responses of the block, lane by lane (see
        // `irls_row`): separate loops, over the whole block where they can be (the padding
        // of a short block has eta = 0, inside the clamp), so that they vectorise.
        let mut inside = true;
        for i in 0..BLOCK {
            inside &= (-THRESH..=THRESH).contains(&eta[i]);
        }
        let mut w = [0.0; BLOCK];
        let mut z = [0.0; BLOCK];
        if inside {
            let mut e = [0.0; BLOCK];
            for i in 0..BLOCK {
                e[i] = exp(eta[i]);
            }
            let mut one = [1.0; BLOCK];
            let mut yf = [0.0; BLOCK];
            match <&[bool; BLOCK]>::try_from(y) {
                Ok(y) => {
                    for i in 0..BLOCK {
                        one[i] = 1.0 + e[i];
                        yf[i] = y[i] as u8 as f64;
                    }
                }
                Err(_) => {
                    for i in 0..len {
                        one[i] = 1.0 + e[i];
                        yf[i] = y[i] as u8 as f64;
                    }
                }
            }
            let mut m = [0.0; BLOCK];
            for i in 0..BLOCK {
                let r = 1.0 / one[i];
                m[i] = e[i] * r;
                w[i] = m[i] * r;
            }
            for i in 0..BLOCK {
                z[i] = eta[i] + (yf[i] - m[i]) / w[i];
            }
            mu.copy_from_slice(&m[..len]);
            // The deviance (see `Deviance`): each lane multiplies BLOCK / LANES = 8
            // factors (the padding's are 1) before one logarithm.
            let mut product = [1.0; LANES];
            for (one, ye) in one.chunks_exact(LANES).zip(yf.chunks_exact(LANES).zip(eta.chunks_exact(LANES))) {
                for l in 0..LANES {
                    product[l] *= one[l];
                    rest[l] -= 2.0 * ye.0[l] * ye.1[l];
                }
            }
            for l in 0..LANES {
                logs[l] += product[l].ln();
            }
            for i in len..BLOCK {
                w[i] = 0.0;
                z[i] = 0.0;
            }
        } else {
            for i in 0..len {
                let (m, wi, zi) = irls_row(eta[i], y[i], &mut dev);
                mu[i] = m;
                w[i] = wi;
                z[i] = zi;
            }
        }
        if !rows.normal {
            continue;
        }
        for j in 0..p {
            block_weighted::<V>(&w, xb[j], &mut wxb[j]);
        }
        for j in 0..p {
            let row = &mut a[j * p + j..(j + 1) * p];
            if rows.unit[j] {
                // A column of ones: (w 1) x_k is w x_k exactly, the block already in `wxb[k]`.
                accumulate_sums::<V>(row, &wxb[j..]);
                accumulate::<V>(&mut b[j], &wxb[j], &z);
            } else {
                accumulate_row::<V>(row, &mut b[j], &wxb[j], &xb[j..], &z);
            }
        }
    }
    let deviance = dev.total() + 2.0 * lane_sum(&logs) + lane_sum(&rest);
    (a.iter().map(lane_sum).collect(), b.iter().map(lane_sum).collect(), deviance)
}

/// One IRLS pass, with code unrolled for designs of up to 12 columns.
fn step(columns: &[&[f64]], unit: &[bool], beta: Option<&[f64]>, normal: bool, y: &[bool], mu: &mut [f64]) -> Step {
    match columns.len() {
        1 => pass::<1>(columns, unit, beta, normal, y, mu),
        2 => pass::<2>(columns, unit, beta, normal, y, mu),
        3 => pass::<3>(columns, unit, beta, normal, y, mu),
        4 => pass::<4>(columns, unit, beta, normal, y, mu),
        5 => pass::<5>(columns, unit, beta, normal, y, mu),
        6 => pass::<6>(columns, unit, beta, normal, y, mu),
        7 => pass::<7>(columns, unit, beta, normal, y, mu),
        8 => pass::<8>(columns, unit, beta, normal, y, mu),
        9 => pass::<9>(columns, unit, beta, normal, y, mu),
        10 => pass::<10>(columns, unit, beta, normal, y, mu),
        11 => pass::<11>(columns, unit, beta, normal, y, mu),
        12 => pass::<12>(columns, unit, beta, normal, y, mu),
        _ => pass::<0>(columns, unit, beta, normal, y, mu),
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
        let e = exp(eta);
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
        let e = exp(eta);
        let one = 1.0 + e;
        (e / one, e / (one * one))
    }
}

/// Whether the next iteration is expected to meet glm's stopping rule, from the relative
/// deviance changes `r` of the last two: Newton's method converges quadratically, so the
/// next change is about `r_k^3 / r_{k-1}^2`; expected when that is a hundredth of the
/// tolerance. Then its pass skips the normal equations (a third of a pass: 4.5 -> 3.1 ms
/// on 1,010,000 rows), and repeats with them in the rare case that it was not the last
/// after all.
fn last_expected(changes: (Option<f64>, Option<f64>)) -> bool {
    match changes {
        (Some(before), Some(last)) if before > 0.0 && last < before => {
            last * last * last / (before * before) < EPSILON / 100.0
        }
        _ => false,
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
/// `columns` are the design's columns (including the intercept's ones), one value per
/// row each; `names` names them for error messages.
///
/// # Examples
///
/// ```
/// use utfall::matching::logit::fit_logit;
/// let (ones, x) = ([1.0; 4], [0.0, 1.0, 2.0, 3.0]);
/// let y = [false, true, false, true];
/// let fit = fit_logit(&[&ones, &x], &y, &["(Intercept)".into(), "x".into()]).unwrap();
/// assert_eq!(fit.fitted.len(), 4);
/// ```
///
/// # Errors
///
/// See the module documentation.
pub fn fit_logit(columns: &[&[f64]], y: &[bool], names: &[String]) -> Result<LogitFit> {
    fit_logit_cancellable(columns, y, names, &crate::cancel::NEVER)
}

/// [`fit_logit`], stopping with [`Error::Interrupted`] soon after `cancel` is set
/// (checked at every iteration).
pub fn fit_logit_cancellable(
    columns: &[&[f64]],
    y: &[bool],
    names: &[String],
    cancel: &std::sync::atomic::AtomicBool,
) -> Result<LogitFit> {
    let n = y.len();
    let p = columns.len();
    if p == 0 || columns.iter().any(|c| c.len() != n) {
        return Err(Error::Spec(format!("the design needs {p} columns of {n} values each")));
    }
    let mut mu = vec![0.0; n];
    // The intercept's column of ones is not read in every pass.
    let unit: Vec<bool> = columns.iter().map(|c| crate::error::first_where(c, |v| v != 1.0).is_none()).collect();
    let mut current = step(columns, &unit, None, true, y, &mut mu);
    // A value that is not finite makes its column's diagonal element of `X' W X` (a sum of
    // `w x^2`, with every weight of the first pass positive) infinite or NaN: the columns are
    // searched only then (not read once more before the fit), and the error names the first
    // bad column's first bad row.
    if (0..p).any(|j| !current.a[(j, j)].is_finite()) {
        let bad: Vec<Option<usize>> = columns.par_iter().map(|c| crate::error::first_not_finite(c)).collect();
        for (j, (column, bad)) in columns.iter().zip(bad).enumerate() {
            if let Some(row) = bad {
                let name = names.get(j).map(String::as_str).unwrap_or("?");
                return Err(Error::data(
                    "data",
                    "covariates",
                    Some(row),
                    format!("covariate '{name}' {}", crate::error::not_finite(column[row])),
                ));
            }
        }
    }
    if n <= p {
        return Err(Error::Computation(format!(
            "{n} units are too few to fit a propensity score with {p} coefficients"
        )));
    }
    let ones = y.iter().filter(|&&v| v).count();
    if ones == 0 || ones == n {
        return Err(Error::Computation("the treatment is constant: every unit is in the same group".into()));
    }
    // The relative deviance changes of the last two iterations, for `last_expected`.
    let mut changes: (Option<f64>, Option<f64>) = (None, None);
    for iteration in 1..=MAX_ITERATIONS {
        crate::cancel::check(cancel)?;
        let dev_old = current.deviance;
        let beta = solve_spd(&current.a, &current.b, names)?;
        let coefficients: Vec<f64> = beta.iter().copied().collect();
        let normal = !last_expected(changes);
        current = step(columns, &unit, Some(&coefficients), normal, y, &mut mu);
        let dev = current.deviance;
        if !dev.is_finite() {
            return Err(Error::Computation("the logistic regression diverged (infinite deviance)".into()));
        }
        let change = (dev - dev_old).abs() / (dev.abs() + 0.1);
        changes = (changes.1, Some(change));
        if change >= EPSILON && !normal {
            // Not the last after all: the same pass again, with the normal equations (the
            // fitted values and the deviance come out the same, bit for bit).
            current = step(columns, &unit, Some(&coefficients), true, y, &mut mu);
        }
        if change < EPSILON {
            let boundary = 10.0 * f64::EPSILON;
            if let Some(i) = crate::error::first_where(&mu, |m| m < boundary || m > 1.0 - boundary) {
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

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|j| format!("c{j}")).collect()
    }

    #[test]
    fn fits_a_simple_logit_to_its_closed_form() {
        // One binary covariate: the MLE reproduces the group proportions exactly.
        let ones = [1.0; 7];
        let x = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0];
        let y = [true, false, false, true, true, true, false];
        let fit = fit_logit(&[&ones, &x], &y, &names(2)).unwrap();
        assert!((fit.fitted[0] - 1.0 / 3.0).abs() < 1e-7);
        assert!((fit.fitted[3] - 0.75).abs() < 1e-7);
    }

    #[test]
    fn unrolled_and_general_passes_agree() {
        let n = 40_000;
        let ones = vec![1.0; n];
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 50.0 - 1.0).collect();
        let b: Vec<f64> = (0..n).map(|i| ((i * 104_729) % 103) as f64 / 50.0 - 1.0).collect();
        let y: Vec<bool> = (0..n).map(|i| (i * 31) % 7 < 3).collect();
        let beta = [0.1, -0.3, 0.2];
        let cols: [&[f64]; 3] = [&ones, &a, &b];
        let (mut m1, mut m2) = (vec![0.0; n], vec![0.0; n]);
        let general = pass::<0>(&cols, &[true, false, false], Some(&beta), true, &y, &mut m1);
        let fixed = pass::<3>(&cols, &[false; 3], Some(&beta), true, &y, &mut m2);
        assert_eq!(general.a, fixed.a);
        assert_eq!(general.b, fixed.b);
        assert_eq!(general.deviance, fixed.deviance);
        assert_eq!(m1, m2);
    }

    #[test]
    fn a_pass_without_the_normal_equations_gives_the_same_fit_and_deviance() {
        let n = 3 * CHUNK + 77;
        let ones = vec![1.0; n];
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 25.0 - 2.0).collect();
        let y: Vec<bool> = (0..n).map(|i| (i * 31) % 7 < 3).collect();
        let cols: [&[f64]; 2] = [&ones, &a];
        let (mut m1, mut m2) = (vec![0.0; n], vec![0.0; n]);
        let full = step(&cols, &[true, false], Some(&[0.3, -0.6]), true, &y, &mut m1);
        let last = step(&cols, &[true, false], Some(&[0.3, -0.6]), false, &y, &mut m2);
        assert_eq!(full.deviance.to_bits(), last.deviance.to_bits());
        assert_eq!(m1, m2);
        assert!(full.a[(0, 0)] > 0.0 && last.a[(0, 0)] == 0.0);
        // Expected last only once the changes shrink quadratically below the tolerance.
        assert!(!last_expected((None, Some(1e-9))));
        assert!(!last_expected((Some(5.6e-3), Some(1.3e-4))));
        assert!(last_expected((Some(1.3e-4), Some(8.2e-8))));
        assert!(!last_expected((Some(1e-9), Some(2e-9))));
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn wide_vector_code_gives_the_same_bits() {
        let wide = wide_vectors();
        if wide == Wide::None {
            return;
        }
        let n = 3 * BLOCK + 5;
        let ones = vec![1.0; n];
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 30.0 - 1.5).collect();
        let y: Vec<bool> = (0..n).map(|i| (i * 31) % 7 < 3).collect();
        let cols: [&[f64]; 2] = [&ones, &a];
        let rows = Rows { columns: &cols, unit: &[true, false], beta: Some(&[0.2, -0.7]), normal: true, start: 0 };
        let (mut m1, mut m2) = (vec![0.0; n], vec![0.0; n]);
        let portable = chunk_pass::<2, false>(&rows, &y, &mut m1);
        // SAFETY: AVX2 is present (checked above).
        let avx2 = unsafe { chunk_pass_avx2::<2>(&rows, &y, &mut m2) };
        assert_eq!(portable, avx2);
        assert_eq!(m1, m2);
        if wide == Wide::Avx512 {
            // SAFETY: AVX-512F and VL are present.
            let avx512 = unsafe { chunk_pass_avx512::<2>(&rows, &y, &mut m2) };
            assert_eq!(portable, avx512);
            assert_eq!(m1, m2);
        }
        // Seven columns (the intercept and six covariates, as the matching benchmark), where
        // the compiler has the most sums in flight.
        let extra: Vec<Vec<f64>> =
            (1..6).map(|k| (0..n).map(|i| ((i * (7919 + 104 * k)) % 97) as f64 / 40.0 - 1.2).collect()).collect();
        let mut cols: Vec<&[f64]> = vec![&ones, &a];
        cols.extend(extra.iter().map(|c| &c[..]));
        let beta = [0.2, -0.7, 0.1, 0.3, -0.2, 0.05, 0.4];
        let unit = [true, false, false, false, false, false, false];
        let rows = Rows { columns: &cols, unit: &unit, beta: Some(&beta), normal: true, start: 0 };
        let portable = chunk_pass::<7, false>(&rows, &y, &mut m1);
        // SAFETY: as above.
        assert_eq!(portable, unsafe { chunk_pass_avx2::<7>(&rows, &y, &mut m2) });
        assert_eq!(m1, m2);
        if wide == Wide::Avx512 {
            // SAFETY: as above.
            assert_eq!(portable, unsafe { chunk_pass_avx512::<7>(&rows, &y, &mut m2) });
            assert_eq!(m1, m2);
        }
    }

    #[test]
    fn a_value_that_is_not_finite_is_named_by_column_and_row() {
        let n = 1000;
        let ones = vec![1.0; n];
        let a: Vec<f64> = (0..n).map(|i| ((i * 7919) % 101) as f64 / 30.0 - 1.5).collect();
        let y: Vec<bool> = (0..n).map(|i| (i * 31) % 7 < 3).collect();
        for (row, bad) in [(0, f64::NAN), (517, f64::INFINITY), (999, f64::NEG_INFINITY)] {
            let mut b = a.clone();
            b[row] = bad;
            let err = fit_logit(&[&ones, &a, &b], &y, &["(Intercept)".into(), "a".into(), "b".into()]).unwrap_err();
            let text = err.to_string();
            assert!(text.contains("'b'") && text.contains(&row.to_string()), "{text}");
        }
        // Finite values whose squares overflow are not called infinite (the fit fails otherwise).
        let mut huge = a.clone();
        huge[3] = 1e200;
        let result = fit_logit(&[&ones, &a, &huge], &y, &["(Intercept)".into(), "a".into(), "h".into()]);
        assert!(result.map_or_else(|e| !e.to_string().contains("not finite"), |_| true));
    }

    #[test]
    fn rejects_aliased_columns_and_separation() {
        let ones = [1.0; 4];
        let a = [2.0, 3.0, 4.0, 5.0];
        let twice = [4.0, 6.0, 8.0, 10.0];
        let err = fit_logit(
            &[&ones, &a, &twice],
            &[true, false, true, false],
            &["(Intercept)".into(), "a".into(), "b".into()],
        )
        .unwrap_err();
        assert!(err.to_string().contains("'b'"));
        let err = fit_logit(&[&ones, &a], &[false, false, true, true], &names(2)).unwrap_err();
        assert!(err.to_string().contains("separation") || err.to_string().contains("converge"));
    }
}
