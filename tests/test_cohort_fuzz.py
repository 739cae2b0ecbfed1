"""Fuzzing the boundary: whatever the tables hold, building a cohort and
querying it either works or raises a DataError, never anything else."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import utfall

valid_dates = st.dates(min_value=pd.Timestamp("2005-01-01").date(),
                       max_value=pd.Timestamp("2022-12-31").date()).map(str)
bad_dates = st.sampled_from(["", "not a date", None, "2016-02-30"])
# Mostly valid values, so that the queries are exercised too; now and then a bad one.
dates = st.integers(0, 24).flatmap(lambda k: bad_dates if k == 0 else valid_dates)
care_types = st.sampled_from(["HVB", "SiS", "foster_home"] * 5 + ["unknown"])


@st.composite
def registers(draw):
    n = draw(st.integers(1, 5))
    ids = [f"i{k}" for k in range(n)]
    individuals = pd.DataFrame({
        "id": ids if draw(st.integers(0, 9)) else ids[:-1] + ["i0"],
        "group": draw(st.lists(st.sampled_from(["participant", "historical"] * 8 + ["x"]), min_size=n, max_size=n)),
        "index_date": draw(st.lists(dates, min_size=n, max_size=n)),
    })
    m = draw(st.integers(0, 8))
    episodes = pd.DataFrame({
        "id": draw(st.lists(st.sampled_from(ids * 10 + ["ghost"]), min_size=m, max_size=m)),
        "start": draw(st.lists(dates, min_size=m, max_size=m)),
        "end": draw(st.lists(dates, min_size=m, max_size=m)),
        "care_type": draw(st.lists(care_types, min_size=m, max_size=m)),
    })
    tariffs = pd.DataFrame({
        "care_type": ["HVB", "SiS", "foster_home"],
        "valid_from": draw(st.sampled_from([["2000-01-01"] * 3, draw(st.lists(dates, min_size=3, max_size=3))])),
        "daily_cost": draw(st.lists(st.one_of(st.floats(0, 1e5), st.floats(allow_nan=True, allow_infinity=True)),
                                    min_size=3, max_size=3)),
    })
    return individuals, episodes, tariffs


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(registers(), st.booleans(), st.sampled_from(["2y", "1m", "1d", 400]))
def test_cohort_never_fails_with_anything_but_a_data_error(register, overlaps, horizon):
    individuals, episodes, tariffs = register
    try:
        cohort = utfall.Cohort.from_frames(individuals, episodes, tariffs, data_end="2021-12-31",
                                           allow_overlaps=overlaps)
    except utfall.DataError as err:
        assert err.table in {"individuals", "episodes", "tariffs", "costs", "price_index"}
        return
    costs = cohort.costs(horizon)
    assert len(costs) == len(individuals)
    assert (costs["days_observed"] >= 0).all()
    assert np.isfinite(costs["cost_total"]).all()
    cohort.history("1y")
    cohort.trajectories(3)
