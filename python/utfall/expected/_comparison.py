"""Expected outcome per participant, from historical comparison individuals.

Who a participant is compared with at a horizon is a :class:`Comparison`:
either *sets* (each participant with its own comparison individuals, from
matching or given by the caller) or *strata* (all eligible historical
individuals in the participant's exact stratum). The expected outcome of
participant ``i`` is the mean of its comparison individuals' outcomes, each
over its own aligned window::

    expected_i = (1 / k_i) * sum_{c in C_i} y_c[index_c, index_c + L_i)

where ``L_i`` is the horizon (calendar arithmetic from each individual's own
index date) when ``i`` has complete follow-up, and otherwise the number of days
``i`` was actually observed (the comparison window is truncated to the same
length). Eligible comparison individuals are historical individuals with
complete follow-up at the horizon, so their windows are always fully observed.
Amounts are in the cohort's base-year prices (see :class:`utfall.Cohort`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from ..errors import SpecError, data_error
from ..matching import match

@dataclass
class Comparison:
    """The comparison individuals of every participant at one horizon.

    Attributes
    ----------
    estimator : {"matched", "given", "stratum"}
    treated, control : numpy.ndarray
        For sets: cohort positions of each (participant, comparison) pair,
        sorted by participant, then slot.
    stratum_of : numpy.ndarray
        For strata: the stratum code of every cohort position (-1 outside).
    members : list of numpy.ndarray
        For strata: the eligible positions in each stratum, in table order.
    unmatched : pandas.DataFrame
        Participants without comparison individuals (``id``, ``reason``).
    match : object
        The :class:`MatchResult` the sets came from, when matched.
    """

    estimator: str
    treated: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    control: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    stratum_of: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    members: list = field(default_factory=list)
    unmatched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"id": [], "reason": []}))
    match: Any = None

    def sets(self, participants: np.ndarray, n: int) -> tuple:
        """The comparison sets as the core takes them: ``(offsets, members, set_of)``.

        Set ``s`` holds ``members[offsets[s]:offsets[s + 1]]`` (cohort positions, in
        order); participant ``r`` (cohort position ``participants[r]``) uses set
        ``set_of[r]``: its stratum, or its own matched set.
        """
        if self.estimator == "stratum":
            sizes = np.array([len(m) for m in self.members], dtype=np.int64)
            members = np.concatenate(self.members).astype(np.int64) if self.members else np.zeros(0, np.int64)
            set_of = self.stratum_of[participants].astype(np.int64)
        else:
            row_of = np.full(n, -1, dtype=np.int64)
            row_of[participants] = np.arange(len(participants))
            sizes = np.bincount(row_of[self.treated], minlength=len(participants)).astype(np.int64)
            members = self.control.astype(np.int64)
            set_of = np.arange(len(participants), dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        return offsets, members, set_of


def index_days(cohort) -> np.ndarray:
    """Index dates as int32 days since 1970-01-01, in table order."""
    return cohort.individuals["index_date"].to_numpy("datetime64[D]").astype(np.int64).astype(np.int32)


def outcome_parts(cohort, outcome: str, care_types: Optional[Sequence[str]]) -> list:
    """The columns of :meth:`Cohort.costs` whose sum is the outcome.

    ``outcome="cost"``: the cost of each chosen care type, plus every ledger
    category when ``care_types`` is None (the total cost). ``outcome="care_days"``:
    the care days of each chosen care type.
    """
    if isinstance(care_types, str):
        care_types = [care_types]
    chosen = list(cohort.care_types) if care_types is None else list(care_types)
    unknown = [t for t in chosen if t not in cohort.care_types]
    if unknown:
        raise SpecError(f"care_types: unknown care type(s) {unknown}; the cohort has {cohort.care_types}")
    if outcome == "cost":
        parts = [f"cost_{t}" for t in chosen]
        if care_types is None:
            parts += [f"ledger_{c}" for c in cohort.categories]
        return parts
    if outcome == "care_days":
        return [f"care_days_{t}" for t in chosen]
    raise SpecError(f"outcome must be 'cost' or 'care_days', not {outcome!r}")


def part_columns(cohort, parts: list) -> list:
    """Columns of the core's window totals (care days per type, cost per type, ledger per category) of ``parts``."""
    k = len(cohort.care_types)
    out = []
    for name in parts:
        if name.startswith("care_days_"):
            out.append(cohort.care_types.index(name[len("care_days_"):]))
        elif name.startswith("cost_"):
            out.append(k + cohort.care_types.index(name[len("cost_"):]))
        else:
            out.append(2 * k + cohort.categories.index(name[len("ledger_"):]))
    return out


# ---------------------------------------------------------------------- estimators
def eligible_positions(cohort, full: pd.DataFrame) -> np.ndarray:
    """Historical individuals with complete follow-up at the horizon of ``full``."""
    return np.flatnonzero(~cohort.participants & full["complete"].to_numpy())


def sets_from_pairs(cohort, pairs: pd.DataFrame, eligible: np.ndarray, estimator: str, horizon: str,
                    match: Any = None, unmatched: Optional[pd.DataFrame] = None) -> Comparison:
    """A :class:`Comparison` from a table of pairs (``treated``, ``control``, optional ``slot``)."""
    for col in ("treated", "control"):
        if col not in pairs.columns:
            raise SpecError(f"matching: the pairs table needs columns 'treated' and 'control' (has {list(pairs.columns)})")
    ids = cohort.ids
    treated = ids.get_indexer(pairs["treated"])
    control = ids.get_indexer(pairs["control"])
    for col, pos in (("treated", treated), ("control", control)):
        if (pos < 0).any():
            row = int(np.flatnonzero(pos < 0)[0])
            raise data_error("pairs", col, row, "the id is not in the cohort", pairs[col].iloc[row])
    bad = ~cohort.participants[treated]
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise data_error("pairs", "treated", row, "the id is not a participant", pairs["treated"].iloc[row])
    is_eligible = np.zeros(len(cohort), dtype=bool)
    is_eligible[eligible] = True
    bad = ~is_eligible[control]
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise data_error("pairs", "control", row,
                         f"the comparison individual is not eligible at {horizon}: not historical or follow-up incomplete",
                         pairs["control"].iloc[row])
    slot = pairs["slot"].to_numpy() if "slot" in pairs.columns else np.arange(len(pairs))
    order = np.lexsort((slot, treated))
    part_pos = np.flatnonzero(cohort.participants)
    without = part_pos[~np.isin(part_pos, treated)]
    if unmatched is None or len(unmatched) == 0:
        unmatched = pd.DataFrame({"id": ids[without], "reason": "no comparison individual"})
    return Comparison(estimator, treated=treated[order].astype(np.int64), control=control[order].astype(np.int64),
                      unmatched=unmatched.reset_index(drop=True), match=match)


def matched(cohort, horizon: str, match_args: dict, seed: int, eligible: np.ndarray, progress: bool = False) -> Comparison:
    """Matching on the eligible pool at ``horizon`` with :func:`utfall.match`."""
    args = dict(match_args)
    args.setdefault("seed", seed)
    args.setdefault("progress", progress)
    result = match(cohort, horizon=horizon, **args)
    if isinstance(result, dict):
        result = result[horizon]
    unmatched = getattr(result, "unmatched", None)
    return sets_from_pairs(cohort, result.pairs, eligible, "matched", horizon, match=result, unmatched=unmatched)


def strata(cohort, exact: Sequence[str], lookback: Any, eligible: np.ndarray, history: Optional[pd.DataFrame]) -> Comparison:
    """Every eligible historical individual in the participant's exact stratum.

    Stratum columns come from ``cohort.individuals`` or, for ``prior_*``
    names, from ``cohort.history(lookback)``. A missing value is an error.
    """
    if isinstance(exact, str):
        exact = [exact]
    if not exact:
        raise SpecError("matching: the stratum estimator needs exact=[columns] defining the strata")
    columns = {}
    for name in exact:
        if name in cohort.individuals.columns and name not in ("id", "group", "index_date", "end_of_data"):
            columns[name] = cohort.individuals[name].to_numpy()
        elif history is not None and name in history.columns:
            columns[name] = history[name].to_numpy()
        else:
            known = [c for c in cohort.individuals.columns if c not in ("id", "group", "index_date", "end_of_data")]
            raise SpecError(f"matching: unknown stratum column {name!r}; covariates are {known}, "
                            f"history columns are prior_* (e.g. prior_placements)")
    frame = pd.DataFrame(columns)
    part_pos = np.flatnonzero(cohort.participants)
    used = np.concatenate([part_pos, eligible])
    missing = frame.iloc[used].isna().any(axis=1).to_numpy()
    if missing.any():
        row = int(used[np.flatnonzero(missing)[0]])
        column = next(c for c in exact if pd.isna(frame[c].iloc[row]))
        raise data_error("individuals", column, row, "the stratum value is missing", cohort.ids[row])
    codes_used = frame.iloc[used].groupby(list(exact), sort=True, observed=True).ngroup().to_numpy()
    stratum_of = np.full(len(cohort), -1, dtype=np.int64)
    stratum_of[used] = codes_used
    n_strata = int(codes_used.max()) + 1 if len(codes_used) else 0
    pool_codes = stratum_of[eligible]
    order = np.argsort(pool_codes, kind="stable")
    members = np.split(eligible[order], np.cumsum(np.bincount(pool_codes, minlength=n_strata))[:-1])
    empty = np.array([len(members[stratum_of[p]]) == 0 for p in part_pos], dtype=bool)
    unmatched = pd.DataFrame({"id": cohort.ids[part_pos[empty]],
                              "reason": "no eligible historical individual in the stratum"})
    return Comparison("stratum", stratum_of=stratum_of, members=members, unmatched=unmatched)
