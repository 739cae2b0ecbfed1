//! Bindings of [`crate::expected`]: expected outcomes and monthly curves from comparison sets.

use super::cohort::CohortCore;
use super::conversion::Wrap;
use super::{horizon, run};
use crate::expected::rematch::{Comparator, Design, HorizonPlan, Rematch};
use crate::expected::{self, Request, Sets};
use crate::matching::covariates::CovariateDistance;
use crate::matching::Order;
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
    m.add_function(wrap_pyfunction!(month_ends, m)?)?;
    m.add_class::<RematchPlan>()
}

/// The columns of one horizon: (horizon, eligible, complete, observed days, actual outcome).
type HorizonColumns<'py> = (
    String,
    PyReadonlyArray1<'py, bool>,
    PyReadonlyArray1<'py, bool>,
    PyReadonlyArray1<'py, i32>,
    PyReadonlyArray1<'py, f64>,
);

struct OwnedHorizon {
    horizon: crate::dates::Horizon,
    eligible: Vec<bool>,
    complete: Vec<bool>,
    observed_days: Vec<i32>,
    actual: Vec<f64>,
}

/// A rematching bootstrap held by Python: the plan is copied in once, replicates are drawn
/// in batches (`utfall.evaluation` checks for Ctrl-C and shows progress between them).
#[pyclass(module = "utfall._core", frozen)]
pub struct RematchPlan {
    cohort: Py<CohortCore>,
    participants: Vec<usize>,
    historical: Vec<usize>,
    horizons: Vec<OwnedHorizon>,
    columns: Vec<usize>,
    only_complete: bool,
    stratum_codes: Option<Vec<u32>>,
    numeric: Vec<(Vec<f64>, String)>,
    factors: Vec<Vec<(Vec<f64>, String)>>,
    covariate_distance: Option<crate::matching::covariates::CovariateDistance>,
    ratio: usize,
    replace: bool,
    caliper: Option<(f64, bool)>,
    exact: Option<Vec<u32>>,
    order: Option<crate::matching::Order>,
}

impl RematchPlan {
    fn with<T>(&self, py: Python<'_>, work: impl FnOnce(&Rematch<'_>) -> crate::Result<T> + Send) -> PyResult<T>
    where
        T: Send,
    {
        let cohort = self.cohort.bind(py).get();
        let comparator = match &self.stratum_codes {
            Some(codes) => Comparator::Stratum { codes },
            None => Comparator::Nearest {
                design: Design {
                    numeric: self.numeric.iter().map(|(c, n)| (c.as_slice(), n.clone())).collect(),
                    factors: self
                        .factors
                        .iter()
                        .map(|levels| levels.iter().map(|(c, n)| (c.as_slice(), n.clone())).collect())
                        .collect(),
                },
                covariate_distance: self.covariate_distance,
                ratio: self.ratio,
                replace: self.replace,
                caliper: self.caliper,
                exact: self.exact.as_deref(),
                order: self.order,
            },
        };
        let plan = Rematch {
            cohort: &cohort.inner,
            participants: &self.participants,
            historical: &self.historical,
            horizons: self
                .horizons
                .iter()
                .map(|h| HorizonPlan {
                    horizon: h.horizon,
                    eligible: &h.eligible,
                    complete: &h.complete,
                    observed_days: &h.observed_days,
                    actual: &h.actual,
                })
                .collect(),
            columns: &self.columns,
            comparator,
            only_complete: self.only_complete,
        };
        run(py, || work(&plan))
    }
}

#[pymethods]
impl RematchPlan {
    #[new]
    #[pyo3(signature = (cohort, participants, historical, horizons, columns, only_complete, stratum_codes=None, numeric=Vec::new(), factors=Vec::new(), covariate_distance=None, ratio=1, replace=false, caliper=None, std_caliper=true, exact=None, order=None))]
    fn new(
        py: Python<'_>,
        cohort: Py<CohortCore>,
        participants: PyReadonlyArray1<i64>,
        historical: PyReadonlyArray1<i64>,
        horizons: Vec<HorizonColumns<'_>>,
        columns: PyReadonlyArray1<i64>,
        only_complete: bool,
        stratum_codes: Option<PyReadonlyArray1<u32>>,
        numeric: Vec<(PyReadonlyArray1<f64>, String)>,
        factors: Vec<Vec<(PyReadonlyArray1<f64>, String)>>,
        covariate_distance: Option<Wrap<CovariateDistance>>,
        ratio: usize,
        replace: bool,
        caliper: Option<f64>,
        std_caliper: bool,
        exact: Option<PyReadonlyArray1<u32>>,
        order: Option<Wrap<Order>>,
    ) -> PyResult<Self> {
        let horizons = horizons
            .into_iter()
            .map(|(text, eligible, complete, days, actual)| {
                Ok(OwnedHorizon {
                    horizon: horizon(py, &text)?,
                    eligible: eligible.as_array().to_vec(),
                    complete: complete.as_array().to_vec(),
                    observed_days: days.as_array().to_vec(),
                    actual: actual.as_array().to_vec(),
                })
            })
            .collect::<PyResult<Vec<_>>>()?;
        Ok(RematchPlan {
            cohort,
            participants: positions("participants", &participants)?,
            historical: positions("historical", &historical)?,
            horizons,
            columns: positions("columns", &columns)?,
            only_complete,
            stratum_codes: stratum_codes.map(|c| c.as_array().to_vec()),
            numeric: numeric.into_iter().map(|(c, n)| (c.as_array().to_vec(), n)).collect(),
            factors: factors
                .into_iter()
                .map(|levels| levels.into_iter().map(|(c, n)| (c.as_array().to_vec(), n)).collect())
                .collect(),
            covariate_distance: covariate_distance.map(|d| d.0),
            ratio,
            replace,
            caliper: caliper.map(|c| (c, std_caliper)),
            exact: exact.map(|e| e.as_array().to_vec()),
            order: order.map(|o| o.0),
        })
    }

    /// Total savings per horizon of replicates `start..start + count`: `count x horizons`.
    fn replicates<'py>(
        &self,
        py: Python<'py>,
        seed: u64,
        start: u64,
        count: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let h = self.horizons.len();
        let out = self.with(py, |plan| plan.replicates(seed, start, count))?;
        matrix(py, out, count, h)
    }

    /// Leave-one-out savings of units `start..start + count` (participants first).
    fn jackknife<'py>(
        &self,
        py: Python<'py>,
        seed: u64,
        start: usize,
        count: usize,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let h = self.horizons.len();
        let stop = start.checked_add(count).ok_or_else(|| {
            super::to_py(py, crate::Error::Spec(format!("rematch: no jackknife units {start} + {count}")))
        })?;
        let out = self.with(py, |plan| plan.jackknife(seed, start..stop))?;
        matrix(py, out, count, h)
    }

    /// Total savings per horizon of the evaluation on the whole cohort.
    fn estimate(&self, py: Python<'_>, seed: u64) -> PyResult<Vec<f64>> {
        let mut all: Vec<usize> = self.participants.iter().chain(&self.historical).copied().collect();
        all.sort_unstable();
        self.with(py, move |plan| plan.savings(&all, seed))
    }

    #[getter]
    fn n_participants(&self) -> usize {
        self.participants.len()
    }

    #[getter]
    fn n_units(&self) -> usize {
        self.participants.len() + self.historical.len()
    }
}
