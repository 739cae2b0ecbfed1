//! A deterministic parallel bootstrap.
//!
//! A [`Plan`] holds the data, the [`designs::Design`] (which rows move together,
//! which groups are resampled separately) and the [`statistics::Statistic`].
//! [`Plan::run`] computes replicates `start..start + count` in parallel (rayon);
//! replicate `r` draws from its own generator ([`replicate_rng`], seeded by
//! `rng::stream(seed, r)`) and writes slot `r` of the output, so the result is
//! bit-identical for any thread count and any batching. Memory per thread is O(1) for totals statistics and O(n)
//! for sorted ones, whatever the number of replicates.
//!
//! [`intervals`] turns the replicates into confidence intervals (percentile,
//! basic, normal, BCa, studentized); [`jackknife`] gives the BCa acceleration.

pub mod designs;
pub mod intervals;
pub mod jackknife;
pub mod lanes;
pub mod statistics;

use crate::concentration::measures_sorted;
use crate::error::{Error, Result};
use crate::rng::stream;
use designs::{draw_indices, Design, Labels};
use rand::SeedableRng;
use rand_pcg::Pcg64;
use rand_xoshiro::Xoshiro256PlusPlus;
use rayon::prelude::*;
use statistics::{linear_value_and_variance, Moments, Statistic};

/// The rows of the data: one or two value columns of equal length, and optional
/// row weights (used by sorted statistics: a value's weight is its draw count
/// times its row weight).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Vec<f64>>,
    pub weights: Option<Vec<f64>>,
}

/// How a replicate evaluates the statistic.
#[derive(Debug, Clone)]
enum Kind {
    /// Totals statistic, one row per unit and one column: each draw adds a value
    /// to its segment's sum. `variable[k]` is the variable of segment `k`.
    Fast { x: Vec<f64>, variable: Vec<usize> },
    /// Totals statistic in general: each unit carries `[s0, n0, s1, n1]`.
    General { z: Vec<[f64; 4]> },
    /// Sorted statistic: values sorted once, with the unit and row weight of each.
    Sorted { x: Vec<f64>, unit: Vec<u32>, weight: Option<Vec<f64>> },
}

/// A prepared bootstrap: data, design and statistic.
#[derive(Debug, Clone)]
pub struct Plan {
    pub design: Design,
    pub statistic: Statistic,
    kind: Kind,
}

/// Per-thread working memory of a replicate.
struct Scratch {
    moments: Vec<Moments>,
    counts: Vec<u32>,
}

/// The version of the bootstrap's random stream: which draws replicate `r` of
/// a seed makes. Version 1 is [`replicate_rng`] with [`designs::draw_indices`];
/// every kernel ([`lanes`] included) reproduces it bit for bit. A change of the
/// draws must raise this number, and the audit record stores it.
pub const STREAM_VERSION: u32 = 1;

/// The generator of replicate `r` under `seed`.
///
/// Replicate `r` runs xoshiro256++ (Blackman & Vigna) seeded from its own
/// `rng::stream(seed, r)`: the stream fixes the replicate's randomness whatever
/// the threads or batches, and xoshiro, about three times faster per draw than
/// the 128-bit PCG, makes the millions of index draws cheap. Seeds are 256-bit,
/// so two replicates' sequences overlap with negligible probability.
pub fn replicate_rng(seed: u64, r: u64) -> Xoshiro256PlusPlus {
    let mut source: Pcg64 = stream(seed, r);
    Xoshiro256PlusPlus::from_rng(&mut source)
}

/// The sum (and sum of squares when `SQUARES`) of `len` values drawn by
/// [`designs::draw_indices`] from `values`.
///
/// Four interleaved accumulators break the floating-point add chain; the order
/// of the additions is fixed, so the result is bit-identical everywhere.
#[inline]
fn sum_draws<const SQUARES: bool>(rng: &mut Xoshiro256PlusPlus, values: &[f64]) -> (f64, f64) {
    let (mut s, mut q) = ([0.0f64; 4], [0.0f64; 4]);
    let mut lane = 0;
    draw_indices(rng, values.len() as u32, |i| {
        let v = values[i as usize];
        s[lane & 3] += v;
        if SQUARES {
            q[lane & 3] += v * v;
        }
        lane += 1;
    });
    ((s[0] + s[1]) + (s[2] + s[3]), (q[0] + q[1]) + (q[2] + q[3]))
}

impl Plan {
    /// Validates the data and prepares the design and the statistic.
    ///
    /// # Errors
    /// `Error::Data` for non-finite values or weights, mismatched lengths, fewer
    /// than two units in a sample; `Error::Spec` when the statistic does not fit
    /// the data (a two-variable statistic on one sample, a sorted statistic on two).
    pub fn new(table: Table, labels: &Labels, statistic: Statistic) -> Result<Plan> {
        if let Statistic::Sorted(m) = &statistic {
            if m.is_empty() {
                return Err(Error::Spec("no statistic given: a sorted statistic needs at least one measure".into()));
            }
        }
        let n_rows = table.columns.first().map_or(0, |c| c.len());
        if table.columns.is_empty() || table.columns.len() > 2 {
            return Err(Error::Spec(format!(
                "the bootstrap takes one or two value columns, not {}",
                table.columns.len()
            )));
        }
        for (j, column) in table.columns.iter().enumerate() {
            if column.len() != n_rows {
                return Err(Error::data(
                    "data",
                    "",
                    None,
                    format!("column {j} has {} rows, column 0 has {n_rows}", column.len()),
                ));
            }
            if let Some(row) = column.iter().position(|v| !v.is_finite()) {
                return Err(Error::data(
                    "data",
                    "",
                    Some(row),
                    format!(
                        "column {j} {} (remove or impute missing values first)",
                        crate::error::not_finite(column[row])
                    ),
                ));
            }
        }
        if let Some(w) = &table.weights {
            crate::concentration::check_weights(w, n_rows)?;
        }
        // A sorted statistic without clusters draws values in sorted order: its
        // units are the sorted positions, so a replicate walks its counts in memory
        // order. (Rows are relabelled; the draws stay a function of seed and replicate.)
        let sorted_order = match (&statistic, &labels.clusters) {
            (Statistic::Sorted(_), None) if table.columns.len() == 1 => {
                Some(crate::concentration::sort_order(&table.columns[0]))
            }
            _ => None,
        };
        let design = match &sorted_order {
            Some(order) => {
                // Labels of the wrong length are passed on as they are, for `Design::new` to report.
                let permute = |v: &Option<Vec<u32>>| {
                    v.as_ref().map(|v| {
                        if v.len() == n_rows {
                            order.iter().map(|&r| v[r as usize]).collect()
                        } else {
                            v.clone()
                        }
                    })
                };
                Design::new(
                    n_rows,
                    &Labels { samples: permute(&labels.samples), strata: permute(&labels.strata), clusters: None },
                )?
            }
            None => Design::new(n_rows, labels)?,
        };
        let n_variables = if table.columns.len() == 2 { 2 } else { design.n_samples() };
        if design.n_samples() > 2 || (table.columns.len() == 2 && design.n_samples() > 1) {
            return Err(Error::Spec(
                "the built-in statistics read one or two variables: two samples of one column, or two paired columns"
                    .into(),
            ));
        }
        if statistic.n_variables() != n_variables {
            return Err(Error::Spec(format!(
                "the statistic reads {} variable(s) but the data have {n_variables} (one sample: mean, sum, quantile, top share, gini; two samples or two paired columns: difference/ratio of means/sums)",
                statistic.n_variables()
            )));
        }
        let variable_of_row = |row: usize| labels.samples.as_ref().map_or(0, |s| s[row] as usize);
        let kind = match &statistic {
            Statistic::Sorted(_) => {
                let values = &table.columns[0];
                let (order, unit_of) = match sorted_order {
                    // Design rows are already the sorted positions.
                    Some(order) => (order, design.unit_of_row.clone()),
                    None => {
                        let order = crate::concentration::sort_order(values);
                        let unit_of = order.iter().map(|&r| design.unit_of_row[r as usize]).collect();
                        (order, unit_of)
                    }
                };
                Kind::Sorted {
                    x: order.iter().map(|&r| values[r as usize]).collect(),
                    unit: unit_of,
                    weight: table.weights.as_ref().map(|w| order.iter().map(|&r| w[r as usize]).collect()),
                }
            }
            Statistic::Linear(_) if design.unclustered() && table.columns.len() == 1 => {
                let x = design.units.iter().map(|u| table.columns[0][design.row_order[u.start] as usize]).collect();
                let variable = design
                    .segments
                    .iter()
                    .map(|s| variable_of_row(design.row_order[design.units[s.start].start] as usize))
                    .collect();
                Kind::Fast { x, variable }
            }
            Statistic::Linear(_) => {
                let z = design
                    .units
                    .iter()
                    .map(|u| {
                        let mut z = [0.0; 4];
                        for &row in &design.row_order[u.clone()] {
                            let row = row as usize;
                            if table.columns.len() == 2 {
                                z[0] += table.columns[0][row];
                                z[2] += table.columns[1][row];
                                z[1] += 1.0;
                                z[3] += 1.0;
                            } else {
                                let v = variable_of_row(row);
                                z[2 * v] += table.columns[0][row];
                                z[2 * v + 1] += 1.0;
                            }
                        }
                        z
                    })
                    .collect();
                Kind::General { z }
            }
        };
        Ok(Plan { design, statistic, kind })
    }

    /// The number of values per replicate.
    pub fn n_outputs(&self) -> usize {
        self.statistic.n_outputs()
    }

    /// Whether a variance is available for studentized intervals (totals statistics).
    pub fn has_variance(&self) -> bool {
        matches!(self.statistic, Statistic::Linear(_))
    }

    fn scratch(&self) -> Scratch {
        let counts =
            if matches!(self.kind, Kind::Sorted { .. }) { vec![0; self.design.units.len()] } else { Vec::new() };
        Scratch { moments: vec![Moments::default(); self.design.segments.len()], counts }
    }

    /// Evaluates the statistic with unit counts `c_u` given by `count(u)` (the
    /// original data: all 1). Writes `n_outputs` values; returns the variance.
    fn evaluate_counts(&self, count: impl Fn(usize) -> f64, out: &mut [f64], want_variance: bool) -> f64 {
        match (&self.kind, &self.statistic) {
            (Kind::Sorted { x, unit, weight }, Statistic::Sorted(measures)) => {
                let c = |i: usize| count(unit[i] as usize);
                match weight {
                    None => measures_sorted(x, c, c, measures, out),
                    Some(w) => measures_sorted(x, c, |i| c(i) * w[i], measures, out),
                }
                f64::NAN
            }
            (_, Statistic::Linear(stat)) => {
                let moments: Vec<Moments> = self
                    .design
                    .segments
                    .iter()
                    .map(|seg| {
                        let mut m = Moments { units: seg.len() as f64, ..Default::default() };
                        for u in seg.clone() {
                            let c = count(u);
                            if c > 0.0 {
                                let z = self.unit_totals(u);
                                for i in 0..4 {
                                    m.m1[i] += c * z[i];
                                    for j in i..4 {
                                        m.m2[statistics::upper(i, j)] += c * z[i] * z[j];
                                    }
                                }
                            }
                        }
                        m
                    })
                    .collect();
                let (value, variance) = linear_value_and_variance(*stat, &moments, want_variance);
                out[0] = value;
                variance
            }
            _ => unreachable!("a sorted statistic always has a sorted plan"),
        }
    }

    /// The totals `[s0, n0, s1, n1]` of unit `u`.
    fn unit_totals(&self, u: usize) -> [f64; 4] {
        match &self.kind {
            Kind::Fast { x, variable } => {
                // Segments are contiguous unit ranges: binary search the segment of u.
                let k = self.design.segments.partition_point(|s| s.end <= u);
                let mut z = [0.0; 4];
                z[2 * variable[k]] = x[u];
                z[2 * variable[k] + 1] = 1.0;
                z
            }
            Kind::General { z } => z[u],
            Kind::Sorted { .. } => [0.0; 4],
        }
    }

    /// The statistic on the original data, and its variance (NaN without one).
    pub fn estimate(&self) -> (Vec<f64>, f64) {
        let mut out = vec![0.0; self.n_outputs()];
        let variance = self.evaluate_counts(|_| 1.0, &mut out, self.has_variance());
        (out, variance)
    }

    /// The statistic with each unit left out in turn: `n_units x n_outputs`, row-major.
    ///
    /// Totals statistics take O(1) per unit (the totals minus the unit's own), and
    /// so do sorted statistics of one unweighted sample without clusters or strata
    /// ([`jackknife::sorted_leave_one_out`]); otherwise sorted statistics re-walk
    /// the data, O(n) per unit.
    pub fn leave_one_out(&self) -> Vec<f64> {
        self.leave_one_out_cancellable(&crate::cancel::NEVER).unwrap_or_default()
    }

    /// [`Plan::leave_one_out`], stopping with [`Error::Interrupted`] soon after
    /// `cancel` is set (checked for every left-out unit of the O(n^2) jackknife).
    pub fn leave_one_out_cancellable(&self, cancel: &std::sync::atomic::AtomicBool) -> Result<Vec<f64>> {
        let k = self.n_outputs();
        let n_units = self.design.units.len();
        let mut out = vec![0.0; n_units * k];
        match &self.statistic {
            Statistic::Linear(stat) => {
                let mut total = [0.0; 4];
                let units: Vec<[f64; 4]> = (0..n_units).map(|u| self.unit_totals(u)).collect();
                for z in &units {
                    for i in 0..4 {
                        total[i] += z[i];
                    }
                }
                out.par_iter_mut().zip(units.par_iter()).for_each(|(o, z)| {
                    *o = stat.value(&[total[0] - z[0], total[1] - z[1], total[2] - z[2], total[3] - z[3]]);
                });
            }
            Statistic::Sorted(measures) if matches!(self.kind, Kind::Sorted { .. }) && self.closed_form_jackknife() => {
                if let Kind::Sorted { x, .. } = &self.kind {
                    out = jackknife::sorted_leave_one_out(x, measures);
                }
            }
            Statistic::Sorted(_) => {
                out.par_chunks_mut(k).enumerate().for_each(|(left_out, o)| {
                    if !crate::cancel::is_set(cancel) {
                        self.evaluate_counts(|u| if u == left_out { 0.0 } else { 1.0 }, o, false);
                    }
                });
            }
        }
        crate::cancel::check(cancel)?;
        Ok(out)
    }

    /// Whether the jackknife takes O(n) in all: totals statistics, and sorted
    /// statistics of one sample of single rows without weights.
    pub fn closed_form_jackknife(&self) -> bool {
        match &self.kind {
            Kind::Fast { .. } | Kind::General { .. } => true,
            Kind::Sorted { unit, weight: None, .. } => {
                self.design.segments.len() == 1
                    && self.design.unclustered()
                    && unit.iter().enumerate().all(|(i, &u)| u as usize == i)
            }
            _ => false,
        }
    }

    /// Computes replicates `start .. start + count` into `out` (`count x n_outputs`,
    /// row-major) and their variances into `variances` (`count`, NaN without one).
    ///
    /// Replicate `r` uses only `rng::stream(seed, r)`, so the values do not depend
    /// on the thread count or on how the replicates are split into calls.
    ///
    /// # Panics
    /// When `out.len() != variances.len() * n_outputs` (a programming error);
    /// [`Plan::run_cancellable`] returns an error instead.
    pub fn run(&self, seed: u64, start: u64, out: &mut [f64], variances: &mut [f64], want_variance: bool) {
        if let Err(e) = self.run_cancellable(seed, start, out, variances, want_variance, &crate::cancel::NEVER) {
            panic!("{e}");
        }
    }

    /// [`Plan::run`], stopping with [`Error::Interrupted`] soon after `cancel` is
    /// set (checked before every replicate), and with [`Error::Spec`] for buffers
    /// of the wrong size.
    pub fn run_cancellable(
        &self,
        seed: u64,
        start: u64,
        out: &mut [f64],
        variances: &mut [f64],
        want_variance: bool,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<()> {
        let k = self.n_outputs();
        let count = variances.len();
        if count.checked_mul(k) != Some(out.len()) {
            return Err(Error::Spec(format!(
                "the output buffer holds {} values, {count} replicates x {k} outputs are needed",
                out.len()
            )));
        }
        if start.checked_add(count as u64).is_none() {
            return Err(Error::Spec(format!("replicates {start} + {count} are beyond the last replicate number")));
        }
        let chunk = (count / (rayon::current_num_threads() * 8)).clamp(1, 256);
        // Whole groups of lanes where they are used (the split never changes the values).
        let chunk = if self.lanes_pay() { chunk.next_multiple_of(lanes::LANES) } else { chunk };
        out.par_chunks_mut((chunk * k).max(1)).zip(variances.par_chunks_mut(chunk)).enumerate().for_each(
            |(c, (block, var))| {
                let mut scratch = self.scratch();
                let first = start + (c * chunk) as u64;
                let mut j = 0;
                if self.lanes_pay() {
                    // Totals of single rows beyond the cache: LANES replicates at a time, the
                    // gathers prefetched; the same bits as one by one.
                    while j + lanes::LANES <= var.len() {
                        if crate::cancel::is_set(cancel) {
                            return;
                        }
                        self.replicates_fast(
                            seed,
                            first + j as u64,
                            &mut scratch,
                            &mut block[j * k..(j + lanes::LANES) * k],
                            &mut var[j..j + lanes::LANES],
                            want_variance,
                        );
                        j += lanes::LANES;
                    }
                }
                for j in j..var.len() {
                    if crate::cancel::is_set(cancel) {
                        return;
                    }
                    let r = first + j as u64;
                    var[j] = self.replicate(seed, r, &mut scratch, &mut block[j * k..(j + 1) * k], want_variance);
                }
            },
        );
        crate::cancel::check(cancel)
    }

    /// Whether replicates are drawn in lanes: totals of single rows with a
    /// segment too large for the cache (below it, one replicate at a time is as fast).
    fn lanes_pay(&self) -> bool {
        matches!(self.kind, Kind::Fast { .. }) && self.design.segments.iter().any(|s| s.len() >= lanes::PREFETCH_FROM)
    }

    /// Segment `k`'s moments from the sum `s` and sum of squares `sq` of its draws (totals of single rows).
    fn fast_moments(&self, k: usize, s: f64, sq: f64, scratch: &mut Scratch) {
        let Kind::Fast { variable, .. } = &self.kind else { unreachable!("only plans of single-row totals") };
        let n = self.design.segments[k].len() as f64;
        let (a, b) = (2 * variable[k], 2 * variable[k] + 1);
        let m = &mut scratch.moments[k];
        *m = Moments { units: n, ..Default::default() };
        m.m1[a] = s;
        m.m1[b] = n;
        m.m2[statistics::upper(a, a)] = sq;
        m.m2[statistics::upper(a, b)] = s;
        m.m2[statistics::upper(b, b)] = n;
    }

    /// Replicates `first .. first + LANES` of a totals statistic of single rows,
    /// drawn side by side ([`lanes`]): the same values as [`Plan::replicate`] one by one.
    fn replicates_fast(
        &self,
        seed: u64,
        first: u64,
        scratch: &mut Scratch,
        out: &mut [f64],
        variances: &mut [f64],
        want_variance: bool,
    ) {
        let (Kind::Fast { x, .. }, Statistic::Linear(stat)) = (&self.kind, &self.statistic) else {
            unreachable!("only plans of single-row totals")
        };
        let mut rngs = lanes::Lanes::new(seed, first);
        let mut sums = vec![[(0.0, 0.0); lanes::LANES]; self.design.segments.len()];
        for (k, seg) in self.design.segments.iter().enumerate() {
            let values = &x[seg.clone()];
            sums[k] = if want_variance {
                lanes::sum_draws::<true>(&mut rngs, values)
            } else {
                lanes::sum_draws::<false>(&mut rngs, values)
            };
        }
        let k_out = self.n_outputs();
        for l in 0..lanes::LANES {
            for (k, sum) in sums.iter().enumerate() {
                self.fast_moments(k, sum[l].0, sum[l].1, scratch);
            }
            let (value, variance) = linear_value_and_variance(*stat, &scratch.moments, want_variance);
            out[l * k_out] = value;
            variances[l] = variance;
        }
    }

    /// One replicate: draws and evaluates.
    fn replicate(&self, seed: u64, r: u64, scratch: &mut Scratch, out: &mut [f64], want_variance: bool) -> f64 {
        let mut rng = replicate_rng(seed, r);
        match (&self.kind, &self.statistic) {
            (Kind::Fast { x, .. }, Statistic::Linear(stat)) => {
                for (k, seg) in self.design.segments.iter().enumerate() {
                    let values = &x[seg.clone()];
                    let (s, sq) = if want_variance {
                        sum_draws::<true>(&mut rng, values)
                    } else {
                        sum_draws::<false>(&mut rng, values)
                    };
                    self.fast_moments(k, s, sq, scratch);
                }
                let (value, variance) = linear_value_and_variance(*stat, &scratch.moments, want_variance);
                out[0] = value;
                variance
            }
            (Kind::General { z }, Statistic::Linear(stat)) => {
                for (m, seg) in scratch.moments.iter_mut().zip(&self.design.segments) {
                    *m = Moments { units: seg.len() as f64, ..Default::default() };
                }
                let moments = &mut scratch.moments;
                self.design.draw(&mut rng, |k, u| moments[k].add(&z[u], want_variance));
                let (value, variance) = linear_value_and_variance(*stat, moments, want_variance);
                out[0] = value;
                variance
            }
            (Kind::Sorted { .. }, _) => {
                scratch.counts.iter_mut().for_each(|c| *c = 0);
                let counts = &mut scratch.counts;
                self.design.draw(&mut rng, |_, u| counts[u] += 1);
                let counts = &scratch.counts;
                self.evaluate_counts(|u| counts[u] as f64, out, false)
            }
            _ => unreachable!("plans pair kinds and statistics"),
        }
    }
}

#[cfg(test)]
mod tests;
