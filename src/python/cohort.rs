//! Bindings of [`crate::cohort`]: a validated cohort held by Python and queried.

use super::{horizon, run, run_cancellable};
use crate::cohort::{Cohort, CohortColumns, WindowTotals};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use std::borrow::Cow;

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

/// The columns of a cohort from Python, read by attribute name from one object
/// (`utfall.cohort._tables.CoreInput`): the fields of [`CohortInput`], with the
/// tariffs and the price index as optional columns.
#[derive(FromPyObject)]
struct CoreInput<'py> {
    index_date: PyReadonlyArray1<'py, i32>,
    end_of_data: PyReadonlyArray1<'py, i32>,
    participant: PyReadonlyArray1<'py, bool>,
    episode_individual: PyReadonlyArray1<'py, i64>,
    episode_start: PyReadonlyArray1<'py, i32>,
    episode_end: PyReadonlyArray1<'py, i32>,
    episode_type: PyReadonlyArray1<'py, u32>,
    n_types: usize,
    tariff_type: Option<PyReadonlyArray1<'py, u32>>,
    tariff_from: Option<PyReadonlyArray1<'py, i32>>,
    tariff_cost: Option<PyReadonlyArray1<'py, f64>>,
    ledger_individual: PyReadonlyArray1<'py, i64>,
    ledger_date: PyReadonlyArray1<'py, i32>,
    ledger_amount: PyReadonlyArray1<'py, f64>,
    ledger_category: PyReadonlyArray1<'py, u32>,
    n_categories: usize,
    price_years: Option<PyReadonlyArray1<'py, i32>>,
    price_values: Option<PyReadonlyArray1<'py, f64>>,
    base_year: Option<i32>,
    allow_overlaps: bool,
}

/// A column as a slice of numpy's memory when it is contiguous (as `CoreInput` passes them), else a copy.
fn lend<'a, T: numpy::Element + Copy>(a: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match a.as_slice() {
        Ok(slice) => Cow::Borrowed(slice),
        Err(_) => Cow::Owned(a.as_array().to_vec()),
    }
}

/// An optional column lent, or an empty one.
fn lend_optional<'a, T: numpy::Element + Copy>(a: &'a Option<PyReadonlyArray1<'_, T>>) -> Cow<'a, [T]> {
    a.as_ref().map(lend).unwrap_or(Cow::Owned(Vec::new()))
}

/// The columns of a [`CoreInput`], lent (see [`lend`]).
struct Lent<'a> {
    columns: [Cow<'a, [i32]>; 6],
    individuals: [Cow<'a, [i64]>; 2],
    codes: [Cow<'a, [u32]>; 3],
    numbers: [Cow<'a, [f64]>; 3],
    participant: Cow<'a, [bool]>,
}

impl CoreInput<'_> {
    fn lend(&self) -> Lent<'_> {
        Lent {
            columns: [
                lend(&self.index_date),
                lend(&self.end_of_data),
                lend(&self.episode_start),
                lend(&self.episode_end),
                lend(&self.ledger_date),
                lend_optional(&self.tariff_from),
            ],
            individuals: [lend(&self.episode_individual), lend(&self.ledger_individual)],
            codes: [lend(&self.episode_type), lend(&self.ledger_category), lend_optional(&self.tariff_type)],
            numbers: [lend(&self.ledger_amount), lend_optional(&self.tariff_cost), lend_optional(&self.price_values)],
            participant: lend(&self.participant),
        }
    }

    /// The core's borrowed input over the lent columns (and the price years, which are few).
    fn columns<'a>(&self, lent: &'a Lent<'a>, years: &'a [i32]) -> CohortColumns<'a> {
        let tariffs = (self.tariff_type.is_some() && self.tariff_from.is_some() && self.tariff_cost.is_some())
            .then(|| (&*lent.codes[2], &*lent.columns[5], &*lent.numbers[1]));
        let price_index = match (&self.price_years, &self.price_values, self.base_year) {
            (Some(_), Some(_), Some(b)) => Some((years, &*lent.numbers[2], b)),
            _ => None,
        };
        CohortColumns {
            index_date: &lent.columns[0],
            end_of_data: &lent.columns[1],
            participant: &lent.participant,
            episode_individual: &lent.individuals[0],
            episode_start: &lent.columns[2],
            episode_end: &lent.columns[3],
            episode_type: &lent.codes[0],
            n_types: self.n_types,
            tariffs,
            ledger_individual: &lent.individuals[1],
            ledger_date: &lent.columns[4],
            ledger_amount: &lent.numbers[0],
            ledger_category: &lent.codes[1],
            n_categories: self.n_categories,
            price_index,
            allow_overlaps: self.allow_overlaps,
        }
    }
}

#[pymethods]
impl CohortCore {
    /// Validates the columns of `input` (see [`CoreInput`]) and groups them by individual.
    #[new]
    fn new(py: Python<'_>, input: CoreInput<'_>) -> PyResult<Self> {
        // The columns are lent from numpy, not copied: the core copies what it keeps, grouped.
        let years: Vec<i32> = input.price_years.as_ref().map(|y| y.as_array().to_vec()).unwrap_or_default();
        let lent = input.lend();
        let columns = input.columns(&lent, &years);
        let inner = run_cancellable(py, |cancel| Cohort::from_columns(columns, cancel))?;
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
        let array = run_cancellable(py, |cancel| {
            let values = self.inner.trajectories(months, cancel)?;
            ndarray::Array2::from_shape_vec((n, months), values).map_err(|e| crate::Error::Computation(e.to_string()))
        })?;
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

/// Days since 1970-01-01 of `datetime64` ticks (`per_day` a day), as
/// [`crate::dates::days_from_ticks`]: `(days, first row outside first..=last, first missing row)`.
#[pyfunction]
#[pyo3(signature = (ticks, per_day, first, last, open_end, missing))]
fn days_from_ticks<'py>(
    py: Python<'py>,
    ticks: PyReadonlyArray1<'py, i64>,
    per_day: i64,
    first: i32,
    last: i32,
    open_end: Option<i32>,
    missing: i32,
) -> PyResult<(Bound<'py, PyArray1<i32>>, Option<usize>, Option<usize>)> {
    let ticks = lend(&ticks);
    let t = py.detach(|| crate::dates::days_from_ticks(&ticks, per_day, (first, last), open_end, missing));
    Ok((t.days.into_pyarray(py), t.first_outside, t.first_missing))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(days_from_ticks, m)?)?;
    m.add_class::<CohortCore>()
}
