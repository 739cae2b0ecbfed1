"""The synthetic register: format, determinism, and calibration to the published figures."""

from __future__ import annotations

import pandas as pd
import pytest

import utfall
from utfall.demo import top_shares


@pytest.fixture(scope="module")
def frames():
    return utfall.synthetic.register(60, 2_000, seed=5, as_frames=True)


def test_frames_are_the_register_format(frames):
    ind, ep = frames["individuals"], frames["episodes"]
    assert list(ind.columns[:4]) == ["id", "group", "index_date", "end_of_data"]
    assert {"age", "sex", "diagnosis", "substance_use"} <= set(ind.columns)
    assert ind["age"].between(12, 17).all()
    assert set(ind["sex"]) == {"F", "M"}
    assert list(ep.columns) == ["id", "start", "end", "care_type"]
    assert set(ep["care_type"]) == {"HVB", "SiS", "foster_home", "emergency_home"}
    assert ep["end"].isna().any(), "some episodes are ongoing at the extract"
    assert frames["data_end"] == pd.Timestamp("2021-10-31")
    assert frames["base_year"] == 2021
    assert set(frames["costs"]["category"]) == {"outpatient"}
    assert frames["price_index"]["year"].tolist() == list(range(2005, 2022))
    p = ind[ind["group"] == "participant"]["index_date"]
    h = ind[ind["group"] == "historical"]["index_date"]
    assert p.min() >= pd.Timestamp("2016-08-01") and p.max() <= pd.Timestamp("2018-12-31")
    assert h.min() >= pd.Timestamp("2013-01-01") and h.max() <= pd.Timestamp("2015-12-31")
    early = ind["end_of_data"].notna().mean()
    assert 0.01 < early < 0.08


def test_tariffs_change_mid_year(frames):
    tariffs = frames["tariffs"]
    assert (tariffs["valid_from"].dt.month != 1).any()
    hvb_2016 = tariffs[(tariffs["care_type"] == "HVB") & (tariffs["valid_from"] <= "2016-06-01")]["daily_cost"].iloc[-1]
    assert 3_500 <= hvb_2016 <= 4_500


def test_frames_build_the_cohort_register_returns(frames):
    cohort = utfall.Cohort.from_frames(**frames)
    direct = utfall.synthetic.register(60, 2_000, seed=5)
    pd.testing.assert_frame_equal(cohort.costs("2y"), direct.costs("2y"))
    assert cohort.fingerprints() == direct.fingerprints()


def test_same_seed_same_register_other_seed_other_register():
    a = utfall.synthetic.register(10, 50, seed=1)
    b = utfall.synthetic.register(10, 50, seed=1)
    c = utfall.synthetic.register(10, 50, seed=2)
    assert a.fingerprints() == b.fingerprints()
    assert a.fingerprints()["episodes"] != c.fingerprints()["episodes"]


def test_participants_do_not_change_when_the_historical_pool_grows():
    small = utfall.synthetic.register(30, 100, seed=4, as_frames=True)["episodes"]
    large = utfall.synthetic.register(30, 1_000, seed=4, as_frames=True)["episodes"]
    pd.testing.assert_frame_equal(small[small["id"] <= 30], large[large["id"] <= 30])


def test_history_gives_matching_covariates():
    cohort = utfall.synthetic.register(60, 400, seed=3)
    history = cohort.history()
    assert (history["prior_placements"] > 0).mean() > 0.3
    assert history["prior_care_days_total"].max() > 0


def test_calibrated_to_the_published_figures():
    cohort = utfall.synthetic.register(0, 20_000, seed=1)
    costs = cohort.costs("2y")
    done = costs[costs["complete"]]
    top20, top50 = top_shares((done["care_days_HVB"] + done["care_days_SiS"]).to_numpy())
    assert 0.45 <= top20 <= 0.50
    assert 0.80 <= top50 <= 0.85
    assert 1.5e6 <= done["cost_total"].mean() <= 1.9e6


def test_participants_differ_from_historical_and_effect_is_small():
    cohort = utfall.synthetic.register(5_000, 5_000, seed=2)
    ind = cohort.individuals
    part = ind["group"] == "participant"
    assert ind.loc[part, "age"].mean() < ind.loc[~part, "age"].mean()
    # A heavier care need: more diagnoses, despite being younger.
    assert ind.loc[part, "diagnosis"].mean() > ind.loc[~part, "diagnosis"].mean() + 0.02
    cost = cohort.costs("2y")["cost_total"].to_numpy()
    ratio = cost[part.to_numpy()].mean() / cost[~part.to_numpy()].mean()
    assert 0.9 < ratio < 1.25, ratio


@pytest.mark.parametrize("bad", [-1, 1.5, "10", True])
def test_bad_sizes_are_refused(bad):
    with pytest.raises(ValueError, match="n_participants"):
        utfall.synthetic.register(bad, 10)


def test_bad_seed_is_refused():
    with pytest.raises(ValueError, match="seed"):
        utfall.synthetic.register(1, 1, seed=-3)


def test_same_register_on_one_and_four_threads():
    import os
    import subprocess
    import sys

    code = ("import hashlib, utfall; c = utfall.synthetic.register(60, 5000, seed=9); "
            "print(sorted(c.fingerprints().items())); "
            "print(hashlib.sha256(c.costs('3y').drop(columns='group').to_numpy('float64').tobytes()).hexdigest())")
    outputs = []
    for threads in ("1", "4"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        outputs.append(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                      check=True, timeout=120).stdout)
    assert outputs[0] == outputs[1]
