//! Bindings of optimal, full and subclass matching ([`crate::matching::optimal`],
//! [`crate::matching::full`], [`crate::matching::subclass`]).

use super::conversion::Wrap;
use super::run;
use crate::matching::arcs::{subproblems, Restrictions, Scale};
use crate::matching::full::{full, Limits};
use crate::matching::optimal::{optimal, Solved};
use crate::matching::subclass::{subclass_weights as weights_core, subclassify as subclassify_core, Estimand};
use crate::matching::Metric;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

type SolvedOut<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<i64>>,
    f64,
    i64,
);

fn solved_out(py: Python<'_>, s: Solved) -> SolvedOut<'_> {
    let f: Vec<i64> = s.pairs.iter().map(|p| p.0 as i64).collect();
    let o: Vec<i64> = s.pairs.iter().map(|p| p.1 as i64).collect();
    let d: Vec<f64> = s.pairs.iter().map(|p| p.2).collect();
    let sub: Vec<i64> = s.subclass.iter().map(|x| x.map_or(-1, |v| v as i64)).collect();
    (f.into_pyarray(py), o.into_pyarray(py), d.into_pyarray(py), sub.into_pyarray(py), s.total_distance, s.objective)
}

/// The arguments both optimal and full matching take.
struct Problem {
    focal: Vec<bool>,
    eligible: Vec<bool>,
    score: Option<Vec<f64>>,
    coords: Option<(Vec<f64>, usize)>,
    exact: Option<Vec<u32>>,
    antiexact: Vec<Vec<u32>>,
    caliper: Option<(Vec<f64>, f64)>,
    covariate_calipers: Vec<(Vec<f64>, f64)>,
}

impl Problem {
    #[allow(clippy::too_many_arguments)]
    fn extract(
        focal: PyReadonlyArray1<'_, bool>,
        eligible: PyReadonlyArray1<'_, bool>,
        score: Option<PyReadonlyArray1<'_, f64>>,
        coords: Option<PyReadonlyArray2<'_, f64>>,
        exact: Option<PyReadonlyArray1<'_, u32>>,
        antiexact: Vec<PyReadonlyArray1<'_, u32>>,
        caliper: Option<(PyReadonlyArray1<'_, f64>, f64)>,
        covariate_calipers: Vec<(PyReadonlyArray1<'_, f64>, f64)>,
    ) -> PyResult<Problem> {
        let focal = focal.as_array().to_vec();
        let n = focal.len();
        let eligible = eligible.as_array().to_vec();
        let coords = coords.map(|c| (c.as_array().iter().copied().collect::<Vec<f64>>(), c.as_array().ncols()));
        let p = Problem {
            focal,
            eligible,
            score: score.map(|s| s.as_array().to_vec()),
            coords,
            exact: exact.map(|e| e.as_array().to_vec()),
            antiexact: antiexact.iter().map(|a| a.as_array().to_vec()).collect(),
            caliper: caliper.map(|(s, w)| (s.as_array().to_vec(), w)),
            covariate_calipers: covariate_calipers.iter().map(|(s, w)| (s.as_array().to_vec(), *w)).collect(),
        };
        let lengths = [
            p.eligible.len(),
            p.score.as_ref().map_or(n, Vec::len),
            p.coords.as_ref().map_or(n, |c| c.0.len().checked_div(c.1).unwrap_or(n)),
            p.exact.as_ref().map_or(n, Vec::len),
        ];
        if lengths.iter().any(|&l| l != n)
            || p.antiexact.iter().any(|a| a.len() != n)
            || p.caliper.as_ref().is_some_and(|c| c.0.len() != n)
            || p.covariate_calipers.iter().any(|c| c.0.len() != n)
        {
            return Err(PyValueError::new_err("every per-unit array needs one value per unit"));
        }
        Ok(p)
    }

    fn solve(
        &self,
        py: Python<'_>,
        prune: bool,
        f: impl FnOnce(&[crate::matching::arcs::Subproblem], &mut dyn FnMut() -> bool) -> crate::Result<Solved> + Send,
    ) -> PyResult<Solved> {
        let metric = match (&self.score, &self.coords) {
            (Some(s), None) => Metric::Score(s),
            (None, Some((c, dims))) => Metric::Covariates { coords: c, dims: *dims, sort_key: &[] },
            _ => return Err(PyValueError::new_err("give either a score or whitened coordinates")),
        };
        let r = Restrictions {
            exact: self.exact.as_deref(),
            antiexact: self.antiexact.iter().map(Vec::as_slice).collect(),
            caliper: self.caliper.as_ref().map(|(s, w)| (s.as_slice(), *w)),
            covariate_calipers: self.covariate_calipers.iter().map(|(s, w)| (s.as_slice(), *w)).collect(),
        };
        run(py, || {
            let sps = subproblems(&metric, &self.focal, &self.eligible, &r, prune)?;
            let mut count = 0u32;
            // Every 256 augmentations, take the GIL for a moment to look for Ctrl-C.
            let mut check = || {
                count += 1;
                count % 256 != 0 || Python::attach(|py| py.check_signals().is_ok())
            };
            f(&sps, &mut check)
        })
    }
}

fn scale(tol: Option<f64>) -> PyResult<Scale> {
    match tol {
        None => Ok(Scale::Exact),
        Some(t) if t >= 0.0 && t.is_finite() => Ok(Scale::Optmatch { tol: t }),
        Some(t) => Err(PyValueError::new_err(format!("tol must be a non-negative number, got {t}"))),
    }
}

/// Optimal k:1 matching as a minimum-cost flow. Returns (focal rows, other rows and
/// distances of the pairs, subclass per unit (-1: none), total distance, optmatch's
/// integer objective). `tol=None`: exact costs; a number: optmatch's discretisation.
#[pyfunction]
#[pyo3(signature = (focal, eligible, score=None, coords=None, exact=None, antiexact=Vec::new(), caliper=None, covariate_calipers=Vec::new(), ratio=1, tol=None, prune=false))]
#[allow(clippy::too_many_arguments)]
fn optimal_match<'py>(
    py: Python<'py>,
    focal: PyReadonlyArray1<'py, bool>,
    eligible: PyReadonlyArray1<'py, bool>,
    score: Option<PyReadonlyArray1<'py, f64>>,
    coords: Option<PyReadonlyArray2<'py, f64>>,
    exact: Option<PyReadonlyArray1<'py, u32>>,
    antiexact: Vec<PyReadonlyArray1<'py, u32>>,
    caliper: Option<(PyReadonlyArray1<'py, f64>, f64)>,
    covariate_calipers: Vec<(PyReadonlyArray1<'py, f64>, f64)>,
    ratio: usize,
    tol: Option<f64>,
    prune: bool,
) -> PyResult<SolvedOut<'py>> {
    let sc = scale(tol)?;
    let p = Problem::extract(focal, eligible, score, coords, exact, antiexact, caliper, covariate_calipers)?;
    let n = p.focal.len();
    let s = p.solve(py, prune, |sps, check| optimal(sps, n, ratio, sc, check))?;
    Ok(solved_out(py, s))
}

/// Full matching as a minimum-cost flow (optmatch's `fullmatch`); returns as `optimal_match`.
#[pyfunction]
#[pyo3(signature = (focal, eligible, score=None, coords=None, exact=None, antiexact=Vec::new(), caliper=None, covariate_calipers=Vec::new(), min_controls=0.0, max_controls=f64::INFINITY, tol=None))]
#[allow(clippy::too_many_arguments)]
fn full_match<'py>(
    py: Python<'py>,
    focal: PyReadonlyArray1<'py, bool>,
    eligible: PyReadonlyArray1<'py, bool>,
    score: Option<PyReadonlyArray1<'py, f64>>,
    coords: Option<PyReadonlyArray2<'py, f64>>,
    exact: Option<PyReadonlyArray1<'py, u32>>,
    antiexact: Vec<PyReadonlyArray1<'py, u32>>,
    caliper: Option<(PyReadonlyArray1<'py, f64>, f64)>,
    covariate_calipers: Vec<(PyReadonlyArray1<'py, f64>, f64)>,
    min_controls: f64,
    max_controls: f64,
    tol: Option<f64>,
) -> PyResult<SolvedOut<'py>> {
    let sc = scale(tol)?;
    let p = Problem::extract(focal, eligible, score, coords, exact, antiexact, caliper, covariate_calipers)?;
    let n = p.focal.len();
    let limits = Limits { min_controls, max_controls };
    let s = p.solve(py, false, |sps, check| full(sps, n, limits, sc, check))?;
    Ok(solved_out(py, s))
}

/// Subclassification on a score: (subclass per unit (-1: none), cut points).
#[pyfunction]
#[pyo3(signature = (score, treat, eligible, n_subclasses=6, min_n=1, estimand_name=Wrap(Estimand::Att)))]
fn subclassify<'py>(
    py: Python<'py>,
    score: PyReadonlyArray1<'py, f64>,
    treat: PyReadonlyArray1<'py, bool>,
    eligible: PyReadonlyArray1<'py, bool>,
    n_subclasses: usize,
    min_n: usize,
    estimand_name: Wrap<Estimand>,
) -> PyResult<(Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<f64>>)> {
    let e = estimand_name.0;
    let (s, t, el) = (score.as_array().to_vec(), treat.as_array().to_vec(), eligible.as_array().to_vec());
    if t.len() != s.len() || el.len() != s.len() {
        return Err(PyValueError::new_err("score, treat and eligible need one value per unit"));
    }
    let (sub, cuts) = run(py, || subclassify_core(&s, &t, &el, n_subclasses, min_n, e))?;
    let sub: Vec<i64> = sub.iter().map(|x| x.map_or(-1, |v| v as i64)).collect();
    Ok((sub.into_pyarray(py), cuts.into_pyarray(py)))
}

/// MatchIt's weights from subclasses (-1: none), normalised per group.
#[pyfunction]
#[pyo3(signature = (subclass, treat, estimand_name=Wrap(Estimand::Att)))]
fn subclass_weights<'py>(
    py: Python<'py>,
    subclass: PyReadonlyArray1<'py, i64>,
    treat: PyReadonlyArray1<'py, bool>,
    estimand_name: Wrap<Estimand>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let e = estimand_name.0;
    let sub: Vec<Option<u32>> =
        subclass.as_array().iter().map(|&v| if v < 0 { None } else { Some(v as u32) }).collect();
    let t = treat.as_array().to_vec();
    if t.len() != sub.len() {
        return Err(PyValueError::new_err("subclass and treat need one value per unit"));
    }
    Ok(run(py, || weights_core(&sub, &t, e))?.into_pyarray(py))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(optimal_match, m)?)?;
    m.add_function(wrap_pyfunction!(full_match, m)?)?;
    m.add_function(wrap_pyfunction!(subclassify, m)?)?;
    m.add_function(wrap_pyfunction!(subclass_weights, m)?)?;
    Ok(())
}
