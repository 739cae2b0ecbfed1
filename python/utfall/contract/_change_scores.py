"""Individual change scores of an outcome measured before and after: counts, tests and the sum.

For each individual ``i`` with both scores, the change is ``c_i = after_i -
before_i`` (``before_i - after_i`` when lower is better). The published measure
of an outcomes contract is the net sum ``S = sum_i c_i`` over the individuals
whose change could be determined; the rest are counted by reason.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .. import _core
from .._frames import to_pandas
from .._seeds import Purpose, child_seed, seed_or_new
from ..errors import SpecError, UtfallWarning, data_error
from ..resampling import bootstrap
from ._change_result import DETERMINED, NO_DATA, NOT_YET, ChangeScores, MeasureResult, MeasureSpec


def _numeric(frame: pd.DataFrame, column: str, table: str) -> np.ndarray:
    """A float column with missing values as NaN; a non-numeric or infinite value is a DataError."""
    if column not in frame.columns:
        raise data_error(table, column, None, f"the column '{column}' is missing; the table has {list(frame.columns)}")
    raw = frame[column]
    if pd.api.types.is_bool_dtype(raw):
        raise data_error(table, column, None, "holds true/false values; change scores need numeric scores")
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(values) & ~pd.isna(raw).to_numpy())
    if len(bad):
        row = int(bad[0])
        raise data_error(table, column, row, f"{raw.iloc[row]!r} is not a number; change scores need numeric "
                                             "scores (missing values are allowed and counted as undetermined)")
    inf = np.flatnonzero(np.isinf(values))
    if len(inf):
        raise data_error(table, column, int(inf[0]), f"is {values[inf[0]]}; scores must be finite")
    return np.asarray(values, dtype=np.float64)


def _measures(before: Any, after: Any, higher_is_better: bool, measures: Optional[Mapping[str, Any]],
              name: str) -> Dict[str, MeasureSpec]:
    if measures is None:
        if not isinstance(before, str) or not isinstance(after, str):
            raise SpecError("before= and after= name one column each; for several measures pass "
                            "measures={'name': ('before column', 'after column'), ...}")
        return {str(name): (before, after, bool(higher_is_better))}
    out: Dict[str, MeasureSpec] = {}
    for name, spec in measures.items():
        parts = tuple(spec)
        if len(parts) not in (2, 3) or not all(isinstance(p, str) for p in parts[:2]):
            raise SpecError(f"measure {name!r}: give (before column, after column[, higher_is_better]), not {spec!r}")
        out[str(name)] = (parts[0], parts[1], bool(parts[2]) if len(parts) == 3 else bool(higher_is_better))
    if not out:
        raise SpecError("measures= is empty")
    return out


def _one(name: str, frame: pd.DataFrame, ids: pd.Series, reasons: Optional[pd.Series], spec: MeasureSpec,
         pending: Sequence[Any], seed: int, n_resamples: int, confidence_level: float, method: str) -> MeasureResult:
    before_col, after_col, better_high = spec
    before = _numeric(frame, before_col, "data")
    after = _numeric(frame, after_col, "data")
    change = after - before if better_high else before - after
    determined = ~np.isnan(change)
    reason = reasons.astype(object).where(reasons.notna(), None) if reasons is not None else None
    status, why = [], []
    for k in range(len(change)):
        given = reason.iloc[k] if reason is not None else None
        if determined[k]:
            status.append(DETERMINED)
            why.append(given)
            continue
        default = ("missing before and after" if np.isnan(before[k]) and np.isnan(after[k])
                   else "missing before" if np.isnan(before[k]) else "missing after")
        status.append(NOT_YET if given is not None and given in pending else NO_DATA)
        why.append(given if given is not None else default)
    individuals = pd.DataFrame({"id": ids.to_numpy(), "before": before, "after": after, "change": change,
                                "status": status, "reason": why})
    d = change[determined]
    n_pos, n_neg = int((d > 0).sum()), int((d < 0).sum())
    v, w_p, exact, _ = _core.signed_rank_test(np.ascontiguousarray(d))
    interval: Tuple[float, float] = (np.nan, np.nan)
    result = None
    if len(d) >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # few distinct values: the interval is still the right one
            result = bootstrap(d, "sum", n_resamples=n_resamples, confidence_level=confidence_level,
                               methods=(method,), seed=seed, keep_distribution=True, progress=False)
        interval = result.interval(method)
    else:
        warnings.warn(f"measure {name!r}: fewer than two changes are determined, so the sum has no interval",
                      UtfallWarning, stacklevel=3)
    method_name = ("Wilcoxon signed rank exact test" if exact
                   else "Wilcoxon signed rank test with continuity correction")
    return MeasureResult(name=name, individuals=individuals, higher_is_better=better_high, net=float(d.sum()),
                         n_positive=n_pos, n_neutral=int((d == 0).sum()), n_negative=n_neg,
                         sign_test_p=float(_core.binomial_test(n_pos, n_pos + n_neg)), wilcoxon_statistic=float(v),
                         wilcoxon_p=float(w_p), wilcoxon_method=method_name, interval=interval,
                         interval_method=method, bootstrap_seed=seed, bootstrap=result)


def change_scores(data: Any, before: Any = "before", after: Any = "after", id: str = "id",
                  reason: Optional[str] = None, higher_is_better: bool = True, *,
                  measures: Optional[Mapping[str, Any]] = None, pending: Sequence[Any] = (NOT_YET,),
                  n_resamples: int = 9999, confidence_level: float = 0.95, method: str = "bca",
                  seed: Optional[int] = None, name: str = "score") -> ChangeScores:
    """Change scores per individual, their counts, tests and the bootstrap interval of their sum.

    Parameters
    ----------
    data : pandas or polars DataFrame
        One row per individual.
    before, after : str
        The columns of the score before and after (a missing value: not determined).
    id : str
        The individual's id column (unique).
    reason : str, optional
        A column saying why a score is missing (e.g. ``"moved"``, ``"not home long enough"``);
        carried through to every individual. An undetermined individual whose reason is in
        ``pending`` is *not yet measurable*; any other undetermined one has *no data*.
    higher_is_better : bool
        ``change = after - before`` when True, ``before - after`` when False.
    measures : dict, optional
        Several measures at once: ``{"school": ("before", "after"), "risk": ("risk0", "risk1", False)}``
        (name -> before column, after column and optionally ``higher_is_better``); one tidy table.
    pending : sequence
        The reasons that mean "not yet measurable".
    n_resamples, confidence_level, method
        The bootstrap of the net sum (``utfall.bootstrap``: the determined changes resampled).
    seed : int, optional
        Measure ``k`` is bootstrapped with ``child_seed(seed, Purpose.CHANGE_SCORES, k)``.
    name : str
        The name of the one measure given by ``before``/``after``.

    Returns
    -------
    ChangeScores

    Notes
    -----
    The counts: *determined* = negative + neutral + positive; *measurable* =
    determined + no data (the report's "n = 50" counted these); *not yet
    measurable* are left out of both. The net sum is ``S = sum_i c_i`` over the
    determined. The sign test is R's ``binom.test(#positive, #positive +
    #negative)``, two-sided; the signed-rank test R's ``wilcox.test(c)`` with its
    defaults (zeros dropped; exact when fewer than 50 non-zero changes and no ties
    or zeros, else the normal approximation with continuity and tie correction).

    Raises
    ------
    DataError
        A missing column, a non-numeric or infinite score, a missing or duplicate id.

    Examples
    --------
    >>> import pandas as pd, utfall
    >>> df = pd.DataFrame({"id": [1, 2, 3, 4, 5], "before": [3, 4, 2, 5, None],
    ...                    "after": [4, 4, 5, 4, None], "why": [None, None, None, None, "moved"]})
    >>> cs = utfall.change_scores(df, reason="why", seed=1, n_resamples=999)
    >>> cs.net, cs.n_positive, cs.n_negative
    (3.0, 2, 1)
    >>> cs.counts["n"].tolist()
    [4, 1]
    """
    table = to_pandas(data, "data")
    if id not in table.columns:
        raise data_error("data", id, None, f"the id column '{id}' is missing; the table has {list(table.columns)}")
    ids = table[id]
    if ids.isna().any():
        raise data_error("data", id, int(np.flatnonzero(ids.isna().to_numpy())[0]), "the id is missing")
    dup = ids.duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0])
        raise data_error("data", id, row, "appears twice; change scores take one row per individual", id=ids.iloc[row])
    reasons = None
    if reason is not None:
        if reason not in table.columns:
            raise data_error("data", reason, None, f"the reason column '{reason}' is missing")
        reasons = table[reason]
    specs = _measures(before, after, higher_is_better, measures, name)
    seed = seed_or_new(seed)
    results = [_one(name, table, ids, reasons, spec, list(pending), child_seed(seed, Purpose.CHANGE_SCORES, k),
                    int(n_resamples), float(confidence_level), method)
               for k, (name, spec) in enumerate(specs.items())]
    h = hashlib.sha256()
    for r in results:
        h.update(r.individuals[["before", "after"]].to_numpy(np.float64).tobytes())
        h.update("\x1f".join(map(str, r.individuals["id"].tolist())).encode())
    spec = {"function": "utfall.change_scores", "utfall_version": _core.__version__,
            "measures": {k: list(v) for k, v in specs.items()}, "id": id, "reason": reason,
            "pending": [str(p) for p in pending], "n_resamples": int(n_resamples),
            "confidence_level": float(confidence_level), "method": method, "seed": seed,
            "data_fingerprint": h.hexdigest()[:16]}
    return ChangeScores(results, spec)


def from_individuals(individuals: pd.DataFrame, spec: Dict[str, Any], name: str) -> MeasureResult:
    """The measure recomputed from a recorded per-individual table (for re-checking a record)."""
    frame = individuals.rename(columns={"before": "b", "after": "a"})
    better = bool(spec["measures"][name][2])
    k = list(spec["measures"]).index(name)
    return _one(name, frame, individuals["id"], individuals["reason"], ("b", "a", better),
                [p for p in spec["pending"]], child_seed(spec["seed"], Purpose.CHANGE_SCORES, k),
                spec["n_resamples"], spec["confidence_level"], spec["method"])
