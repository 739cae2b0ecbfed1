//! The rematching bootstrap, whole in the core: every replicate resamples the participants and
//! the historical pool with replacement, redoes the comparison on the resample (refits the
//! propensity score and rematches, or rebuilds the strata) and recomputes every participant's
//! expected outcome over its aligned windows, so the uncertainty of the comparison group enters
//! the interval.
//!
//! A resampled individual is a copy: its windows and outcomes are the original's, so nothing
//! is rebuilt but the comparison. Replicate `b` draws from `rng::stream(seed, b)` alone, so the
//! replicates do not depend on the thread count. A replicate's savings are summed, as the
//! evaluation's, over the participants that found comparison individuals; a replicate in which
//! none did, or whose score cannot be fitted (perfect separation in the resample), has no value
//! (NaN), and the caller counts and reports those.
//!
//! [`Rematch::jackknife`] gives the leave-one-out values (each participant, then each historical
//! individual, left out once), for the BCa acceleration of the two-sample design.

use super::{set_means, Request, Sets};
use crate::cohort::Cohort;
use crate::dates::Horizon;
use crate::error::{Error, Result};
use crate::matching::covariates::{whiten, CovariateDistance};
use crate::matching::exact::numpy_sum;
use crate::matching::logit::fit_logit;
use crate::matching::nearest::{Greedy, GreedyInput};
use crate::matching::{Metric, Order};
use crate::rng::{splitmix64, stream};
use rand::Rng;
use rayon::prelude::*;

/// The covariates of the comparison, one value per cohort position.
#[derive(Debug, Clone, Default)]
pub struct Design<'a> {
    /// Numeric covariates with their names.
    pub numeric: Vec<(&'a [f64], String)>,
    /// Per factor, the 0/1 indicators of every level, in level order, with their names.
    pub factors: Vec<Vec<(&'a [f64], String)>>,
}

/// How the comparison is made, in every replicate.
#[derive(Debug, Clone)]
pub enum Comparator<'a> {
    /// Nearest-neighbour matching (see [`crate::matching::nearest`]).
    Nearest {
        design: Design<'a>,
        /// `None`: the logit propensity score; else a covariate distance.
        covariate_distance: Option<CovariateDistance>,
        ratio: usize,
        replace: bool,
        /// The caliper and whether it is in standard deviations of the score.
        caliper: Option<(f64, bool)>,
        /// Exact-matching codes per cohort position.
        exact: Option<&'a [u32]>,
        order: Option<Order>,
    },
    /// The mean over every eligible member of the participant's stratum (codes per position).
    Stratum { codes: &'a [u32] },
}

/// One horizon: who is eligible, and each individual's follow-up and actual outcome there.
#[derive(Debug, Clone, Copy)]
pub struct HorizonPlan<'a> {
    pub horizon: Horizon,
    pub eligible: &'a [bool],
    pub complete: &'a [bool],
    pub observed_days: &'a [i32],
    pub actual: &'a [f64],
}

/// A rematching evaluation, ready to be replicated.
#[derive(Debug, Clone)]
pub struct Rematch<'a> {
    pub cohort: &'a Cohort,
    pub participants: &'a [usize],
    pub historical: &'a [usize],
    pub horizons: Vec<HorizonPlan<'a>>,
    /// The outcome's columns of the window totals.
    pub columns: &'a [usize],
    pub comparator: Comparator<'a>,
    /// `partial = "complete"`: incomplete participants are left out.
    pub only_complete: bool,
}

impl Rematch<'_> {
    fn check(&self) -> Result<()> {
        let n = self.cohort.n();
        if self.participants.iter().chain(self.historical).any(|&p| p >= n) {
            return Err(Error::Spec("rematch: a position is outside the cohort".into()));
        }
        let columns_ok = |c: &[f64]| c.len() == n;
        let per_position = self.horizons.iter().all(|h| {
            h.eligible.len() == n && h.complete.len() == n && h.observed_days.len() == n && h.actual.len() == n
        });
        let design_ok = match &self.comparator {
            Comparator::Nearest { design, exact, .. } => {
                design.numeric.iter().all(|(c, _)| columns_ok(c))
                    && design.factors.iter().flatten().all(|(c, _)| columns_ok(c))
                    && exact.map_or(true, |e| e.len() == n)
            }
            Comparator::Stratum { codes } => codes.len() == n,
        };
        if !per_position || !design_ok {
            return Err(Error::Spec("rematch: every column needs one value per individual".into()));
        }
        Ok(())
    }

    /// Total savings per horizon of the evaluation of `sample` (sorted cohort positions,
    /// repeats allowed); NaN where it has no value.
    pub fn savings(&self, sample: &[usize], seed: u64) -> Result<Vec<f64>> {
        self.horizons
            .iter()
            .enumerate()
            .map(|(j, plan)| match self.savings_at(sample, plan, splitmix64(seed ^ j as u64)) {
                Err(Error::Computation(_)) => Ok(f64::NAN),
                other => other,
            })
            .collect()
    }

    fn savings_at(&self, sample: &[usize], plan: &HorizonPlan<'_>, seed: u64) -> Result<f64> {
        let cohort = self.cohort;
        let pool: Vec<usize> = sample.iter().copied().filter(|&p| cohort.participant[p] || plan.eligible[p]).collect();
        let treat: Vec<bool> = pool.iter().map(|&p| cohort.participant[p]).collect();
        let treated: Vec<usize> = (0..pool.len()).filter(|&r| treat[r]).collect();
        // The comparison set of each treated row, as rows of the pool.
        let sets: Vec<Vec<usize>> = match &self.comparator {
            Comparator::Stratum { codes } => {
                let mut members: std::collections::HashMap<u32, Vec<usize>> = Default::default();
                for (r, &p) in pool.iter().enumerate() {
                    if !treat[r] {
                        members.entry(codes[p]).or_default().push(r);
                    }
                }
                treated.iter().map(|&r| members.get(&codes[pool[r]]).cloned().unwrap_or_default()).collect()
            }
            Comparator::Nearest { design, covariate_distance, ratio, replace, caliper, exact, order } => {
                if treated.is_empty() || treated.len() == pool.len() {
                    return Err(Error::Computation("the resample lacks one of the groups".into()));
                }
                let (columns, names) = design_columns(design, &pool, covariate_distance.is_none());
                let exact_codes: Option<Vec<u32>> = exact.map(|e| pool.iter().map(|&p| e[p]).collect());
                let (score, coords, dims, key, default_order) = match covariate_distance {
                    None => {
                        let mut with_intercept: Vec<&[f64]> = Vec::with_capacity(columns.len() + 1);
                        let ones = vec![1.0; pool.len()];
                        with_intercept.push(&ones);
                        with_intercept.extend(columns.iter().map(Vec::as_slice));
                        let mut all_names = vec!["(Intercept)".to_string()];
                        all_names.extend(names.iter().cloned());
                        let fit = fit_logit(&with_intercept, &treat, &all_names)?;
                        (Some(fit.fitted), None, 0, None, None)
                    }
                    Some(kind) => {
                        let p = columns.len();
                        let mut flat = vec![0.0; pool.len() * p];
                        for (j, c) in columns.iter().enumerate() {
                            for (r, &v) in c.iter().enumerate() {
                                flat[r * p + j] = v;
                            }
                        }
                        let w = whiten(&flat, p, &treat, &vec![true; pool.len()], *kind, &names)?;
                        if w.dims == 1 {
                            (Some(w.coords), None, 0, None, Some(Order::Data))
                        } else {
                            (None, Some(w.coords), w.dims, Some(w.sort_key), None)
                        }
                    }
                };
                let cal = match (caliper, &score) {
                    (Some((c, std)), Some(s)) => Some(if *std { c * sample_sd(s) } else { *c }),
                    _ => None,
                };
                let metric = match (&score, &coords, &key) {
                    (Some(s), _, _) => Metric::Score(s),
                    (None, Some(c), Some(k)) => Metric::Covariates { coords: c, dims, sort_key: k },
                    _ => return Err(Error::Spec("rematch: no distance".into())),
                };
                let input = GreedyInput {
                    treat: &treat,
                    exact: exact_codes.as_deref(),
                    unit_id: None,
                    ratio: *ratio,
                    replace: *replace,
                    caliper: cal,
                    order: order.or(default_order),
                    seed,
                    constraints: Default::default(),
                };
                let mut greedy = Greedy::new(metric, input)?;
                while !greedy.advance(usize::MAX) {}
                let m = greedy.finish();
                m.rows.iter().map(|row| row.iter().map(|&(c, _)| c).collect()).collect()
            }
        };
        let mut offsets = vec![0usize];
        let mut members = Vec::new();
        for s in &sets {
            members.extend(s.iter().map(|&r| pool[r]));
            offsets.push(members.len());
        }
        let requests: Vec<Request> = treated
            .iter()
            .enumerate()
            .map(|(k, &r)| {
                let p = pool[r];
                Request { set: k, observed_days: if plan.complete[p] { None } else { Some(plan.observed_days[p]) } }
            })
            .collect();
        let comparison = Sets { offsets: &offsets, members: &members, weights: None };
        let expected = set_means(cohort, plan.horizon, comparison, &requests, self.columns)?;
        let width = self.columns.len() + 1;
        // As in the evaluation: participants with a comparison set, complete ones only when asked.
        let included: Vec<usize> = (0..treated.len())
            .filter(|&k| !sets[k].is_empty() && (!self.only_complete || plan.complete[pool[treated[k]]]))
            .collect();
        if included.is_empty() {
            return Ok(f64::NAN);
        }
        let e: Vec<f64> = included.iter().map(|&k| expected[k * width + width - 1]).collect();
        let a: Vec<f64> = included.iter().map(|&k| plan.actual[pool[treated[k]]]).collect();
        Ok(numpy_sum(&e) - numpy_sum(&a))
    }

    /// The sorted resample of replicate `b`: participants and historical individuals drawn
    /// with replacement, each group keeping its size.
    fn resample(&self, seed: u64, b: u64) -> (Vec<usize>, u64) {
        let mut rng = stream(seed, b);
        let mut sample: Vec<usize> = Vec::with_capacity(self.participants.len() + self.historical.len());
        for group in [self.participants, self.historical] {
            for _ in 0..group.len() {
                sample.push(group[rng.random_range(0..group.len())]);
            }
        }
        sample.sort_unstable();
        (sample, rng.random())
    }

    /// Replicates `start..start + count`: `count x horizons`, row-major. The caller runs
    /// them in batches, checking for Ctrl-C in between.
    pub fn replicates(&self, seed: u64, start: u64, count: usize) -> Result<Vec<f64>> {
        self.check()?;
        let h = self.horizons.len();
        let rows: Vec<Result<Vec<f64>>> = (0..count as u64)
            .into_par_iter()
            .map(|k| {
                let (sample, inner) = self.resample(seed, start + k);
                self.savings(&sample, inner)
            })
            .collect();
        let mut out = Vec::with_capacity(count * h);
        for row in rows {
            out.extend(row?);
        }
        Ok(out)
    }

    /// Leave-one-out values of units `range` (the participants, then the historical
    /// individuals, each left out once): `range.len() x horizons`, row-major.
    pub fn jackknife(&self, seed: u64, range: std::ops::Range<usize>) -> Result<Vec<f64>> {
        self.check()?;
        let mut all: Vec<usize> = self.participants.iter().chain(self.historical).copied().collect();
        all.sort_unstable();
        let units: Vec<usize> = self.participants.iter().chain(self.historical).copied().collect();
        let units = units.get(range).ok_or_else(|| Error::Spec("rematch: no such jackknife units".into()))?;
        let rows: Vec<Result<Vec<f64>>> = units
            .par_iter()
            .map(|&left_out| {
                let at = all.binary_search(&left_out).unwrap_or_default();
                let mut sample = all.clone();
                sample.remove(at);
                self.savings(&sample, seed)
            })
            .collect();
        let mut out = Vec::with_capacity(units.len() * self.horizons.len());
        for row in rows {
            out.extend(row?);
        }
        Ok(out)
    }
}

/// The design's columns over the pool: numeric ones as they are; for each factor, the
/// indicators of its levels present in the pool, without the first (treatment contrasts, as
/// R's `model.matrix`) for a score, or all of them coded `1/sqrt(2)` for a covariate distance
/// (as MatchIt).
fn design_columns(design: &Design<'_>, pool: &[usize], contrasts: bool) -> (Vec<Vec<f64>>, Vec<String>) {
    let mut columns = Vec::new();
    let mut names = Vec::new();
    for (c, name) in &design.numeric {
        columns.push(pool.iter().map(|&p| c[p]).collect());
        names.push(name.clone());
    }
    let level_value = if contrasts { 1.0 } else { 0.5f64.sqrt() };
    for levels in &design.factors {
        let present: Vec<&(&[f64], String)> =
            levels.iter().filter(|(c, _)| pool.iter().any(|&p| c[p] != 0.0)).collect();
        for (c, name) in present.into_iter().skip(usize::from(contrasts)) {
            columns.push(pool.iter().map(|&p| c[p] * level_value).collect());
            names.push(name.clone());
        }
    }
    (columns, names)
}

/// The standard deviation with `n - 1` in the denominator, as numpy's `std(ddof=1)`.
fn sample_sd(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = numpy_sum(x) / n;
    let squares: Vec<f64> = x.iter().map(|v| (v - mean) * (v - mean)).collect();
    (numpy_sum(&squares) / (n - 1.0)).sqrt()
}
