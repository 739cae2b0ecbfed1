//! The cohort: individuals with their own index dates, care episodes, tariffs,
//! a cost ledger and a price index, validated once and queried many times.
//!
//! Conventions (stated once, used everywhere):
//! - An episode covers the days `[start, end)`: the end date is the day of
//!   discharge and is not a care day (a care day is a night in care). An
//!   episode without an end date is ongoing and runs to the individual's end of data.
//! - An individual's end of data is the last observed day, inclusive. Their
//!   data are observed on `[.., end_of_data + 1)`.
//! - A follow-up window is `[index, index + horizon)` clipped at the end of
//!   data; the follow-up is complete when `index + horizon <= end_of_data + 1`.

mod pricing;
mod windows;

pub use pricing::{PriceCurve, PriceIndex, Pricing, TariffSchedule};
pub use windows::{History, WindowTotals};

use crate::error::{Error, Result};

/// Marks a missing end date (an ongoing episode) in [`CohortInput::episode_end`].
pub const ONGOING: i32 = i32::MAX;

/// The raw columns of a cohort, as codes and days since 1970-01-01.
///
/// Rows keep the caller's order; errors name positions in these vectors.
#[derive(Debug, Clone, Default)]
pub struct CohortInput {
    pub index_date: Vec<i32>,
    /// Last observed day per individual (inclusive).
    pub end_of_data: Vec<i32>,
    pub participant: Vec<bool>,
    /// Individual code (position in the individuals table) per episode; negative = unknown id.
    pub episode_individual: Vec<i64>,
    pub episode_start: Vec<i32>,
    /// [`ONGOING`] for an episode still running at the end of data.
    pub episode_end: Vec<i32>,
    pub episode_type: Vec<u32>,
    /// Number of care types (codes are `0..n_types`).
    pub n_types: usize,
    /// `(care type code, valid from, daily cost)` rows, when tariffs are given.
    pub tariffs: Option<(Vec<u32>, Vec<i32>, Vec<f64>)>,
    pub ledger_individual: Vec<i64>,
    pub ledger_date: Vec<i32>,
    pub ledger_amount: Vec<f64>,
    pub ledger_category: Vec<u32>,
    pub n_categories: usize,
    /// `(years, values, base year)`.
    pub price_index: Option<(Vec<i32>, Vec<f64>, i32)>,
    /// Overlapping episodes of one individual are an error unless this is set;
    /// when set, each episode counts its own days.
    pub allow_overlaps: bool,
}

/// [`CohortInput`] borrowed: the same columns as slices, so that a caller holding them
/// elsewhere (the Python binding: numpy's memory) lends them without a copy.
#[derive(Debug, Clone, Copy, Default)]
pub struct CohortColumns<'a> {
    pub index_date: &'a [i32],
    pub end_of_data: &'a [i32],
    pub participant: &'a [bool],
    pub episode_individual: &'a [i64],
    pub episode_start: &'a [i32],
    pub episode_end: &'a [i32],
    pub episode_type: &'a [u32],
    pub n_types: usize,
    pub tariffs: Option<(&'a [u32], &'a [i32], &'a [f64])>,
    pub ledger_individual: &'a [i64],
    pub ledger_date: &'a [i32],
    pub ledger_amount: &'a [f64],
    pub ledger_category: &'a [u32],
    pub n_categories: usize,
    pub price_index: Option<(&'a [i32], &'a [f64], i32)>,
    pub allow_overlaps: bool,
}

impl CohortInput {
    /// The columns, borrowed.
    pub fn columns(&self) -> CohortColumns<'_> {
        CohortColumns {
            index_date: &self.index_date,
            end_of_data: &self.end_of_data,
            participant: &self.participant,
            episode_individual: &self.episode_individual,
            episode_start: &self.episode_start,
            episode_end: &self.episode_end,
            episode_type: &self.episode_type,
            n_types: self.n_types,
            tariffs: self.tariffs.as_ref().map(|(t, f, c)| (t.as_slice(), f.as_slice(), c.as_slice())),
            ledger_individual: &self.ledger_individual,
            ledger_date: &self.ledger_date,
            ledger_amount: &self.ledger_amount,
            ledger_category: &self.ledger_category,
            n_categories: self.n_categories,
            price_index: self.price_index.as_ref().map(|(y, v, b)| (y.as_slice(), v.as_slice(), *b)),
            allow_overlaps: self.allow_overlaps,
        }
    }
}

/// A validated cohort, episodes and ledger entries grouped by individual.
#[derive(Debug, Clone)]
pub struct Cohort {
    pub index_date: Vec<i32>,
    /// First unobserved day per individual (`end_of_data + 1`).
    pub observed_until: Vec<i32>,
    pub participant: Vec<bool>,
    /// Episodes of individual `i` are `episode_offsets[i]..episode_offsets[i + 1]`, by start date.
    pub episode_offsets: Vec<usize>,
    pub episode_start: Vec<i32>,
    /// Exclusive end, clipped at the end of data (ongoing episodes end there).
    pub episode_end: Vec<i32>,
    pub episode_type: Vec<u32>,
    pub n_types: usize,
    pub ledger_offsets: Vec<usize>,
    pub ledger_date: Vec<i32>,
    pub ledger_amount: Vec<f64>,
    pub ledger_category: Vec<u32>,
    pub n_categories: usize,
    pub pricing: Pricing,
    /// `pricing` as one price curve per care type (None without tariffs).
    pub price_curves: Option<Vec<PriceCurve>>,
}

/// Stable order of rows grouped by individual code, then by a date.
///
/// The same order as a stable sort by `(individual, date)`, found in linear time: a
/// counting sort by individual (rows keep their order within one), then a stable
/// sort by date within each individual's few rows. Codes outside `0..=max` (which
/// callers reject before grouping) fall back to the comparison sort.
pub(crate) fn group_order(individual: &[i64], date: &[i32]) -> Vec<usize> {
    let max = individual.iter().copied().max().unwrap_or(0);
    let min = individual.iter().copied().min().unwrap_or(0);
    if min < 0 || max as u64 >= u32::MAX as u64 || max as usize > 4 * individual.len() + 1024 {
        let mut order: Vec<usize> = (0..individual.len()).collect();
        order.sort_by_key(|&r| (individual[r], date[r]));
        return order;
    }
    let n = max as usize + 1;
    let mut starts = vec![0usize; n + 1];
    for &who in individual {
        starts[who as usize + 1] += 1;
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut next = starts.clone();
    let mut order = vec![0usize; individual.len()];
    for (r, &who) in individual.iter().enumerate() {
        let slot = &mut next[who as usize];
        order[*slot] = r;
        *slot += 1;
    }
    for i in 0..n {
        let rows = &mut order[starts[i]..starts[i + 1]];
        if rows.len() > 1 && rows.windows(2).any(|w| date[w[0]] > date[w[1]]) {
            rows.sort_by_key(|&r| date[r]);
        }
    }
    order
}

/// CSR offsets of `order` (rows sorted by individual) over `n` individuals.
pub(crate) fn offsets(individual: &[i64], order: &[usize], n: usize) -> Vec<usize> {
    let mut counts = vec![0usize; n + 1];
    for &r in order {
        counts[individual[r] as usize + 1] += 1;
    }
    for i in 0..n {
        counts[i + 1] += counts[i];
    }
    counts
}

impl Cohort {
    pub fn n(&self) -> usize {
        self.index_date.len()
    }

    pub fn episodes_of(&self, i: usize) -> std::ops::Range<usize> {
        self.episode_offsets[i]..self.episode_offsets[i + 1]
    }

    pub fn ledger_of(&self, i: usize) -> std::ops::Range<usize> {
        self.ledger_offsets[i]..self.ledger_offsets[i + 1]
    }

    /// Validates `input` and groups it by individual.
    ///
    /// # Errors
    /// [`Error::Data`] naming the table, column and row of the first problem:
    /// an index date after the end of data, an episode for an unknown individual,
    /// ending before it starts or overlapping another, a care type without a
    /// tariff on a day of care, a negative or NaN tariff or ledger amount, a year
    /// missing from the price index.
    pub fn new(input: CohortInput) -> Result<Cohort> {
        Self::new_cancellable(input, &crate::cancel::NEVER)
    }

    /// [`Cohort::new`], stopping with [`Error::Interrupted`] soon after `cancel` is set.
    ///
    /// Besides the checks of [`Cohort::new`]: columns of one table must have equal
    /// lengths, codes must be below `n_types` / `n_categories` (at most
    /// [`crate::limits::MAX_CODES`]), and every cost must stay finite (a daily
    /// tariff, price factor or ledger amount so large that a cost overflows to
    /// infinity is an [`Error::Data`] naming its table, column and row).
    pub fn new_cancellable(input: CohortInput, cancel: &std::sync::atomic::AtomicBool) -> Result<Cohort> {
        Self::from_columns(input.columns(), cancel)
    }

    /// [`Cohort::new_cancellable`] on borrowed columns (the cohort copies what it keeps, grouped).
    pub fn from_columns(input: CohortColumns<'_>, cancel: &std::sync::atomic::AtomicBool) -> Result<Cohort> {
        Self::check_shapes(&input)?;
        let n = input.index_date.len();
        for i in 0..n {
            if input.index_date[i] > input.end_of_data[i] {
                return Err(Error::data(
                    "individuals",
                    "index_date",
                    Some(i),
                    "the index date is after the end of data",
                ));
            }
        }
        let observed_until: Vec<i32> = input.end_of_data.iter().map(|&d| d.saturating_add(1)).collect();
        let pricing = Self::pricing(&input)?;

        // Episodes.
        let m = input.episode_start.len();
        for r in 0..m {
            let who = input.episode_individual[r];
            if who < 0 || who as usize >= n {
                return Err(Error::data(
                    "episodes",
                    "id",
                    Some(r),
                    "the episode belongs to an id that is not in the individuals table",
                ));
            }
            let (start, end) = (input.episode_start[r], input.episode_end[r]);
            if end != ONGOING && end < start {
                return Err(Error::data("episodes", "end", Some(r), "the episode ends before it starts"));
            }
            if input.episode_type[r] as usize >= input.n_types {
                return Err(Error::data("episodes", "care_type", Some(r), "unknown care type code"));
            }
        }
        crate::cancel::check(cancel)?;
        let order = group_order(input.episode_individual, input.episode_start);
        crate::cancel::check(cancel)?;
        let episode_offsets = offsets(input.episode_individual, &order, n);
        let mut episode_start = Vec::with_capacity(m);
        let mut episode_end = Vec::with_capacity(m);
        let mut episode_type = Vec::with_capacity(m);
        for (k, &r) in order.iter().enumerate() {
            let who = input.episode_individual[r] as usize;
            let start = input.episode_start[r];
            let raw_end = input.episode_end[r];
            let end = if raw_end == ONGOING { observed_until[who].max(start) } else { raw_end };
            if !input.allow_overlaps && k > 0 && input.episode_individual[order[k - 1]] == who as i64 {
                let prev = order[k - 1];
                let prev_end = if input.episode_end[prev] == ONGOING { i32::MAX } else { input.episode_end[prev] };
                if start < prev_end {
                    return Err(Error::data("episodes", "start", Some(r), format!("the episode overlaps the individual's episode in row {prev} (pass allow_overlaps=True to count both)")));
                }
            }
            // Care days are the observed ones; days after the end of data are not seen.
            let clipped_end = end.min(observed_until[who]).max(start);
            let t = input.episode_type[r] as usize;
            if clipped_end > start && !pricing.prices(t, start, clipped_end) {
                if let Some(problem) = Self::unpriced_day(&pricing, t, start, clipped_end) {
                    return Err(Error::data("episodes", "care_type", Some(r), problem));
                }
            }
            episode_start.push(start);
            episode_end.push(clipped_end);
            episode_type.push(input.episode_type[r]);
        }

        // The episodes' row order is not kept while the ledger is grouped (40 MB for five
        // million episodes, at the peak of building a cohort): `check_finite_costs`, the
        // only later reader, finds it again on its error path, almost never taken.
        drop(order);

        // Ledger.
        let l = input.ledger_date.len();
        for r in 0..l {
            let who = input.ledger_individual[r];
            if who < 0 || who as usize >= n {
                return Err(Error::data(
                    "costs",
                    "id",
                    Some(r),
                    "the cost belongs to an id that is not in the individuals table",
                ));
            }
            let amount = input.ledger_amount[r];
            if !amount.is_finite() {
                return Err(Error::data("costs", "amount", Some(r), crate::error::not_finite(amount)));
            }
            if amount < 0.0 {
                return Err(Error::data(
                    "costs",
                    "amount",
                    Some(r),
                    format!("the amount {amount} must be a non-negative number"),
                ));
            }
            if let Some(index) = &pricing.price_index {
                if !index.covers_day(input.ledger_date[r]) {
                    let year = crate::dates::year_of(input.ledger_date[r]);
                    return Err(Error::data(
                        "costs",
                        "date",
                        Some(r),
                        format!("the year {year} is not in the price index"),
                    ));
                }
            }
        }
        crate::cancel::check(cancel)?;
        let lorder = group_order(input.ledger_individual, input.ledger_date);
        let ledger_offsets = offsets(input.ledger_individual, &lorder, n);
        crate::cancel::check(cancel)?;
        let tariff_rows = input.tariffs.map(|(t, f, c)| (t.to_vec(), f.to_vec(), c.to_vec()));

        let cohort = Cohort {
            index_date: input.index_date.to_vec(),
            observed_until,
            participant: input.participant.to_vec(),
            episode_offsets,
            episode_start,
            episode_end,
            episode_type,
            n_types: input.n_types,
            ledger_offsets,
            ledger_date: lorder.iter().map(|&r| input.ledger_date[r]).collect(),
            ledger_amount: lorder.iter().map(|&r| input.ledger_amount[r]).collect(),
            ledger_category: lorder.iter().map(|&r| input.ledger_category[r]).collect(),
            n_categories: input.n_categories,
            price_curves: pricing.curves(),
            pricing,
        };
        cohort.check_finite_costs(&input, tariff_rows.as_ref(), cancel)?;
        Ok(cohort)
    }

    /// Equal column lengths per table and codes within bounds, before any indexing.
    fn check_shapes(input: &CohortColumns<'_>) -> Result<()> {
        let n = input.index_date.len();
        if input.end_of_data.len() != n || input.participant.len() != n {
            return Err(Error::Spec(format!(
                "individual columns differ in length: {n} index dates, {} ends of data, {} participant flags",
                input.end_of_data.len(),
                input.participant.len()
            )));
        }
        let m = input.episode_start.len();
        if [input.episode_individual.len(), input.episode_end.len(), input.episode_type.len()].iter().any(|&l| l != m) {
            return Err(Error::Spec("episode columns differ in length".into()));
        }
        let l = input.ledger_date.len();
        if [input.ledger_individual.len(), input.ledger_amount.len(), input.ledger_category.len()]
            .iter()
            .any(|&k| k != l)
        {
            return Err(Error::Spec("cost ledger columns differ in length".into()));
        }
        if let Some((t, f, c)) = &input.tariffs {
            if f.len() != t.len() || c.len() != t.len() {
                return Err(Error::Spec("tariff columns differ in length".into()));
            }
        }
        if let Some((y, v, _)) = &input.price_index {
            if v.len() != y.len() {
                return Err(Error::Spec("price index columns differ in length".into()));
            }
        }
        for (name, k) in
            [("n_types (care types)", input.n_types), ("n_categories (ledger categories)", input.n_categories)]
        {
            if k > crate::limits::MAX_CODES {
                return Err(Error::Spec(format!("{name} = {k} is above the limit of {}", crate::limits::MAX_CODES)));
            }
        }
        if let Some(r) = input.ledger_category.iter().position(|&c| c as usize >= input.n_categories) {
            return Err(Error::data("costs", "category", Some(r), "unknown category code"));
        }
        Ok(())
    }

    /// Every individual's costs over all their observed data are finite, so every
    /// window's are; otherwise an [`Error::Data`] names the tariff, price index
    /// or ledger row that makes a cost overflow (rows as the caller passed them).
    fn check_finite_costs(
        &self,
        input: &CohortColumns<'_>,
        tariffs: Option<&(Vec<u32>, Vec<i32>, Vec<f64>)>,
        cancel: &std::sync::atomic::AtomicBool,
    ) -> Result<()> {
        use rayon::prelude::*;
        if self.costs_bounded(tariffs) {
            return Ok(());
        }
        let width = 2 * self.n_types + self.n_categories;
        let bad = (0..self.n()).into_par_iter().find_first(|&i| {
            if crate::cancel::is_set(cancel) {
                return false;
            }
            let mut row = vec![0.0; width];
            self.accumulate_all(i, &mut row);
            row.iter().any(|v| !v.is_finite())
        });
        crate::cancel::check(cancel)?;
        let Some(i) = bad else { return Ok(()) };
        // The rows of the input in the cohort's order (see `from_columns`), to name the culprit.
        let order = group_order(input.episode_individual, input.episode_start);
        let lorder = group_order(input.ledger_individual, input.ledger_date);
        for e in self.episodes_of(i) {
            let (s, t, ty) = (self.episode_start[e], self.episode_end[e], self.episode_type[e] as usize);
            let Some(curves) = &self.price_curves else {
                break;
            };
            let cost = curves[ty].interval_cost(s, t);
            if cost.is_finite() {
                continue;
            }
            let days = t - s;
            // The dearest tariff of this care type in force during the episode.
            if let Some((types, from, daily)) = tariffs {
                // A tariff is in force until the next one of its care type starts.
                let next_start = |r: usize| {
                    (0..types.len())
                        .filter(|&q| types[q] == types[r] && from[q] > from[r])
                        .map(|q| from[q])
                        .min()
                        .unwrap_or(i32::MAX)
                };
                let culprit = (0..types.len())
                    .filter(|&r| types[r] as usize == ty && from[r] < t && next_start(r) > s)
                    .max_by(|&a, &b| daily[a].total_cmp(&daily[b]));
                if let Some(r) = culprit {
                    let problem = format!("the daily cost {} makes the cost of the {days} care days of episode row {} {cost}, not a finite number", daily[r], order[e]);
                    return Err(Error::data("tariffs", "daily_cost", Some(r), problem));
                }
            }
            return Err(Error::data(
                "episodes",
                "care_type",
                Some(order[e]),
                format!("the cost of its {days} care days is {cost}, not a finite number"),
            ));
        }
        for r in self.ledger_of(i) {
            let priced = self.pricing.ledger_amount(self.ledger_amount[r], self.ledger_date[r]);
            if !priced.is_finite() {
                let problem = format!(
                    "the amount {} in base-year prices is {priced}, not a finite number",
                    self.ledger_amount[r]
                );
                return Err(Error::data("costs", "amount", Some(lorder[r]), problem));
            }
        }
        Err(Error::data("individuals", "", Some(i), "the sum of the individual's costs is not a finite number: its care costs or ledger amounts are too large to add up"))
    }

    /// Whether every individual's costs are surely finite, without computing them: the
    /// dearest daily tariff times the dearest price factor times all care days of the
    /// cohort, plus every ledger amount times that factor, is far below the largest
    /// double. Every cost is a sum of non-negative terms each at most its share of that
    /// bound (up to a relative rounding of a few ulps), so none can overflow; when the
    /// bound is not that small, each individual is checked (and the culprit named).
    fn costs_bounded(&self, tariffs: Option<&(Vec<u32>, Vec<i32>, Vec<f64>)>) -> bool {
        let daily = tariffs.map_or(0.0, |(_, _, daily)| daily.iter().copied().fold(0.0, f64::max));
        let factor = self.pricing.price_index.as_ref().map_or(1.0, PriceIndex::max_factor);
        let days: f64 = self.episode_start.iter().zip(&self.episode_end).map(|(&s, &e)| e as f64 - s as f64).sum();
        let ledger: f64 = self.ledger_amount.iter().sum();
        let bound = daily * factor * days + ledger * factor;
        bound.is_finite() && bound < f64::MAX / 1024.0
    }

    fn pricing(input: &CohortColumns<'_>) -> Result<Pricing> {
        let price_index = match &input.price_index {
            None => None,
            Some((years, values, base)) => Some(PriceIndex::new(years, values, *base)?),
        };
        let tariffs = match &input.tariffs {
            None => None,
            Some((types, from, cost)) => {
                let mut schedules = vec![TariffSchedule::default(); input.n_types];
                let mut rows: Vec<usize> = (0..types.len()).collect();
                rows.sort_by_key(|&r| (types[r], from[r]));
                for (k, &r) in rows.iter().enumerate() {
                    if !cost[r].is_finite() {
                        return Err(Error::data("tariffs", "daily_cost", Some(r), crate::error::not_finite(cost[r])));
                    }
                    if cost[r] < 0.0 {
                        return Err(Error::data(
                            "tariffs",
                            "daily_cost",
                            Some(r),
                            format!("the daily cost {} must be a non-negative number", cost[r]),
                        ));
                    }
                    if types[r] as usize >= input.n_types {
                        return Err(Error::data("tariffs", "care_type", Some(r), "unknown care type code"));
                    }
                    if k > 0 && types[rows[k - 1]] == types[r] && from[rows[k - 1]] == from[r] {
                        return Err(Error::data(
                            "tariffs",
                            "valid_from",
                            Some(r),
                            format!(
                                "two tariffs of one care type start on the same day (rows {} and {r})",
                                rows[k - 1]
                            ),
                        ));
                    }
                    let s = &mut schedules[types[r] as usize];
                    s.valid_from.push(from[r]);
                    s.daily_cost.push(cost[r]);
                }
                Some(schedules)
            }
        };
        Ok(Pricing { tariffs, price_index })
    }

    /// Why the care days `[a, b)` of type `t` cannot be priced, if they cannot.
    fn unpriced_day(pricing: &Pricing, t: usize, a: i32, b: i32) -> Option<String> {
        if let Some(schedules) = &pricing.tariffs {
            if schedules[t].valid_from.is_empty() {
                return Some("the care type has no tariff".into());
            }
            if !pricing.has_tariff(t, a) {
                let first = crate::dates::to_naive(schedules[t].valid_from[0]);
                return Some(format!(
                    "no tariff of this care type is valid on {} (the first is valid from {first})",
                    crate::dates::to_naive(a)
                ));
            }
        }
        if let Some(index) = &pricing.price_index {
            for year in [crate::dates::year_of(a), crate::dates::year_of(b - 1)] {
                if !index.covers(year) {
                    return Some(format!("the year {year} of the episode is not in the price index"));
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests;
