"""Fuzzing the Python boundary: mangled tables, arguments and audit records give a result or a utfall
exception (DataError, SpecError, ComputationError, ReproductionError), never a TypeError, KeyError,
JSONDecodeError, OverflowError or a crash; warnings are UtfallWarnings.

Deterministic in the test command (the "ci" Hypothesis profile of tests/conftest.py: derandomised, no
example database) and bounded to a few seconds: 200 inputs per target.
"""

import copy
import datetime as dt
import json
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import utfall
from evaluation_data import PAIRS, hand_cohort
from utfall.evaluation._schema import declare  # re-declares what an edited record holds

# The loaded Hypothesis profile decides the rest (tests/conftest.py): "ci", the default, is derandomised
# without an example database; "dev" explores.
FUZZ = settings(max_examples=200, suppress_health_check=list(HealthCheck))

STOCKHOLM = pd.Timestamp("2016-03-27 00:30", tz="Europe/Stockholm")
# Every kind of thing a date column may hold: good, ambiguous, out of range, of the wrong type.
odd_dates = st.sampled_from([
    "2016-01-01", "2016-02-29", "2016-02-30", "01/02/2016", "13/02/2016", "16-01-01", "20160101", "", " ", "x",
    "9999-12-31", "0001-01-01", "2016-01-01T12:00:00+09:00", "2016-01-01 23:59", None, np.nan, np.inf, 0, 17000,
    -1.5, True, dt.date(2597, 1, 1), dt.datetime(2016, 1, 1, 23, 30, tzinfo=dt.timezone.utc), STOCKHOLM,
    pd.Timestamp("2016-05-01"), pd.NaT, np.datetime64("2016-01-01"), np.datetime64("10000-01-01"),
    np.datetime64("-0001-01-01"), np.datetime64("NaT"), [2016], {"y": 2016},
])
good_dates = st.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2021, 12, 31)).map(str)


def mostly(good, bad, one_in=30):
    """Mostly good values, so that the queries are exercised too; now and then a bad one (Hypothesis favours
    the ends of a range, so the bad one is drawn from the middle)."""
    return st.integers(0, one_in - 1).flatmap(lambda k: bad if k == one_in // 2 else good)


dates = mostly(good_dates, odd_dates)
odd_ids = st.sampled_from(["a", "b", "c", 1, 2, "1", 1.0, np.int64(2), None, np.nan, True, ("a",), "ghost"])
numbers = mostly(st.floats(0, 1e4), st.sampled_from([-1.0, np.nan, np.inf, -np.inf, 1e308, "12", "x", None, True, 0,
                                                     2**70]))
words = mostly(st.sampled_from(["participant", "historical", "treated", "control", 1, 0]),
               st.sampled_from(["x", None, np.nan]))
care = mostly(st.sampled_from(["HVB", "SiS"]), st.sampled_from(["other", None, 3]))


@st.composite
def tables(draw):
    n = draw(st.integers(1, 5)) if draw(st.integers(0, 9)) != 5 else 0
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), min_size=n, max_size=n, unique=True))
    if draw(st.integers(0, 9)) == 5:
        ids = draw(st.lists(odd_ids, min_size=n, max_size=n))
    individuals = pd.DataFrame({"id": ids, "group": draw(st.lists(words, min_size=n, max_size=n)),
                                "index_date": draw(st.lists(dates, min_size=n, max_size=n)),
                                "end_of_data": draw(st.lists(st.one_of(st.none(), st.just("2021-06-30"), dates),
                                                             min_size=n, max_size=n)),
                                "sex": draw(st.lists(st.sampled_from(["f", "m"]), min_size=n, max_size=n))})
    m = draw(st.integers(0, 5))
    owners = st.sampled_from(ids) if ids and draw(st.integers(0, 9)) != 5 else odd_ids
    episodes = pd.DataFrame({"id": draw(st.lists(owners, min_size=m, max_size=m)),
                             "start": draw(st.lists(dates, min_size=m, max_size=m)),
                             "end": draw(st.lists(st.one_of(st.none(), dates), min_size=m, max_size=m)),
                             "care_type": draw(st.lists(care, min_size=m, max_size=m))})
    tariffs = pd.DataFrame({"care_type": ["HVB", "SiS"], "valid_from": draw(st.lists(dates, min_size=2, max_size=2)),
                            "daily_cost": draw(st.lists(numbers, min_size=2, max_size=2))})
    k = draw(st.integers(0, 2))
    ledger = pd.DataFrame({"id": draw(st.lists(owners, min_size=k, max_size=k)),
                           "date": draw(st.lists(dates, min_size=k, max_size=k)),
                           "amount": draw(st.lists(numbers, min_size=k, max_size=k))})
    prices = draw(mostly(st.sampled_from([None, {y: 100.0 + y - 2000 for y in range(2000, 2030)}]),
                         st.sampled_from([{2016: 1.0, 2017.5: 2.0}, {2016: "x"}, {10**10: 1.0}, {2016: np.nan}]), 4))
    extra = {"data_end": "2021-12-31"}
    if draw(st.integers(0, 3)) == 2:
        extra = draw(st.fixed_dictionaries({}, optional={
            "data_end": st.one_of(dates, st.just("2021-12-31")),
            "base_year": st.sampled_from([2016, 2016.5, "2016", -1]),
            "date_format": st.sampled_from(["%d/%m/%Y", "%Y%m%d", {"episodes": "%d/%m/%Y"}, {"x": {"y": 1}}, 5]),
            "columns": st.sampled_from([{"id": "id"}, {"episodes": {"start": "nope"}}, "id"]),
            "allow_overlaps": st.sampled_from([True, False, "yes"])}))
    return individuals, episodes, tariffs, (ledger if k or draw(st.booleans()) else None), prices, extra


def only_utfall_errors(call):
    """Runs ``call``; a utfall error is a fine outcome, anything else fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning that is not a UtfallWarning is a failure too
        warnings.simplefilter("ignore", utfall.UtfallWarning)
        try:
            return call()
        except utfall.UtfallError:
            return None


@FUZZ
@given(tables(), st.sampled_from(["1y", "2y", 400]))
def test_from_frames_raises_only_utfall_errors(register, horizon):
    individuals, episodes, tariffs, ledger, prices, extra = register
    cohort = only_utfall_errors(lambda: utfall.Cohort.from_frames(individuals, episodes, tariffs, ledger, prices,
                                                                  **extra))
    if cohort is not None:
        assert len(cohort.costs(horizon)) == len(cohort)
        assert len(cohort.outside_observation) <= len(episodes) + (0 if ledger is None else len(ledger))
        repr(cohort)


COHORT = hand_cohort()
odd = st.sampled_from([None, -1, 0, 2.5, "x", "", [], {}, True, 2**70, np.nan, np.inf, ["2y", "2y"], ("a",)])
matchings = mostly(
    st.sampled_from([PAIRS, PAIRS["2y"], {"estimator": "stratum", "exact": ["sex"]}, {"covariates": ["sex"]},
                     {"covariates": ["sex"], "ratio": 3}]),
    st.one_of(odd, st.sampled_from([{"estimator": "stratum", "exact": ["nope"]}, {"covariatez": ["sex"]},
                                    {"covariates": ["sex"], "ratio": 2.5}, "stratum", "x",
                                    pd.DataFrame({"treated": ["p1", "p1"], "control": ["h1", "h1"]}),
                                    pd.DataFrame({"treated": ["p1"], "control": ["zz"]}), pd.DataFrame({"a": [1]})])),
    3)
arguments = st.fixed_dictionaries({"matching": matchings}, optional={
    "horizons": mostly(st.sampled_from([["2y"], ["2y", "3y"], "3y", 365, ["10y"]]), st.one_of(odd, st.sampled_from(
        [["2x"], []])), 3),
    "outcome": mostly(st.sampled_from(["cost", "care_days", "money"]), odd, 3),
    "care_types": mostly(st.sampled_from([["HVB"], "SiS", ["nope"]]), odd, 3),
    "intervention_cost": mostly(st.sampled_from([1000.0, -1.0, {"p1": 1.0, "p2": 2.0}, {"p1": 1.0},
                                                    {"p1": 1.0, "p2": 2.0, "zz": 1.0}, {"p1": "x"}]), odd, 3),
    "bootstrap": mostly(st.sampled_from([False, 2, 20, {"n_resamples": 20, "method": "percentile"},
                                            {"n_resamples": 2.5}, {"n_resamples": 20, "rematch": True},
                                            {"method": "bcx"}, {"confidence_level": 2}, {"nope": 1}]), odd, 3),
    "seed": mostly(st.integers(0, 2**64 - 1), odd, 3),
    "partial": mostly(st.sampled_from(["observed", "complete"]), odd, 3),
})


@FUZZ
@given(arguments)
def test_evaluate_raises_only_utfall_errors(kwargs):
    if isinstance(kwargs.get("bootstrap"), int) and not isinstance(kwargs.get("bootstrap"), bool):
        kwargs["bootstrap"] = min(kwargs["bootstrap"], 20)  # keep it fast: 2**70 resamples are refused anyway
    ev = only_utfall_errors(lambda: utfall.evaluate(COHORT, progress=False, **kwargs))
    if ev is not None:
        assert set(ev.summary(readable=False).index) == set(ev.horizons)
        repr(ev)


RECORD = json.loads(utfall.evaluate(COHORT, PAIRS, horizons=["2y", "3y"], intervention_cost=1000.0, bootstrap=False,
                                    seed=7).to_json(disclosure="full"))
junk = st.sampled_from([None, 0, -1, 1.5, 2**70, "x", "NaN", "", [], {}, [1], {"a": 1}, True])


KEY = "the data holder's key for the fuzz targets"
AGGREGATE = json.loads(utfall.evaluate(COHORT, PAIRS, horizons=["2y", "3y"], intervention_cost=1000.0,
                                       bootstrap=20, seed=7, progress=False).to_json(key=KEY, threshold=1))


def _paths(value, prefix=()):
    """Every path into a JSON value, shallow ones first."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):
            yield from _paths(v, prefix + (i,))


PATHS = [p for p in _paths(RECORD) if p]
AGGREGATE_PATHS = [p for p in _paths(AGGREGATE) if p]


@st.composite
def mangled_records(draw, base=RECORD, paths=PATHS):
    record = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = record
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(junk)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier mutation removed the way there
    if draw(st.booleans()) and isinstance(record, dict) and isinstance(record.get("results"), dict):
        try:  # an editor who also declares what the record now holds gets past the contents check
            declare(record)
        except (utfall.UtfallError, KeyError, TypeError, AttributeError):
            pass
    text = json.dumps(record)
    cut = draw(st.sampled_from([None, None, None, len(text) // 2, 1]))
    return text if cut is None else text[:cut]


@FUZZ
@given(mangled_records())
def test_reproduce_and_load_raise_only_utfall_errors(text):
    only_utfall_errors(lambda: utfall.load_evaluation(text))
    again = only_utfall_errors(lambda: utfall.reproduce(text, COHORT))
    if again is not None:  # a mutation that changes nothing of substance (e.g. the creation time) may pass
        assert again == utfall.load_evaluation(json.dumps(RECORD))


@FUZZ
@given(mangled_records(AGGREGATE, AGGREGATE_PATHS))
def test_mangled_aggregate_records_raise_only_utfall_errors(text):
    only_utfall_errors(lambda: utfall.reproduce(text))
    only_utfall_errors(lambda: utfall.reproduce(text, COHORT))
    again = only_utfall_errors(lambda: utfall.reproduce(text, COHORT, key=KEY))
    if again is not None:
        assert json.loads(again.to_json(key=KEY, threshold=1))["results"] == AGGREGATE["results"]


@st.composite
def oversized_records(draw):
    """A record that holds more than it declares: values appended, fields added, or padding."""
    base = copy.deepcopy(draw(st.sampled_from([RECORD, AGGREGATE])))
    how = draw(st.sampled_from(["append", "field", "pad", "long string", "deep"]))
    n = draw(st.integers(1, 3000))
    if how == "append":
        lists = [p for p in _paths(base) if p and isinstance(_get(base, p), list)]
        _get(base, draw(st.sampled_from(lists))).extend([1.0] * n)
    elif how == "field":
        dicts = [p for p in _paths(base) if isinstance(_get(base, p), dict)]
        _get(base, draw(st.sampled_from(dicts)))[draw(st.sampled_from(["x", "extra", "ids", "__class__"]))] = [0] * n
    elif how == "long string":
        base["utfall_version"] = "9" * (4097 + n)
    elif how == "deep":
        base["not_counted"]["outside_observation"]["x"] = json.loads("[" * (25 + n % 400) + "]" * (25 + n % 400))
    text = json.dumps(base)
    if how == "pad":
        text = text.replace(",", "," + " " * (500 + n))  # beyond the 320 characters a value allows
    return text


def _get(value, path):
    for key in path:
        value = value[key]
    return value


@FUZZ
@given(oversized_records())
def test_oversized_records_are_refused_with_a_data_error(text):
    for call in (lambda: utfall.load_evaluation(text), lambda: utfall.reproduce(text, COHORT, key=KEY)):
        try:
            call()
        except utfall.DataError:
            continue
        raise AssertionError("an oversized record was not refused with a DataError")
