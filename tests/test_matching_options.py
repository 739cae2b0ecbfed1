"""MatchIt 4.7.2's nearest-neighbour options (caliper per covariate, std_caliper per entry,
antiexact, mahvars, discard, estimand, s_weights, reestimate) against its outputs on lalonde
(tests/data/matchit_methods, see its README), and their bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import utfall

DATA = Path(__file__).parent / "data" / "matchit_methods"
LALONDE = Path(__file__).parent / "data" / "matchit" / "lalonde.csv"
FULL = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
SPECS = {
    "nearest_caliper_age": dict(caliper={"distance": 0.25, "age": 5}, std_caliper={"distance": True, "age": False}),
    "nearest_antiexact": dict(antiexact="married"),
    "nearest_discard_both": dict(discard="both"),
    "nearest_mahvars_caliper": dict(mahvars=["age", "educ", "re74", "re75"], caliper=0.2),
    "nearest_atc": dict(estimand="ATC"),
    # Made here by generate_options.R (see the README).
    "nearest_s_weights": dict(s_weights="sw"),
    "nearest_reestimate": dict(discard="both", reestimate=True, caliper=0.2),
}


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    d = pd.read_csv(LALONDE)
    # The sampling weights of generate_options.R.
    d["sw"] = 0.5 + (np.arange(1, len(d) + 1) % 7) / 4
    return d


def _match(lalonde, name):
    return utfall.match(lalonde, "treat", FULL, **SPECS[name])


@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_pairs_and_weights_as_matchit(lalonde, name):
    m = _match(lalonde, name)
    ref_pairs = pd.read_csv(DATA / f"lalonde_{name}_pairs.csv")
    mine = m.pairs
    if name == "nearest_atc":
        # MatchIt's match matrix has the focal units (the controls) as rows.
        mine = mine.rename(columns={"treated": "control", "control": "treated"})
        mine = mine.sort_values(["treated", "slot"], key=lambda s: s.map(list(lalonde["id"]).index)
                                if s.name == "treated" else s, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[["treated", "slot", "control"]], ref_pairs, check_dtype=False)
    ref = pd.read_csv(DATA / f"lalonde_{name}_weights.csv")
    assert list(m.weights.index) == list(ref["id"])
    np.testing.assert_allclose(m.weights.to_numpy(), ref["weight"].to_numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.distance.to_numpy(), ref["distance"].to_numpy(), rtol=0, atol=1e-8)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_balance_table_as_matchit(lalonde, name):
    m = _match(lalonde, name)
    ref = pd.read_csv(DATA / f"lalonde_{name}_balance_matched.csv").set_index("term")
    mine = m.balance("matched")
    assert list(mine.index) == list(ref.index)
    assert list(mine.columns) == list(ref.columns)
    # The fixtures print 15 significant digits.
    np.testing.assert_allclose(mine.to_numpy(dtype=float), ref.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)


def test_counts_report_the_common_support(lalonde):
    m = _match(lalonde, "nearest_discard_both")
    ref = pd.read_csv(DATA / "lalonde_nearest_discard_both_weights.csv")
    c = m.counts
    assert c.loc["treated", "matched"] == 177
    assert c.loc["treated", "discarded"] + c.loc["control", "discarded"] == int(m.common_support.sum()) > 0
    assert (c["all"] == [185, 429]).all()
    assert (ref["weight"][m.common_support.to_numpy()] == 0).all()
    assert m.spec["discard"] == "both" and m.spec["n_discarded"] == int(m.common_support.sum())
