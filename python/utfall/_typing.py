"""The allowed values of utfall's options, declared once.

Signatures and stubs use these aliases; :func:`utfall._validation.one_of`
checks a value against the same tuple (``typing.get_args`` of the alias), so a
new value is added in one place and every error message lists it. The options
that cross into the core are turned into Rust enums in one module,
``src/python/conversion.rs``, whose lists ``_core.VOCABULARIES`` exports by the
alias names below; ``tests/test_vocabularies.py`` checks that the two agree.
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
CovariateDistance = Literal["mahalanobis", "euclidean", "scaled_euclidean"]
Discard = Literal["none", "treated", "control", "both"]
Estimand = Literal["ATT", "ATC", "ATE"]
ShareRule = Literal["interpolated", "integer"]
DiscountTiming = Literal["start", "end"]
GlmFamily = Literal["binomial", "gamma", "tweedie", "gaussian"]
CostModel = Literal["two-part", "tweedie"]
#: The statistics of a sensitivity analysis the core computes; ``"auto"`` is resolved in Python.
RosenbaumTest = Literal["wilcoxon", "m"]
RosenbaumStatistic = Literal["auto", RosenbaumTest]
SenmvMethod = Literal["h", "i", "w", "t", "q", "s", "l"]
Direction = Literal["savings", "overspend"]
ConditionOp = Literal[">", ">=", "<", "<=", "==", "!="]
#: Statistics of a bootstrap that are sums over rows (closed-form jackknife).
LinearStatistic = Literal["mean", "sum", "difference of means", "difference of sums", "ratio of sums",
                          "ratio of means"]
#: Measures of sorted values the core computes (``utfall.concentration``, sorted bootstrap statistics).
Measure = Literal["top share", "top share integer", "lorenz", "quantile", "gini", "gini corrected", "hoover",
                  "theil", "mean log deviation", "herfindahl", "mean"]


def values(alias: object) -> Tuple[str, ...]:
    """The allowed values of a ``Literal`` alias, in declaration order.

    >>> values(Partial)
    ('observed', 'complete')
    """
    return tuple(get_args(alias))
