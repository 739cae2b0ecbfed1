"""Optimal, full and subclass matching against MatchIt 4.7.2 + optmatch 0.10.8 on lalonde
(tests/data/matchit_methods, see its README), and their bad input.

optmatch solves a problem with rounded distances (``tol = 0.001``); utfall solves the
exact one. So against the default fixtures utfall's total distance is never above
MatchIt's and within optmatch's documented tolerance; against the tight fixtures
(``tol = 1e-7``) the total is the same to 1e-9. Where the optimum is not unique (common
on a one-dimensional score: crossing pairs cost the same; lalonde also has controls with
identical covariates) the pairs may differ: every difference is then a tie, which the
tests check component by component.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import utfall

DATA = Path(__file__).parent / "data" / "matchit_methods"
FULL = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
SMALL = ["age", "educ", "re74", "re75"]
SPECS = {
    "optimal_1to1": dict(covariates=FULL, method="optimal"),
    "optimal_2to1": dict(covariates=FULL, method="optimal", ratio=2),
    "optimal_mahal": dict(covariates=SMALL, method="optimal", distance="mahalanobis"),
    "full_glm": dict(covariates=FULL, method="full"),
    "full_glm_ate": dict(covariates=FULL, method="full", estimand="ATE"),
}


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(Path(__file__).parent / "data" / "matchit" / "lalonde.csv")


@pytest.fixture(scope="module")
def matched(lalonde):
    return {name: utfall.match(lalonde, "treat", **spec) for name, spec in SPECS.items()}


def _unit_distance(m: utfall.MatchResult, lalonde: pd.DataFrame, name: str):
    """The distance the method minimises, between two rows."""
    if m.distance is not None:
        s = m.distance.to_numpy()
        return lambda a, b: abs(s[a] - s[b])
    # Mahalanobis: recover the whitened coordinates from the pairs' distances is not possible,
    # so compute them as utfall does.
    from utfall import _core
    from utfall.matching import design

    frame = design(lalonde, SMALL, pd.Index(lalonde["id"]), "data", all_levels=True, level_value=float(np.sqrt(0.5)))
    coords, _, _ = _core.whiten(np.ascontiguousarray(frame.to_numpy(dtype=float)), lalonde["treat"].to_numpy() == 1,
                                np.ones(len(lalonde), bool), "mahalanobis", list(frame.columns))
    return lambda a, b: float(np.sqrt(((coords[a] - coords[b]) ** 2).sum()))


def _classes(subclass: pd.Series) -> dict:
    """Subclass label -> frozenset of rows."""
    codes = pd.Series(subclass.to_numpy()).astype(object)
    return {k: frozenset(g.index) for k, g in codes.dropna().groupby(codes.dropna())
            if not (isinstance(k, (int, np.integer)) and k < 0)}


def _star_cost(rows: frozenset, treat: np.ndarray, dist) -> float:
    """Within-subclass distance of a star: the lone unit of one group to each of the others."""
    t = [r for r in rows if treat[r]]
    c = [r for r in rows if not treat[r]]
    hub, leaves = (t[0], c) if len(t) == 1 else (c[0], t)
    return sum(dist(hub, leaf) for leaf in leaves)


def _compare_partitions(mine: pd.Series, ref: pd.Series, treat: np.ndarray, dist) -> int:
    """Asserts that the subclasses agree except in components where both sides cost the same;
    returns the number of units in such tied components."""
    a = {s for s in _classes(mine).values()}
    b = {s for s in _classes(ref).values()}
    only_a, only_b = a - b, b - a
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for s in only_a | only_b:
        first = min(s)
        for r in s:
            parent[find(r)] = find(first)
    comps: dict = {}
    for side, sets in (("a", only_a), ("b", only_b)):
        for s in sets:
            comps.setdefault(find(min(s)), {"a": 0.0, "b": 0.0})[side] += _star_cost(s, treat, dist)
    for cost in comps.values():
        assert cost["a"] == pytest.approx(cost["b"], abs=1e-9)
    return sum(len(s) for s in only_a)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_optimum_as_optmatch_with_a_tight_tolerance(lalonde, matched, name):
    m = matched[name]
    ref = pd.read_csv(DATA / f"lalonde_{name}_tight_weights.csv")
    treat = lalonde["treat"].to_numpy() == 1
    dist = _unit_distance(m, lalonde, name)
    if ref["distance"].notna().all():
        np.testing.assert_allclose(m.distance.to_numpy(), ref["distance"].to_numpy(), rtol=0, atol=1e-8)
    ref_total = sum(_star_cost(s, treat, dist) for s in _classes(ref["subclass"]).values())
    assert m.spec["total_distance"] == pytest.approx(ref_total, abs=1e-9)
    tied = _compare_partitions(m.subclass, ref["subclass"], treat, dist)
    if name == "optimal_1to1":
        assert tied == 0  # the optimum is unique here: the very same pairs
    # Weights agree on every unit whose subclass is MatchIt's; ties aside, everywhere.
    same = np.ones(len(ref), bool)
    ref_sets, mine_sets = _classes(ref["subclass"]), _classes(m.subclass)
    shared = set(ref_sets.values()) & set(mine_sets.values())
    same = np.array([any(r in s for s in shared) for r in range(len(ref))])
    np.testing.assert_allclose(m.weights.to_numpy()[same], ref["weight"].to_numpy()[same], rtol=0, atol=1e-12)
    if name in ("optimal_1to1", "optimal_2to1", "full_glm"):
        np.testing.assert_allclose(m.weights.to_numpy(), ref["weight"].to_numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_balance_table_as_matchit(matched, name):
    ref = pd.read_csv(DATA / f"lalonde_{name}_tight_balance_matched.csv").set_index("term")
    mine = matched[name].balance("matched")
    assert list(mine.index) == list(ref.index) and list(mine.columns) == list(ref.columns)
    # Where ties leave the pairs (not the totals) open, the pair distance differs; the rest is
    # MatchIt's to 12 digits where the weights agree and to its printed precision (4) otherwise.
    cols = [c for c in mine.columns if c != "Std. Pair Dist."] if name in ("optimal_2to1", "full_glm", "full_glm_ate") \
        else list(mine.columns)
    rtol = 1e-12 if name in ("optimal_1to1", "optimal_2to1", "full_glm") else 5e-4
    if name == "optimal_mahal":  # ties between controls with identical covariates: only the pair distance moves
        rtol = 1e-12
    np.testing.assert_allclose(mine[cols].to_numpy(dtype=float), ref[cols].to_numpy(dtype=float), rtol=rtol,
                               atol=1e-14)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_never_above_matchit_with_its_default_tolerance(lalonde, matched, name):
    m = matched[name]
    ref = pd.read_csv(DATA / f"lalonde_{name}_weights.csv")
    treat = lalonde["treat"].to_numpy() == 1
    dist = _unit_distance(m, lalonde, name)
    ref_sets = _classes(ref["subclass"])
    ref_total = sum(_star_cost(s, treat, dist) for s in ref_sets.values())
    summary = pd.read_csv(DATA / "lalonde_summary.csv").set_index("spec").loc[name]
    if pd.notna(summary["total_score_distance"]):
        assert ref_total == pytest.approx(summary["total_score_distance"], abs=1e-9)
    # optmatch: within tol (0.001) per subclass of the optimum; utfall: the optimum.
    assert m.spec["total_distance"] <= ref_total + 1e-9
    assert ref_total - m.spec["total_distance"] <= 0.001 * len(ref_sets)
    counts = m.counts
    assert counts.loc["treated", "matched"] == summary["n_treated_matched"]
    assert counts.loc["control", "matched"] == summary["n_control_matched"]


def test_optimal_pairs_are_a_match_matrix(lalonde, matched):
    m = matched["optimal_2to1"]
    assert (m.pairs.groupby("treated").size() == 2).all()
    assert m.pairs["control"].is_unique
    assert list(m.pairs.columns) == ["treated", "control", "slot", "distance"]
    assert m.pairs["distance"].sum() == pytest.approx(m.spec["total_distance"], abs=1e-9)
    ref = pd.read_csv(DATA / "lalonde_optimal_1to1_pairs.csv")
    mine = dict(zip(matched["optimal_1to1"].pairs["treated"], matched["optimal_1to1"].pairs["control"]))
    # optmatch's rounding moves a few pairs; the rest are MatchIt's.
    assert sum(mine[t] == c for t, c in zip(ref["treated"], ref["control"])) >= 180


@pytest.mark.parametrize("name, kwargs", [
    ("lalonde_subclass_6_weights.csv", dict()),
    ("lalonde_subclass_6_ate_weights.csv", dict(estimand="ATE")),
    ("lalonde_subclass_10_min3_weights.csv", dict(subclass=10, min_n=3)),
])
def test_subclassification_as_matchit(lalonde, name, kwargs):
    m = utfall.match(lalonde, "treat", FULL, method="subclass", **kwargs)
    ref = pd.read_csv(DATA / name)
    np.testing.assert_allclose(m.weights.to_numpy(), ref["weight"].to_numpy(), rtol=0, atol=1e-12)
    # The subclasses are numbered in score order, as MatchIt's.
    np.testing.assert_array_equal(m.subclass.to_numpy() + 1, ref["subclass"].to_numpy())


@pytest.mark.parametrize("estimand", ["ATT", "ATE"])
def test_subclass_balance_is_matchits_balance_across_subclasses(lalonde, estimand):
    m = utfall.match(lalonde, "treat", FULL, method="subclass", estimand=estimand)
    suffix = "" if estimand == "ATT" else "_ate"
    ref = pd.read_csv(DATA / f"lalonde_subclass_6{suffix}_balance_across.csv").set_index("term")
    mine = m.balance("matched")
    assert list(mine.index) == list(ref.index)
    np.testing.assert_allclose(mine.to_numpy(dtype=float), ref.to_numpy(dtype=float), rtol=1e-12, atol=1e-14)


def test_caliper_exact_and_atc(lalonde):
    m = utfall.match(lalonde, "treat", FULL, method="optimal", caliper=0.05, exact="married")
    assert (m.pairs["distance"] <= m.spec["caliper_absolute"] + 1e-15).all()
    rows = lalonde.set_index("id")
    assert (rows.loc[m.pairs["treated"], "married"].to_numpy()
            == rows.loc[m.pairs["control"], "married"].to_numpy()).all()
    assert len(m.unmatched) and set(m.unmatched["reason"]) <= {"no control within the caliper"}
    f = utfall.match(lalonde, "treat", FULL, method="full", caliper=0.1)
    assert (f.pairs["distance"] <= f.spec["caliper_absolute"] + 1e-15).all()
    atc = utfall.match(lalonde, "treat", FULL, method="optimal", estimand="ATC")
    # Every control (focal) gets a treated unit of its own... 429 controls, 185 treated: 185 pairs.
    assert len(atc.pairs) == 185 and atc.pairs["treated"].is_unique
    w = atc.weights.to_numpy()
    assert (w[lalonde["treat"].to_numpy() == 0] > 0).sum() == 185


@pytest.mark.parametrize("kwargs, message", [
    (dict(method="full", min_controls=3, max_controls=2), "max_controls"),
    (dict(method="full", max_controls=0), "max_controls"),
    (dict(method="subclass", subclass=200), "subclass=200"),
    (dict(method="subclass", subclass=1), "subclass"),
    (dict(method="nearest", subclass=4), "subclass=4 does not apply to method='nearest'"),
    (dict(method="full", ratio=2), "ratio=2 does not apply to method='full'"),
    (dict(method="optimal", replace=True), "replace=True does not apply"),
    (dict(method="optimal", min_controls=1), "min_controls=1 does not apply"),
    (dict(method="subclass", caliper=0.2), "method='subclass' does not take caliper="),
    (dict(method="optimal", estimand="ATE"), "estimand='ATE' is not offered by method='optimal'"),
    (dict(method="optimal", antiexact="married"), "method='optimal' does not take antiexact="),
    (dict(method="full", caliper={"distance": 0.2, "age": 5}), "calipers on covariates (age)"),
    (dict(method="full", caliper=0.1, min_controls=1), "caliper"),
    (dict(method="subclass", distance="mahalanobis"), "needs a score"),
])
def test_bad_options_name_themselves(lalonde, kwargs, message):
    with pytest.raises(utfall.SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        utfall.match(lalonde, "treat", FULL, **kwargs)


COVS = ["age", "sex", "prior_cost_total"]


@pytest.fixture(scope="module")
def register():
    return utfall.synthetic.register(40, 400, seed=11)


@pytest.mark.parametrize("matching", [
    {"method": "optimal"}, {"method": "optimal", "ratio": 2}, {"method": "full"},
    {"method": "full", "max_controls": 3}, {"method": "subclass", "subclass": 4},
])
def test_evaluation_end_to_end_with_each_method(register, matching):
    spec = {"covariates": COVS, "lookback": "2y", **matching}
    ev = utfall.evaluate(register, spec, horizons=["2y"], bootstrap=99, seed=5, progress=False)
    m = ev.matches()["2y"]
    assert m.spec["method"] == matching["method"]
    table = ev.individuals.loc[ev.individuals["horizon"] == "2y"] if "horizon" in ev.individuals else ev.individuals
    full = register.costs("2y")
    w = m.weights
    controls = w[(w > 0).to_numpy() & ~m.treat]
    # The expected total over the participants is MatchIt's ATT-weighted control mean times n_1.
    matched_t = m.ids[(w > 0).to_numpy() & m.treat]
    inc = table.loc[table.index.isin(matched_t) & table["complete"]]
    if len(inc) == len(matched_t):
        weighted = float((full.loc[controls.index, "cost_total"] * controls).sum() / controls.sum())
        assert inc["expected"].mean() == pytest.approx(weighted, rel=1e-10)
    s = ev.summary(readable=False).loc["2y"]
    assert np.isfinite(s["savings_low"]) and s["savings_low"] <= s["savings_total"] <= s["savings_high"]
    # The audit record names the method and its options, and reproduces the same numbers.
    with pytest.warns(utfall.DisclosureWarning):
        again = utfall.reproduce(ev.to_json(disclosure="full"), register)
    assert again.summary(readable=False).loc["2y", "savings_total"] == s["savings_total"]
    assert again.summary(readable=False).loc["2y", "savings_low"] == s["savings_low"]
    key = utfall.privacy.new_key()  # and the aggregate record, shared under the data holder's key
    assert utfall.reproduce(ev.to_json(key=key), register, key=key) == ev


def test_evaluation_refuses_another_estimand(register):
    with pytest.raises(utfall.SpecError, match="estimand"):
        utfall.evaluate(register, {"covariates": COVS, "method": "full", "estimand": "ATE"}, horizons=["2y"],
                        bootstrap=False, seed=1, progress=False)


def test_a_cohort_per_horizon_and_person_reuse(register):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ms = utfall.match(register, covariates=COVS, method="full", horizon=["1y", "2y"], lookback="2y")
    assert set(ms) == {"1y", "2y"}
    for h, m in ms.items():
        full = register.costs(h)
        used = m.ids[(m.weights > 0).to_numpy() & ~m.treat]
        assert full.loc[used, "complete"].all()
    with pytest.raises(utfall.SpecError, match="reuse='never'"):
        utfall.match(register, covariates=COVS, method="optimal", person="id", reuse="never", lookback="2y")


def test_the_bootstrap_resamples_whole_subclasses():
    from utfall._seeds import Purpose, child_seed

    register = utfall.synthetic.register(80, 120, seed=11)  # few controls: they serve several participants
    spec = {"covariates": COVS, "lookback": "2y", "method": "full"}
    boot = {"n_resamples": 199, "method": "percentile"}
    ev = utfall.evaluate(register, spec, horizons=["2y"], bootstrap=boot, seed=5, progress=False)
    m = ev.matches()["2y"]
    table = ev.individuals
    table = table[table["n_comparison"] > 0]
    sums = table["savings"].groupby(m.subclass.reindex(table.index).to_numpy(), sort=False).sum()
    assert len(sums) < len(table)  # some participants share a subclass
    ref = utfall.bootstrap(sums.to_numpy(), statistic="sum", n_resamples=199, methods=("percentile",),
                           seed=child_seed(5, Purpose.SAVINGS_BOOTSTRAP, 0))
    row = ref.intervals.iloc[0]
    s = ev.summary(readable=False).loc["2y"]
    assert (s["savings_low"], s["savings_high"]) == pytest.approx((row["low"], row["high"]), rel=1e-12)
    # The bootstrap a settlement takes its replicates from resamples the same subclasses.
    kept = ev.savings_bootstrap("2y").intervals.iloc[0]
    assert (kept["low"], kept["high"]) == (s["savings_low"], s["savings_high"])
