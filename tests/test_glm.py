"""GLMs in the core against R's glm and statmod::tweedie (tests/data/glm/generate.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.glm import design_matrix, fit_glm

DATA = Path(__file__).parent / "data" / "glm"


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(DATA / "data.csv")


@pytest.fixture(scope="module")
def reference():
    return pd.read_csv(DATA / "reference.csv")


CASES = [
    ("binomial", ["x1", "x2", "x3"], "any_cost", {}, "binomial"),
    ("binomial_weighted", ["x1", "x2", "x3"], "any_cost", {"weights": "w"}, "binomial"),
    ("gamma_log", ["x1", "x2", "x3"], "amount", {}, "gamma"),
    ("gamma_log_offset", ["x1", "x2"], "amount", {"offset": "log_days"}, "gamma"),
    ("gamma_log_positive_part", ["x1", "x3"], "tweedie_cost", {"positive": True}, "gamma"),
    ("tweedie_1.5", ["x1", "x2", "x3"], "tweedie_cost", {"var_power": 1.5}, "tweedie"),
    ("tweedie_1.3_weighted_offset", ["x1", "x3"], "tweedie_cost",
     {"var_power": 1.3, "weights": "w", "offset": "log_years"}, "tweedie"),
]


@pytest.mark.parametrize("name, terms, y, extra, family", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_r_glm_to_1e8(data, reference, name, terms, y, extra, family):
    d = data.assign(log_days=np.log(data["days"]), log_years=np.log(data["days"] / 365))
    if extra.get("positive"):
        d = d[d["tweedie_cost"] > 0]
    cols, names, _ = design_matrix(d, terms)
    fit = fit_glm(cols, d[y], names, family, var_power=extra.get("var_power", 1.5),
                  weights=d[extra["weights"]] if "weights" in extra else None,
                  offset=d[extra["offset"]] if "offset" in extra else None)
    ref = reference[reference["fit"] == name].set_index("term")["value"]
    for term in ["(Intercept)", *terms]:
        assert fit.coefficients[term] == pytest.approx(ref[term], rel=1e-8, abs=1e-8)
    assert fit.deviance == pytest.approx(ref["deviance"], rel=1e-8)
    assert fit.iterations == int(ref["iterations"])
    assert np.allclose(fit.predict(cols, d[extra["offset"]].to_numpy() if "offset" in extra else None), fit.fitted)


def test_constant_covariate_and_non_convergence_are_computation_errors(data):
    d = data.assign(constant=3.0)
    cols, names, _ = design_matrix(d, ["x1", "constant"])
    with pytest.raises(utfall.ComputationError, match="'constant'"):
        fit_glm(cols, d["amount"], names, "gamma")
    cols, names, _ = design_matrix(d, ["x1"])
    with pytest.raises(utfall.ComputationError, match="did not converge"):
        fit_glm(cols, d["amount"], names, "gamma", epsilon=1e-300, max_iterations=3)
    with pytest.raises(utfall.SpecError, match="positive"):
        fit_glm(cols, d["tweedie_cost"], names, "gamma")
    with pytest.raises(utfall.SpecError, match="family"):
        fit_glm(cols, d["amount"], names, "poisson")


def test_design_matrix_uses_treatment_contrasts_and_keeps_levels():
    frame = pd.DataFrame({"age": [14, 15, 16], "sex": ["m", "f", "m"]})
    cols, names, levels = design_matrix(frame, ["age", "sex"])
    assert names == ["(Intercept)", "age", "sex[m]"] and cols[2].tolist() == [1.0, 0.0, 1.0]
    cols, names, _ = design_matrix(frame.iloc[:1], ["age", "sex"], levels=levels)
    assert names == ["(Intercept)", "age", "sex[m]"]
    with pytest.raises(utfall.SpecError, match="not in the fitted"):
        design_matrix(pd.DataFrame({"age": [1], "sex": ["x"]}), ["age", "sex"], levels=levels)
