//! The social investment calculation: cash flows per actor and year, discounted,
//! in many Monte Carlo replicates at once.
//!
//! A calculation has `A` actors (social services, schools, the region, ...) and
//! `T` years counted from the base year (`t = 0` is the base year). Its cash
//! flows are [`Component`]s: component `k` adds `coef_k[t] * v_s[b, t]` to its
//! actor in year `t` of replicate `b`, where `v_s` is the component's
//! [`Source`] (a volume or an amount per year, one row per replicate, or one
//! row shared by all replicates) and `coef_k` its unit cost times any scaling.
//! Positive amounts are gains of the actor, negative ones costs.
//!
//! Society is the sum over the actors of every component that is not a
//! transfer: a transfer (an outcome payment, a grant) is a cost to one actor
//! and an income to another and is left out of society's flows altogether, so
//! it nets to exactly zero there.
//!
//! For every replicate and every entity `e` (the actors, then society) the
//! engine computes, with discount factors `D_t` ([`discount_factors`]):
//!
//! - `npv = sum_t D_t F_et`, the nominal total `sum_t F_et`;
//! - the present value of the benefit components and of the cost components
//!   (each component is one or the other, as the caller classified it);
//! - the cumulative positions `C_et = sum_{s <= t} D_s F_es` (and nominal);
//! - the break-even year: the first `t >= t0` with `C_et >= 0` (discounted and nominal), `t0` the
//!   entity's first year with a nonzero flow (0 without any): before its first cash flow an actor
//!   has nothing to recover, so an actor funded in full until a later cost does not "break even"
//!   in year 0 on a position of zero;
//! - the payback year: the first `t >= t0` from which `C_es >= 0` for every `s >= t`;
//! - the investment hump: its depth `min(0, min_t C_et)` and the first year of
//!   the minimum (none when the position is never negative).
//!
//! Replicates are independent, computed in parallel, each from its own rows in
//! a fixed order, so the results are bit-identical on any number of threads.

mod engine;
#[cfg(test)]
mod tests;

pub use engine::{quantile_bands, simulate, Outcome};

use crate::error::{Error, Result};

/// When in its year a year's cash flow falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// At the start of the year: `D_0 = 1` (HM Treasury's Green Book, whose year 0 is undiscounted).
    Start,
    /// At the end of the year: year 0's flows are discounted by one year's rate.
    End,
}

/// Discount factors of `rates.len()` years; `rates[s]` is the rate between the
/// start of year `s` and the start of year `s + 1`.
///
/// # Formula
/// `Start`: `D_t = prod_{s < t} 1 / (1 + r_s)`; `End`: `D_t = prod_{s <= t} 1 / (1 + r_s)`.
/// With the Green Book schedule (3.5 % for years 0-29, 3.0 % from year 30) and
/// `Start`, `D_30 = 1.035^-30` and `D_31 = 1.035^-30 / 1.03`.
///
/// # Errors
/// `Error::Spec` for a rate that is not finite or is at or below -100 %.
///
/// # Examples
/// ```
/// use utfall::socioeconomic::{discount_factors, Timing};
/// let d = discount_factors(&[0.1, 0.1], Timing::Start).unwrap();
/// assert_eq!(d, vec![1.0, 1.0 / 1.1]);
/// ```
pub fn discount_factors(rates: &[f64], timing: Timing) -> Result<Vec<f64>> {
    if let Some((year, r)) = rates.iter().enumerate().find(|(_, r)| !r.is_finite() || **r <= -1.0) {
        return Err(Error::Spec(format!(
            "discount_rate: the rate of year {year} is {r}; a discount rate must be finite and above -100 %"
        )));
    }
    let mut out = Vec::with_capacity(rates.len());
    let mut factor = 1.0f64;
    for &r in rates {
        if timing == Timing::End {
            factor /= 1.0 + r;
        }
        out.push(factor);
        if timing == Timing::Start {
            factor /= 1.0 + r;
        }
    }
    Ok(out)
}

/// Values per year of one effect or amount: `n_rows` rows of `T` values, row-major.
/// A source with one row is shared by every replicate; otherwise replicate `b` reads row `b`.
#[derive(Debug, Clone)]
pub struct Source {
    pub n_rows: usize,
    pub values: Vec<f64>,
}

/// One cash flow of one actor: `coef[t] * source[b, t]` (or `coef[t]` without a source).
#[derive(Debug, Clone)]
pub struct Component {
    pub actor: usize,
    /// A benefit (true) or a cost (false), for the benefit-cost ratio.
    pub benefit: bool,
    /// Left out of society's flows (a transfer between actors).
    pub transfer: bool,
    pub source: Option<usize>,
    pub coef: Vec<f64>,
}

/// A whole calculation: actors, years, discount factors, sources and components.
#[derive(Debug, Clone)]
pub struct Model {
    pub n_actors: usize,
    pub n_years: usize,
    pub discount: Vec<f64>,
    pub sources: Vec<Source>,
    pub components: Vec<Component>,
}

impl Model {
    /// Checks the shapes and values; returns the number of replicates the sources allow (`usize::MAX`: any).
    pub fn check(&self) -> Result<usize> {
        let t = self.n_years;
        if t == 0 || self.n_actors == 0 {
            return Err(Error::Spec("a calculation needs at least one actor and one year".into()));
        }
        if self.discount.len() != t {
            return Err(Error::Spec(format!("{} discount factors for {t} years", self.discount.len())));
        }
        let mut most = usize::MAX;
        for (s, src) in self.sources.iter().enumerate() {
            if src.n_rows == 0 || src.values.len() != src.n_rows * t {
                return Err(Error::data(
                    "sources",
                    "",
                    Some(s),
                    format!("holds {} values, not {} rows x {t} years", src.values.len(), src.n_rows),
                ));
            }
            if let Some(i) = src.values.iter().position(|v| !v.is_finite()) {
                return Err(Error::data(
                    "sources",
                    "",
                    Some(s),
                    format!("replicate {}, year {} is {}", i / t, i % t, src.values[i]),
                ));
            }
            if src.n_rows > 1 {
                most = most.min(src.n_rows);
            }
        }
        for (k, c) in self.components.iter().enumerate() {
            if c.actor >= self.n_actors || c.coef.len() != t || c.source.is_some_and(|s| s >= self.sources.len()) {
                return Err(Error::data("components", "", Some(k), "refers to a missing actor, source or year"));
            }
            if let Some(i) = c.coef.iter().position(|v| !v.is_finite()) {
                return Err(Error::data("components", "", Some(k), format!("year {i} is {}", c.coef[i])));
            }
        }
        Ok(most)
    }
}
