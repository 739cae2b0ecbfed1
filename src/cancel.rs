//! Cooperative cancellation of long computations (Ctrl-C).
//!
//! A long core function takes a `&AtomicBool` and checks it between chunks of
//! its work (every replicate, every left-out unit, every iteration); once it is
//! set the function stops and returns [`Error::Interrupted`]. The Python
//! bindings run such a function in a helper thread and set the flag when the
//! interpreter sees Ctrl-C (or the batch the call belongs to is cancelled),
//! so that an interrupt is honoured within a fraction of a second.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag that is never set: for callers that do not cancel.
pub static NEVER: AtomicBool = AtomicBool::new(false);

/// Whether `flag` is set.
#[inline]
pub fn is_set(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed)
}

/// `Err(Interrupted)` when `flag` is set.
#[inline]
pub fn check(flag: &AtomicBool) -> Result<()> {
    if is_set(flag) {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}
