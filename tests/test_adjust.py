"""The bias-corrected matching estimator (evaluate(..., adjust=)) against a hand computation and
Matching::Match(BiasAdjust = TRUE) (tests/data/adjust/generate.R)."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import utfall

DATA = Path(__file__).parent / "data" / "adjust"


@pytest.fixture(scope="module")
def cohort():
    return utfall.Cohort.from_frames(pd.read_csv(DATA / "individuals.csv"), pd.read_csv(DATA / "episodes.csv"),
                                     tariffs=pd.read_csv(DATA / "tariffs.csv"), data_end="2021-10-31")


@pytest.mark.parametrize("M", [1, 2])
def test_agrees_with_matching_biasadjust(cohort, M):
    units = pd.read_csv(DATA / "units.csv").set_index("id")
    costs = cohort.costs("2y")
    assert np.array_equal(costs["cost_total"].to_numpy(), units["y"].to_numpy())  # R saw the same outcomes
    pairs = pd.read_csv(DATA / f"pairs_M{M}.csv")
    ref = pd.read_csv(DATA / "reference.csv").set_index("M").loc[M]
    plain = utfall.evaluate(cohort, pairs, horizons=["2y"], bootstrap=False, seed=1, progress=False)
    ev = _adjusted(cohort, pairs)
    # Matching's ATT is mean(actual - expected); utfall's savings are expected - actual.
    assert -plain.summary(readable=False).loc["2y", "savings_mean"] == pytest.approx(ref["est_unadjusted"], rel=1e-12)
    assert -ev.summary(readable=False).loc["2y", "savings_mean"] == pytest.approx(ref["est_bias_adjusted"], rel=1e-9)


def _adjusted(cohort, pairs):
    # prior_cost_total over the 2 years before each index date, as units.csv has it.
    people = cohort.individuals.reset_index(drop=True).assign(
        prior_cost_total=cohort.history("2y")["prior_cost_total"].to_numpy())
    with_prior = utfall.Cohort.from_frames(people, cohort.episodes, tariffs=cohort.tariffs, data_end="2021-10-31")
    return utfall.evaluate(with_prior, pairs, horizons=["2y"], bootstrap=False, seed=1, progress=False,
                           adjust=["age", "prior_cost_total"])


def test_hand_computed_case():
    # Participants p (age 10) and q (age 14), 10 care days each at 100 SEK a day; p is
    # compared with a (age 8, 20 days) and b (age 12, 40 days), q with c and d (both age 12,
    # 40 days). Expected: p (2000 + 4000) / 2 = 3000, q 4000.
    people = pd.DataFrame({"id": list("pqabcd"), "group": ["participant"] * 2 + ["historical"] * 4,
                           "index_date": ["2018-01-01"] * 2 + ["2013-01-01"] * 4, "age": [10, 14, 8, 12, 12, 12]})
    days = {"p": 10, "q": 10, "a": 20, "b": 40, "c": 40, "d": 40}
    episodes = pd.DataFrame({"id": list(days), "start": ["2018-01-01"] * 2 + ["2013-01-01"] * 4,
                             "end": [str((pd.Timestamp(s) + pd.Timedelta(days=n)).date())
                                     for s, n in zip(["2018-01-01"] * 2 + ["2013-01-01"] * 4, days.values())],
                             "care_type": "HVB"})
    tariffs = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2010-01-01"], "daily_cost": [100.0]})
    c = utfall.Cohort.from_frames(people, episodes, tariffs=tariffs, data_end="2021-12-31")
    pairs = pd.DataFrame({"treated": list("ppqq"), "control": list("abcd")})
    ev = utfall.evaluate(c, pairs, horizons=["1y"], bootstrap=False, seed=1, progress=False, adjust=["age"])
    t = ev.individuals
    # Regression over (8, 2000), (12, 4000), (12, 4000), (12, 4000), equal weights:
    # mean age 11, mean cost 3500; slope = sum((x - 11)(y - 3500)) / sum((x - 11)^2) = 6000 / 12 = 500.
    assert t.loc["p", "expected_unadjusted"] == 3000.0
    assert t.loc["p", "bias_correction"] == pytest.approx(500 * (10 - 10))  # mu(10) - mean(mu(8), mu(12))
    assert t.loc["q", "expected_unadjusted"] == 4000.0
    assert t.loc["q", "bias_correction"] == pytest.approx(500 * (14 - 12))
    assert t.loc["q", "expected"] == pytest.approx(5000.0)


def test_constant_adjustment_covariate_is_a_computation_error(cohort):
    pairs = pd.read_csv(DATA / "pairs_M1.csv")
    people = cohort.individuals.reset_index(drop=True).assign(region="Norrköping")
    c = utfall.Cohort.from_frames(people, cohort.episodes, tariffs=cohort.tariffs, data_end="2021-10-31")
    with pytest.raises(utfall.ComputationError, match="'region' is constant among the comparison individuals"):
        utfall.evaluate(c, pairs, horizons=["2y"], bootstrap=False, seed=1, progress=False, adjust=["age", "region"])
    with pytest.raises(utfall.SpecError, match="stratum"):
        utfall.evaluate(c, {"estimator": "stratum", "exact": ["age"]}, horizons=["2y"], bootstrap=False, seed=1,
                        progress=False, adjust=["age"])


def test_an_adjusted_evaluation_is_reproduced_from_both_records():
    cohort = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    ev = utfall.evaluate(cohort, matching={"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"},
                         horizons=["2y"], adjust=["age"], bootstrap={"n_resamples": 199}, seed=1, progress=False)
    assert ev.spec["adjust"] == ["age"]
    with pytest.warns(utfall.DisclosureWarning):
        assert utfall.reproduce(ev.to_json(disclosure="full"), cohort) == ev
    key = utfall.privacy.new_key()
    assert utfall.reproduce(ev.to_json(key=key), cohort, key=key) == ev
    # The adjustment is part of what is checked: a record claiming no adjustment differs.
    import json

    record = json.loads(ev.to_json(disclosure="full"))
    del record["specification"]["adjust"]
    with pytest.raises(utfall.ReproductionError):
        utfall.reproduce(json.dumps(record), cohort)
