//! Concentration: how unequally costs or care days are spread over individuals.
//!
//! All measures are computed in one pass over the values sorted ascending, each
//! value carrying a weight (a survey weight, or in the bootstrap the number of
//! times the individual was drawn times that weight). The data are sorted once;
//! the bootstrap reuses the sorted order and only changes the weights, so a
//! replicate costs O(n) and never sorts.
//!
//! Notation: sorted values `x_1 <= ... <= x_n` with weights `w_i`, `W = sum w_i`,
//! `V = sum w_i x_i`, mean `mu = V / W`, cumulative shares `p_i = (w_1+...+w_i)/W`
//! and `L_i = (w_1 x_1 + ... + w_i x_i)/V`. With unit weights these are the
//! textbook (R ineq) definitions.

use crate::error::{Error, Result};
use rayon::prelude::*;

/// One measure of a sorted weighted sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// The share of the total held by the top fraction `p`, on the interpolated
    /// Lorenz curve: `1 - L(1 - p)`, so a fractional number of individuals
    /// counts in proportion (20% of 68 = 13.6 individuals).
    TopShare(f64),
    /// The share held by the top `ceil(p n)` individuals (the integer rule;
    /// with weights: the fewest top individuals whose weight reaches `p W`).
    TopShareInteger(f64),
    /// The Lorenz curve at population share `f`: linear interpolation between
    /// the points `(p_i, L_i)`, `(0, 0)` included.
    Lorenz(f64),
    /// Gini: `G = 1 - sum_i (w_i / W) (L_{i-1} + L_i)`, twice the area between
    /// the diagonal and the Lorenz curve; with unit weights
    /// `sum_i (2i - n - 1) x_i / (n^2 mu)`, as `ineq::Gini`.
    Gini,
    /// Gini with the small-sample correction `G n / (n - 1)` (`ineq::Gini(corr = TRUE)`),
    /// `n` the number of individuals.
    GiniCorrected,
    /// Hoover (Robin Hood) index: `sum_i w_i |x_i - mu| / (2 V)`, the share of the
    /// total that would have to move to make everyone equal.
    Hoover,
    /// Theil T: `(1/W) sum_i w_i (x_i/mu) ln(x_i/mu)`, with `0 ln 0 = 0`.
    TheilT,
    /// Mean log deviation (Theil L): `(1/W) sum_i w_i ln(mu/x_i)`; NaN when a value is 0.
    MeanLogDeviation,
    /// Herfindahl: `sum_i w_i (x_i / V)^2`, the sum of squared shares (`ineq::Herfindahl`).
    Herfindahl,
    /// Mean `V / W`.
    Mean,
    /// Quantile `q` of the sample with each value repeated by its count, by numpy's
    /// default (linear) rule: position `h = (n - 1) q`, interpolated between order
    /// statistics `floor(h)` and `floor(h) + 1` (0-based). Weights are ignored.
    Quantile(f64),
}

/// Checks that `values` are finite and non-negative with a positive total.
///
/// # Errors
/// `Error::Data` naming the first offending row, or the all-zero total.
pub fn check_values(values: &[f64], table: &'static str) -> Result<()> {
    if let Some(row) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(
            table,
            "values",
            Some(row),
            format!("is {}; concentration needs finite values", values[row]),
        ));
    }
    if let Some(row) = values.iter().position(|&v| v < 0.0) {
        return Err(Error::data(
            table,
            "values",
            Some(row),
            format!("is negative ({}); concentration measures shares of a non-negative total", values[row]),
        ));
    }
    if values.len() < 2 {
        return Err(Error::data(
            table,
            "values",
            None,
            format!("has {} value(s); concentration needs at least two", values.len()),
        ));
    }
    if values.iter().all(|&v| v == 0.0) {
        return Err(Error::data(table, "values", None, "are all zero; shares of a zero total are undefined"));
    }
    Ok(())
}

/// Checks that `weights` are finite, non-negative and not all zero.
pub fn check_weights(weights: &[f64], n: usize) -> Result<()> {
    if weights.len() != n {
        return Err(Error::data("weights", "", None, format!("has {} weights for {} values", weights.len(), n)));
    }
    if let Some(row) = weights.iter().position(|w| !w.is_finite() || *w < 0.0) {
        return Err(Error::data(
            "weights",
            "",
            Some(row),
            format!("is {}; weights must be finite and non-negative", weights[row]),
        ));
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(Error::data("weights", "", None, "are all zero"));
    }
    Ok(())
}

/// The permutation that sorts `values` ascending (ties in data order), in parallel.
pub fn sort_order(values: &[f64]) -> Vec<u32> {
    // Sorting (value, position) pairs keeps the comparisons in cache; the
    // position breaks ties, which makes the unstable sort stable.
    let mut pairs: Vec<(f64, u32)> = values.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    pairs.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    pairs.into_iter().map(|(_, i)| i).collect()
}

/// Sorts non-negative values ascending in place, in parallel.
pub fn sort_values(values: &mut [f64]) {
    values.par_sort_unstable_by(f64::total_cmp);
}

/// Evaluates `measures` on values sorted ascending, into `out` (one value per measure).
///
/// `count(i)` is how many individuals value `i` stands for (1, or the times it was
/// drawn) and `weight(i)` its total weight (the count times a survey weight).
/// A value with count 0 is absent.
///
/// # Examples
/// ```
/// use utfall::concentration::{measures_sorted, Measure};
/// let x = [1.0, 2.0, 3.0, 4.0, 5.0];
/// let mut out = [0.0; 2];
/// measures_sorted(&x, |_| 1.0, |_| 1.0, &[Measure::Lorenz(0.4), Measure::TopShare(0.2)], &mut out);
/// assert!((out[0] - 0.2).abs() < 1e-12);
/// assert!((out[1] - 1.0 / 3.0).abs() < 1e-12);
/// ```
pub fn measures_sorted(
    x: &[f64],
    count: impl Fn(usize) -> f64,
    weight: impl Fn(usize) -> f64,
    measures: &[Measure],
    out: &mut [f64],
) {
    let (mut total_w, mut total_v, mut total_n, mut has_zero) = (0.0, 0.0, 0.0, false);
    for (i, &xi) in x.iter().enumerate() {
        let w = weight(i);
        if w > 0.0 {
            total_w += w;
            total_v += w * xi;
            total_n += count(i);
            has_zero |= xi == 0.0;
        }
    }
    let mu = total_v / total_w;
    // Positional measures, evaluated when the walk reaches their position.
    let mut targets: Vec<(f64, usize)> = Vec::new(); // (position on the weight scale, measure)
    let mut rank_targets: Vec<(f64, usize)> = Vec::new(); // (0-based rank, measure)
    for (m, measure) in measures.iter().enumerate() {
        match *measure {
            Measure::TopShare(p) => targets.push(((1.0 - p).clamp(0.0, 1.0) * total_w, m)),
            Measure::Lorenz(f) => targets.push((f.clamp(0.0, 1.0) * total_w, m)),
            Measure::TopShareInteger(p) => targets.push(((1.0 - p).clamp(0.0, 1.0) * total_w, m)),
            Measure::Quantile(q) => rank_targets.push(((total_n - 1.0) * q.clamp(0.0, 1.0), m)),
            _ => {}
        }
        out[m] = 0.0;
    }
    let wants = |f: fn(&Measure) -> bool| measures.iter().any(f);
    let need_logs = wants(|m| matches!(m, Measure::TheilT | Measure::MeanLogDeviation));
    let need_hoover = wants(|m| matches!(m, Measure::Hoover));
    targets.sort_by(|a, b| a.0.total_cmp(&b.0));
    rank_targets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (mut next_target, mut next_rank) = (0, 0);
    let (mut gini_sum, mut abs_dev, mut theil, mut mld, mut herf) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut w_before, mut v_before, mut n_before) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &xi) in x.iter().enumerate() {
        let w = weight(i);
        if w <= 0.0 {
            continue;
        }
        let c = count(i);
        let (w_after, v_after, n_after) = (w_before + w, v_before + w * xi, n_before + c);
        gini_sum += w * (2.0 * v_before + w * xi);
        if need_hoover {
            abs_dev += w * (xi - mu).abs();
        }
        if need_logs && xi > 0.0 {
            let r = xi / mu;
            let log = r.ln();
            theil += w * r * log;
            mld -= w * log;
        }
        herf += w * xi * xi;
        while next_target < targets.len() && targets[next_target].0 <= w_after {
            let (position, m) = targets[next_target];
            out[m] = match measures[m] {
                Measure::TopShareInteger(_) => {
                    // Whole individuals of this value that still fit below the position.
                    let per = w / c;
                    let fit = (((position - w_before) / per) + 1e-9).floor().clamp(0.0, c);
                    1.0 - (v_before + fit * per * xi) / total_v
                }
                Measure::TopShare(_) => 1.0 - ((v_before + (position - w_before).max(0.0) * xi) / total_v).min(1.0),
                _ => ((v_before + (position - w_before).max(0.0) * xi) / total_v).min(1.0),
            };
            next_target += 1;
        }
        while next_rank < rank_targets.len() && rank_targets[next_rank].0 < n_after {
            let (h, m) = rank_targets[next_rank];
            let lo = h.floor();
            // x at rank lo is this value; rank lo + 1 is this value or the next present one.
            let frac = h - lo;
            let upper = if lo + 1.0 < n_after { xi } else { next_present(x, &weight, i).unwrap_or(xi) };
            out[m] = xi + frac * (upper - xi);
            next_rank += 1;
        }
        w_before = w_after;
        v_before = v_after;
        n_before = n_after;
    }
    // Positions past the last present value (rounding at f = 1): the whole total.
    for &(_, m) in &targets[next_target..] {
        out[m] = if matches!(measures[m], Measure::Lorenz(_)) { 1.0 } else { 0.0 };
    }
    let gini = 1.0 - gini_sum / (total_w * total_v);
    for (m, measure) in measures.iter().enumerate() {
        out[m] = match *measure {
            Measure::Gini => gini,
            Measure::GiniCorrected => gini * total_n / (total_n - 1.0),
            Measure::Hoover => abs_dev / (2.0 * total_v),
            Measure::TheilT => theil / total_w,
            Measure::MeanLogDeviation => {
                if has_zero {
                    f64::NAN
                } else {
                    mld / total_w
                }
            }
            Measure::Herfindahl => herf / (total_v * total_v),
            Measure::Mean => mu,
            _ => out[m],
        };
    }
}

/// The first value after position `i` with a positive weight.
fn next_present(x: &[f64], weight: &impl Fn(usize) -> f64, i: usize) -> Option<f64> {
    (i + 1..x.len()).find(|&j| weight(j) > 0.0).map(|j| x[j])
}

/// The measures of `values` with optional `weights`: validates, sorts once, evaluates.
///
/// # Errors
/// `Error::Data` for NaN, infinite or negative values, fewer than two values, an
/// all-zero total, or bad weights.
///
/// # Examples
/// ```
/// use utfall::concentration::{measures, Measure};
/// let x = [541.0, 1463.0, 2445.0, 3438.0, 4437.0, 5401.0, 6392.0, 8304.0, 11904.0, 22261.0];
/// let g = measures(&x, None, &[Measure::Gini]).unwrap();
/// assert!((g[0] - 0.4620911).abs() < 1e-7);
/// ```
pub fn measures(values: &[f64], weights: Option<&[f64]>, measures: &[Measure]) -> Result<Vec<f64>> {
    check_values(values, "values")?;
    let mut out = vec![0.0; measures.len()];
    match weights {
        None => {
            let mut sorted = values.to_vec();
            sort_values(&mut sorted);
            measures_sorted(&sorted, |_| 1.0, |_| 1.0, measures, &mut out);
        }
        Some(w) => {
            check_weights(w, values.len())?;
            if w.iter().zip(values).all(|(&w, &v)| w == 0.0 || v == 0.0) {
                return Err(Error::data("values", "values", None, "have a zero weighted total; shares are undefined"));
            }
            let order = sort_order(values);
            let sorted: Vec<f64> = order.iter().map(|&i| values[i as usize]).collect();
            let sorted_w: Vec<f64> = order.iter().map(|&i| w[i as usize]).collect();
            measures_sorted(
                &sorted,
                |i| if sorted_w[i] > 0.0 { 1.0 } else { 0.0 },
                |i| sorted_w[i],
                measures,
                &mut out,
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const INEQ: [f64; 10] = [541.0, 1463.0, 2445.0, 3438.0, 4437.0, 5401.0, 6392.0, 8304.0, 11904.0, 22261.0];

    #[test]
    fn ineq_example() {
        let m = [
            Measure::Gini,
            Measure::GiniCorrected,
            Measure::Herfindahl,
            Measure::TopShare(0.2),
            Measure::Hoover,
            Measure::TheilT,
            Measure::MeanLogDeviation,
        ];
        let v = measures(&INEQ, None, &m).unwrap();
        let expected = [
            0.4620911,
            0.5134345891862486,
            0.1840812,
            0.5130958459736281,
            0.33780674616285705,
            0.362341242343895,
            0.4335946495204457,
        ];
        let tol = [1e-7, 1e-9, 1e-7, 1e-9, 1e-9, 1e-9, 1e-9];
        for i in 0..m.len() {
            assert!((v[i] - expected[i]).abs() < tol[i], "{:?}: {} vs {}", m[i], v[i], expected[i]);
        }
    }

    #[test]
    fn lorenz_points_and_rules() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let m: Vec<Measure> = (0..=5).map(|i| Measure::Lorenz(i as f64 / 5.0)).collect();
        let v = measures(&x, None, &m).unwrap();
        let expected = [0.0, 1.0 / 15.0, 0.2, 0.4, 10.0 / 15.0, 1.0];
        for i in 0..6 {
            assert!((v[i] - expected[i]).abs() < 1e-12);
        }
        // 30% of 5 = 1.5 individuals: interpolated takes half of the 4; integer takes 5 and 4.
        let v = measures(&x, None, &[Measure::TopShare(0.3), Measure::TopShareInteger(0.3)]).unwrap();
        assert!((v[0] - 7.0 / 15.0).abs() < 1e-12);
        assert!((v[1] - 9.0 / 15.0).abs() < 1e-12);
    }

    #[test]
    fn quantile_matches_numpy_linear() {
        let x = [1.0, 2.0, 4.0, 8.0];
        let v = measures(
            &x,
            None,
            &[Measure::Quantile(0.5), Measure::Quantile(0.9), Measure::Quantile(0.0), Measure::Quantile(1.0)],
        )
        .unwrap();
        for (a, b) in v.iter().zip([3.0, 6.8, 1.0, 8.0]) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn errors() {
        assert!(measures(&[1.0, -1.0], None, &[Measure::Gini]).is_err());
        assert!(measures(&[0.0, 0.0], None, &[Measure::Gini]).is_err());
        assert!(measures(&[1.0, f64::NAN], None, &[Measure::Gini]).is_err());
        assert!(measures(&[1.0], None, &[Measure::Gini]).is_err());
    }

    #[test]
    fn weights_equal_repetition() {
        let x = [3.0, 1.0, 2.0];
        let w = [2.0, 1.0, 3.0];
        let expanded = [3.0, 3.0, 1.0, 2.0, 2.0, 2.0];
        let m = [
            Measure::Gini,
            Measure::Hoover,
            Measure::TheilT,
            Measure::Herfindahl,
            Measure::TopShare(0.25),
            Measure::Lorenz(0.5),
        ];
        let a = measures(&x, Some(&w), &m).unwrap();
        let b = measures(&expanded, None, &m).unwrap();
        for i in 0..m.len() {
            assert!((a[i] - b[i]).abs() < 1e-12, "{:?}", m[i]);
        }
    }

    proptest! {
        #[test]
        fn lorenz_is_monotone_and_convex(x in proptest::collection::vec(0.0f64..1e6, 2..50)) {
            prop_assume!(x.iter().any(|&v| v > 0.0));
            let grid: Vec<Measure> = (0..=20).map(|i| Measure::Lorenz(i as f64 / 20.0)).collect();
            let l = measures(&x, None, &grid).unwrap();
            for i in 1..l.len() {
                prop_assert!(l[i] >= l[i - 1] - 1e-12);
                prop_assert!(l[i] <= i as f64 / 20.0 + 1e-12);
            }
            for i in 1..l.len() - 1 {
                prop_assert!(l[i - 1] + l[i + 1] - 2.0 * l[i] >= -1e-9);
            }
            let g = measures(&x, None, &[Measure::Gini]).unwrap()[0];
            prop_assert!((-1e-12..=1.0).contains(&g));
        }
    }
}
