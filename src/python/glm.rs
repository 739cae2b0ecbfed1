//! Bindings of [`crate::glm`]: GLM fits and predictions.

use super::conversion::{FamilyName, Wrap};
use super::run;
use crate::glm::{fit_glm as fit_core, predict as predict_core, Control, Design};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn vectors(columns: &[PyReadonlyArray1<'_, f64>]) -> Vec<Vec<f64>> {
    columns.iter().map(|c| c.as_array().to_vec()).collect()
}

type FitOut<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, f64, usize);

/// A GLM by IRLS as R's glm on the design's columns (intercept included):
/// (coefficients, fitted, deviance, iterations).
#[pyfunction]
#[pyo3(signature = (columns, y, names, family_name, var_power=1.5, weights=None, offset=None, epsilon=1e-8, max_iterations=25))]
#[allow(clippy::too_many_arguments)]
fn fit_glm<'py>(
    py: Python<'py>,
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    y: PyReadonlyArray1<'py, f64>,
    names: Vec<String>,
    family_name: Wrap<FamilyName>,
    var_power: f64,
    weights: Option<PyReadonlyArray1<'py, f64>>,
    offset: Option<PyReadonlyArray1<'py, f64>>,
    epsilon: f64,
    max_iterations: usize,
) -> PyResult<FitOut<'py>> {
    let family = family_name.0.with_power(var_power);
    let cols = vectors(&columns);
    let y = y.as_array().to_vec();
    let weights = weights.map(|w| w.as_array().to_vec());
    let offset = offset.map(|o| o.as_array().to_vec());
    let control = Control { epsilon, max_iterations };
    let fit = run(py, || {
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let design = Design { columns: &refs, names: &names };
        fit_core(&design, &y, weights.as_deref(), offset.as_deref(), family, control)
    })?;
    Ok((fit.coefficients.into_pyarray(py), fit.fitted.into_pyarray(py), fit.deviance, fit.iterations))
}

/// The fitted means `g^-1(X b + offset)` of a GLM at new rows.
#[pyfunction]
#[pyo3(signature = (columns, coefficients, family_name, var_power=1.5, offset=None))]
fn predict_glm<'py>(
    py: Python<'py>,
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    coefficients: Vec<f64>,
    family_name: Wrap<FamilyName>,
    var_power: f64,
    offset: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let family = family_name.0.with_power(var_power);
    if coefficients.len() != columns.len() {
        return Err(PyValueError::new_err("one coefficient per column is needed"));
    }
    let cols = vectors(&columns);
    let offset = offset.map(|o| o.as_array().to_vec());
    let names: Vec<String> = (0..cols.len()).map(|j| format!("x{j}")).collect();
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let design = Design { columns: &refs, names: &names };
    Ok(predict_core(&design, &coefficients, offset.as_deref(), family).into_pyarray(py))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fit_glm, m)?)?;
    m.add_function(wrap_pyfunction!(predict_glm, m)?)?;
    Ok(())
}
