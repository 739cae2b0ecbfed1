//! Per-individual totals over windows of time: follow-up windows from each
//! individual's own index date, calendar windows, look-back windows before the
//! index date, and month-by-month trajectories.

use super::Cohort;
use crate::dates::Horizon;
use rayon::prelude::*;

/// Care days and costs per individual over one window each.
///
/// `values` is row-major, one row per individual and `width()` columns:
/// care days per care type, then cost per care type, then ledger amount per
/// category (all in base-year prices when the cohort has a price index).
#[derive(Debug, Clone)]
pub struct WindowTotals {
    pub start: Vec<i32>,
    /// Exclusive end, clipped at the end of data.
    pub end: Vec<i32>,
    /// Whether the unclipped window lies within the observed data.
    pub complete: Vec<bool>,
    pub n_types: usize,
    pub n_categories: usize,
    pub values: Vec<f64>,
}

impl WindowTotals {
    pub fn width(&self) -> usize {
        2 * self.n_types + self.n_categories
    }
}

/// Totals over the look-back window before each index date, with the number
/// of placements (episodes) that started in it.
#[derive(Debug, Clone)]
pub struct History {
    pub totals: WindowTotals,
    pub placements: Vec<u32>,
}

impl Cohort {
    /// Adds the care days, costs and ledger amounts of individual `i` over
    /// `[a, b)` into `row` (laid out as in [`WindowTotals`]).
    fn accumulate(&self, i: usize, a: i32, b: i32, row: &mut [f64]) {
        let k = self.n_types;
        for e in self.episodes_of(i) {
            let (s, t) = (self.episode_start[e].max(a), self.episode_end[e].min(b));
            if s >= t {
                continue;
            }
            let ty = self.episode_type[e] as usize;
            row[ty] += (t - s) as f64;
            if let Some(curves) = &self.price_curves {
                row[k + ty] += curves[ty].interval_cost(s, t);
            }
        }
        let ledger = self.ledger_of(i);
        // Ledger entries are sorted by date: find the first inside the window.
        let first = ledger.start + self.ledger_date[ledger.clone()].partition_point(|&d| d < a);
        for r in first..ledger.end {
            let day = self.ledger_date[r];
            if day >= b {
                break;
            }
            row[2 * k + self.ledger_category[r] as usize] += self.pricing.ledger_amount(self.ledger_amount[r], day);
        }
    }

    /// Packs the results of a window query.
    fn window_totals(
        &self,
        windows: &[(i32, i32)],
        end: Vec<i32>,
        complete: Vec<bool>,
        values: Vec<f64>,
    ) -> WindowTotals {
        WindowTotals {
            start: windows.iter().map(|w| w.0).collect(),
            end,
            complete,
            n_types: self.n_types,
            n_categories: self.n_categories,
            values,
        }
    }

    /// Clips window `(a, b)` of individual `i` at the end of data, adds its
    /// totals into `row` and returns the clipped end and whether it is complete.
    pub(crate) fn window_row(&self, i: usize, (a, b): (i32, i32), row: &mut [f64]) -> (i32, bool) {
        let clipped = b.min(self.observed_until[i]).max(a);
        if !row.is_empty() {
            self.accumulate(i, a, clipped, row);
        }
        (clipped, b <= self.observed_until[i])
    }

    /// Totals over arbitrary `(individual, window)` requests, one row each
    /// (row-major, as [`WindowTotals`]): an individual may appear many times,
    /// e.g. a comparison individual serving several participants over windows
    /// of different lengths.
    pub fn totals_for(&self, who: &[usize], windows: &[(i32, i32)]) -> WindowTotals {
        let width = 2 * self.n_types + self.n_categories;
        let mut values = vec![0.0; who.len() * width];
        let mut end = vec![0; who.len()];
        let mut complete = vec![false; who.len()];
        values.par_chunks_mut(width.max(1)).zip(end.par_iter_mut()).zip(complete.par_iter_mut()).enumerate().for_each(
            |(r, ((row, end), complete))| {
                let row = if width > 0 { row } else { &mut [] };
                (*end, *complete) = self.window_row(who[r], windows[r], row);
            },
        );
        self.window_totals(windows, end, complete, values)
    }

    /// Totals over one window per individual: `windows[i] = (start, end)`,
    /// clipped at the end of data.
    pub fn totals_over(&self, windows: &[(i32, i32)]) -> WindowTotals {
        let everyone: Vec<usize> = (0..self.n()).collect();
        self.totals_for(&everyone, windows)
    }

    /// As [`Cohort::totals_over`], but `values` is column-major: the value of
    /// column `j` for individual `i` is `values[j * n + i]`. This is the layout
    /// of a pandas DataFrame, which then takes the columns without copying.
    pub fn totals_over_by_column(&self, windows: &[(i32, i32)]) -> WindowTotals {
        const CHUNK: usize = 4096;
        let (n, width) = (self.n(), 2 * self.n_types + self.n_categories);
        let mut values = vec![0.0; n * width];
        let mut end = vec![0; n];
        let mut complete = vec![false; n];
        // Each chunk of individuals gets its own slice of every column.
        let mut columns_of_chunk: Vec<Vec<&mut [f64]>> =
            (0..n.div_ceil(CHUNK)).map(|_| Vec::with_capacity(width)).collect();
        if n > 0 {
            for column in values.chunks_mut(n) {
                for (c, part) in column.chunks_mut(CHUNK).enumerate() {
                    columns_of_chunk[c].push(part);
                }
            }
        }
        columns_of_chunk
            .into_par_iter()
            .zip(end.par_chunks_mut(CHUNK))
            .zip(complete.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, ((mut columns, end), complete))| {
                let mut row = vec![0.0; width];
                for k in 0..end.len() {
                    let i = c * CHUNK + k;
                    row.fill(0.0);
                    (end[k], complete[k]) = self.window_row(i, windows[i], &mut row);
                    for (column, &v) in columns.iter_mut().zip(&row) {
                        column[k] = v;
                    }
                }
            });
        self.window_totals(windows, end, complete, values)
    }

    /// The follow-up window `[index, index + horizon)` of every individual.
    ///
    /// Calendar arithmetic is done once per distinct day between the first and
    /// the last index date (a few thousand days), not once per individual.
    pub fn follow_up(&self, horizon: Horizon) -> Vec<(i32, i32)> {
        let (Some(&first), Some(&last)) = (self.index_date.iter().min(), self.index_date.iter().max()) else {
            return Vec::new();
        };
        let span = last as i64 - first as i64 + 1;
        if span > 4 * self.n() as i64 {
            return self.index_date.par_iter().map(|&d| (d, horizon.end_from(d))).collect();
        }
        let ends: Vec<i32> = (0..span as i32).into_par_iter().map(|k| horizon.end_from(first + k)).collect();
        self.index_date.par_iter().map(|&d| (d, ends[(d - first) as usize])).collect()
    }

    /// Totals over each individual's follow-up window.
    pub fn costs(&self, horizon: Horizon) -> WindowTotals {
        self.totals_over(&self.follow_up(horizon))
    }

    /// As [`Cohort::costs`], with the values column-major (see [`Cohort::totals_over_by_column`]).
    pub fn costs_by_column(&self, horizon: Horizon) -> WindowTotals {
        self.totals_over_by_column(&self.follow_up(horizon))
    }

    /// Totals over `[index - lookback, index)` (all earlier data without a
    /// look-back), and the number of episodes that started in that window.
    pub fn history(&self, lookback: Option<Horizon>) -> History {
        let windows: Vec<(i32, i32)> =
            self.index_date.iter().map(|&d| (lookback.map_or(i32::MIN, |h| h.start_before(d)), d)).collect();
        let totals = self.totals_over(&windows);
        let placements = (0..self.n())
            .into_par_iter()
            .map(|i| {
                let (a, b) = windows[i];
                self.episodes_of(i).filter(|&e| self.episode_start[e] >= a && self.episode_start[e] < b).count() as u32
            })
            .collect();
        History { totals, placements }
    }

    /// Total cost (care and ledger) per individual in each month since the
    /// index date: month `m` is `[index + m months, index + (m+1) months)`.
    ///
    /// Row-major `n x months`; a month that starts at or after the end of data
    /// is NaN, and a month cut by the end of data holds the cost of its observed days.
    pub fn trajectories(&self, months: usize) -> Vec<f64> {
        let mut out = vec![0.0; self.n() * months];
        let width = 2 * self.n_types + self.n_categories;
        out.par_chunks_mut(months.max(1)).enumerate().for_each(|(i, row)| {
            let index = self.index_date[i];
            let mut row_totals = vec![0.0; width];
            let mut a = index;
            for (m, cell) in row.iter_mut().enumerate() {
                let b = Horizon::Months(m as i32 + 1).end_from(index);
                if a >= self.observed_until[i] {
                    *cell = f64::NAN;
                } else {
                    row_totals.iter_mut().for_each(|v| *v = 0.0);
                    self.accumulate(i, a, b.min(self.observed_until[i]), &mut row_totals);
                    *cell = row_totals[self.n_types..].iter().sum();
                }
                a = b;
            }
        });
        out
    }
}
