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
