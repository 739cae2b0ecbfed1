//! The contract's valuation (seed 001, slide 22): expected short-term net days
//! per employee and month from the reference period, adjusted by a national
//! trend, against those observed; the saving; bootstrap intervals.
//!
//! With `S_r(i)`, `S_o(i)` the net short-term days per employee-month of month
//! `i` of the reference and of the observation period (the days 1-14 of every
//! spell at extent, summed over employees and divided by the employee-months of
//! the month), `T_r(i)`, `T_o(i)` the trend factors of those months, and `M` months:
//!
//! - `Se = (1/M) sum_i S_r(i) T_o(i) / T_r(i)` (expected),
//! - `Sn = (1/M) sum_i S_o(i)` (observed),
//! - reduction `max(Se - Sn, 0)`, percent `(Se - Sn) / Se`,
//! - saving `max((Se - Sn) v E, 0)` with `v` the value of a sick day and `E` the
//!   employee-months of the observation period.
//!
//! Replicates resample employees (or whole clusters, e.g. workplaces) with
//! replacement through the bootstrap engine's [`Design`] and per-replicate
//! streams, so a result is bit-identical for any thread count.

use super::{DayRange, Register};
use crate::bootstrap::designs::{Design, Labels};
use crate::bootstrap::replicate_rng;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// The statistics of one evaluation, in output order.
pub const STATISTICS: [&str; 7] = ["se", "sn", "difference", "reduction", "percent", "saving", "employee_months"];

/// What [`evaluate`] needs besides the register.
#[derive(Debug, Clone)]
pub struct EvaluationInput {
    pub reference_month: i32,
    pub observation_month: i32,
    pub n_months: usize,
    /// `T_o(i) / T_r(i)` per month.
    pub trend_ratio: Vec<f64>,
    /// Group code per employee (`None`: one group); employees with a negative code are left out.
    pub groups: Option<Vec<i64>>,
    pub n_groups: usize,
    /// Cluster code per employee for a clustered bootstrap.
    pub clusters: Option<Vec<u32>>,
    /// The value of a sick day per group (SEK).
    pub value_of_a_day: Vec<f64>,
    pub n_resamples: usize,
    pub seed: u64,
}

/// One group's result.
#[derive(Debug, Clone)]
pub struct GroupResult {
    /// The [`STATISTICS`] on the data.
    pub estimate: Vec<f64>,
    /// `n_resamples x STATISTICS.len()` row-major.
    pub replicates: Vec<f64>,
    /// Net short-term days per employee-month, reference and observation, per month.
    pub reference_rate: Vec<f64>,
    pub observation_rate: Vec<f64>,
    pub employees: usize,
    pub units: usize,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub groups: Vec<GroupResult>,
}

/// Per unit: net days and employee-months of each reference then observation month.
struct Units {
    m: usize,
    /// `units x 4m`: days ref, months ref, days obs, months obs.
    values: Vec<f64>,
}

fn statistics(totals: &[f64], m: usize, ratio: &[f64], value: f64, out: &mut [f64]) {
    let (dr, er, dobs, eobs) = (&totals[..m], &totals[m..2 * m], &totals[2 * m..3 * m], &totals[3 * m..]);
    let mut se = 0.0;
    let mut sn = 0.0;
    for i in 0..m {
        se += dr[i] / er[i] * ratio[i];
        sn += dobs[i] / eobs[i];
    }
    se /= m as f64;
    sn /= m as f64;
    let months: f64 = eobs.iter().sum();
    let diff = se - sn;
    out.copy_from_slice(&[se, sn, diff, diff.max(0.0), diff / se, (diff * value * months).max(0.0), months]);
}

/// Evaluates every group and bootstraps it.
///
/// # Errors
/// `Error::Spec` for mismatched lengths or a non-positive trend ratio;
/// `Error::Computation` when a month of a period has no employee in a group
/// (its rate is undefined); `Error::Data` from the design (fewer than two units).
pub fn evaluate(reg: &Register, input: &EvaluationInput) -> Result<Evaluation> {
    let m = input.n_months;
    if m == 0 || input.trend_ratio.len() != m {
        return Err(Error::Spec("the periods need at least one month and one trend ratio per month".into()));
    }
    if let Some(bad) = input.trend_ratio.iter().position(|r| !(r.is_finite() && *r > 0.0)) {
        return Err(Error::Spec(format!(
            "the trend ratio of observation month {bad} is {}; trend factors must be positive numbers",
            input.trend_ratio[bad]
        )));
    }
    if input.value_of_a_day.len() != input.n_groups.max(1) {
        return Err(Error::Spec("one value of a sick day per group".into()));
    }
    // Sizes from the caller, checked before they index or allocate.
    let per_employee = |what: &str, len: Option<usize>| match len {
        Some(l) if l != reg.n => Err(Error::Spec(format!("{what}: {l} values for {} employees", reg.n))),
        _ => Ok(()),
    };
    per_employee("groups", input.groups.as_ref().map(Vec::len))?;
    per_employee("clusters", input.clusters.as_ref().map(Vec::len))?;
    crate::limits::check("the number of groups", input.n_groups.max(1), crate::limits::MAX_CODES)?;
    crate::limits::check_values("sick-leave replicates x statistics", input.n_resamples, STATISTICS.len())?;
    if input.n_resamples > crate::limits::MAX_RESAMPLES {
        crate::limits::check("n_resamples", input.n_resamples, crate::limits::MAX_RESAMPLES)?;
    }
    let short_ref = reg.net_days(DayRange::SHORT_TERM, input.reference_month, m);
    let emp_ref = reg.employed(input.reference_month, m);
    let short_obs = reg.net_days(DayRange::SHORT_TERM, input.observation_month, m);
    let emp_obs = reg.employed(input.observation_month, m);
    let n_groups = input.n_groups.max(1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    for i in 0..reg.n {
        let g = input.groups.as_ref().map_or(0, |g| g[i]);
        if g >= 0 && (g as usize) < n_groups {
            members[g as usize].push(i);
        }
    }
    let mut groups = Vec::with_capacity(n_groups);
    for (g, rows) in members.iter().enumerate() {
        let clusters = input.clusters.as_ref().map(|c| rows.iter().map(|&i| c[i]).collect());
        // Without resamples every employee is a unit and no design is needed (a group may then hold one employee).
        let design = match input.n_resamples {
            0 => None,
            _ => Some(Design::new(rows.len(), &Labels { samples: None, strata: None, clusters })?),
        };
        let unit_rows: Vec<Vec<usize>> = match &design {
            Some(d) => {
                d.units.iter().map(|r| d.row_order[r.clone()].iter().map(|&row| rows[row as usize]).collect()).collect()
            }
            None => rows.iter().map(|&i| vec![i]).collect(),
        };
        let mut units = Units { m, values: vec![0.0; unit_rows.len() * 4 * m] };
        for (u, members) in unit_rows.iter().enumerate() {
            let cell = &mut units.values[u * 4 * m..(u + 1) * 4 * m];
            for &i in members {
                for k in 0..m {
                    cell[k] += short_ref[i * m + k];
                    cell[m + k] += emp_ref[i * m + k];
                    cell[2 * m + k] += short_obs[i * m + k];
                    cell[3 * m + k] += emp_obs[i * m + k];
                }
            }
        }
        groups.push(evaluate_group(
            design.as_ref(),
            &units,
            &input.trend_ratio,
            input.value_of_a_day[g],
            input.n_resamples,
            input.seed,
            rows.len(),
        )?);
    }
    Ok(Evaluation { groups })
}

fn evaluate_group(
    design: Option<&Design>,
    units: &Units,
    ratio: &[f64],
    value: f64,
    b: usize,
    seed: u64,
    employees: usize,
) -> Result<GroupResult> {
    let (m, w) = (units.m, 4 * units.m);
    let mut totals = vec![0.0; w];
    for cell in units.values.chunks(w) {
        for (t, v) in totals.iter_mut().zip(cell) {
            *t += v;
        }
    }
    for (k, what) in [(m, "reference"), (3 * m, "observation")] {
        if let Some(i) = totals[k..k + m].iter().position(|&e| e <= 0.0) {
            return Err(Error::Computation(format!(
                "month {} of the {what} period has no employee in the group: its rate of sick days is undefined",
                i + 1
            )));
        }
    }
    let k = STATISTICS.len();
    let mut estimate = vec![0.0; k];
    statistics(&totals, m, ratio, value, &mut estimate);
    let rate = |d: usize, e: usize| (0..m).map(|i| totals[d + i] / totals[e + i]).collect::<Vec<f64>>();
    let n_units = units.values.len() / w;
    let mut replicates = vec![0.0; b * k];
    let (reference_rate, observation_rate) = (rate(0, m), rate(2 * m, 3 * m));
    let Some(design) = design else {
        return Ok(GroupResult { estimate, replicates, reference_rate, observation_rate, employees, units: n_units });
    };
    replicates.par_chunks_mut(k).enumerate().for_each_init(
        || (vec![0u32; n_units], vec![0.0; w]),
        |(counts, sums), (r, out)| {
            counts.fill(0);
            sums.fill(0.0);
            let mut rng = replicate_rng(seed, r as u64);
            design.draw(&mut rng, |_, u| counts[u] += 1);
            for (u, &c) in counts.iter().enumerate() {
                if c > 0 {
                    let c = c as f64;
                    for (s, v) in sums.iter_mut().zip(&units.values[u * w..(u + 1) * w]) {
                        *s += c * v;
                    }
                }
            }
            statistics(sums, m, ratio, value, out);
        },
    );
    Ok(GroupResult { estimate, replicates, reference_rate, observation_rate, employees, units: n_units })
}
