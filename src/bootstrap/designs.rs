//! Resampling designs: which rows move together and which groups are resampled separately.
//!
//! Every design is described by two levels:
//! - a **unit** is what one draw picks: a single row, or a whole cluster of rows
//!   (e.g. a participant together with their matched comparison individuals);
//! - a **segment** is a group of units resampled separately, with replacement,
//!   keeping its size: an independent sample (participants; the comparison pool)
//!   or a stratum.
//!
//! A replicate draws, in every segment in turn, as many units as the segment
//! holds, uniformly with replacement. One sample, paired rows, several samples,
//! strata and clusters (also clusters within strata or samples) are all this one
//! scheme with different labels.

use crate::error::{Error, Result};
use rand::RngCore;
use std::ops::Range;

/// The labels of the rows of a bootstrap table, as codes `0..k` per kind.
#[derive(Debug, Clone, Default)]
pub struct Labels {
    /// The independent sample of each row (`None`: one sample).
    pub samples: Option<Vec<u32>>,
    /// The stratum of each row (`None`: no strata).
    pub strata: Option<Vec<u32>>,
    /// The cluster of each row (`None`: every row is its own unit).
    pub clusters: Option<Vec<u32>>,
}

/// A prepared design: rows grouped into units, units into segments.
#[derive(Debug, Clone)]
pub struct Design {
    /// The rows in unit order: `row_order[units[u]]` are the rows of unit `u`.
    pub row_order: Vec<u32>,
    /// Positions in `row_order` of each unit's rows.
    pub units: Vec<Range<usize>>,
    /// The units of each segment.
    pub segments: Vec<Range<usize>>,
    /// The sample of each segment (0 when there is one sample).
    pub segment_sample: Vec<u32>,
    /// The unit of each row, by original row position.
    pub unit_of_row: Vec<u32>,
}

impl Design {
    /// Groups `n_rows` rows by (sample, stratum, cluster), keeping the data order within each.
    ///
    /// # Errors
    /// `Error::Data` when a label vector has the wrong length, when a cluster spans
    /// two samples or strata, or when an independent sample has fewer than two units.
    pub fn new(n_rows: usize, labels: &Labels) -> Result<Design> {
        if n_rows > u32::MAX as usize {
            return Err(Error::Spec(format!("the bootstrap handles at most {} rows", u32::MAX)));
        }
        for (name, v) in [("samples", &labels.samples), ("strata", &labels.strata), ("clusters", &labels.clusters)] {
            if let Some(v) = v {
                if v.len() != n_rows {
                    return Err(Error::data(
                        name_static(name),
                        "",
                        None,
                        format!("has {} labels for {} rows", v.len(), n_rows),
                    ));
                }
                // Sample labels are codes 0..k-1 (k <= rows): sizes derived from them stay bounded.
                if name != "samples" {
                    continue;
                }
                if let Some(row) = v.iter().position(|&l| l as usize >= n_rows.max(1)) {
                    return Err(Error::data(
                        name_static(name),
                        "",
                        Some(row),
                        format!("label code {} is not below the number of rows ({n_rows})", v[row]),
                    ));
                }
            }
        }
        let label = |v: &Option<Vec<u32>>, row: usize| v.as_ref().map_or(0, |v| v[row]);
        let mut order: Vec<u32> = (0..n_rows as u32).collect();
        // Stable sort by (sample, stratum, cluster label or row): rows keep their data
        // order within a unit; clusters are ordered by label, rows by position.
        order.sort_by_key(|&r| {
            let r = r as usize;
            (label(&labels.samples, r), label(&labels.strata, r), first_row_key(labels, r))
        });
        let mut units = Vec::new();
        let mut segments = Vec::new();
        let mut segment_sample = Vec::new();
        let mut unit_of_row = vec![0u32; n_rows];
        let mut seen_cluster: std::collections::HashMap<u32, (u32, u32)> = std::collections::HashMap::new();
        let mut pos = 0;
        while pos < n_rows {
            let r = order[pos] as usize;
            let seg_key = (label(&labels.samples, r), label(&labels.strata, r));
            let seg_start = units.len();
            while pos < n_rows
                && (label(&labels.samples, order[pos] as usize), label(&labels.strata, order[pos] as usize)) == seg_key
            {
                let start = pos;
                let first = order[pos] as usize;
                let key = first_row_key(labels, first);
                while pos < n_rows && {
                    let q = order[pos] as usize;
                    (label(&labels.samples, q), label(&labels.strata, q)) == seg_key && first_row_key(labels, q) == key
                } {
                    unit_of_row[order[pos] as usize] = units.len() as u32;
                    pos += 1;
                }
                if let Some(c) = &labels.clusters {
                    if let Some(&(s, h)) = seen_cluster.get(&c[first]) {
                        if (s, h) != seg_key {
                            let what = if s != seg_key.0 { "samples" } else { "strata" };
                            return Err(Error::data("clusters", "", Some(first), format!("cluster {} has rows in two {what}; a cluster is resampled whole, so it must lie within one", c[first])));
                        }
                    }
                    seen_cluster.insert(c[first], seg_key);
                }
                units.push(start..pos);
            }
            segments.push(seg_start..units.len());
            segment_sample.push(seg_key.0);
        }
        let design = Design { row_order: order, units, segments, segment_sample, unit_of_row };
        design.check_sizes()?;
        Ok(design)
    }

    fn check_sizes(&self) -> Result<()> {
        let n_samples = self.segment_sample.iter().copied().max().map_or(0, |m| m as usize + 1);
        // Counted sparsely: the labels are the caller's, and a label of u32::MAX must not
        // allocate 2^32 counters. A label skipped below the largest is a sample of 0 rows.
        let mut per_sample = std::collections::BTreeMap::new();
        for (seg, &s) in self.segments.iter().zip(&self.segment_sample) {
            *per_sample.entry(s as usize).or_insert(0usize) += seg.len();
        }
        for s in 0..n_samples.max(1) {
            let n = per_sample.get(&s).copied().unwrap_or(0);
            if n < 2 {
                let what = if n_samples > 1 { format!("sample {s}") } else { "the data".to_string() };
                let unit = if self.units.len() < self.row_order.len() { "cluster" } else { "observation" };
                return Err(Error::data(
                    "data",
                    "",
                    None,
                    format!("{what} has {n} {unit}(s); the bootstrap needs at least two"),
                ));
            }
        }
        Ok(())
    }

    /// The number of rows.
    pub fn n_rows(&self) -> usize {
        self.row_order.len()
    }

    /// The number of independent samples.
    pub fn n_samples(&self) -> usize {
        self.segment_sample.iter().copied().max().map_or(1, |m| m as usize + 1)
    }

    /// Whether every unit is a single row.
    pub fn unclustered(&self) -> bool {
        self.units.len() == self.row_order.len()
    }

    /// The rows drawn by replicate `r` under `seed`, segment by segment in draw
    /// order, each unit's rows in data order: the same draws as [`super::Plan::run`].
    pub fn resample_rows(&self, seed: u64, r: u64) -> Vec<u32> {
        let mut rng = super::replicate_rng(seed, r);
        let mut rows = Vec::with_capacity(self.n_rows());
        self.draw(&mut rng, |_, u| rows.extend_from_slice(&self.row_order[self.units[u].clone()]));
        rows
    }

    /// Draws the units of one replicate, calling `pick(segment, unit)` for each draw,
    /// segment by segment, in draw order.
    #[inline]
    pub fn draw<R: RngCore>(&self, rng: &mut R, mut pick: impl FnMut(usize, usize)) {
        for (k, seg) in self.segments.iter().enumerate() {
            let len = seg.len() as u32;
            draw_indices(rng, len, |i| pick(k, seg.start + i as usize));
        }
    }
}

/// A key that identifies the unit of `row`: its cluster, or the row itself.
fn first_row_key(labels: &Labels, row: usize) -> u64 {
    match &labels.clusters {
        Some(c) => c[row] as u64,
        None => row as u64,
    }
}

fn name_static(name: &str) -> &'static str {
    match name {
        "samples" => "samples",
        "strata" => "strata",
        _ => "clusters",
    }
}

/// Draws `n` uniform indices in `0..n`, calling `pick` with each in order.
///
/// Each 64-bit output of the generator gives two draws (its low then its high
/// 32 bits); an odd last draw takes a fresh output's high half.
#[inline]
pub fn draw_indices<R: RngCore>(rng: &mut R, n: u32, mut pick: impl FnMut(u32)) {
    for _ in 0..n / 2 {
        let v = rng.next_u64();
        pick(lemire(v as u32, n, rng));
        pick(lemire((v >> 32) as u32, n, rng));
    }
    if n % 2 == 1 {
        let v = rng.next_u64();
        pick(lemire((v >> 32) as u32, n, rng));
    }
}

/// A uniform integer in `0..n` from the uniform 32 bits `x`, without bias.
///
/// # Formula
/// Lemire's multiply-and-shift: `x * n >> 32`, rejecting the `2^32 mod n` low
/// products that would favour some values and drawing again from `rng`
/// (Lemire 2019, "Fast random integer generation in an interval"). Written out
/// here so that the resamples never change with a `rand` upgrade.
#[inline]
pub(crate) fn lemire<R: RngCore>(x: u32, n: u32, rng: &mut R) -> u32 {
    let mut m = (x as u64) * (n as u64);
    if (m as u32) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u32) < threshold {
            m = (rng.next_u64() >> 32) * (n as u64);
        }
    }
    (m >> 32) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_group_rows_and_strata_split_segments() {
        let labels = Labels { samples: None, strata: Some(vec![0, 0, 1, 1, 0]), clusters: Some(vec![7, 8, 9, 9, 7]) };
        let d = Design::new(5, &labels).unwrap();
        assert_eq!(d.segments.len(), 2);
        assert_eq!(d.units.len(), 3);
        // Cluster 7 holds rows 0 and 4, in data order.
        let u = d.unit_of_row[0] as usize;
        assert_eq!(&d.row_order[d.units[u].clone()], &[0, 4]);
        assert_eq!(d.unit_of_row[4] as usize, u);
    }

    #[test]
    fn a_cluster_across_strata_is_an_error() {
        let labels = Labels { samples: None, strata: Some(vec![0, 1, 1]), clusters: Some(vec![1, 1, 2]) };
        assert!(Design::new(3, &labels).is_err());
    }

    #[test]
    fn fewer_than_two_units_is_an_error() {
        assert!(Design::new(1, &Labels::default()).is_err());
        let labels = Labels { samples: Some(vec![0, 0, 1]), ..Default::default() };
        assert!(Design::new(3, &labels).is_err());
    }

    #[test]
    fn draws_stay_in_range_and_cover_it() {
        let mut rng = crate::rng::stream(1, 0);
        let mut seen = [0usize; 7];
        for _ in 0..300 {
            draw_indices(&mut rng, 7, |i| seen[i as usize] += 1);
        }
        assert_eq!(seen.iter().sum::<usize>(), 2100);
        assert!(seen.iter().all(|&s| s > 200 && s < 400), "{seen:?}");
    }
}
