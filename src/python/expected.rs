//! Bindings of [`crate::expected`]: expected outcomes and monthly curves from comparison sets.

use super::cohort::CohortCore;
use super::{horizon, run};
use crate::expected::{self, Request, Sets};
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn positions(name: &str, values: &PyReadonlyArray1<i64>) -> PyResult<Vec<usize>> {
    values
        .as_array()
        .iter()
        .map(|&v| usize::try_from(v).map_err(|_| PyValueError::new_err(format!("{name}: {v} is not a position"))))
        .collect()
}

fn matrix<'py, T: numpy::Element>(
    py: Python<'py>,
    values: Vec<T>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    ndarray::Array2::from_shape_vec((rows, cols), values)
        .map(|a| a.into_pyarray(py))
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Expected outcome per request (rows) and column, the last column the total;
/// request `r` uses set `request_set[r]` over the whole horizon when `complete[r]`,
/// else over `observed_days[r]` days from each member's index date.
#[pyfunction]
#[pyo3(signature = (cohort, horizon_text, offsets, members, weights, request_set, complete, observed_days, columns))]
#[allow(clippy::too_many_arguments)]
fn set_means<'py>(
    py: Python<'py>,
    cohort: PyRef<'py, CohortCore>,
    horizon_text: &str,
    offsets: PyReadonlyArray1<i64>,
    members: PyReadonlyArray1<i64>,
    weights: Option<PyReadonlyArray1<f64>>,
    request_set: PyReadonlyArray1<i64>,
    complete: PyReadonlyArray1<bool>,
    observed_days: PyReadonlyArray1<i32>,
    columns: PyReadonlyArray1<i64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let h = horizon(py, horizon_text)?;
    let (offsets, members, columns) =
        (positions("offsets", &offsets)?, positions("members", &members)?, positions("columns", &columns)?);
    let weights = weights.map(|w| w.as_array().to_vec());
    let sets_of = positions("request_set", &request_set)?;
    let (complete, days) = (complete.as_array(), observed_days.as_array());
    if complete.len() != sets_of.len() || days.len() != sets_of.len() {
        return Err(PyValueError::new_err("request_set, complete and observed_days must have the same length"));
    }
    let requests: Vec<Request> = (0..sets_of.len())
        .map(|r| Request { set: sets_of[r], observed_days: if complete[r] { None } else { Some(days[r]) } })
        .collect();
    let inner = &cohort.inner;
    let out = run(py, || {
        let sets = Sets { offsets: &offsets, members: &members, weights: weights.as_deref() };
        expected::set_means(inner, h, sets, &requests, &columns)
    })?;
    matrix(py, out, requests.len(), columns.len() + 1)
}

/// Cumulative outcome over months `1..=months` since the index date of each position.
#[pyfunction]
fn cumulative_months<'py>(
    py: Python<'py>,
    cohort: PyRef<'py, CohortCore>,
    who: PyReadonlyArray1<i64>,
    months: usize,
    columns: PyReadonlyArray1<i64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (who, columns) = (positions("who", &who)?, positions("columns", &columns)?);
    let inner = &cohort.inner;
    let out = run(py, || expected::cumulative_months(inner, &who, months, &columns))?;
    matrix(py, out, who.len(), months)
}

/// The weighted mean cumulative monthly curve of each requested set.
#[pyfunction]
#[pyo3(signature = (cohort, offsets, members, weights, requested, months, columns))]
#[allow(clippy::too_many_arguments)]
fn set_mean_curves<'py>(
    py: Python<'py>,
    cohort: PyRef<'py, CohortCore>,
    offsets: PyReadonlyArray1<i64>,
    members: PyReadonlyArray1<i64>,
    weights: Option<PyReadonlyArray1<f64>>,
    requested: PyReadonlyArray1<i64>,
    months: usize,
    columns: PyReadonlyArray1<i64>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (offsets, members, columns) =
        (positions("offsets", &offsets)?, positions("members", &members)?, positions("columns", &columns)?);
    let requested = positions("requested", &requested)?;
    let weights = weights.map(|w| w.as_array().to_vec());
    let inner = &cohort.inner;
    let out = run(py, || {
        let sets = Sets { offsets: &offsets, members: &members, weights: weights.as_deref() };
        expected::set_mean_curves(inner, sets, &requested, months, &columns)
    })?;
    matrix(py, out, requested.len(), months)
}

/// Month boundaries `start + m months`, `m = 0..=months`, per start.
#[pyfunction]
fn month_ends<'py>(
    py: Python<'py>,
    starts: PyReadonlyArray1<i32>,
    months: usize,
) -> PyResult<Bound<'py, PyArray2<i32>>> {
    let starts = starts.as_array().to_vec();
    let out = run(py, || expected::month_ends(&starts, months))?;
    matrix(py, out, starts.len(), months + 1)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(set_means, m)?)?;
    m.add_function(wrap_pyfunction!(cumulative_months, m)?)?;
    m.add_function(wrap_pyfunction!(set_mean_curves, m)?)?;
    m.add_function(wrap_pyfunction!(month_ends, m)?)
}
