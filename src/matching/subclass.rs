//! Subclassification on a score (MatchIt's `method = "subclass"`) and the weights
//! MatchIt computes from subclasses (`get_weights_from_subclass`, then `.make_sum_to_n`).

use crate::error::{Error, Result};

/// The target of the weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Estimand {
    /// Average effect on the treated.
    Att,
    /// Average effect on the controls.
    Atc,
    /// Average effect in the whole sample.
    Ate,
}

/// R's `quantile(x, probs, type = 7)`.
pub fn quantile7(values: &[f64], probs: &[f64]) -> Vec<f64> {
    let mut x: Vec<f64> = values.to_vec();
    x.sort_by(f64::total_cmp);
    let n = x.len();
    probs
        .iter()
        .map(|&p| {
            if n == 0 {
                return f64::NAN;
            }
            // As R: index = 1 + (n - 1) p; qs = x[lo] + h (x[hi] - x[lo]) form (1 - h) x[lo] + h x[hi].
            let index = (n - 1) as f64 * p;
            let lo = index.floor() as usize;
            let hi = (index.ceil() as usize).min(n - 1);
            let qs = x[lo];
            if index > lo as f64 && x[hi] != qs {
                let h = index - lo as f64;
                (1.0 - h) * qs + h * x[hi]
            } else {
                qs
            }
        })
        .collect()
}

/// R's `findInterval(x, breaks, all.inside = TRUE)` (1-based result).
fn find_interval(x: f64, breaks: &[f64]) -> usize {
    let nb = breaks.len();
    let i = breaks.partition_point(|&b| b <= x);
    i.clamp(1, nb - 1)
}

/// MatchIt's `subclass_scootC`: moves units so that every subclass has at least `min_n`
/// units of each group, taking from the nearest non-empty subclass on the side where more
/// spare units sit, the unit whose score is closest to the subclass in need.
fn scoot(subclass: &mut [usize], treat: &[bool], x: &[f64], min_n: usize) {
    if min_n == 0 || subclass.is_empty() {
        return;
    }
    let mut unique: Vec<usize> = subclass.to_vec();
    unique.sort_unstable();
    unique.dedup();
    let nsub = unique.len();
    let mut sub: Vec<usize> = subclass.iter().map(|s| unique.binary_search(s).unwrap_or(0)).collect();
    // Groups in order of first appearance (R's unique()).
    let mut groups: Vec<bool> = Vec::new();
    for &t in treat {
        if !groups.contains(&t) {
            groups.push(t);
        }
    }
    for g in groups {
        let indt: Vec<usize> = (0..sub.len()).filter(|&i| treat[i] == g).collect();
        let mut tab = vec![0.0f64; nsub];
        for &i in &indt {
            tab[sub[i]] += 1.0;
        }
        for _ in 0..min_n {
            while tab.iter().cloned().fold(f64::INFINITY, f64::min) <= 0.0 {
                let s = tab.iter().position(|&v| v == 0.0).unwrap_or(nsub - 1);
                let left = if s == nsub - 1 {
                    true
                } else if s == 0 {
                    false
                } else {
                    let mut score = 0.0;
                    for (s2, &v) in tab.iter().enumerate() {
                        if v <= 1.0 || s2 == s {
                            continue;
                        }
                        score += (v - 1.0) / (s2 as f64 - s as f64);
                    }
                    score <= 0.0
                };
                let s2 =
                    if left { (0..s).rev().find(|&k| tab[k] > 0.0) } else { (s + 1..nsub).find(|&k| tab[k] > 0.0) };
                let Some(s2) = s2 else { return };
                let Some(first) = indt.iter().position(|&i| sub[i] == s2) else { return };
                let (mut best_i, mut best_x) = (first, x[indt[first]]);
                for (k, &i) in indt.iter().enumerate().skip(first + 1) {
                    if sub[i] != s2 {
                        continue;
                    }
                    if (left && x[i] < best_x) || (!left && x[i] > best_x) {
                        continue;
                    }
                    best_i = k;
                    best_x = x[i];
                }
                sub[indt[best_i]] = s;
                tab[s] += 1.0;
                tab[s2] -= 1.0;
            }
            for v in tab.iter_mut() {
                *v -= 1.0;
            }
        }
    }
    for (o, s) in subclass.iter_mut().zip(sub) {
        *o = unique[s];
    }
}

/// Subclassification into `n_sub` classes at the quantiles of the score of the focal
/// group (the treated for the ATT, the controls for the ATC, everyone for the ATE),
/// computed over all units including discarded ones (as MatchIt); classes are then filled
/// to `min_n` units of each group ([`scoot`]); with `min_n == 0` classes lacking a group
/// are dropped. Returns the subclass per unit (0.., `None` for discarded or dropped units,
/// numbered in score order) and the cut points.
///
/// # Errors
///
/// [`Error::Spec`] when `n_sub < 2` or `n_sub` exceeds the number of focal units.
pub fn subclassify(
    score: &[f64],
    treat: &[bool],
    eligible: &[bool],
    n_sub: usize,
    min_n: usize,
    estimand: Estimand,
) -> Result<(Vec<Option<u32>>, Vec<f64>)> {
    let focal: Vec<f64> = match estimand {
        Estimand::Att => score.iter().zip(treat).filter(|p| *p.1).map(|p| *p.0).collect(),
        Estimand::Atc => score.iter().zip(treat).filter(|p| !*p.1).map(|p| *p.0).collect(),
        Estimand::Ate => score.to_vec(),
    };
    if n_sub < 2 {
        return Err(Error::Spec(format!("subclass must be at least 2, got {n_sub}")));
    }
    if n_sub > focal.len() {
        let who = match estimand {
            Estimand::Att => "treated units",
            Estimand::Atc => "control units",
            Estimand::Ate => "units",
        };
        return Err(Error::Spec(format!("subclass={n_sub} is more than the {} {who}", focal.len())));
    }
    let probs: Vec<f64> = (0..=n_sub).map(|i| i as f64 / n_sub as f64).collect();
    let cuts = quantile7(&focal, &probs);
    let idx: Vec<usize> = (0..score.len()).filter(|&u| eligible[u]).collect();
    let mut sub: Vec<usize> = idx.iter().map(|&u| find_interval(score[u], &cuts)).collect();
    let t: Vec<bool> = idx.iter().map(|&u| treat[u]).collect();
    let x: Vec<f64> = idx.iter().map(|&u| score[u]).collect();
    let mut keep = vec![true; idx.len()];
    if min_n == 0 {
        let has_t: std::collections::HashSet<usize> = sub.iter().zip(&t).filter(|p| *p.1).map(|p| *p.0).collect();
        let has_c: std::collections::HashSet<usize> = sub.iter().zip(&t).filter(|p| !*p.1).map(|p| *p.0).collect();
        for (k, s) in sub.iter().enumerate() {
            keep[k] = has_t.contains(s) && has_c.contains(s);
        }
    } else {
        scoot(&mut sub, &t, &x, min_n);
    }
    let mut levels: Vec<usize> = sub.iter().zip(&keep).filter(|p| *p.1).map(|p| *p.0).collect();
    levels.sort_unstable();
    levels.dedup();
    let mut out = vec![None; score.len()];
    for (k, &u) in idx.iter().enumerate() {
        if keep[k] {
            out[u] = levels.binary_search(&sub[k]).ok().map(|l| l as u32);
        }
    }
    Ok((out, cuts))
}

/// MatchIt's weights from subclasses, normalised as `matchit()` does.
///
/// # Formula
///
/// In a subclass with `n1` treated and `n0` controls: ATT: treated 1, controls `n1/n0`;
/// ATC: treated `n0/n1`, controls 1; ATE: treated `1 + n0/n1`, controls `1 + n1/n0`.
/// Units outside every subclass weigh 0. Then, per group, the positive weights are
/// rescaled to sum to their number (`.make_sum_to_n`).
///
/// # Errors
///
/// [`Error::Computation`] when no treated or no control unit is in a subclass.
pub fn subclass_weights(subclass: &[Option<u32>], treat: &[bool], estimand: Estimand) -> Result<Vec<f64>> {
    let k = subclass.iter().flatten().map(|&s| s as usize + 1).max().unwrap_or(0);
    let (mut n1, mut n0) = (vec![0.0f64; k], vec![0.0f64; k]);
    for (s, &t) in subclass.iter().zip(treat) {
        if let Some(s) = s {
            if t {
                n1[*s as usize] += 1.0;
            } else {
                n0[*s as usize] += 1.0;
            }
        }
    }
    if n1.iter().sum::<f64>() == 0.0 {
        return Err(Error::Computation("no treated unit was matched".into()));
    }
    if n0.iter().sum::<f64>() == 0.0 {
        return Err(Error::Computation("no control unit was matched".into()));
    }
    let mut w: Vec<f64> = subclass
        .iter()
        .zip(treat)
        .map(|(s, &t)| match s {
            None => 0.0,
            Some(s) => {
                let (a, b) = (n1[*s as usize], n0[*s as usize]);
                match (estimand, t) {
                    (Estimand::Att, true) | (Estimand::Atc, false) => 1.0,
                    (Estimand::Att, false) => a / b,
                    (Estimand::Atc, true) => b / a,
                    (Estimand::Ate, true) => 1.0 + b / a,
                    (Estimand::Ate, false) => 1.0 + a / b,
                }
            }
        })
        .map(|v| if v.is_finite() { v } else { 0.0 })
        .collect();
    for g in [true, false] {
        let (mut total, mut count) = (0.0, 0usize);
        for (wu, &t) in w.iter().zip(treat) {
            if t == g && *wu > 0.0 {
                total += *wu;
                count += 1;
            }
        }
        if count > 0 {
            for (wu, &t) in w.iter_mut().zip(treat) {
                if t == g && *wu > 0.0 {
                    *wu = count as f64 * *wu / total;
                }
            }
        }
    }
    Ok(w)
}
