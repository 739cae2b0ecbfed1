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
from typing import Any, Optional, Sequence

import numpy as np
import pandas as pd

from ..errors import SpecError, UtfallWarning, data_error
from ..matching import match

#: Requests per call to the core when many windows are needed (bounds memory).
CHUNK = 262_144


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


def window_values(cohort, positions: np.ndarray, start: np.ndarray, end: np.ndarray, parts: list) -> np.ndarray:
    """Outcome parts over ``[start, end)`` of ``positions``, with their sum as the last column.

    The same numbers as :meth:`Cohort.costs_over`, read straight from the core
    in chunks of :data:`CHUNK` requests so memory stays bounded.
    """
    columns = part_columns(cohort, parts)
    out = np.empty((len(positions), len(parts) + 1))
    positions = np.asarray(positions, dtype=np.int64)
    start = np.asarray(start, dtype=np.int32)
    end = np.asarray(end, dtype=np.int32)
    for a in range(0, len(positions), CHUNK):
        b = min(a + CHUNK, len(positions))
        values = cohort._core.totals_for(positions[a:b], start[a:b], end[a:b])[3]
        out[a:b, :-1] = values[:, columns]
        out[a:b, -1] = out[a:b, :-1].sum(axis=1)
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
    for col in ("treated", "control"):
        unhashable = pairs[col].map(lambda v: getattr(type(v), "__hash__", None) is None).to_numpy(dtype=bool)
        if unhashable.any():
            row = int(np.flatnonzero(unhashable)[0])
            raise data_error("pairs", col, row, f"{pairs[col].iloc[row]!r} is not an id")
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
    twice = pd.Series(list(zip(treated, control))).duplicated()
    if estimator == "given" and twice.any():
        row = int(np.flatnonzero(twice.to_numpy())[0])
        first = int(np.flatnonzero((treated == treated[row]) & (control == control[row]))[0])
        raise data_error("pairs", "control", row, f"the pair ({pairs['treated'].iloc[row]!r}, "
                         f"{pairs['control'].iloc[row]!r}) appears twice (rows {first} and {row}); "
                         f"give each comparison individual once per participant", pairs["treated"].iloc[row])
    slot = np.arange(len(pairs))
    if "slot" in pairs.columns:
        numeric = pd.to_numeric(pairs["slot"], errors="coerce")
        bad = (numeric.isna() | (numeric != np.round(numeric)) | pairs["slot"].map(lambda v: isinstance(v, bool))).to_numpy()
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


def matched(cohort, horizon: str, match_args: dict, seed: int, eligible: np.ndarray, progress: bool = False) -> Comparison:
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


# ---------------------------------------------------------------------- expected values
def expected_values(cohort, comparison: Comparison, full: pd.DataFrame, parts: list, participants: np.ndarray):
    """Expected outcome parts (and total, last column) of each participant.

    ``full`` is ``cohort.costs(horizon)``; ``participants`` the cohort positions.
    Returns ``(expected, n_comparison, comparison_ids)``; rows without
    comparison individuals are NaN with ``n_comparison`` 0.
    """
    starts = index_days(cohort)
    full_values = np.column_stack([full[parts].to_numpy(np.float64), full[parts].to_numpy(np.float64).sum(axis=1)])
    complete = full["complete"].to_numpy()
    days_observed = full["days_observed"].to_numpy().astype(np.int32)
    row_of = np.full(len(cohort), -1, dtype=np.int64)
    row_of[participants] = np.arange(len(participants))
    expected = np.full((len(participants), len(parts) + 1), np.nan)
    n_comparison = np.zeros(len(participants), dtype=np.int64)
    ids = cohort.ids
    if comparison.estimator == "stratum":
        comparison_ids = np.empty(len(participants), dtype=object)
        members = comparison.members
        means = np.array([full_values[m].mean(axis=0) if len(m) else np.full(len(parts) + 1, np.nan) for m in members])
        member_ids = [tuple(ids[m]) for m in members]
        codes = comparison.stratum_of[participants]
        for r, code in enumerate(codes):
            comparison_ids[r] = member_ids[code]
            n_comparison[r] = int(len(members[code]))
        done = complete[participants] & (n_comparison > 0)
        if len(means):
            expected[done] = means[codes[done]]
        # Truncated participants: one mean per (stratum, observed days).
        todo = np.flatnonzero(~complete[participants] & (n_comparison > 0))
        keys = sorted({(int(codes[row]), int(days_observed[participants[row]])) for row in todo})
        for code, length in keys:
            m = members[code]
            values = window_values(cohort, m, starts[m], starts[m] + length, parts)
            mean = values.mean(axis=0)
            for row in todo:
                if codes[row] == code and days_observed[participants[row]] == length:
                    expected[row] = mean
        return expected, n_comparison, comparison_ids

    # Sets: gather full-window values for complete participants, truncated windows otherwise.
    rows = row_of[comparison.treated]
    control = comparison.control
    values = full_values[control]
    truncated = ~complete[comparison.treated]
    if truncated.any():
        c = control[truncated]
        length = days_observed[comparison.treated[truncated]]
        values[truncated] = window_values(cohort, c, starts[c], starts[c] + length, parts)
    counts = np.bincount(rows, minlength=len(participants))
    present = np.flatnonzero(counts)
    if len(rows):
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])[present]
        expected[present] = np.add.reduceat(values, first, axis=0) / counts[present, None]
    n_comparison[:] = counts
    control_ids = ids[control].to_numpy()
    bounds = np.concatenate([[0], np.cumsum(counts)])
    comparison_ids = np.empty(len(participants), dtype=object)
    for r in range(len(participants)):
        comparison_ids[r] = tuple(control_ids[bounds[r]:bounds[r + 1]])
    return expected, n_comparison, comparison_ids
