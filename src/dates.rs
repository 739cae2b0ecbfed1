//! Dates and follow-up horizons.
//!
//! Dates are whole days since 1970-01-01 (`i32`), as numpy's `datetime64[D]`.
//! A horizon is a length of follow-up: days, months or years.
//!
//! # Calendar rule
//! Months and years are calendar arithmetic from the index date: `"2y"` from
//! 2016-03-15 ends at 2018-03-15 (exclusive), so the window is
//! `[2016-03-15, 2018-03-15)`. When the target month is shorter than the start
//! day, the end is clamped to the last day of that month (the rule of R's
//! `lubridate::%m+%` and of pandas' `DateOffset`): `"1y"` from 2016-02-29 ends
//! at 2017-02-28, and `"1m"` from 2017-01-31 ends at 2017-02-28. Days are exact:
//! `"730d"` is 730 days whatever the calendar.

use crate::error::{Error, Result};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};

/// A date as a chrono date; days beyond chrono's range (about +-262,000 years, far outside
/// any register, which the boundary limits to the years 1 to 9999) saturate at its ends
/// instead of panicking.
pub fn to_naive(day: i32) -> NaiveDate {
    match EPOCH.checked_add_signed(chrono::Duration::days(day as i64)) {
        Some(date) => date,
        None if day < 0 => NaiveDate::MIN,
        None => NaiveDate::MAX,
    }
}

/// Days since 1970-01-01.
pub fn from_naive(date: NaiveDate) -> i32 {
    (date - EPOCH).num_days() as i32
}

/// Days since 1970-01-01 of a calendar date, if it exists.
pub fn ymd(year: i32, month: u32, day: u32) -> Option<i32> {
    NaiveDate::from_ymd_opt(year, month, day).map(from_naive)
}

/// The calendar year of a day.
pub fn year_of(day: i32) -> i32 {
    to_naive(day).year()
}

/// The first day of the year after the one containing `day` (saturating at chrono's last
/// day, as [`to_naive`], for a day in its last year).
pub fn next_new_year(day: i32) -> i32 {
    let y = year_of(day);
    from_naive(NaiveDate::from_ymd_opt(y + 1, 1, 1).unwrap_or(NaiveDate::MAX))
}

/// The month containing `day`, as `12 * year + (month - 1)`.
///
/// # Examples
/// ```
/// use utfall::dates::{month_key, month_start, ymd};
/// let k = month_key(ymd(2018, 9, 17).unwrap());
/// assert_eq!(k, 12 * 2018 + 8);
/// assert_eq!(month_start(k), ymd(2018, 9, 1).unwrap());
/// ```
pub fn month_key(day: i32) -> i32 {
    let d = to_naive(day);
    12 * d.year() + d.month0() as i32
}

/// The first day of month `key` (see [`month_key`]); a month beyond chrono's range
/// saturates at its ends, as [`to_naive`].
pub fn month_start(key: i32) -> i32 {
    let year = key.div_euclid(12);
    let date = NaiveDate::from_ymd_opt(year, key.rem_euclid(12) as u32 + 1, 1);
    from_naive(date.unwrap_or(if year < 0 { NaiveDate::MIN } else { NaiveDate::MAX }))
}

/// The first days of months `first..first + n` and of the month after them (`n + 1` days).
pub fn month_starts(first: i32, n: usize) -> Vec<i32> {
    (0..=n).map(|k| month_start(i32::try_from(k).map_or(i32::MAX, |k| first.saturating_add(k)))).collect()
}

/// A column of `datetime64` ticks turned into days by [`days_from_ticks`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TickDays {
    /// Days since 1970-01-01 (floor); `missing` for NaT and for the open-end marker.
    pub days: Vec<i32>,
    /// The first row whose day is outside `first..=last` (NaT is not outside).
    pub first_outside: Option<usize>,
    /// The first row that became `missing`.
    pub first_missing: Option<usize>,
}

/// Days since 1970-01-01 of `datetime64` ticks, `per_day` ticks a day (1 for days, 86,400
/// for seconds, ...), rounded down as numpy's cast to `datetime64[D]`: NaT (`i64::MIN`)
/// becomes `missing`, and so does the day `open_end` when given; the first row outside
/// `first..=last` and the first missing row are reported. One pass instead of numpy's
/// cast, NaT mask, range test and replacements, each over the whole column.
///
/// # Examples
/// ```
/// use utfall::dates::days_from_ticks;
/// let t = days_from_ticks(&[0, -1, i64::MIN, 86_400 * 5], 86_400, (-10, 4), None, i32::MAX);
/// assert_eq!(t.days, vec![0, -1, i32::MAX, i32::MAX]); // day 5 is outside -10..=4
/// assert_eq!((t.first_outside, t.first_missing), (Some(3), Some(2)));
/// ```
pub fn days_from_ticks(
    ticks: &[i64],
    per_day: i64,
    range: (i32, i32),
    open_end: Option<i32>,
    missing: i32,
) -> TickDays {
    // Constant divisors, so that the division is a multiplication.
    match per_day {
        1 => ticks_to_days::<1>(ticks, range, open_end, missing),
        24 => ticks_to_days::<24>(ticks, range, open_end, missing),
        1_440 => ticks_to_days::<1_440>(ticks, range, open_end, missing),
        86_400 => ticks_to_days::<86_400>(ticks, range, open_end, missing),
        86_400_000 => ticks_to_days::<86_400_000>(ticks, range, open_end, missing),
        86_400_000_000 => ticks_to_days::<86_400_000_000>(ticks, range, open_end, missing),
        86_400_000_000_000 => ticks_to_days::<86_400_000_000_000>(ticks, range, open_end, missing),
        _ => ticks_to_days_by(ticks, per_day.max(1), range, open_end, missing),
    }
}

fn ticks_to_days<const P: i64>(ticks: &[i64], range: (i32, i32), open_end: Option<i32>, missing: i32) -> TickDays {
    ticks_to_days_by(ticks, P, range, open_end, missing)
}

#[inline(always)]
fn ticks_to_days_by(
    ticks: &[i64],
    per_day: i64,
    (first, last): (i32, i32),
    open_end: Option<i32>,
    missing: i32,
) -> TickDays {
    let (mut first_outside, mut first_missing) = (None, None);
    let open_end = open_end.map_or(i64::MIN, i64::from);
    let days = ticks
        .iter()
        .enumerate()
        .map(|(row, &t)| {
            let d = t.div_euclid(per_day);
            if t == i64::MIN || d == open_end {
                first_missing.get_or_insert(row);
                return missing;
            }
            if d < first as i64 || d > last as i64 {
                first_outside.get_or_insert(row);
                return missing;
            }
            d as i32
        })
        .collect();
    TickDays { days, first_outside, first_missing }
}

/// The longest horizon accepted, in years.
pub const MAX_YEARS: i32 = 1000;

/// A length of follow-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Horizon {
    Days(i32),
    Months(i32),
    Years(i32),
}

impl Horizon {
    /// Parses `"2y"`, `"36m"`, `"730d"` (a bare number is days).
    ///
    /// # Examples
    /// ```
    /// use utfall::dates::Horizon;
    /// assert_eq!(Horizon::parse("2y").unwrap(), Horizon::Years(2));
    /// assert_eq!(Horizon::parse("36m").unwrap(), Horizon::Months(36));
    /// assert_eq!(Horizon::parse("730").unwrap(), Horizon::Days(730));
    /// ```
    pub fn parse(text: &str) -> Result<Horizon> {
        let t = text.trim().to_ascii_lowercase();
        let bad = || {
            Error::Spec(format!(
                "cannot read the horizon '{text}': write it as '2y', '36m', '730d' or a number of days"
            ))
        };
        let (num, unit) = match t.char_indices().last() {
            Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c),
            Some(_) => (t.as_str(), 'd'),
            None => return Err(bad()),
        };
        let n: i32 = num.trim().parse().map_err(|_| bad())?;
        if n <= 0 {
            return Err(Error::Spec(format!("the horizon '{text}' must be positive")));
        }
        // Far beyond any follow-up, and small enough that months and days never overflow.
        let limit = match unit {
            'y' => MAX_YEARS,
            'm' => 12 * MAX_YEARS,
            _ => 366 * MAX_YEARS,
        };
        if n > limit {
            return Err(Error::Spec(format!("the horizon '{text}' is longer than {MAX_YEARS} years")));
        }
        match unit {
            'd' => Ok(Horizon::Days(n)),
            'm' => Ok(Horizon::Months(n)),
            'y' => Ok(Horizon::Years(n)),
            _ => Err(bad()),
        }
    }

    /// The exclusive end of the window `[start, start + self)`.
    ///
    /// # Examples
    /// ```
    /// use utfall::dates::{ymd, Horizon};
    /// let leap = ymd(2016, 2, 29).unwrap();
    /// assert_eq!(Horizon::Years(1).end_from(leap), ymd(2017, 2, 28).unwrap());
    /// ```
    pub fn end_from(self, start: i32) -> i32 {
        let months = match self {
            Horizon::Days(d) => return start.saturating_add(d),
            Horizon::Months(m) => m,
            Horizon::Years(y) => y.saturating_mul(12),
        };
        let date = to_naive(start);
        match date.checked_add_months(Months::new(months as u32)) {
            Some(end) => from_naive(end),
            None => i32::MAX,
        }
    }

    /// The start of the window `[start, end)` of this length ending at `end`, going backwards.
    pub fn start_before(self, end: i32) -> i32 {
        let months = match self {
            Horizon::Days(d) => return end.saturating_sub(d),
            Horizon::Months(m) => m,
            Horizon::Years(y) => y.saturating_mul(12),
        };
        match to_naive(end).checked_sub_months(Months::new(months as u32)) {
            Some(start) => from_naive(start),
            None => i32::MIN,
        }
    }

    /// The canonical text form: "2y", "36m", "730d".
    pub fn label(self) -> String {
        match self {
            Horizon::Days(d) => format!("{d}d"),
            Horizon::Months(m) => format!("{m}m"),
            Horizon::Years(y) => format!("{y}y"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_become_days_as_numpy_casts_them() {
        let day = 86_400_000i64; // milliseconds
        let ticks = [0, -1, day - 1, day, -day, -day - 1, i64::MIN, 2_932_896 * day, 2_932_897 * day, -719_162 * day];
        for per_day in [day, 7] {
            let t = days_from_ticks(&ticks, per_day, (-719_162, 2_932_896), Some(2_932_896), i32::MAX);
            let floor: Vec<i32> =
                ticks.iter().map(|&x| if x == i64::MIN { i32::MAX } else { x.div_euclid(per_day) as i32 }).collect();
            if per_day == day {
                assert_eq!(t.days, vec![0, -1, 0, 1, -1, -2, i32::MAX, i32::MAX, i32::MAX, -719_162]);
                assert_eq!((t.first_outside, t.first_missing), (Some(8), Some(6)));
            } else {
                assert_eq!(t.days.len(), floor.len());
            }
        }
        let none = days_from_ticks(&[5, 6], 1, (0, 10), None, i32::MAX);
        assert_eq!((none.days, none.first_outside, none.first_missing), (vec![5, 6], None, None));
    }

    #[test]
    fn calendar_windows() {
        let d = ymd(2016, 3, 15).unwrap();
        assert_eq!(Horizon::Years(2).end_from(d), ymd(2018, 3, 15).unwrap());
        assert_eq!(Horizon::Months(1).end_from(ymd(2017, 1, 31).unwrap()), ymd(2017, 2, 28).unwrap());
        assert_eq!(Horizon::Years(4).end_from(ymd(2016, 2, 29).unwrap()), ymd(2020, 2, 29).unwrap());
        assert_eq!(Horizon::Days(730).end_from(d), d + 730);
        assert_eq!(Horizon::Years(1).start_before(ymd(2017, 3, 1).unwrap()), ymd(2016, 3, 1).unwrap());
    }

    #[test]
    fn months() {
        assert_eq!(month_key(ymd(2016, 12, 31).unwrap()) + 1, month_key(ymd(2017, 1, 1).unwrap()));
        assert_eq!(month_start(month_key(ymd(1969, 12, 5).unwrap())), ymd(1969, 12, 1).unwrap());
        let s = month_starts(month_key(ymd(2016, 2, 1).unwrap()), 2);
        assert_eq!(s, vec![ymd(2016, 2, 1).unwrap(), ymd(2016, 3, 1).unwrap(), ymd(2016, 4, 1).unwrap()]);
        assert_eq!(s[1] - s[0], 29);
    }

    #[test]
    fn parse_rejects_nonsense() {
        assert!(Horizon::parse("two years").is_err());
        assert!(Horizon::parse("0y").is_err());
        assert!(Horizon::parse("").is_err());
        assert!(Horizon::parse("3w").is_err());
        assert!(Horizon::parse("357913942y").is_err());
        assert!(Horizon::parse("1001y").is_err());
        assert_eq!(Horizon::parse("1000y").unwrap(), Horizon::Years(1000));
    }
}

#[cfg(test)]
mod saturation {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        // docs/unwraps.md: next_new_year and month_start expected a valid date, which a day or
        // month key near the ends of i32 (reachable from the bindings) is not.
        #[test]
        fn month_and_year_arithmetic_never_panics(day in any::<i32>(), key in any::<i32>(), n in 0usize..50) {
            let next = next_new_year(day);
            prop_assert!(next >= day || to_naive(day) == NaiveDate::MAX);
            let start = month_start(key);
            let starts = month_starts(key, n);
            prop_assert_eq!(starts.len(), n + 1);
            prop_assert_eq!(starts[0], start);
            prop_assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn within_the_calendar_the_results_are_unchanged() {
        let d = ymd(2018, 9, 17).unwrap_or_default();
        assert_eq!(next_new_year(d), ymd(2019, 1, 1).unwrap_or_default());
        assert_eq!(month_start(month_key(d)), ymd(2018, 9, 1).unwrap_or_default());
        assert_eq!(
            month_starts(month_key(d), 1),
            vec![month_start(month_key(d)), ymd(2018, 10, 1).unwrap_or_default()]
        );
    }
}
