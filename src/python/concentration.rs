//! Bindings of [`crate::concentration`]: point estimates of the measures.

use super::bootstrap::measure;
use super::run;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

/// The measures `(name, p)` of `values` with optional `weights` (see `utfall.concentration`).
#[pyfunction]
#[pyo3(signature = (values, measures, weights=None))]
fn concentration_measures(
    py: Python<'_>,
    values: PyReadonlyArray1<f64>,
    measures: Vec<(String, f64)>,
    weights: Option<PyReadonlyArray1<f64>>,
) -> PyResult<Vec<f64>> {
    let measures = measures.iter().map(|(n, v)| measure(py, n, *v)).collect::<PyResult<Vec<_>>>()?;
    let values = values.as_array();
    let weights = weights.as_ref().map(|w| w.as_array());
    let v: Vec<f64>;
    let values = match values.as_slice() {
        Some(s) => s,
        None => {
            v = values.to_vec();
            &v
        }
    };
    let w_owned: Option<Vec<f64>> = weights.map(|w| w.to_vec());
    run(py, || crate::concentration::measures(values, w_owned.as_deref(), &measures))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(concentration_measures, m)?)?;
    Ok(())
}
