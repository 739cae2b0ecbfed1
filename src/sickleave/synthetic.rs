//! A synthetic absence register of two municipalities, calibrated to the
//! figures of the seeds: sick leave near 7 % of employed days, 20 % of the
//! employees holding about 75 % of the short-term days, a risk group that comes
//! back from year to year, seasonality, a national trend and an intervention
//! that cuts the incidence of spells by `effect` in the treated municipality
//! from the start of the observation period (2018-09-01).
//!
//! # Model
//! Each municipality has `posts` posts in schools, elder care and home care
//! (45/30/25 %), grouped into workplaces of 20, 30 and 30. A post is held by a
//! succession of employees: tenures exponential with mean 7 years, vacancies
//! exponential with mean 45 days. Spells follow a recurrent-event model: an
//! employee's incidence is `base(sector) * u_workplace * z * season(month) *
//! trend(month) * (1 - effect)` (the last factor for the treated municipality
//! in the observation period), with individual frailty `z ~ Gamma(shape 0.45,
//! mean 1)`, persistent over the employee's tenure, and workplace frailty
//! `u ~ LogNormal(-0.045, 0.3)`. Event times are drawn by thinning. A spell
//! lasts 1-14 days (mostly 1-5) and, with probability `0.09 * z^0.5`, becomes long
//! (15 + LogNormal(median 60) days); short spells are full-time (97 %),
//! long ones often partial (25/50/75 %). Spells are at least a day apart.
//!
//! Deterministic in `seed` whatever the thread count: one random stream per post.

use super::ONGOING;
use crate::dates::{month_key, month_start, ymd};
use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, StandardNormal};
use rand_pcg::Pcg64;
use rayon::prelude::*;

/// The sectors of the synthetic municipalities.
pub const SECTORS: [&str; 3] = ["school", "elder care", "home care"];
const SECTOR_SHARE: [f64; 3] = [0.45, 0.30, 0.25];
const WORKPLACE_SIZE: [usize; 3] = [20, 30, 30];
/// Short-term spells per employee-year at frailty 1.
const BASE_RATE: [f64; 3] = [2.3, 2.9, 3.1];
const SALARY: [f64; 3] = [33_500.0, 27_800.0, 26_900.0];
const FRAILTY_SHAPE: f64 = 0.45;
const LONG_PROBABILITY: f64 = 0.09;
/// Lengths 1..=14 of a short spell, relative weights.
const SHORT_LENGTH: [f64; 14] = [26.0, 17.0, 14.0, 10.0, 8.0, 4.0, 5.0, 3.0, 2.0, 2.0, 2.0, 1.5, 1.5, 2.0];
/// Posts generated per work item (the result does not depend on it).
const CHUNK: usize = 1024;

/// The register as columns; employees are numbered in order of the rows.
#[derive(Debug, Clone, Default)]
pub struct Synthetic {
    pub municipality: Vec<u8>,
    pub sector: Vec<u8>,
    /// Workplace number within the municipality and sector.
    pub workplace: Vec<u32>,
    pub salary: Vec<f64>,
    pub birth_year: Vec<i32>,
    pub employment_first: Vec<i32>,
    /// Last day (inclusive) or [`ONGOING`].
    pub employment_last: Vec<i32>,
    pub spell_employee: Vec<i64>,
    pub spell_first: Vec<i32>,
    pub spell_last: Vec<i32>,
    pub spell_extent: Vec<f64>,
    /// Month keys and the national sick-leave trend factor of each.
    pub trend_month: Vec<i32>,
    pub trend_factor: Vec<f64>,
    pub data_start: i32,
    pub data_end: i32,
}

fn day(y: i32, m: u32, d: u32) -> i32 {
    ymd(y, m, d).expect("a valid date in the model")
}

/// Seasonality: a winter peak and a summer-holiday trough.
fn season(month0: u32) -> f64 {
    let base = 1.0 + 0.18 * (2.0 * std::f64::consts::PI * month0 as f64 / 12.0).cos();
    if month0 == 6 {
        0.6 * base
    } else {
        base
    }
}

/// The national trend (without season): up to 2016, down to 2019, a pandemic bump in 2020.
fn trend(key: i32) -> f64 {
    let t = (key - 12 * 2014) as f64 / 12.0; // years since Jan 2014
    let base = if t < 2.5 { 1.0 + 0.04 * t } else { (1.10 - 0.03 * (t - 2.5)).max(1.0) };
    let year = key.div_euclid(12);
    let month0 = key.rem_euclid(12);
    let pandemic = match (year, month0) {
        (2020, 2..=4) => 1.35,
        (2020, _) | (2021, 0..=2) => 1.12,
        _ => 1.0,
    };
    base * pandemic
}

/// The national trend factor of month `key`: trend times season.
pub fn trend_factor(key: i32) -> f64 {
    trend(key) * season(key.rem_euclid(12) as u32)
}

struct Spec {
    start: i32,
    end: i32,
    observation: i32,
    effect: f64,
}

#[derive(Default)]
struct Rows {
    employees: Vec<(u8, u8, u32, f64, i32, i32, i32)>,
    spells: Vec<(usize, i32, i32, f64)>,
}

fn short_length(rng: &mut Pcg64) -> i32 {
    let total: f64 = SHORT_LENGTH.iter().sum();
    let mut x = rng.random::<f64>() * total;
    for (k, w) in SHORT_LENGTH.iter().enumerate() {
        if x < *w {
            return k as i32 + 1;
        }
        x -= w;
    }
    14
}

fn extent(rng: &mut Pcg64, long: bool) -> f64 {
    let x: f64 = rng.random();
    if !long {
        return if x < 0.97 { 1.0 } else { 0.5 };
    }
    match x {
        x if x < 0.6 => 1.0,
        x if x < 0.7 => 0.75,
        x if x < 0.9 => 0.5,
        _ => 0.25,
    }
}

/// The employees of one post and their spells; `local` numbers employees within the chunk.
fn post(rows: &mut Rows, spec: &Spec, municipality: u8, sector: usize, workplace: u32, u: f64, mut rng: Pcg64) {
    let tenure = Exp::new(1.0 / (7.0 * 365.25)).expect("rate");
    let vacancy = Exp::new(1.0 / 45.0).expect("rate");
    let frailty = Gamma::new(FRAILTY_SHAPE, 1.0 / FRAILTY_SHAPE).expect("shape");
    let long_length = LogNormal::new(60f64.ln(), 0.9).expect("sigma");
    // The first holder was hired up to 15 years before the data start.
    let mut hired = spec.start - (rng.random::<f64>() * 15.0 * 365.25) as i32;
    let max_rate = BASE_RATE[sector] * u * 3.0 * 1.35 * 1.18 / 365.25;
    while hired <= spec.end {
        let leaves = hired.saturating_add(tenure.sample(&mut rng) as i32 + 30);
        let last = if leaves > spec.end { ONGOING } else { leaves };
        let z: f64 = frailty.sample(&mut rng);
        let until = if last == ONGOING { spec.end + 1 } else { last + 1 };
        if until <= spec.start {
            // Left before the data start: not in the register.
            hired = until.saturating_add(vacancy.sample(&mut rng) as i32 + 1);
            continue;
        }
        let salary = SALARY[sector] * (0.1 * rng.sample::<f64, _>(StandardNormal)).exp();
        let birth = crate::dates::year_of(hired) - 22 - (rng.random::<f64>() * 35.0) as i32;
        let who = rows.employees.len();
        rows.employees.push((municipality, sector as u8, workplace, salary.round(), birth, hired, last));
        let rate_max = max_rate * z.max(1e-12);
        let p_long = (LONG_PROBABILITY * z.sqrt()).min(0.5);
        let mut t = hired.max(spec.start) as f64;
        loop {
            t += Exp::new(rate_max).expect("rate").sample(&mut rng);
            if t >= until as f64 {
                break;
            }
            let d = t as i32;
            let key = month_key(d);
            let mut rate = BASE_RATE[sector] * u * z * trend_factor(key) / 365.25;
            if municipality == 0 && d >= spec.observation {
                rate *= 1.0 - spec.effect;
            }
            if rng.random::<f64>() * rate_max >= rate {
                continue;
            }
            let long = rng.random::<f64>() < p_long;
            let length = if long { 15 + long_length.sample(&mut rng) as i32 } else { short_length(&mut rng) };
            let end = (d + length).min(until);
            let last_day = if end > spec.end { ONGOING } else { end - 1 };
            rows.spells.push((who, d, last_day, extent(&mut rng, long)));
            t = (end + 1) as f64;
        }
        hired = until.saturating_add(vacancy.sample(&mut rng) as i32 + 1);
    }
}

/// Generates the register: `posts` posts in each of two municipalities
/// (municipality 0 treated), data from 2014-01-01 to 2021-12-31, an intervention
/// cutting the incidence of spells by `effect` from 2018-09-01.
///
/// # Examples
/// ```
/// let s = utfall::sickleave::synthetic::register(200, 0.12, 1);
/// assert_eq!(s.salary.len(), s.employment_first.len());
/// assert!(s.spell_first.len() > 1000);
/// ```
pub fn register(posts: usize, effect: f64, seed: u64) -> Synthetic {
    let spec = Spec { start: day(2014, 1, 1), end: day(2021, 12, 31), observation: day(2018, 9, 1), effect };
    // Posts of both municipalities, sector by sector, in workplaces.
    let mut layout: Vec<(u8, usize, u32)> = Vec::with_capacity(2 * posts);
    for municipality in 0..2u8 {
        for (s, share) in SECTOR_SHARE.iter().enumerate() {
            let n = (posts as f64 * share).round() as usize;
            layout.extend((0..n).map(|p| (municipality, s, (p / WORKPLACE_SIZE[s]) as u32)));
        }
    }
    let chunks: Vec<Rows> = layout
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, part)| {
            let mut rows = Rows::default();
            for (k, &(municipality, sector, workplace)) in part.iter().enumerate() {
                // The workplace frailty comes from the workplace's own stream.
                let place = ((municipality as u64) << 40) | ((sector as u64) << 32) | workplace as u64;
                let mut wrng = crate::rng::stream(seed ^ 0xA5A5_5A5A, place);
                let u = (0.3 * wrng.sample::<f64, _>(StandardNormal) - 0.045).exp();
                post(
                    &mut rows,
                    &spec,
                    municipality,
                    sector,
                    workplace,
                    u,
                    crate::rng::stream(seed, (c * CHUNK + k) as u64),
                );
            }
            rows
        })
        .collect();
    let mut out = Synthetic { data_start: spec.start, data_end: spec.end, ..Default::default() };
    let mut offset = 0usize;
    for rows in chunks {
        for (m, s, w, salary, birth, first, last) in &rows.employees {
            out.municipality.push(*m);
            out.sector.push(*s);
            out.workplace.push(*w);
            out.salary.push(*salary);
            out.birth_year.push(*birth);
            out.employment_first.push(*first);
            out.employment_last.push(*last);
        }
        for (who, first, last, x) in &rows.spells {
            out.spell_employee.push((offset + who) as i64);
            out.spell_first.push(*first);
            out.spell_last.push(*last);
            out.spell_extent.push(*x);
        }
        offset += rows.employees.len();
    }
    let (k0, k1) = (month_key(spec.start), month_key(spec.end));
    out.trend_month = (k0..=k1).collect();
    out.trend_factor = out.trend_month.iter().map(|&k| trend_factor(k)).collect();
    debug_assert!(month_start(k0) == spec.start);
    out
}
