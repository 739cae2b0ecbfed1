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
from ._comparison import Comparison, index_days, part_columns


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
    return _core.month_ends(np.ascontiguousarray(starts, dtype=np.int32), months)


def curves(cohort, comparison: Comparison, full, parts: list, participants: np.ndarray, months: int,
           actual: np.ndarray, expected: np.ndarray):
    """Per-participant cumulative curves ``(A, E, observed)``, each ``n x months``.

    ``observed[i, m-1]`` is True when month m starts before the end of i's window.
    Within the months wholly observed the curves are the core's cumulative monthly
    outcomes (the participant's own, and the mean over its comparison set); after
    them they stay at the participant's window totals ``actual`` and ``expected``.
    """
    starts = index_days(cohort)[participants]
    window_end = full["window_start"].to_numpy("datetime64[D]").astype(np.int64)[participants] \
        + full["days_observed"].to_numpy()[participants]
    ends = month_ends(starts, months)
    whole = (ends[:, 1:] <= window_end[:, None]).sum(axis=1)
    observed = ends[:, :-1] < window_end[:, None]
    top = int(whole.max()) if len(whole) else 0

    columns = np.asarray(part_columns(cohort, parts), dtype=np.int64)
    cum_actual = _core.cumulative_months(cohort._core, participants.astype(np.int64), top, columns)
    offsets, members, set_of = comparison.sets(participants, len(cohort))
    cum_expected = _core.set_mean_curves(cohort._core, offsets, members, None, set_of, top, columns)

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
