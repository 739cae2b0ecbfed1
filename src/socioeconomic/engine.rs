//! The Monte Carlo engine: every replicate's cash flows, positions and verdicts.

use super::Model;
use crate::error::{Error, Result};
use rayon::prelude::*;

/// Per replicate `b` and entity `e` (the actors, then society): row-major `[b * E + e]`.
/// Years are `-1` where there is none (never breaks even, never below zero).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub n_replicates: usize,
    pub n_entities: usize,
    pub npv: Vec<f64>,
    pub nominal: Vec<f64>,
    pub pv_benefits: Vec<f64>,
    pub pv_costs: Vec<f64>,
    pub break_even: Vec<i32>,
    pub break_even_nominal: Vec<i32>,
    pub payback: Vec<i32>,
    pub hump_depth: Vec<f64>,
    pub hump_year: Vec<i32>,
    /// Discounted cumulative positions `[(b * E + e) * T + t]`, when kept.
    pub cumulative: Vec<f64>,
    /// Nominal flows `[(b * E + e) * T + t]`, when kept.
    pub flows: Vec<f64>,
}

/// One replicate's numbers for every entity.
struct Row {
    scalars: Vec<[f64; 5]>,
    years: Vec<[i32; 4]>,
    cumulative: Vec<f64>,
    flows: Vec<f64>,
}

/// The first year from `from` on whose position is >= 0, or -1.
fn first_at_or_above_zero(c: &[f64], from: usize) -> i32 {
    c[from..].iter().position(|&v| v >= 0.0).map_or(-1, |t| (t + from) as i32)
}

fn replicate(model: &Model, b: usize) -> Row {
    let (a_n, t_n) = (model.n_actors, model.n_years);
    let e_n = a_n + 1;
    let mut flows = vec![0.0f64; e_n * t_n];
    let mut pv = vec![[0.0f64; 2]; e_n]; // [benefits, costs] (signed sums)
    for c in &model.components {
        let values = c.source.map(|s| {
            let src = &model.sources[s];
            let row = if src.n_rows == 1 { 0 } else { b };
            &src.values[row * t_n..(row + 1) * t_n]
        });
        let mut present = 0.0;
        for t in 0..t_n {
            let x = match values {
                Some(v) => c.coef[t] * v[t],
                None => c.coef[t],
            };
            flows[c.actor * t_n + t] += x;
            if !c.transfer {
                flows[a_n * t_n + t] += x;
            }
            present += model.discount[t] * x;
        }
        let class = usize::from(!c.benefit);
        pv[c.actor][class] += present;
        if !c.transfer {
            pv[a_n][class] += present;
        }
    }
    let mut scalars = Vec::with_capacity(e_n);
    let mut years = Vec::with_capacity(e_n);
    let mut cumulative = vec![0.0f64; e_n * t_n];
    let mut nominal_cum = vec![0.0f64; t_n];
    for e in 0..e_n {
        let f = &flows[e * t_n..(e + 1) * t_n];
        let cum = &mut cumulative[e * t_n..(e + 1) * t_n];
        let (mut disc, mut nom) = (0.0, 0.0);
        for t in 0..t_n {
            disc += model.discount[t] * f[t];
            nom += f[t];
            cum[t] = disc;
            nominal_cum[t] = nom;
        }
        // Break-even and payback count from the entity's first cash flow: before it there is nothing to recover.
        let first = f.iter().position(|&v| v != 0.0).unwrap_or(0);
        let payback = match cum.iter().rposition(|&v| v < 0.0) {
            None => first as i32,
            Some(t) if t + 1 < t_n => (t + 1) as i32,
            Some(_) => -1,
        };
        let (mut low, mut low_year) = (0.0f64, -1i32);
        for (t, &v) in cum.iter().enumerate() {
            if v < low {
                low = v;
                low_year = t as i32;
            }
        }
        scalars.push([disc, nom, pv[e][0], 0.0 - pv[e][1], low]);
        years.push([
            first_at_or_above_zero(cum, first),
            first_at_or_above_zero(&nominal_cum, first),
            payback,
            low_year,
        ]);
    }
    Row { scalars, years, cumulative, flows }
}

/// Runs `n_replicates` replicates of `model`.
///
/// # Errors
/// `Error::Spec` when a source has fewer rows than `n_replicates`; the errors of [`Model::check`].
pub fn simulate(model: &Model, n_replicates: usize, keep_cumulative: bool, keep_flows: bool) -> Result<Outcome> {
    let most = model.check()?;
    if n_replicates == 0 || n_replicates > most {
        return Err(Error::Spec(format!(
            "n_replicates is {n_replicates}; it must be at least 1 and at most the {most} replicates the effects have"
        )));
    }
    let rows: Vec<Row> = (0..n_replicates).into_par_iter().map(|b| replicate(model, b)).collect();
    let e_n = model.n_actors + 1;
    let mut out = Outcome { n_replicates, n_entities: e_n, ..Default::default() };
    for row in rows {
        for e in 0..e_n {
            let [npv, nominal, benefits, costs, depth] = row.scalars[e];
            let [be, be_nom, payback, hump_year] = row.years[e];
            out.npv.push(npv);
            out.nominal.push(nominal);
            out.pv_benefits.push(benefits);
            out.pv_costs.push(costs);
            out.break_even.push(be);
            out.break_even_nominal.push(be_nom);
            out.payback.push(payback);
            out.hump_year.push(hump_year);
            out.hump_depth.push(depth);
        }
        if keep_cumulative {
            out.cumulative.extend_from_slice(&row.cumulative);
        }
        if keep_flows {
            out.flows.extend_from_slice(&row.flows);
        }
    }
    Ok(out)
}

/// Quantiles over the replicates of every column of a `rows x columns` row-major
/// matrix, numpy's default linear rule (R type 7): `columns x probs.len()`.
///
/// # Errors
/// `Error::Spec` for a probability outside [0, 1] or an empty matrix.
pub fn quantile_bands(values: &[f64], rows: usize, columns: usize, probs: &[f64]) -> Result<Vec<f64>> {
    if rows == 0 || values.len() != rows * columns {
        return Err(Error::Spec(format!("quantiles of {} values as {rows} x {columns}", values.len())));
    }
    if let Some(p) = probs.iter().find(|p| !(0.0..=1.0).contains(*p)) {
        return Err(Error::Spec(format!("quantile probability {p} is outside [0, 1]")));
    }
    let out: Vec<Vec<f64>> = (0..columns)
        .into_par_iter()
        .map(|j| {
            let mut col: Vec<f64> = (0..rows).map(|i| values[i * columns + j]).collect();
            col.sort_unstable_by(|a, b| a.total_cmp(b));
            probs
                .iter()
                .map(|&p| {
                    let h = (rows - 1) as f64 * p;
                    let lo = h.floor() as usize;
                    let hi = (lo + 1).min(rows - 1);
                    // numpy's _lerp, for the same bits.
                    let (a, b, w) = (col[lo], col[hi], h - lo as f64);
                    if w >= 0.5 {
                        b - (b - a) * (1.0 - w)
                    } else {
                        a + (b - a) * w
                    }
                })
                .collect()
        })
        .collect();
    Ok(out.into_iter().flatten().collect())
}
