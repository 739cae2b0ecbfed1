//! utfall: statistical impact evaluation for social outcomes contracts.
//!
//! The core is plain Rust and knows nothing of Python; the bindings live in
//! [`python`] behind the `python` feature, so `cargo test` needs no interpreter.
//!
//! One module per concept:
//! - [`error`]: the one error type, carrying table, column, row and problem;
//! - [`dates`]: days since 1970-01-01 and calendar horizons ("2y", "36m", "730d");
//! - [`cohort`]: individuals, care episodes, tariffs, a cost ledger and a price
//!   index, and the per-individual windows computed from them;
//! - [`expected`]: expected outcomes per participant from comparison sets over aligned windows;
//! - [`matching`]: nearest-neighbour, exact and coarsened exact matching, propensity scores and distances;
//! - [`rng`]: the random streams (one per replicate or unit of work, so results do not depend on threads);
//! - [`bootstrap`]: a deterministic parallel bootstrap with confidence intervals;
//! - [`concentration`]: Lorenz curves, top shares, Gini and other inequality measures;
//! - [`contract`]: the payment mechanism of an outcomes contract over arrays of metric values, and the tests of change scores;
//! - [`limits`], [`cancel`], [`threads`]: the sizes a caller may ask for, Ctrl-C, reused thread pools;
//! - [`sickleave`]: absence registers, risk groups and the trend-adjusted
//!   valuation of a sick-leave outcomes contract;
//! - [`socioeconomic`]: the social investment calculation (cash flows per actor and year, discounting, Monte Carlo);
//! - [`glm`]: generalised linear models by IRLS (binomial, Gamma, Tweedie, gaussian), as R's `glm`;
//! - [`validity`]: sensitivity to hidden bias (Rosenbaum bounds) and other checks of a comparison;
//! - [`memory`]: the extension's allocator (large blocks in transparent huge pages);
//! - [`synthetic`]: a synthetic register calibrated to the Norrköping figures.

pub mod bootstrap;
pub mod cancel;
pub mod cohort;
pub mod concentration;
pub mod contract;
pub mod dates;
pub mod error;
pub mod expected;
#[cfg(test)]
mod fuzz;
pub mod glm;
pub mod limits;
pub mod matching;
pub mod memory;
pub mod rng;
pub mod sickleave;
pub mod socioeconomic;
pub mod synthetic;
pub mod threads;
pub mod validity;

#[cfg(feature = "python")]
mod python;

pub use error::{Error, Result};
