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

import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .._options import options
from ..cohort import Cohort
from ..errors import SpecError, UtfallWarning, data_error
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
    members: List[np.ndarray] = field(default_factory=list)
    unmatched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"id": [], "reason": []}))
    match: Any = None

    def sets(self, participants: np.ndarray, n: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def index_days(cohort: Cohort) -> np.ndarray:
    """Index dates as int32 days since 1970-01-01, in table order."""
    days: np.ndarray = cohort.individuals["index_date"].to_numpy("datetime64[D]").astype(np.int64).astype(np.int32)
    return days


def part_columns(cohort: Cohort, parts: List[str]) -> List[int]:
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
def eligible_positions(cohort: Cohort, full: pd.DataFrame) -> np.ndarray:
    """Historical individuals with complete follow-up at the horizon of ``full``."""
    return np.flatnonzero(~cohort.participants & full["complete"].to_numpy())


def sets_from_pairs(cohort: Cohort, pairs: pd.DataFrame, eligible: np.ndarray, estimator: str, horizon: str,
                    match: Any = None, unmatched: Optional[pd.DataFrame] = None) -> Comparison:
    """A :class:`Comparison` from a table of pairs (``treated``, ``control``, optional ``slot``)."""
    for col in ("treated", "control"):
        if col not in pairs.columns:
            raise SpecError(f"matching: the pairs table needs columns 'treated' and 'control' "
                            f"(has {list(pairs.columns)})")
    ids = cohort.ids
    for col in ("treated", "control"):
        unhashable = pairs[col].map(lambda v: getattr(type(v), "__hash__", None) is None).to_numpy(dtype=bool)
        if unhashable.any():
            row = int(np.flatnonzero(unhashable)[0])
            raise data_error("pairs", col, row, f"a {type(pairs[col].iloc[row]).__name__} is not an id")
    treated = ids.get_indexer(pd.Index(pairs["treated"]))
    control = ids.get_indexer(pd.Index(pairs["control"]))
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
                         f"the comparison individual is not eligible at {horizon}: "
                         "not historical or follow-up incomplete",
                         pairs["control"].iloc[row])
    twice = pd.Series(list(zip(treated, control))).duplicated()
    if estimator == "given" and twice.any():
        row = int(np.flatnonzero(twice.to_numpy())[0])
        first = int(np.flatnonzero((treated == treated[row]) & (control == control[row]))[0])
        raise data_error("pairs", "control", row, f"the pair ({options.describe_id(pairs['treated'].iloc[row])}, "
                         f"{options.describe_id(pairs['control'].iloc[row])}) appears twice (rows {first} and {row}); "
                         f"give each comparison individual once per participant", pairs["treated"].iloc[row])
    slot = np.arange(len(pairs))
    if "slot" in pairs.columns:
        numeric = pd.to_numeric(pairs["slot"], errors="coerce")
        is_bool = pairs["slot"].map(lambda v: isinstance(v, (bool, np.bool_)))
        bad = (numeric.isna() | (numeric != np.round(numeric)) | is_bool).to_numpy(dtype=bool)
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise data_error("pairs", "slot", row, f"the slot {pairs['slot'].iloc[row]!r} is not a whole number",
                             pairs["treated"].iloc[row])
        slot = numeric.to_numpy(dtype=np.float64)
    order = np.lexsort((slot, treated))
    part_pos = np.flatnonzero(cohort.participants)
    without = part_pos[~np.isin(part_pos, treated)]
    if unmatched is None or len(unmatched) == 0:
        unmatched = pd.DataFrame({"id": ids[without], "reason": "no comparison individual"})
    return Comparison(estimator, treated=treated[order].astype(np.int64), control=control[order].astype(np.int64),
                      unmatched=unmatched.reset_index(drop=True), match=match)


def matched(cohort: Cohort, horizon: str, match_args: Dict[str, Any], seed: int, eligible: np.ndarray,
            progress: bool = False) -> Comparison:
    """Matching on the eligible pool at ``horizon`` with :func:`utfall.match`.

    Without an eligible historical individual nobody has a comparison (the
    evaluation reports them); a ratio the pool cannot fill is reported by the
    evaluation, not warned about here."""
    if len(eligible) == 0:
        part_pos = np.flatnonzero(cohort.participants)
        return Comparison("matched", unmatched=pd.DataFrame({
            "id": cohort.ids[part_pos], "reason": f"no historical individual with complete follow-up at {horizon}"}))
    args = dict(match_args)
    args.setdefault("seed", seed)
    args.setdefault("progress", progress)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UtfallWarning)
        result = match(cohort, horizon=horizon, **args)
    if isinstance(result, dict):
        result = result[horizon]
    unmatched = getattr(result, "unmatched", None)
    return sets_from_pairs(cohort, result.pairs, eligible, "matched", horizon, match=result, unmatched=unmatched)


def stratum_columns(cohort: Cohort, exact: Sequence[str], history: Optional[pd.DataFrame]) -> pd.DataFrame:
    """The stratum columns of every individual: from ``cohort.individuals``, or for
    ``prior_*`` names from ``cohort.history(lookback)``."""
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
    return pd.DataFrame(columns)


def stratum_codes(frame: pd.DataFrame) -> np.ndarray:
    """One code per row for each distinct combination of the columns (sorted order); -1 where a value is missing."""
    return frame.groupby(list(frame.columns), sort=True, observed=True).ngroup().to_numpy().astype(np.int64)


def strata(cohort: Cohort, exact: Sequence[str], lookback: Any, eligible: np.ndarray,
           history: Optional[pd.DataFrame]) -> Comparison:
    """The stratum estimator's comparison: every eligible historical individual of the
    participant's exact stratum. A missing stratum value of a participant or an eligible
    individual is an error."""
    frame = stratum_columns(cohort, exact, history)
    exact = list(frame.columns)
    part_pos = np.flatnonzero(cohort.participants)
    used = np.concatenate([part_pos, eligible])
    missing = frame.iloc[used].isna().any(axis=1).to_numpy()
    if missing.any():
        row = int(used[np.flatnonzero(missing)[0]])
        column = next(c for c in exact if pd.isna(frame[c].iloc[row]))
        raise data_error("individuals", column, row, "the stratum value is missing", cohort.ids[row])
    stratum_of = stratum_codes(frame)
    n_strata = int(stratum_of.max()) + 1 if len(stratum_of) else 0
    pool_codes = stratum_of[eligible]
    order = np.argsort(pool_codes, kind="stable")
    members = np.split(eligible[order], np.cumsum(np.bincount(pool_codes, minlength=n_strata))[:-1])
    empty = np.array([len(members[stratum_of[p]]) == 0 for p in part_pos], dtype=bool)
    unmatched = pd.DataFrame({"id": cohort.ids[part_pos[empty]],
                              "reason": "no eligible historical individual in the stratum"})
    return Comparison("stratum", stratum_of=stratum_of, members=members, unmatched=unmatched)
