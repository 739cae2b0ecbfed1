"""Cumulative expected and actual outcome month by month since index.

Month ``m`` of an individual is ``[index + (m-1) months, index + m months)``,
calendar arithmetic from their own index date (as :meth:`Cohort.trajectories`).
For participant ``i`` with follow-up window ``[index_i, end_i)`` let ``f_i`` be
the number of whole months inside it. Then, for ``m <= f_i``::

    A_i(m) = actual outcome of i over its first m months
    E_i(m) = mean over i's comparison individuals c of their first m months

and for ``m > f_i`` the curves take the window totals, ``A_i(m) = actual_i``
and ``E_i(m) = expected_i``: the last, partly observed month (or the part of a
day-based horizon beyond whole months) takes the remainder, so each curve ends
exactly at the individual comparison of :func:`utfall.evaluate`. The
evaluation's trajectory sums these over the included participants::

    A(m) = sum_i A_i(m),  E(m) = sum_i E_i(m),  S(m) = E(m) - A(m).

The *investment hump*: ``S(m)`` may first fall (intervention costs and extra
care come first) and rise later; the payback month is the first ``m`` with
``S(m) >= intervention cost``.
"""

from __future__ import annotations

import numpy as np

from .. import _core
from ._comparison import Comparison, index_days, window_values


def month_count(horizon: str) -> int:
    """Months needed to cover a horizon: ``"2y" -> 24``, ``"36m" -> 36``, ``"730d" -> 27``."""
    text = horizon.strip().lower()
    unit, number = text[-1], text[:-1]
    if unit == "y":
        return 12 * int(number)
    if unit == "m":
        return int(number)
    days = int(number) if unit == "d" else int(text)
    return -(-days // 28)  # every month has at least 28 days


def month_ends(starts: np.ndarray, months: int) -> np.ndarray:
    """``ends[:, m]`` = start + m months, for m = 0..months (calendar, end-of-month clamping)."""
    ends = np.empty((len(starts), months + 1), dtype=np.int32)
    ends[:, 0] = starts
    for m in range(1, months + 1):
        ends[:, m] = _core.CohortCore.window_end(starts.astype(np.int32), f"{m}m")
    return ends


def _monthly_cumulative(cohort, positions: np.ndarray, months: int, parts: list) -> np.ndarray:
    """Cumulative outcome over the first m months (m = 1..months) of each position."""
    if months == 0 or len(positions) == 0:
        return np.zeros((len(positions), months))
    ends = month_ends(index_days(cohort)[positions], months)
    who = np.repeat(positions, months)
    start = ends[:, :-1].reshape(-1)
    end = ends[:, 1:].reshape(-1)
    values = window_values(cohort, who, start, end, parts)[:, -1].reshape(len(positions), months)
    return np.cumsum(values, axis=1)


def curves(cohort, comparison: Comparison, full, parts: list, participants: np.ndarray, months: int,
           actual: np.ndarray, expected: np.ndarray):
    """Per-participant cumulative curves ``(A, E, observed)``, each ``n x months``.

    ``observed[i, m-1]`` is True when month m starts before the end of i's window.
    """
    starts = index_days(cohort)[participants]
    window_end = full["window_start"].to_numpy("datetime64[D]").astype(np.int64)[participants] \
        + full["days_observed"].to_numpy()[participants]
    ends = month_ends(starts, months)
    whole = (ends[:, 1:] <= window_end[:, None]).sum(axis=1)
    observed = ends[:, :-1] < window_end[:, None]
    top = int(whole.max()) if len(whole) else 0

    cum_actual = _monthly_cumulative(cohort, participants, top, parts)
    if comparison.estimator == "stratum":
        used = np.unique(comparison.stratum_of[participants])
        stratum_curve = np.full((len(comparison.members), top), np.nan)
        for code in used:
            m = comparison.members[code]
            if len(m):
                stratum_curve[code] = _monthly_cumulative(cohort, m, top, parts).mean(axis=0)
        cum_expected = stratum_curve[comparison.stratum_of[participants]] if len(participants) else np.zeros((0, top))
    else:
        unique, inverse = np.unique(comparison.control, return_inverse=True)
        control_curve = _monthly_cumulative(cohort, unique, top, parts)[inverse]
        row_of = np.full(len(cohort), -1, dtype=np.int64)
        row_of[participants] = np.arange(len(participants))
        rows = row_of[comparison.treated]
        counts = np.bincount(rows, minlength=len(participants))
        cum_expected = np.full((len(participants), top), np.nan)
        present = np.flatnonzero(counts)
        if len(rows) and top:
            first = np.concatenate([[0], np.cumsum(counts)[:-1]])[present]
            cum_expected[present] = np.add.reduceat(control_curve, first, axis=0) / counts[present, None]

    month = np.arange(1, months + 1)
    inside = month[None, :] <= whole[:, None]
    A = np.where(inside, _pad(cum_actual, months), actual[:, None])
    E = np.where(inside, _pad(cum_expected, months), expected[:, None])
    return A, E, observed


def _pad(matrix: np.ndarray, months: int) -> np.ndarray:
    out = np.zeros((matrix.shape[0], months))
    out[:, :matrix.shape[1]] = matrix
    return out


def payback_month(savings: np.ndarray, intervention_cost: float):
    """The first month (1-based) whose cumulative savings cover the intervention cost, or None."""
    hits = np.flatnonzero(savings >= intervention_cost)
    return int(hits[0]) + 1 if len(hits) else None
