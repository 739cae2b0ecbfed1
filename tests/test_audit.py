"""The audit trail: JSON record, exact reload, reproduce, and data changes caught."""

import json
import pickle

import numpy as np
import pytest

import utfall
from evaluation_data import PAIRS, hand_cohort

STRATA = {"estimator": "stratum", "exact": ["sex"]}


@pytest.fixture(scope="module")
def cohort():
    return hand_cohort()


def test_record_reloads_exactly(cohort, tmp_path):
    ev = utfall.evaluate(cohort, PAIRS, horizons=["2y", "3y"], intervention_cost=1000.0 / 3, bootstrap=False, seed=7)
    text = ev.to_json(tmp_path / "ev.json", disclosure="full")
    data = json.loads(text)
    assert data["seed"] == 7 and data["utfall_version"] == utfall.__version__
    assert set(data["fingerprints"]) == {"individuals", "episodes", "tariffs", "costs", "price_index"}
    assert data["specification"]["matching"]["estimator"] == "given"
    back = utfall.load_evaluation(tmp_path / "ev.json")
    assert back == ev
    assert back.summary(readable=False).loc["2y", "intervention_cost"] == 1000.0 / 3  # bit for bit
    assert back.individuals.loc["p1", "comparison_ids"].tolist()[0] == ("h1", "h3")
    assert utfall.load_evaluation(text).trajectory("3y").equals(ev.trajectory("3y"))


def test_reproduce_and_a_changed_cost_is_caught(cohort):
    ev = utfall.evaluate(cohort, STRATA, horizons=["2y", "3y"], bootstrap=False, seed=3)
    again = utfall.reproduce(ev.to_json(disclosure="full"), cohort)
    assert again == ev
    with pytest.raises(utfall.ReproductionError, match="table\\(s\\) 'tariffs' "):
        utfall.reproduce(ev.to_json(disclosure="full"), hand_cohort(change_tariff=True))
    with pytest.raises(utfall.ReproductionError, match="table\\(s\\) 'costs' "):
        utfall.reproduce(ev.to_json(disclosure="full"), hand_cohort(change_ledger=True))


def test_reproduce_names_a_differing_number(cohort):
    ev = utfall.evaluate(cohort, STRATA, horizons=["2y"], bootstrap=False, seed=3)
    data = json.loads(ev.to_json(disclosure="full"))
    col = next(c for c in data["results"]["individuals"]["columns"] if c["name"] == "expected")
    col["values"][0] = np.nextafter(col["values"][0], np.inf)  # one ulp
    with pytest.raises(utfall.ReproductionError, match="column 'expected', row 0"):
        utfall.reproduce(json.dumps(data), cohort)


def test_cohort_pickles(cohort):
    back = pickle.loads(pickle.dumps(cohort))
    assert back.fingerprints() == cohort.fingerprints()
    assert back.costs("3y").equals(cohort.costs("3y"))
