//! Daily tariffs per care type and a yearly price index.
//!
//! A tariff is a daily cost valid from a date until the next tariff of the same
//! care type; an episode that spans a change is priced piecewise. With a price
//! index, a cost incurred on a day of year `y` is expressed in base-year prices:
//!
//! ```text
//! cost_base = cost_nominal * I(base) / I(y)
//! ```

use crate::dates;
use crate::error::{Error, Result};

/// The daily tariffs of one care type: change dates ascending, with the cost from each.
#[derive(Debug, Clone, Default)]
pub struct TariffSchedule {
    pub valid_from: Vec<i32>,
    pub daily_cost: Vec<f64>,
}

impl TariffSchedule {
    /// The position of the tariff in force on `day`, if any.
    fn in_force(&self, day: i32) -> Option<usize> {
        self.valid_from.partition_point(|&from| from <= day).checked_sub(1)
    }
}

/// Yearly price index values and the base year they are rebased to.
#[derive(Debug, Clone)]
pub struct PriceIndex {
    pub first_year: i32,
    /// `factor[y - first_year] = I(base) / I(y)`.
    pub factor: Vec<f64>,
    pub base_year: i32,
    /// 1 January of every year `first_year..=last_year + 1`, as days, so that
    /// pricing finds a day's year without calendar arithmetic.
    year_start: Vec<i32>,
}

impl PriceIndex {
    /// Builds the index from (year, value) rows. Years must be unique, values positive.
    pub fn new(years: &[i32], values: &[f64], base_year: i32) -> Result<PriceIndex> {
        if years.is_empty() {
            return Err(Error::data("price_index", "year", None, "the price index has no rows"));
        }
        for (row, &v) in values.iter().enumerate() {
            if !v.is_finite() {
                return Err(Error::data("price_index", "index", Some(row), crate::error::not_finite(v)));
            }
            if v <= 0.0 {
                return Err(Error::data(
                    "price_index",
                    "index",
                    Some(row),
                    format!("the index value {v} must be a positive number"),
                ));
            }
        }
        let first_year = *years.iter().min().unwrap_or(&0);
        let last_year = *years.iter().max().unwrap_or(&0);
        // Every year from the first to the last needs a row, so the span cannot exceed the rows.
        if last_year as i64 - first_year as i64 + 1 > years.len() as i64 {
            return Err(Error::data(
                "price_index",
                "year",
                None,
                format!("years are missing between {first_year} and {last_year}: give one row per year"),
            ));
        }
        let mut value = vec![f64::NAN; (last_year - first_year + 1) as usize];
        for (row, (&y, &v)) in years.iter().zip(values).enumerate() {
            let slot = &mut value[(y - first_year) as usize];
            if !slot.is_nan() {
                return Err(Error::data("price_index", "year", Some(row), format!("the year {y} appears twice")));
            }
            *slot = v;
        }
        if let Some(gap) = value.iter().position(|v| v.is_nan()) {
            return Err(Error::data(
                "price_index",
                "year",
                None,
                format!("the year {} is missing between {first_year} and {last_year}", first_year + gap as i32),
            ));
        }
        if base_year < first_year || base_year > last_year {
            return Err(Error::Spec(format!(
                "the base year {base_year} is not in the price index ({first_year}-{last_year})"
            )));
        }
        let base = value[(base_year - first_year) as usize];
        let year_start = (first_year..=last_year + 1)
            .map(|y| {
                dates::ymd(y, 1, 1)
                    .ok_or_else(|| Error::data("price_index", "year", None, format!("the year {y} is out of range")))
            })
            .collect::<Result<Vec<i32>>>()?;
        let factor: Vec<f64> = value.iter().map(|v| base / v).collect();
        if let Some(k) = factor.iter().position(|f| !f.is_finite() || *f <= 0.0) {
            let row = years.iter().position(|&y| y == first_year + k as i32);
            let problem = format!(
                "the factor {base} / {} to base-year prices is {}, not a finite positive number",
                value[k], factor[k]
            );
            return Err(Error::data("price_index", "index", row, problem));
        }
        Ok(PriceIndex { first_year, factor, base_year, year_start })
    }

    pub fn last_year(&self) -> i32 {
        self.first_year + self.factor.len() as i32 - 1
    }

    pub fn covers(&self, year: i32) -> bool {
        year >= self.first_year && year <= self.last_year()
    }

    /// `covers(year_of(day))` without calendar arithmetic: `day` falls between 1 January of
    /// the first year and 31 December of the last.
    pub fn covers_day(&self, day: i32) -> bool {
        day >= self.year_start[0] && day < self.year_start[self.year_start.len() - 1]
    }

    /// The largest factor to base-year prices.
    pub fn max_factor(&self) -> f64 {
        self.factor.iter().copied().fold(0.0, f64::max)
    }

    /// The factor that turns a cost of `year` into base-year prices.
    pub fn factor(&self, year: i32) -> f64 {
        self.factor[(year - self.first_year) as usize]
    }

    /// The factor of the year containing `day`, and the first day of the next
    /// year. Days outside the index take the nearest year (validation rejects them).
    pub fn factor_on(&self, day: i32) -> (f64, i32) {
        let k = self.slot_of(day);
        (self.factor[k], self.year_start[k + 1])
    }

    /// The position of the year containing `day` (clamped to the index's years).
    fn slot_of(&self, day: i32) -> usize {
        // A year has at most 366 days, so this guess is the year or the one before.
        let last = self.factor.len() - 1;
        let mut k = (day.saturating_sub(self.year_start[0]).max(0) / 366).min(last as i32) as usize;
        while k < last && self.year_start[k + 1] <= day {
            k += 1;
        }
        k
    }
}

/// Prices care days and ledger amounts.
#[derive(Debug, Clone, Default)]
pub struct Pricing {
    /// One schedule per care type code; `None` when no tariffs were given at all.
    pub tariffs: Option<Vec<TariffSchedule>>,
    pub price_index: Option<PriceIndex>,
}

impl Pricing {
    /// Whether the care days `[a, b)` of type `t` can be priced (the fast test behind
    /// [`Cohort`](super::Cohort)'s check, which says why when they cannot): a tariff of
    /// the type is in force on `a` (tariffs never lapse, so from its first one on) and
    /// the price index, if any, covers the years of `a` and `b - 1`.
    pub fn prices(&self, t: usize, a: i32, b: i32) -> bool {
        if let Some(schedules) = &self.tariffs {
            match schedules[t].valid_from.first() {
                Some(&first) if a >= first => {}
                _ => return false,
            }
        }
        match &self.price_index {
            Some(index) => index.covers_day(a) && index.covers_day(b - 1),
            None => true,
        }
    }

    /// Whether care type `t` has a tariff in force on `day` (always true without tariffs).
    pub fn has_tariff(&self, t: usize, day: i32) -> bool {
        match &self.tariffs {
            None => true,
            Some(s) => s.get(t).and_then(|s| s.in_force(day)).is_some(),
        }
    }

    /// The cost of care type `t` over the days `[a, b)`, in base-year prices when
    /// a price index is set. Zero without tariffs.
    ///
    /// The interval is cut at every tariff change and, with a price index, at
    /// every new year: `sum_segments days * daily_cost * I(base)/I(year)`.
    pub fn interval_cost(&self, t: usize, a: i32, b: i32) -> f64 {
        let Some(schedules) = &self.tariffs else {
            return 0.0;
        };
        let schedule = &schedules[t];
        let mut total = 0.0;
        let mut day = a;
        // Validation guarantees a tariff is in force from `a` on.
        let mut k = schedule.in_force(a).unwrap_or(0);
        // The year is found once, then followed from new year to new year.
        let mut year = self.price_index.as_ref().map_or(0, |index| index.slot_of(a));
        while day < b {
            let next_change = schedule.valid_from.get(k + 1).copied().unwrap_or(i32::MAX);
            let mut seg_end = b.min(next_change);
            let mut factor = 1.0;
            if let Some(index) = &self.price_index {
                let new_year = index.year_start[year + 1];
                seg_end = seg_end.min(new_year);
                factor = index.factor[year];
                if seg_end == new_year && year + 1 < index.factor.len() {
                    year += 1;
                }
            }
            total += (seg_end - day) as f64 * schedule.daily_cost[k] * factor;
            if seg_end == next_change {
                k += 1;
            }
            day = seg_end;
        }
        total
    }

    /// A ledger amount dated `day` in base-year prices.
    pub fn ledger_amount(&self, amount: f64, day: i32) -> f64 {
        match &self.price_index {
            None => amount,
            Some(index) => amount * index.factor_on(day).0,
        }
    }
}

/// The daily cost of one care type as pieces between breaks: a tariff change
/// or (with a price index) a new year. Within piece `k`, `[breaks[k], breaks[k+1])`,
/// a day costs `daily_cost[k] * factor[k]`. Pricing an interval from the curve
/// gives bit-for-bit the sum of [`Pricing::interval_cost`], with one search
/// per interval instead of a tariff and a year lookup per segment.
#[derive(Debug, Clone, Default)]
pub struct PriceCurve {
    breaks: Vec<i32>,
    daily_cost: Vec<f64>,
    factor: Vec<f64>,
}

impl PriceCurve {
    /// The cost of the days `[a, b)` (validation guarantees a tariff is in force).
    pub fn interval_cost(&self, a: i32, b: i32) -> f64 {
        let mut k = self.breaks.partition_point(|&from| from <= a).saturating_sub(1);
        let (mut day, mut total) = (a, 0.0);
        while day < b {
            let seg_end = b.min(self.breaks.get(k + 1).copied().unwrap_or(i32::MAX));
            total += (seg_end - day) as f64 * self.daily_cost[k] * self.factor[k];
            day = seg_end;
            k += 1;
        }
        total
    }
}

impl Pricing {
    /// One [`PriceCurve`] per care type; `None` without tariffs.
    pub fn curves(&self) -> Option<Vec<PriceCurve>> {
        let schedules = self.tariffs.as_ref()?;
        Some(
            schedules
                .iter()
                .map(|schedule| {
                    let mut breaks = schedule.valid_from.clone();
                    if let Some(index) = &self.price_index {
                        breaks.extend(index.year_start.iter().copied());
                    }
                    breaks.sort_unstable();
                    breaks.dedup();
                    let daily_cost =
                        breaks.iter().map(|&d| schedule.in_force(d).map_or(0.0, |k| schedule.daily_cost[k])).collect();
                    let factor = breaks
                        .iter()
                        .map(|&d| self.price_index.as_ref().map_or(1.0, |index| index.factor[index.slot_of(d)]))
                        .collect();
                    PriceCurve { breaks, daily_cost, factor }
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::ymd;

    fn hvb() -> Pricing {
        Pricing {
            tariffs: Some(vec![TariffSchedule {
                valid_from: vec![ymd(2015, 1, 1).unwrap(), ymd(2016, 7, 1).unwrap()],
                daily_cost: vec![3000.0, 3500.0],
            }]),
            price_index: None,
        }
    }

    #[test]
    fn tariff_change_mid_episode_is_priced_piecewise() {
        let p = hvb();
        // 2016-06-21 .. 2016-07-11: 10 days at 3000 then 10 days at 3500.
        let cost = p.interval_cost(0, ymd(2016, 6, 21).unwrap(), ymd(2016, 7, 11).unwrap());
        assert_eq!(cost, 10.0 * 3000.0 + 10.0 * 3500.0);
    }

    #[test]
    fn price_index_rebases_each_year() {
        let mut p = hvb();
        p.price_index = Some(PriceIndex::new(&[2015, 2016], &[100.0, 125.0], 2016).unwrap());
        // 2015-12-27 .. 2016-01-06: 5 days in 2015 (x1.25) and 5 in 2016.
        let cost = p.interval_cost(0, ymd(2015, 12, 27).unwrap(), ymd(2016, 1, 6).unwrap());
        assert_eq!(cost, 5.0 * 3000.0 * 1.25 + 5.0 * 3000.0);
        assert_eq!(p.ledger_amount(100.0, ymd(2015, 3, 1).unwrap()), 125.0);
    }

    #[test]
    fn long_intervals_equal_the_day_by_day_sum() {
        let mut p = hvb();
        p.price_index = Some(PriceIndex::new(&[2015, 2016, 2017, 2018], &[100.0, 104.0, 125.0, 130.0], 2018).unwrap());
        let first = ymd(2015, 1, 1).unwrap();
        for (a, b) in [(0, 1461), (17, 900), (180, 550), (364, 366), (546, 548), (700, 701)] {
            let by_day: f64 = (first + a..first + b)
                .map(|d| {
                    let year = dates::year_of(d);
                    let k = p.tariffs.as_ref().unwrap()[0].in_force(d).unwrap();
                    p.tariffs.as_ref().unwrap()[0].daily_cost[k] * p.price_index.as_ref().unwrap().factor(year)
                })
                .sum();
            let cost = p.interval_cost(0, first + a, first + b);
            assert!((cost - by_day).abs() <= 1e-9 * by_day, "[{a}, {b}): {cost} vs {by_day}");
            assert_eq!(p.curves().unwrap()[0].interval_cost(first + a, first + b).to_bits(), cost.to_bits());
        }
    }

    #[test]
    fn year_boundaries_match_the_calendar() {
        let index = PriceIndex::new(&[2014, 2015, 2016], &[100.0, 110.0, 125.0], 2016).unwrap();
        assert_eq!(index.factor_on(ymd(2010, 6, 1).unwrap()).0, index.factor(2014));
        assert_eq!(index.factor_on(ymd(2030, 6, 1).unwrap()).0, index.factor(2016));
        for day in ymd(2014, 1, 1).unwrap()..ymd(2017, 1, 1).unwrap() {
            let (factor, next) = index.factor_on(day);
            assert_eq!(factor, index.factor(dates::year_of(day)));
            assert_eq!(next, dates::next_new_year(day));
        }
    }

    #[test]
    fn price_index_rejects_gaps_and_bad_values() {
        assert!(PriceIndex::new(&[2014, 2016], &[1.0, 1.0], 2016).is_err());
        assert!(PriceIndex::new(&[2016], &[f64::NAN], 2016).is_err());
        assert!(PriceIndex::new(&[2016, 2016], &[1.0, 1.0], 2016).is_err());
        assert!(PriceIndex::new(&[2016], &[1.0], 2020).is_err());
        assert!(PriceIndex::new(&[1, 2_000_000_000], &[1.0, 1.0], 1).is_err());
        assert!(PriceIndex::new(&[i32::MIN, i32::MAX], &[1.0, 1.0], 1).is_err());
    }
}
