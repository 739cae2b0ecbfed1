use super::*;

/// The data and R's fits of `tests/data/glm/generate.R`.
struct Reference {
    columns: Vec<(String, Vec<f64>)>,
    fits: Vec<(String, String, f64)>,
}

fn reference() -> Reference {
    let data = include_str!("../../tests/data/glm/data.csv");
    let mut lines = data.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(|s| s.trim().to_string()).collect();
    let mut columns: Vec<(String, Vec<f64>)> = header.iter().map(|h| (h.clone(), Vec::new())).collect();
    for line in lines {
        for (j, v) in line.split(',').enumerate() {
            columns[j].1.push(v.trim().parse().unwrap());
        }
    }
    let fits = include_str!("../../tests/data/glm/reference.csv")
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[1].to_string(), f[2].parse().unwrap())
        })
        .collect();
    Reference { columns, fits }
}

impl Reference {
    fn col(&self, name: &str) -> Vec<f64> {
        self.columns.iter().find(|(n, _)| n == name).unwrap().1.clone()
    }

    fn check(&self, fit_name: &str, terms: &[&str], fit: &GlmFit) {
        let expected: Vec<&(String, String, f64)> = self.fits.iter().filter(|f| f.0 == fit_name).collect();
        for (j, term) in terms.iter().enumerate() {
            let r = expected.iter().find(|f| f.1 == *term).unwrap().2;
            let ours = fit.coefficients[j];
            assert!((ours - r).abs() <= 1e-8 * r.abs().max(1.0), "{fit_name} {term}: {ours} vs R {r}");
        }
        let dev = expected.iter().find(|f| f.1 == "deviance").unwrap().2;
        assert!((fit.deviance - dev).abs() <= 1e-8 * dev.abs(), "{fit_name} deviance {} vs {dev}", fit.deviance);
        let iter = expected.iter().find(|f| f.1 == "iterations").unwrap().2;
        assert_eq!(fit.iterations as f64, iter, "{fit_name} iterations");
    }
}

fn fit(
    r: &Reference,
    rows: Option<&[bool]>,
    terms: &[&str],
    y: &str,
    w: bool,
    offset: Option<Vec<f64>>,
    family: Family,
) -> GlmFit {
    let keep = |v: Vec<f64>| -> Vec<f64> {
        match rows {
            Some(m) => v.into_iter().zip(m).filter(|(_, &k)| k).map(|(x, _)| x).collect(),
            None => v,
        }
    };
    let yv = keep(r.col(y));
    let n = yv.len();
    let mut cols = vec![vec![1.0; n]];
    for t in &terms[1..] {
        cols.push(keep(r.col(t)));
    }
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let names: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
    let weights = w.then(|| keep(r.col("w")));
    let offset = offset.map(keep);
    let design = Design { columns: &refs, names: &names };
    fit_glm(&design, &yv, weights.as_deref(), offset.as_deref(), family, Control::default()).unwrap()
}

#[test]
fn agrees_with_r_glm_to_1e8() {
    let r = reference();
    let all = ["(Intercept)", "x1", "x2", "x3"];
    r.check("binomial", &all, &fit(&r, None, &all, "any_cost", false, None, Family::Binomial));
    r.check("binomial_weighted", &all, &fit(&r, None, &all, "any_cost", true, None, Family::Binomial));
    r.check("gamma_log", &all, &fit(&r, None, &all, "amount", false, None, Family::Gamma));
    let log_days: Vec<f64> = r.col("days").iter().map(|d| d.ln()).collect();
    let t = ["(Intercept)", "x1", "x2"];
    r.check("gamma_log_offset", &t, &fit(&r, None, &t, "amount", false, Some(log_days), Family::Gamma));
    let pos: Vec<bool> = r.col("tweedie_cost").iter().map(|&v| v > 0.0).collect();
    let t = ["(Intercept)", "x1", "x3"];
    r.check("gamma_log_positive_part", &t, &fit(&r, Some(&pos), &t, "tweedie_cost", false, None, Family::Gamma));
    let tw = Family::Tweedie { var_power: 1.5 };
    r.check("tweedie_1.5", &all, &fit(&r, None, &all, "tweedie_cost", false, None, tw));
    let years: Vec<f64> = r.col("days").iter().map(|d| (d / 365.0).ln()).collect();
    let tw = Family::Tweedie { var_power: 1.3 };
    r.check("tweedie_1.3_weighted_offset", &t, &fit(&r, None, &t, "tweedie_cost", true, Some(years), tw));
}

#[test]
fn rejects_bad_input_with_errors() {
    let ones = [1.0; 6];
    let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    let constant = [2.0; 6];
    let names = ["(Intercept)".to_string(), "x".to_string(), "age".to_string()];
    let design = Design { columns: &[&ones, &x, &constant], names: &names };
    let y = [1.0, 2.0, 1.5, 3.0, 4.0, 3.5];
    let err = fit_glm(&design, &y, None, None, Family::Gamma, Control::default()).unwrap_err();
    assert!(matches!(err, Error::Computation(_)) && err.to_string().contains("'age'"), "{err}");
    let design = Design { columns: &[&ones, &x], names: &names[..2] };
    let zero = [0.0, 2.0, 1.5, 3.0, 4.0, 3.5];
    let err = fit_glm(&design, &zero, None, None, Family::Gamma, Control::default()).unwrap_err();
    assert!(matches!(err, Error::Spec(_)), "{err}");
    let tight = Control { epsilon: 1e-30, max_iterations: 2 };
    let err = fit_glm(&design, &y, None, None, Family::Gamma, tight).unwrap_err();
    assert!(err.to_string().contains("did not converge"), "{err}");
    let err = fit_glm(&design, &y, None, None, Family::Tweedie { var_power: 2.5 }, Control::default()).unwrap_err();
    assert!(matches!(err, Error::Spec(_)));
    let separated = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    let err = fit_glm(&design, &separated, None, None, Family::Binomial, Control::default()).unwrap_err();
    assert!(err.to_string().contains("separation") || err.to_string().contains("converge"), "{err}");
}

#[test]
fn gaussian_is_weighted_least_squares() {
    let ones = [1.0; 4];
    let x = [0.0, 1.0, 2.0, 3.0];
    let y = [1.0, 3.0, 5.0, 7.0];
    let names = ["(Intercept)".to_string(), "x".to_string()];
    let design = Design { columns: &[&ones, &x], names: &names };
    let fit = fit_glm(&design, &y, Some(&[1.0, 2.0, 1.0, 0.5]), None, Family::Gaussian, Control::default()).unwrap();
    assert!((fit.coefficients[0] - 1.0).abs() < 1e-12 && (fit.coefficients[1] - 2.0).abs() < 1e-12);
}
