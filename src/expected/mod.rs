//! Expected outcomes per participant from comparison individuals, over windows
//! aligned on each individual's own index date.
//!
//! A participant `i` is compared with a *set* of comparison individuals `c` with
//! weights `w_c` (a matched set: the controls, weight 1 each; a stratum: every
//! eligible member, weight 1; full or subclass matching: MatchIt's weights). Its
//! expected outcome over the horizon is the weighted mean of the comparison
//! individuals' outcomes over *their own* aligned windows:
//!
//! ```text
//! E_i = sum_c w_c Y_c(window_c) / sum_c w_c
//! window_c = [index_c, index_c + horizon)        when i's follow-up is complete,
//!            [index_c, index_c + d_i)            when only d_i days of i are observed,
//! ```
//!
//! so that a participant observed for part of the horizon is compared over the
//! same part. `Y` is the sum of the chosen columns of the window totals (care
//! days or cost per care type, ledger amount per category), and each column is
//! averaged as well. Sums run sequentially in the set's order, which makes the
//! result independent of the thread count (and equal, bit for bit, to the
//! numpy implementation utfall had before).
//!
//! [`set_mean_curves`] does the same for cumulative monthly curves: month `m`
//! covers `[index + (m-1) months, index + m months)`, cut at the end of data.

use crate::cohort::Cohort;
use crate::dates::Horizon;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Comparison sets: set `s` holds `members[offsets[s]..offsets[s + 1]]` (cohort positions)
/// with their `weights` (all 1 when `None`).
#[derive(Debug, Clone, Copy)]
pub struct Sets<'a> {
    pub offsets: &'a [usize],
    pub members: &'a [usize],
    pub weights: Option<&'a [f64]>,
}

/// What one participant asks for: its comparison set, and the observed days of its
/// follow-up when that is incomplete (`None`: the whole horizon).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Request {
    pub set: usize,
    pub observed_days: Option<i32>,
}

impl Sets<'_> {
    fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn check(&self, cohort: &Cohort) -> Result<()> {
        if self.offsets.first().copied().unwrap_or(0) != 0
            || self.offsets.windows(2).any(|w| w[0] > w[1])
            || self.offsets.last().copied().unwrap_or(0) != self.members.len()
        {
            return Err(Error::Spec("comparison sets: offsets must rise from 0 to the number of members".into()));
        }
        if let Some(&bad) = self.members.iter().find(|&&c| c >= cohort.n()) {
            return Err(Error::Spec(format!(
                "comparison sets: position {bad} is outside the cohort (0..{})",
                cohort.n()
            )));
        }
        if let Some(w) = self.weights {
            if w.len() != self.members.len() {
                return Err(Error::Spec("comparison sets: one weight per member is needed".into()));
            }
            if let Some(bad) = w.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                return Err(Error::Spec(format!("comparison sets: a weight of {bad} is not a non-negative number")));
            }
        }
        Ok(())
    }

    fn weight(&self, k: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[k])
    }
}

fn check_columns(cohort: &Cohort, columns: &[usize]) -> Result<()> {
    let width = 2 * cohort.n_types + cohort.n_categories;
    match columns.iter().find(|&&j| j >= width) {
        Some(bad) => Err(Error::Spec(format!("outcome column {bad} is outside the window totals (0..{width})"))),
        None => Ok(()),
    }
}

/// The chosen `columns` of a totals row, then their sum (left to right).
fn pick(row: &[f64], columns: &[usize], out: &mut [f64]) {
    let mut total = 0.0;
    for (slot, &j) in out.iter_mut().zip(columns) {
        *slot = row[j];
        total += row[j];
    }
    out[columns.len()] = total;
}

/// Weighted means over `rows` (one row of `width` values per member, in set order).
fn weighted_mean(rows: &[f64], width: usize, weight: impl Fn(usize) -> f64, out: &mut [f64]) {
    let mut total_weight = 0.0;
    out.iter_mut().for_each(|v| *v = 0.0);
    for (k, row) in rows.chunks(width).enumerate() {
        let w = weight(k);
        total_weight += w;
        for (acc, &v) in out.iter_mut().zip(row) {
            *acc += if w == 1.0 { v } else { w * v };
        }
    }
    out.iter_mut().for_each(|v| *v = if total_weight > 0.0 { *v / total_weight } else { f64::NAN });
}

/// Expected outcome per request: `requests.len() x (columns.len() + 1)`, row-major, the
/// last column the total. A request whose set is empty (or has zero weight) is NaN.
///
/// Each distinct request is computed once, so participants sharing a stratum and an
/// observed length share the work.
pub fn set_means(
    cohort: &Cohort,
    horizon: Horizon,
    sets: Sets<'_>,
    requests: &[Request],
    columns: &[usize],
) -> Result<Vec<f64>> {
    sets.check(cohort)?;
    check_columns(cohort, columns)?;
    if let Some(r) = requests.iter().find(|r| r.set >= sets.len() || r.observed_days.is_some_and(|d| d < 0)) {
        return Err(Error::Spec(format!("comparison request {r:?} names no set or a negative length")));
    }
    let mut distinct: Vec<Request> = requests.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let follow_up = cohort.follow_up(horizon);
    // Every (member, window) the distinct requests need, computed in parallel...
    let mut who = Vec::new();
    let mut windows = Vec::new();
    for r in &distinct {
        for &c in &sets.members[sets.offsets[r.set]..sets.offsets[r.set + 1]] {
            who.push(c);
            windows.push(match r.observed_days {
                None => follow_up[c],
                Some(d) => (cohort.index_date[c], cohort.index_date[c].saturating_add(d)),
            });
        }
    }
    let totals = cohort.totals_for(&who, &windows);
    let (width, k) = (totals.width(), columns.len() + 1);
    let mut picked = vec![0.0; who.len() * k];
    if width > 0 {
        picked.par_chunks_mut(k).zip(totals.values.par_chunks(width)).for_each(|(out, row)| pick(row, columns, out));
    }
    // ...then summed in set order, one distinct request at a time.
    let mut means = vec![0.0; distinct.len() * k];
    let mut first = 0;
    for (r, out) in distinct.iter().zip(means.chunks_mut(k)) {
        let start = sets.offsets[r.set];
        let size = sets.offsets[r.set + 1] - start;
        weighted_mean(&picked[first * k..(first + size) * k], k, |j| sets.weight(start + j), out);
        first += size;
    }
    let mut out = vec![0.0; requests.len() * k];
    for (r, row) in requests.iter().zip(out.chunks_mut(k)) {
        let at = distinct.binary_search(r).unwrap_or_default();
        row.copy_from_slice(&means[at * k..(at + 1) * k]);
    }
    Ok(out)
}

/// Cumulative outcome (the sum of `columns`) over the first `m` months since the index
/// date, `m = 1..=months`, of each of `positions`: `positions.len() x months`, row-major.
pub fn cumulative_months(cohort: &Cohort, positions: &[usize], months: usize, columns: &[usize]) -> Result<Vec<f64>> {
    check_columns(cohort, columns)?;
    if let Some(&bad) = positions.iter().find(|&&c| c >= cohort.n()) {
        return Err(Error::Spec(format!("position {bad} is outside the cohort (0..{})", cohort.n())));
    }
    let months_i32 = i32::try_from(months).map_err(|_| Error::Spec(format!("{months} months is too many")))?;
    let ends: Vec<Horizon> = (0..=months_i32).map(Horizon::Months).collect();
    let width = 2 * cohort.n_types + cohort.n_categories;
    let mut out = vec![0.0; positions.len() * months];
    out.par_chunks_mut(months.max(1)).zip(positions.par_iter()).for_each(|(row, &c)| {
        if months == 0 {
            return;
        }
        let index = cohort.index_date[c];
        let mut totals = vec![0.0; width];
        let mut picked = vec![0.0; columns.len() + 1];
        let mut cumulative = 0.0;
        for (m, cell) in row.iter_mut().enumerate() {
            let window = (ends[m].end_from(index), ends[m + 1].end_from(index));
            totals.iter_mut().for_each(|v| *v = 0.0);
            cohort.window_row(c, window, &mut totals);
            pick(&totals, columns, &mut picked);
            cumulative = if m == 0 { picked[columns.len()] } else { cumulative + picked[columns.len()] };
            *cell = cumulative;
        }
    });
    Ok(out)
}

/// Month boundaries `index + m months` (calendar, end-of-month clamping) for `m = 0..=months`:
/// `starts.len() x (months + 1)`, row-major.
pub fn month_ends(starts: &[i32], months: usize) -> Result<Vec<i32>> {
    let months_i32 = i32::try_from(months).map_err(|_| Error::Spec(format!("{months} months is too many")))?;
    let mut out = vec![0; starts.len() * (months + 1)];
    out.par_chunks_mut(months + 1).zip(starts.par_iter()).for_each(|(row, &start)| {
        for (m, cell) in (0..=months_i32).zip(row.iter_mut()) {
            *cell = Horizon::Months(m).end_from(start);
        }
    });
    Ok(out)
}

/// The weighted mean of the members' cumulative monthly curves, per requested set:
/// `requested.len() x months`, row-major (NaN for an empty set).
pub fn set_mean_curves(
    cohort: &Cohort,
    sets: Sets<'_>,
    requested: &[usize],
    months: usize,
    columns: &[usize],
) -> Result<Vec<f64>> {
    sets.check(cohort)?;
    if let Some(&bad) = requested.iter().find(|&&s| s >= sets.len()) {
        return Err(Error::Spec(format!("comparison set {bad} does not exist (0..{})", sets.len())));
    }
    let mut distinct: Vec<usize> = requested.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let who: Vec<usize> =
        distinct.iter().flat_map(|&s| sets.members[sets.offsets[s]..sets.offsets[s + 1]].iter().copied()).collect();
    let curves = cumulative_months(cohort, &who, months, columns)?;
    let mut means = vec![0.0; distinct.len() * months];
    if months > 0 {
        let mut first = 0;
        for (&s, out) in distinct.iter().zip(means.chunks_mut(months)) {
            let start = sets.offsets[s];
            let size = sets.offsets[s + 1] - start;
            weighted_mean(&curves[first * months..(first + size) * months], months, |j| sets.weight(start + j), out);
            first += size;
        }
    }
    let mut out = vec![0.0; requested.len() * months];
    if months > 0 {
        for (s, row) in requested.iter().zip(out.chunks_mut(months)) {
            let at = distinct.binary_search(s).unwrap_or_default();
            row.copy_from_slice(&means[at * months..(at + 1) * months]);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
