"""Register ingestion through Arrow: pyarrow tables, polars frames, Arrow-backed pandas and Parquet files
give the cohort pandas gives (the same fingerprints and costs), and every boundary error the same way.

pyarrow and polars are in the test extra; each test skips cleanly where one is missing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall import DataError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

TABLES = ("individuals", "episodes", "tariffs", "costs", "price_index")


def _polars():
    return pytest.importorskip("polars")


def as_pyarrow(frame):
    return pa.Table.from_pandas(frame, preserve_index=False)


def as_polars(frame):
    return _polars().from_arrow(as_pyarrow(frame))


def as_arrow_pandas(frame):
    return as_pyarrow(frame).to_pandas(types_mapper=pd.ArrowDtype)


def as_parquet(folder):
    def write(frame, name=[0]):  # noqa: B006 - a counter for distinct file names
        name[0] += 1
        path = folder / f"table{name[0]}.parquet"
        pq.write_table(as_pyarrow(frame), path)
        return path
    return write


def kinds(tmp_path):
    """Every input kind as a function of a pandas frame; polars only where installed."""
    out = {"pyarrow": as_pyarrow, "arrow-backed pandas": as_arrow_pandas, "parquet": as_parquet(tmp_path)}
    try:
        import polars  # noqa: F401
        out["polars"] = as_polars
    except ImportError:
        pass
    return out


def build(frames, convert, **extra):
    args = {k: (convert(v) if isinstance(v, pd.DataFrame) else v) for k, v in frames.items()}
    return utfall.Cohort.from_frames(**args, **extra)


@pytest.fixture(scope="module")
def register():
    return utfall.synthetic.register(30, 400, seed=5, as_frames=True)


def assert_same_cohort(ours, theirs):
    assert ours.fingerprints() == theirs.fingerprints()
    for h in ("1y", "2y"):
        pd.testing.assert_frame_equal(ours.costs(h), theirs.costs(h))
    assert ours.care_types == theirs.care_types and ours.categories == theirs.categories
    for table in ("individuals", "episodes"):
        pd.testing.assert_frame_equal(getattr(ours, table), getattr(theirs, table), check_categorical=False)


@pytest.mark.parametrize("kind", ["pyarrow", "arrow-backed pandas", "parquet", "polars"])
def test_the_synthetic_register_gives_the_same_cohort_from_every_input(register, kind, tmp_path):
    convert = kinds(tmp_path).get(kind) or pytest.skip(f"{kind} is not installed")
    expected = utfall.Cohort.from_frames(**register)
    assert_same_cohort(expected, build(register, convert))


def test_from_parquet_reads_paths(register, tmp_path):
    write = as_parquet(tmp_path)
    paths = {k: (write(v) if isinstance(v, pd.DataFrame) else v) for k, v in register.items()}
    got = utfall.Cohort.from_parquet(**paths)
    assert_same_cohort(utfall.Cohort.from_frames(**register), got)
    with_str = utfall.Cohort.from_parquet(**{k: (str(v) if hasattr(v, "suffix") else v) for k, v in paths.items()})
    assert with_str.fingerprints() == got.fingerprints()


def small():
    people = pd.DataFrame({"id": ["a", "b", "c"], "group": ["participant", "historical", "historical"],
                           "index_date": [dt.date(2017, 1, 1), dt.date(2014, 1, 1), dt.date(2015, 6, 1)],
                           "end_of_data": [dt.date(2019, 12, 31), None, dt.date(9999, 12, 31)]})
    eps = pd.DataFrame({"id": ["a", "b", "c", "a"], "start": [dt.date(2017, 1, 1), dt.date(2014, 3, 1),
                                                              dt.date(2015, 7, 1), dt.date(2018, 1, 1)],
                        "end": [dt.date(2017, 1, 11), None, dt.date(9999, 12, 31), dt.date(2018, 2, 1)],
                        "care_type": ["HVB", "SiS", "HVB", "SiS"]})
    tariffs = pd.DataFrame({"care_type": ["HVB", "SiS"], "valid_from": [dt.date(2010, 1, 1)] * 2,
                            "daily_cost": [3500.0, 6000.0]})
    return people, eps, tariffs


def arrow_small(date_type, id_type=None, label_type=None):
    """The small cohort as pyarrow tables with the given date, id and label types (default: string)."""
    id_type, label_type = id_type or pa.string(), label_type or pa.string()
    people, eps, tariffs = small()

    def col(values, kind):
        return pa.array(list(values), kind) if kind is not date_type else pa.array(list(values), pa.date32()).cast(
            date_type)

    def dates(values):
        # timestamp[ns] ends in 2262: there the open end 9999-12-31 can only be a null (which means the same).
        nanos = pa.types.is_timestamp(date_type) and date_type.unit == "ns"
        day32 = pa.array([None if pd.isna(v) or (nanos and v.year == 9999) else v for v in values], pa.date32())
        if pa.types.is_timestamp(date_type):
            # Midnight in the column's own zone: the calendar date is that day there (not in UTC).
            naive = day32.cast(pa.timestamp(date_type.unit))
            if date_type.tz is None:
                return naive
            import pyarrow.compute as pc
            return pc.assume_timezone(naive, date_type.tz)
        return day32.cast(date_type)

    ind = pa.table({"id": col(people["id"], id_type), "group": pa.array(people["group"].tolist()),
                    "index_date": dates(people["index_date"]), "end_of_data": dates(people["end_of_data"])})
    ep = pa.table({"id": col(eps["id"], id_type), "start": dates(eps["start"]), "end": dates(eps["end"]),
                   "care_type": pa.array(eps["care_type"].tolist(), pa.string()).cast(label_type)})
    tar = pa.table({"care_type": pa.array(tariffs["care_type"].tolist(), pa.string()).cast(label_type),
                    "valid_from": dates(tariffs["valid_from"]), "daily_cost": pa.array(tariffs["daily_cost"])})
    return ind, ep, tar


DATE_TYPES = [pa.date32(), pa.date64(), pa.timestamp("s"), pa.timestamp("ms"), pa.timestamp("us"),
              pa.timestamp("ns"), pa.timestamp("s", tz="Europe/Stockholm"), pa.timestamp("us", tz="UTC"),
              pa.timestamp("ms", tz="America/New_York")]
ID_TYPES = [pa.string(), pa.large_string(), pa.dictionary(pa.int32(), pa.string()),
            pa.dictionary(pa.int8(), pa.large_string())]


@pytest.mark.parametrize("date_type", DATE_TYPES, ids=str)
@pytest.mark.parametrize("id_type", ID_TYPES, ids=str)
def test_arrow_dates_ids_and_nulls_give_the_pandas_cohort(date_type, id_type):
    people, eps, tariffs = small()
    if pa.types.is_dictionary(id_type):  # a dictionary is pandas' categorical
        people, eps = people.assign(id=people["id"].astype("category")), eps.assign(id=eps["id"].astype("category"))
        eps["care_type"] = eps["care_type"].astype("category")
        tariffs = tariffs.assign(care_type=tariffs["care_type"].astype("category"))
    expected = utfall.Cohort.from_frames(people, eps, tariffs, data_end="2020-06-30")
    ind, ep, tar = arrow_small(date_type, id_type, label_type=id_type)
    got = utfall.Cohort.from_frames(ind, ep, tar, data_end="2020-06-30")
    pd.testing.assert_frame_equal(expected.costs("2y"), got.costs("2y"))
    # 9999-12-31 is the open end in every type: c's end of data is data_end, its episode ongoing.
    assert got.individuals["end_of_data"].iloc[2] == pd.Timestamp("2020-06-30")
    assert pd.isna(got.episodes["end"].iloc[2])
    for table in ("individuals", "episodes"):
        pd.testing.assert_frame_equal(getattr(expected, table), getattr(got, table), check_dtype=False,
                                      check_categorical=False)


@pytest.mark.parametrize("label", ["Categorical", "Enum", "String"])
def test_polars_native_types_in_several_chunks_give_the_pandas_cohort(label):
    """polars' own types, as its C stream exports them (``string_view`` text, ``date32`` dates with
    nulls, dictionaries with ``uint32``/``uint8`` indices), in frames of two chunks each: the cohort
    pandas gives, the same validated tables, fingerprints and costs."""
    pl = _polars()
    people, eps, tariffs = small()
    kind = {"Categorical": pl.Categorical, "Enum": pl.Enum(["SiS", "HVB"]), "String": pl.String}[label]
    if label != "String":  # a dictionary is pandas' categorical
        eps, tariffs = eps.assign(care_type=eps["care_type"].astype("category")), tariffs.assign(
            care_type=tariffs["care_type"].astype("category"))
    expected = utfall.Cohort.from_frames(people, eps, tariffs, data_end="2020-06-30")

    def polars(frame, labels=()):
        columns = {c: pl.Series(c, frame[c].astype(object).tolist(), dtype=kind if c in labels else None)
                   for c in frame.columns}
        whole = pl.DataFrame(list(columns.values()))
        return pl.concat([whole[:2], whole[2:]], rechunk=False)

    ind, ep, tar = polars(people), polars(eps, ["care_type"]), polars(tariffs, ["care_type"])
    assert ep.n_chunks() == 2 and ep.schema["start"] == pl.Date and ep.schema["care_type"] == kind
    got = utfall.Cohort.from_frames(ind, ep, tar, data_end="2020-06-30")
    assert_same_cohort(expected, got)


def test_polars_frames_need_no_pandas_conversion_of_their_own(monkeypatch):
    pl = _polars()
    people, eps, tariffs = small()
    expected = utfall.Cohort.from_frames(people, eps, tariffs, data_end="2020-06-30")

    def refuse(*args, **kwargs):
        raise AssertionError("polars' to_pandas was called")

    monkeypatch.setattr(pl.DataFrame, "to_pandas", refuse)
    got = utfall.Cohort.from_frames(pl.from_pandas(people), pl.from_pandas(eps), pl.from_pandas(tariffs),
                                    data_end="2020-06-30")
    pd.testing.assert_frame_equal(expected.costs("2y"), got.costs("2y"))


def test_without_pyarrow_an_arrow_input_is_a_data_error(monkeypatch):
    people, eps, tariffs = small()
    table = as_pyarrow(people)
    import utfall._arrow

    def missing():
        raise ImportError("No module named 'pyarrow'")

    monkeypatch.setattr(utfall._arrow, "_load", missing)
    with pytest.raises(DataError, match="needs pyarrow"):
        utfall.Cohort.from_frames(table, eps, tariffs, data_end="2020-06-30")
    with pytest.raises(DataError, match="needs pyarrow"):
        utfall.Cohort.from_parquet("nowhere.parquet", eps, tariffs, data_end="2020-06-30")
    # numpy-backed pandas does not need it.
    assert len(utfall.Cohort.from_frames(people, eps, tariffs, data_end="2020-06-30")) == 3


def test_an_unreadable_parquet_file_is_a_data_error(tmp_path):
    people, eps, tariffs = small()
    bad = tmp_path / "not.parquet"
    bad.write_text("not parquet")
    with pytest.raises(DataError, match="cannot read the Parquet file") as err:
        utfall.Cohort.from_parquet(bad, eps, tariffs, data_end="2020-06-30")
    assert err.value.table == "individuals"


def test_parquet_errors_come_from_their_own_table_in_table_order(tmp_path):
    # A later file's error is raised from its own table, and an earlier table's error comes
    # first, whatever the later files hold.
    people, eps, tariffs = small()
    write = as_parquet(tmp_path)
    bad = tmp_path / "not.parquet"
    bad.write_text("not parquet")
    with pytest.raises(DataError, match="cannot read the Parquet file") as err:
        utfall.Cohort.from_parquet(write(people), bad, write(tariffs), data_end="2020-06-30")
    assert err.value.table == "episodes"
    with pytest.raises(DataError, match="cannot read the Parquet file") as err:
        utfall.Cohort.from_parquet(write(people), write(eps), bad, data_end="2020-06-30")
    assert err.value.table == "tariffs"
    no_group = people.drop(columns="group")
    with pytest.raises(DataError, match="group") as err:
        utfall.Cohort.from_parquet(write(no_group), bad, bad, data_end="2020-06-30")
    assert err.value.table == "individuals"
    # Paths given to from_frames are read the same way.
    got = utfall.Cohort.from_frames(write(people), write(eps), write(tariffs), data_end="2020-06-30")
    assert got.fingerprints() == utfall.Cohort.from_frames(people, eps, tariffs, data_end="2020-06-30").fingerprints()


def _broken(name):
    """The small tables with one boundary problem each, as pandas frames (object columns where a value is odd)."""
    people, eps, tariffs = small()
    people = people.copy()
    eps = eps.copy()
    if name == "missing id":
        people["id"] = pd.Series(["a", None, "c"], dtype=object)
    elif name == "duplicate id":
        people["id"] = ["a", "b", "a"]
    elif name == "unreadable date":
        eps["start"] = ["2017-01-01", "2014-03-01", "1/7/2015", "2018-01-01"]
    elif name == "year 10000":
        eps["start"] = pd.Series([np.datetime64("2017-01-01"), np.datetime64("2014-03-01"),
                                  np.datetime64("10000-01-01"), np.datetime64("2018-01-01")]).astype("datetime64[s]")
    elif name == "unknown id":
        eps["id"] = ["a", "b", "zz", "a"]
    elif name == "missing care type":
        eps["care_type"] = ["HVB", "SiS", None, "SiS"]
    elif name == "ends before it starts":
        eps["end"] = [dt.date(2016, 1, 11), None, None, dt.date(2018, 2, 1)]
    elif name == "missing start":
        eps["start"] = [dt.date(2017, 1, 1), None, dt.date(2015, 7, 1), dt.date(2018, 1, 1)]
    elif name == "index after end of data":
        people["end_of_data"] = [dt.date(2019, 12, 31), None, dt.date(2015, 1, 1)]
    elif name == "negative tariff":
        tariffs = tariffs.assign(daily_cost=[3500.0, -1.0])
    elif name == "a number as a date":
        eps["start"] = [17000, 16000, 16500, 17500]
    elif name == "mixed id kinds":
        people["id"] = pd.Series(["a", 2, "c"], dtype=object)
    return people, eps, tariffs


PROBLEMS = ["missing id", "duplicate id", "unreadable date", "year 10000", "unknown id", "missing care type",
            "ends before it starts", "missing start", "index after end of data", "negative tariff",
            "a number as a date"]


def _error(call):
    with pytest.raises(DataError) as err:
        call()
    e = err.value
    return e.table, e.column, e.row, e.problem, e.id


@pytest.mark.parametrize("problem", PROBLEMS)
def test_every_boundary_error_is_raised_the_same_way_from_every_input(problem, tmp_path):
    people, eps, tariffs = _broken(problem)
    expected = _error(lambda: utfall.Cohort.from_frames(people, eps, tariffs, data_end="2020-06-30"))
    for kind, convert in kinds(tmp_path).items():
        try:
            args = [convert(people), convert(eps), convert(tariffs)]
        except (pa.ArrowException, OverflowError, ValueError):
            continue  # a value Arrow cannot hold (ids of two types in one column)
        got = _error(lambda args=args: utfall.Cohort.from_frames(*args, data_end="2020-06-30"))
        assert got == expected, kind


def test_arrow_dates_outside_the_years_1_to_9999_are_data_errors():
    ind, ep, tar = arrow_small(pa.date32())
    starts = ep.column("start").to_pylist()
    for far in (-800_000, 3_000_000):  # day numbers of years before 1 and after 9999
        days = pa.array([d.toordinal() - dt.date(1970, 1, 1).toordinal() for d in starts], pa.int32()).to_pylist()
        days[1] = far
        bad = ep.set_column(1, "start", pa.array(days, pa.int32()).cast(pa.date32()))
        with pytest.raises(DataError, match="outside the years 1 to 9999") as err:
            utfall.Cohort.from_frames(ind, bad, tar, data_end="2020-06-30")
        assert (err.value.table, err.value.column, err.value.row, err.value.id) == ("episodes", "start", 1, "b")


def test_a_tz_aware_timestamp_is_the_calendar_date_in_its_own_zone():
    ind, ep, tar = arrow_small(pa.timestamp("s", tz="Europe/Stockholm"))
    # Stockholm midnight of 2017-01-01 is 2016-12-31 23:00 UTC: still 2017-01-01.
    assert ep.column("start")[0].as_py().astimezone(dt.timezone.utc).day == 31
    cohort = utfall.Cohort.from_frames(ind, ep, tar, data_end="2020-06-30")
    assert cohort.episodes["start"].iloc[0] == pd.Timestamp("2017-01-01")
