//! Matching a comparison group to the treated (participants), as R's MatchIt 4.7 does.
//!
//! - [`logit`]: the propensity score, a logistic regression fitted by IRLS as `glm`;
//! - [`covariates`]: Mahalanobis (pooled within-group covariance) and Euclidean distances,
//!   by whitening the covariates so that a distance is a Euclidean norm;
//! - [`nearest`]: greedy nearest-neighbour matching (k:1, with or without replacement,
//!   caliper, exact strata, matching order, one person used at most once), replaying
//!   MatchIt's walk so that pairs and ties agree exactly;
//! - [`exact`]: exact and coarsened exact matching (strata, Sturges bins, subclass weights).
//! - [`optimal`]: optimal pair and k:1 matching and [`full`] full matching, minimum-cost
//!   flows over the candidate pairs of [`arcs`] with optmatch's integer costs, solved as
//!   sparse assignments ([`assign`]) or, for full matching with limits, as a network
//!   ([`flow`]);
//! - [`subclass`]: subclassification on the score and the weights from subclasses;
//! - [`ids`]: duplicate text ids, read in place from Arrow's string buffers;
//! - [`design`]: the checks of a design's columns (their range in one pass);
//!
//! Weights follow MatchIt's rules for the ATT (see [`att_weights`]).

pub mod arcs;
mod assign;
pub mod covariates;
pub mod design;
pub mod exact;
mod exp;
mod flow;
pub mod full;
pub mod ids;
mod kdtree;
pub mod logit;
pub mod logit_weighted;
pub mod nearest;
pub mod optimal;
mod select;
mod skip;
pub mod sort;
pub mod subclass;

/// How the distance between a treated unit and a control is measured.
#[derive(Debug, Clone)]
pub enum Metric<'a> {
    /// A one-dimensional score (a propensity score or the caller's own): `|s_t - s_c|`.
    Score(&'a [f64]),
    /// Whitened covariates (row-major, `dims` per unit): the Euclidean distance between
    /// rows; `sort_key` is the coordinate MatchIt sorts units by to walk outwards.
    Covariates { coords: &'a [f64], dims: usize, sort_key: &'a [f64] },
}

/// The order in which treated units choose their controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Highest score first (MatchIt's default for the ATT with a score).
    Largest,
    /// Lowest score first.
    Smallest,
    /// The order of the rows (MatchIt's default for covariate distances).
    Data,
    /// A random permutation drawn from the seed.
    Random,
    /// The closest pair first (MatchIt's `m.order = "closest"`), re-matching a treated
    /// unit whose control was taken.
    Closest,
}

impl Order {
    pub fn name(&self) -> &'static str {
        match self {
            Order::Largest => "largest",
            Order::Smallest => "smallest",
            Order::Data => "data",
            Order::Random => "random",
            Order::Closest => "closest",
        }
    }
}

/// Why a treated unit got no control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// Its exact stratum holds no control at all.
    NoControlInStratum,
    /// Controls were available, but none within the caliper.
    NoControlWithinCaliper,
    /// Every control of its stratum was already used (matching without replacement).
    NoControlLeft,
    /// Outside the common support of the score (MatchIt's `discard`).
    Discarded,
}

impl Unmatched {
    pub fn describe(&self) -> &'static str {
        match self {
            Unmatched::NoControlInStratum => "no control in the exact stratum",
            Unmatched::NoControlWithinCaliper => "no control within the caliper",
            Unmatched::NoControlLeft => "no control left (all used by earlier treated units)",
            Unmatched::Discarded => "outside the common support (discard)",
        }
    }
}

/// A finished matching.
#[derive(Debug, Clone)]
pub struct Matching {
    /// The treated units (row positions), in data order.
    pub treated: Vec<usize>,
    /// Per treated unit: its controls (row position, distance), slot by slot.
    pub rows: Vec<Vec<(usize, f64)>>,
    /// Per treated unit: why it is unmatched, if it is.
    pub unmatched: Vec<Option<Unmatched>>,
    /// One weight per row (MatchIt's ATT weights).
    pub weights: Vec<f64>,
    /// The matching order actually used.
    pub order_used: Order,
}

/// MatchIt's matching weights for the ATT.
///
/// # Formula
///
/// A matched treated unit weighs 1. A control weighs `sum over the treated t it serves of
/// 1 / k_t`, where `k_t` is the number of controls of `t`; then the control weights are
/// rescaled to sum to the number of controls with a positive weight (MatchIt's
/// `.make_sum_to_n`). Without replacement every control serves one treated unit and the
/// weight is `1 / k_t` before rescaling, which is also what MatchIt's subclass weights give.
pub fn att_weights(treat: &[bool], treated: &[usize], rows: &[Vec<(usize, f64)>]) -> Vec<f64> {
    let mut w = vec![0.0; treat.len()];
    // The controls with a weight, found as they are met, not by a pass over every unit.
    let mut served = Vec::new();
    for (&t, row) in treated.iter().zip(rows) {
        if row.is_empty() {
            continue;
        }
        w[t] = 1.0;
        let k = row.len() as f64;
        for &(c, _) in row {
            if w[c] == 0.0 && !treat[c] {
                served.push(c);
            }
            w[c] += 1.0 / k;
        }
    }
    // In unit order, as a pass over the units would add them (the same bits).
    served.sort_unstable();
    let total: f64 = served.iter().map(|&c| w[c]).sum();
    if !served.is_empty() {
        let scale = served.len() as f64 / total;
        for &c in &served {
            w[c] *= scale;
        }
    }
    w
}

#[cfg(test)]
mod tests;
