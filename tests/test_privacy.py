"""Pseudonyms, small-cell suppression and ids in messages (utfall.privacy, utfall.options)."""

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.privacy import MARKER, pseudonym, suppress_counts, suppress_statistics

KEY = "a key the data holder keeps, long enough"


def test_pseudonyms_are_keyed_stable_and_typed():
    assert pseudonym("19121212-1212", KEY) == pseudonym("19121212-1212", KEY)
    assert pseudonym("19121212-1212", KEY) != pseudonym("19121212-1212", KEY + "!")
    assert pseudonym(1, KEY) != pseudonym("1", KEY)
    assert pseudonym(np.int64(7), KEY) == pseudonym(7, KEY)
    with pytest.raises(utfall.SpecError, match="at least 16 bytes"):
        pseudonym("x", "short")
    with pytest.raises(utfall.SpecError, match="ints or strings"):
        pseudonym(1.5, KEY)


def margins_recover(released: pd.DataFrame, original: pd.DataFrame) -> list:
    """Cells an attacker recovers exactly: a row or column with one suppressed cell and a shown total."""
    found = []
    inner = released.drop(index="Total", columns="Total")
    for axis in (0, 1):
        lines = inner if axis == 0 else inner.T
        totals = released["Total"] if axis == 0 else released.loc["Total"]
        for label, line in lines.iterrows():
            hidden = [k for k, v in line.items() if v == MARKER]
            if len(hidden) == 1 and totals[label] != MARKER:
                value = totals[label] - sum(v for v in line if v != MARKER)
                r, c = (label, hidden[0]) if axis == 0 else (hidden[0], label)
                found.append(((r, c), value, original.loc[r, c]))
    return found


def test_primary_suppression_alone_would_leak_a_cell_through_a_margin():
    t = pd.DataFrame({"HVB": [12, 3, 9], "SiS": [7, 15, 6], "foster": [20, 11, 8]}, index=["2y", "3y", "4y"])
    # Primary suppression alone: the 3 is recovered from its row total.
    primary = t.astype(object).mask(t < 5, MARKER)
    primary["Total"] = t.sum(axis=1)
    primary.loc["Total"] = list(t.sum(axis=0)) + [int(t.to_numpy().sum())]
    assert (("3y", "HVB"), 3, 3) in margins_recover(primary, t)
    released, mask, report = suppress_counts(t)
    assert margins_recover(released, t) == []
    assert released.loc["3y", "HVB"] == MARKER and int(mask.sum()) >= 4
    assert set(report.to_frame()["reason"].str.split(":").str[0]) == {"primary", "secondary"}
    # Unsuppressed cells and every total are exact.
    assert released.loc["Total", "Total"] == int(t.to_numpy().sum())


def test_small_totals_and_statistics_of_few_individuals_are_masked():
    t = pd.DataFrame({"a": [2, 0], "b": [1, 9]}, index=["x", "y"])
    released, _, _ = suppress_counts(t)
    assert released.loc["x", "Total"] == MARKER and released.loc["Total", "a"] == MARKER
    assert released.loc["y", "a"] == 0  # a zero identifies nobody
    stats = pd.DataFrame({"n": [40, 4], "mean cost (SEK)": [1.2e6, 3.4e6]}, index=["girls", "boys"])
    out, report = suppress_statistics(stats, stats["n"])
    assert out.loc["boys"].tolist() == [MARKER, MARKER] and out.loc["girls", "n"] == 40
    assert len(report) == 2
    with pytest.raises(utfall.SpecError, match="threshold"):
        suppress_counts(t, threshold=0)


def test_no_raw_id_in_messages_unless_the_data_holder_asks():
    people = pd.DataFrame({"id": ["19121212-1212", "19121212-1212"], "group": ["participant", "historical"],
                           "index_date": ["2017-01-01", "2014-01-01"]})
    eps = pd.DataFrame({"id": ["19121212-1212"], "start": ["2017-01-01"], "end": ["2017-02-01"],
                        "care_type": ["HVB"]})
    tariffs = pd.DataFrame({"care_type": ["HVB"], "valid_from": ["2010-01-01"], "daily_cost": [3000.0]})
    utfall.options.show_ids = False
    with pytest.raises(utfall.DataError) as hidden:
        utfall.Cohort.from_frames(people, eps, tariffs, data_end="2019-12-31")
    assert "19121212" not in str(hidden.value) and "row 1" in str(hidden.value) and "id #" in str(hidden.value)
    assert hidden.value.id == "19121212-1212"  # the raw id stays in the process, on the exception
    utfall.options.show_ids = True
    with pytest.raises(utfall.DataError, match="19121212-1212"):
        utfall.Cohort.from_frames(people, eps, tariffs, data_end="2019-12-31")
