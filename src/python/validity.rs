//! Bindings of [`crate::validity`]: Rosenbaum bounds and the E-value.

use super::conversion::{RosenbaumTest, Wrap};
use super::run;
use crate::validity::rosenbaum::{self, Bound as RBound, MStatistic, Method, Sets};
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn options(
    method: Option<Wrap<Method>>,
    inner: f64,
    trim: f64,
    lambda: f64,
    treated_on_total: bool,
) -> PyResult<MStatistic> {
    Ok(match method {
        None => MStatistic { inner, trim, lambda, treated_on_total, ..MStatistic::default() },
        Some(preset) => MStatistic::preset(preset.0),
    })
}

type BoundOut = (f64, f64, f64, f64, f64);

fn out(b: RBound) -> BoundOut {
    (b.p_value, b.deviate, b.statistic, b.expectation, b.variance)
}

/// rbounds::psens at one Gamma: ((p, deviate, T, E, V) upper, (...) lower).
#[pyfunction]
fn wilcoxon_pairs(
    py: Python<'_>,
    differences: PyReadonlyArray1<'_, f64>,
    gamma: f64,
) -> PyResult<(BoundOut, BoundOut)> {
    let d = differences.as_array().to_vec();
    let (up, low) = run(py, || rosenbaum::wilcoxon_pairs(&d, gamma))?;
    Ok((out(up), out(low)))
}

/// Rosenbaum's Hodges-Lehmann bounds for pairs at one Gamma: (low, high).
#[pyfunction]
fn hodges_lehmann_pairs(py: Python<'_>, differences: PyReadonlyArray1<'_, f64>, gamma: f64) -> PyResult<(f64, f64)> {
    let d = differences.as_array().to_vec();
    run(py, || rosenbaum::hodges_lehmann_pairs(&d, gamma))
}

/// sensitivitymv::senmv at one Gamma: (p, deviate, T, E, V).
#[pyfunction]
#[pyo3(signature = (values, gamma, method=None, inner=0.0, trim=2.5, lambda_=0.5, treated_on_total=false, tau=0.0))]
#[allow(clippy::too_many_arguments)]
fn senmv(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    gamma: f64,
    method: Option<Wrap<Method>>,
    inner: f64,
    trim: f64,
    lambda_: f64,
    treated_on_total: bool,
    tau: f64,
) -> PyResult<BoundOut> {
    let opts = options(method, inner, trim, lambda_, treated_on_total)?;
    let width = values.shape()[1];
    let flat: Vec<f64> = values.as_array().iter().copied().collect();
    let b = run(py, || rosenbaum::senmv(&Sets { values: &flat, width }, gamma, &opts, tau))?;
    Ok(out(b))
}

/// The Hodges-Lehmann bound of senmv's m-statistic at one Gamma (the shift with deviate 0).
#[pyfunction]
#[pyo3(signature = (values, gamma, method=None, inner=0.0, trim=2.5, lambda_=0.5, treated_on_total=false))]
fn hodges_lehmann_sets(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    gamma: f64,
    method: Option<Wrap<Method>>,
    inner: f64,
    trim: f64,
    lambda_: f64,
    treated_on_total: bool,
) -> PyResult<f64> {
    let opts = options(method, inner, trim, lambda_, treated_on_total)?;
    let width = values.shape()[1];
    let flat: Vec<f64> = values.as_array().iter().copied().collect();
    run(py, || rosenbaum::hodges_lehmann_sets(&Sets { values: &flat, width }, gamma, &opts))
}

/// The smallest Gamma at which the upper p-value bound reaches alpha (None: beyond max_gamma).
/// `statistic` is "wilcoxon" (pairs: the first column minus the second) or "m" (senmv).
#[pyfunction]
#[pyo3(signature = (values, alpha, statistic, method=None, inner=0.0, trim=2.5, lambda_=0.5, treated_on_total=false, max_gamma=1000.0))]
#[allow(clippy::too_many_arguments)]
fn sensitivity_gamma(
    py: Python<'_>,
    values: PyReadonlyArray2<'_, f64>,
    alpha: f64,
    statistic: Wrap<RosenbaumTest>,
    method: Option<Wrap<Method>>,
    inner: f64,
    trim: f64,
    lambda_: f64,
    treated_on_total: bool,
    max_gamma: f64,
) -> PyResult<Option<f64>> {
    let opts = options(method, inner, trim, lambda_, treated_on_total)?;
    let width = values.shape()[1];
    let flat: Vec<f64> = values.as_array().iter().copied().collect();
    match statistic.0 {
        RosenbaumTest::Wilcoxon => {
            if width != 2 {
                return Err(PyValueError::new_err("the signed-rank test needs pairs (two columns)"));
            }
            let d: Vec<f64> = flat.chunks(2).map(|r| r[0] - r[1]).collect();
            run(py, || {
                rosenbaum::sensitivity_gamma(
                    |g| rosenbaum::wilcoxon_pairs(&d, g).map(|b| b.0.p_value),
                    alpha,
                    max_gamma,
                )
            })
        }
        RosenbaumTest::M => run(py, || {
            // The scores do not depend on Gamma: computed once.
            let scores = rosenbaum::senmv_scores(&Sets { values: &flat, width }, &opts, 0.0)?;
            rosenbaum::sensitivity_gamma(|g| scores.bound(g).map(|b| b.p_value), alpha, max_gamma)
        }),
    }
}

/// The E-value of a ratio (VanderWeele and Ding 2017).
#[pyfunction]
fn e_value(py: Python<'_>, ratio: f64) -> PyResult<f64> {
    run(py, || rosenbaum::e_value(ratio))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(wilcoxon_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(hodges_lehmann_pairs, m)?)?;
    m.add_function(wrap_pyfunction!(senmv, m)?)?;
    m.add_function(wrap_pyfunction!(hodges_lehmann_sets, m)?)?;
    m.add_function(wrap_pyfunction!(sensitivity_gamma, m)?)?;
    m.add_function(wrap_pyfunction!(e_value, m)?)?;
    Ok(())
}
