//! Bindings of [`crate::matching`]: the logit fit, covariate whitening and greedy matching.

use super::conversion::{unmatched_code, Vocabulary, Wrap};
use super::{guard, run, run_cancellable};
use crate::matching::covariates::{whiten as whiten_core, CovariateDistance};
use crate::matching::logit::fit_logit_cancellable as fit_logit_core;
use crate::matching::nearest::{Constraints, Greedy, GreedyInput};
use crate::matching::{Metric, Order};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// Treated units matched per chunk between checks for Ctrl-C.
const CHUNK: usize = 2_000;

type LogitOut<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, f64, usize);

/// Logistic regression by IRLS as R's glm, on the design's columns (intercept included):
/// (coefficients, fitted, deviance, iterations).
#[pyfunction]
fn fit_logit<'py>(
    py: Python<'py>,
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    y: PyReadonlyArray1<'py, bool>,
    names: Vec<String>,
) -> PyResult<LogitOut<'py>> {
    // Contiguous columns (pandas' usual) are read in place; others are copied.
    let owned: Vec<Option<Vec<f64>>> =
        columns.iter().map(|c| if c.as_slice().is_ok() { None } else { Some(c.as_array().to_vec()) }).collect();
    let slices: Vec<&[f64]> = columns
        .iter()
        .zip(&owned)
        .map(|(c, o)| match o {
            Some(v) => v.as_slice(),
            None => c.as_slice().unwrap_or(&[]),
        })
        .collect();
    let y = y.as_array().to_vec();
    let fit = run_cancellable(py, |cancel| fit_logit_core(&slices, &y, &names, cancel))?;
    Ok((fit.coefficients.into_pyarray(py), fit.fitted.into_pyarray(py), fit.deviance, fit.iterations))
}

/// Logistic regression with prior weights (glm's `weights =`, MatchIt's `s.weights`):
/// (coefficients, fitted, deviance, iterations).
#[pyfunction]
fn fit_logit_weighted<'py>(
    py: Python<'py>,
    columns: Vec<PyReadonlyArray1<'py, f64>>,
    y: PyReadonlyArray1<'py, bool>,
    weights: PyReadonlyArray1<'py, f64>,
    names: Vec<String>,
) -> PyResult<LogitOut<'py>> {
    let owned: Vec<Vec<f64>> = columns.iter().map(|c| c.as_array().to_vec()).collect();
    let slices: Vec<&[f64]> = owned.iter().map(Vec::as_slice).collect();
    let y = y.as_array().to_vec();
    let weights = weights.as_array().to_vec();
    let fit = run(py, || crate::matching::logit_weighted::fit_logit_weighted(&slices, &y, &weights, &names))?;
    Ok((fit.coefficients.into_pyarray(py), fit.fitted.into_pyarray(py), fit.deviance, fit.iterations))
}

type WhitenOut<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>, Vec<usize>);

/// Whitened covariates for a covariate distance: (coords, sort_key, kept columns).
#[pyfunction]
fn whiten<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    treat: PyReadonlyArray1<'py, bool>,
    eligible: PyReadonlyArray1<'py, bool>,
    distance: Wrap<CovariateDistance>,
    names: Vec<String>,
) -> PyResult<WhitenOut<'py>> {
    let kind = distance.0;
    let p = x.as_array().ncols();
    let flat: Vec<f64> = x.as_array().iter().copied().collect();
    let treat = treat.as_array().to_vec();
    let eligible = eligible.as_array().to_vec();
    let w = run(py, || whiten_core(&flat, p, &treat, &eligible, kind, &names))?;
    let n = treat.len();
    let coords =
        ndarray::Array2::from_shape_vec((n, w.dims), w.coords).map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((coords.into_pyarray(py), w.sort_key.into_pyarray(py), w.kept))
}

type MatchOut<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray2<i64>>,
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i8>>,
    Bound<'py, PyArray1<f64>>,
    &'static str,
);

/// Greedy nearest-neighbour matching as MatchIt 4.7.
///
/// Returns (treated rows, control rows per slot (-1: none), distances per slot,
/// unmatched reason code per treated (-1 matched, 0 no control in stratum, 1 none within
/// the caliper, 2 none left, 3 discarded), weights, order used).
///
/// `discarded`: units outside the common support; `antiexact`: codes a pair must differ
/// on; `covariate_calipers`: (values, absolute width) a pair must be within; with
/// whitened coordinates, `caliper_score`: the score that `caliper` and the matching
/// order apply to (MatchIt's `mahvars`).
#[pyfunction]
#[pyo3(signature = (treat, score=None, coords=None, sort_key=None, exact=None, unit_id=None, ratio=1, replace=false, caliper=None, order_name=None, seed=0, progress=None, discarded=None, antiexact=None, covariate_calipers=None, caliper_score=None))]
#[allow(clippy::too_many_arguments)]
fn nearest_match<'py>(
    py: Python<'py>,
    treat: PyReadonlyArray1<'py, bool>,
    score: Option<PyReadonlyArray1<'py, f64>>,
    coords: Option<PyReadonlyArray2<'py, f64>>,
    sort_key: Option<PyReadonlyArray1<'py, f64>>,
    exact: Option<PyReadonlyArray1<'py, u32>>,
    unit_id: Option<PyReadonlyArray1<'py, u32>>,
    ratio: usize,
    replace: bool,
    caliper: Option<f64>,
    order_name: Option<Wrap<Order>>,
    seed: u64,
    progress: Option<Bound<'py, PyAny>>,
    discarded: Option<PyReadonlyArray1<'py, bool>>,
    antiexact: Option<Vec<PyReadonlyArray1<'py, u32>>>,
    covariate_calipers: Option<Vec<(PyReadonlyArray1<'py, f64>, f64)>>,
    caliper_score: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<MatchOut<'py>> {
    let order = order_name.map(|o| o.0);
    let discarded = discarded.map(|d| d.as_array().to_vec());
    let antiexact: Vec<Vec<u32>> = antiexact.unwrap_or_default().iter().map(|a| a.as_array().to_vec()).collect();
    let covariate_calipers: Vec<(Vec<f64>, f64)> =
        covariate_calipers.unwrap_or_default().iter().map(|(x, w)| (x.as_array().to_vec(), *w)).collect();
    let caliper_score = caliper_score.map(|s| s.as_array().to_vec());
    let treat = treat.as_array().to_vec();
    // A contiguous score (numpy's usual) is read in place, others are copied.
    let score_owned: Option<Vec<f64>> = score.as_ref().filter(|s| s.as_slice().is_err()).map(|s| s.as_array().to_vec());
    let score: Option<&[f64]> = match (&score, &score_owned) {
        (_, Some(owned)) => Some(owned.as_slice()),
        (Some(s), None) => s.as_slice().ok(),
        (None, None) => None,
    };
    let dims = coords.as_ref().map(|c| c.as_array().ncols()).unwrap_or(0);
    let coords: Option<Vec<f64>> = coords.map(|c| c.as_array().iter().copied().collect());
    let sort_key = sort_key.map(|s| s.as_array().to_vec());
    let exact = exact.map(|e| e.as_array().to_vec());
    let unit_id = unit_id.map(|e| e.as_array().to_vec());
    let metric = match (score, &coords, &sort_key) {
        (Some(s), None, None) => Metric::Score(s),
        (None, Some(c), Some(k)) => Metric::Covariates { coords: c, dims, sort_key: k },
        _ => return Err(PyValueError::new_err("give either a score or whitened coordinates with their sort key")),
    };
    let is_covariates = matches!(metric, Metric::Covariates { .. });
    let constraints = Constraints {
        discarded: discarded.as_deref(),
        antiexact: antiexact.iter().map(Vec::as_slice).collect(),
        covariate_calipers: covariate_calipers.iter().map(|(x, w)| (x.as_slice(), *w)).collect(),
        score_caliper: match (&caliper_score, caliper) {
            (Some(s), Some(w)) if is_covariates => Some((s.as_slice(), w)),
            _ => None,
        },
        order_key: caliper_score.as_deref().filter(|_| is_covariates),
    };
    let input = GreedyInput {
        treat: &treat,
        exact: exact.as_deref(),
        unit_id: unit_id.as_deref(),
        ratio,
        replace,
        // With a covariate metric the caliper is on `caliper_score` (above).
        caliper: if is_covariates { None } else { caliper },
        order,
        seed,
        constraints,
    };
    let mut greedy = run(py, || Greedy::new(metric, input))?;
    let total = greedy.total_steps();
    let mut done = 0;
    loop {
        let finished = run(py, || Ok(greedy.advance(CHUNK)))?;
        done = (done + CHUNK).min(total);
        super::interrupted(py)?;
        if let Some(callback) = &progress {
            callback.call1((done, total))?;
        }
        if finished {
            break;
        }
    }
    let m = greedy.finish();
    guard(py, || {
        // As many slots as the fullest treated unit got (never more than the controls there are).
        let width = m.rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let n1 = m.treated.len();
        let mut controls = ndarray::Array2::<i64>::from_elem((n1, width), -1);
        let mut distances = ndarray::Array2::<f64>::from_elem((n1, width), f64::NAN);
        for (i, row) in m.rows.iter().enumerate() {
            for (slot, &(c, d)) in row.iter().enumerate() {
                controls[(i, slot)] = c as i64;
                distances[(i, slot)] = d;
            }
        }
        let reasons: Vec<i8> = m.unmatched.iter().map(|&r| unmatched_code(r)).collect();
        let treated: Vec<i64> = m.treated.iter().map(|&t| t as i64).collect();
        Ok((
            treated.into_pyarray(py),
            controls.into_pyarray(py),
            distances.into_pyarray(py),
            reasons.into_pyarray(py),
            m.weights.into_pyarray(py),
            <Order as Vocabulary>::name(m.order_used),
        ))
    })
}

/// The smallest and largest value of a column in one pass, NaN when one is NaN (numpy's
/// `min`, `max`); a strided column is copied first.
#[pyfunction]
fn value_range(py: Python<'_>, values: PyReadonlyArray1<'_, f64>) -> PyResult<(f64, f64)> {
    match values.as_slice() {
        Ok(v) => run(py, || Ok(crate::matching::design::value_range(v))),
        Err(_) => {
            let v: Vec<f64> = values.as_array().iter().copied().collect();
            run(py, || Ok(crate::matching::design::value_range(&v)))
        }
    }
}

/// The first row whose text id repeats an earlier row's, or None: Arrow's string layout
/// (`offsets`, int32 or int64, one more than the rows; `data`, the UTF-8 bytes), read in place.
#[pyfunction]
fn first_repeated_text(
    py: Python<'_>,
    offsets: &Bound<'_, PyAny>,
    data: PyReadonlyArray1<'_, u8>,
) -> PyResult<Option<usize>> {
    let data = data.as_slice()?;
    if let Ok(o) = offsets.extract::<PyReadonlyArray1<'_, i64>>() {
        let o = o.as_slice()?;
        return run(py, || crate::matching::ids::first_repeated_text(o, data));
    }
    let o = offsets.extract::<PyReadonlyArray1<'_, i32>>()?;
    let o = o.as_slice()?;
    run(py, || crate::matching::ids::first_repeated_text(o, data))
}

/// The first row whose str id repeats an earlier row's, or None: a NumPy object array of
/// str (pandas' object or Python-backed string ids), each read in its UTF-8 form, which
/// CPython keeps beside the string (an ASCII string's own bytes). TypeError when a value
/// is not a str, or has no UTF-8 form (a lone surrogate).
///
/// The bytes are copied into one buffer with offsets, Arrow's layout, and checked as
/// Arrow text is, without the GIL. Copying costs about what reading them in place did
/// (a million scattered strings: 33 ms copied, 35 ms in place, where the check's passes
/// missed the cache on every id), and the check then needs no Python object.
#[pyfunction]
fn first_repeated_str(py: Python<'_>, values: PyReadonlyArray1<'_, Py<PyAny>>) -> PyResult<Option<usize>> {
    let values = values.as_slice()?;
    let mut offsets: Vec<i64> = Vec::with_capacity(values.len() + 1);
    let mut data: Vec<u8> = Vec::with_capacity(8 * values.len());
    offsets.push(0);
    let str_type = std::ptr::addr_of_mut!(pyo3::ffi::PyUnicode_Type);
    for (row, value) in values.iter().enumerate() {
        // The header (and an ASCII string's bytes, which follow it) asked for a few rows
        // ahead, so that the cache misses overlap.
        #[cfg(target_arch = "x86_64")]
        if let Some(ahead) = values.get(row + 12) {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let at = ahead.as_ptr().cast::<i8>();
            // SAFETY: a prefetch reads nothing architecturally; any address is allowed.
            unsafe {
                _mm_prefetch::<_MM_HINT_T0>(at);
                _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(64));
            }
        }
        let not_text = || PyTypeError::new_err(format!("the id in row {row} is not a str with a UTF-8 form"));
        let value = value.as_ptr();
        // SAFETY: `value` is a live object (the array holds it): its type is a plain read.
        // A str itself is told by its type; a subclass by the (slower) general check.
        if unsafe { pyo3::ffi::Py_TYPE(value) } != str_type && unsafe { pyo3::ffi::PyUnicode_Check(value) } == 0 {
            return Err(not_text());
        }
        // SAFETY: `value` is a live str (checked above), which the array holds.
        if !unsafe { append_utf8(py, value, &mut data) } {
            return Err(not_text());
        }
        offsets.push(data.len() as i64);
    }
    run(py, || crate::matching::ids::first_repeated_text(&offsets, &data))
}

/// Appends the UTF-8 form of the str `value` to `data`; false (no Python error left) when it
/// has none.
///
/// # Safety
///
/// `value` must be a live str.
#[cfg(not(windows))]
unsafe fn append_utf8(py: Python<'_>, value: *mut pyo3::ffi::PyObject, data: &mut Vec<u8>) -> bool {
    extern "C" {
        // CPython's since 3.3, in the stable ABI since 3.10 (pyo3 declares it from there; this
        // wheel's ABI is 3.9's, whose interpreters export it all the same, except on Windows,
        // where an abi3 extension links against python3.dll's list).
        fn PyUnicode_AsUTF8AndSize(
            unicode: *mut pyo3::ffi::PyObject,
            size: *mut pyo3::ffi::Py_ssize_t,
        ) -> *const std::os::raw::c_char;
    }
    let mut size: pyo3::ffi::Py_ssize_t = 0;
    // The string's own UTF-8 buffer of `size` bytes (an ASCII string's bytes), copied at once.
    let start = PyUnicode_AsUTF8AndSize(value, &mut size);
    if start.is_null() {
        PyErr::take(py);
        return false;
    }
    data.extend_from_slice(std::slice::from_raw_parts(start.cast::<u8>(), size as usize));
    true
}

/// [`append_utf8`] through a bytes object per string (Windows: python3.dll of 3.9 does not
/// export the string's own UTF-8 buffer).
///
/// # Safety
///
/// `value` must be a live str.
#[cfg(windows)]
unsafe fn append_utf8(py: Python<'_>, value: *mut pyo3::ffi::PyObject, data: &mut Vec<u8>) -> bool {
    let value = Bound::from_borrowed_ptr(py, value);
    match value.downcast::<pyo3::types::PyString>().map(|s| s.to_cow()) {
        Ok(Ok(text)) => {
            data.extend_from_slice(text.as_bytes());
            true
        }
        _ => false,
    }
}

/// The first row whose integer id (64-bit, given as its bits) repeats an earlier row's, or None.
#[pyfunction]
fn first_repeated_integer(py: Python<'_>, values: PyReadonlyArray1<'_, u64>) -> PyResult<Option<usize>> {
    let values = values.as_slice()?;
    run(py, || Ok(crate::matching::ids::first_repeated_integer(values)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(first_repeated_text, m)?)?;
    m.add_function(wrap_pyfunction!(first_repeated_integer, m)?)?;
    m.add_function(wrap_pyfunction!(first_repeated_str, m)?)?;
    m.add_function(wrap_pyfunction!(value_range, m)?)?;
    m.add_function(wrap_pyfunction!(fit_logit, m)?)?;
    m.add_function(wrap_pyfunction!(fit_logit_weighted, m)?)?;
    m.add_function(wrap_pyfunction!(whiten, m)?)?;
    m.add_function(wrap_pyfunction!(nearest_match, m)?)?;
    Ok(())
}
