//! Bindings of [`crate::bootstrap`]: a prepared plan run in batches from Python
//! (so that Ctrl-C and the progress bar work between batches), and the interval summary.

use super::{run, to_py};
use crate::bootstrap::designs::{Design, Labels};
use crate::bootstrap::intervals::{summarize, Inputs, Method, QuantileRule};
use crate::bootstrap::jackknife::{acceleration, accelerations};
use crate::bootstrap::statistics::{Linear, Statistic};
use crate::bootstrap::{Plan, Table};
use crate::concentration::Measure;
use crate::error::Error;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

fn spec(py: Python<'_>, message: String) -> PyErr {
    to_py(py, Error::Spec(message))
}

/// A measure of sorted values by name; `value` is its p, q or f.
pub(crate) fn measure(py: Python<'_>, name: &str, value: f64) -> PyResult<Measure> {
    let fraction = |what: &str| {
        if (0.0..=1.0).contains(&value) {
            Ok(value)
        } else {
            Err(spec(py, format!("{what} must be between 0 and 1, got {value}")))
        }
    };
    Ok(match name {
        "top share" => Measure::TopShare(fraction("a top share p")?),
        "top share integer" => Measure::TopShareInteger(fraction("a top share p")?),
        "lorenz" => Measure::Lorenz(fraction("a Lorenz population share")?),
        "quantile" => Measure::Quantile(fraction("a quantile q")?),
        "gini" => Measure::Gini,
        "gini corrected" => Measure::GiniCorrected,
        "hoover" => Measure::Hoover,
        "theil" => Measure::TheilT,
        "mean log deviation" => Measure::MeanLogDeviation,
        "herfindahl" => Measure::Herfindahl,
        "mean" => Measure::Mean,
        other => {
            return Err(spec(py, format!("unknown measure {other:?}; choose from 'top share', 'top share integer', 'lorenz', 'quantile', 'gini', 'gini corrected', 'hoover', 'theil', 'mean log deviation', 'herfindahl', 'mean'")))
        }
    })
}

fn statistic(py: Python<'_>, spec_list: &[(String, f64)]) -> PyResult<Statistic> {
    if let [(name, _)] = spec_list {
        let linear = match name.as_str() {
            "mean" => Some(Linear::Mean),
            "sum" => Some(Linear::Sum),
            "difference of means" => Some(Linear::DifferenceOfMeans),
            "difference of sums" => Some(Linear::DifferenceOfSums),
            "ratio of sums" => Some(Linear::RatioOfSums),
            "ratio of means" => Some(Linear::RatioOfMeans),
            _ => None,
        };
        if let Some(l) = linear {
            return Ok(Statistic::Linear(l));
        }
    }
    let measures = spec_list.iter().map(|(n, v)| measure(py, n, *v)).collect::<PyResult<Vec<_>>>()?;
    if measures.is_empty() {
        return Err(spec(py, "no statistic given".into()));
    }
    Ok(Statistic::Sorted(measures))
}

fn method(py: Python<'_>, name: &str) -> PyResult<Method> {
    Ok(match name {
        "percentile" => Method::Percentile,
        "basic" => Method::Basic,
        "normal" => Method::Normal,
        "bca" => Method::Bca,
        "studentized" => Method::Studentized,
        other => {
            return Err(spec(
                py,
                format!(
                "unknown interval method {other:?}; choose from 'percentile', 'basic', 'normal', 'bca', 'studentized'"
            ),
            ))
        }
    })
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Percentile => "percentile",
        Method::Basic => "basic",
        Method::Normal => "normal",
        Method::Bca => "bca",
        Method::Studentized => "studentized",
    }
}

fn quantile_rule(py: Python<'_>, name: &str) -> PyResult<QuantileRule> {
    match name {
        "r" => Ok(QuantileRule::R),
        "linear" => Ok(QuantileRule::Linear),
        other => Err(spec(py, format!("unknown quantile rule {other:?}; choose 'r' (R boot's norm.inter, the default) or 'linear' (numpy, as scipy)"))),
    }
}

fn in_pool<T: Send>(n_threads: Option<usize>, work: impl FnOnce() -> T + Send) -> crate::Result<T> {
    match n_threads {
        None => Ok(work()),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n.max(1))
                .build()
                .map_err(|e| Error::Computation(format!("cannot start {n} threads: {e}")))?;
            Ok(pool.install(work))
        }
    }
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
        let (values, variances) = run(py, || {
            let mut values = vec![0.0; count * k];
            let mut variances = vec![f64::NAN; count];
            in_pool(n_threads, || plan.run(seed, start, &mut values, &mut variances, want_variance))?;
            Ok((values, variances))
        })?;
        py.check_signals()?;
        let values = ndarray::Array2::from_shape_vec((count, k), values)
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
        Ok((values.into_pyarray(py), variances.into_pyarray(py)))
    }

    /// The statistic on the data (one value per output) and its variance (NaN without one).
    fn estimate(&self) -> (Vec<f64>, f64) {
        self.inner.estimate()
    }

    /// The BCa acceleration of each output, from the jackknife over units.
    #[pyo3(signature = (n_threads=None))]
    fn accelerations(&self, py: Python<'_>, n_threads: Option<usize>) -> PyResult<Vec<f64>> {
        let plan = &self.inner;
        run(py, || in_pool(n_threads, || accelerations(&plan.leave_one_out(), plan.n_outputs(), &plan.design.segments)))
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
    fn resample_rows<'py>(&self, py: Python<'py>, seed: u64, r: u64) -> Bound<'py, PyArray1<u32>> {
        self.inner.resample_rows(seed, r).into_pyarray(py)
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
#[pyo3(signature = (replicates, estimate, acceleration, levels, methods, quantile_rule="r", variances=None, variance0=None))]
#[allow(clippy::too_many_arguments)]
fn bootstrap_summary<'py>(
    py: Python<'py>,
    replicates: PyReadonlyArray1<f64>,
    estimate: f64,
    acceleration: f64,
    levels: Vec<f64>,
    methods: Vec<String>,
    quantile_rule: &str,
    variances: Option<PyReadonlyArray1<f64>>,
    variance0: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    if let Some(bad) = levels.iter().find(|l| !(**l > 0.0 && **l < 1.0)) {
        return Err(spec(py, format!("a confidence level must lie strictly between 0 and 1, got {bad}")));
    }
    let methods = methods.iter().map(|m| method(py, m)).collect::<PyResult<Vec<_>>>()?;
    let rule = self::quantile_rule(py, quantile_rule)?;
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
        summary.intervals.iter().map(|i| (method_name(i.method), i.level, i.low, i.high)).collect();
    out.set_item("intervals", intervals)?;
    out.set_item("warnings", summary.warnings)?;
    Ok(out)
}

/// The BCa acceleration from leave-one-unit-out values and the unit ranges of the segments.
#[pyfunction]
fn jackknife_acceleration(loo: PyReadonlyArray1<f64>, segments: Vec<(usize, usize)>) -> f64 {
    let ranges: Vec<std::ops::Range<usize>> = segments.into_iter().map(|(a, b)| a..b).collect();
    acceleration(loo.as_slice().unwrap_or(&loo.as_array().to_vec()), &ranges)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<BootstrapPlan>()?;
    m.add_class::<BootstrapDesign>()?;
    m.add_function(wrap_pyfunction!(bootstrap_summary, m)?)?;
    m.add_function(wrap_pyfunction!(jackknife_acceleration, m)?)?;
    Ok(())
}
