"""Rosenbaum bounds against the packages' own documented examples (tests/data/rosenbaum/generate.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.validity import e_value, hodges_lehmann, psens, senmv, sensitivity_gamma

DATA = Path(__file__).parent / "data" / "rosenbaum"


def _data(name):
    if name == "erpcp_diff":
        m = pd.read_csv(DATA / "erpcp.csv").to_numpy(float)
        return m[:, 0] - m[:, 1]
    return pd.read_csv(DATA / f"{name}.csv").to_numpy(float)


SENMV = pd.read_csv(DATA / "senmv.csv", keep_default_na=True)


@pytest.mark.parametrize("row", SENMV.to_dict("records"), ids=list(SENMV["case"]))
def test_senmv_agrees_with_sensitivitymv(row):
    y = _data(row["data"])
    if row["negate"]:
        y = -y
    method = row["method"] if isinstance(row["method"], str) else None
    trim = 2.5 if pd.isna(row["trim"]) else float(row["trim"])
    r = senmv(y, gamma=row["gamma"], method=method, trim=trim, tau=row["tau"])
    for key in ("statistic", "expectation", "variance", "deviate", "pval"):
        assert getattr(r, key) == pytest.approx(float(row[key]), rel=1e-9, abs=1e-12), key


def test_senmv_hodges_lehmann_brackets_rosenbaums_table_1():
    # ?senmv: at Gamma = 2 the deviate crosses 1.645 between tau = 0.18 and 0.185 (erpcp),
    # 0.94 and 0.945 (tbmetaphase): the one-sided 95% bounds of Rosenbaum (2007). The point
    # where the deviate is 0 lies between 0.18 and 0.34 (deviate 0.004 at 0.34).
    y = _data("erpcp")
    low, high = hodges_lehmann(y, gamma=2, statistic="m", trim=1)
    assert senmv(y, gamma=2, trim=1, tau=low).deviate == pytest.approx(0, abs=1e-6)
    assert 0.18 < low < 0.34 + 1e-3
    assert low < high


def test_psens_and_hlsens_on_rosenbaums_lead_pairs():
    pairs = pd.read_csv(DATA / "lead_pairs.csv")
    ref = pd.read_csv(DATA / "psens_hlsens.csv")
    ours = psens(pairs["treated"], pairs["control"], gammas=ref["gamma"])
    # psens prints 4 digits.
    assert np.abs(ours["upper"].round(4) - ref["psens_upper"]).max() == 0
    assert np.abs(ours["lower"].round(4) - ref["psens_lower"]).max() == 0
    y = pairs[["treated", "control"]].to_numpy(float)
    d = y[:, 0] - y[:, 1]
    assert hodges_lehmann(y, 1.0) == (ref["walsh_median"][0], ref["walsh_median"][0])
    for g, hl_low, hl_high in zip(ref["gamma"], ref["hlsens_lower"], ref["hlsens_upper"]):
        low, high = hodges_lehmann(y, g)
        if g == 1:
            continue
        # hlsens stops on its grid (step 0.1) at the first point where T(tau) reaches E; the
        # exact bound is the midpoint of the flat stretch of T there: T(hlsens) = T(ours).
        def t(tau):
            x = d - tau
            ranks = pd.Series(np.abs(x)).rank().to_numpy()
            return float((ranks * (x > 0)).sum())
        assert t(low) == t(hl_low - 0.00004) or abs(low - (hl_low - 0.00004)) <= 0.5
        assert abs(high - (hl_high - 0.00004)) <= 0.1 + 1e-9
    assert 4.0 < sensitivity_gamma(y) < 4.5  # psens: 0.0367 at 4, 0.0521 at 4.5


def test_e_value_of_vanderweele_and_ding_2017():
    # Ann Intern Med 167:268-274, the example: RR 3.9 (CI 1.8 to 8.7): E-values 7.26 and 3.0.
    assert e_value(3.9) == pytest.approx(7.26, abs=0.005)
    assert e_value(1.8) == pytest.approx(3.0, abs=0.005)
    assert e_value(1 / 3.9) == pytest.approx(7.26, abs=0.005)


def test_bad_input_is_a_utfall_error():
    with pytest.raises(utfall.SpecError):
        senmv([[1.0, 2.0]], gamma=0.5)
    with pytest.raises(utfall.SpecError):
        senmv([[1.0, 2.0, np.nan], [2.0, 1.0, 0.0]], gamma=2, method="w")
    with pytest.raises(utfall.SpecError, match="method"):
        senmv([[1.0, 2.0]], method="x")
    with pytest.raises(utfall.ComputationError):
        senmv([[1.0, 1.0], [2.0, 2.0]], gamma=2)
