//! The checks of a design's columns before a distance is computed: a column's range in
//! one pass (numpy's `min` and `max` are a pass each, 12 passes over a million rows for a
//! six-covariate design, 3-4 ms of a 1,010,000-unit match).

use rayon::prelude::*;

/// Values per task.
const CHUNK: usize = 1 << 16;

/// The smallest and largest value, as numpy's `min` and `max` give them: both NaN when a
/// value is NaN (`(inf, -inf)` for no values).
///
/// # Examples
///
/// ```
/// use utfall::matching::design::value_range;
/// assert_eq!(value_range(&[2.0, -1.0, 5.0]), (-1.0, 5.0));
/// assert!(value_range(&[2.0, f64::NAN]).0.is_nan());
/// ```
pub fn value_range(values: &[f64]) -> (f64, f64) {
    // Per lane, with comparisons (false for a NaN, which is tracked apart): no branch per
    // value, so the loop vectorises (`f64::min`'s NaN rule did not).
    let part = |c: &[f64]| {
        const L: usize = 8;
        let (mut lo, mut hi, mut nan) = ([f64::INFINITY; L], [f64::NEG_INFINITY; L], [false; L]);
        let lanes = c.chunks_exact(L);
        let rest = lanes.remainder();
        for block in lanes {
            for l in 0..L {
                let v = block[l];
                lo[l] = if v < lo[l] { v } else { lo[l] };
                hi[l] = if v > hi[l] { v } else { hi[l] };
                nan[l] |= v.is_nan();
            }
        }
        for (l, &v) in rest.iter().enumerate() {
            lo[l] = if v < lo[l] { v } else { lo[l] };
            hi[l] = if v > hi[l] { v } else { hi[l] };
            nan[l] |= v.is_nan();
        }
        let low = lo.iter().fold(f64::INFINITY, |a, &b| if b < a { b } else { a });
        let high = hi.iter().fold(f64::NEG_INFINITY, |a, &b| if b > a { b } else { a });
        (low, high, nan.iter().any(|&n| n))
    };
    let (lo, hi, nan) = values
        .par_chunks(CHUNK)
        .map(part)
        .reduce(|| (f64::INFINITY, f64::NEG_INFINITY, false), |a, b| (a.0.min(b.0), a.1.max(b.1), a.2 | b.2));
    // (-0.0 and 0.0 compare equal: whichever comes first is kept, as numpy may.)
    if nan {
        (f64::NAN, f64::NAN)
    } else {
        (lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::value_range;

    #[test]
    fn the_range_is_numpys() {
        let mut v: Vec<f64> = (0..200_000).map(|i| ((i * 7919) % 1001) as f64 - 500.0).collect();
        assert_eq!(value_range(&v), (-500.0, 500.0));
        v[150_000] = f64::INFINITY;
        assert_eq!(value_range(&v), (-500.0, f64::INFINITY));
        v[3] = f64::NAN;
        let (lo, hi) = value_range(&v);
        assert!(lo.is_nan() && hi.is_nan());
        assert_eq!(value_range(&[]), (f64::INFINITY, f64::NEG_INFINITY));
        assert_eq!(value_range(&[-0.0, 0.0]).1, 0.0);
    }
}
