"""Data sets that ship with utfall, for the worked examples and for checking results.

- :func:`lalonde`: the job-training data used in the matching literature, as
  shipped with R's MatchIt (``data("lalonde")``): 185 participants of the
  National Supported Work Demonstration (NSW) and 429 comparison individuals
  from the Panel Study of Income Dynamics (PSID). Sources: R. LaLonde (1986),
  "Evaluating the econometric evaluations of training programs with
  experimental data", American Economic Review 76(4), 604-620; R. Dehejia and
  S. Wahba (1999), "Causal effects in nonexperimental studies: reevaluating the
  evaluation of training programs", JASA 94(448), 1053-1062; the MatchIt
  package (Ho, Imai, King, Stuart), version 4.7.2.
- :func:`lalonde_matchit_balance`: MatchIt 4.7.2's balance table
  (``summary(m, un = TRUE)``) for ``matchit(treat ~ age + educ + race + married +
  nodegree + re74 + re75, data = lalonde, method = "nearest", distance = "glm")``,
  the example of MatchIt's own documentation, to set beside utfall's.

For a synthetic register of children in residential care see
:func:`utfall.synthetic.register`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["lalonde", "lalonde_matchit_balance"]

_DATA = Path(__file__).resolve().parent / "data"


def lalonde() -> pd.DataFrame:
    """The lalonde data (614 rows), as in R's MatchIt.

    Columns: ``id`` (MatchIt's row names: ``NSW1``... for participants,
    ``PSID1``... for the comparison group), ``treat`` (1 for an NSW participant),
    ``age``, ``educ`` (years of schooling), ``race`` (``"black"``, ``"hispan"``,
    ``"white"``), ``married``, ``nodegree`` (no high-school degree), ``re74``,
    ``re75``, ``re78`` (real earnings in 1974, 1975, 1978, US dollars).

    Examples
    --------
    >>> import utfall
    >>> d = utfall.datasets.lalonde()
    >>> d.shape, int(d["treat"].sum())
    ((614, 10), 185)
    """
    frame = pd.read_csv(_DATA / "lalonde.csv")
    frame["race"] = pd.Categorical(frame["race"], categories=["black", "hispan", "white"])
    return frame


def lalonde_matchit_balance() -> pd.DataFrame:
    """MatchIt's balance table for nearest-neighbour 1:1 matching on a logit score.

    The same layout as :meth:`utfall.MatchResult.balance`: one row per term
    (``distance``, the covariates, one row per level of ``race``), columns
    indexed by sample (``"all"``: before matching, ``"matched"``) and statistic
    (``Means Treated``, ``Means Control``, ``Std. Mean Diff.``, ``Var. Ratio``,
    ``eCDF Mean``, ``eCDF Max``, ``Std. Pair Dist.``), as MatchIt 4.7.2 printed them.

    Examples
    --------
    >>> import utfall
    >>> ref = utfall.datasets.lalonde_matchit_balance()
    >>> round(float(ref.loc["age", ("matched", "Std. Mean Diff.")]), 4)
    0.0718
    """
    long = pd.read_csv(_DATA / "lalonde_matchit_balance.csv")
    samples = {s: t.drop(columns="sample").set_index("term") for s, t in long.groupby("sample", sort=False)}
    table = pd.concat(samples, axis=1)
    table.index.name = "term"
    return table
