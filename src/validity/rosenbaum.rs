//! Rosenbaum bounds: how large a hidden bias would have to be to explain the difference.
//!
//! In a matched set one unit is treated; under a hidden bias of size `Gamma` the odds of
//! any two units of a set being the treated one differ by at most a factor `Gamma`
//! (Rosenbaum 2002, *Observational Studies*, ch. 4). The tests below bound the p-value of
//! "no effect" over every assignment compatible with `Gamma`.
//!
//! # Formula
//!
//! *Pairs, Wilcoxon signed rank* (as `rbounds::psens`): with `d_i` the non-zero pair
//! differences, `q_i` the average ranks of `|d_i|`, `T = sum_i q_i [d_i > 0]`,
//! `p+ = Gamma / (1 + Gamma)`: `E+ = p+ sum q_i`, `V = p+ (1 - p+) sum q_i^2`, and the upper
//! bound of the one-sided p-value is `1 - Phi((T - E+) / sqrt(V))` (with `p- = 1 / (1 + Gamma)`
//! the lower bound).
//!
//! *Sets with one or more controls, m-statistics* (as `sensitivitymv::senmv`, Rosenbaum
//! 2007): the scores `psi(y_ij - y_ik) / n_i` summed over the other units `k` of the set,
//! `psi(x) = sign(x) min(1, max(0, |x|/h - inner) / (trim - inner))`, `h` the `lambda`
//! quantile of all `|y_ij - y_ik|` (type 7); `T` the sum of the treated units' scores; per
//! set the separable approximation takes the largest expectation over the `n_i - 1`
//! patterns "the `a` smallest scores have odds 1, the others `Gamma`", with its variance;
//! the deviate `(T - sum E) / sqrt(sum V)` gives the upper bound `1 - Phi(deviate)`.
//!
//! *Hodges-Lehmann bounds*: the shift `tau` of the treated outcomes at which the statistic
//! equals its largest (smallest) expectation under `Gamma`. For pairs with the signed-rank
//! statistic, `T(tau)` counts the Walsh averages above `tau`, and the bound is Rosenbaum's
//! `(sup{tau: T(tau) > E} + inf{tau: T(tau) < E}) / 2` exactly (`rbounds::hlsens` searches a
//! grid of step `pr = 0.1` from the estimate instead); for m-statistics the root of the
//! deviate in `tau` by bisection.

use crate::error::{Error, Result};
use statrs::distribution::{ContinuousCDF, Normal};

/// One bound of a sensitivity test at one `Gamma`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    /// The test statistic.
    pub statistic: f64,
    /// The largest expectation of the statistic under `Gamma`.
    pub expectation: f64,
    /// Its variance.
    pub variance: f64,
    /// `(statistic - expectation) / sqrt(variance)`.
    pub deviate: f64,
    /// The upper bound of the one-sided p-value, `1 - Phi(deviate)`.
    pub p_value: f64,
}

fn upper_tail(deviate: f64) -> f64 {
    let normal = Normal::new(0.0, 1.0).expect("the standard normal");
    1.0 - normal.cdf(deviate)
}

fn check_gamma(gamma: f64) -> Result<()> {
    if !(gamma.is_finite() && gamma >= 1.0) {
        return Err(Error::Spec(format!("Gamma must be a number of at least 1, not {gamma}")));
    }
    Ok(())
}

/// Average ranks (R's `rank(ties.method = "average")`), 1-based.
fn average_ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// The Wilcoxon signed-rank bounds of `rbounds::psens` at `gamma`: (upper, lower).
///
/// # Errors
///
/// [`Error::Spec`] for `gamma < 1` or a NaN difference; [`Error::Computation`] when every
/// difference is zero.
pub fn wilcoxon_pairs(differences: &[f64], gamma: f64) -> Result<(Bound, Bound)> {
    check_gamma(gamma)?;
    if differences.iter().any(|d| !d.is_finite()) {
        return Err(Error::Spec("the pair differences must be finite numbers".into()));
    }
    let d: Vec<f64> = differences.iter().copied().filter(|&v| v != 0.0).collect();
    if d.is_empty() {
        return Err(Error::Computation(
            "every pair difference is zero: the signed-rank test has nothing to rank".into(),
        ));
    }
    let ranks = average_ranks(&d.iter().map(|v| v.abs()).collect::<Vec<_>>());
    let t: f64 = d.iter().zip(&ranks).filter(|(v, _)| **v > 0.0).map(|(_, r)| r).sum();
    let sum: f64 = ranks.iter().sum();
    let sum2: f64 = ranks.iter().map(|r| r * r).sum();
    let bound = |p: f64| {
        let expectation = p * sum;
        // psens uses the same variance p+ (1 - p+) for both bounds.
        let variance = p * (1.0 - p) * sum2;
        let deviate = (t - expectation) / variance.sqrt();
        Bound { statistic: t, expectation, variance, deviate, p_value: upper_tail(deviate) }
    };
    Ok((bound(gamma / (1.0 + gamma)), bound(1.0 / (1.0 + gamma))))
}

/// Rosenbaum's Hodges-Lehmann bounds for pairs at `gamma`: (low, high) shifts of the
/// treated-minus-control differences.
pub fn hodges_lehmann_pairs(differences: &[f64], gamma: f64) -> Result<(f64, f64)> {
    check_gamma(gamma)?;
    let s = differences.len();
    if s == 0 || differences.iter().any(|d| !d.is_finite()) {
        return Err(Error::Spec("the Hodges-Lehmann bounds need one or more finite pair differences".into()));
    }
    let mut walsh = Vec::with_capacity(s * (s + 1) / 2);
    for i in 0..s {
        for j in i..s {
            walsh.push((differences[i] + differences[j]) / 2.0);
        }
    }
    walsh.sort_by(f64::total_cmp);
    let n = walsh.len();
    let total = n as f64;
    // With W ascending, #{W > tau} > E for tau < W[n - floor(E) - 1] (0-based), and < E for
    // tau >= W[n - ceil(E)]: the midpoint of the two is the shift solving T(tau) = E.
    let at = |e: f64| {
        let hi = (n - (e.floor() as usize).min(n - 1)) - 1;
        let lo = n - (e.ceil() as usize).clamp(1, n);
        (walsh[hi.min(n - 1)] + walsh[lo]) / 2.0
    };
    let p_plus = gamma / (1.0 + gamma);
    Ok((at(p_plus * total), at((1.0 - p_plus) * total)))
}

/// The options of an m-statistic (`senmv`'s `inner`, `trim`, `lambda`, `TonT`, and the
/// weights `m1`, `m2`, `m` of its methods "w", "q", "s", "l"; `m = 1`: unweighted).
#[derive(Debug, Clone, Copy)]
pub struct MStatistic {
    pub inner: f64,
    pub trim: f64,
    pub lambda: f64,
    pub treated_on_total: bool,
    pub m1: u32,
    pub m2: u32,
    pub m: u32,
}

impl Default for MStatistic {
    /// `senmv`'s defaults: Huber's psi with `trim = 2.5`, scaled by the median `|difference|`.
    fn default() -> Self {
        MStatistic { inner: 0.0, trim: 2.5, lambda: 0.5, treated_on_total: false, m1: 1, m2: 1, m: 1 }
    }
}

/// Matched sets as rows of `width` outcomes, the treated first, `NaN` padding a set
/// smaller than `width` (as `senmv`'s matrix with `NA`).
pub struct Sets<'a> {
    pub values: &'a [f64],
    pub width: usize,
}

/// R's `quantile(x, q)` (type 7), by selection (the order of `values` changes).
fn quantile7(values: &mut [f64], q: f64) -> f64 {
    let h = (values.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, &mut at_lo, rest) = values.select_nth_unstable_by(lo, f64::total_cmp);
    // The next order statistic is the smallest of the values above.
    let at_hi = rest.iter().copied().fold(f64::INFINITY, f64::min);
    if at_hi.is_finite() {
        at_lo + (h - lo as f64) * (at_hi - at_lo)
    } else {
        at_lo
    }
}

/// `senmv`'s scores (`mscorev`, then `newurks` when weighted): one row of scores per set
/// with at least two units, `NaN` where the set has no unit.
fn scores(sets: &Sets, options: &MStatistic, tau: f64) -> Result<Vec<Vec<f64>>> {
    let m = sets.width;
    let rows: Vec<Vec<f64>> = sets
        .values
        .chunks(m)
        .map(|r| r.iter().enumerate().map(|(j, &v)| if j == 0 { v - tau } else { v }).collect())
        .collect();
    let robust = options.trim < f64::INFINITY || options.inner > 0.0;
    let mut h = 1.0;
    if robust {
        let mut all: Vec<f64> = Vec::new();
        for r in &rows {
            for (j, a) in r.iter().enumerate() {
                for (k, b) in r.iter().enumerate() {
                    if j != k && a.is_finite() && b.is_finite() {
                        all.push((a - b).abs());
                    }
                }
            }
        }
        if all.is_empty() {
            return Err(Error::Computation("no matched set has two units with outcomes".into()));
        }
        h = quantile7(&mut all, options.lambda);
        if !(h > 0.0) {
            return Err(Error::Computation(format!(
                "the scale of the m-statistic (the {} quantile of the absolute differences within sets) is zero: raise lambda",
                options.lambda
            )));
        }
    }
    let psi = |x: f64| -> f64 {
        if !robust {
            return x;
        }
        let s = x / h;
        let ab = if options.trim < f64::INFINITY && options.inner < options.trim {
            ((s.abs() - options.inner).max(0.0) / (options.trim - options.inner)).min(1.0)
        } else if options.trim < f64::INFINITY {
            if s.abs() > options.inner {
                1.0
            } else {
                0.0
            }
        } else {
            (s.abs() - options.inner).max(0.0)
        };
        if s == 0.0 {
            0.0
        } else {
            s.signum() * ab
        }
    };
    let mut out = Vec::new();
    for r in &rows {
        let ni = r.iter().filter(|v| v.is_finite()).count();
        if ni < 2 || !r[0].is_finite() {
            continue;
        }
        let mut row = vec![f64::NAN; m];
        for j in 0..m {
            if !r[j].is_finite() {
                continue;
            }
            let s: f64 = (0..m).filter(|&k| k != j && r[k].is_finite()).map(|k| psi(r[j] - r[k])).sum();
            row[j] = s / ni as f64;
        }
        out.push(row);
    }
    if options.treated_on_total {
        let n = out.len() as f64;
        for row in &mut out {
            let ni = row.iter().filter(|v| v.is_finite()).count() as f64;
            for v in row.iter_mut() {
                *v = *v * ni / (ni - 1.0) / n;
            }
        }
    }
    if options.m > 1 {
        let ranges: Vec<f64> = out
            .iter()
            .map(|r| {
                let f = r.iter().filter(|v| v.is_finite());
                f.clone().fold(f64::NEG_INFINITY, |a, &b| a.max(b)) - f.fold(f64::INFINITY, |a, &b| a.min(b))
            })
            .collect();
        let ranks = average_ranks(&ranges);
        let n = ranks.len() as f64;
        for (row, rk) in out.iter_mut().zip(ranks) {
            let pk = rk / n;
            let mut q = 0.0;
            for l in options.m1..=options.m2 {
                q +=
                    l as f64 * binomial(options.m, l) * pk.powi(l as i32 - 1) * (1.0 - pk).powi((options.m - l) as i32);
            }
            for v in row.iter_mut() {
                *v *= q;
            }
        }
    }
    Ok(out)
}

fn binomial(n: u32, k: u32) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// `senmv`'s scores of every set, each set's sorted, ready for any `Gamma` (they do not
/// depend on it).
pub struct Scores {
    /// Per set: the treated unit's score and all the set's scores in ascending order.
    rows: Vec<(f64, Vec<f64>)>,
}

impl Scores {
    /// The bound at `gamma` (`separable1v`).
    pub fn bound(&self, gamma: f64) -> Result<Bound> {
        check_gamma(gamma)?;
        let (mut expectation, mut variance, mut statistic) = (0.0, 0.0, 0.0);
        for (treated, rk) in &self.rows {
            let mi = rk.len();
            let total: f64 = rk.iter().sum();
            let total2: f64 = rk.iter().map(|v| v * v).sum();
            let (mut best, mut best_var) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
            let (mut low, mut low2) = (0.0, 0.0);
            for a in 1..mi {
                low += rk[a - 1];
                low2 += rk[a - 1] * rk[a - 1];
                let denom = a as f64 + gamma * (mi - a) as f64;
                let mu = (low + gamma * (total - low)) / denom;
                let var = (low2 + gamma * (total2 - low2)) / denom - mu * mu;
                if mu > best {
                    best = mu;
                    best_var = var;
                } else if mu == best {
                    best_var = best_var.max(var);
                }
            }
            expectation += best;
            variance += best_var;
            statistic += treated;
        }
        let deviate = (statistic - expectation) / variance.sqrt();
        Ok(Bound { statistic, expectation, variance, deviate, p_value: upper_tail(deviate) })
    }
}

/// The scores of [`senmv`] with the shift `tau` subtracted from the treated outcomes.
///
/// # Errors
///
/// As [`senmv`].
pub fn senmv_scores(sets: &Sets, options: &MStatistic, tau: f64) -> Result<Scores> {
    let m = sets.width;
    if m < 2 || sets.values.len() % m != 0 {
        return Err(Error::Spec("matched sets need a treated unit and at least one control".into()));
    }
    if !(0.0 <= options.inner && options.inner <= options.trim && options.lambda > 0.0 && options.lambda < 1.0) {
        return Err(Error::Spec("senmv needs 0 <= inner <= trim and 0 < lambda < 1".into()));
    }
    if options.m > 1 && sets.values.iter().any(|v| v.is_nan()) {
        return Err(Error::Spec(
            "weighting of sets is not available for matched sets of different sizes (as in senmv)".into(),
        ));
    }
    let rows = scores(sets, options, tau)?
        .into_iter()
        .map(|row| {
            let mut rk: Vec<f64> = row.iter().copied().filter(|v| v.is_finite()).collect();
            rk.sort_by(f64::total_cmp);
            (row[0], rk)
        })
        .collect();
    Ok(Scores { rows })
}

/// `senmv(y, gamma, ...)`: the upper bound of the one-sided p-value of "no effect" (treated
/// outcomes not higher), with the shift `tau` subtracted from the treated outcomes.
///
/// # Errors
///
/// [`Error::Spec`] for `gamma < 1`, options outside `senmv`'s ranges or weighted methods
/// with sets of different sizes; [`Error::Computation`] when no set has two units or the
/// scale is zero.
pub fn senmv(sets: &Sets, gamma: f64, options: &MStatistic, tau: f64) -> Result<Bound> {
    check_gamma(gamma)?;
    senmv_scores(sets, options, tau)?.bound(gamma)
}

/// The Hodges-Lehmann bound of the m-statistic at `gamma`: the shift `tau` of the treated
/// outcomes at which the deviate of [`senmv`] is zero (to 1e-12 of the data's range).
/// The other bound is the negative of this one on the negated outcomes.
pub fn hodges_lehmann_sets(sets: &Sets, gamma: f64, options: &MStatistic) -> Result<f64> {
    let finite: Vec<f64> = sets.values.iter().copied().filter(|v| v.is_finite()).collect();
    let lo0 = finite.iter().fold(f64::INFINITY, |a, &b| a.min(b));
    let hi0 = finite.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let span = (hi0 - lo0).max(1e-300);
    let f = |tau: f64| senmv(sets, gamma, options, tau).map(|b| b.statistic - b.expectation);
    // The statistic minus its expectation falls as tau rises: positive at -span, negative at +span.
    let (mut lo, mut hi) = (-2.0 * span, 2.0 * span);
    let (mut f_lo, mut f_hi) = (f(lo)?, f(hi)?);
    if !(f_lo > 0.0 && f_hi < 0.0) {
        return Err(Error::Computation("the Hodges-Lehmann bound could not be bracketed".into()));
    }
    // The Illinois variant of regula falsi (the bracket always holds the root; the end that
    // stays has its value halved), to 1e-12 of the data's range: each step recomputes the
    // scores, so a few steps instead of bisection's forty matter for large sets.
    let mut side = 0;
    for _ in 0..200 {
        if hi - lo <= 1e-12 * span {
            break;
        }
        let mut c = hi - f_hi * (hi - lo) / (f_hi - f_lo);
        if !(c > lo && c < hi) {
            c = (lo + hi) / 2.0;
        }
        let f_c = f(c)?;
        if f_c > 0.0 {
            lo = c;
            f_lo = f_c;
            if side == 1 {
                f_hi /= 2.0;
            }
            side = 1;
        } else if f_c < 0.0 {
            hi = c;
            f_hi = f_c;
            if side == -1 {
                f_lo /= 2.0;
            }
            side = -1;
        } else {
            return Ok(c);
        }
    }
    Ok((lo + hi) / 2.0)
}

/// The smallest `Gamma` at which the upper bound of the p-value reaches `alpha`
/// (bisection on `log Gamma`; `p(Gamma)` rises with `Gamma`). `Some(1.0)` when the test
/// is not significant even without hidden bias; `None` when it stays significant up to
/// `max_gamma`.
pub fn sensitivity_gamma(p_at: impl Fn(f64) -> Result<f64>, alpha: f64, max_gamma: f64) -> Result<Option<f64>> {
    if !(alpha > 0.0 && alpha < 1.0) {
        return Err(Error::Spec(format!("alpha must lie between 0 and 1, not {alpha}")));
    }
    if p_at(1.0)? >= alpha {
        return Ok(Some(1.0));
    }
    if p_at(max_gamma)? < alpha {
        return Ok(None);
    }
    let (mut lo, mut hi) = (0.0f64, max_gamma.ln());
    for _ in 0..100 {
        let mid = (lo + hi) / 2.0;
        if p_at(mid.exp())? < alpha {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Some(hi.exp()))
}

/// The E-value of a ratio (VanderWeele and Ding 2017): `RR + sqrt(RR (RR - 1))` with
/// `RR` the ratio or its inverse, whichever is at least 1.
pub fn e_value(ratio: f64) -> Result<f64> {
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(Error::Spec(format!("the E-value needs a positive finite ratio, not {ratio}")));
    }
    let rr = if ratio < 1.0 { 1.0 / ratio } else { ratio };
    Ok(rr + (rr * (rr - 1.0)).sqrt())
}

/// The named settings of `senmv`'s `method =` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// "h": Huber's psi, `inner = 0`, `trim = 2.5`.
    Huber,
    /// "i": inner trimming, `inner = 0.5`, `trim = 2.5`.
    Inner,
    /// "w": weighted sets, `trim = 3`, `(m1, m2, m) = (12, 20, 20)`.
    Weighted,
    /// "t": the treated-minus-control mean (no trimming, `TonT`).
    Mean,
    /// "q": `trim = 3`, `(2, 2, 2)`.
    Q,
    /// "s": `trim = 3`, `(16, 20, 20)`.
    S,
    /// "l": `trim = 2`, `(12, 19, 20)`.
    L,
}

impl MStatistic {
    /// The settings `senmv` uses for `method`.
    pub fn preset(method: Method) -> Self {
        let base = MStatistic::default();
        let (inner, trim, m1, m2, m, tont) = match method {
            Method::Huber => (0.0, 2.5, 1, 1, 1, false),
            Method::Inner => (0.5, 2.5, 1, 1, 1, false),
            Method::Weighted => (0.0, 3.0, 12, 20, 20, false),
            Method::Mean => (0.0, f64::INFINITY, 1, 1, 1, true),
            Method::Q => (0.0, 3.0, 2, 2, 2, false),
            Method::S => (0.0, 3.0, 16, 20, 20, false),
            Method::L => (0.0, 2.0, 12, 19, 20, false),
        };
        MStatistic { inner, trim, m1, m2, m, treated_on_total: tont, ..base }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `rbounds::psens(trt, ctrl)` on Rosenbaum's lead pairs (printed to 4 digits).
    #[test]
    fn psens_lead_example() {
        let trt = [
            38., 23., 41., 18., 37., 36., 23., 62., 31., 34., 24., 14., 21., 17., 16., 20., 15., 10., 45., 39., 22.,
            35., 49., 48., 44., 35., 43., 39., 34., 13., 73., 25., 27.,
        ];
        let ctrl = [
            16., 18., 18., 24., 19., 11., 10., 15., 16., 18., 18., 13., 19., 10., 16., 16., 24., 13., 9., 14., 21.,
            19., 7., 18., 19., 12., 11., 22., 25., 16., 13., 11., 13.,
        ];
        let d: Vec<f64> = trt.iter().zip(&ctrl).map(|(a, b)| a - b).collect();
        for (gamma, printed) in [(2.0, 0.0018), (4.0, 0.0367), (4.5, 0.0521), (6.0, 0.1073)] {
            let (upper, _) = wilcoxon_pairs(&d, gamma).unwrap();
            assert!((upper.p_value - printed).abs() <= 5e-5, "Gamma {gamma}: {}", upper.p_value);
        }
        // At Gamma = 1 both bounds are the Hodges-Lehmann estimate, the median of the Walsh
        // averages (R: median(walsh) = 15; hlsens prints wilcox.test's approximate 15.49996).
        let (lo, hi) = hodges_lehmann_pairs(&d, 1.0).unwrap();
        assert_eq!((lo, hi), (15.0, 15.0));
        // hlsens walks a grid of step 0.1 from 15.49996 to the first point where T(tau) reaches
        // its expectation (10.5 and 19.6 at Gamma = 2). T(tau) = 374 = E+ on (10, 10.5), so
        // Rosenbaum's (sup + inf) / 2 is 10.25; T crosses E- = 187 at 19.5.
        let (lo, hi) = hodges_lehmann_pairs(&d, 2.0).unwrap();
        assert_eq!((lo, hi), (10.25, 19.5));
        let g = sensitivity_gamma(|g| wilcoxon_pairs(&d, g).map(|b| b.0.p_value), 0.05, 100.0).unwrap().unwrap();
        assert!(g > 4.0 && g < 4.5, "{g}");
    }

    #[test]
    fn e_value_of_vanderweele_and_ding() {
        // VanderWeele & Ding (2017), Ann Intern Med 167:268: RR 3.9 -> 7.26, its lower limit 1.8 -> 3.0.
        assert!((e_value(3.9).unwrap() - 7.26).abs() < 0.005);
        assert!((e_value(1.8).unwrap() - 3.0).abs() < 0.005);
        assert!((e_value(1.0 / 3.9).unwrap() - e_value(3.9).unwrap()).abs() < 1e-12);
        assert!(e_value(0.0).is_err());
    }

    #[test]
    fn bad_gamma_is_a_spec_error() {
        assert!(matches!(wilcoxon_pairs(&[1.0, 2.0], 0.5), Err(Error::Spec(_))));
        assert!(matches!(wilcoxon_pairs(&[0.0, 0.0], 1.0), Err(Error::Computation(_))));
    }
}
