"""The evaluation of a sick-leave outcomes contract (seed 001, slide 22)."""

from __future__ import annotations

import time
from typing import Any, List, Mapping, Optional, cast

import numpy as np
import pandas as pd

from .. import _core, _typing
from .._seeds import new_seed
from ..errors import DataError, SpecError, data_error
from ._months import period_months, whole_months
from ._result import SickLeaveEvaluation as SickLeaveEvaluation
from ._value import ValueOfADay, value_of_a_day as _value_of_a_day

INTERVAL_STATISTICS = ("se", "sn", "difference", "percent", "saving")


def _trend_ratio(register: Any, ref_first: int, obs_first: int, n: int) -> Any:
    trend = register.trend
    if trend is None:
        return np.ones(n)
    months = period_months(min(ref_first, obs_first), max(ref_first, obs_first) + n - min(ref_first, obs_first))
    need = list(range(ref_first, ref_first + n)) + list(range(obs_first, obs_first + n))
    missing = [k for k in need if k not in trend.index]
    if missing:
        k = missing[0]
        raise data_error("trend", "month", None,
                         f"the trend series has no factor for {months[k - min(ref_first, obs_first)]}"
                         f" ({len(missing)} month(s) of the periods are missing)")
    return (trend.loc[list(range(obs_first, obs_first + n))].to_numpy()
            / trend.loc[list(range(ref_first, ref_first + n))].to_numpy())


def _values(register: Any, value: Any, labels: List[str], masks: List[Any], reference: Any) -> List[Any]:
    if value is None:
        return [_value_of_a_day(register, reference, mask) for mask in masks]
    if isinstance(value, Mapping):
        missing = [g for g in labels if g not in value]
        if missing:
            raise SpecError(f"value_of_a_day has no value for the group(s) {missing}")
        value = [value[g] for g in labels]
    else:
        value = [value] * len(labels)
    out = []
    for v in value:
        number = float(v)
        if not (np.isfinite(number) and number >= 0):
            raise SpecError(f"the value of a sick day must be a non-negative number of SEK, got {v!r}")
        out.append(v if isinstance(v, ValueOfADay) else number)
    return out


def evaluate(register: Any, reference: Any = ("2015-09-01", "2018-08-31"),
             observation: Any = ("2018-09-01", "2021-08-31"), value_of_a_day: Any = None, by: Optional[str] = None,
             seed: Optional[int] = None, bootstrap: int = 2000, *, clusters: Optional[str] = None,
             target: float = 0.12, confidence_level: float = 0.95, method: str = "percentile") -> SickLeaveEvaluation:
    """The contract's valuation: expected against observed short-term sick days, and the saving.

    Reading of seed 001 (slide 22). The slide writes
    ``Se = (1/36) sum_{i=1..36} S_i SLT_i / SLT_r`` with ``S_i`` "the net days of
    each month", ``SLT_i`` "the trend factor of each month" and ``SLT_r`` "that of
    the reference month", ``Se`` the expected net days per employee "based on the
    reference period". utfall reads ``i`` as the month of the observation period
    and ``r = r(i)`` as the month of the reference period in the same position
    (the same calendar month when both periods are 36 months): the reference
    month's rate is carried forward by the national trend from its month to the
    observation month. So, with ``M`` months per period,

    - ``S_r(i)`` = net short-term days (days 1-14 of every spell, at extent) in
      reference month ``i`` summed over the employees / their employee-months
      in it (pro rata: someone employed half the month counts half);
    - ``Se = (1/M) sum_i S_r(i) T(obs i) / T(ref i)``, net days per employee-month;
    - ``Sn = (1/M) sum_i S_o(i)``, the same rate observed in the observation months;
    - reduction ``max(Se - Sn, 0)`` and percent ``(Se - Sn) / Se``;
    - saving ``max((Se - Sn) v E, 0)`` in SEK, ``v`` the value of a sick day and
      ``E`` the employee-months of the observation period (the slide's
      "employees"; ``E = 36 N`` for ``N`` employees employed throughout).

    With a flat trend (or none) ``Se`` is the reference period's mean monthly
    rate; a trend that doubles doubles ``Se``.

    Parameters
    ----------
    register : Register
    reference, observation : (first day, last day)
        Whole calendar months, the same number in both.
    value_of_a_day : float, ValueOfADay, mapping group -> value, or None
        SEK per net day. None computes it per group from the register's salaries
        (:func:`utfall.sickleave.value_of_a_day`).
    by : str, optional
        An employees column (``"municipality"``, ``"workplace"``, ``"sector"``): one result per value.
    seed : int, optional
        The bootstrap seed (drawn and recorded when None).
    bootstrap : int
        Resamples (0: none). Employees are resampled with replacement within each group,
        or whole ``clusters`` (an employees column, e.g. ``"workplace"``).
    target : float
        The contract's target reduction as a fraction (seed 000: at least 12 %);
        ``p_target`` is the share of resamples with ``percent >= target``.
    confidence_level : float
    method : str
        ``"percentile"``, ``"basic"`` or ``"normal"`` (R boot's conventions, utfall's bootstrap engine).

    Examples
    --------
    >>> import utfall
    >>> reg = utfall.sickleave.synthetic_register(posts=400, seed=3)
    >>> ev = utfall.sickleave.evaluate(reg, by="municipality", seed=1, bootstrap=200)
    >>> list(ev.table.index)
    ['Kommun A', 'Kommun B']
    """
    ref_first, n = whole_months(reference, "reference")
    obs_first, n_obs = whole_months(observation, "observation")
    if n != n_obs:
        raise SpecError(f"the reference period has {n} months and the observation period {n_obs}; "
                        "they must be equally long")
    if obs_first < ref_first + n and ref_first < obs_first + n:
        raise SpecError("the reference and observation periods overlap")
    if pd.Timestamp(observation[1]) > pd.Timestamp(register.data_end):
        raise SpecError(f"the observation period ends after the end of data ({register.data_end})")
    if not 0 < confidence_level < 1:
        raise SpecError(f"confidence_level must be between 0 and 1, got {confidence_level}")
    if method not in ("percentile", "basic", "normal"):
        raise SpecError(f"method must be 'percentile', 'basic' or 'normal', got {method!r}")
    if int(bootstrap) < 0:
        raise SpecError(f"bootstrap must be a non-negative number of resamples, got {bootstrap}")
    if seed is None:
        seed = new_seed()
    if int(seed) < 0:
        raise SpecError(f"the seed must be a non-negative integer, got {seed}")
    labels_masks = register._group_labels(by)
    labels = [label for label, _ in labels_masks]
    masks = [m for _, m in labels_masks]
    groups = None
    if by is not None:
        groups = np.full(register.n, -1, dtype=np.int64)
        for g, m in enumerate(masks):
            groups[m] = g
    cluster_codes = None
    if clusters is not None:
        if clusters not in register.employees.columns:
            raise SpecError(f"clusters={clusters!r} is not a column of the employees table")
        cluster_codes = pd.factorize(register.employees[clusters].astype(str))[0].astype(np.uint32)
    ratio = _trend_ratio(register, ref_first, obs_first, n)
    values = _values(register, value_of_a_day, labels, masks, reference)
    started = time.perf_counter()
    try:
        raw = register._core.evaluate(ref_first, obs_first, n, ratio.tolist(), groups, len(labels), cluster_codes,
                                      [float(v) for v in values], int(bootstrap), int(seed))
    except DataError as err:
        raise SpecError(f"cannot bootstrap: {err.problem} "
                        "(each group needs at least two employees or clusters)") from None
    elapsed = time.perf_counter() - started
    rows, monthly, replicates = [], [], {}
    obs_months, ref_months = period_months(obs_first, n), period_months(ref_first, n)
    for label, v, g in zip(labels, values, raw):
        est = dict(zip(g["statistics"], g["estimate"]))
        rep = pd.DataFrame(g["replicates"], columns=g["statistics"])
        replicates[label] = rep
        row = {"employees": g["employees"], "units": g["units"], "value_of_a_day": float(v), **est}
        for stat in INTERVAL_STATISTICS:
            low = high = np.nan
            if int(bootstrap) > 1:
                s = _core.bootstrap_summary(rep[stat].to_numpy(), est[stat], np.nan, [confidence_level],
                                           [cast(_typing.IntervalMethod, method)], "r")
                low, high = s["intervals"][0][2], s["intervals"][0][3]
            row[f"{stat}_low"], row[f"{stat}_high"] = low, high
        finite = rep["percent"].to_numpy()
        finite = finite[np.isfinite(finite)]
        row["p_target"] = float(np.mean(finite >= target)) if len(finite) else np.nan
        rows.append(row)
        monthly.append(pd.DataFrame({"group": label, "month": obs_months, "reference_month": ref_months,
                                     "reference_rate": g["reference_rate"], "trend_ratio": ratio,
                                     "expected": g["reference_rate"] * ratio, "observed": g["observation_rate"]}))
    table = pd.DataFrame(rows, index=pd.Index(labels, name=by or "group"))
    spec = {"reference": [str(pd.Timestamp(x).date()) for x in reference],
            "observation": [str(pd.Timestamp(x).date()) for x in observation], "months": n, "by": by,
            "clusters": clusters, "seed": int(seed), "bootstrap": int(bootstrap), "target": float(target),
            "confidence_level": float(confidence_level), "method": method,
            "trend": "register trend series" if register.trend is not None else "flat (no trend series given)",
            "value_of_a_day": {g: (v.to_dict() if isinstance(v, ValueOfADay) else float(v))
                               for g, v in zip(labels, values)}}
    return SickLeaveEvaluation(spec=spec, table=table, monthly=pd.concat(monthly, ignore_index=True),
                               replicates=replicates, fingerprints=register.fingerprints(),
                               version=_core.__version__, seconds=elapsed)
