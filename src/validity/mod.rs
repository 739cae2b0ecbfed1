//! Can the comparison be trusted: sensitivity to hidden bias.
//!
//! - [`rosenbaum`]: Rosenbaum bounds for matched pairs (Wilcoxon signed rank, as
//!   `rbounds::psens`) and for sets with several controls (m-statistics, as
//!   `sensitivitymv::senmv`), Hodges-Lehmann bounds, the sensitivity value of `Gamma`, and
//!   the E-value of a ratio.

pub mod rosenbaum;
