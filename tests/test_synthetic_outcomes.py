"""utfall.synthetic.outcomes: calibrated to the published school counts, deterministic, its own stream."""

import numpy as np
import pandas as pd
import pytest
import utfall


@pytest.mark.parametrize("seed", [2016, 1, 2, 3, 4])
def test_school_counts_match_the_published_ones_at_60(seed):
    cohort = utfall.synthetic.register(60, 100, seed=seed)
    o = utfall.synthetic.outcomes(cohort, seed=seed)
    cs = utfall.change_scores(o, "school_before", "school_after", reason="reason", pending=["not home long enough"],
                              n_resamples=99, seed=1, name="school")
    row = cs.summary().loc["school"]
    assert (row["n"], row["n measurable"], row["n determined"], row["n no data"], row["n not yet measurable"]) == \
        (60, 50, 46, 4, 10)
    assert (row["n negative"], row["n neutral"], row["n positive"], row["net sum"]) == (7, 22, 17, 18)
    # The not-yet-measurable are the latest included.
    people = cohort.individuals.set_index("id").loc[o["id"]]
    late = o["reason"].eq("not home long enough").to_numpy()
    assert people["index_date"].to_numpy()[late].min() >= people["index_date"].to_numpy()[~late].max()


def test_deterministic_and_independent_of_the_register_stream():
    cohort = utfall.synthetic.register(60, 100, seed=5)
    a = utfall.synthetic.outcomes(cohort, seed=5)
    b = utfall.synthetic.outcomes(cohort, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(utfall.synthetic.outcomes(cohort, seed=6))
    # The register itself does not change when outcomes are drawn (they have their own stream).
    again = utfall.synthetic.register(60, 100, seed=5)
    assert again.fingerprints() == cohort.fingerprints()


def test_all_six_measures_in_one_table():
    cohort = utfall.synthetic.register(60, 100, seed=2016)
    o = utfall.synthetic.outcomes(cohort)
    cs = utfall.change_scores(o, measures=utfall.synthetic.OUTCOME_MEASURES, reason="reason",
                              pending=["not home long enough"], n_resamples=99, seed=1)
    table = cs.summary()
    assert list(table.index) == list(utfall.synthetic.OUTCOME_MEASURES)
    assert (table["n not yet measurable"] == 10).all()
    social = table.drop(index="school")
    assert (social["n determined"] == 50).all()
    assert not cs["risk_substance_use"].only.higher_is_better
    assert np.isfinite(table["Wilcoxon p"]).all()
