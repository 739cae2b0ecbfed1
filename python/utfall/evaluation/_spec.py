"""The specification of an evaluation: every argument checked and normalised to JSON data.

:func:`make_spec` is the one place where :func:`utfall.evaluate`'s arguments are
validated; the evaluation, its audit record and :func:`utfall.evaluate_many`
all carry the resulting plain dict, so a recorded specification re-runs as is.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Union

import numpy as np
import pandas as pd

from .. import _typing
from .._seeds import seed_or_new
from .._validation import one_of
from ..cohort import horizon_text
from ..errors import SpecError

DEFAULT_BOOTSTRAP = {"n_resamples": 2000, "method": "bca", "confidence_level": 0.95, "rematch": False}


def _normal_matching(matching: Any, horizons: list) -> dict:
    """The matching specification as plain JSON data with an ``estimator`` key."""
    if matching is None:
        raise SpecError("matching: give the arguments of utfall.match as a dict (e.g. {'covariates': [...]}), "
                        "{'estimator': 'stratum', 'exact': [...]}, or the pairs (a DataFrame or {horizon: pairs})")
    if isinstance(matching, str):
        if matching == "stratum":
            raise SpecError("matching: the stratum estimator needs its strata: {'estimator': 'stratum', 'exact': [columns]}")
        raise SpecError(f"matching: unknown estimator {matching!r}")
    if isinstance(matching, pd.DataFrame) or hasattr(matching, "pairs"):
        matching = {h: matching for h in horizons}
    if isinstance(matching, Mapping) and matching and all(
            isinstance(v, pd.DataFrame) or hasattr(v, "pairs") for v in matching.values()):
        pairs = {}
        for h, table in matching.items():
            table = table.pairs if hasattr(table, "pairs") else table
            cols = [c for c in ("treated", "control", "slot") if c in table.columns]
            pairs[horizon_text(h)] = {c: table[c].tolist() for c in cols}
        missing = [h for h in horizons if h not in pairs]
        if missing:
            raise SpecError(f"matching: no pairs given for horizon(s) {missing}")
        return {"estimator": "given", "pairs": pairs}
    if not isinstance(matching, Mapping):
        raise SpecError(f"matching: expected a dict or pairs, not {type(matching).__name__}")
    spec = dict(matching)
    estimator = spec.pop("estimator", None) or ("stratum" if spec.get("method") == "stratum" else "matched")
    if estimator == "stratum":
        spec.pop("method", None)
        extra = set(spec) - {"exact", "lookback"}
        if extra:
            raise SpecError(f"matching: the stratum estimator takes exact= and lookback=, not {sorted(extra)}")
        exact = spec.get("exact")
        return {"estimator": "stratum", "exact": [exact] if isinstance(exact, str) else list(exact or []),
                "lookback": spec.get("lookback")}
    if estimator != "matched":
        raise SpecError(f"matching: estimator must be 'matched' or 'stratum', not {estimator!r}")
    if "horizon" in spec:
        raise SpecError("matching: leave out horizon=; evaluate matches at each of its horizons")
    return {"estimator": "matched", **{k: (list(v) if isinstance(v, tuple) else v) for k, v in spec.items()}}


def _normal_bootstrap(bootstrap: Any) -> Optional[dict]:
    if bootstrap is None or bootstrap is False or bootstrap == 0:
        return None
    if bootstrap is True:
        return dict(DEFAULT_BOOTSTRAP)
    if isinstance(bootstrap, (int, np.integer)):
        return dict(DEFAULT_BOOTSTRAP, n_resamples=int(bootstrap))
    if not isinstance(bootstrap, Mapping):
        raise SpecError(f"bootstrap: a number of resamples or a dict, not {bootstrap!r}")
    unknown = set(bootstrap) - set(DEFAULT_BOOTSTRAP)
    if unknown:
        raise SpecError(f"bootstrap: unknown option(s) {sorted(unknown)}; allowed: {sorted(DEFAULT_BOOTSTRAP)}")
    spec = dict(DEFAULT_BOOTSTRAP, **bootstrap)
    one_of(spec["method"], _typing.IntervalMethod, "bootstrap: method")
    if int(spec["n_resamples"]) < 2:
        raise SpecError("bootstrap: n_resamples must be at least 2")
    if not 0 < float(spec["confidence_level"]) < 1:
        raise SpecError("bootstrap: confidence_level must lie between 0 and 1")
    return {"n_resamples": int(spec["n_resamples"]), "method": spec["method"],
            "confidence_level": float(spec["confidence_level"]), "rematch": bool(spec["rematch"])}


def _normal_cost(cost: Any) -> Union[None, float, dict]:
    if cost is None:
        return None
    if isinstance(cost, (pd.Series, Mapping)):
        # Pairs, not a JSON object: ids keep their type (an int id stays an int).
        pairs = [[k.item() if hasattr(k, "item") else k, float(v)] for k, v in dict(cost).items()]
        if any(not np.isfinite(v) or v < 0 for _, v in pairs):
            raise SpecError("intervention_cost: every cost must be a non-negative number")
        return {"per_participant": pairs}
    value = float(cost)
    if not np.isfinite(value) or value < 0:
        raise SpecError(f"intervention_cost must be a non-negative number, not {cost!r}")
    return value


def make_spec(matching=None, horizons=("2y", "3y"), outcome="cost", care_types=None, intervention_cost=None,
              bootstrap=True, seed=None, partial="observed") -> dict:
    """The normalised, JSON-ready specification of an evaluation (see :func:`evaluate`)."""
    if isinstance(horizons, (str, int)):
        horizons = [horizons]
    hs = [horizon_text(h) for h in horizons]
    if not hs or len(set(hs)) != len(hs):
        raise SpecError(f"horizons: give one or more distinct horizons, not {horizons!r}")
    one_of(partial, _typing.Partial, "partial")
    one_of(outcome, _typing.Outcome, "outcome")
    seed = seed_or_new(seed)
    match_spec, boot_spec = _normal_matching(matching, hs), _normal_bootstrap(bootstrap)
    if boot_spec is not None and boot_spec["rematch"] and match_spec["estimator"] == "given":
        raise SpecError("bootstrap: rematch=True redoes the matching, which needs matching arguments or strata, "
                        "not fixed pairs")
    return {"matching": match_spec, "horizons": hs, "outcome": outcome,
            "care_types": [care_types] if isinstance(care_types, str) else (None if care_types is None else list(care_types)),
            "intervention_cost": _normal_cost(intervention_cost), "bootstrap": boot_spec,
            "seed": int(seed), "partial": partial}
