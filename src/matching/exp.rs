//! The exponential for the logit fit: plain arithmetic that vectorises.

/// `1 / k!`, the Taylor coefficients of [`exp`].
const INVERSE_FACTORIALS: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `e^x` for `|x| <= 30` (the clamp of the inverse link), to about one unit in the last
/// place, in plain arithmetic that vectorises (libm's `exp` is a call per value) and gives
/// the same bits on every machine.
///
/// # Formula
///
/// `x = n ln 2 + r` with `n = round(x / ln 2)`, `|r| <= ln(2) / 2` (`ln 2` split in two
/// parts, Cody and Waite, so that `r` is exact); `e^x = 2^n e^r`, `e^r` by its Taylor
/// series to degree 13 (truncation error below `2e-18`), and `2^n` built in the exponent bits.
#[inline(always)]
pub(crate) fn exp(x: f64) -> f64 {
    const SHIFT: f64 = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer.
    const LN2_HI: f64 = 0.693_147_180_369_123_8; // ln 2 rounded to 32 significant bits: n * LN2_HI is exact
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let shifted = x * std::f64::consts::LOG2_E + SHIFT;
    let n = shifted - SHIFT;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    let mut q = INVERSE_FACTORIALS[13];
    for k in (0..13).rev() {
        q = q * r + INVERSE_FACTORIALS[k];
    }
    let scale = f64::from_bits((shifted.to_bits().wrapping_add(1023)) << 52);
    q * scale
}

#[cfg(test)]
mod tests {
    use super::exp;

    #[test]
    fn exp_is_within_two_units_in_the_last_place() {
        for i in -300_000..=300_000 {
            let x = i as f64 * 1e-4 + 1.234_567e-6;
            let (got, want) = (exp(x), x.exp());
            assert!((got - want).abs() <= 2.0 * f64::EPSILON * want, "exp({x}) = {got}, libm {want}");
        }
        assert_eq!(exp(0.0), 1.0);
    }
}
