//! Per-employee and per-month queries: net days in a day range of each spell,
//! the employed share of each month, spell counts, the risk group and how it
//! turns over from one date to the next.

use super::{DayRange, Register};
use crate::dates::{month_starts, Horizon};
use rayon::prelude::*;

/// A month grid: the first days of `n` months and of the month after them, and
/// the month of every day in between.
struct Grid {
    starts: Vec<i32>,
    month_of: Vec<u32>,
}

impl Grid {
    fn new(first_month: i32, n: usize) -> Grid {
        let starts = month_starts(first_month, n);
        let mut month_of = Vec::with_capacity((starts[n] - starts[0]) as usize);
        for m in 0..n {
            month_of.resize(month_of.len() + (starts[m + 1] - starts[m]) as usize, m as u32);
        }
        Grid { starts, month_of }
    }

    fn n(&self) -> usize {
        self.starts.len() - 1
    }

    /// Adds `weight` per day of `[a, b)` into the months of `row`.
    #[inline]
    fn spread(&self, a: i32, b: i32, weight: f64, row: &mut [f64]) {
        self.spread_with(a, b, weight, |m, v| row[m] += v);
    }

    /// Calls `add(month, weight * days)` for each month that `[a, b)` overlaps, in order.
    #[inline]
    fn spread_with(&self, a: i32, b: i32, weight: f64, mut add: impl FnMut(usize, f64)) {
        let (lo, hi) = (self.starts[0], self.starts[self.n()]);
        let (mut a, b) = (a.max(lo), b.min(hi));
        if a >= b {
            return;
        }
        let mut m = self.month_of[(a - lo) as usize] as usize;
        while a < b {
            let end = self.starts[m + 1].min(b);
            add(m, weight * (end - a) as f64);
            a = end;
            m += 1;
        }
    }
}

/// The risk group at one date.
#[derive(Debug, Clone)]
pub struct RiskGroup {
    /// Spells that started in the window, per employee.
    pub spells: Vec<u32>,
    /// Whether the employee is employed on the date.
    pub employed: Vec<bool>,
    /// Employed, with more than `threshold` spells in the window.
    pub at_risk: Vec<bool>,
}

/// What became of the risk group of one date at the next (codes into [`TURNOVER_CATEGORIES`]).
#[derive(Debug, Clone)]
pub struct Turnover {
    /// `n x (dates - 1)` row-major: the category at date `k + 1` of an employee
    /// at risk at date `k`, or [`Turnover::NOT_IN_GROUP`].
    pub status: Vec<u8>,
}

impl Turnover {
    pub const NOT_IN_GROUP: u8 = u8::MAX;
}

/// The categories of [`Turnover`] (seed 000, "the risk group comes back from year to year").
pub const TURNOVER_CATEGORIES: [&str; 5] =
    ["still at risk", "sick < 14 days", "long-term sick", "not at risk", "left employment"];

impl Register {
    /// Net days (days x extent) of the days `range` of every spell, per employee
    /// and month: row-major `n x n_months` from month key `first_month`.
    pub fn net_days(&self, range: DayRange, first_month: i32, n_months: usize) -> Vec<f64> {
        let grid = Grid::new(first_month, n_months);
        let mut out = vec![0.0; self.n * n_months];
        out.par_chunks_mut(n_months.max(1)).enumerate().for_each(|(i, row)| {
            if n_months == 0 {
                return;
            }
            for s in self.spells_of(i) {
                let (a, b) = range.clip(self.spell_start[s], self.spell_end[s]);
                grid.spread(a, b, self.spell_extent[s], row);
            }
        });
        out
    }

    /// As [`Register::net_days`], column-major (`values[m * n + i]`), the layout
    /// of a pandas DataFrame, which then takes it without copying.
    pub fn net_days_by_column(&self, range: DayRange, first_month: i32, n_months: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.n * n_months];
        self.net_days_by_column_into(range, first_month, n_months, &mut out);
        out
    }

    /// [`Register::net_days_by_column`] written into `out` (`n * n_months` values, all
    /// overwritten), which the caller allocates: the Python binding passes a NumPy
    /// array, whose allocator asks the kernel for huge pages, so the first touch of a
    /// result of hundreds of megabytes costs a few hundred page faults instead of tens
    /// of thousands (that first touch, not the spell pass, was most of the time).
    ///
    /// # Panics
    /// If `out.len() != n * n_months`.
    pub fn net_days_by_column_into(&self, range: DayRange, first_month: i32, n_months: usize, out: &mut [f64]) {
        // Employees in chunks small enough that a chunk's months x employees block stays in
        // the core's cache: the spells of a chunk are added into that block (each cell starts
        // at zero and receives its employee's spells in order, as a per-employee row would, so
        // the same bits), and the block is then copied into the columns, each month's part one
        // contiguous run (whole cache lines, no scattered writes to the 100s of MB result).
        // Chunks run in parallel; each cell is computed by one chunk, so the result does not
        // depend on the number of threads.
        const CHUNK: usize = 512;
        let n = self.n;
        assert_eq!(out.len(), n * n_months, "net_days_by_column_into: output of the wrong size");
        if n_months == 0 || n == 0 {
            return;
        }
        let grid = Grid::new(first_month, n_months);
        let mut columns_of_chunk: Vec<Vec<&mut [f64]>> =
            (0..n.div_ceil(CHUNK)).map(|_| Vec::with_capacity(n_months)).collect();
        for column in out.chunks_mut(n) {
            for (c, part) in column.chunks_mut(CHUNK).enumerate() {
                columns_of_chunk[c].push(part);
            }
        }
        columns_of_chunk.into_par_iter().enumerate().for_each_init(
            || vec![0.0; CHUNK * n_months],
            |block, (c, mut columns)| {
                let first = c * CHUNK;
                let len = columns[0].len();
                for k in 0..len {
                    for s in self.spells_of(first + k) {
                        let (a, b) = range.clip(self.spell_start[s], self.spell_end[s]);
                        grid.spread_with(a, b, self.spell_extent[s], |m, v| block[m * CHUNK + k] += v);
                    }
                }
                for (m, column) in columns.iter_mut().enumerate() {
                    let part = &mut block[m * CHUNK..m * CHUNK + len];
                    column.copy_from_slice(part);
                    part.fill(0.0);
                }
            },
        );
    }

    /// The employed share of each month per employee (employed days / days in
    /// the month; days after the end of data do not count): row-major `n x n_months`.
    pub fn employed(&self, first_month: i32, n_months: usize) -> Vec<f64> {
        let grid = Grid::new(first_month, n_months);
        let length: Vec<f64> = (0..n_months).map(|m| (grid.starts[m + 1] - grid.starts[m]) as f64).collect();
        let mut out = vec![0.0; self.n * n_months];
        out.par_chunks_mut(n_months.max(1)).enumerate().for_each(|(i, row)| {
            if n_months == 0 {
                return;
            }
            for p in self.employment_of(i) {
                grid.spread(self.employment_start[p], self.employment_end[p].min(self.observed_until), 1.0, row);
            }
            for (v, l) in row.iter_mut().zip(&length) {
                *v /= l;
            }
        });
        out
    }

    /// Spells starting in each month per employee: row-major `n x n_months`.
    pub fn spell_starts(&self, first_month: i32, n_months: usize) -> Vec<f64> {
        let grid = Grid::new(first_month, n_months);
        let mut out = vec![0.0; self.n * n_months];
        out.par_chunks_mut(n_months.max(1)).enumerate().for_each(|(i, row)| {
            if n_months == 0 {
                return;
            }
            for s in self.spells_of(i) {
                let a = self.spell_start[s];
                grid.spread(a, a + 1, 1.0, row);
            }
        });
        out
    }

    /// Whether employee `i` is employed on `day`.
    pub fn is_employed(&self, i: usize, day: i32) -> bool {
        day < self.observed_until
            && self.employment_of(i).any(|p| self.employment_start[p] <= day && day < self.employment_end[p])
    }

    /// Spells of employee `i` that started in `[a, b)`.
    fn starts_in(&self, i: usize, a: i32, b: i32) -> std::ops::Range<usize> {
        let r = self.spells_of(i);
        let starts = &self.spell_start[r.clone()];
        r.start + starts.partition_point(|&d| d < a)..r.start + starts.partition_point(|&d| d < b)
    }

    /// The risk group at `day`: employed on `day`, with more than `threshold`
    /// spells starting in the `window` ending with `day`, i.e. on the days
    /// `(day - window, day]` (a spell that started exactly one window before
    /// `day` is outside it).
    pub fn risk_group(&self, day: i32, threshold: u32, window: Horizon) -> RiskGroup {
        let from = window.start_before(day).saturating_add(1);
        let rows: Vec<(u32, bool)> = (0..self.n)
            .into_par_iter()
            .map(|i| (self.starts_in(i, from, day.saturating_add(1)).len() as u32, self.is_employed(i, day)))
            .collect();
        let spells: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let employed: Vec<bool> = rows.iter().map(|r| r.1).collect();
        let at_risk = rows.iter().map(|&(s, e)| e && s > threshold).collect();
        RiskGroup { spells, employed, at_risk }
    }

    /// For the risk group at each of `days` but the last, what each member is
    /// at the next date (categories [`TURNOVER_CATEGORIES`]): left employment
    /// (not employed then); still at risk; long-term sick (not at risk, a spell
    /// of the window reached day 15); sick < 14 days (not at risk, spells in the
    /// window, all shorter than 15 days); not at risk (no spell in the window).
    pub fn turnover(&self, days: &[i32], threshold: u32, window: Horizon) -> Turnover {
        let groups: Vec<RiskGroup> = days.iter().map(|&d| self.risk_group(d, threshold, window)).collect();
        let k = days.len().saturating_sub(1);
        let mut status = vec![Turnover::NOT_IN_GROUP; self.n * k];
        if k == 0 {
            return Turnover { status };
        }
        status.par_chunks_mut(k).enumerate().for_each(|(i, row)| {
            for (j, cell) in row.iter_mut().enumerate() {
                if !groups[j].at_risk[i] {
                    continue;
                }
                let next = &groups[j + 1];
                let day = days[j + 1];
                *cell = if !next.employed[i] {
                    4
                } else if next.at_risk[i] {
                    0
                } else if next.spells[i] == 0 {
                    3
                } else {
                    let from = window.start_before(day).saturating_add(1);
                    let long = self
                        .starts_in(i, from, day.saturating_add(1))
                        .any(|s| self.spell_end[s] - self.spell_start[s] >= 15);
                    if long {
                        2
                    } else {
                        1
                    }
                };
            }
        });
        Turnover { status }
    }
}
