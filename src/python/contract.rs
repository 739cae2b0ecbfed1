//! Bindings of [`crate::contract`]: the payment mechanism over arrays, the joint
//! replicate sums and the tests of change scores. Condition operators arrive as
//! strings and become [`Op`] here, once.

use super::conversion::Wrap;
use super::{run, to_py};
use crate::contract::replicates::joint_sums;
use crate::contract::signtests::{binomial_two_sided, signed_rank};
use crate::contract::{Condition, Mechanism, Op, Tranche};
use crate::error::Error;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;

/// `(metric, rate, lower, upper, fixed, cap, [(metric, op, value), ...])`.
type TrancheSpec = (Option<usize>, f64, f64, f64, f64, f64, Vec<(usize, Wrap<Op>, f64)>);
/// Amounts `tranches x n`, conditions met `tranches x n`, top-up `n`, total `n`.
type Settled<'py> =
    (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<bool>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

fn contiguous(columns: &[PyReadonlyArray1<'_, f64>]) -> Vec<Vec<f64>> {
    columns.iter().map(|c| c.as_array().to_vec()).collect()
}

fn matrix<T: numpy::Element>(py: Python<'_>, rows: Vec<Vec<T>>, n: usize) -> PyResult<Bound<'_, PyArray2<T>>> {
    let k = rows.len();
    let flat: Vec<T> = rows.into_iter().flatten().collect();
    let array = ndarray::Array2::from_shape_vec((k, n), flat)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok(array.into_pyarray(py))
}

/// Settles the mechanism on metric columns of equal length.
#[pyfunction]
fn settle_mechanism<'py>(
    py: Python<'py>,
    tranches: Vec<TrancheSpec>,
    total_cap: f64,
    floor: f64,
    metrics: Vec<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Settled<'py>> {
    let mut parsed = Vec::with_capacity(tranches.len());
    for (metric, rate, lower, upper, fixed, cap, conditions) in tranches {
        let conditions = conditions
            .iter()
            .map(|(m, o, v)| Ok(Condition { metric: *m, op: o.0, value: *v }))
            .collect::<PyResult<Vec<_>>>()?;
        parsed.push(Tranche { metric, rate, lower, upper, fixed, cap, conditions });
    }
    let mechanism = Mechanism { tranches: parsed, total_cap, floor };
    let columns = contiguous(&metrics);
    let n = columns.first().map_or(0, |c| c.len());
    let settled = run(py, move || {
        let views: Vec<&[f64]> = columns.iter().map(|c| c.as_slice()).collect();
        mechanism.settle(&views)
    })?;
    Ok((
        matrix(py, settled.amounts, n)?,
        matrix(py, settled.met, n)?,
        settled.top_up.into_pyarray(py),
        settled.total.into_pyarray(py),
    ))
}

/// Sums of each column over the resampled rows of replicates `start..start + count` (`count x k`).
#[pyfunction]
fn replicate_sums<'py>(
    py: Python<'py>,
    seed: u64,
    start: u64,
    count: usize,
    columns: Vec<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let columns = contiguous(&columns);
    let k = columns.len();
    let flat = run(py, move || {
        let views: Vec<&[f64]> = columns.iter().map(|c| c.as_slice()).collect();
        joint_sums(seed, start, count, &views)
    })?;
    let array = ndarray::Array2::from_shape_vec((count, k), flat)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok(array.into_pyarray(py))
}

/// The two-sided exact binomial p-value (R's `binom.test(x, n, p)`).
#[pyfunction]
#[pyo3(signature = (x, n, p=0.5))]
fn binomial_test(x: u64, n: u64, p: f64) -> f64 {
    binomial_two_sided(x, n, p)
}

/// The Wilcoxon signed-rank test of the changes against 0 (R's `wilcox.test(x)`): `(V, p, exact, n)`.
#[pyfunction]
fn signed_rank_test(py: Python<'_>, changes: PyReadonlyArray1<'_, f64>) -> PyResult<(f64, f64, bool, usize)> {
    let x = changes.as_array().to_vec();
    if let Some(row) = x.iter().position(|v| !v.is_finite()) {
        return Err(to_py(
            py,
            Error::data("changes", "", Some(row), format!("is {}; the test needs finite values", x[row])),
        ));
    }
    let w = signed_rank(&x);
    Ok((w.statistic, w.p_value, w.exact, w.n))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(settle_mechanism, m)?)?;
    m.add_function(wrap_pyfunction!(replicate_sums, m)?)?;
    m.add_function(wrap_pyfunction!(binomial_test, m)?)?;
    m.add_function(wrap_pyfunction!(signed_rank_test, m)?)?;
    Ok(())
}
