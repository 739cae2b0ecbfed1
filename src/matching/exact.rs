//! Exact and coarsened exact matching (MatchIt's `method = "exact"` and `"cem"`).
//!
//! - [`coarsen`]: a numeric covariate cut into bins, Sturges' `ceil(log2(n) + 1)` equal-width
//!   bins by default, a given number of bins, or given inner cut points; bins are right-closed
//!   with the lowest closed on the left too (R's `cut(include.lowest = TRUE)`), numbered from 1;
//! - [`strata`]: one stratum per distinct combination of the columns' codes, numbered in the
//!   sorted order of the combinations (pandas' `groupby(sort=True).ngroup()`);
//! - [`subclasses`]: MatchIt's subclass weights for the ATT and the treated-control pairs of
//!   every stratum that holds both groups.
//!
//! # Formula (ATT weights)
//!
//! In a stratum `s` with `n1_s` treated and `n0_s` controls (both > 0), a treated unit weighs 1
//! and a control `n1_s / n0_s`; the control weights are then rescaled to sum to the number of
//! matched controls. Units of strata without both groups weigh 0.

use crate::error::{Error, Result};

/// How a numeric covariate is cut.
#[derive(Debug, Clone, Copy)]
pub enum Cuts<'a> {
    /// `ceil(log2(n) + 1)` equal-width bins (Sturges, MatchIt's default).
    Sturges,
    /// This many equal-width bins.
    Bins(usize),
    /// These inner cut points (the range's ends are added).
    Points(&'a [f64]),
}

/// numpy's pairwise summation (`np.sum` of a contiguous float64 array), so that weights
/// scaled by a sum are bit-identical to the numpy implementation utfall had before.
pub fn numpy_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(0.0, |acc, &v| acc + v)
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        for block in a[8..whole].chunks_exact(8) {
            for (acc, &v) in r.iter_mut().zip(block) {
                *acc += v;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[whole..] {
            res += v;
        }
        res
    } else {
        let half = n / 2;
        let half = half - half % 8;
        numpy_sum(&a[..half]) + numpy_sum(&a[half..])
    }
}

/// The bin (1-based) of every value of `x`; `name` is the covariate, for errors.
pub fn coarsen(x: &[f64], cuts: Cuts<'_>, name: &str) -> Result<Vec<u32>> {
    if let Some(row) = x.iter().position(|v| !v.is_finite()) {
        return Err(Error::Spec(format!(
            "covariate '{name}', row {row}: {} cannot be coarsened; coarsened exact matching needs finite values",
            x[row]
        )));
    }
    if x.is_empty() {
        return Ok(Vec::new());
    }
    let (lo, hi) = x.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
    let edges: Vec<f64> = match cuts {
        Cuts::Points(points) => {
            if let Some(bad) = points.iter().find(|p| !p.is_finite()) {
                return Err(Error::Spec(format!("cutpoints of '{name}': {bad} is not a finite number")));
            }
            let mut e: Vec<f64> =
                std::iter::once(lo).chain(points.iter().copied()).chain(std::iter::once(hi)).collect();
            e.sort_by(f64::total_cmp);
            e.dedup();
            e
        }
        Cuts::Sturges | Cuts::Bins(_) => {
            let bins = match cuts {
                Cuts::Bins(b) => b,
                _ => ((x.len() as f64).log2() + 1.0).ceil() as usize,
            };
            if bins == 0 || bins > 1_000_000 {
                return Err(Error::Spec(format!("cutpoints of '{name}': {bins} bins; give 1 to 1,000,000")));
            }
            // As numpy's linspace: start + i * step, the last edge exactly the stop.
            let step = (hi - lo) / bins as f64;
            let mut e: Vec<f64> = (0..=bins).map(|i| i as f64 * step + lo).collect();
            e[bins] = hi;
            e
        }
    };
    let last = (edges.len().max(2) - 1) as u32;
    Ok(x.iter().map(|&v| (edges.partition_point(|&e| e < v) as u32).clamp(1, last)).collect())
}

/// Stratum codes `0..k` of the rows, one per distinct combination of the columns' codes, in
/// sorted order of the combinations; returns the codes and `k`.
pub fn strata(columns: &[&[u32]], n: usize) -> Result<(Vec<u32>, usize)> {
    if columns.iter().any(|c| c.len() != n) {
        return Err(Error::Spec("strata: every column needs one code per row".into()));
    }
    let key = |r: usize| columns.iter().map(move |c| c[r]);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| key(a).cmp(key(b)));
    let mut codes = vec![0u32; n];
    let mut k = 0usize;
    for (i, &r) in order.iter().enumerate() {
        if i > 0 && key(order[i - 1]).ne(key(r)) {
            k += 1;
        }
        codes[r] = k as u32;
    }
    Ok((codes, if n == 0 { 0 } else { k + 1 }))
}

/// The result of [`subclasses`].
#[derive(Debug, Clone, Default)]
pub struct Subclasses {
    /// One weight per row (ATT).
    pub weights: Vec<f64>,
    /// The stratum of each row that is matched (its stratum holds both groups), else -1.
    pub subclass: Vec<i64>,
    /// Treated-control pairs within strata: treated row, control row, slot (1-based, the
    /// control's rank among its stratum's controls in row order). Ordered by treated row, then slot.
    pub pair_treated: Vec<usize>,
    pub pair_control: Vec<usize>,
    pub pair_slot: Vec<usize>,
    /// Treated rows whose stratum has no control.
    pub unmatched: Vec<usize>,
}

/// MatchIt's subclass weights (ATT) and the pairs within each stratum; at most `max_pairs`
/// pairs are listed (a [`Error::Spec`] beyond, as the pairs of large strata do not fit in memory).
pub fn subclasses(strata: &[u32], n_strata: usize, treat: &[bool], max_pairs: usize) -> Result<Subclasses> {
    if strata.len() != treat.len() || strata.iter().any(|&s| s as usize >= n_strata) {
        return Err(Error::Spec("subclasses: one stratum code below the number of strata per row is needed".into()));
    }
    let (mut n1, mut n0) = (vec![0usize; n_strata], vec![0usize; n_strata]);
    for (&s, &t) in strata.iter().zip(treat) {
        if t {
            n1[s as usize] += 1;
        } else {
            n0[s as usize] += 1;
        }
    }
    let both = |s: u32| n1[s as usize] > 0 && n0[s as usize] > 0;
    let pairs: usize = (0..n_strata).filter(|&s| both(s as u32)).map(|s| n1[s] * n0[s]).sum();
    if pairs > max_pairs {
        return Err(Error::Spec(format!(
            "exact matching would list {pairs} treated-control pairs (more than {max_pairs}); \
             use the stratum estimator or finer strata"
        )));
    }
    let mut out = Subclasses { weights: vec![0.0; treat.len()], subclass: vec![-1; treat.len()], ..Default::default() };
    let mut controls_of: Vec<Vec<usize>> = vec![Vec::new(); n_strata];
    for (r, (&s, &t)) in strata.iter().zip(treat).enumerate() {
        if !both(s) {
            if t {
                out.unmatched.push(r);
            }
            continue;
        }
        out.subclass[r] = s as i64;
        if t {
            out.weights[r] = 1.0;
        } else {
            out.weights[r] = n1[s as usize] as f64 / n0[s as usize] as f64;
            controls_of[s as usize].push(r);
        }
    }
    let matched: Vec<f64> =
        (0..treat.len()).filter(|&r| !treat[r] && out.subclass[r] >= 0).map(|r| out.weights[r]).collect();
    if !matched.is_empty() {
        let scale = matched.len() as f64 / numpy_sum(&matched);
        for r in 0..treat.len() {
            if !treat[r] && out.subclass[r] >= 0 {
                out.weights[r] *= scale;
            }
        }
    }
    for (r, &s) in strata.iter().enumerate() {
        if treat[r] && both(s) {
            for (slot, &c) in controls_of[s as usize].iter().enumerate() {
                out.pair_treated.push(r);
                out.pair_control.push(c);
                out.pair_slot.push(slot + 1);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod exact_tests {
    use super::*;

    #[test]
    fn sturges_bins_as_r_cut_with_the_lowest_included() {
        // 8 values: ceil(log2 8 + 1) = 4 bins over [0, 8]: edges 0, 2, 4, 6, 8.
        let x = [0.0, 1.0, 2.0, 2.5, 4.0, 6.0, 7.9, 8.0];
        assert_eq!(coarsen(&x, Cuts::Sturges, "x").unwrap(), vec![1, 1, 1, 2, 2, 3, 4, 4]);
        assert_eq!(coarsen(&x, Cuts::Points(&[3.0]), "x").unwrap(), vec![1, 1, 1, 1, 2, 2, 2, 2]);
        assert!(coarsen(&[1.0, f64::INFINITY], Cuts::Sturges, "x").is_err());
        assert!(coarsen(&[1.0, 2.0], Cuts::Bins(0), "x").is_err());
    }

    #[test]
    fn strata_are_numbered_in_sorted_order() {
        let (a, b) = ([1u32, 0, 1, 0], [0u32, 1, 0, 0]);
        assert_eq!(strata(&[&a, &b], 4).unwrap(), (vec![2, 1, 2, 0], 3));
    }

    #[test]
    fn subclass_weights_sum_to_the_matched_controls() {
        // Stratum 0: 1 treated, 2 controls; stratum 1: 2 treated, 1 control; stratum 2: treated only.
        let strata = [0, 0, 0, 1, 1, 1, 2];
        let treat = [true, false, false, true, true, false, true];
        let s = subclasses(&strata, 3, &treat, 100).unwrap();
        let raw = [0.5, 0.5, 2.0];
        let scale = 3.0 / 3.0;
        assert_eq!(s.weights, vec![1.0, raw[0] * scale, raw[1] * scale, 1.0, 1.0, raw[2] * scale, 0.0]);
        assert_eq!(s.unmatched, vec![6]);
        assert_eq!(s.pair_treated, vec![0, 0, 3, 4]);
        assert_eq!(s.pair_control, vec![1, 2, 5, 5]);
        assert!(subclasses(&strata, 3, &treat, 3).is_err());
    }

    #[test]
    fn numpy_sum_is_pairwise() {
        let a: Vec<f64> = (0..300).map(|i| 1.0 / (i as f64 + 1.0)).collect();
        let seq: f64 = a.iter().sum();
        assert!((numpy_sum(&a) - seq).abs() < 1e-12);
        assert_eq!(numpy_sum(&a[..5]), a[..5].iter().fold(0.0, |s, v| s + v));
    }
}
