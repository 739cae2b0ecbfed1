"""utfall.match against MatchIt 4.7.2 (tests/data/matchit, see its README), on a
hand-made historical cohort, and on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import utfall

DATA = Path(__file__).parent / "data" / "matchit"
FULL = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
SPECS = {
    "nn_glm_1to1": dict(covariates=FULL),
    "nn_glm_caliper": dict(covariates=FULL, caliper=0.1),
    "nn_glm_2to1_replace": dict(covariates=FULL, ratio=2, replace=True),
    "nn_mahal_1to1": dict(covariates=["age", "educ", "re74", "re75"], distance="mahalanobis"),
    "nn_glm_exact_married": dict(covariates=["age", "educ", "race", "nodegree", "re74", "re75"], exact="married"),
}


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    return pd.read_csv(DATA / "lalonde.csv")


@pytest.mark.parametrize("name", sorted(SPECS))
def test_same_pairs_weights_and_scores_as_matchit(lalonde, name):
    m = utfall.match(lalonde, "treat", **SPECS[name])
    ref_pairs = pd.read_csv(DATA / f"{name}_pairs.csv")
    pd.testing.assert_frame_equal(m.pairs[["treated", "slot", "control"]], ref_pairs, check_dtype=False)
    ref = pd.read_csv(DATA / f"{name}_weights.csv")
    assert list(m.weights.index) == list(ref["id"])
    np.testing.assert_allclose(m.weights.to_numpy(), ref["weight"].to_numpy(), rtol=0, atol=1e-12)
    if ref["distance"].notna().all():
        np.testing.assert_allclose(m.distance.to_numpy(), ref["distance"].to_numpy(), rtol=0, atol=1e-8)
    else:
        assert m.distance is None


@pytest.mark.parametrize("name", sorted(SPECS))
@pytest.mark.parametrize("sample", ["all", "matched"])
def test_same_balance_table_as_matchit(lalonde, name, sample):
    m = utfall.match(lalonde, "treat", **SPECS[name])
    ref = pd.read_csv(DATA / f"{name}_balance_{sample}.csv").set_index("term")
    mine = m.balance(sample)
    assert list(mine.index) == list(ref.index)
    assert list(mine.columns) == list(ref.columns)
    # The fixtures print 15 significant digits.
    np.testing.assert_allclose(mine.to_numpy(dtype=float), ref.to_numpy(dtype=float), rtol=1e-12, atol=1e-14)


def test_result_shape_for_the_evaluation(lalonde):
    m = utfall.match(lalonde, "treat", FULL, caliper=0.1)
    assert list(m.pairs.columns) == ["treated", "control", "slot", "distance"]
    assert (m.pairs["distance"] <= m.spec["caliper_absolute"]).all()
    assert set(m.unmatched["reason"]) == {"no control within the caliper"}
    assert len(m.unmatched) == 185 - 111
    assert set(m.matched_ids) == set(m.pairs["treated"]) | set(m.pairs["control"])
    counts = m.counts
    assert counts.loc["treated", "matched"] == 111 and counts.loc["treated", "unmatched"] == 74
    json.dumps(m.spec)
    assert m.spec["version"] == utfall.__version__
    assert "MatchResult" in repr(m) and "<p>" in m._repr_html_()
    assert json.loads(m.to_json())["spec"]["caliper"] == 0.1


def test_replacement_weights_and_effective_sample_size(lalonde):
    m = utfall.match(lalonde, "treat", FULL, ratio=2, replace=True)
    w = m.weights[lalonde["treat"].to_numpy() == 0]
    used = w[w > 0]
    assert abs(used.sum() - len(used)) < 1e-9
    assert m.ess["control"] < len(used)


def test_plots_return_axes(lalonde):
    import matplotlib

    matplotlib.use("Agg")
    m = utfall.match(lalonde, "treat", FULL)
    assert m.plot_balance().get_xlabel().startswith("Absolute")
    assert m.plot_distance().get_ylabel() == "density"


def test_random_order_is_seeded_and_recorded(lalonde):
    a = utfall.match(lalonde, "treat", FULL, order="random", seed=np.int64(7))
    b = utfall.match(lalonde, "treat", FULL, order="random", seed=7)
    c = utfall.match(lalonde, "treat", FULL, order="smallest")
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    assert a.spec["seed"] == 7 and a.spec["order"] == "random"
    assert c.spec["order"] == "smallest"
    close = utfall.match(lalonde, "treat", FULL, order="closest", ratio=2)
    assert close.spec["order"] == "closest" and not close.pairs["control"].duplicated().any()
    assert len(close.pairs) == 370
    with pytest.raises(utfall.SpecError, match="closest"):
        utfall.match(lalonde, "treat", ["age", "educ"], distance="mahalanobis", order="closest")


def test_other_distances_and_methods(lalonde):
    e = utfall.match(lalonde, "treat", ["age", "educ"], distance="euclidean")
    first = e.pairs.iloc[0]
    t, c = lalonde.set_index("id").loc[first["treated"]], lalonde.set_index("id").loc[first["control"]]
    assert first["distance"] == pytest.approx(np.hypot(t.age - c.age, t.educ - c.educ))
    # A factor enters covariate distances with every level coded 1/sqrt(2), as in MatchIt:
    # two different levels are 1 apart.
    f = utfall.match(lalonde, "treat", ["race", "married"], distance="euclidean", replace=True)
    assert set(np.round(f.pairs["distance"], 12)) <= {0.0, 1.0, round(np.sqrt(2), 12)}
    score = np.linspace(0, 1, len(lalonde))
    u = utfall.match(lalonde, "treat", FULL, distance=score)
    assert u.spec["distance"] == "user" and u.distance.iloc[3] == score[3]
    ex = utfall.match(lalonde, "treat", ["race", "married"], method="exact")
    assert (ex.weights[lalonde["treat"].to_numpy() == 1] > 0).all()
    # Exact strata weights: controls get n_t / n_c of their stratum, rescaled.
    key = lalonde["race"] + lalonde["married"].astype(str)
    for _, g in lalonde.assign(w=ex.weights.to_numpy(), key=key).groupby("key"):
        wc = g.loc[g.treat == 0, "w"]
        assert np.allclose(wc, wc.iloc[0])
    cem = utfall.match(lalonde, "treat", ["age", "educ", "race"], method="cem", cutpoints={"age": 4})
    assert cem.subclass is not None and cem.counts.loc["treated", "matched"] > 100
    assert cem.balance("matched").loc["age", "Std. Mean Diff."] < cem.balance("all").loc["age", "Std. Mean Diff."] + 1


# ---------------------------------------------------------------------------- historical matching
def small_cohort():
    """Three participants and six historical individuals with their own index dates.

    Prior HVB days in the year before each own index date: P1 61, P2 120, P3 119;
    H1 61 (in 2014), H2 120 (2y follow-up only), H3 121 and H4 118 (one person, X),
    H5 0, H6 151 but moved away (no complete follow-up).
    """
    people = pd.DataFrame({
        "id": ["P1", "P2", "P3", "H1", "H2", "H3", "H4", "H5", "H6"],
        "group": ["participant"] * 3 + ["historical"] * 6,
        "index_date": ["2019-01-01", "2019-06-01", "2020-01-01", "2015-01-01", "2019-09-01", "2016-03-01",
                       "2017-03-01", "2016-01-01", "2015-06-01"],
        "end_of_data": ["2021-12-31"] * 8 + ["2016-06-01"],
        "person": ["P1", "P2", "P3", "H1", "H2", "X", "X", "H5", "H6"],
        "age": [15, 16, 14, 15, 16, 16, 14, 15, 17],
    })
    eps = pd.DataFrame({
        "id": ["P1", "P2", "P3", "H1", "H2", "H3", "H4", "H6", "P1", "H1"],
        "start": ["2018-10-01", "2019-01-01", "2019-09-04", "2014-10-01", "2019-05-04", "2015-11-01",
                  "2016-11-03", "2015-01-01", "2019-02-01", "2015-02-01"],
        "end": ["2018-12-01", "2019-05-01", "2020-01-01", "2014-12-01", "2019-09-01", "2016-03-01",
                "2017-03-01", "2015-06-01", "2019-04-01", "2015-03-01"],
        "care_type": ["HVB"] * 10,
    })
    tariffs = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2010-01-01"], "daily_cost": [3500.0]})
    return utfall.Cohort.from_frames(people, eps, tariffs, data_end="2021-12-31")


def test_covariates_are_measured_before_each_own_index_date():
    cohort = small_cohort()
    prior = cohort.history("1y")["prior_care_days_HVB"]
    assert prior.to_dict() == {"P1": 61, "P2": 120, "P3": 119, "H1": 61, "H2": 120, "H3": 121, "H4": 118,
                               "H5": 0, "H6": 151}
    m = utfall.match(cohort, covariates=["prior_care_days_HVB"], lookback="1y", distance="euclidean",
                     horizon="2y")
    pairs = m.pairs.set_index("treated")
    # P1's 61 days in 2018 match H1's 61 days in 2014: the same distance from their own index dates.
    assert pairs.loc["P1", "control"] == "H1" and pairs.loc["P1", "distance"] == 0


def test_the_pool_shrinks_when_the_horizon_grows():
    cohort = small_cohort()
    ms = utfall.match(cohort, covariates=["prior_care_days_HVB"], lookback="1y", distance="euclidean",
                      horizon=["2y", "3y"])
    assert isinstance(ms, utfall.MatchSet) and list(ms) == ["2y", "3y"]
    two, three = ms["2y"].pairs.set_index("treated"), ms["3y"].pairs.set_index("treated")
    assert two.loc["P2", "control"] == "H2"          # H2 has 2 years of follow-up ...
    assert three.loc["P2", "control"] == "H3"        # ... but not 3: the next closest takes its place
    assert list(ms["2y"].discarded_ids) == ["H6"]
    assert list(ms["3y"].discarded_ids) == ["H2", "H6"]
    assert ms["3y"].counts.loc["control", "discarded"] == 2
    assert ms["3y"].counts.loc["control", "all"] == 6
    # Participants are treated whatever their own follow-up (P3 has under 2 years).
    assert set(ms["3y"].pairs["treated"]) == {"P1", "P2", "P3"}
    assert ms["3y"].spec["horizon"] == "3y" and ms["3y"].spec["lookback"] == "1y"
    json.dumps(ms["3y"].spec)
    assert "3y" in repr(ms) and not ms.summary().empty


def test_one_person_used_at_most_once_when_asked():
    cohort = small_cohort()
    kw = dict(covariates=["prior_care_days_HVB"], lookback="1y", distance="euclidean", horizon="3y")
    allowed = utfall.match(cohort, **kw).pairs.set_index("treated")["control"]
    assert allowed.to_dict() == {"P1": "H1", "P2": "H3", "P3": "H4"}   # H3 and H4 are both person X
    never = utfall.match(cohort, person="person", reuse="never", **kw).pairs.set_index("treated")["control"]
    assert never.to_dict() == {"P1": "H1", "P2": "H3", "P3": "H5"}
    assert utfall.match(cohort, person="person", reuse="never", **kw).spec["reuse"] == "never"


def test_cohort_covariates_from_individuals_and_logit():
    cohort = small_cohort()
    m = utfall.match(cohort, covariates=["age", "prior_care_days_HVB"], lookback="1y", horizon="2y")
    assert m.distance is not None and len(m.pairs) == 3


# ---------------------------------------------------------------------------- errors
def test_separation_and_singular_designs_raise(lalonde):
    d = lalonde.assign(sep=lalonde["treat"] * 10.0 + np.arange(len(lalonde)) * 1e-3)
    with pytest.raises(utfall.ComputationError, match="separation|converge"):
        utfall.match(d, "treat", ["age", "sep"])
    d = lalonde.assign(age2=lalonde["age"] * 2.0)
    with pytest.raises(utfall.ComputationError, match="'age2'"):
        utfall.match(d, "treat", ["age", "age2"])


def test_constant_missing_and_unknown_covariates_raise(lalonde):
    with pytest.raises(utfall.DataError, match="constant"):
        utfall.match(lalonde.assign(k=1.0), "treat", ["age", "k"])
    d = lalonde.copy()
    d.loc[5, "educ"] = np.nan
    with pytest.raises(utfall.DataError, match="row 5") as info:
        utfall.match(d, "treat", ["age", "educ"])
    assert info.value.column == "educ" and info.value.id == "NSW6"
    with pytest.raises(utfall.DataError, match="every unit"):
        utfall.match(lalonde.assign(z=np.nan), "treat", ["age", "z"])
    with pytest.raises(utfall.SpecError, match="not a column"):
        utfall.match(lalonde, "treat", ["age", "nope"])
    with pytest.raises(ValueError, match="order must be one of"):
        utfall.match(lalonde, "treat", ["age"], order="sideways")
    with pytest.raises(utfall.SpecError, match="distance must be"):
        utfall.match(lalonde, "treat", ["age"], distance="cosine")


def test_a_caliper_that_leaves_no_match_raises():
    d = pd.DataFrame({"treat": [1, 1, 0, 0], "x": [1.0, 2.0, 3.0, 4.0]})
    score = np.array([0.9, 0.8, 0.2, 0.1])
    with pytest.raises(utfall.ComputationError, match="no treated unit was matched.*caliper"):
        utfall.match(d, "treat", ["x"], distance=score, caliper=0.05, std_caliper=False)


def test_an_exact_level_in_one_group_is_reported_not_dropped(lalonde):
    d = lalonde.assign(site=np.where(lalonde["id"].isin(["NSW1", "NSW2"]), "north", "south"))
    m = utfall.match(d, "treat", ["age", "educ"], exact="site")
    assert set(m.unmatched["id"]) == {"NSW1", "NSW2"}
    assert set(m.unmatched["reason"]) == {"no control in the exact stratum"}
    assert m.weights["NSW1"] == 0


# ---------------------------------------------------------------------------- fuzzing at the boundary
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.tuples(st.booleans(), st.integers(0, 5), st.floats(-3, 3), st.sampled_from("abc")),
                  min_size=4, max_size=40),
    ratio=st.integers(1, 3),
    replace=st.booleans(),
    distance=st.sampled_from(["logit", "mahalanobis", "euclidean"]),
    caliper=st.one_of(st.none(), st.floats(0.01, 2.0)),
)
def test_any_input_gives_a_consistent_result_or_a_utfall_error(rows, ratio, replace, distance, caliper):
    d = pd.DataFrame(rows, columns=["treat", "k", "x", "g"]).assign(treat=lambda f: f["treat"].astype(int))
    if distance != "logit":
        caliper = None
    try:
        m = utfall.match(d, "treat", ["k", "x"], distance=distance, ratio=ratio, replace=replace, caliper=caliper,
                         exact="g")
    except utfall.UtfallError:
        return
    t = d["treat"].to_numpy() == 1
    w = m.weights.to_numpy()
    assert set(np.unique(w[t])) <= {0.0, 1.0}
    assert (w[t] > 0).sum() + len(m.unmatched) == t.sum()
    assert (m.pairs.groupby("treated").size() <= ratio).all()
    if not replace:
        assert not m.pairs["control"].duplicated().any()
    assert (d.loc[m.pairs["treated"], "g"].to_numpy() == d.loc[m.pairs["control"], "g"].to_numpy()).all()
    used = w[~t][w[~t] > 0]
    assert abs(used.sum() - len(used)) < 1e-9


# ---------------------------------------------------------------------------- against a brute-force greedy
def _brute_force(score_or_x, treat, order, ratio, replace, caliper=None, groups=None):
    """Greedy matching by exhaustive search (no ties in continuous data)."""
    x = np.atleast_2d(score_or_x.T).T
    dist = lambda t, c: float(np.sqrt(np.sum((x[t] - x[c]) ** 2)))  # noqa: E731
    ok = lambda t, c: (caliper is None or dist(t, c) <= caliper) and (groups is None or groups[t] == groups[c])  # noqa: E731
    avail = set(np.flatnonzero(~treat))
    rows = {t: [] for t in np.flatnonzero(treat)}
    dead = set()
    order_t = list(rows)
    if order == "largest":
        order_t = sorted(order_t, key=lambda t: -x[t, 0])
    for r in range(1 if replace else ratio):
        if order == "closest":
            todo = [t for t in order_t if t not in dead]
            while todo:
                pairs = [(dist(t, c), t, c) for t in todo for c in avail if ok(t, c) and c not in rows[t]]
                if not pairs:
                    break
                _, t, c = min(pairs)
                rows[t].append(c)
                avail.discard(c)
                todo.remove(t)
            dead.update(t for t in todo if r == 0)
            continue
        for t in order_t:
            if t in dead:
                continue
            cands = sorted((c for c in avail if ok(t, c) and c not in rows[t]), key=lambda c: dist(t, c))
            cands = cands[:ratio if replace else 1]
            if not cands:
                dead.update([t] if r == 0 else [])
                continue
            rows[t] += cands
            if not replace:
                avail -= set(cands)
    return {(int(t), int(c)) for t, cs in rows.items() for c in cs}


@pytest.mark.parametrize("seed", range(12))
def test_greedy_matching_equals_a_brute_force_search(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(40, 160))
    treat = rng.random(n) < 0.3
    treat[:2], treat[2:6] = True, False
    d = pd.DataFrame({"t": treat.astype(int), "a": rng.normal(size=n), "b": rng.normal(size=n),
                      "g": rng.integers(0, 2, size=n)})
    score = rng.random(n)
    ratio, replace = int(rng.integers(1, 3)), bool(seed % 4 == 3)
    order = ["largest", "closest", "data"][seed % 3] if not replace else "data"
    caliper = [None, 0.1][seed % 2] if order != "closest" else None
    m = utfall.match(d, "t", ["a"], distance=score, ratio=ratio, replace=replace, caliper=caliper,
                     std_caliper=False, order=order if not replace else None)
    mine = set(zip(m.pairs["treated"].astype(int), m.pairs["control"].astype(int)))
    assert mine == _brute_force(score, treat, order, ratio, replace, caliper)
    e = utfall.match(d, "t", ["a", "b"], distance="euclidean", ratio=ratio, exact="g")
    mine = set(zip(e.pairs["treated"].astype(int), e.pairs["control"].astype(int)))
    assert mine == _brute_force(d[["a", "b"]].to_numpy(), treat, "data", ratio, False, groups=d["g"].to_numpy())


def test_random_order_without_a_seed_records_the_seed_it_drew():
    data = utfall.datasets.lalonde()
    first = utfall.match(data, "treat", ["age", "educ", "re74"], order="random")
    again = utfall.match(data, "treat", ["age", "educ", "re74"], order="random", seed=first.spec["seed"])
    assert first.spec["seed"] is not None
    pd.testing.assert_frame_equal(first.pairs, again.pairs)
    with pytest.raises(utfall.SpecError, match="seed"):
        utfall.match(data, "treat", ["age"], seed=-1)
