"""The aggregate (shareable) audit record, and what can be checked from it with and without the key.

The full record (``disclosure="full"``, for the data holder) holds every participant's id,
calendar windows and the ids of its comparison individuals. The aggregate record
(``disclosure="aggregate"``, the default for sharing) is derived from it:

- every id (participants, comparison individuals, given pairs, per-participant costs) is
  replaced by its keyed pseudonym ``HMAC-SHA-256(key, id)`` (:func:`utfall.privacy.pseudonym`);
- calendar dates of individuals are dropped: each window is its offset from the individual's
  own index date (``days_observed``);
- a count of fewer than ``threshold`` individuals (default 5) in the summary or the
  trajectories is *sealed*: shown as ``"<5"``, with ``HMAC(key, value)`` kept under
  ``sealed`` so that a holder of the key can still check it;
- the numbers needed to re-check the totals stay: each participant's expected and actual
  outcome and savings, under its pseudonym.

Without the key, :func:`check_aggregate` verifies the record's internal consistency: the
totals against the per-participant numbers, and the bootstrap interval by re-running it
from the recorded savings and seed (it needs no register). With the key and the register,
:func:`utfall.reproduce` re-runs the evaluation, derives the aggregate record again and
compares it digit for digit.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Tuple

import numpy as np

from .._seeds import Purpose, child_seed
from ..errors import ReproductionError
from ..privacy import MARKER, key_check, pseudonym, seal
from ..resampling import bootstrap

#: Columns of the per-participant table that are calendar dates of an individual.
_DATE_COLUMNS = ("window_start", "window_end")
#: Count columns of the summary and the trajectories, sealed when below the threshold.
_COUNT_COLUMNS = ("n_participants", "n_complete", "n_included", "n_without_comparison", "n_observed")


def _pseudonymise(value: Any, key: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_pseudonymise(v, key) for v in value]
    return pseudonym(value, key)


def aggregate_record(full: Dict[str, Any], key: Any, threshold: int = 5) -> Dict[str, Any]:
    """The aggregate record derived from the full one (see the module docstring)."""
    data = copy.deepcopy(full)
    data["disclosure"] = "aggregate"
    data["key_check"] = key_check(key)
    data["threshold"] = int(threshold)
    sealed: Dict[str, str] = {}
    spec = data["specification"]
    matching = spec.get("matching", {})
    if matching.get("estimator") == "given":
        for pairs in matching["pairs"].values():
            for col in ("treated", "control"):
                pairs[col] = _pseudonymise(pairs[col], key)
    cost = spec.get("intervention_cost")
    if isinstance(cost, dict) and "per_participant" in cost:
        cost["per_participant"] = [[pseudonym(i, key), c] for i, c in cost["per_participant"]]
    results = data["results"]
    individuals = results["individuals"]
    individuals["index"]["values"] = _pseudonymise(individuals["index"]["values"], key)
    individuals["index"]["dtype"] = "object"
    individuals["columns"] = [c for c in individuals["columns"] if c["name"] not in _DATE_COLUMNS]
    for column in individuals["columns"]:
        if column["name"] == "comparison_ids":
            column["values"] = _pseudonymise(column["values"], key)
    tables: List[Tuple[str, Dict[str, Any]]] = [("summary", results["summary"])]
    tables += [(f"trajectories.{h}", t) for h, t in results["trajectories"].items()]
    for where, table in tables:
        rows = table["index"]["values"]
        for column in table["columns"]:
            if column["name"] not in _COUNT_COLUMNS:
                continue
            column["dtype"] = "object"
            for r, v in enumerate(column["values"]):
                if isinstance(v, (int, float)) and 0 < v < threshold:
                    sealed[f"{where}.{column['name']}[{rows[r]}]"] = seal(v, key)
                    column["values"][r] = MARKER
    data["sealed"] = sealed
    return data


def _column(table: Dict[str, Any], name: str) -> List[Any]:
    for c in table["columns"]:
        if c["name"] == name:
            return list(c["values"])
    raise ReproductionError(f"the record's table has no column '{name}'")


def _number(value: Any) -> float:
    if isinstance(value, str):
        return {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(value, np.nan)
    return float(value)


def check_aggregate(data: Dict[str, Any]) -> Dict[str, List[str]]:
    """What an aggregate record lets anyone check without the key or the register.

    Returns ``{"verified": [...], "not verified": [...]}``, sentences; raises
    :class:`~utfall.ReproductionError` naming the first number that does not hold.
    """
    verified, not_verified = [], []
    results, spec = data["results"], data["specification"]
    individuals, summary = results["individuals"], results["summary"]
    horizon_of = _column(individuals, "horizon")
    included = _column(individuals, "included")
    values = {name: np.array([_number(v) for v in _column(individuals, name)]) for name in
              ("expected", "actual", "savings")}
    horizons = summary["index"]["values"]
    for j, h in enumerate(horizons):
        rows = np.array([hh == h and bool(inc) for hh, inc in zip(horizon_of, included)])
        row = {c["name"]: c["values"][j] for c in summary["columns"]}
        for total, name in (("expected_total", "expected"), ("actual_total", "actual")):
            if float(np.sum(values[name][rows])) != _number(row[total]):
                raise ReproductionError(f"the record does not hold together: {total} at {h} is {row[total]}, "
                                        f"the included participants' {name} sum to {float(np.sum(values[name][rows]))}")
        if _number(row["savings_total"]) != _number(row["expected_total"]) - _number(row["actual_total"]):
            raise ReproductionError(f"the record does not hold together: savings_total at {h} is not "
                                    "expected_total - actual_total")
        if not np.array_equal(values["savings"][rows], values["expected"][rows] - values["actual"][rows]):
            raise ReproductionError(f"the record does not hold together: a participant's savings at {h} is not "
                                    "expected - actual")
        verified.append(f"{h}: the expected, actual and savings totals are the sums over the "
                        f"{int(rows.sum())} included participants")
        boot = spec.get("bootstrap")
        if boot and not boot["rematch"] and rows.sum() >= 2:
            again = bootstrap(values["savings"][rows], "sum", n_resamples=boot["n_resamples"],
                              confidence_level=boot["confidence_level"], methods=(boot["method"],),
                              seed=child_seed(data["seed"], Purpose.SAVINGS_BOOTSTRAP, j), keep_distribution=True,
                              progress=False)
            interval = again.intervals.iloc[0]
            if (float(interval["low"]), float(interval["high"])) != (_number(row["savings_low"]),
                                                                     _number(row["savings_high"])):
                raise ReproductionError(f"the record does not hold together: the savings interval at {h} is not "
                                        "the bootstrap of the recorded savings with the recorded seed")
            distribution = np.asarray(again.distribution, dtype=np.float64)
            if float(np.mean(distribution > 0.0)) != _number(row["p_savings_positive"]):
                raise ReproductionError(f"the record does not hold together: P(savings > 0) at {h} differs from "
                                        "the bootstrap of the recorded savings")
            verified.append(f"{h}: the {boot['method']} interval and P(savings > 0) re-run from the recorded "
                            f"savings and seed ({boot['n_resamples']} resamples)")
        elif boot:
            not_verified.append(f"{h}: the rematched interval (it redoes the matching, which needs the register)")
    not_verified.append("the per-participant expected and actual costs, the matching and the data fingerprints "
                        "(they need the register and the key: utfall.reproduce(record, cohort, key=...))")
    if data.get("sealed"):
        not_verified.append(f"{len(data['sealed'])} sealed small counts (they need the key)")
    return {"verified": verified, "not verified": not_verified}
