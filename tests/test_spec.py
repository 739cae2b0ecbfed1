"""The typed specification (issue 10): an exact JSON round trip, and the audit record
byte-identical to the one utfall wrote before the specification was typed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

import utfall
from utfall.evaluation import make_spec
from utfall.evaluation._spec import BootstrapSpec, CostSpec, MatchingSpec, Spec

RECORDS = Path(__file__).parent / "data" / "records"

horizons = st.lists(st.sampled_from(["6m", "1y", "18m", "2y", "3y", "730d"]), min_size=1, max_size=4, unique=True)
matched = st.fixed_dictionaries({"covariates": st.lists(st.sampled_from(["age", "sex", "diagnosis"]), unique=True)},
                                optional={"ratio": st.integers(1, 5), "replace": st.booleans(),
                                          "caliper": st.floats(0.01, 2.0), "order": st.sampled_from(
                                              ["largest", "smallest", "random"]),
                                          "exact": st.sampled_from(["sex", ["sex", "diagnosis"]])})
stratum = st.fixed_dictionaries({"estimator": st.just("stratum"), "exact": st.sampled_from(["sex", ["sex"]])},
                                optional={"lookback": st.sampled_from([None, "1y"])})
model = st.fixed_dictionaries({"estimator": st.just("model"), "model": st.sampled_from(["two-part", "tweedie"])},
                              optional={"covariates": st.just(["age"]), "var_power": st.floats(1.01, 1.99)})
bootstraps = st.one_of(st.none(), st.just(True), st.integers(2, 5000), st.fixed_dictionaries(
    {}, optional={"n_resamples": st.integers(2, 5000), "method": st.sampled_from(["bca", "percentile", "basic"]),
                  "confidence_level": st.floats(0.5, 0.999), "rematch": st.booleans()}))
ids = st.one_of(st.integers(-10**12, 10**12), st.text(min_size=1, max_size=5))
costs = st.one_of(st.none(), st.floats(0, 1e9), st.dictionaries(ids, st.floats(0, 1e7), max_size=5))


@given(matching=st.one_of(matched, stratum, model), hs=horizons, outcome=st.sampled_from(["cost", "care_days"]),
       care=st.one_of(st.none(), st.just(["HVB"]), st.just("SiS")), cost=costs, boot=bootstraps,
       seed=st.integers(0, 2**64 - 1), partial=st.sampled_from(["observed", "complete"]),
       adjust=st.one_of(st.none(), st.just(["age"])))
def test_the_json_round_trip_is_exact(matching, hs, outcome, care, cost, boot, seed, partial, adjust):
    if adjust is not None and matching.get("estimator") in ("stratum", "model"):
        adjust = None
    spec = make_spec(matching, hs, outcome, care, cost, boot, seed, partial, adjust)
    text = spec.to_json()
    again = Spec.from_json(text)
    assert again == spec
    assert again.to_json() == text
    assert isinstance(again.matching, MatchingSpec) and again.horizons == tuple(hs)
    assert spec.bootstrap is None or isinstance(spec.bootstrap, BootstrapSpec)
    assert spec.intervention_cost is None or isinstance(spec.intervention_cost, CostSpec)
    # The mapping view is the JSON form, as the plain dict of utfall 0.1 read.
    assert {k: spec[k] for k in spec} == json.loads(text)


def test_a_new_match_option_passes_through_without_a_new_field():
    spec = make_spec({"covariates": ["age"], "replace": True, "cutpoints": {"age": 3}}, "2y", bootstrap=False, seed=1)
    assert spec.matching.arguments == {"covariates": ["age"], "replace": True, "cutpoints": {"age": 3}}
    assert Spec.from_json(spec.to_json()) == spec


def test_the_parts_are_frozen():
    spec = make_spec({"covariates": ["age"]}, "2y", bootstrap=True, seed=1)
    with pytest.raises(AttributeError):
        spec.seed = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        spec.bootstrap.n_resamples = 10  # type: ignore[union-attr, misc]


sys.path.insert(0, str(RECORDS))
from make_records import evaluations  # noqa: E402


@pytest.mark.parametrize("name, cohort, arguments", list(evaluations()), ids=lambda v: v if isinstance(v, str) else "")
def test_records_made_before_the_typed_spec_are_written_and_reproduced_the_same(name, cohort, arguments):
    old = (RECORDS / f"{name}.json").read_text()
    with pytest.warns() if arguments.get("partial") == "complete" else _nothing():
        ev = utfall.evaluate(cohort, progress=False, **arguments)
    assert isinstance(ev.spec, Spec)
    # The records were made in format 2, before records became format 3 (issue 17: "disclosure"
    # and the declared "contents" added). The data holder's full record of today holds every field
    # of the old one unchanged, the specification byte for byte, but the format and the time made.
    new = json.loads(ev.to_json(disclosure="full"))
    recorded = json.loads(old)
    assert set(new) - set(recorded) == {"disclosure", "contents"} and new["disclosure"] == "full"
    assert json.dumps(new["specification"]) == json.dumps(recorded["specification"])
    assert {k: v for k, v in new.items() if k in recorded and k not in ("format", "created")} == \
        {k: v for k, v in recorded.items() if k not in ("format", "created")}
    with pytest.warns(utfall.DisclosureWarning):  # a format-2 record is a full one
        utfall.reproduce(old, cohort)
    with pytest.warns(utfall.DisclosureWarning):
        assert utfall.load_evaluation(old).spec == ev.spec


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
