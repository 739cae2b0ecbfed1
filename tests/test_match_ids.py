"""Text ids in matching: checked in place (Arrow buffers), the same answers as pandas, the same pairs as integer ids."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import utfall
from utfall._frames import check_id_kinds, first_repeated_id


def pandas_first_repeat(values):
    rep = np.flatnonzero(pd.Index(values, dtype=object).duplicated())
    return int(rep[0]) if len(rep) else None


@given(st.lists(st.text(alphabet="ab\u00e5\u00e4", max_size=3), max_size=60))
def test_first_repeat_matches_pandas_for_every_layout(values):
    want = pandas_first_repeat(values)
    assert first_repeated_id(pd.Index(values, dtype="str")) == want
    assert first_repeated_id(pd.Index(values, dtype=object)) == want
    assert first_repeated_id(pd.Index(pd.array(values, dtype=pd.ArrowDtype(pa.large_string())))) == want
    assert first_repeated_id(pd.Index(pd.array(values, dtype=pd.ArrowDtype(pa.string())))) == want
    if len(values) > 2:
        # A slice keeps Arrow's buffers with an offset.
        assert first_repeated_id(pd.Index(values, dtype="str")[2:]) == pandas_first_repeat(values[2:])


@given(st.lists(st.text(alphabet="ab", min_size=7, max_size=10), max_size=60), st.booleans())
def test_long_and_sorted_text_ids_match_pandas(values, in_order):
    # Ids of up to ten bytes that often share their first eight (the ordered pass then
    # compares the whole texts; longer ids are hashed byte by byte), and sorted lists,
    # whose only repeats are neighbours (the ordered pass stops at the first).
    values = sorted(values) if in_order else values
    want = pandas_first_repeat(values)
    assert first_repeated_id(pd.Index(values, dtype="str")) == want
    assert first_repeated_id(pd.Index(values, dtype=object)) == want
    assert first_repeated_id(pd.Index(pd.array(values, dtype=pd.StringDtype("python")))) == want


@given(st.lists(st.integers(min_value=-2**63, max_value=2**63 - 1) | st.integers(-3, 3), max_size=60),
       st.booleans())
def test_integer_ids_match_pandas(values, in_order):
    values = sorted(values) if in_order else values
    want = pandas_first_repeat(values)
    assert first_repeated_id(pd.Index(np.array(values, dtype=np.int64))) == want
    small = [v % 100 for v in values]
    assert first_repeated_id(pd.Index(np.array(small, dtype=np.int8))) == pandas_first_repeat(small)
    unsigned = [v % 2**64 for v in values]  # above 2**63: not sorted as signed, found by the hash pass
    assert first_repeated_id(pd.Index(np.array(unsigned, dtype=np.uint64))) == pandas_first_repeat(unsigned)


def test_date_ids_and_a_million_shuffled_integers_are_checked_by_the_core():
    days = pd.to_datetime(["2020-01-01", "2021-06-30", "2020-01-01"])
    assert first_repeated_id(pd.Index(days)) == 2
    values = np.random.default_rng(2).permutation(1_000_000) * 7 - 3_000_000
    assert first_repeated_id(pd.Index(values)) is None
    values[900_000] = values[12]
    values[950_000] = values[5]
    assert first_repeated_id(pd.Index(values)) == 900_000


def test_object_ids_that_are_not_all_str_are_left_to_pandas():
    assert first_repeated_id(pd.Index(["x", None, "x"], dtype=object)) == 2
    assert first_repeated_id(pd.Index([1, 1.0, True], dtype=object)) == 1
    assert first_repeated_id(pd.Index(["\ud800", "a", "\ud800"], dtype=object)) == 2  # no UTF-8 form
    # A subclass of str is text (NumPy's str_), read by the core like str.
    subclassed = np.empty(3, dtype=object)
    subclassed[:] = [np.str_("\u00e5a"), "b", np.str_("\u00e5a")]
    assert first_repeated_id(pd.Index(subclassed, dtype=object)) == 2


def test_a_repeated_text_id_is_named_with_its_row():
    ids = [f"P{i:07d}" for i in range(50_000)]
    ids[40_000] = ids[123]
    ids[45_000] = ids[7]
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"id": ids, "t": (rng.random(50_000) < 0.1).astype(int), "x": rng.normal(size=50_000)})
    with pytest.raises(utfall.DataError, match=r"row 40000 .*duplicate id"):
        utfall.match(d, "t", ["x"], progress=False)


def test_object_ids_of_one_kind_pass_and_mixed_kinds_are_named():
    check_id_kinds(pd.Index(["a", "b"], dtype=object), "data")
    check_id_kinds(pd.Index([1, 2.5, np.int64(3)], dtype=object), "data")
    with pytest.raises(utfall.DataError, match="row 1"):
        check_id_kinds(pd.Index(["1", 1], dtype=object), "data")


def test_a_match_names_mixed_kinds_of_id_before_repeats():
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"t": [1, 0, 0, 1, 0, 0], "x": rng.normal(size=6)})
    with pytest.raises(utfall.DataError, match=r"row 2 .*is a number, but the id in row 0"):
        utfall.match(d.assign(id=pd.Series(["1", "2", 1, "1", "5", "6"], dtype=object)), "t", ["x"], progress=False)
    with pytest.raises(utfall.DataError, match=r"row 3 .*duplicate id"):
        utfall.match(d.assign(id=pd.Series(["1", "2", "3", "1", "5", "6"], dtype=object)), "t", ["x"], progress=False)


def test_text_ids_give_the_same_pairs_as_row_numbers():
    rng = np.random.default_rng(4)
    n = 20_000
    d = pd.DataFrame({"t": (rng.random(n) < 0.05).astype(int), "a": rng.normal(size=n), "b": rng.normal(size=n)})
    by_row = utfall.match(d, "t", ["a", "b"], progress=False)
    for dtype in ("str", object):
        named = d.assign(id=pd.Series([f"U{i}" for i in range(n)], dtype=dtype))
        by_id = utfall.match(named, "t", ["a", "b"], progress=False)
        assert by_id.pairs["treated"].tolist() == [f"U{i}" for i in by_row.pairs["treated"]]
        assert by_id.pairs["control"].tolist() == [f"U{i}" for i in by_row.pairs["control"]]
        np.testing.assert_array_equal(by_id.weights.to_numpy(), by_row.weights.to_numpy())
