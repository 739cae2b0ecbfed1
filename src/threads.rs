//! Thread pools of a requested size, built once and reused.
//!
//! `n_threads=None` runs on rayon's global pool. A given size is checked
//! against [`crate::limits::max_threads`] and served from a small cache of
//! pools (the last [`CACHED_POOLS`] sizes used), so that a loop of calls with
//! the same `n_threads` does not start and stop threads on every call.

use crate::error::{Error, Result};
use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::{Arc, Mutex};

/// Pools kept for reuse.
pub const CACHED_POOLS: usize = 4;

static POOLS: Mutex<Vec<(usize, Arc<ThreadPool>)>> = Mutex::new(Vec::new());

/// The pool of `n` threads, from the cache or newly built.
///
/// # Errors
/// `Error::Spec` for 0 or more than [`crate::limits::max_threads`] threads;
/// `Error::Computation` when the threads cannot be started.
pub fn pool(n: usize) -> Result<Arc<ThreadPool>> {
    crate::limits::check_threads(n)?;
    let mut pools = POOLS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(k) = pools.iter().position(|(size, _)| *size == n) {
        let entry = pools.remove(k);
        let pool = entry.1.clone();
        pools.push(entry);
        return Ok(pool);
    }
    let pool = Arc::new(
        ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map_err(|e| Error::Computation(format!("cannot start {n} threads: {e}")))?,
    );
    if pools.len() >= CACHED_POOLS {
        pools.remove(0);
    }
    pools.push((n, pool.clone()));
    Ok(pool)
}

/// Runs `work` on `n_threads` threads (rayon's global pool when None).
pub fn install<T: Send>(n_threads: Option<usize>, work: impl FnOnce() -> T + Send) -> Result<T> {
    match n_threads {
        None => Ok(work()),
        Some(n) => Ok(pool(n)?.install(work)),
    }
}
