//! Bindings of [`crate::sickleave`]: a validated absence register held by
//! Python, its monthly queries, the evaluation and the synthetic register.

use super::{horizon, run};
use crate::sickleave::evaluation::STATISTICS;
use crate::sickleave::{synthetic, DayRange, EvaluationInput, Register, RegisterInput, TURNOVER_CATEGORIES};
use numpy::{IntoPyArray, PyArray2, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn matrix<'py, T: numpy::Element>(
    py: Python<'py>,
    values: Vec<T>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, PyArray2<T>>> {
    let a = ndarray::Array2::from_shape_vec((rows, cols), values)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    Ok(a.into_pyarray(py))
}

/// Checks `n_months` months from month key `first_month` (`12 * year + month - 1`) for an
/// `n x n_months` result before anything is allocated: the months within the years 1 to
/// 9999 and the result within [`crate::limits::MAX_VALUES`].
fn months(n: usize, first_month: i32, n_months: usize) -> crate::Result<()> {
    let (first, last) = (12, 12 * 10_000 - 1);
    if n_months > crate::limits::MAX_MONTHS {
        return Err(crate::Error::Spec(format!(
            "n_months = {n_months} is above the limit of {} months",
            crate::limits::MAX_MONTHS
        )));
    }
    if first_month < first || i64::from(first_month) + n_months as i64 > i64::from(last) + 1 {
        return Err(crate::Error::Spec(format!(
            "months {first_month} + {n_months} lie outside the years 1 to 9999 (month keys {first}..={last})"
        )));
    }
    crate::limits::check_values("months x employees", n, n_months)
}

/// A validated absence register (see `utfall.sickleave.Register`, which builds it from DataFrames).
#[pyclass(module = "utfall._core", frozen)]
pub struct SickLeaveCore {
    inner: Register,
}

#[pymethods]
impl SickLeaveCore {
    #[new]
    #[pyo3(signature = (n_employees, spell_employee, spell_first, spell_last, spell_extent, employment_employee, employment_first, employment_last, data_end))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        n_employees: usize,
        spell_employee: PyReadonlyArray1<i64>,
        spell_first: PyReadonlyArray1<i32>,
        spell_last: PyReadonlyArray1<i32>,
        spell_extent: PyReadonlyArray1<f64>,
        employment_employee: Option<PyReadonlyArray1<i64>>,
        employment_first: Option<PyReadonlyArray1<i32>>,
        employment_last: Option<PyReadonlyArray1<i32>>,
        data_end: i32,
    ) -> PyResult<Self> {
        let employment = match (employment_employee, employment_first, employment_last) {
            (Some(e), Some(f), Some(l)) => {
                Some((e.as_slice()?.to_vec(), f.as_slice()?.to_vec(), l.as_slice()?.to_vec()))
            }
            _ => None,
        };
        let input = RegisterInput {
            n_employees,
            spell_employee: spell_employee.as_slice()?.to_vec(),
            spell_first: spell_first.as_slice()?.to_vec(),
            spell_last: spell_last.as_slice()?.to_vec(),
            spell_extent: spell_extent.as_slice()?.to_vec(),
            employment,
            data_end,
        };
        Ok(SickLeaveCore { inner: run(py, || Register::new(input))? })
    }

    /// Net days of spell days `first_day..=last_day` (None: to the end), `n x n_months`.
    #[pyo3(signature = (first_day, last_day, first_month, n_months))]
    fn net_days<'py>(
        &self,
        py: Python<'py>,
        first_day: u32,
        last_day: Option<u32>,
        first_month: i32,
        n_months: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let range = DayRange::new(first_day, last_day).map_err(|e| super::to_py(py, e))?;
        let n = self.inner.n;
        months(n, first_month, n_months).map_err(|e| super::to_py(py, e))?;
        // Column-major zeros from NumPy's allocator (huge pages for large arrays), filled in place.
        let out = PyArray2::<f64>::zeros(py, [n, n_months], true);
        let len = n * n_months;
        // The array is new and not yet visible to Python: nothing else reads or writes it
        // while the core fills it with the GIL released.
        let address = out.data() as usize;
        run(py, move || {
            let values = unsafe { std::slice::from_raw_parts_mut(address as *mut f64, len) };
            self.inner.net_days_by_column_into(range, first_month, n_months, values);
            Ok(())
        })?;
        Ok(out)
    }

    fn employed<'py>(&self, py: Python<'py>, first_month: i32, n_months: usize) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let v = run(py, || {
            months(self.inner.n, first_month, n_months)?;
            Ok(self.inner.employed(first_month, n_months))
        })?;
        matrix(py, v, self.inner.n, n_months)
    }

    fn spell_starts<'py>(
        &self,
        py: Python<'py>,
        first_month: i32,
        n_months: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let v = run(py, || {
            months(self.inner.n, first_month, n_months)?;
            Ok(self.inner.spell_starts(first_month, n_months))
        })?;
        matrix(py, v, self.inner.n, n_months)
    }

    /// (spells in the window, employed on the day, at risk) per employee.
    fn risk_group<'py>(&self, py: Python<'py>, day: i32, threshold: u32, window: &str) -> PyResult<Bound<'py, PyDict>> {
        let w = horizon(py, window)?;
        let g = run(py, || Ok(self.inner.risk_group(day, threshold, w)))?;
        let out = PyDict::new(py);
        out.set_item("spells", g.spells.into_pyarray(py))?;
        out.set_item("employed", g.employed.into_pyarray(py))?;
        out.set_item("at_risk", g.at_risk.into_pyarray(py))?;
        Ok(out)
    }

    /// Turnover status codes `n x (len(days) - 1)` (255: not in the risk group) and the category names.
    fn turnover<'py>(
        &self,
        py: Python<'py>,
        days: Vec<i32>,
        threshold: u32,
        window: &str,
    ) -> PyResult<(Bound<'py, PyArray2<u8>>, Vec<&'static str>)> {
        let w = horizon(py, window)?;
        let k = days.len().saturating_sub(1);
        let t = run(py, || Ok(self.inner.turnover(&days, threshold, w)))?;
        Ok((matrix(py, t.status, self.inner.n, k)?, TURNOVER_CATEGORIES.to_vec()))
    }

    /// The evaluation of every group: a list of dicts.
    #[pyo3(signature = (reference_month, observation_month, n_months, trend_ratio, groups, n_groups, clusters, value_of_a_day, n_resamples, seed))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        reference_month: i32,
        observation_month: i32,
        n_months: usize,
        trend_ratio: Vec<f64>,
        groups: Option<PyReadonlyArray1<i64>>,
        n_groups: usize,
        clusters: Option<PyReadonlyArray1<u32>>,
        value_of_a_day: Vec<f64>,
        n_resamples: usize,
        seed: u64,
    ) -> PyResult<Vec<Bound<'py, PyDict>>> {
        let input = EvaluationInput {
            reference_month,
            observation_month,
            n_months,
            trend_ratio,
            groups: groups.map(|g| g.as_slice().map(|s| s.to_vec())).transpose()?,
            n_groups,
            clusters: clusters.map(|c| c.as_slice().map(|s| s.to_vec())).transpose()?,
            value_of_a_day,
            n_resamples,
            seed,
        };
        let e = run(py, || crate::sickleave::evaluate(&self.inner, &input))?;
        let mut out = Vec::with_capacity(e.groups.len());
        for g in e.groups {
            let d = PyDict::new(py);
            d.set_item("statistics", STATISTICS.to_vec())?;
            d.set_item("estimate", g.estimate)?;
            d.set_item("replicates", matrix(py, g.replicates, n_resamples, STATISTICS.len())?)?;
            d.set_item("reference_rate", g.reference_rate.into_pyarray(py))?;
            d.set_item("observation_rate", g.observation_rate.into_pyarray(py))?;
            d.set_item("employees", g.employees)?;
            d.set_item("units", g.units)?;
            out.push(d);
        }
        Ok(out)
    }

    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }
}

/// The synthetic absence register: a dict of numpy columns.
#[pyfunction]
#[pyo3(signature = (posts, effect, seed))]
fn sickleave_synthetic<'py>(py: Python<'py>, posts: usize, effect: f64, seed: u64) -> PyResult<Bound<'py, PyDict>> {
    if !(0.0..1.0).contains(&effect) {
        return Err(super::to_py(py, crate::Error::Spec(format!("the effect must be in [0, 1), got {effect}"))));
    }
    let s = run(py, || Ok(synthetic::register(posts, effect, seed)))?;
    let out = PyDict::new(py);
    out.set_item("municipality", s.municipality.into_pyarray(py))?;
    out.set_item("sector", s.sector.into_pyarray(py))?;
    out.set_item("workplace", s.workplace.into_pyarray(py))?;
    out.set_item("salary", s.salary.into_pyarray(py))?;
    out.set_item("birth_year", s.birth_year.into_pyarray(py))?;
    out.set_item("employment_first", s.employment_first.into_pyarray(py))?;
    out.set_item("employment_last", s.employment_last.into_pyarray(py))?;
    out.set_item("spell_employee", s.spell_employee.into_pyarray(py))?;
    out.set_item("spell_first", s.spell_first.into_pyarray(py))?;
    out.set_item("spell_last", s.spell_last.into_pyarray(py))?;
    out.set_item("spell_extent", s.spell_extent.into_pyarray(py))?;
    out.set_item("trend_month", s.trend_month.into_pyarray(py))?;
    out.set_item("trend_factor", s.trend_factor.into_pyarray(py))?;
    out.set_item("data_start", s.data_start)?;
    out.set_item("data_end", s.data_end)?;
    out.set_item("sectors", synthetic::SECTORS.to_vec())?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<SickLeaveCore>()?;
    m.add_function(wrap_pyfunction!(sickleave_synthetic, m)?)
}
