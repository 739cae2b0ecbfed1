//! Bindings of [`crate::synthetic`]: the register's columns as numpy arrays.

use super::run;
use crate::synthetic::{CARE_TYPES, CATEGORIES};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Generates the synthetic register; returns a dict of numpy columns and scalars.
#[pyfunction]
#[pyo3(signature = (n_participants, n_historical, seed))]
fn synthetic_register<'py>(
    py: Python<'py>,
    n_participants: usize,
    n_historical: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let r = run(py, || Ok(crate::synthetic::register(n_participants, n_historical, seed)))?;
    let out = PyDict::new(py);
    out.set_item("participant", r.participant.into_pyarray(py))?;
    out.set_item("index_date", r.index_date.into_pyarray(py))?;
    out.set_item("end_of_data", r.end_of_data.into_pyarray(py))?;
    out.set_item("age", r.age.into_pyarray(py))?;
    out.set_item("girl", r.girl.into_pyarray(py))?;
    out.set_item("diagnosis", r.diagnosis.into_pyarray(py))?;
    out.set_item("substance_use", r.substance_use.into_pyarray(py))?;
    out.set_item("episode_individual", r.episode_individual.into_pyarray(py))?;
    out.set_item("episode_start", r.episode_start.into_pyarray(py))?;
    out.set_item("episode_end", r.episode_end.into_pyarray(py))?;
    out.set_item("episode_type", r.episode_type.into_pyarray(py))?;
    out.set_item("ledger_individual", r.ledger_individual.into_pyarray(py))?;
    out.set_item("ledger_date", r.ledger_date.into_pyarray(py))?;
    out.set_item("ledger_amount", r.ledger_amount.into_pyarray(py))?;
    out.set_item("ledger_category", r.ledger_category.into_pyarray(py))?;
    out.set_item("tariff_type", r.tariff_type.into_pyarray(py))?;
    out.set_item("tariff_from", r.tariff_from.into_pyarray(py))?;
    out.set_item("tariff_cost", r.tariff_cost.into_pyarray(py))?;
    out.set_item("price_years", r.price_years.into_pyarray(py))?;
    out.set_item("price_values", r.price_values.into_pyarray(py))?;
    out.set_item("data_end", r.data_end)?;
    out.set_item("base_year", r.base_year)?;
    out.set_item("care_types", CARE_TYPES.to_vec())?;
    out.set_item("categories", CATEGORIES.to_vec())?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(synthetic_register, m)?)
}
