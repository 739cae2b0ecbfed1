//! Bindings of [`crate::socioeconomic`]: discount factors, the Monte Carlo engine
//! and quantile bands. The timing string becomes [`Timing`] here, once.

use super::conversion::Wrap;
use super::run;
use crate::socioeconomic::{
    discount_factors as factors, quantile_bands as bands, simulate, Component, Model, Source, Timing,
};
use crate::threads::install as in_pool;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `(actor, benefit, transfer, source, coef)`.
type ComponentSpec<'py> = (usize, bool, bool, Option<usize>, PyReadonlyArray1<'py, f64>);

/// Discount factors of the years whose rates are `rates`, flows at the `timing` of each year.
#[pyfunction]
fn discount_factors<'py>(
    py: Python<'py>,
    rates: Vec<f64>,
    timing: Wrap<Timing>,
) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
    let t = timing.0;
    Ok(run(py, || factors(&rates, t))?.into_pyarray(py))
}

fn reshape<'py, T: numpy::Element>(
    py: Python<'py>,
    v: Vec<T>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let a = ndarray::Array2::from_shape_vec((rows, cols), v)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

/// Runs the calculation's replicates; a dict of `n_replicates x entities` arrays
/// (and `cumulative`, `flows`: `n_replicates x (entities * years)`, when kept).
#[pyfunction]
#[pyo3(signature = (discount, n_actors, sources, components, n_replicates, keep_cumulative=false, keep_flows=false,
                    n_threads=None))]
fn socioeconomic_simulate<'py>(
    py: Python<'py>,
    discount: Vec<f64>,
    n_actors: usize,
    sources: Vec<PyReadonlyArray2<'py, f64>>,
    components: Vec<ComponentSpec<'py>>,
    n_replicates: usize,
    keep_cumulative: bool,
    keep_flows: bool,
    n_threads: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let n_years = discount.len();
    let sources = sources
        .iter()
        .map(|s| {
            let a = s.as_array();
            let values = a.as_slice().map_or_else(|| a.iter().copied().collect(), <[f64]>::to_vec);
            Source { n_rows: a.nrows(), values }
        })
        .collect();
    let components = components
        .into_iter()
        .map(|(actor, benefit, transfer, source, coef)| Component {
            actor,
            benefit,
            transfer,
            source,
            coef: coef.as_array().to_vec(),
        })
        .collect();
    let model = Model { n_actors, n_years, discount, sources, components };
    let o = run(py, move || in_pool(n_threads, || simulate(&model, n_replicates, keep_cumulative, keep_flows))?)?;
    let (b, e) = (o.n_replicates, o.n_entities);
    let d = PyDict::new(py);
    d.set_item("npv", reshape(py, o.npv, b, e)?)?;
    d.set_item("nominal", reshape(py, o.nominal, b, e)?)?;
    d.set_item("pv_benefits", reshape(py, o.pv_benefits, b, e)?)?;
    d.set_item("pv_costs", reshape(py, o.pv_costs, b, e)?)?;
    d.set_item("break_even", reshape(py, o.break_even, b, e)?)?;
    d.set_item("break_even_nominal", reshape(py, o.break_even_nominal, b, e)?)?;
    d.set_item("payback", reshape(py, o.payback, b, e)?)?;
    d.set_item("hump_depth", reshape(py, o.hump_depth, b, e)?)?;
    d.set_item("hump_year", reshape(py, o.hump_year, b, e)?)?;
    if keep_cumulative {
        d.set_item("cumulative", reshape(py, o.cumulative, b, e * n_years)?)?;
    }
    if keep_flows {
        d.set_item("flows", reshape(py, o.flows, b, e * n_years)?)?;
    }
    Ok(d)
}

/// numpy-linear quantiles of every column of `values` (`rows x columns`): `columns x len(probs)`.
#[pyfunction]
#[pyo3(signature = (values, probs, n_threads=None))]
fn quantile_bands<'py>(
    py: Python<'py>,
    values: PyReadonlyArray2<'py, f64>,
    probs: Vec<f64>,
    n_threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let a = values.as_array();
    let (rows, cols) = (a.nrows(), a.ncols());
    let flat: Vec<f64> = a.iter().copied().collect();
    let q = probs.len();
    let out = run(py, move || in_pool(n_threads, || bands(&flat, rows, cols, &probs))?)?;
    reshape(py, out, cols, q)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(discount_factors, m)?)?;
    m.add_function(wrap_pyfunction!(socioeconomic_simulate, m)?)?;
    m.add_function(wrap_pyfunction!(quantile_bands, m)?)?;
    Ok(())
}
