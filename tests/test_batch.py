"""evaluate_many: one tidy table, the same numbers on any executor."""

import pandas as pd
import pytest

import utfall
from evaluation_data import PAIRS, hand_cohort

STRATA = {"estimator": "stratum", "exact": ["sex"]}


def specs(cohort):
    return [
        {"name": "pairs", "matching": PAIRS, "horizons": ["2y", "3y"], "seed": 1, "bootstrap": False},
        {"name": "strata", "matching": STRATA, "horizons": ["2y", "3y"], "seed": 2, "bootstrap": 200},
        {"name": "days", "matching": STRATA, "horizons": ["3y"], "outcome": "care_days", "seed": 3, "bootstrap": False},
        {"name": "complete", "cohort": cohort, "matching": STRATA, "horizons": ["2y"], "partial": "complete",
         "care_types": ["HVB"], "seed": 4, "bootstrap": False},
    ]


def expected_table(cohort):
    out = []
    for spec in specs(cohort):
        spec = dict(spec)
        spec.pop("name")
        spec.pop("cohort", None)
        out.append(utfall.evaluate(cohort, **spec).summary(readable=False).reset_index())
    return pd.concat(out, ignore_index=True)


def test_tidy_rows_match_single_evaluations():
    cohort = hand_cohort()
    table = utfall.evaluate_many(specs(cohort), cohort, max_workers=3, progress=False)
    assert len(table) == 2 + 2 + 1 + 1
    assert table["name"].tolist() == ["pairs", "pairs", "strata", "strata", "days", "complete"]
    assert table["estimator"].tolist()[:3] == ["given", "given", "stratum"]
    assert table.loc[5, "care_types"] == "HVB" and table.loc[4, "outcome"] == "care_days"
    assert table["cohort"].nunique() == 1
    pd.testing.assert_frame_equal(table[expected_table(cohort).columns], expected_table(cohort))


def test_unknown_arguments_and_missing_cohort():
    with pytest.raises(utfall.SpecError, match="no cohort"):
        utfall.evaluate_many([{"matching": STRATA}])
    with pytest.raises(utfall.SpecError, match="unknown argument"):
        utfall.evaluate_many([{"matching": STRATA, "horizon": "2y"}], hand_cohort())


def test_runs_on_a_local_dask_cluster():
    distributed = pytest.importorskip("distributed")
    cohort = hand_cohort()
    with distributed.Client(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None) as client:
        table = utfall.evaluate_many(specs(cohort), cohort, executor=client.get_executor(), progress=False)
    local = utfall.evaluate_many(specs(cohort), cohort, progress=False)
    pd.testing.assert_frame_equal(table, local)
