//! The sign test and the Wilcoxon signed-rank test of change scores, as R's
//! `binom.test` and `wilcox.test` compute them (two-sided, `mu = 0`).

use statrs::function::erf::erfc;
use statrs::function::factorial::ln_binomial;

/// R's tolerance for "as extreme as the observed" in `binom.test`.
const REL_ERR: f64 = 1.0 + 1e-7;

fn dbinom(k: u64, n: u64, p: f64) -> f64 {
    if p == 0.5 {
        (ln_binomial(n, k) - n as f64 * std::f64::consts::LN_2).exp()
    } else {
        (ln_binomial(n, k) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()).exp()
    }
}

/// The two-sided exact binomial p-value of `x` successes in `n` trials at `p`, as R's `binom.test`.
///
/// # Formula
/// With `d = dbinom(x)` and `m = n p`: the probability of every outcome whose
/// probability is at most `d (1 + 1e-7)`, the observed tail plus the other
/// tail's outcomes no more likely than `x`; capped at 1. NaN when `n = 0`.
///
/// # Examples
/// ```
/// let p = utfall::contract::signtests::binomial_two_sided(17, 24, 0.5);
/// assert!((p - 0.0639146566390992).abs() < 1e-12);
/// ```
pub fn binomial_two_sided(x: u64, n: u64, p: f64) -> f64 {
    if n == 0 || x > n {
        return f64::NAN;
    }
    let pmf: Vec<f64> = (0..=n).map(|k| dbinom(k, n, p)).collect();
    let d = pmf[x as usize];
    let m = n as f64 * p;
    let xf = x as f64;
    let value = if xf == m {
        1.0
    } else if xf < m {
        let y = pmf[(m.ceil() as usize)..].iter().filter(|&&v| v <= d * REL_ERR).count() as u64;
        let lower: f64 = pmf[..=x as usize].iter().sum();
        let upper: f64 = pmf[((n - y + 1) as usize).min(pmf.len())..].iter().sum();
        lower + upper
    } else {
        let y = pmf[..=(m.floor() as usize)].iter().filter(|&&v| v <= d * REL_ERR).count();
        let lower: f64 = pmf[..y].iter().sum();
        let upper: f64 = pmf[x as usize..].iter().sum();
        lower + upper
    };
    value.min(1.0)
}

/// The Wilcoxon signed-rank test of `changes` against 0, two-sided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SignedRank {
    /// `V`: the sum of the ranks of `|x|` over the positive changes.
    pub statistic: f64,
    pub p_value: f64,
    /// Whether the exact null distribution was used (else the normal approximation).
    pub exact: bool,
    /// The number of non-zero changes ranked.
    pub n: usize,
}

/// The Wilcoxon signed-rank test as R's `wilcox.test(x, mu = 0)` with its defaults.
///
/// # Formula
/// Zeros are dropped; `r` are the average ranks of `|x|`; `V = sum r[x > 0]`.
/// Exact (the distribution of `V` over the `2^n` sign patterns) when `n < 50`
/// and there are neither ties nor zeros: `p = min(1, 2 P(V <= v))` for
/// `v <= n(n+1)/4`, else `min(1, 2 P(V >= v))`. Otherwise the normal
/// approximation with continuity and tie correction:
/// `z = (V - n(n+1)/4 - sign * 0.5) / sqrt(n(n+1)(2n+1)/24 - sum(t^3 - t)/48)`,
/// `p = 2 min(Phi(z), 1 - Phi(z))`. NaN when no change is non-zero.
pub fn signed_rank(changes: &[f64]) -> SignedRank {
    let zeros = changes.contains(&0.0);
    let x: Vec<f64> = changes.iter().copied().filter(|&v| v != 0.0).collect();
    let n = x.len();
    if n == 0 {
        return SignedRank { statistic: 0.0, p_value: f64::NAN, exact: false, n };
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].abs().total_cmp(&x[b].abs()));
    let mut rank = vec![0.0; n];
    let mut tie_term = 0.0;
    let mut ties = false;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && x[order[j]].abs() == x[order[i]].abs() {
            j += 1;
        }
        let average = (i + 1 + j) as f64 / 2.0;
        for &o in &order[i..j] {
            rank[o] = average;
        }
        let t = (j - i) as f64;
        if j - i > 1 {
            ties = true;
            tie_term += t * t * t - t;
        }
        i = j;
    }
    let v: f64 = x.iter().zip(&rank).filter(|(&xi, _)| xi > 0.0).map(|(_, &r)| r).sum();
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    if n < 50 && !ties && !zeros {
        let counts = signed_rank_counts(n);
        let total = 2f64.powi(n as i32);
        let lower_tail = |q: f64| -> f64 {
            let q = (q + 1e-7).floor();
            if q < 0.0 {
                return 0.0;
            }
            counts.iter().take(q as usize + 1).sum::<f64>() / total
        };
        // P(V >= v) = P(V <= n(n+1)/2 - v) by symmetry, summed directly (no cancellation).
        let p = if v > mean { lower_tail((n * (n + 1) / 2) as f64 - v) } else { lower_tail(v) };
        return SignedRank { statistic: v, p_value: (2.0 * p).min(1.0), exact: true, n };
    }
    let z = v - mean;
    let sigma = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term / 48.0).sqrt();
    let correction = if z > 0.0 {
        0.5
    } else if z < 0.0 {
        -0.5
    } else {
        0.0
    };
    let z = (z - correction) / sigma;
    let p = erfc(z.abs() / std::f64::consts::SQRT_2);
    SignedRank { statistic: v, p_value: p.min(1.0), exact: false, n }
}

/// The number of subsets of `{1..n}` with each sum `0..=n(n+1)/2` (R's `csignrank`).
fn signed_rank_counts(n: usize) -> Vec<f64> {
    let top = n * (n + 1) / 2;
    let mut c = vec![0u64; top + 1];
    c[0] = 1;
    for k in 1..=n {
        for s in (k..=k * (k + 1) / 2).rev() {
            c[s] += c[s - k];
        }
    }
    c.into_iter().map(|v| v as f64).collect()
}
