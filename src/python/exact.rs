//! Bindings of [`crate::matching::exact`]: bins, strata and subclass weights.

use super::run;
use crate::matching::exact::{self, Cuts};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

/// Pairs listed at most by exact matching (a stratum of 1,000 x 100,000 is 1e8 pairs).
const MAX_PAIRS: usize = 50_000_000;

/// Bin numbers (1-based) of `x`: Sturges' bins, `bins` equal-width bins, or inner cut `points`.
#[pyfunction]
#[pyo3(signature = (x, name, bins=None, points=None))]
fn cem_bins<'py>(
    py: Python<'py>,
    x: PyReadonlyArray1<'py, f64>,
    name: &str,
    bins: Option<usize>,
    points: Option<Vec<f64>>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let x = x.as_array().to_vec();
    let out = run(py, || {
        let cuts = match (&points, bins) {
            (Some(p), _) => Cuts::Points(p),
            (None, Some(b)) => Cuts::Bins(b),
            (None, None) => Cuts::Sturges,
        };
        exact::coarsen(&x, cuts, name)
    })?;
    Ok(out.into_pyarray(py))
}

/// Stratum codes of the rows (one per distinct combination of the columns' codes, in sorted
/// order) and the number of strata.
#[pyfunction]
fn strata_codes<'py>(
    py: Python<'py>,
    columns: Vec<PyReadonlyArray1<'py, u32>>,
    n: usize,
) -> PyResult<(Bound<'py, PyArray1<u32>>, usize)> {
    let owned: Vec<Vec<u32>> = columns.iter().map(|c| c.as_array().to_vec()).collect();
    let (codes, k) = run(py, || {
        let slices: Vec<&[u32]> = owned.iter().map(Vec::as_slice).collect();
        exact::strata(&slices, n)
    })?;
    Ok((codes.into_pyarray(py), k))
}

type SubclassOut<'py> = (
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<usize>>,
    Bound<'py, PyArray1<usize>>,
    Bound<'py, PyArray1<usize>>,
    Bound<'py, PyArray1<usize>>,
);

/// MatchIt's ATT subclass weights and the pairs within strata:
/// (weights, subclass, pair_treated, pair_control, pair_slot, unmatched treated rows).
#[pyfunction]
fn subclass_match<'py>(
    py: Python<'py>,
    strata: PyReadonlyArray1<'py, u32>,
    n_strata: usize,
    treat: PyReadonlyArray1<'py, bool>,
) -> PyResult<SubclassOut<'py>> {
    let (strata, treat) = (strata.as_array().to_vec(), treat.as_array().to_vec());
    let s = run(py, || exact::subclasses(&strata, n_strata, &treat, MAX_PAIRS))?;
    Ok((
        s.weights.into_pyarray(py),
        s.subclass.into_pyarray(py),
        s.pair_treated.into_pyarray(py),
        s.pair_control.into_pyarray(py),
        s.pair_slot.into_pyarray(py),
        s.unmatched.into_pyarray(py),
    ))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cem_bins, m)?)?;
    m.add_function(wrap_pyfunction!(strata_codes, m)?)?;
    m.add_function(wrap_pyfunction!(subclass_match, m)?)
}
