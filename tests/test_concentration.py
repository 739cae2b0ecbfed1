"""utfall.concentration against R ineq and PySAL, with its rules, errors and intervals."""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import utfall
from utfall import BootstrapWarning
from utfall import lorenz_curve

REFERENCE = json.loads((Path(__file__).parent / "data" / "concentration" / "reference.json").read_text())


def test_ineq_example_all_measures():
    ref = REFERENCE["ineq_example"]
    c = utfall.concentration(ref["x"], shares=(0.2,), n_resamples=0)
    m = c.measures["estimate"]
    # ineq prints 7 significant digits for gini and herfindahl; the others are full precision.
    assert m["gini"] == pytest.approx(ref["gini"], abs=5e-8)
    assert m["herfindahl"] == pytest.approx(ref["herfindahl"], abs=5e-8)
    for name, key in [("gini corrected", "gini_small_sample_corrected"), ("top 20% share", "top_20_percent_share"),
                      ("hoover", "hoover"), ("theil T", "theil_t"), ("mean log deviation", "mean_log_deviation")]:
        assert abs(m[name] - ref[key]) < 1e-9, name


def test_ineq_corrected_gini():
    x = [50 / 9] * 9 + [50.0]
    c = utfall.concentration(x, n_resamples=0)
    assert (c.measures.loc["gini corrected", "estimate"]
            == pytest.approx(REFERENCE["ineq_corrected"]["gini_small_sample_corrected"], abs=5e-8))


def test_pysal_lorenz_points():
    ref = REFERENCE["lorenz"]
    np.testing.assert_allclose(lorenz_curve(ref["x"])["share of total"], ref["cumulative_share_at_0_to_n"], atol=1e-8)
    c = utfall.concentration(ref["x"], n_resamples=0, lorenz_points=6)
    np.testing.assert_allclose(c.lorenz["share of total"], ref["cumulative_share_at_0_to_n"], atol=1e-8)


def test_fractional_and_integer_rules():
    x = np.arange(1.0, 6.0)  # total 15; 30% of 5 individuals = 1.5
    interp = utfall.concentration(x, shares=(0.3,), n_resamples=0)
    integer = utfall.concentration(x, shares=(0.3,), n_resamples=0, rule="integer")
    assert interp.top_shares[0.3] == pytest.approx(7 / 15)  # 5 and half of 4
    assert integer.top_shares[0.3] == pytest.approx(9 / 15)  # ceil(1.5) = 2 individuals
    same = utfall.concentration(x, shares=(0.4,), n_resamples=0, rule="integer")
    assert same.top_shares[0.4] == pytest.approx(utfall.concentration(x, shares=(0.4,), n_resamples=0).top_shares[0.4])


def test_zeros_count_as_individuals_and_weights_equal_repetition():
    with pytest.warns(BootstrapWarning, match="mean log deviation"):
        c = utfall.concentration([0, 0, 0, 0, 10], shares=(0.2,), n_resamples=0)
    assert c.top_shares[0.2] == pytest.approx(1.0) and c.n_zeros == 4
    assert np.isnan(c.measures.loc["mean log deviation", "estimate"])
    w = utfall.concentration([3.0, 1.0, 2.0], weights=[2, 1, 3], n_resamples=0)
    e = utfall.concentration([3.0, 3.0, 1.0, 2.0, 2.0, 2.0], n_resamples=0)
    pd.testing.assert_series_equal(w.measures["estimate"].drop("gini corrected"),
                                   e.measures["estimate"].drop("gini corrected"))


@pytest.mark.parametrize("bad,match", [([1.0, -2.0], "negative"), ([0.0, 0.0, 0.0], "all zero"),
                                       ([1.0, np.nan], "finite")])
def test_bad_values_raise(bad, match):
    with pytest.raises(utfall.DataError, match=match):
        utfall.concentration(bad, n_resamples=0)


def test_intervals_for_every_measure_and_by_groups():
    rng = np.random.default_rng(1)
    x = rng.lognormal(size=300) * (rng.random(300) > 0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BootstrapWarning)
        c = utfall.concentration(x, n_resamples=400, seed=3, methods=("percentile", "bca"), progress=False)
    m = c.measures.drop("mean log deviation")
    for method in ("percentile", "bca"):
        assert (m[f"{method} 95% low"] <= m["estimate"] + 1e-12).all()
        assert (m["estimate"] <= m[f"{method} 95% high"] + 1e-12).all()
    assert (c.lorenz["low"] <= c.lorenz["share of total"] + 1e-12).all()
    groups = np.where(np.arange(300) < 150, "A", "B")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BootstrapWarning)
        g = utfall.concentration(x, by=groups, n_resamples=100, seed=3, progress=False)
    assert set(g.measures.index.get_level_values("group")) == {"A", "B"}
    with pytest.warns(BootstrapWarning):
        a = utfall.concentration(x[:150], n_resamples=0)
    assert g.measures.loc[("A", "gini"), "estimate"] == pytest.approx(a.gini, rel=1e-14)


def test_deterministic_across_threads():
    x = np.random.default_rng(2).exponential(size=1000)
    a = utfall.concentration(x, n_resamples=200, seed=1, n_threads=1, progress=False)
    b = utfall.concentration(x, n_resamples=200, seed=1, n_threads=3, progress=False)
    pd.testing.assert_frame_equal(a.measures, b.measures)


def test_repr_json_and_plot():
    import matplotlib
    matplotlib.use("Agg")
    c = utfall.concentration(np.arange(1.0, 40.0), n_resamples=100, seed=1, progress=False)
    assert "top 20% hold" in repr(c) and "<table" in c._repr_html_()
    json.loads(c.to_json())
    ax = c.plot()
    assert ax.get_xlabel().startswith("population share")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1e9), min_size=2, max_size=60).filter(lambda v: sum(v) > 0))
def test_lorenz_is_monotone_convex_and_gini_in_range(values):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BootstrapWarning)
        c = utfall.concentration(values, n_resamples=0, lorenz_points=21)
    L = c.lorenz["share of total"].to_numpy()
    assert np.all(np.diff(L) >= -1e-12)
    assert np.all(np.diff(L, 2) >= -1e-9)
    assert np.all(L <= np.linspace(0, 1, 21) + 1e-12)
    assert -1e-12 <= c.gini <= 1.0
