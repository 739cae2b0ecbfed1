"""The allowed values of utfall's options, declared once.

Signatures and stubs use these aliases; :func:`utfall._validation.one_of`
checks a value against the same tuple (``typing.get_args`` of the alias), so a
new value is added in one place and every error message lists it.
"""

from __future__ import annotations

from typing import Literal, Tuple, get_args

IntervalMethod = Literal["percentile", "basic", "normal", "bca", "studentized"]
QuantileRule = Literal["r", "linear"]
Design = Literal["one sample", "paired", "independent samples", "stratified", "clustered"]
Outcome = Literal["cost", "care_days"]
Partial = Literal["observed", "complete"]
Estimator = Literal["matched", "stratum", "given", "model"]
MatchMethod = Literal["nearest", "exact", "cem", "optimal", "full", "subclass"]
MatchOrder = Literal["largest", "smallest", "closest", "data", "random"]
Discard = Literal["none", "treated", "control", "both"]
Estimand = Literal["ATT", "ATC", "ATE"]
ShareRule = Literal["interpolated", "integer"]
DiscountTiming = Literal["start", "end"]
GlmFamily = Literal["binomial", "gamma", "tweedie", "gaussian"]
CostModel = Literal["two-part", "tweedie"]
RosenbaumStatistic = Literal["auto", "wilcoxon", "m"]
SenmvMethod = Literal["h", "i", "w", "t", "q", "s", "l"]
Direction = Literal["savings", "overspend"]


def values(alias: object) -> Tuple[str, ...]:
    """The allowed values of a ``Literal`` alias, in declaration order.

    >>> values(Partial)
    ('observed', 'complete')
    """
    return tuple(get_args(alias))
