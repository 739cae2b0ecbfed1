"""MatchIt 4.7.2's nearest-neighbour options (caliper per covariate, std_caliper per entry,
antiexact, mahvars, discard, estimand, s_weights, reestimate) against its outputs on lalonde
(tests/data/matchit_methods, see its README), and their bad input."""

from __future__ import annotations

import json
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


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, message", [
    (dict(caliper={"distance": 0.2, "height": 3}), r"caliper on 'height': not a covariate of the model"),
    (dict(caliper={"race": 1}), r"caliper on 'race'.*factor"),
    (dict(caliper={"age": -1}), r"caliper on 'age' must be a positive number"),
    (dict(caliper={"age": 5}, std_caliper={"educ": False}), r"std_caliper key 'educ' has no caliper"),
    (dict(antiexact="one"), r"antiexact column 'one' has one level"),
    (dict(antiexact="nope"), r"antiexact column 'nope' is not a column"),
    (dict(mahvars=["age", "educ"]), r"mahvars=.*caliper"),
    (dict(mahvars=["age", "nope"], caliper=0.2), r"'nope' is not a column"),
    (dict(distance="mahalanobis", discard="both"), r"discard='both' is common support on a score.*'mahalanobis'"),
    (dict(distance="mahalanobis", caliper=0.2), r"caliper on the distance applies to a score"),
    (dict(discard="sometimes"), r"discard must be one of 'none', 'treated', 'control', 'both'"),
    (dict(estimand="ATE"), r"estimand='ATE' is not offered by method='nearest'.*no ATE"),
    (dict(estimand="ATX"), r"estimand must be one of"),
    (dict(method="exact", exact="married", estimand="ATC"), r"estimand='ATC' is not offered by method='exact'"),
    (dict(method="cem", antiexact="married", discard="both"), r"method='cem' does not take antiexact=, discard="),
    (dict(reestimate="yes"), r"reestimate must be True or False"),
    (dict(s_weights="nope"), r"s_weights='nope' is not a column"),
    (dict(s_weights=[1.0, 2.0]), r"s_weights needs one value per row"),
    (dict(s_weights="re74", mahvars=["age"], caliper=0.2), r"s_weights with mahvars"),
    (dict(s_weights="re74", distance="mahalanobis"), r"s_weights with distance='mahalanobis'"),
    (dict(discard="treated", caliper={"distance": 0.1}, std_caliper={"distance": 2}), r"std_caliper\['distance'\]"),
])
def test_bad_options_raise_a_spec_error_naming_them(lalonde, kwargs, message):
    d = lalonde.assign(one="x")
    with pytest.raises(utfall.SpecError, match=message):
        utfall.match(d, "treat", kwargs.pop("covariates", FULL if kwargs.get("distance") != "mahalanobis"
                                           else ["age", "educ"]), **kwargs)


def test_bad_sampling_weights_raise_a_data_error_naming_the_row(lalonde):
    d = lalonde.assign(sw=1.0)
    d.loc[3, "sw"] = -2.0
    with pytest.raises(utfall.DataError, match="row 3.*non-negative") as info:
        utfall.match(d, "treat", FULL, s_weights="sw")
    assert info.value.column == "sw" and info.value.id == "NSW4"


# ---------------------------------------------------------------------------- against a brute-force greedy
def _greedy(treat, order_key, distance, allowed, ratio):
    """Greedy matching without replacement by exhaustive search: focal units in decreasing
    ``order_key``, rounds of one control each, the closest allowed available control."""
    avail = set(np.flatnonzero(~treat))
    rows = {t: [] for t in np.flatnonzero(treat)}
    dead = set()
    for r in range(ratio):
        for t in sorted(rows, key=lambda u: (-order_key[u], u)):
            if t in dead:
                continue
            cands = [c for c in avail if allowed(t, c) and c not in rows[t]]
            if not cands:
                dead.update([t] if r == 0 else [])
                continue
            c = min(cands, key=lambda c: distance(t, c))
            rows[t].append(c)
            avail.discard(c)
    return {(int(t), int(c)) for t, cs in rows.items() for c in cs}


@pytest.mark.filterwarnings("ignore::utfall.UtfallWarning")
@pytest.mark.parametrize("seed", range(10))
def test_constrained_greedy_matching_equals_a_brute_force_search(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(40, 140))
    treat = rng.random(n) < 0.3
    treat[:2], treat[2:6] = True, False
    d = pd.DataFrame({"t": treat.astype(int), "a": rng.normal(size=n), "b": rng.normal(size=n),
                      "g": rng.integers(0, 3, size=n), "h": rng.integers(0, 2, size=n)})
    score = rng.random(n)
    ratio = int(rng.integers(1, 3))
    cal_a, cal_s = 0.8, 0.15
    discard = ["none", "both", "control", "treated"][seed % 4]
    kept = ~utfall.matching._distance.common_support(treat, score, discard)
    # On the score: antiexact g, a caliper on a (raw units) and on the score, the common support.
    m = utfall.match(d, "t", ["a", "b"], distance=score, ratio=ratio, antiexact="g",
                     caliper={"distance": cal_s, "a": cal_a}, std_caliper=False, discard=discard)
    a, g, h = d["a"].to_numpy(), d["g"].to_numpy(), d["h"].to_numpy()

    def allowed(t, c):
        return kept[t] and kept[c] and g[t] != g[c] and abs(a[t] - a[c]) <= cal_a and abs(score[t] - score[c]) <= cal_s

    mine = set(zip(m.pairs["treated"].astype(int), m.pairs["control"].astype(int)))
    assert mine == _greedy(treat, score, lambda t, c: abs(score[t] - score[c]), allowed, ratio)
    # mahvars: Mahalanobis on (a, b) among the controls within the score caliper, antiexact h.
    e = utfall.match(d, "t", ["a"], distance=score, ratio=ratio, mahvars=["a", "b"], caliper=cal_s,
                     std_caliper=False, antiexact="h", discard=discard)
    x = d[["a", "b"]].to_numpy()
    centred = np.concatenate([x[kept & (treat == k)] - x[kept & (treat == k)].mean(axis=0) for k in (True, False)])
    inv = np.linalg.inv(centred.T @ centred)

    def mahal(t, c):
        v = x[t] - x[c]
        return float(v @ inv @ v)

    def allowed_m(t, c):
        return kept[t] and kept[c] and h[t] != h[c] and abs(score[t] - score[c]) <= cal_s

    mine = set(zip(e.pairs["treated"].astype(int), e.pairs["control"].astype(int)))
    assert mine == _greedy(treat, score, mahal, allowed_m, ratio)
    # ATC: the controls are matched to, in increasing score.
    c = utfall.match(d, "t", ["a"], distance=score, estimand="ATC", antiexact="g", discard=discard)
    mine = set(zip(c.pairs["control"].astype(int), c.pairs["treated"].astype(int)))
    assert mine == _greedy(~treat, -score, lambda t, u: abs(score[t] - score[u]),
                           lambda t, u: kept[t] and kept[u] and g[t] != g[u], 1)


# ---------------------------------------------------------------------------- in the evaluation
OPTIONS = {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y",
           "caliper": {"distance": 0.5, "age": 2}, "std_caliper": {"age": False}, "antiexact": "substance_use",
           "discard": "both", "reestimate": True}


@pytest.mark.filterwarnings("ignore::utfall.UtfallWarning")
def test_the_options_pass_through_the_evaluation_per_horizon_and_its_record():
    cohort = utfall.synthetic.register(40, 300, seed=4)
    ev = utfall.evaluate(cohort, dict(OPTIONS), horizons=["2y", "3y"], bootstrap=False, seed=8, progress=False)
    matches = ev.matches()
    for h in ("2y", "3y"):
        alone = utfall.match(cohort, horizon=h, **OPTIONS)
        pd.testing.assert_frame_equal(matches[h].pairs, alone.pairs)
        assert matches[h].spec["antiexact"] == ["substance_use"] and matches[h].spec["discard"] == "both"
        ind = cohort.individuals.set_index("id")
        p = matches[h].pairs
        # Antiexact and the age caliper hold in every pair; the pool is the horizon's eligible one.
        assert (ind.loc[p["treated"], "substance_use"].to_numpy()
                != ind.loc[p["control"], "substance_use"].to_numpy()).all()
        assert (np.abs(ind.loc[p["treated"], "age"].to_numpy() - ind.loc[p["control"], "age"].to_numpy()) <= 2).all()
        assert cohort.costs(h).loc[list(p["control"]), "complete"].all()
        # The balance table reports the antiexact column too; the love plot draws it.
        assert "substance_use" in matches[h].balance().index
        ax = matches[h].plot_balance()
        assert "substance_use" in [t.get_text() for t in ax.get_yticklabels()]
    record = json.loads(ev.to_json(disclosure="full"))
    assert record["specification"]["matching"]["caliper"] == {"distance": 0.5, "age": 2}
    assert record["specification"]["matching"]["antiexact"] == "substance_use"
    again = utfall.reproduce(ev.to_json(disclosure="full"), cohort)
    assert again.summary().equals(ev.summary())


@pytest.mark.parametrize("extra, message", [({"estimand": "ATC"}, "effect on the participants"),
                                            ({"s_weights": "age"}, "s_weights")])
def test_the_evaluation_refuses_what_its_estimate_cannot_carry(extra, message):
    cohort = utfall.synthetic.register(30, 150, seed=4)
    with pytest.raises(utfall.SpecError, match=message):
        utfall.evaluate(cohort, {**OPTIONS, **extra}, horizons=["2y"], bootstrap=False, seed=1, progress=False)


def test_the_rematching_bootstrap_names_the_options_it_cannot_replay():
    cohort = utfall.synthetic.register(30, 150, seed=4)
    with pytest.raises(utfall.SpecError, match=r"rematch=True.*antiexact"):
        utfall.evaluate(cohort, {"covariates": ["age", "sex"], "antiexact": "substance_use"}, horizons=["2y"],
                        bootstrap={"n_resamples": 20, "rematch": True}, seed=1, progress=False)
