"""The fast ingestion path gives the cohorts, and the errors, of the code before it.

``tests/data/ingestion_golden/golden.json`` holds, for a few registers built here
(serial and sparse integer ids, shuffled rows, string ids, nulls, open ends, dates at
the edges of the years 1-9999, every ``datetime64`` unit, zoned timestamps, plain string
labels), the fingerprints of the validated tables, the rows outside observation and the
costs over two horizons, and the messages of boundary errors, as made by the ingestion
code before the fast path (see the README there). Each register is read as pandas,
Arrow-backed pandas, polars, pyarrow and Parquet input and must give those values.

Regenerate (only when a change of results is intended): ``python tests/test_ingestion_golden.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import utfall

GOLDEN = Path(__file__).parent / "data" / "ingestion_golden" / "golden.json"
KINDS = ("pandas", "arrow-pandas", "polars", "pyarrow", "parquet")


def _frames(seed: int, n: int):
    f = utfall.synthetic.register(0, n, seed=seed, as_frames=True)
    return {k: f[k] for k in ("individuals", "episodes", "tariffs", "costs", "price_index")}, f["data_end"]


def registers():
    """name -> (tables, data_end): the registers the golden values describe."""
    out = {}
    tables, end = _frames(3, 3000)
    out["serial"] = (tables, end)

    # Sparse ids, rows in another order, ms / us / ns / zoned dates, a ledger without categories.
    t, _ = _frames(4, 2500)
    rng = np.random.default_rng(4)
    ind = t["individuals"].sample(frac=1.0, random_state=4).reset_index(drop=True)
    ind["id"] = ind["id"] * 7 + 1000
    ind["index_date"] = ind["index_date"].astype("datetime64[ms]")
    ind["end_of_data"] = pd.Series(pd.Timestamp("2020-06-30"), index=ind.index).astype("datetime64[us]")
    ep = t["episodes"].sample(frac=1.0, random_state=5).reset_index(drop=True)
    ep["id"] = ep["id"] * 7 + 1000
    ep["start"] = ep["start"].astype("datetime64[ns]")
    ep["end"] = ep["end"].astype("datetime64[us]")
    led = t["costs"].drop(columns=["category"])
    led["id"] = led["id"] * 7 + 1000
    led["date"] = (led["date"] + pd.Timedelta(hours=23)).dt.tz_localize("UTC").dt.tz_convert("Europe/Stockholm")
    out["sparse"] = ({"individuals": ind, "episodes": ep, "tariffs": t["tariffs"], "costs": led,
                      "price_index": t["price_index"]}, None)

    # String ids, plain string labels, open ends, the edges of the years 1-9999, no price index.
    ids = [f"p{k:05d}" for k in range(400)]
    day = np.timedelta64(1, "D")
    index = np.datetime64("0001-03-01") + (rng.integers(0, 3_000_000, 400) * day)
    index[:3] = [np.datetime64("0001-01-01"), np.datetime64("9999-12-01"), np.datetime64("1970-01-01")]
    end = index + rng.integers(30, 5000, 400) * day
    end = np.minimum(end, np.datetime64("9999-12-30"))
    end_col = pd.Series(end.astype("datetime64[s]"))
    end_col[5:15] = pd.NaT
    end_col[15:25] = np.datetime64("9999-12-31")
    people = pd.DataFrame({"id": ids, "group": np.where(np.arange(400) % 3 == 0, "treated", "comparison"),
                           "index_date": index.astype("datetime64[s]"), "end_of_data": end_col,
                           "age": rng.integers(12, 18, 400)})
    who = np.repeat(np.arange(400), 3)
    start = index[who] + (np.tile([0, 10, 20], 400) * day)
    stop = pd.Series((start + 5 * day).astype("datetime64[s]"))
    stop[::7] = pd.NaT
    stop[1::11] = np.datetime64("9999-12-31")
    keep = ~(stop.isna() | (stop == np.datetime64("9999-12-31"))).to_numpy()
    keep = keep | (np.tile([0, 1, 2], 400) == 2)  # an open end only on the last episode
    eps = pd.DataFrame({"id": np.array(ids)[who], "start": start.astype("datetime64[s]"), "end": stop,
                        "care_type": np.where(who % 2 == 0, "HVB", "SiS")})[keep].reset_index(drop=True)
    tariffs = pd.DataFrame({"care_type": ["HVB", "SiS", "HVB"],
                            "valid_from": np.array(["0001-01-01", "0001-01-01", "5000-01-01"], dtype="datetime64[s]"),
                            "daily_cost": [3500.0, 6000.0, 4000.0]})
    ledger = pd.DataFrame({"id": np.array(ids)[np.arange(0, 400, 2)], "date": index[::2].astype("datetime64[s]"),
                           "amount": np.arange(200) * 10.5, "category": np.where(np.arange(200) % 2, "a", "b")})
    out["strings"] = ({"individuals": people, "episodes": eps, "tariffs": tariffs, "costs": ledger,
                       "price_index": None}, "9999-12-30")
    return out


def errors():
    """name -> (tables, data_end): registers each with one boundary error."""
    base, end = _frames(5, 200)
    out = {}

    def with_(table, column, row, value):
        tables = {k: (v.copy() if v is not None else None) for k, v in base.items()}
        frame = tables[table]
        if column in frame and isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype(object)
        frame.loc[row, column] = value
        return tables

    out["unknown episode id"] = (with_("episodes", "id", 17, 99_999), end)
    out["unknown ledger id"] = (with_("costs", "id", 9, 99_999), end)
    out["missing start"] = (with_("episodes", "start", 11, pd.NaT), end)
    out["open-end start"] = (with_("episodes", "start", 12, np.datetime64("9999-12-31")), end)
    out["bad group"] = (with_("individuals", "group", 4, "neither"), end)
    out["missing group"] = (with_("individuals", "group", 6, None), end)
    out["care type without tariff"] = (with_("episodes", "care_type", 8, "unknown"), end)
    out["missing index date"] = (with_("individuals", "index_date", 3, pd.NaT), end)
    out["date after 9999"] = (with_("costs", "date", 5, np.datetime64("10000-01-02T00:00:00")), end)
    out["date before year 1"] = (with_("episodes", "end", 7, np.datetime64("-0001-06-01T00:00:00")), end)
    return out


def convert(tables, kind, folder):
    import pyarrow as pa

    if kind == "pandas":
        return tables
    arrow = {k: (None if v is None else pa.Table.from_pandas(v, preserve_index=False)) for k, v in tables.items()}
    if kind == "pyarrow":
        return arrow
    if kind == "polars":
        import polars as pl

        return {k: (None if v is None else pl.from_arrow(v)) for k, v in arrow.items()}
    if kind == "arrow-pandas":
        return {k: (None if v is None else v.to_pandas(types_mapper=pd.ArrowDtype)) for k, v in arrow.items()}
    import pyarrow.parquet as pq

    out = {}
    for k, v in arrow.items():
        if v is None:
            out[k] = None
        else:
            out[k] = os.path.join(folder, f"{k}.parquet")
            pq.write_table(v, out[k])
    return out


def _hash(frame: pd.DataFrame) -> str:
    return hashlib.sha256(pd.util.hash_pandas_object(frame.reset_index(), index=False).to_numpy().tobytes()
                          ).hexdigest()


def summary(tables, data_end):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cohort = utfall.Cohort.from_frames(**{k: v for k, v in tables.items() if v is not None}, data_end=data_end)
    return {"fingerprints": cohort.fingerprints(), "care_types": list(cohort.care_types),
            "categories": list(cohort.categories), "outside": _hash(cohort.outside_observation),
            "costs_1y": _hash(cohort.costs("1y")), "costs_730d": _hash(cohort.costs("730d")),
            "total_cost_1y": float(cohort.costs("1y")["cost_total"].sum())}


def error_text(tables, data_end):
    try:
        utfall.Cohort.from_frames(**{k: v for k, v in tables.items() if v is not None}, data_end=data_end)
    except utfall.DataError as err:
        # (The message names the id by a per-session pseudonym unless options.show_ids: the raw id is kept.)
        return [err.table, err.column, err.row, err.problem, repr(getattr(err, "id", None))]
    return ["no error"]


def make_golden() -> dict:
    return {"registers": {name: summary(*r) for name, r in registers().items()},
            "errors": {name: error_text(*r) for name, r in errors().items()}}


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(make_golden(), indent=1, sort_keys=True) + "\n")
    sys.exit(0)

import pytest  # noqa: E402

pytest.importorskip("pyarrow")


@pytest.fixture(scope="module")
def golden():
    return json.loads(GOLDEN.read_text())


@pytest.fixture(scope="module")
def built():
    return registers()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["serial", "sparse", "strings"])
def test_cohort_matches_the_golden_one(golden, built, name, kind, tmp_path):
    if kind == "polars":
        pytest.importorskip("polars")
    tables, data_end = built[name]
    assert summary(convert(tables, kind, str(tmp_path)), data_end) == golden["registers"][name]


@pytest.mark.parametrize("name", sorted(errors()))
def test_errors_name_the_same_table_column_row_and_id(golden, name):
    tables, data_end = errors()[name]
    assert error_text(tables, data_end) == golden["errors"][name]


def test_a_dear_tariff_that_overflows_only_the_cohort_wide_bound_still_builds():
    # 1e306 a day over 5 days is finite; the bound (dearest tariff x all 1,005 care days) is not,
    # so the core checks each individual, as before the bound, and finds every cost finite.
    people = pd.DataFrame({"id": ["a", "b"], "group": ["participant", "historical"],
                           "index_date": ["2017-01-01", "2017-01-01"]})
    eps = pd.DataFrame({"id": ["a", "b"], "start": ["2017-01-01", "2017-01-01"], "end": ["2019-09-28", "2017-01-06"],
                        "care_type": ["HVB", "SiS"]})
    tariffs = pd.DataFrame({"care_type": ["HVB", "SiS"], "valid_from": ["2010-01-01"] * 2,
                            "daily_cost": [3500.0, 1e306]})
    costs = utfall.Cohort.from_frames(people, eps, tariffs, data_end="2020-12-31").costs("3y")
    assert costs["cost_SiS"].tolist() == [0.0, 5e306]
    assert costs["care_days_HVB"].tolist() == [1000.0, 0.0]
    dearer = tariffs.assign(daily_cost=[3500.0, 1e308])
    with pytest.raises(utfall.DataError) as info:
        utfall.Cohort.from_frames(people, eps, dearer, data_end="2020-12-31")
    assert (info.value.table, info.value.column, info.value.row) == ("tariffs", "daily_cost", 1)


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_dates_at_the_ends_of_each_unit_are_their_calendar_days(unit):
    # numpy's own cast of nanoseconds to days wraps near 1677-09-21; the days here are the calendar's.
    import datetime as dt

    text = ["1677-09-22T00:00", "1969-12-31T23:59", "1970-01-01T00:00", "2262-04-11T00:00"]
    if unit != "ns":
        text += ["0001-01-01T00:00", "9999-12-31T23:59"]
    values = pd.Series(np.array(text, dtype="datetime64[m]").astype(f"datetime64[{unit}]"))
    expected = [dt.date.fromisoformat(t[:10]).toordinal() - dt.date(1970, 1, 1).toordinal() for t in text]
    from utfall._frames import days

    assert days(values, "t", "c").tolist() == expected
