"""One vocabulary across the boundary: the option strings the core turns into Rust
enums (``src/python/conversion.rs``, exported as ``_core.VOCABULARIES``) are exactly
the ``Literal`` aliases of ``utfall._typing``, in the same order, and a wrong value is
a SpecError that lists every allowed one."""

from __future__ import annotations

import numpy as np
import pytest

import utfall
from utfall import _core, _typing
from utfall.errors import SpecError


@pytest.mark.parametrize("alias", sorted(_core.VOCABULARIES))
def test_each_core_vocabulary_is_its_python_literal(alias: str) -> None:
    assert hasattr(_typing, alias), f"_typing has no alias {alias} for the core's vocabulary"
    assert _typing.values(getattr(_typing, alias)) == _core.VOCABULARIES[alias]


def test_the_core_converts_every_vocabulary_that_crosses_the_boundary() -> None:
    # A vocabulary added on one side only fails here or above.
    assert set(_core.VOCABULARIES) == {
        "IntervalMethod", "QuantileRule", "MatchOrder", "CovariateDistance", "Estimand", "GlmFamily",
        "ConditionOp", "DiscountTiming", "SenmvMethod", "RosenbaumTest", "LinearStatistic", "Measure",
    }
    # "auto" is the one value Python resolves before the core.
    assert _typing.values(_typing.RosenbaumStatistic) == ("auto",) + _core.VOCABULARIES["RosenbaumTest"]


def _refusal(call, alias: str) -> str:
    with pytest.raises(SpecError) as info:
        call()
    message = str(info.value)
    for value in _core.VOCABULARIES[alias]:
        assert repr(value) in message, (value, message)
    assert "'nonsense'" in message or "5" in message
    return message


x = np.array([1.0, 2.0, 3.0, 4.0])
treat = np.array([True, False, True, False])


@pytest.mark.parametrize("alias, call", [
    ("IntervalMethod", lambda v: _core.bootstrap_summary(x, 2.5, 0.0, [0.95], [v])),
    ("QuantileRule", lambda v: _core.bootstrap_summary(x, 2.5, 0.0, [0.95], ["percentile"], v)),
    ("MatchOrder", lambda v: _core.nearest_match(treat, score=x, order_name=v)),
    ("CovariateDistance", lambda v: _core.whiten(x.reshape(-1, 1), treat, np.ones(4, bool), v, ["x"])),
    ("Estimand", lambda v: _core.subclass_weights(np.array([0, 0, 1, 1]), treat, v)),
    ("GlmFamily", lambda v: _core.predict_glm([np.ones(4)], [0.0], v)),
    ("DiscountTiming", lambda v: _core.discount_factors([0.03], v)),
    ("SenmvMethod", lambda v: _core.senmv(np.ones((3, 2)), 1.0, v)),
    ("RosenbaumTest", lambda v: _core.sensitivity_gamma(np.ones((3, 2)), 0.05, v)),
    ("Measure", lambda v: _core.concentration_measures(x, [(v, 0.0)])),
])
def test_a_wrong_value_is_a_spec_error_listing_the_allowed_ones(alias: str, call) -> None:
    _refusal(lambda: call("nonsense"), alias)
    if alias != "Measure":  # measure names come from utfall's own code, always as strings
        _refusal(lambda: call(5), alias)


def test_the_public_api_lists_the_same_values() -> None:
    with pytest.raises(SpecError, match="'percentile', 'basic', 'normal', 'bca', 'studentized'"):
        utfall.bootstrap(x, "mean", methods="nonsense", n_resamples=10, seed=1)
    with pytest.raises(SpecError, match="'gaussian'"):
        utfall.glm.fit_glm([np.ones(4)], x, ["(Intercept)"], "nonsense")  # type: ignore[arg-type]


def test_a_valid_value_goes_through() -> None:
    s = _core.bootstrap_summary(x, 2.5, 0.0, [0.95], ["percentile", "basic"], "linear")
    assert [i[0] for i in s["intervals"]] == ["percentile", "basic"]
    assert _core.discount_factors([0.0], "end")[0] == pytest.approx(1.0)
