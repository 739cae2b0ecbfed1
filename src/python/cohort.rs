//! Bindings of [`crate::cohort`]: a validated cohort held by Python and queried.

use super::{horizon, run};
use crate::cohort::{Cohort, CohortInput, WindowTotals};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;

/// The columns of a window query: (start, end, complete, values n x width).
type Totals<'py> =
    (Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<i32>>, Bound<'py, PyArray1<bool>>, Bound<'py, PyArray2<f64>>);

/// The values of `t` as an `n x width` array in column-major (Fortran) order,
/// so that each column is contiguous and pandas takes the columns without copying.
/// `by_column` says whether `t.values` is already column-major.
fn totals<'py>(py: Python<'py>, t: WindowTotals, by_column: bool) -> PyResult<Totals<'py>> {
    use ndarray::ShapeBuilder;
    let width = t.width();
    let n = t.start.len();
    let by_column = if by_column {
        t.values
    } else {
        let mut out = vec![0.0; n * width];
        // Blocked transpose: a block of rows stays in cache while its columns are written.
        for first in (0..n).step_by(1024) {
            let rows = first..(first + 1024).min(n);
            for j in 0..width {
                let column = &mut out[j * n..(j + 1) * n];
                for i in rows.clone() {
                    column[i] = t.values[i * width + j];
                }
            }
        }
        out
    };
    let values = ndarray::Array2::from_shape_vec((n, width).f(), by_column)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok((t.start.into_pyarray(py), t.end.into_pyarray(py), t.complete.into_pyarray(py), values.into_pyarray(py)))
}

/// A validated cohort (see `utfall.Cohort`, which builds it from DataFrames).
#[pyclass(module = "utfall._core", frozen)]
pub struct CohortCore {
    pub(crate) inner: Cohort,
}

#[pymethods]
impl CohortCore {
    #[new]
    #[pyo3(signature = (index_date, end_of_data, participant, episode_individual, episode_start, episode_end, episode_type, n_types, tariff_type, tariff_from, tariff_cost, ledger_individual, ledger_date, ledger_amount, ledger_category, n_categories, price_years, price_values, base_year, allow_overlaps))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        index_date: PyReadonlyArray1<i32>,
        end_of_data: PyReadonlyArray1<i32>,
        participant: PyReadonlyArray1<bool>,
        episode_individual: PyReadonlyArray1<i64>,
        episode_start: PyReadonlyArray1<i32>,
        episode_end: PyReadonlyArray1<i32>,
        episode_type: PyReadonlyArray1<u32>,
        n_types: usize,
        tariff_type: Option<PyReadonlyArray1<u32>>,
        tariff_from: Option<PyReadonlyArray1<i32>>,
        tariff_cost: Option<PyReadonlyArray1<f64>>,
        ledger_individual: PyReadonlyArray1<i64>,
        ledger_date: PyReadonlyArray1<i32>,
        ledger_amount: PyReadonlyArray1<f64>,
        ledger_category: PyReadonlyArray1<u32>,
        n_categories: usize,
        price_years: Option<PyReadonlyArray1<i32>>,
        price_values: Option<PyReadonlyArray1<f64>>,
        base_year: Option<i32>,
        allow_overlaps: bool,
    ) -> PyResult<Self> {
        let vec = |a: &PyReadonlyArray1<i32>| a.as_array().to_vec();
        let tariffs = match (tariff_type, tariff_from, tariff_cost) {
            (Some(t), Some(f), Some(c)) => Some((t.as_array().to_vec(), vec(&f), c.as_array().to_vec())),
            _ => None,
        };
        let price_index = match (price_years, price_values, base_year) {
            (Some(y), Some(v), Some(b)) => Some((vec(&y), v.as_array().to_vec(), b)),
            _ => None,
        };
        let input = CohortInput {
            index_date: vec(&index_date),
            end_of_data: vec(&end_of_data),
            participant: participant.as_array().to_vec(),
            episode_individual: episode_individual.as_array().to_vec(),
            episode_start: vec(&episode_start),
            episode_end: vec(&episode_end),
            episode_type: episode_type.as_array().to_vec(),
            n_types,
            tariffs,
            ledger_individual: ledger_individual.as_array().to_vec(),
            ledger_date: vec(&ledger_date),
            ledger_amount: ledger_amount.as_array().to_vec(),
            ledger_category: ledger_category.as_array().to_vec(),
            n_categories,
            price_index,
            allow_overlaps,
        };
        let inner = run(py, || Cohort::new(input))?;
        Ok(CohortCore { inner })
    }

    /// Totals over `[index, index + horizon)` per individual.
    fn costs<'py>(&self, py: Python<'py>, horizon_text: &str) -> PyResult<Totals<'py>> {
        let h = horizon(py, horizon_text)?;
        let t = run(py, || Ok(self.inner.costs_by_column(h)))?;
        totals(py, t, true)
    }

    /// Totals over one window `[start[i], end[i])` per individual.
    fn totals_over<'py>(
        &self,
        py: Python<'py>,
        start: PyReadonlyArray1<i32>,
        end: PyReadonlyArray1<i32>,
    ) -> PyResult<Totals<'py>> {
        let windows: Vec<(i32, i32)> =
            start.as_array().iter().zip(end.as_array().iter()).map(|(&a, &b)| (a, b)).collect();
        if windows.len() != self.inner.n() {
            return Err(pyo3::exceptions::PyValueError::new_err("one window per individual is needed"));
        }
        let t = run(py, || Ok(self.inner.totals_over_by_column(&windows)))?;
        totals(py, t, true)
    }

    /// Totals over `[start[r], end[r])` of individual `who[r]` (positions), one row per request.
    fn totals_for<'py>(
        &self,
        py: Python<'py>,
        who: PyReadonlyArray1<i64>,
        start: PyReadonlyArray1<i32>,
        end: PyReadonlyArray1<i32>,
    ) -> PyResult<Totals<'py>> {
        let n = self.inner.n() as i64;
        let who = who.as_array();
        if who.len() != start.as_array().len() || who.len() != end.as_array().len() {
            return Err(pyo3::exceptions::PyValueError::new_err("who, start and end must have the same length"));
        }
        if let Some(bad) = who.iter().find(|&&w| w < 0 || w >= n) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "individual position {bad} is outside the cohort (0..{n})"
            )));
        }
        let who: Vec<usize> = who.iter().map(|&w| w as usize).collect();
        let windows: Vec<(i32, i32)> =
            start.as_array().iter().zip(end.as_array().iter()).map(|(&a, &b)| (a, b)).collect();
        let t = run(py, || Ok(self.inner.totals_for(&who, &windows)))?;
        totals(py, t, false)
    }

    /// Totals before the index date and the number of placements started then.
    #[pyo3(signature = (lookback=None))]
    fn history<'py>(
        &self,
        py: Python<'py>,
        lookback: Option<&str>,
    ) -> PyResult<(Totals<'py>, Bound<'py, PyArray1<u32>>)> {
        let h = lookback.map(|l| horizon(py, l)).transpose()?;
        let hist = run(py, || Ok(self.inner.history(h)))?;
        Ok((totals(py, hist.totals, false)?, hist.placements.into_pyarray(py)))
    }

    /// Cost per individual per month since the index date (n x months).
    fn trajectories<'py>(&self, py: Python<'py>, months: usize) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let n = self.inner.n();
        let values = run(py, || Ok(self.inner.trajectories(months)))?;
        let array = ndarray::Array2::from_shape_vec((n, months), values)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        Ok(array.into_pyarray(py))
    }

    /// The exclusive window end `start + horizon` for each start date.
    #[staticmethod]
    fn window_end<'py>(
        py: Python<'py>,
        start: PyReadonlyArray1<i32>,
        horizon_text: &str,
    ) -> PyResult<Bound<'py, PyArray1<i32>>> {
        let h = horizon(py, horizon_text)?;
        Ok(start.as_array().iter().map(|&d| h.end_from(d)).collect::<Vec<_>>().into_pyarray(py))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<CohortCore>()
}
