//! Bindings of [`crate::bootstrap`]: a prepared plan run in batches from Python
//! (so that Ctrl-C and the progress bar work between batches), and the interval summary.

use super::conversion::{MeasureName, Vocabulary, Wrap};
use super::{guard, run, run_cancellable, to_py};
use crate::bootstrap::designs::{Design, Labels};
use crate::bootstrap::intervals::{summarize, Inputs, Method, QuantileRule};
use crate::bootstrap::jackknife::{acceleration, accelerations};
use crate::bootstrap::statistics::{Linear, Statistic};
use crate::bootstrap::{Plan, Table};
use crate::concentration::Measure;
use crate::error::Error;
use crate::threads::install as in_pool;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn spec(py: Python<'_>, message: String) -> PyErr {
    to_py(py, Error::Spec(message))
}

/// A measure of sorted values by name; `value` is its p, q or f.
pub(crate) fn measure(py: Python<'_>, name: &str, value: f64) -> PyResult<Measure> {
    MeasureName::parse(name).and_then(|m| m.with(value)).map_err(|message| spec(py, message))
}

fn statistic(py: Python<'_>, spec_list: &[(String, f64)]) -> PyResult<Statistic> {
    if let [(name, _)] = spec_list {
        if let Ok(l) = Linear::parse(name) {
            return Ok(Statistic::Linear(l));
        }
    }
    let measures = spec_list.iter().map(|(n, v)| measure(py, n, *v)).collect::<PyResult<Vec<_>>>()?;
    if measures.is_empty() {
        return Err(spec(py, "no statistic given".into()));
    }
    Ok(Statistic::Sorted(measures))
}

/// Replicate values (`count x n_outputs`) and variances.
type Replicates<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>);

/// A prepared bootstrap (see `utfall.bootstrap`, which builds it).
#[pyclass(module = "utfall._core", frozen)]
pub struct BootstrapPlan {
    inner: Plan,
}

#[pymethods]
impl BootstrapPlan {
    #[new]
    #[pyo3(signature = (columns, statistic, weights=None, samples=None, strata=None, clusters=None))]
    fn new(
        py: Python<'_>,
        columns: Vec<PyReadonlyArray1<f64>>,
        statistic: Vec<(String, f64)>,
        weights: Option<PyReadonlyArray1<f64>>,
        samples: Option<PyReadonlyArray1<u32>>,
        strata: Option<PyReadonlyArray1<u32>>,
        clusters: Option<PyReadonlyArray1<u32>>,
    ) -> PyResult<Self> {
        let stat = self::statistic(py, &statistic)?;
        let table = Table {
            columns: columns.iter().map(|c| c.as_array().to_vec()).collect(),
            weights: weights.map(|w| w.as_array().to_vec()),
        };
        let vec = |a: Option<PyReadonlyArray1<u32>>| a.map(|a| a.as_array().to_vec());
        let labels = Labels { samples: vec(samples), strata: vec(strata), clusters: vec(clusters) };
        let inner = run(py, move || Plan::new(table, &labels, stat))?;
        Ok(BootstrapPlan { inner })
    }

    /// Replicates `start .. start + count`: values `count x n_outputs` and variances.
    #[pyo3(signature = (seed, start, count, want_variance=false, n_threads=None))]
    ///
    /// `count` is checked against the limits of [`crate::limits`] before anything
    /// is allocated; Ctrl-C stops the call within a fraction of a second.
    fn run<'py>(
        &self,
        py: Python<'py>,
        seed: u64,
        start: u64,
        count: usize,
        want_variance: bool,
        n_threads: Option<usize>,
    ) -> PyResult<Replicates<'py>> {
        let k = self.inner.n_outputs();
        let plan = &self.inner;
        let values = run_cancellable(py, |cancel| {
            crate::limits::check("the number of replicates in a batch", count, crate::limits::MAX_RESAMPLES)?;
            crate::limits::check_values("bootstrap replicates x outputs", count, k)?;
            if let Some(n) = n_threads {
                crate::limits::check_threads(n)?;
            }
            let mut values = vec![0.0; count * k];
            let mut variances = vec![f64::NAN; count];
            in_pool(n_threads, || {
                plan.run_cancellable(seed, start, &mut values, &mut variances, want_variance, cancel)
            })??;
            let values =
                ndarray::Array2::from_shape_vec((count, k), values).map_err(|e| Error::Computation(e.to_string()))?;
            Ok((values, variances))
        })?;
        Ok((values.0.into_pyarray(py), values.1.into_pyarray(py)))
    }

    /// The statistic on the data (one value per output) and its variance (NaN without one).
    fn estimate(&self) -> (Vec<f64>, f64) {
        self.inner.estimate()
    }

    /// The BCa acceleration of each output, from the jackknife over units.
    #[pyo3(signature = (n_threads=None))]
    fn accelerations(&self, py: Python<'_>, n_threads: Option<usize>) -> PyResult<Vec<f64>> {
        let plan = &self.inner;
        run_cancellable(py, |cancel| {
            let loo = in_pool(n_threads, || plan.leave_one_out_cancellable(cancel))??;
            Ok(accelerations(&loo, plan.n_outputs(), &plan.design.segments))
        })
    }

    #[getter]
    fn n_outputs(&self) -> usize {
        self.inner.n_outputs()
    }

    #[getter]
    fn n_units(&self) -> usize {
        self.inner.design.units.len()
    }

    #[getter]
    fn n_rows(&self) -> usize {
        self.inner.design.n_rows()
    }

    /// Whether the BCa jackknife is O(n) (closed forms) rather than O(n^2).
    #[getter]
    fn closed_form_jackknife(&self) -> bool {
        self.inner.closed_form_jackknife()
    }

    #[getter]
    fn has_variance(&self) -> bool {
        self.inner.has_variance()
    }
}

/// A resampling design alone, for a Python callable statistic: the same draws as a plan.
#[pyclass(module = "utfall._core", frozen)]
pub struct BootstrapDesign {
    inner: Design,
}

#[pymethods]
impl BootstrapDesign {
    #[new]
    #[pyo3(signature = (n_rows, samples=None, strata=None, clusters=None))]
    fn new(
        py: Python<'_>,
        n_rows: usize,
        samples: Option<PyReadonlyArray1<u32>>,
        strata: Option<PyReadonlyArray1<u32>>,
        clusters: Option<PyReadonlyArray1<u32>>,
    ) -> PyResult<Self> {
        let vec = |a: Option<PyReadonlyArray1<u32>>| a.map(|a| a.as_array().to_vec());
        let labels = Labels { samples: vec(samples), strata: vec(strata), clusters: vec(clusters) };
        let inner = run(py, move || Design::new(n_rows, &labels))?;
        Ok(BootstrapDesign { inner })
    }

    /// The rows drawn by replicate `r`, segment by segment in draw order.
    fn resample_rows<'py>(&self, py: Python<'py>, seed: u64, r: u64) -> PyResult<Bound<'py, PyArray1<u32>>> {
        guard(py, || Ok(self.inner.resample_rows(seed, r).into_pyarray(py)))
    }

    /// The rows of each unit: (rows in unit order, offsets of the units, n_units + 1 of them).
    fn units<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u64>>) {
        let d = &self.inner;
        let mut offsets: Vec<u64> = d.units.iter().map(|u| u.start as u64).collect();
        offsets.push(d.n_rows() as u64);
        (d.row_order.clone().into_pyarray(py), offsets.into_pyarray(py))
    }

    /// The unit ranges `(start, stop)` of each segment (sample or stratum).
    fn segments(&self) -> Vec<(usize, usize)> {
        self.inner.segments.iter().map(|s| (s.start, s.end)).collect()
    }
}

/// Estimate, standard error, bias and intervals from replicates (see `utfall.bootstrap`).
#[pyfunction]
#[pyo3(signature = (replicates, estimate, acceleration, levels, methods, quantile_rule=Wrap(QuantileRule::R), variances=None, variance0=None))]
#[allow(clippy::too_many_arguments)]
fn bootstrap_summary<'py>(
    py: Python<'py>,
    replicates: PyReadonlyArray1<f64>,
    estimate: f64,
    acceleration: f64,
    levels: Vec<f64>,
    methods: Vec<Wrap<Method>>,
    quantile_rule: Wrap<QuantileRule>,
    variances: Option<PyReadonlyArray1<f64>>,
    variance0: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    if let Some(bad) = levels.iter().find(|l| !(**l > 0.0 && **l < 1.0)) {
        return Err(spec(py, format!("a confidence level must lie strictly between 0 and 1, got {bad}")));
    }
    let methods: Vec<Method> = methods.into_iter().map(|m| m.0).collect();
    let rule = quantile_rule.0;
    let t = replicates.as_array().to_vec();
    let v = variances.map(|v| v.as_array().to_vec());
    let summary = run(py, || {
        let inputs = Inputs { estimate, acceleration, variances: v.as_deref().zip(variance0) };
        Ok(summarize(&t, &inputs, &levels, &methods, rule))
    })?;
    let out = PyDict::new(py);
    out.set_item("estimate", summary.estimate)?;
    out.set_item("standard_error", summary.standard_error)?;
    out.set_item("bias", summary.bias)?;
    out.set_item("z0", summary.z0)?;
    let intervals: Vec<(&str, f64, f64, f64)> =
        summary.intervals.iter().map(|i| (i.method.name(), i.level, i.low, i.high)).collect();
    out.set_item("intervals", intervals)?;
    out.set_item("warnings", summary.warnings)?;
    Ok(out)
}

/// The BCa acceleration from leave-one-unit-out values and the unit ranges of the segments.
#[pyfunction]
fn jackknife_acceleration(py: Python<'_>, loo: PyReadonlyArray1<f64>, segments: Vec<(usize, usize)>) -> PyResult<f64> {
    let loo = loo.as_array().to_vec();
    if let Some(&(a, b)) = segments.iter().find(|&&(a, b)| a > b || b > loo.len()) {
        return Err(spec(py, format!("segment {a}..{b} is outside the {} leave-one-out values", loo.len())));
    }
    let ranges: Vec<std::ops::Range<usize>> = segments.into_iter().map(|(a, b)| a..b).collect();
    run(py, || Ok(acceleration(&loo, &ranges)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<BootstrapPlan>()?;
    m.add_class::<BootstrapDesign>()?;
    m.add_function(wrap_pyfunction!(bootstrap_summary, m)?)?;
    m.add_function(wrap_pyfunction!(jackknife_acceleration, m)?)?;
    Ok(())
}
