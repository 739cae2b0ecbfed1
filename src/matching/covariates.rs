//! Covariate distances: Mahalanobis with the pooled within-group covariance (as MatchIt),
//! plain and scaled Euclidean, all turned into Euclidean distances between whitened rows.
//!
//! # Formula
//!
//! MatchIt standardises each covariate (`scale`: centre by the mean, divide by the sample
//! standard deviation over all units), then takes the pooled within-group covariance of
//! the standardised covariates over the units not discarded,
//! `S = sum_g sum_{i in g} (z_i - zbar_g)(z_i - zbar_g)' / (n - 2)`, and the distance
//! `d(i, j)^2 = (z_i - z_j)' S^-1 (z_i - z_j)`. With `S^-1 = V L V'` (eigenvalues `L >= 0`)
//! the rows `w_i = z_i V L^(1/2)` give `d(i, j) = |w_i - w_j|`. Covariates whose range is
//! below `sqrt(machine epsilon)` carry no information and are dropped, as MatchIt does.
//! When `det(S) <= 1e-8` the Moore-Penrose inverse replaces `S^-1`, as MatchIt does.
//!
//! MatchIt walks outwards from each treated unit in the order of the first column of its
//! whitened matrix, which comes from a pivoted Cholesky factor of `S^-1` whose first pivot
//! is the largest diagonal element `p`: `key_i = (S^-1 z_i)_p / sqrt((S^-1)_pp)`. The same
//! key is computed here so that ties between controls resolve as in MatchIt.

use crate::error::{Error, Result};
use nalgebra::{DMatrix, SymmetricEigen};

/// Which covariate distance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CovariateDistance {
    /// Mahalanobis with the pooled within-group covariance of the standardised covariates.
    Mahalanobis,
    /// Euclidean on the covariates as given.
    Euclidean,
    /// Euclidean after dividing each covariate by its pooled within-group standard deviation.
    ScaledEuclidean,
}

/// Whitened covariates and the walk key.
#[derive(Debug, Clone)]
pub struct Whitened {
    /// Row-major, `dims` values per unit.
    pub coords: Vec<f64>,
    pub dims: usize,
    /// MatchIt's sorting coordinate.
    pub sort_key: Vec<f64>,
    /// The columns kept (those with a non-trivial range).
    pub kept: Vec<usize>,
}

fn pooled_covariance(z: &DMatrix<f64>, treat: &[bool], eligible: &[bool]) -> DMatrix<f64> {
    let (n, p) = z.shape();
    let mut means = [vec![0.0; p], vec![0.0; p]];
    let mut counts = [0usize; 2];
    for i in (0..n).filter(|&i| eligible[i]) {
        let g = treat[i] as usize;
        counts[g] += 1;
        for j in 0..p {
            means[g][j] += z[(i, j)];
        }
    }
    for g in 0..2 {
        for m in means[g].iter_mut() {
            *m /= counts[g].max(1) as f64;
        }
    }
    let mut s = DMatrix::zeros(p, p);
    for i in (0..n).filter(|&i| eligible[i]) {
        let g = treat[i] as usize;
        for a in 0..p {
            let da = z[(i, a)] - means[g][a];
            for b in a..p {
                s[(a, b)] += da * (z[(i, b)] - means[g][b]);
            }
        }
    }
    let groups = counts.iter().filter(|&&c| c > 0).count();
    let denom = (counts[0] + counts[1]).saturating_sub(groups).max(1) as f64;
    for a in 0..p {
        for b in a..p {
            s[(a, b)] /= denom;
            s[(b, a)] = s[(a, b)];
        }
    }
    s
}

/// Whitens `x` (row-major `n x p`) for the chosen distance.
///
/// # Errors
///
/// [`Error::Data`] when a covariate value is missing; [`Error::Computation`] when the
/// covariance cannot be inverted even generally.
pub fn whiten(
    x: &[f64],
    p: usize,
    treat: &[bool],
    eligible: &[bool],
    kind: CovariateDistance,
    names: &[String],
) -> Result<Whitened> {
    let n = treat.len();
    if x.len() != n * p || p == 0 {
        return Err(Error::Spec(format!("covariates: {} values for {n} rows x {p} columns", x.len())));
    }
    if let Some(i) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(
            "data",
            "covariates",
            Some(i / p),
            format!("covariate '{}' is missing or not finite", names.get(i % p).map(String::as_str).unwrap_or("?")),
        ));
    }
    let col = |j: usize| (0..n).map(move |i| x[i * p + j]);
    let mut kept: Vec<usize> = (0..p)
        .filter(|&j| {
            let (lo, hi) = col(j).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(v), b.max(v)));
            (hi - lo).abs() >= f64::EPSILON.sqrt()
        })
        .collect();
    let mut kind = kind;
    if kept.is_empty() {
        // MatchIt falls back to Euclidean on the first column when nothing varies.
        kind = CovariateDistance::Euclidean;
        kept = vec![0];
    }
    let q = kept.len();
    let raw = DMatrix::from_fn(n, q, |i, j| x[i * p + kept[j]]);
    let (coords, sort_key) = match kind {
        CovariateDistance::Euclidean => (raw.clone(), raw.column(0).iter().copied().collect()),
        CovariateDistance::ScaledEuclidean => {
            let s = pooled_covariance(&raw, treat, eligible);
            let scaled = DMatrix::from_fn(n, q, |i, j| raw[(i, j)] / s[(j, j)].sqrt());
            let key = scaled.column(0).iter().copied().collect();
            (scaled, key)
        }
        CovariateDistance::Mahalanobis => {
            let mut z = raw.clone();
            for j in 0..q {
                let mean = z.column(j).sum() / n as f64;
                let sd = (z.column(j).iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n as f64 - 1.0)).sqrt();
                for i in 0..n {
                    z[(i, j)] = (z[(i, j)] - mean) / sd;
                }
            }
            let s = pooled_covariance(&z, treat, eligible);
            let inverse = if s.determinant() > 1e-8 { s.clone().try_inverse() } else { None };
            let inverse = match inverse {
                Some(inv) => inv,
                None => {
                    // MatchIt's generalized_inverse: singular values above 1e-8 times the largest.
                    let svd = s.clone().svd(true, true);
                    let tol = 1e-8 * svd.singular_values.max();
                    svd.pseudo_inverse(tol).map_err(|e| {
                        Error::Computation(format!("the covariance of the covariates cannot be inverted: {e}"))
                    })?
                }
            };
            let eig = SymmetricEigen::new(inverse.clone());
            let root = DMatrix::from_fn(q, q, |i, j| eig.eigenvectors[(i, j)] * eig.eigenvalues[j].max(0.0).sqrt());
            let w = &z * root;
            let pivot = (0..q).fold(0, |best, j| if inverse[(j, j)] > inverse[(best, best)] { j } else { best });
            let norm = inverse[(pivot, pivot)].sqrt();
            let key = (0..n).map(|i| (0..q).map(|j| inverse[(pivot, j)] * z[(i, j)]).sum::<f64>() / norm).collect();
            (w, key)
        }
    };
    let mut flat = Vec::with_capacity(n * q);
    for i in 0..n {
        for j in 0..q {
            flat.push(coords[(i, j)]);
        }
    }
    Ok(Whitened { coords: flat, dims: q, sort_key, kept })
}
