"""Re-checking a settlement record: :func:`utfall.reproduce` on ``Settlement.to_json()``.

The record holds the contract, each outcome measure, the evaluation's own audit
record and every number of the settlement. The re-check re-runs the evaluation on
the validator's cohort (which checks its fingerprints and every number), takes the
change scores (the validator's own, passed as ``outcomes=`` and checked against the
recorded fingerprint and measures, or, in a full record, rebuilt from the recorded
per-individual scores), settles the contract again and compares every number bit
for bit.

An aggregate record (the default of ``Settlement.to_json``) embeds the evaluation's
aggregate record and only the released form of each measure, so its re-check needs
the data holder's ``key=`` (for the evaluation's pseudonyms and sealed cells) and the
validator's ``outcomes=``; without them it says which is missing.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pandas as pd

from ..errors import ReproductionError, SpecError
from ..evaluation import reproduce
from ._change_result import ChangeScores
from ._change_scores import from_individuals
from ._mechanism import Contract
from ._settlement import FORMAT, Settlement


def _outcome(name: str, data: Dict[str, Any]) -> ChangeScores:
    spec = data["spec"]
    (measure, part), = data["measures"].items()
    individuals = pd.DataFrame(part["individuals"])
    for column in ("before", "after"):
        individuals[column] = pd.to_numeric(individuals[column]).astype(float)
    return ChangeScores([from_individuals(individuals, spec, measure)], spec)


def _differences(a: Any, b: Any, path: str, found: List[str]) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            _differences(a.get(k), b.get(k), f"{path}.{k}" if path else k, found)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _differences(x, y, f"{path}[{i}]", found)
    elif a != b:
        found.append(f"{path}: recorded {a!r}, now {b!r}")


def check_settlement(data: Dict[str, Any], cohort: Any, *, key: Any = None, n_threads: Optional[int] = None,
                     progress: bool = False, outcomes: Optional[Dict[str, ChangeScores]] = None) -> Settlement:
    """Re-runs a recorded settlement; raises :class:`utfall.ReproductionError` naming what differs."""
    disclosure = data.get("disclosure", "full")
    if disclosure == "aggregate":
        missing = [name for name in data["outcomes"] if name not in (outcomes or {})]
        if key is None or missing:
            need = (["key= (the data holder's key of the embedded evaluation record)"] if key is None else []) + (
                [f"outcomes= with your own {missing} (the record holds only their released summaries)"]
                if missing else [])
            raise SpecError("an aggregate settlement record is re-checked with " + " and ".join(need))
    evaluation = reproduce(data["evaluation"], cohort, key=key, n_threads=n_threads, progress=progress)
    contract = Contract.from_dict(data["contract"])
    threshold = int(data.get("threshold", 5))
    rebuilt = {}
    for name, recorded in data["outcomes"].items():
        mine = (outcomes or {}).get(name)
        if mine is not None:
            if mine.spec["data_fingerprint"] != recorded["spec"]["data_fingerprint"]:
                raise ReproductionError(f"the outcome measure {name!r} differs from the recorded one (data "
                                        f"fingerprint {recorded['spec']['data_fingerprint']}, now "
                                        f"{mine.spec['data_fingerprint']})")
            rebuilt[name] = mine
        else:
            rebuilt[name] = _outcome(name, recorded)
        found: List[str] = []
        _differences(recorded["measures"], rebuilt[name].to_dict(disclosure, threshold)["measures"],
                     f"outcomes[{name!r}]", found)
        if found:
            raise ReproductionError("the outcome measure differs from the record: " + "; ".join(found[:10]))
    how = data["settle"]
    again: Settlement = contract.settle(evaluation, how["horizon"], rebuilt, funding_date=how["funding_date"],
                            payment_date=how["payment_date"], uncertainty=how["uncertainty"])
    found = []
    _differences(data["results"], again.results(), "", found)
    if found:
        raise ReproductionError("the re-run settlement differs from the record: " + "; ".join(found[:10]))
    return again


FORMATS = {FORMAT: check_settlement}
