//! The Python bindings: extract, release the GIL, compute, convert back.
//!
//! Option strings are turned into Rust enums here and never enter the core;
//! core errors become the exceptions of `utfall.errors`; a Rust panic becomes
//! a `utfall.UtfallError` instead of crashing the interpreter.

mod bootstrap;
mod cohort;
mod concentration;
mod contract;
mod conversion;
mod exact;
mod expected;
mod glm;
mod matching;
mod matching_methods;
mod sickleave;
mod socioeconomic;
mod synthetic;
mod validity;

use crate::error::Error;

/// Large blocks in huge pages, the rest from the system (see [`crate::memory`]).
#[global_allocator]
static ALLOCATOR: crate::memory::HugeLarge = crate::memory::HugeLarge;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

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

/// The message of the last panic in the core, kept by the panic hook (which
/// prints nothing: a panic reaches Python as a `utfall.UtfallError`, not as a
/// backtrace on stderr).
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown".into());
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()) = Some(format!("{what}{place}"));
    }));
}

/// The `utfall.UtfallError` for a caught panic.
fn panic_error(py: Python<'_>, panic: Box<dyn std::any::Any + Send>) -> PyErr {
    let recorded = LAST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take();
    let what = recorded
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into());
    raise(
        py,
        "UtfallError",
        format!("internal error in utfall's core ({what}); please report it with the data that caused it"),
        None,
    )
}

/// Runs binding code holding the GIL, turning a panic into a `utfall.UtfallError`:
/// the last line of defence around conversions and allocations outside [`run`].
pub(crate) fn guard<T>(py: Python<'_>, work: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(result) => result,
        Err(panic) => Err(panic_error(py, panic)),
    }
}

/// Runs `work` without the GIL, turning errors and panics into Python exceptions.
pub(crate) fn run<T: Send>(py: Python<'_>, work: impl FnOnce() -> crate::Result<T> + Send) -> PyResult<T> {
    let outcome = py.detach(|| catch_unwind(AssertUnwindSafe(work)));
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(err)) => Err(to_py(py, err)),
        Err(panic) => Err(panic_error(py, panic)),
    }
}

/// Raises KeyboardInterrupt when Ctrl-C was pressed (main thread) or the batch
/// this call runs in was cancelled (`utfall._interrupt`, worker threads).
pub(crate) fn interrupted(py: Python<'_>) -> PyResult<()> {
    py.check_signals()?;
    py.import("utfall._interrupt")?.getattr("check")?.call0()?;
    Ok(())
}

/// How often a cancellable call looks for Ctrl-C.
const POLL: Duration = Duration::from_millis(50);

/// [`run`] for long work: `work` runs in a helper thread with a cancel flag
/// while this thread checks for Ctrl-C every 50 ms; on an interrupt the flag is
/// set, the work stops at its next check (see [`crate::cancel`]) and
/// KeyboardInterrupt is raised.
pub(crate) fn run_cancellable<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let flag = AtomicBool::new(false);
    let (outcome, interrupt) = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<()>();
        let flag = &flag;
        let handle = scope.spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| work(flag)));
            let _ = tx.send(());
            result
        });
        let mut interrupt = None;
        let mut rx = rx;
        loop {
            let (finished, back) =
                py.detach(move || (!matches!(rx.recv_timeout(POLL), Err(mpsc::RecvTimeoutError::Timeout)), rx));
            rx = back;
            if finished {
                break;
            }
            if interrupt.is_none() {
                if let Err(e) = interrupted(py) {
                    flag.store(true, Ordering::Relaxed);
                    interrupt = Some(e);
                }
            }
        }
        let outcome = py.detach(|| handle.join());
        (outcome, interrupt)
    });
    if let Some(e) = interrupt {
        return Err(e);
    }
    match outcome {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(err))) => Err(to_py(py, err)),
        Ok(Err(panic)) | Err(panic) => Err(panic_error(py, panic)),
    }
}

/// Parses a horizon string, raising `utfall.SpecError` on nonsense.
pub(crate) fn horizon(py: Python<'_>, text: &str) -> PyResult<crate::dates::Horizon> {
    crate::dates::Horizon::parse(text).map_err(|e| to_py(py, e))
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    install_panic_hook();
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MAX_RATIO", crate::limits::MAX_RATIO)?;
    m.add("MAX_RESAMPLES", crate::limits::MAX_RESAMPLES)?;
    m.add("MAX_VALUES", crate::limits::MAX_VALUES)?;
    m.add("MAX_MONTHS", crate::limits::MAX_MONTHS)?;
    m.add("MAX_SYNTHETIC_INDIVIDUALS", crate::limits::MAX_SYNTHETIC_INDIVIDUALS)?;
    m.add("MAX_THREADS", crate::limits::max_threads())?;
    conversion::register(m)?;
    cohort::register(m)?;
    synthetic::register(m)?;
    bootstrap::register(m)?;
    concentration::register(m)?;
    contract::register(m)?;
    matching::register(m)?;
    sickleave::register(m)?;
    glm::register(m)?;
    validity::register(m)?;
    matching_methods::register(m)?;
    expected::register(m)?;
    exact::register(m)?;
    socioeconomic::register(m)?;
    Ok(())
}
