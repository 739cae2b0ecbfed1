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
fn group_order(individual: &[i64], date: &[i32]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..individual.len()).collect();
    order.sort_by_key(|&r| (individual[r], date[r]));
    order
}

/// CSR offsets of `order` (rows sorted by individual) over `n` individuals.
fn offsets(individual: &[i64], order: &[usize], n: usize) -> Vec<usize> {
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
        let n = input.index_date.len();
        if input.end_of_data.len() != n || input.participant.len() != n {
            return Err(Error::Spec("individual columns differ in length".into()));
        }
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
        let order = group_order(&input.episode_individual, &input.episode_start);
        let episode_offsets = offsets(&input.episode_individual, &order, n);
        let mut episode_start = Vec::with_capacity(m);
        let mut episode_end = Vec::with_capacity(m);
        let mut episode_type = Vec::with_capacity(m);
        for (k, &r) in order.iter().enumerate() {
            let who = input.episode_individual[r] as usize;
            let start = input.episode_start[r];
            let raw_end = input.episode_end[r];
            let end = if raw_end == ONGOING { observed_until[who].max(start) } else { raw_end };
            if !input.allow_overlaps && k > 0 && input.episode_individual[order[k - 1]] as i64 == who as i64 {
                let prev = order[k - 1];
                let prev_end = if input.episode_end[prev] == ONGOING { i32::MAX } else { input.episode_end[prev] };
                if start < prev_end {
                    return Err(Error::data("episodes", "start", Some(r), format!("the episode overlaps the individual's episode in row {prev} (pass allow_overlaps=True to count both)")));
                }
            }
            // Care days are the observed ones; days after the end of data are not seen.
            let clipped_end = end.min(observed_until[who]).max(start);
            let t = input.episode_type[r] as usize;
            if clipped_end > start {
                if let Some(problem) = Self::unpriced_day(&pricing, t, start, clipped_end) {
                    return Err(Error::data("episodes", "care_type", Some(r), problem));
                }
            }
            episode_start.push(start);
            episode_end.push(clipped_end);
            episode_type.push(input.episode_type[r]);
        }

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
            if !amount.is_finite() || amount < 0.0 {
                return Err(Error::data(
                    "costs",
                    "amount",
                    Some(r),
                    format!("the amount {amount} must be a non-negative number"),
                ));
            }
            if let Some(index) = &pricing.price_index {
                let year = crate::dates::year_of(input.ledger_date[r]);
                if !index.covers(year) {
                    return Err(Error::data(
                        "costs",
                        "date",
                        Some(r),
                        format!("the year {year} is not in the price index"),
                    ));
                }
            }
        }
        let lorder = group_order(&input.ledger_individual, &input.ledger_date);
        let ledger_offsets = offsets(&input.ledger_individual, &lorder, n);

        Ok(Cohort {
            index_date: input.index_date,
            observed_until,
            participant: input.participant,
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
        })
    }

    fn pricing(input: &CohortInput) -> Result<Pricing> {
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
                    if !cost[r].is_finite() || cost[r] < 0.0 {
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
