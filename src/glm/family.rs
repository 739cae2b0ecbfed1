//! The families of [`super::fit_glm`]: variance, link and unit deviance, each as R defines it.
//!
//! | family | R | link | variance | start `mustart` |
//! |---|---|---|---|---|
//! | [`Family::Binomial`] | `binomial()` | logit | `mu (1 - mu)` | `(w y + 0.5) / (w + 1)` |
//! | [`Family::Gamma`] | `Gamma(link = "log")` | log | `mu^2` | `y` (every `y > 0`) |
//! | [`Family::Tweedie`] | `statmod::tweedie(var.power = p, link.power = 0)` | log | `mu^p` | `y + 0.1 [y = 0]` |
//! | [`Family::Gaussian`] | `gaussian()` | identity | `1` | `y` |

use crate::error::{Error, Result};

/// R's `.Machine$double.eps`.
const EPS: f64 = f64::EPSILON;
/// R's logit inverse link clamps the linear predictor at ±30 (`family.c`).
const THRESH: f64 = 30.0;

/// A GLM family with its canonical (binomial, gaussian) or log (Gamma, Tweedie) link.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Family {
    /// Bernoulli or binomial proportions, logit link.
    Binomial,
    /// Positive continuous outcomes, log link.
    Gamma,
    /// Compound Poisson-gamma (zeros and positive amounts), `1 < p < 2`, log link.
    Tweedie {
        /// The variance power `p` of `Var(y) = phi mu^p`.
        var_power: f64,
    },
    /// Normal errors, identity link (weighted least squares).
    Gaussian,
}

impl Family {
    /// R's name of the family.
    pub fn name(&self) -> String {
        match self {
            Family::Binomial => "binomial".into(),
            Family::Gamma => "Gamma(log)".into(),
            Family::Tweedie { var_power } => format!("Tweedie(p = {var_power}, log)"),
            Family::Gaussian => "gaussian".into(),
        }
    }

    /// Checks the family's parameters and the outcome (the checks of R's `initialize`).
    pub fn check(&self, y: &[f64], weights: &[f64]) -> Result<()> {
        if let Family::Tweedie { var_power } = self {
            if !(*var_power > 1.0 && *var_power < 2.0) {
                return Err(Error::Spec(format!(
                    "the Tweedie variance power must lie strictly between 1 and 2 (zeros and positive amounts), not {var_power}"
                )));
            }
        }
        for (i, (&v, &w)) in y.iter().zip(weights).enumerate() {
            if !v.is_finite() || !w.is_finite() || w < 0.0 {
                return Err(Error::Spec(format!(
                    "row {i}: the outcome and weights must be finite, weights non-negative"
                )));
            }
            let ok = match self {
                Family::Binomial => (0.0..=1.0).contains(&v),
                Family::Gamma => v > 0.0,
                Family::Tweedie { .. } => v >= 0.0,
                Family::Gaussian => true,
            };
            if !ok {
                let need = match self {
                    Family::Binomial => "between 0 and 1",
                    Family::Gamma => "positive (R: 'non-positive values not allowed for the Gamma family')",
                    _ => "non-negative",
                };
                return Err(Error::Spec(format!(
                    "row {i}: the outcome {v} must be {need} for the {} family",
                    self.name()
                )));
            }
        }
        Ok(())
    }

    /// R's `mustart` from `initialize`.
    pub fn mustart(&self, y: f64, w: f64) -> f64 {
        match self {
            Family::Binomial => (w * y + 0.5) / (w + 1.0),
            Family::Gamma | Family::Gaussian => y,
            Family::Tweedie { .. } => y + if y == 0.0 { 0.1 } else { 0.0 },
        }
    }

    /// The link `eta = g(mu)`.
    pub fn link(&self, mu: f64) -> f64 {
        match self {
            Family::Binomial => (mu / (1.0 - mu)).ln(),
            Family::Gamma | Family::Tweedie { .. } => mu.ln(),
            Family::Gaussian => mu,
        }
    }

    /// The inverse link `mu = g^-1(eta)` and its derivative `d mu / d eta`, as R's C code
    /// (logit) and `pmax(exp(eta), .Machine$double.eps)` (log) compute them.
    pub fn inverse(&self, eta: f64) -> (f64, f64) {
        match self {
            Family::Binomial => {
                let tmp = if eta < -THRESH {
                    EPS
                } else if eta > THRESH {
                    1.0 / EPS
                } else {
                    eta.exp()
                };
                let mu = tmp / (1.0 + tmp);
                let d = if !(-THRESH..=THRESH).contains(&eta) {
                    EPS
                } else {
                    let e = eta.exp();
                    e / ((1.0 + e) * (1.0 + e))
                };
                (mu, d)
            }
            Family::Gamma | Family::Tweedie { .. } => {
                let e = eta.exp().max(EPS);
                (e, e)
            }
            Family::Gaussian => (eta, 1.0),
        }
    }

    /// The variance function `V(mu)`.
    pub fn variance(&self, mu: f64) -> f64 {
        match self {
            Family::Binomial => mu * (1.0 - mu),
            Family::Gamma => mu * mu,
            Family::Tweedie { var_power } => mu.powf(*var_power),
            Family::Gaussian => 1.0,
        }
    }

    /// Whether `mu` is a valid mean (R's `validmu`).
    pub fn valid_mu(&self, mu: f64) -> bool {
        match self {
            Family::Binomial => mu.is_finite() && mu > 0.0 && mu < 1.0,
            Family::Gamma => mu.is_finite() && mu > 0.0,
            Family::Tweedie { .. } => mu.is_finite() && mu >= 0.0,
            Family::Gaussian => mu.is_finite(),
        }
    }

    /// The unit deviance times the prior weight (R's `dev.resids`).
    pub fn deviance(&self, y: f64, mu: f64, w: f64) -> f64 {
        match self {
            Family::Binomial => 2.0 * w * (y_log_y(y, mu) + y_log_y(1.0 - y, 1.0 - mu)),
            Family::Gamma => -2.0 * w * ((if y == 0.0 { 1.0 } else { y / mu }).ln() - (y - mu) / mu),
            Family::Tweedie { var_power: p } => {
                let y1 = y + if y == 0.0 { 0.1 } else { 0.0 };
                let theta = (y1.powf(1.0 - p) - mu.powf(1.0 - p)) / (1.0 - p);
                let kappa = (y.powf(2.0 - p) - mu.powf(2.0 - p)) / (2.0 - p);
                2.0 * w * (y * theta - kappa)
            }
            Family::Gaussian => w * (y - mu) * (y - mu),
        }
    }
}

/// `y log(y / mu)`, 0 at `y = 0` (R's `y_log_y` in `family.c`).
fn y_log_y(y: f64, mu: f64) -> f64 {
    if y != 0.0 {
        y * (y / mu).ln()
    } else {
        0.0
    }
}
