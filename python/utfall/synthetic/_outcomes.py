"""Synthetic outcome measures of the participants: school performance and five social measures.

Drawn in numpy from their own stream, ``child_seed(seed, Purpose.SYNTHETIC_OUTCOMES, 0)``,
so the register of :func:`utfall.synthetic.register` is unchanged (bit for bit) and the
outcomes are a deterministic function of the seed and the participants.

Calibration to the published school outcome (Norrköping, seed 003), for ``n`` participants:

- the ``round(n / 6)`` participants with the latest index dates are *not yet measurable*
  (``reason = "not home long enough"``: measured a year after the return home; 10 of 60);
- ``round(n / 15)`` have *no data* (``reason = "moved"``: after missing), first those whose own
  end of data is early (moved away), then at random (4 of 60);
- of the rest, ``7 / 46`` get a negative change, ``22 / 46`` none and ``17 / 46`` a positive one
  (7, 22 and 17 of 46), exactly by largest-remainder rounding, in random order. Positive changes
  are ``1 + Poisson(0.6)``, negative ``-(1 + Poisson(0.3))`` (expected net sum at n = 60:
  ``17 * 1.6 - 7 * 1.3 = 18.1``), then moved a step at a time, never changing sign, until the net
  sum is ``round(18 / 46 * determined)`` (+18 at n = 60, as published). Scores before are grade
  points 4-16.

The five social measures followed but not paid on (participation, own goal attainment, mental
health, risk and substance use, family capability) are scores 1-5 before and after, missing for
the participants not yet measurable; each improves by a step with probability 0.35 and worsens
with probability 0.2 (risk and substance use: lower is better, so its score falls when it improves).
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

import numpy as np
import pandas as pd

from .._seeds import Purpose, child_seed
from ..cohort import PARTICIPANT, Cohort
from ..errors import SpecError

#: Measure -> (before column, after column, higher_is_better), for ``utfall.change_scores(measures=...)``.
OUTCOME_MEASURES: Dict[str, Tuple[str, str, bool]] = {
    "school": ("school_before", "school_after", True),
    "participation": ("participation_before", "participation_after", True),
    "goal_attainment": ("goal_attainment_before", "goal_attainment_after", True),
    "mental_health": ("mental_health_before", "mental_health_after", True),
    "risk_substance_use": ("risk_substance_use_before", "risk_substance_use_after", False),
    "family_capability": ("family_capability_before", "family_capability_after", True),
}
NOT_HOME_LONG_ENOUGH, MOVED = "not home long enough", "moved"


def _counts(n: int, shares: np.ndarray) -> np.ndarray:
    """``n`` split in proportion to ``shares`` by largest remainders (ties to the first)."""
    raw = n * shares / shares.sum()
    out = np.floor(raw).astype(int)
    rest = n - out.sum()
    out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return np.asarray(out, dtype=int)


def _to_net(change: np.ndarray, target: int) -> np.ndarray:
    """The changes moved one step at a time (the largest positive down, or the smallest positive up;
    a negative one down when no positive can move) until they sum to ``target``; signs never change."""
    c = change.astype(int).copy()
    positive, negative = np.flatnonzero(c > 0), np.flatnonzero(c < 0)
    while c.sum() != target and (len(positive) or len(negative)):
        if c.sum() > target:
            movable = positive[c[positive] > 1]
            if len(movable):
                c[movable[np.argmax(c[movable])]] -= 1
            elif len(negative):
                c[negative[np.argmax(c[negative])]] -= 1
            else:
                break
        else:
            if not len(positive):
                break
            c[positive[np.argmin(c[positive])]] += 1
    return c


def outcomes(cohort: Cohort, seed: int = 2016) -> pd.DataFrame:
    """Outcome measures of the participants of a (synthetic) cohort.

    Parameters
    ----------
    cohort : Cohort
        Usually ``utfall.synthetic.register(...)``; its participants are measured.
    seed : int
        The outcomes are a deterministic function of the seed and the participants.

    Returns
    -------
    pandas.DataFrame
        One row per participant: ``id``, ``reason`` (None, ``"moved"`` or
        ``"not home long enough"``) and a before and after column per measure of
        :data:`OUTCOME_MEASURES`.

    Examples
    --------
    >>> import utfall
    >>> cohort = utfall.synthetic.register(60, 100, seed=2016)
    >>> school = utfall.change_scores(utfall.synthetic.outcomes(cohort), "school_before", "school_after",
    ...                               reason="reason", pending=["not home long enough"], seed=1, n_resamples=99)
    >>> school.n_negative, school.n_neutral, school.n_positive
    (7, 22, 17)
    """
    if not isinstance(cohort, Cohort):
        raise SpecError(f"outcomes needs a utfall.Cohort, not {type(cohort).__name__}")
    people = cohort.individuals[cohort.individuals["group"] == PARTICIPANT].reset_index(drop=True)
    n = len(people)
    rng = np.random.default_rng(child_seed(int(seed), Purpose.SYNTHETIC_OUTCOMES, 0))
    reason = np.full(n, None, dtype=object)
    order = np.argsort(people["index_date"].to_numpy(), kind="stable")
    pending = order[n - int(round(n / 6)):]
    reason[pending] = NOT_HOME_LONG_ENOUGH
    ends = people["end_of_data"].to_numpy()
    early = ends < ends.max() if n else np.zeros(0, bool)
    free = np.flatnonzero(reason == None)  # noqa: E711 (an object array)
    preference = np.lexsort((rng.random(len(free)), ~early[free]))
    reason[free[preference[: int(round(n / 15))]]] = MOVED
    determined = np.flatnonzero(reason == None)  # noqa: E711
    kinds = np.repeat([-1, 0, 1], _counts(len(determined), np.array([7.0, 22.0, 17.0])))
    rng.shuffle(kinds)
    change = np.where(kinds > 0, 1 + rng.poisson(0.6, len(kinds)),
                      np.where(kinds < 0, -(1 + rng.poisson(0.3, len(kinds))), 0))
    change = _to_net(change, int(round(18 / 46 * len(kinds))))
    before = rng.integers(4, 17, n).astype(float)
    after = np.full(n, np.nan)
    after[determined] = before[determined] + change
    frame: Dict[str, Any] = {"id": people["id"].to_numpy(), "reason": reason,
                             "school_before": before, "school_after": after}
    measured = reason != NOT_HOME_LONG_ENOUGH
    for name, (b, a, higher) in OUTCOME_MEASURES.items():
        if name == "school":
            continue
        x0 = rng.integers(1, 6, n).astype(float)
        u = rng.random(n)
        step = np.where(u < 0.35, 1.0, np.where(u < 0.55, -1.0, 0.0)) * (1.0 if higher else -1.0)
        x1 = np.clip(x0 + step, 1, 5)
        frame[b] = np.where(measured, x0, np.nan)
        frame[a] = np.where(measured, x1, np.nan)
    return pd.DataFrame(frame)
