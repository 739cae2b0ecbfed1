//! A synthetic register of children placed in residential care, calibrated to
//! the published Norrköping figures, for demonstrations, tests and benchmarks.
//!
//! # The generating model
//!
//! Every individual is simulated alone from its own random stream
//! [`crate::rng::stream`]`(seed, unit)`: participant `i` uses unit `i`, historical
//! individual `j` uses unit `2^40 + j`, so adding historical individuals never
//! changes the participants, and the register is bit-identical for any thread count.
//!
//! **Who.** Participants are included uniformly between 2016-08-01 and
//! 2018-12-31, historical individuals have an index placement uniformly in
//! 2013-2015 (the index date is inclusion, resp. the start of the index
//! placement). A latent care need `z = mu + h + N(0, 1)` drives everything below,
//! with `h = 1.2` for a heavy-need fifth (0 otherwise; the mixture gives the heavy
//! tail of care days), `mu = 0` for historical individuals and `mu = 0.25` for
//! participants (the project recruited somewhat heavier cases, so matching matters). Covariates:
//! age at index 12-17 (participants somewhat younger), sex (40 % girls among
//! historical, 45 % among participants), a neuropsychiatric diagnosis with
//! probability `logistic(-0.5 + 0.8 z)` and substance use with probability
//! `logistic(-1.5 + 0.4 (age - 14) + 0.7 z)`. The extract date (`data_end`) is
//! 2021-10-31 (so that, as in Norrköping, about 55 of 60 participants have
//! three complete years); 4 % have an earlier end of data (moved away, died), uniform
//! between 60 days after the index date and the extract.
//!
//! **Placements.** A semi-Markov chain of spells at home and in care
//! (HVB, SiS, foster home, emergency home). Lengths are lognormal,
//! `exp(ln(median) + sigma * N(0,1))`, scaled by the care need
//! `f = exp(0.6 z)`:
//! - before the index date, from `1 + U(0, age - 11)` years earlier: home spells
//!   with median `250 / f` days (sigma 1.0), placements in foster home (45 %),
//!   emergency home (25 %), HVB (25 %) or SiS (5 %) with the lengths below
//!   times `f^0.8` instead of `f`; a placement that reaches
//!   the index date is ended there (the index placement is a move);
//! - the index placement is SiS with probability `logistic(-1.6 + 0.5 z + 0.6 substance)`,
//!   otherwise HVB; placement lengths have medians HVB 120, SiS 88, foster home
//!   300, emergency home 45 days, times `f`, sigma 1.0, at least 1 day;
//! - after a placement the child is moved directly to another one with
//!   probability `min(0.35 f^0.5, 0.8)` (to HVB 40 %, SiS 15 %, foster home 35 %,
//!   emergency home 10 %); otherwise they return home. After a return home the
//!   child stays home for good with probability `min(0.45 / f, 0.9)`; otherwise
//!   they are re-placed (HVB 45 %, SiS 15 %, foster home 25 %, emergency home 15 %)
//!   after a home spell of median `200 / f` days (sigma 1.1);
//! - an episode still running at the individual's end of data has no end date.
//!
//! **Outpatient care** (the `costs` ledger, category `outpatient`, billed once
//! per decision on its date): during every home spell, decisions arrive as a
//! Poisson process of rate `f^0.5 / 240` per day in its first 540 days; an
//! amount is lognormal with median 90,000 SEK (sigma 0.8), nominal prices of its year.
//!
//! **Intervention effect.** For participants after inclusion: placement lengths
//! times 0.93 and re-placement after a return home 10 % less likely, but 20 %
//! more outpatient decisions (after-care). A small effect, of the order of the
//! Norrköping result (roughly break-even).
//!
//! **Prices.** Daily tariffs per care type in nominal SEK, changing on
//! 1 January of most years and once mid-year per type (e.g. HVB on 2015-07-01),
//! so that pricing is piecewise within episodes; around 2016 HVB costs
//! ~3,900/day, SiS ~6,200, foster home ~1,100 and emergency home ~2,100. The
//! price index is a KPI-like yearly series 2005-2021 (close to the Swedish CPI
//! annual averages, 1980 = 100); the base year is 2021.
//!
//! # Calibration
//! On a register of 20,000 historical individuals (seed 1, tested below): over
//! the two years after the index date, the 20 % most care-heavy hold 46.6 %
//! of the HVB+SiS care days and the 50 % most care-heavy 84.2 % (the
//! pre-study: 47 % and 83 %); the mean two-year social-services cost of a
//! complete historical individual is 1.64 MSEK in 2021 prices (Norrköping: expected
//! 101.6 MSEK for 60 participants).
//!
//! # Performance
//! A million historical individuals (4.8 million episodes, 4.6 million ledger
//! rows) take about 0.5 s on 2 cores (0.7 s on one).

use crate::cohort::{CohortInput, ONGOING};
use crate::dates::ymd;
use rand::Rng;
use rand_distr::StandardNormal;
use rand_pcg::Pcg64;
use rayon::prelude::*;

/// Care types, in the code order of [`Register::episode_type`].
pub const CARE_TYPES: [&str; 4] = ["HVB", "SiS", "foster_home", "emergency_home"];
/// Ledger categories, in the code order of [`Register::ledger_category`].
pub const CATEGORIES: [&str; 1] = ["outpatient"];
/// The first random-stream unit of the historical individuals.
pub const HISTORICAL_UNIT: u64 = 1 << 40;

const HVB: u32 = 0;
const SIS: u32 = 1;
const FOSTER: u32 = 2;
const EMERGENCY: u32 = 3;

/// Median placement length in days per care type (before scaling by care need).
const MEDIAN_STAY: [f64; 4] = [120.0, 88.0, 300.0, 45.0];
/// Type distributions of a placement: before the index date, a direct move, a re-placement.
const PRE_INDEX_MIX: [f64; 4] = [0.25, 0.05, 0.45, 0.25];
const MOVE_MIX: [f64; 4] = [0.40, 0.15, 0.35, 0.10];
const REPLACEMENT_MIX: [f64; 4] = [0.45, 0.15, 0.25, 0.15];

/// Daily tariffs: (care type, valid from (y, m, d), nominal SEK per day).
const TARIFFS: [(u32, (i32, u32, u32), f64); 22] = [
    (HVB, (2005, 1, 1), 3100.0),
    (HVB, (2009, 1, 1), 3350.0),
    (HVB, (2013, 1, 1), 3550.0),
    (HVB, (2015, 7, 1), 3850.0),
    (HVB, (2017, 1, 1), 4050.0),
    (HVB, (2019, 1, 1), 4300.0),
    (HVB, (2020, 1, 1), 4500.0),
    (SIS, (2005, 1, 1), 4700.0),
    (SIS, (2010, 1, 1), 5200.0),
    (SIS, (2013, 1, 1), 5600.0),
    (SIS, (2016, 7, 1), 6200.0),
    (SIS, (2019, 1, 1), 6900.0),
    (FOSTER, (2005, 1, 1), 750.0),
    (FOSTER, (2010, 1, 1), 850.0),
    (FOSTER, (2013, 1, 1), 950.0),
    (FOSTER, (2016, 1, 1), 1100.0),
    (FOSTER, (2019, 1, 1), 1250.0),
    (EMERGENCY, (2005, 1, 1), 1500.0),
    (EMERGENCY, (2010, 1, 1), 1700.0),
    (EMERGENCY, (2013, 1, 1), 1850.0),
    (EMERGENCY, (2016, 4, 1), 2100.0),
    (EMERGENCY, (2019, 1, 1), 2400.0),
];

/// KPI-like yearly index 2005-2021 (1980 = 100).
const PRICE_INDEX: [(i32, f64); 17] = [
    (2005, 278.1),
    (2006, 281.9),
    (2007, 290.5),
    (2008, 300.5),
    (2009, 299.0),
    (2010, 302.5),
    (2011, 311.4),
    (2012, 314.2),
    (2013, 314.1),
    (2014, 313.5),
    (2015, 313.4),
    (2016, 316.4),
    (2017, 322.1),
    (2018, 328.4),
    (2019, 334.0),
    (2020, 335.0),
    (2021, 343.2),
];

/// The share of individuals with a heavy care need, and how much heavier.
const HEAVY_SHARE: f64 = 0.2;
const HEAVY_SHIFT: f64 = 1.2;

/// Outpatient decisions are made in the first days of a home spell only.
const OUTPATIENT_SPAN: i32 = 540;

/// Individuals generated per parallel work item (the result does not depend on it).
const CHUNK: usize = 4096;

/// A synthetic register: individuals, episodes, an outpatient ledger, tariffs
/// and a price index, as columns. Participants come first, then historical
/// individuals; episodes and ledger rows refer to individuals by position.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub participant: Vec<bool>,
    pub index_date: Vec<i32>,
    /// Each individual's last observed day (inclusive); `data_end` for most.
    pub end_of_data: Vec<i32>,
    pub age: Vec<u8>,
    pub girl: Vec<bool>,
    pub diagnosis: Vec<bool>,
    pub substance_use: Vec<bool>,
    pub episode_individual: Vec<i64>,
    pub episode_start: Vec<i32>,
    /// [`ONGOING`] for an episode still running at the individual's end of data.
    pub episode_end: Vec<i32>,
    /// Codes into [`CARE_TYPES`].
    pub episode_type: Vec<u32>,
    pub ledger_individual: Vec<i64>,
    pub ledger_date: Vec<i32>,
    pub ledger_amount: Vec<f64>,
    pub ledger_category: Vec<u32>,
    pub tariff_type: Vec<u32>,
    pub tariff_from: Vec<i32>,
    pub tariff_cost: Vec<f64>,
    pub price_years: Vec<i32>,
    pub price_values: Vec<f64>,
    /// The extract date (inclusive).
    pub data_end: i32,
    pub base_year: i32,
}

fn day(y: i32, m: u32, d: u32) -> i32 {
    ymd(y, m, d).expect("a valid calendar date in the model")
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn normal(rng: &mut Pcg64) -> f64 {
    rng.sample(StandardNormal)
}

/// `exp(ln(median) + sigma * N(0,1))` days, at least one.
fn lognormal_days(rng: &mut Pcg64, median: f64, sigma: f64) -> i32 {
    let x = median * (sigma * normal(rng)).exp();
    x.clamp(1.0, 20_000.0).round() as i32
}

fn pick(rng: &mut Pcg64, weights: &[f64; 4]) -> u32 {
    let mut u: f64 = rng.random::<f64>() * weights.iter().sum::<f64>();
    for (k, w) in weights.iter().enumerate() {
        if u < *w {
            return k as u32;
        }
        u -= w;
    }
    3
}

/// One simulated individual's rows (episodes and ledger) appended to a chunk buffer.
#[derive(Default)]
struct Rows {
    ind: Vec<(bool, i32, i32, u8, bool, bool, bool)>,
    episodes: Vec<(i64, i32, i32, u32)>,
    ledger: Vec<(i64, i32, f64)>,
}

/// What differs between participants and historical individuals.
struct Group {
    participant: bool,
    first_index: i32,
    last_index: i32,
    need_shift: f64,
    girls: f64,
    ages: [f64; 6],
}

/// The generator of one individual; `who` is their position in the register.
struct Life<'a> {
    rng: Pcg64,
    rows: &'a mut Rows,
    who: i64,
    f: f64,
    observed_until: i32,
}

impl Life<'_> {
    fn placement(&mut self, start: i32, end: i32, kind: u32) {
        let end = if end >= self.observed_until { ONGOING } else { end };
        self.rows.episodes.push((self.who, start, end, kind));
    }

    /// Outpatient decisions during the first [`OUTPATIENT_SPAN`] days of the home spell `[a, b)`.
    fn outpatient(&mut self, a: i32, b: i32, rate_factor: f64) {
        let rate = self.f.sqrt() / 240.0 * rate_factor;
        let mut t = a as f64;
        let b = b.min(self.observed_until).min(a.saturating_add(OUTPATIENT_SPAN)) as f64;
        loop {
            t += -(1.0 - self.rng.random::<f64>()).ln() / rate;
            if t >= b {
                break;
            }
            let amount = (90_000.0 * (0.8 * normal(&mut self.rng)).exp()).round();
            self.rows.ledger.push((self.who, t as i32, amount));
        }
    }

    /// The placement history before the index date.
    fn before_index(&mut self, index: i32, age: u8) {
        let years = 1.0 + self.rng.random::<f64>() * (age as f64 - 11.0);
        let mut t = index - (years * 365.25) as i32;
        loop {
            let home = lognormal_days(&mut self.rng, 250.0 / self.f, 1.0);
            self.outpatient(t, (t + home).min(index), 1.0);
            t += home;
            if t >= index {
                return;
            }
            let kind = pick(&mut self.rng, &PRE_INDEX_MIX);
            let stay = lognormal_days(&mut self.rng, MEDIAN_STAY[kind as usize] * self.f.powf(0.8), 1.0);
            self.placement(t, (t + stay).min(index), kind);
            t += stay;
            if t >= index {
                return;
            }
        }
    }

    /// Placements from the index placement on, until the end of data.
    fn after_index(&mut self, index: i32, first: u32, effect: &Effect) {
        let (mut t, mut kind) = (index, first);
        let until = self.observed_until;
        let stay_scale = self.f * effect.stay;
        loop {
            let stay = lognormal_days(&mut self.rng, MEDIAN_STAY[kind as usize] * stay_scale, 1.0);
            self.placement(t, t + stay, kind);
            t += stay;
            if t >= until {
                return;
            }
            if self.rng.random::<f64>() < (0.35 * self.f.sqrt()).min(0.8) {
                kind = pick(&mut self.rng, &MOVE_MIX);
                continue;
            }
            let settles = (0.45 / self.f).min(0.9);
            let replaced = self.rng.random::<f64>() >= settles && self.rng.random::<f64>() < effect.replacement;
            if !replaced {
                self.outpatient(t, until, effect.outpatient);
                return;
            }
            let home = lognormal_days(&mut self.rng, 200.0 / self.f, 1.1);
            self.outpatient(t, t + home, effect.outpatient);
            t += home;
            if t >= until {
                return;
            }
            kind = pick(&mut self.rng, &REPLACEMENT_MIX);
        }
    }
}

/// Multipliers of the intervention (all 1 for historical individuals).
struct Effect {
    stay: f64,
    replacement: f64,
    outpatient: f64,
}

const NO_EFFECT: Effect = Effect { stay: 1.0, replacement: 1.0, outpatient: 1.0 };
const INTERVENTION: Effect = Effect { stay: 0.93, replacement: 0.90, outpatient: 1.2 };

fn simulate(rows: &mut Rows, who: usize, rng: Pcg64, group: &Group, data_end: i32) {
    let mut life = Life { rng, rows, who: who as i64, f: 1.0, observed_until: data_end + 1 };
    let rng = &mut life.rng;
    let heavy = if rng.random::<f64>() < HEAVY_SHARE { HEAVY_SHIFT } else { 0.0 };
    let z = group.need_shift + heavy + normal(rng);
    let index = group.first_index + (rng.random::<f64>() * (group.last_index - group.first_index + 1) as f64) as i32;
    let age = 12 + pick6(rng, &group.ages);
    let girl = rng.random::<f64>() < group.girls;
    let diagnosis = rng.random::<f64>() < logistic(-0.5 + 0.8 * z);
    let substance = rng.random::<f64>() < logistic(-1.5 + 0.4 * (age as f64 - 14.0) + 0.7 * z);
    let end_of_data = if rng.random::<f64>() < 0.04 {
        let earliest = (index + 60).min(data_end);
        earliest + (rng.random::<f64>() * (data_end - earliest + 1) as f64) as i32
    } else {
        data_end
    };
    let first =
        if rng.random::<f64>() < logistic(-1.6 + 0.5 * z + if substance { 0.6 } else { 0.0 }) { SIS } else { HVB };
    life.f = (0.6 * z).exp();
    life.observed_until = end_of_data + 1;
    life.before_index(index, age);
    let effect = if group.participant { &INTERVENTION } else { &NO_EFFECT };
    life.after_index(index, first, effect);
    life.rows.ind.push((group.participant, index, end_of_data, age, girl, diagnosis, substance));
}

fn pick6(rng: &mut Pcg64, weights: &[f64; 6]) -> u8 {
    let mut u: f64 = rng.random::<f64>();
    for (k, w) in weights.iter().enumerate() {
        if u < *w {
            return k as u8;
        }
        u -= w;
    }
    5
}

/// Generates a register of `n_participants` and `n_historical` individuals.
///
/// Deterministic in `seed` whatever the number of threads (one random stream
/// per individual, chunks concatenated in order).
///
/// # Examples
/// ```
/// let r = utfall::synthetic::register(60, 400, 1);
/// assert_eq!(r.index_date.len(), 460);
/// assert!(r.participant[..60].iter().all(|&p| p));
/// assert_eq!(r.episode_individual.len(), r.episode_start.len());
/// ```
pub fn register(n_participants: usize, n_historical: usize, seed: u64) -> Register {
    let data_end = day(2021, 10, 31);
    let participants = Group {
        participant: true,
        first_index: day(2016, 8, 1),
        last_index: day(2018, 12, 31),
        need_shift: 0.25,
        girls: 0.45,
        ages: [0.12, 0.18, 0.22, 0.20, 0.16, 0.12],
    };
    let historical = Group {
        participant: false,
        first_index: day(2013, 1, 1),
        last_index: day(2015, 12, 31),
        need_shift: 0.0,
        girls: 0.40,
        ages: [0.08, 0.12, 0.18, 0.22, 0.22, 0.18],
    };
    let n = n_participants + n_historical;
    let chunks: Vec<Rows> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut rows = Rows::default();
            for who in c * CHUNK..((c + 1) * CHUNK).min(n) {
                let (group, unit) = if who < n_participants {
                    (&participants, who as u64)
                } else {
                    (&historical, HISTORICAL_UNIT + (who - n_participants) as u64)
                };
                simulate(&mut rows, who, crate::rng::stream(seed, unit), group, data_end);
            }
            rows
        })
        .collect();
    assemble(chunks, data_end)
}

/// Concatenates the chunks in order into columns.
fn assemble(chunks: Vec<Rows>, data_end: i32) -> Register {
    let mut r = Register { data_end, base_year: 2021, ..Default::default() };
    let n_ep: usize = chunks.iter().map(|c| c.episodes.len()).sum();
    let n_led: usize = chunks.iter().map(|c| c.ledger.len()).sum();
    r.episode_individual.reserve(n_ep);
    r.episode_start.reserve(n_ep);
    r.episode_end.reserve(n_ep);
    r.episode_type.reserve(n_ep);
    r.ledger_individual.reserve(n_led);
    r.ledger_date.reserve(n_led);
    r.ledger_amount.reserve(n_led);
    for c in chunks {
        for (p, index, end, age, girl, diagnosis, substance) in c.ind {
            r.participant.push(p);
            r.index_date.push(index);
            r.end_of_data.push(end);
            r.age.push(age);
            r.girl.push(girl);
            r.diagnosis.push(diagnosis);
            r.substance_use.push(substance);
        }
        for (who, start, end, kind) in c.episodes {
            r.episode_individual.push(who);
            r.episode_start.push(start);
            r.episode_end.push(end);
            r.episode_type.push(kind);
        }
        for (who, date, amount) in c.ledger {
            r.ledger_individual.push(who);
            r.ledger_date.push(date);
            r.ledger_amount.push(amount);
        }
    }
    r.ledger_category = vec![0; r.ledger_date.len()];
    for (kind, (y, m, d), cost) in TARIFFS {
        r.tariff_type.push(kind);
        r.tariff_from.push(day(y, m, d));
        r.tariff_cost.push(cost);
    }
    r.price_years = PRICE_INDEX.iter().map(|p| p.0).collect();
    r.price_values = PRICE_INDEX.iter().map(|p| p.1).collect();
    r
}

impl Register {
    /// The register as the input of a [`crate::cohort::Cohort`].
    pub fn cohort_input(&self) -> CohortInput {
        CohortInput {
            index_date: self.index_date.clone(),
            end_of_data: self.end_of_data.clone(),
            participant: self.participant.clone(),
            episode_individual: self.episode_individual.clone(),
            episode_start: self.episode_start.clone(),
            episode_end: self.episode_end.clone(),
            episode_type: self.episode_type.clone(),
            n_types: CARE_TYPES.len(),
            tariffs: Some((self.tariff_type.clone(), self.tariff_from.clone(), self.tariff_cost.clone())),
            ledger_individual: self.ledger_individual.clone(),
            ledger_date: self.ledger_date.clone(),
            ledger_amount: self.ledger_amount.clone(),
            ledger_category: self.ledger_category.clone(),
            n_categories: CATEGORIES.len(),
            price_index: Some((self.price_years.clone(), self.price_values.clone(), self.base_year)),
            allow_overlaps: false,
        }
    }
}

#[cfg(test)]
mod tests;
