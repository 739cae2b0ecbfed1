//! One vocabulary: every option string that crosses the boundary becomes a Rust
//! enum here, and nowhere else (as polars' `Wrap<T>`).
//!
//! A binding takes `Wrap<T>` (or `Option<Wrap<T>>`) as an argument and reads
//! `.0`; the allowed values of each vocabulary are listed once, in its
//! [`Vocabulary::VALUES`], which the error message prints and `_core.VOCABULARIES`
//! exports, so that a test checks them against the `Literal`s of
//! `python/utfall/_typing.py`. A new value is one line here (and one there).

use super::to_py;
use crate::bootstrap::intervals::{Method, QuantileRule};
use crate::bootstrap::statistics::Linear;
use crate::concentration::Measure;
use crate::contract::Op;
use crate::error::Error;
use crate::glm::Family;
use crate::matching::covariates::CovariateDistance;
use crate::matching::subclass::Estimand;
use crate::matching::{Order, Unmatched};
use crate::socioeconomic::Timing;
use crate::validity::rosenbaum::Method as SenmvMethod;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};

/// An option value converted from its Python string.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Wrap<T>(pub T);

/// An enum whose values arrive from Python as strings.
pub(crate) trait Vocabulary: Sized + Copy + PartialEq + 'static {
    /// The name of its `Literal` alias in `utfall._typing`.
    const ALIAS: &'static str;
    /// What the option is called in an error message.
    const WHAT: &'static str;
    /// Every allowed string with its value, in the order of the `Literal`.
    const VALUES: &'static [(&'static str, Self)];

    /// The value named `text`, or a message listing the allowed values.
    fn parse(text: &str) -> Result<Self, String> {
        Self::VALUES
            .iter()
            .find(|(name, _)| *name == text)
            .map(|&(_, value)| value)
            .ok_or_else(|| format!("{} must be one of {}, not '{text}'", Self::WHAT, Self::listed()))
    }

    /// The allowed values, quoted and separated by commas.
    fn listed() -> String {
        Self::VALUES.iter().map(|(name, _)| format!("'{name}'")).collect::<Vec<_>>().join(", ")
    }

    /// The string of a value (the inverse of [`Vocabulary::parse`]).
    fn name(self) -> &'static str {
        Self::VALUES.iter().find(|(_, value)| *value == self).map_or("?", |&(name, _)| name)
    }
}

impl<'py, T: Vocabulary> FromPyObject<'py> for Wrap<T> {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        let py = ob.py();
        let text = match ob.downcast::<PyString>() {
            Ok(s) => s.to_cow()?.into_owned(),
            Err(_) => {
                let shown = ob.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into());
                let message = format!("{} must be one of {}, not {shown}", T::WHAT, T::listed());
                return Err(to_py(py, Error::Spec(message)));
            }
        };
        T::parse(&text).map(Wrap).map_err(|message| to_py(py, Error::Spec(message)))
    }
}

impl Vocabulary for Method {
    const ALIAS: &'static str = "IntervalMethod";
    const WHAT: &'static str = "interval method";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("percentile", Method::Percentile),
        ("basic", Method::Basic),
        ("normal", Method::Normal),
        ("bca", Method::Bca),
        ("studentized", Method::Studentized),
    ];
}

impl Vocabulary for QuantileRule {
    const ALIAS: &'static str = "QuantileRule";
    const WHAT: &'static str = "quantile_rule ('r': R boot's norm.inter, the default; 'linear': numpy's, as scipy)";
    const VALUES: &'static [(&'static str, Self)] = &[("r", QuantileRule::R), ("linear", QuantileRule::Linear)];
}

impl Vocabulary for Order {
    const ALIAS: &'static str = "MatchOrder";
    const WHAT: &'static str = "order";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("largest", Order::Largest),
        ("smallest", Order::Smallest),
        ("closest", Order::Closest),
        ("data", Order::Data),
        ("random", Order::Random),
    ];
}

impl Vocabulary for CovariateDistance {
    const ALIAS: &'static str = "CovariateDistance";
    const WHAT: &'static str = "covariate distance";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("mahalanobis", CovariateDistance::Mahalanobis),
        ("euclidean", CovariateDistance::Euclidean),
        ("scaled_euclidean", CovariateDistance::ScaledEuclidean),
    ];
}

impl Vocabulary for Estimand {
    const ALIAS: &'static str = "Estimand";
    const WHAT: &'static str = "estimand";
    const VALUES: &'static [(&'static str, Self)] =
        &[("ATT", Estimand::Att), ("ATC", Estimand::Atc), ("ATE", Estimand::Ate)];
}

/// A GLM family by name; the Tweedie power is a separate argument ([`FamilyName::with_power`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FamilyName {
    Binomial,
    Gamma,
    Tweedie,
    Gaussian,
}

impl FamilyName {
    /// The family, with the variance power `var_power` for Tweedie (ignored otherwise).
    pub(crate) fn with_power(self, var_power: f64) -> Family {
        match self {
            FamilyName::Binomial => Family::Binomial,
            FamilyName::Gamma => Family::Gamma,
            FamilyName::Tweedie => Family::Tweedie { var_power },
            FamilyName::Gaussian => Family::Gaussian,
        }
    }
}

impl Vocabulary for FamilyName {
    const ALIAS: &'static str = "GlmFamily";
    const WHAT: &'static str = "family";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("binomial", FamilyName::Binomial),
        ("gamma", FamilyName::Gamma),
        ("tweedie", FamilyName::Tweedie),
        ("gaussian", FamilyName::Gaussian),
    ];
}

impl Vocabulary for Op {
    const ALIAS: &'static str = "ConditionOp";
    const WHAT: &'static str = "comparison";
    const VALUES: &'static [(&'static str, Self)] = &[
        (">", Op::Greater),
        (">=", Op::GreaterEqual),
        ("<", Op::Less),
        ("<=", Op::LessEqual),
        ("==", Op::Equal),
        ("!=", Op::NotEqual),
    ];
}

impl Vocabulary for Timing {
    const ALIAS: &'static str = "DiscountTiming";
    const WHAT: &'static str = "timing";
    const VALUES: &'static [(&'static str, Self)] = &[("start", Timing::Start), ("end", Timing::End)];
}

impl Vocabulary for SenmvMethod {
    const ALIAS: &'static str = "SenmvMethod";
    const WHAT: &'static str = "method (senmv's; or None)";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("h", SenmvMethod::Huber),
        ("i", SenmvMethod::Inner),
        ("w", SenmvMethod::Weighted),
        ("t", SenmvMethod::Mean),
        ("q", SenmvMethod::Q),
        ("s", SenmvMethod::S),
        ("l", SenmvMethod::L),
    ];
}

/// The test statistic of a sensitivity analysis, once Python has resolved `"auto"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RosenbaumTest {
    /// Wilcoxon's signed-rank test (pairs).
    Wilcoxon,
    /// Huber's M-statistic (senmv).
    M,
}

impl Vocabulary for RosenbaumTest {
    const ALIAS: &'static str = "RosenbaumTest";
    const WHAT: &'static str = "statistic";
    const VALUES: &'static [(&'static str, Self)] = &[("wilcoxon", RosenbaumTest::Wilcoxon), ("m", RosenbaumTest::M)];
}

impl Vocabulary for Linear {
    const ALIAS: &'static str = "LinearStatistic";
    const WHAT: &'static str = "linear statistic";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("mean", Linear::Mean),
        ("sum", Linear::Sum),
        ("difference of means", Linear::DifferenceOfMeans),
        ("difference of sums", Linear::DifferenceOfSums),
        ("ratio of sums", Linear::RatioOfSums),
        ("ratio of means", Linear::RatioOfMeans),
    ];
}

/// A measure of sorted values by name; its p, q or f is a separate number ([`MeasureName::with`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MeasureName {
    TopShare,
    TopShareInteger,
    Lorenz,
    Quantile,
    Gini,
    GiniCorrected,
    Hoover,
    TheilT,
    MeanLogDeviation,
    Herfindahl,
    Mean,
}

impl MeasureName {
    /// The measure with its fraction `value` (a top share's p, a quantile's q, a Lorenz
    /// ordinate's population share; checked to lie in [0, 1]); ignored by the others.
    pub(crate) fn with(self, value: f64) -> Result<Measure, String> {
        let fraction = |what: &str| {
            if (0.0..=1.0).contains(&value) {
                Ok(value)
            } else {
                Err(format!("{what} must be between 0 and 1, got {value}"))
            }
        };
        Ok(match self {
            MeasureName::TopShare => Measure::TopShare(fraction("a top share p")?),
            MeasureName::TopShareInteger => Measure::TopShareInteger(fraction("a top share p")?),
            MeasureName::Lorenz => Measure::Lorenz(fraction("a Lorenz population share")?),
            MeasureName::Quantile => Measure::Quantile(fraction("a quantile q")?),
            MeasureName::Gini => Measure::Gini,
            MeasureName::GiniCorrected => Measure::GiniCorrected,
            MeasureName::Hoover => Measure::Hoover,
            MeasureName::TheilT => Measure::TheilT,
            MeasureName::MeanLogDeviation => Measure::MeanLogDeviation,
            MeasureName::Herfindahl => Measure::Herfindahl,
            MeasureName::Mean => Measure::Mean,
        })
    }
}

impl Vocabulary for MeasureName {
    const ALIAS: &'static str = "Measure";
    const WHAT: &'static str = "measure";
    const VALUES: &'static [(&'static str, Self)] = &[
        ("top share", MeasureName::TopShare),
        ("top share integer", MeasureName::TopShareInteger),
        ("lorenz", MeasureName::Lorenz),
        ("quantile", MeasureName::Quantile),
        ("gini", MeasureName::Gini),
        ("gini corrected", MeasureName::GiniCorrected),
        ("hoover", MeasureName::Hoover),
        ("theil", MeasureName::TheilT),
        ("mean log deviation", MeasureName::MeanLogDeviation),
        ("herfindahl", MeasureName::Herfindahl),
        ("mean", MeasureName::Mean),
    ];
}

/// Why a treated unit got no control, by the code `nearest_match` returns (-1: matched).
const UNMATCHED: [Unmatched; 4] =
    [Unmatched::NoControlInStratum, Unmatched::NoControlWithinCaliper, Unmatched::NoControlLeft, Unmatched::Discarded];

/// The reason code of an unmatched treated unit (its position in `_core.UNMATCHED_REASONS`), -1 if matched.
pub(crate) fn unmatched_code(reason: Option<Unmatched>) -> i8 {
    reason.and_then(|r| UNMATCHED.iter().position(|&u| u == r)).map_or(-1, |i| i as i8)
}

fn add<T: Vocabulary>(py: Python<'_>, out: &Bound<'_, PyDict>) -> PyResult<()> {
    let names = PyTuple::new(py, T::VALUES.iter().map(|(name, _)| *name))?;
    out.set_item(T::ALIAS, names)
}

/// `_core.VOCABULARIES`: the allowed strings of every vocabulary, by the name of its
/// `Literal` alias in `utfall._typing` (a test checks that the two agree), and
/// `_core.UNMATCHED_REASONS`, the descriptions of the unmatched reason codes.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let out = PyDict::new(py);
    add::<Method>(py, &out)?;
    add::<QuantileRule>(py, &out)?;
    add::<Order>(py, &out)?;
    add::<CovariateDistance>(py, &out)?;
    add::<Estimand>(py, &out)?;
    add::<FamilyName>(py, &out)?;
    add::<Op>(py, &out)?;
    add::<Timing>(py, &out)?;
    add::<SenmvMethod>(py, &out)?;
    add::<RosenbaumTest>(py, &out)?;
    add::<Linear>(py, &out)?;
    add::<MeasureName>(py, &out)?;
    m.add("VOCABULARIES", out)?;
    m.add("UNMATCHED_REASONS", PyTuple::new(py, UNMATCHED.iter().map(Unmatched::describe))?)
}
