"""Property: every expected cost is the mean of its comparison individuals' aligned windows.

Random small cohorts (int ids, random ends of data so that some participants
are truncated); the expected cost is recomputed independently with
``Cohort.costs_over`` over ``[index_c, index_c + L_i)``, ``L_i`` the horizon
when participant ``i`` is complete and its observed days otherwise.
"""

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

import utfall


def random_cohort(seed: int):
    rng = np.random.default_rng(seed)
    n_part, n_hist = int(rng.integers(2, 8)), int(rng.integers(3, 15))
    n = n_part + n_hist
    part = np.arange(n) < n_part
    index = np.where(part, rng.integers(17000, 17900, n), rng.integers(15000, 16500, n))
    end = np.where(rng.random(n) < 0.3, index + rng.integers(100, 1500, n), 18627)  # 2020-12-31
    people = pd.DataFrame({"id": np.arange(100, 100 + n), "group": np.where(part, "participant", "historical"),
                           "index_date": index.astype("datetime64[D]"),
                           "end_of_data": np.minimum(end, 18627).astype("datetime64[D]"),
                           "kind": rng.integers(0, 2, n)})
    k = rng.integers(0, 4, n)
    who = np.repeat(np.arange(n), k)
    gaps = rng.integers(60, 400, len(who))  # gaps exceed stays: no overlaps
    running = np.cumsum(gaps)
    before = np.repeat(np.concatenate([[0], np.cumsum(k)[:-1]]), k)  # first episode row of each individual
    start = index[who] - 300 + running - (running[before] - gaps[before])
    stay = rng.integers(1, 60, len(who))
    episodes = pd.DataFrame({"id": 100 + who, "start": start.astype("datetime64[D]"),
                             "end": (start + stay).astype("datetime64[D]"),
                             "care_type": rng.choice(["HVB", "SiS"], len(who))})
    episodes = episodes.sort_values(["id", "start"])
    tariffs = pd.DataFrame({"care_type": ["HVB", "HVB", "SiS"],
                            "valid_from": ["2000-01-01", "2016-07-01", "2000-01-01"],
                            "daily_cost": [1000.0, 1300.0, 2500.0]})
    prices = {y: 90.0 + 2 * (y - 2000) for y in range(1990, 2021)}
    return utfall.Cohort.from_frames(people, episodes, tariffs, None, prices, base_year=2020)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["1y", "2y", "18m", "400d"]))
def test_expected_is_the_mean_over_aligned_windows(seed, horizon):
    cohort = random_cohort(seed)
    ev = utfall.evaluate(cohort, {"estimator": "stratum", "exact": ["kind"]}, horizons=[horizon], bootstrap=False,
                         seed=seed)
    table = ev.individuals
    index = cohort.individuals.set_index("id")["index_date"]
    windows_at = {horizon: cohort.costs(horizon)}
    for _, row in table.iterrows():
        ids = list(row["comparison_ids"])
        if not ids:
            assert np.isnan(row["expected"]) and not row["included"]
            continue
        pos = cohort.ids.get_indexer(ids)
        start = index.loc[ids].to_numpy("datetime64[D]")
        if row["complete"]:  # each comparison individual's own full window, as Cohort.costs gives it
            end = windows_at[horizon].loc[ids, "window_end"].to_numpy("datetime64[D]")
        else:
            end = start + np.timedelta64(int(row["days_observed"]), "D")
        windows = cohort.costs_over(pos, start, end)
        assert windows["complete"].all()
        assert row["expected"] == np.float64(windows["cost_total"].mean()) or \
            abs(row["expected"] - windows["cost_total"].mean()) <= 1e-9 * max(1.0, abs(row["expected"]))
    back = utfall.load_evaluation(ev.to_json(disclosure="full"))
    assert back == ev
