//! Limits on the sizes a caller controls, checked before anything is allocated.
//!
//! A size that allocates (a matching ratio, a number of resamples, months of a
//! trajectory, threads, the size of a synthetic register, a number of codes) is
//! checked against these limits first, so that a typo such as `ratio=2**40`
//! gives an [`Error::Spec`] naming the argument and the limit instead of a
//! capacity-overflow panic or a failed allocation that aborts the process.
//!
//! | limit | value | why |
//! |---|---|---|
//! | [`MAX_RATIO`] | 1,000 | controls per treated unit (k:1); MatchIt's ratios are single digits |
//! | [`MAX_RESAMPLES`] | 100,000,000 | bootstrap replicates (800 MB of float64 for one statistic) |
//! | [`MAX_VALUES`] | 250,000,000 | values in one result array (2 GB of float64): replicates x outputs, individuals x months, treated x ratio |
//! | [`MAX_MONTHS`] | 12,000 | months of a trajectory (1,000 years, the longest horizon) |
//! | [`MAX_SYNTHETIC_INDIVIDUALS`] | 10,000,000 | individuals of a synthetic register |
//! | [`MAX_CODES`] | 1,000,000 | care types, ledger categories, strata codes |
//! | [`max_threads`] | 4 x the cores | threads of one computation ([`THREADS_PER_CORE`]) |

use crate::error::{Error, Result};

/// Controls per treated unit.
pub const MAX_RATIO: usize = 1_000;
/// Bootstrap replicates of one call.
pub const MAX_RESAMPLES: usize = 100_000_000;
/// Values (f64) in one result array.
pub const MAX_VALUES: usize = 250_000_000;
/// Months of a trajectory.
pub const MAX_MONTHS: usize = 12_000;
/// Individuals (participants plus historical) of a synthetic register.
pub const MAX_SYNTHETIC_INDIVIDUALS: usize = 10_000_000;
/// Distinct codes (care types, categories, strata).
pub const MAX_CODES: usize = 1_000_000;
/// Threads allowed per core of the machine.
pub const THREADS_PER_CORE: usize = 4;

/// The cores of this machine (1 when unknown).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The most threads one computation may ask for: [`THREADS_PER_CORE`] times the cores.
pub fn max_threads() -> usize {
    THREADS_PER_CORE * cores()
}

/// `Err(Spec)` unless `1 <= value <= max`; the message names `name` and the limit.
///
/// # Examples
/// ```
/// assert!(utfall::limits::check("ratio", 3, utfall::limits::MAX_RATIO).is_ok());
/// let e = utfall::limits::check("ratio", 1 << 40, utfall::limits::MAX_RATIO).unwrap_err();
/// assert!(e.to_string().contains("ratio") && e.to_string().contains("1000"));
/// ```
pub fn check(name: &str, value: usize, max: usize) -> Result<()> {
    if value == 0 {
        return Err(Error::Spec(format!("{name} must be at least 1, got 0")));
    }
    if value > max {
        return Err(Error::Spec(format!(
            "{name} = {value} is above the limit of {max} (see utfall's documented limits)"
        )));
    }
    Ok(())
}

/// `Err(Spec)` when `rows x columns` values would exceed [`MAX_VALUES`].
pub fn check_values(what: &str, rows: usize, columns: usize) -> Result<()> {
    match rows.checked_mul(columns) {
        Some(n) if n <= MAX_VALUES => Ok(()),
        _ => Err(Error::Spec(format!("{what}: {rows} x {columns} values is above the limit of {MAX_VALUES} values in one result (about 2 GB); use fewer")))
    }
}

/// `Err(Spec)` for a thread count of 0 or above [`max_threads`].
pub fn check_threads(n: usize) -> Result<()> {
    let max = max_threads();
    if n == 0 || n > max {
        return Err(Error::Spec(format!(
            "n_threads = {n} must be between 1 and {max} ({THREADS_PER_CORE} x the {} cores of this machine)",
            cores()
        )));
    }
    Ok(())
}
