"""utfall.change_scores against R's binom.test, wilcox.test and boot (tests/data/change_scores/)."""

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import utfall

REFERENCE = json.loads((Path(__file__).parent / "data" / "change_scores" / "reference.json").read_text())
CASES = {c["name"]: c for c in REFERENCE["cases"]}


def frame(case):
    before = [np.nan if v is None else v for v in case["before"]]
    after = [np.nan if v is None else v for v in case["after"]]
    return pd.DataFrame({"id": np.arange(1, len(before) + 1), "before": before, "after": after})


@pytest.mark.parametrize("name", sorted(CASES))
def test_tests_and_counts_agree_with_r(name):
    case = CASES[name]
    cs = utfall.change_scores(frame(case), higher_is_better=case["higher_is_better"], n_resamples=999, seed=1)
    assert (cs.n_positive, cs.n_negative, cs.n_neutral) == (case["n_positive"], case["n_negative"], case["n_neutral"])
    assert cs.net == pytest.approx(case["net"], abs=1e-9)
    assert abs(cs.sign_test_p - case["sign_p"]) < 1e-10
    assert cs.wilcoxon_statistic == case["wilcoxon_V"]
    assert abs(cs.wilcoxon_p - case["wilcoxon_p"]) < 1e-10
    assert cs.summary()["Wilcoxon method"].iloc[0] == case["wilcoxon_method"]


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if "boot" in c])
def test_bootstrap_interval_of_the_sum_agrees_with_r_boot(name):
    # R boot and utfall draw different resamples; at B = 200,000 both carry Monte Carlo
    # error of a few hundredths of a standard error. Over four seeds every endpoint is
    # within 0.15 standard errors of R's, the mean within 0.08.
    case = CASES[name]
    ref = case["boot"]
    data = frame(case)
    for method in ("percentile", "basic", "normal", "bca"):
        ends = []
        for seed in range(4):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cs = utfall.change_scores(data, n_resamples=ref["B"], method=method, seed=seed)
            ends.append(cs.interval)
            assert cs.only.bootstrap.standard_error == pytest.approx(ref["se"], rel=0.01)
        ends = np.array(ends)
        np.testing.assert_allclose(ends, np.tile(ref[method], (4, 1)), atol=0.15 * ref["se"], err_msg=method)
        np.testing.assert_allclose(ends.mean(axis=0), ref[method], atol=0.08 * ref["se"], err_msg=method)


def norrkoping_frame():
    case = CASES["norrkoping_school"]
    df = frame(case)
    df["reason"] = [None] * 46 + ["moved"] * 4 + ["not home long enough"] * 10
    return df


def test_norrkoping_counts_are_unambiguous():
    cs = utfall.change_scores(norrkoping_frame(), reason="reason", pending=["not home long enough"],
                              n_resamples=999, seed=3)
    row = cs.summary().iloc[0]
    assert (row["n"], row["n measurable"], row["n determined"], row["n no data"], row["n not yet measurable"]) == \
        (60, 50, 46, 4, 10)
    assert (row["n negative"], row["n neutral"], row["n positive"], row["net sum"]) == (7, 22, 17, 18)
    counts = cs.counts.set_index(["status", "reason"])["n"]
    assert counts[("no data", "moved")] == 4 and counts[("not yet measurable", "not home long enough")] == 10
    assert cs.individuals["reason"].iloc[50] == "not home long enough"
    assert "46 determined" in repr(cs) and "<table" in cs._repr_html_()
    assert cs.contributions().sum() == 18 and len(cs.contributions()) == 60


def test_several_measures_give_one_tidy_table_and_lower_is_better_flips_the_sign():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"id": range(30), "p0": rng.integers(1, 6, 30), "p1": rng.integers(1, 6, 30),
                       "r0": rng.integers(1, 6, 30), "r1": rng.integers(1, 6, 30)})
    cs = utfall.change_scores(df, measures={"participation": ("p0", "p1"), "risk": ("r0", "r1", False)},
                              n_resamples=499, seed=2)
    table = cs.summary()
    assert list(table.index) == ["participation", "risk"]
    assert table.loc["risk", "net sum"] == (df["r0"] - df["r1"]).sum()
    assert cs["participation"].net == (df["p1"] - df["p0"]).sum()
    with pytest.raises(utfall.SpecError, match="2 measures"):
        _ = cs.net
    assert set(cs.individuals["measure"]) == {"participation", "risk"}
    again = utfall.change_scores(df, measures={"participation": ("p0", "p1"), "risk": ("r0", "r1", False)},
                                 n_resamples=499, seed=2)
    assert again.summary().equals(table)


def test_polars_input_gives_the_same_result():
    pl = pytest.importorskip("polars")
    df = norrkoping_frame()
    a = utfall.change_scores(df, n_resamples=199, seed=4)
    b = utfall.change_scores(pl.from_pandas(df), n_resamples=199, seed=4)
    assert a.summary().equals(b.summary())


@pytest.mark.parametrize("bad, match", [
    (pd.DataFrame({"id": [1, 2], "before": ["a", 2], "after": [1, 2]}), r"column 'before', row 0.*not a number"),
    (pd.DataFrame({"id": [1, 1], "before": [1, 2], "after": [1, 2]}), r"column 'id', row 1.*appears twice"),
    (pd.DataFrame({"id": [1, 2], "before": [1, np.inf], "after": [1, 2]}), r"row 1.*finite"),
    (pd.DataFrame({"id": [1, 2], "after": [1, 2]}), r"'before' is missing"),
    (pd.DataFrame({"id": [1, 2], "before": [True, False], "after": [1, 2]}), r"true/false"),
])
def test_bad_data_is_a_data_error_naming_column_and_row(bad, match):
    with pytest.raises(utfall.DataError, match=match):
        utfall.change_scores(bad, n_resamples=99, seed=1)


def test_plots_have_titles_and_legends():
    import matplotlib

    matplotlib.use("Agg")
    cs = utfall.change_scores(norrkoping_frame(), n_resamples=199, seed=1)
    ax = cs.plot()
    assert "net sum +18" in ax.get_title() and ax.get_legend() is not None
    df = norrkoping_frame().assign(b2=lambda d: d["before"], a2=lambda d: d["after"] - 1)
    many = utfall.change_scores(df, measures={"school": ("before", "after"), "other": ("b2", "a2")},
                                n_resamples=199, seed=1)
    assert many.plot().get_title() == "Change scores by measure"
