//! The absence register of a sick-leave outcomes contract: employees, their
//! employment periods and their sick-leave spells, validated once and queried
//! per employee and calendar month.
//!
//! Conventions (stated once, used everywhere):
//! - A spell covers the days `[first, last]` (inclusive, as HR systems record
//!   them); internally `[first, last + 1)`. An ongoing spell runs to the end of data.
//! - Day `k` of a spell (1-based) is `first + k - 1`. A [`DayRange`] picks days
//!   within every spell: days 1-14 (short-term, the employer's sick-pay period),
//!   day 15 on (long-term), day 1 only (the qualifying day, *karensdag*).
//! - A spell counts at its extent: a day at 50 % sick leave is half a *net day*.
//! - An employee counts in a month pro rata: the employed days of the month
//!   divided by its length. Without employment periods every employee is
//!   employed on every day up to the end of data.
//!
//! The grouping of spells by employee is the cohort's episode grouping
//! ([`crate::cohort::group_order`], [`crate::cohort::offsets`]); the month
//! arithmetic is [`crate::dates`].

pub mod evaluation;
mod queries;
pub mod synthetic;

pub use evaluation::{evaluate, Evaluation, EvaluationInput, GroupResult};
pub use queries::{RiskGroup, Turnover, TURNOVER_CATEGORIES};

use crate::cohort::{group_order, offsets};
use crate::error::{Error, Result};

/// Marks an ongoing spell or employment (no last day).
pub const ONGOING: i32 = i32::MAX;

/// Days `first..=last` (1-based) of every spell; `last = None` runs to the spell's end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    pub first: u32,
    pub last: Option<u32>,
}

impl DayRange {
    /// Days 1-14: the short-term absence the contract pays on.
    pub const SHORT_TERM: DayRange = DayRange { first: 1, last: Some(14) };
    /// Day 15 on.
    pub const LONG_TERM: DayRange = DayRange { first: 15, last: None };
    /// Day 1: the qualifying day.
    pub const QUALIFYING: DayRange = DayRange { first: 1, last: Some(1) };
    /// Every day of a spell.
    pub const ALL: DayRange = DayRange { first: 1, last: None };

    /// Validates a range: `first >= 1`, `last >= first`.
    pub fn new(first: u32, last: Option<u32>) -> Result<DayRange> {
        if first == 0 || last.is_some_and(|l| l < first) {
            return Err(Error::Spec(format!(
                "a day range within a spell is 1-based with last >= first, got {first}..{last:?}"
            )));
        }
        Ok(DayRange { first, last })
    }

    /// The days `[a, b)` of the spell `[start, end)` in this range.
    #[inline]
    pub fn clip(self, start: i32, end: i32) -> (i32, i32) {
        let a = start.saturating_add(self.first as i32 - 1);
        let b = match self.last {
            Some(l) => start.saturating_add(l as i32).min(end),
            None => end,
        };
        (a, b.max(a))
    }
}

/// The raw columns of a register, as codes and days since 1970-01-01.
#[derive(Debug, Clone, Default)]
pub struct RegisterInput {
    pub n_employees: usize,
    /// Employee code (position in the employees table) per spell; negative = unknown id.
    pub spell_employee: Vec<i64>,
    pub spell_first: Vec<i32>,
    /// Last day, inclusive; [`ONGOING`] for a spell still running at the end of data.
    pub spell_last: Vec<i32>,
    /// The extent of sick leave, in (0, 1].
    pub spell_extent: Vec<f64>,
    /// `(employee code, first day, last day or ONGOING)` per employment period.
    pub employment: Option<(Vec<i64>, Vec<i32>, Vec<i32>)>,
    /// The last observed day (inclusive).
    pub data_end: i32,
}

/// A validated register, spells and employment periods grouped by employee.
#[derive(Debug, Clone)]
pub struct Register {
    pub n: usize,
    /// The first unobserved day (`data_end + 1`).
    pub observed_until: i32,
    /// Spells of employee `i` are `spell_offsets[i]..spell_offsets[i + 1]`, by first day.
    pub spell_offsets: Vec<usize>,
    pub spell_start: Vec<i32>,
    /// Exclusive end (ongoing spells end at the end of data).
    pub spell_end: Vec<i32>,
    pub spell_extent: Vec<f64>,
    /// The input row of each (sorted) spell.
    pub spell_row: Vec<usize>,
    pub employment_offsets: Vec<usize>,
    pub employment_start: Vec<i32>,
    /// Exclusive end.
    pub employment_end: Vec<i32>,
}

/// Checks the codes and the order of `[first, last]` rows of one table.
fn check_rows(
    table: &'static str,
    who: &[i64],
    first: &[i32],
    last: &[i32],
    n: usize,
    data_end: i32,
    what: &str,
) -> Result<()> {
    for r in 0..who.len() {
        if who[r] < 0 || who[r] as usize >= n {
            return Err(Error::data(
                table,
                "id",
                Some(r),
                format!("the {what} belongs to an id that is not in the employees table"),
            ));
        }
        if first[r] > data_end {
            return Err(Error::data(
                table,
                "first_day",
                Some(r),
                format!(
                    "the {what} starts on {} after the end of data {}",
                    crate::dates::to_naive(first[r]),
                    crate::dates::to_naive(data_end)
                ),
            ));
        }
        if last[r] != ONGOING && last[r] < first[r] {
            return Err(Error::data(table, "last_day", Some(r), format!("the {what} ends before it starts")));
        }
        if last[r] != ONGOING && last[r] > data_end {
            return Err(Error::data(
                table,
                "last_day",
                Some(r),
                format!(
                    "the {what} ends on {} after the end of data {} (leave the last day empty for one still running)",
                    crate::dates::to_naive(last[r]),
                    crate::dates::to_naive(data_end)
                ),
            ));
        }
    }
    Ok(())
}

/// Rows grouped by employee, by first day, with exclusive ends; overlaps are an error.
fn grouped(
    table: &'static str,
    who: &[i64],
    first: &[i32],
    last: &[i32],
    n: usize,
    observed_until: i32,
    what: &str,
) -> Result<(Vec<usize>, Vec<usize>, Vec<i32>, Vec<i32>)> {
    let order = group_order(who, first);
    let offs = offsets(who, &order, n);
    let mut start = Vec::with_capacity(order.len());
    let mut end = Vec::with_capacity(order.len());
    for (k, &r) in order.iter().enumerate() {
        let e = if last[r] == ONGOING { observed_until } else { last[r] + 1 };
        if k > 0 && who[order[k - 1]] == who[r] && first[r] < *end.last().expect("previous row") {
            let prev = order[k - 1];
            return Err(Error::data(
                table,
                "first_day",
                Some(r),
                format!("the {what} overlaps the same employee's {what} in row {prev}"),
            ));
        }
        start.push(first[r]);
        end.push(e);
    }
    Ok((order, offs, start, end))
}

impl Register {
    pub fn spells_of(&self, i: usize) -> std::ops::Range<usize> {
        self.spell_offsets[i]..self.spell_offsets[i + 1]
    }

    pub fn employment_of(&self, i: usize) -> std::ops::Range<usize> {
        self.employment_offsets[i]..self.employment_offsets[i + 1]
    }

    /// Validates `input` and groups it by employee.
    ///
    /// # Errors
    /// [`Error::Data`] naming the table, column and row of the first problem: a
    /// spell or employment period for an unknown id, ending before it starts or
    /// after the end of data, overlapping another of the same employee; an extent
    /// outside (0, 1]; a spell not within one employment period.
    pub fn new(input: RegisterInput) -> Result<Register> {
        let n = input.n_employees;
        let m = input.spell_first.len();
        if input.spell_employee.len() != m || input.spell_last.len() != m || input.spell_extent.len() != m {
            return Err(Error::Spec("spell columns differ in length".into()));
        }
        let observed_until =
            input.data_end.checked_add(1).ok_or_else(|| Error::Spec("the end of data is out of range".into()))?;
        check_rows("spells", &input.spell_employee, &input.spell_first, &input.spell_last, n, input.data_end, "spell")?;
        for (r, &x) in input.spell_extent.iter().enumerate() {
            if !(x > 0.0 && x <= 1.0) {
                return Err(Error::data(
                    "spells",
                    "extent",
                    Some(r),
                    format!("the extent {x} is outside (0, 1] (write 50 % as 0.5 or 50)"),
                ));
            }
        }
        let (employment_offsets, employment_start, employment_end) = match &input.employment {
            Some((who, first, last)) => {
                if who.len() != first.len() || who.len() != last.len() {
                    return Err(Error::Spec("employment columns differ in length".into()));
                }
                check_rows("employment", who, first, last, n, input.data_end, "employment period")?;
                let (_, offs, start, end) =
                    grouped("employment", who, first, last, n, observed_until, "employment period")?;
                (offs, start, end)
            }
            None => ((0..=n).collect(), vec![i32::MIN; n], vec![observed_until; n]),
        };
        let (order, spell_offsets, spell_start, spell_end) = grouped(
            "spells",
            &input.spell_employee,
            &input.spell_first,
            &input.spell_last,
            n,
            observed_until,
            "spell",
        )?;
        let reg = Register {
            n,
            observed_until,
            spell_offsets,
            spell_start,
            spell_end,
            spell_extent: order.iter().map(|&r| input.spell_extent[r]).collect(),
            spell_row: order,
            employment_offsets,
            employment_start,
            employment_end,
        };
        reg.check_within_employment()?;
        Ok(reg)
    }

    /// Every spell lies within one employment period of its employee.
    fn check_within_employment(&self) -> Result<()> {
        for i in 0..self.n {
            let periods = self.employment_of(i);
            for s in self.spells_of(i) {
                let (a, b) = (self.spell_start[s], self.spell_end[s]);
                let k = periods.start + self.employment_start[periods.clone()].partition_point(|&d| d <= a);
                let inside = k > periods.start && b <= self.employment_end[k - 1];
                if !inside {
                    let row = self.spell_row[s];
                    let problem = if k > periods.start && a < self.employment_end[k - 1] {
                        let last = crate::dates::to_naive(self.employment_end[k - 1] - 1);
                        format!("the spell runs past the end of the employee's employment on {last}")
                    } else if periods.is_empty() {
                        "the employee has no employment period".to_string()
                    } else {
                        format!(
                            "the spell starting on {} is outside the employee's employment periods",
                            crate::dates::to_naive(a)
                        )
                    };
                    return Err(Error::data("spells", "first_day", Some(row), problem));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
