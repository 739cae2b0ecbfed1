//! The Python bindings: extract, release the GIL, compute, convert back.
//!
//! Option strings are turned into Rust enums here and never enter the core;
//! core errors become the exceptions of `utfall.errors`; a Rust panic becomes
//! a `utfall.UtfallError` instead of crashing the interpreter.

mod bootstrap;
mod cohort;
mod concentration;
mod expected;
mod matching;
mod matching_methods;
mod synthetic;

use crate::error::Error;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Raises the `utfall.errors` exception `name` with `message` and keyword attributes.
fn raise(py: Python<'_>, name: &str, message: String, attrs: Option<Bound<'_, PyDict>>) -> PyErr {
    let class = py.import("utfall.errors").and_then(|m| m.getattr(name));
    match class {
        Ok(class) => match class.call((message.clone(),), attrs.as_ref()) {
            Ok(instance) => PyErr::from_value(instance),
            Err(e) => e,
        },
        Err(_) => pyo3::exceptions::PyValueError::new_err(message),
    }
}

/// Converts a core error into the matching `utfall` exception.
pub(crate) fn to_py(py: Python<'_>, err: Error) -> PyErr {
    match err {
        Error::Data { location, problem } => {
            let attrs = PyDict::new(py);
            let _ = attrs.set_item("table", location.table);
            let _ = attrs.set_item("column", location.column);
            let _ = attrs.set_item("row", location.row);
            let _ = attrs.set_item("problem", problem.clone());
            raise(py, "DataError", format!("{location}: {problem}"), Some(attrs))
        }
        Error::Spec(message) => raise(py, "SpecError", message, None),
        Error::Computation(message) => raise(py, "ComputationError", message, None),
        Error::Interrupted => PyKeyboardInterrupt::new_err("interrupted"),
    }
}

/// Runs `work` without the GIL, turning errors and panics into Python exceptions.
pub(crate) fn run<T: Send>(py: Python<'_>, work: impl FnOnce() -> crate::Result<T> + Send) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(work)));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(to_py(py, err)),
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
            Err(raise(
                py,
                "UtfallError",
                format!("internal error in utfall's core ({what}); please report it with the data that caused it"),
                None,
            ))
        }
    }
}

/// Parses a horizon string, raising `utfall.SpecError` on nonsense.
pub(crate) fn horizon(py: Python<'_>, text: &str) -> PyResult<crate::dates::Horizon> {
    crate::dates::Horizon::parse(text).map_err(|e| to_py(py, e))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    cohort::register(m)?;
    synthetic::register(m)?;
    bootstrap::register(m)?;
    concentration::register(m)?;
    matching::register(m)?;
    matching_methods::register(m)?;
    expected::register(m)?;
    Ok(())
}
