"""The aggregate (shareable) audit record, and what can be checked from it with and without the key.

The full record (``disclosure="full"``, for the data holder) holds every participant's id,
calendar windows and the ids of its comparison individuals. The aggregate record
(``disclosure="aggregate"``, the default of :meth:`Evaluation.to_json`) is derived from it:

- every id (participants, given pairs, per-participant intervention costs) is replaced by
  its keyed pseudonym ``HMAC-SHA-256(key, id)`` (:func:`utfall.privacy.pseudonym`); the
  record carries ``key_check`` (the HMAC of a fixed label) so that a wrong key is told
  from a changed register;
- per individual, only what re-checks the totals and the interval: the *included*
  participants' ``expected``, ``actual`` and ``savings`` at each horizon, in the order the
  bootstrap drew them, under their pseudonyms. No calendar date of an individual (windows,
  index dates), no comparison ids, no parts per care type, no follow-up lengths (which would
  let anyone recount the suppressed counts);
- small cells: a count of fewer than ``threshold`` individuals (default 5) is *sealed*: it
  shows as ``"<5"`` and ``HMAC(key, value)`` is kept under ``sealed`` so that a holder of
  the key can check it. Secondarily, so that no sealed count is recovered from the shown
  ones: when any count of a horizon's participants, or any difference of two of them
  (participants - included, participants - complete, complete - included), is below the
  threshold, every count but ``n_included`` (which the rows give) is sealed (shown as
  ``".."``). A horizon with fewer than ``threshold`` included participants keeps no rows
  and shows none of its statistics (totals, means, interval, probabilities); a month of a
  trajectory observed on fewer, none of its numbers; ``n_observed`` shows only where it is
  ``n_included`` or at least ``threshold`` below it. The status loses its counts
  (``"preliminary, 58 of 60 complete"`` reads ``"preliminary"``), what was not counted is
  counts instead of ids, sealed alike, and the validity checks are left out (share the report).

Without the key, :func:`check_aggregate` verifies the record's internal consistency: the
totals and means against the per-participant numbers, net savings, and the bootstrap
interval and probabilities by re-running it from the recorded savings and seed (it needs
no register). With the key and the register, :func:`utfall.reproduce` re-runs the
evaluation, derives the aggregate record again and compares it digit for digit, sealed
values included.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Dict, List

import numpy as np

from .._seeds import Purpose, child_seed
from ..errors import ReproductionError
from ..privacy import SECONDARY, key_check, marker, pseudonym, seal
from ..resampling import bootstrap
from ._schema import declare

#: Per-individual columns an aggregate record keeps.
KEPT = ("horizon", "expected", "actual", "savings")
#: Summary counts that only the record's full form shows when a small cell is near.
_SEALABLE = ("n_participants", "n_complete", "n_without_comparison")
_STATISTICS = ("expected_total", "actual_total", "savings_total", "expected_mean", "actual_mean", "savings_mean",
               "net_savings", "break_even_actual", "savings_low", "savings_high", "p_savings_positive",
               "p_savings_cover_cost", "payback_month")
_COUNTS_IN_STATUS = re.compile(r", \d+ of \d+ complete")


def _pseudonymise(value: Any, key: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_pseudonymise(v, key) for v in value]
    return pseudonym(value, key)


def _columns(table: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    return {c["name"]: c for c in table["columns"]}


class _Sealer:
    def __init__(self, key: Any, threshold: int) -> None:
        self.key, self.threshold, self.sealed = key, threshold, {}  # type: Any, int, Dict[str, str]

    def small(self, value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < self.threshold

    def __call__(self, where: str, value: Any, secondary: bool = False) -> str:
        self.sealed[where] = seal(value, self.key)
        return SECONDARY if secondary and not self.small(value) else marker(self.threshold)


def aggregate_record(full: Dict[str, Any], key: Any, threshold: int = 5) -> Dict[str, Any]:
    """The aggregate record derived from the full one (see the module docstring)."""
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        from ..errors import SpecError
        raise SpecError(f"threshold must be a whole number of individuals of at least 1, not {threshold!r}")
    data = copy.deepcopy(full)
    data["disclosure"] = "aggregate"
    data["key_check"] = key_check(key)
    data["threshold"] = int(threshold)
    data.pop("validity", None)
    sealer = _Sealer(key, int(threshold))
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
    shown = _summary(results["summary"], sealer)
    results["individuals"] = _individuals(results["individuals"], shown, key)
    for h, table in results["trajectories"].items():
        _trajectory(h, table, sealer)
    data["not_counted"] = _not_counted(data.get("not_counted") or {}, sealer)
    data["sealed"] = sealer.sealed
    return declare(data)


def _summary(summary: Dict[str, Any], sealer: _Sealer) -> Dict[str, bool]:
    """Seals the summary's small cells; returns, per horizon, whether its rows and statistics are shown."""
    cols = _columns(summary)
    shown: Dict[str, bool] = {}
    cols["status"]["values"] = [_COUNTS_IN_STATUS.sub("", v) if isinstance(v, str) else v
                                for v in cols["status"]["values"]]
    for name in ("n_included",) + _SEALABLE + _STATISTICS:
        if name in cols:
            cols[name]["dtype"] = "object"
    for r, h in enumerate(summary["index"]["values"]):
        n = {c: cols[c]["values"][r] for c in ("n_included",) + _SEALABLE}
        cells = [n[c] for c in _SEALABLE] + [n["n_participants"] - n["n_included"],
                                              n["n_participants"] - n["n_complete"],
                                              abs(n["n_complete"] - n["n_included"])]
        few = sealer.small(n["n_included"])
        shown[h] = not few
        if few or any(sealer.small(c) for c in cells):
            for c in _SEALABLE:
                cols[c]["values"][r] = sealer(f"summary.{c}[{h}]", n[c], secondary=True)
        if few:
            cols["n_included"]["values"][r] = sealer(f"summary.n_included[{h}]", n["n_included"])
            for c in _STATISTICS:
                if c in cols:
                    cols[c]["values"][r] = sealer(f"summary.{c}[{h}]", cols[c]["values"][r], secondary=True)
    return shown


def _individuals(table: Dict[str, Any], shown: Dict[str, bool], key: Any) -> Dict[str, Any]:
    cols = _columns(table)
    keep = [r for r, (h, inc) in enumerate(zip(cols["horizon"]["values"], cols["included"]["values"]))
            if inc and shown.get(h, False)]
    index = table["index"]
    return {"index": {"name": index["name"], "dtype": "object",
                      "values": [pseudonym(index["values"][r], key) for r in keep]},
            "columns": [{"name": c, "dtype": cols[c]["dtype"], "values": [cols[c]["values"][r] for r in keep]}
                        for c in KEPT]}


def _trajectory(h: str, table: Dict[str, Any], sealer: _Sealer) -> None:
    cols = _columns(table)
    observed = cols["n_observed"]["values"]
    n_included = max([v for v in observed if isinstance(v, (int, float))], default=0)
    for c in cols.values():
        c["dtype"] = "object"
    for r, month in enumerate(table["index"]["values"]):
        n = observed[r]
        if sealer.small(n):
            for name, c in cols.items():
                c["values"][r] = sealer(f"trajectories.{h}.{name}[{month}]", c["values"][r],
                                        secondary=name != "n_observed")
        elif sealer.small(n_included - n):
            observed[r] = sealer(f"trajectories.{h}.n_observed[{month}]", n, secondary=True)


def _not_counted(notes: Dict[str, Any], sealer: _Sealer) -> Dict[str, Any]:
    out: Dict[str, Any] = {"outside_observation": {}, "horizons": {}}
    for table, n in (notes.get("outside_observation") or {}).items():
        out["outside_observation"][table] = (sealer(f"not_counted.outside_observation.{table}", n)
                                             if sealer.small(n) else n)
    for h, what in (notes.get("horizons") or {}).items():
        out["horizons"][h] = {}
        for name, ids in what.items():
            n = len(ids)
            out["horizons"][h][name] = sealer(f"not_counted.{h}.{name}", n) if sealer.small(n) else n
    return out


def _column(table: Dict[str, Any], name: str) -> List[Any]:
    for c in table["columns"]:
        if c["name"] == name:
            return list(c["values"])
    raise ReproductionError(f"the record's table has no column '{name}'")


def _number(value: Any) -> float:
    if isinstance(value, str):
        return {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(value, np.nan)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ReproductionError(f"the record holds {str(value)[:40]!r} where a number belongs")
    return float(value)


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


def check_aggregate(data: Dict[str, Any]) -> Dict[str, List[str]]:
    """What an aggregate record lets anyone check without the key or the register.

    Returns ``{"verified": [...], "not verified": [...]}``, sentences; raises
    :class:`~utfall.ReproductionError` naming the first number that does not hold.
    """
    verified, not_verified = [], []
    results, spec = data["results"], data["specification"]
    individuals, summary = results["individuals"], results["summary"]
    horizon_of = _column(individuals, "horizon")
    values = {name: np.array([_number(v) for v in _column(individuals, name)]) for name in
              ("expected", "actual", "savings")}
    boot = spec.get("bootstrap")
    for j, h in enumerate(summary["index"]["values"]):
        rows = np.array([hh == h for hh in horizon_of], dtype=bool)
        row = {c["name"]: c["values"][j] for c in summary["columns"]}
        if not isinstance(row.get("n_included"), int) or isinstance(row.get("n_included"), bool):
            not_verified.append(f"{h}: its statistics, which are suppressed (fewer than {data['threshold']} "
                                "participants included)")
            continue
        n = int(rows.sum())
        if n != row["n_included"]:
            raise ReproductionError(f"the record does not hold together: {h} has {row['n_included']} included "
                                    f"participants, and rows for {n}")
        for total, mean, name in (("expected_total", "expected_mean", "expected"),
                                  ("actual_total", "actual_mean", "actual")):
            got = float(np.sum(values[name][rows]))
            if not _same(got, _number(row[total])):
                raise ReproductionError(f"the record does not hold together: {total} at {h} is {row[total]}, "
                                        f"the included participants' {name} sum to {got}")
            if n and not _same(got / n, _number(row[mean])):
                raise ReproductionError(f"the record does not hold together: {mean} at {h} is not {total} / {n}")
        savings = _number(row["expected_total"]) - _number(row["actual_total"])
        if not _same(savings, _number(row["savings_total"])) or (n and not _same(savings / n,
                                                                              _number(row["savings_mean"]))):
            raise ReproductionError(f"the record does not hold together: savings_total or savings_mean at {h} is not "
                                    "expected_total - actual_total (over the included)")
        if not np.array_equal(values["savings"][rows], values["expected"][rows] - values["actual"][rows]):
            raise ReproductionError(f"the record does not hold together: a participant's savings at {h} is not "
                                    "expected - actual")
        cost = _number(row["intervention_cost"])
        if not np.isnan(cost) and not _same(_number(row["savings_total"]) - cost, _number(row["net_savings"])):
            raise ReproductionError(f"the record does not hold together: net_savings at {h} is not savings_total "
                                    "- intervention_cost")
        verified.append(f"{h}: the expected, actual and savings totals and means are those of the {n} included "
                        "participants' rows, and net savings is savings less the intervention cost")
        if boot and not boot["rematch"] and n >= 2:
            again = bootstrap(values["savings"][rows], "sum", n_resamples=boot["n_resamples"],
                              confidence_level=boot["confidence_level"], methods=(boot["method"],),
                              seed=child_seed(data["seed"], Purpose.SAVINGS_BOOTSTRAP, j), keep_distribution=True,
                              progress=False)
            interval = again.intervals.iloc[0]
            if not (_same(float(interval["low"]), _number(row["savings_low"]))
                    and _same(float(interval["high"]), _number(row["savings_high"]))):
                raise ReproductionError(f"the record does not hold together: the savings interval at {h} is not "
                                        "the bootstrap of the recorded savings with the recorded seed")
            distribution = np.asarray(again.distribution, dtype=np.float64)
            cover = 0.0 if np.isnan(cost) else cost
            if not (_same(float(np.mean(distribution > 0.0)), _number(row["p_savings_positive"]))
                    and _same(float(np.mean(distribution > cover)), _number(row["p_savings_cover_cost"]))):
                raise ReproductionError(f"the record does not hold together: P(savings > 0) or P(savings > "
                                        f"intervention cost) at {h} differs from the bootstrap of the recorded "
                                        "savings")
            verified.append(f"{h}: the {boot['method']} interval, P(savings > 0) and P(savings > intervention "
                            f"cost) re-run from the recorded savings and seed ({boot['n_resamples']} resamples)")
        elif boot and boot["rematch"]:
            not_verified.append(f"{h}: the rematched interval (it redoes the matching, which needs the register)")
    return {"verified": verified, "not verified": not_verified}
