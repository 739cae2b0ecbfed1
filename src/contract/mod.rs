//! The payment mechanism of an outcomes contract, applied to arrays of metric values.
//!
//! A [`Mechanism`] is a list of [`Tranche`]s paid in order, a cap on the total
//! and a floor (the investor's maximum loss). Settling it on `n` values of each
//! metric (one set per bootstrap replicate, or one observed set) gives each
//! tranche's amount and the total for every set; [`replicates`] draws the
//! metrics' replicates jointly with the bootstrap's own resamples, and
//! [`signtests`] holds the sign and signed-rank tests of change scores.
//!
//! # Formula
//! For metric values `x` and a tranche with rate `r`, band `[lower, upper]`,
//! fixed amount `f`, cap `c` and conditions `C`:
//!
//! `raw = [all C hold] * min(f + r * clamp(x - lower, 0, upper - lower), c)`
//!
//! Tranches are paid in order within the total cap `T`: tranche `t` pays
//! `min(raw_t, T - sum_{s<t} paid_s)`. When a floor `L` is set (the funding less
//! the maximum loss), a top-up `max(L - sum_t paid_t, 0)` brings the total up to it.

pub mod replicates;
pub mod signtests;

use crate::error::{Error, Result};

/// A comparison of a metric with a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Greater,
    GreaterEqual,
    Less,
    LessEqual,
    Equal,
    NotEqual,
}

impl Op {
    #[inline]
    fn holds(self, x: f64, value: f64) -> bool {
        match self {
            Op::Greater => x > value,
            Op::GreaterEqual => x >= value,
            Op::Less => x < value,
            Op::LessEqual => x <= value,
            Op::Equal => x == value,
            Op::NotEqual => x != value,
        }
    }
}

/// A condition `metric op value`; `metric` indexes the metric columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Condition {
    pub metric: usize,
    pub op: Op,
    pub value: f64,
}

/// One tranche of the payment: a fixed amount and/or a rate on a band of a metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Tranche {
    /// The metric the rate applies to (`None`: a fixed amount only).
    pub metric: Option<usize>,
    /// The share of the metric (or the price per unit, for a rate card).
    pub rate: f64,
    /// The band of the metric that is paid on: `[lower, upper]` (`upper` may be infinite).
    pub lower: f64,
    pub upper: f64,
    /// A fixed amount paid when the conditions hold.
    pub fixed: f64,
    /// The most this tranche pays (infinite: no cap).
    pub cap: f64,
    /// All must hold for the tranche to pay.
    pub conditions: Vec<Condition>,
}

/// The whole payment mechanism.
#[derive(Debug, Clone, PartialEq)]
pub struct Mechanism {
    pub tranches: Vec<Tranche>,
    /// The most the outcome payer pays in all (infinite: no cap).
    pub total_cap: f64,
    /// The least the total may be (the funding less the maximum loss; `-inf`: none).
    pub floor: f64,
}

/// The settlement of `n` sets of metric values.
#[derive(Debug, Clone, PartialEq)]
pub struct Settlement {
    /// `amounts[t][i]`: what tranche `t` pays in set `i`, after the total cap.
    pub amounts: Vec<Vec<f64>>,
    /// `met[t][i]`: whether the conditions of tranche `t` held in set `i`.
    pub met: Vec<Vec<bool>>,
    /// The top-up to the floor in set `i` (0 without a floor).
    pub top_up: Vec<f64>,
    /// The total paid in set `i`.
    pub total: Vec<f64>,
}

impl Mechanism {
    /// Checks the mechanism against `n_metrics` metric columns.
    ///
    /// # Errors
    /// `Error::Spec` for a metric index out of range, a non-finite or negative
    /// rate, fixed amount or cap, a band whose upper end lies below its lower end,
    /// a NaN threshold, or a floor above the total cap.
    pub fn check(&self, n_metrics: usize) -> Result<()> {
        for (t, tr) in self.tranches.iter().enumerate() {
            let bad = |what: &str| Err(Error::Spec(format!("tranche {t}: {what}")));
            if let Some(m) = tr.metric {
                if m >= n_metrics {
                    return bad(&format!("metric {m} is not among the {n_metrics} metrics given"));
                }
            }
            if !(tr.rate.is_finite() && tr.rate >= 0.0) {
                return bad(&format!("the rate must be a finite number >= 0, not {}", tr.rate));
            }
            if !(tr.fixed.is_finite() && tr.fixed >= 0.0) {
                return bad(&format!("the fixed amount must be a finite number >= 0, not {}", tr.fixed));
            }
            if tr.cap.is_nan() || tr.cap < 0.0 {
                return bad(&format!("the cap must be >= 0, not {}", tr.cap));
            }
            if tr.lower.is_nan() || tr.upper.is_nan() || tr.upper < tr.lower || tr.lower == f64::INFINITY {
                return bad(&format!("the band [{}, {}] is not an interval", tr.lower, tr.upper));
            }
            for c in &tr.conditions {
                if c.metric >= n_metrics || c.value.is_nan() {
                    return bad("a condition names a metric that is not given, or compares with NaN");
                }
            }
        }
        if self.total_cap.is_nan() || self.total_cap < 0.0 {
            return Err(Error::Spec(format!("the total cap must be >= 0, not {}", self.total_cap)));
        }
        if self.floor.is_nan() || self.floor > self.total_cap {
            return Err(Error::Spec(format!(
                "the floor {} (funding less the maximum loss) lies above the total cap {}",
                self.floor, self.total_cap
            )));
        }
        Ok(())
    }

    /// Settles the mechanism on `metrics[m][i]`, metric `m` in set `i`.
    ///
    /// # Errors
    /// `Error::Spec` from [`Mechanism::check`]; `Error::Data` when the columns
    /// differ in length or a value the mechanism reads is not finite.
    pub fn settle(&self, metrics: &[&[f64]]) -> Result<Settlement> {
        self.check(metrics.len())?;
        let n = metrics.first().map_or(0, |c| c.len());
        for (m, column) in metrics.iter().enumerate() {
            if column.len() != n {
                return Err(Error::data(
                    "metrics",
                    "",
                    None,
                    format!("metric {m} has {} values, not {n}", column.len()),
                ));
            }
            if let Some(i) = column.iter().position(|v| !v.is_finite()) {
                return Err(Error::data(
                    "metrics",
                    "",
                    Some(i),
                    format!("metric {m} is {} in set {i}; a payment needs finite values", column[i]),
                ));
            }
        }
        let k = self.tranches.len();
        let mut amounts = vec![vec![0.0; n]; k];
        let mut met = vec![vec![false; n]; k];
        let mut top_up = vec![0.0; n];
        let mut total = vec![0.0; n];
        for i in 0..n {
            let mut paid = 0.0;
            for (t, tr) in self.tranches.iter().enumerate() {
                let ok = tr.conditions.iter().all(|c| c.op.holds(metrics[c.metric][i], c.value));
                met[t][i] = ok;
                if !ok {
                    continue;
                }
                let variable = match tr.metric {
                    Some(m) if tr.rate > 0.0 => {
                        let x = metrics[m][i];
                        tr.rate * ((x - tr.lower).max(0.0)).min(tr.upper - tr.lower)
                    }
                    _ => 0.0,
                };
                let raw = (tr.fixed + variable).min(tr.cap);
                let amount = raw.min((self.total_cap - paid).max(0.0));
                amounts[t][i] = amount;
                paid += amount;
            }
            if paid < self.floor {
                top_up[i] = self.floor - paid;
                paid = self.floor;
            }
            total[i] = paid;
        }
        Ok(Settlement { amounts, met, top_up, total })
    }
}

#[cfg(test)]
mod tests;
