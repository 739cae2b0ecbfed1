"""The specification of an evaluation: every argument checked and normalised into a typed plan.

:func:`make_spec` is the one place where :func:`utfall.evaluate`'s arguments are
validated; it returns a :class:`Spec` (frozen dataclasses: matching, horizons,
outcome, bootstrap, costs, seed) that the engine, the result, the audit record
and :func:`utfall.evaluate_many` carry. Its JSON form (:meth:`Spec.to_json_data`)
is the record's ``specification``, unchanged from the plain dict of utfall
0.1, and reads back exactly: ``Spec.from_json(spec.to_json()) == spec``.

A :class:`Spec` also reads as that JSON mapping (``spec["matching"]["ratio"]``),
so code written against the dict keeps working while it moves to attributes.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union, cast

import numpy as np
import pandas as pd

from .. import _typing
from .._seeds import seed_or_new
from .._validation import confidence_levels, one_of, whole_number
from ..cohort import horizon_text
from ..errors import SpecError
from ..matching import match

#: The arguments of :func:`utfall.match` a matching specification may set (evaluate sets data and horizon).
MATCH_ARGUMENTS = tuple(p for p in inspect.signature(match).parameters if p not in ("data", "horizon", "progress"))

DEFAULT_BOOTSTRAP = {"n_resamples": 2000, "method": "bca", "confidence_level": 0.95, "rematch": False}


@dataclass(frozen=True)
class MatchingSpec:
    """How the comparison is made: the ``estimator`` and its arguments.

    ``arguments`` holds the recorded arguments as JSON data, in their recorded
    order: for ``"matched"`` those of :func:`utfall.match` (so a new option of
    ``match`` passes through unchanged), for ``"stratum"`` ``exact`` and
    ``lookback``, for ``"model"`` ``model``, ``covariates``, ``lookback`` and
    ``var_power``, for ``"given"`` the ``pairs`` per horizon.

    >>> m = MatchingSpec("matched", {"covariates": ["age"], "ratio": 2})
    >>> m.ratio, m.get("replace", False)
    (2, False)
    """

    estimator: _typing.Estimator
    arguments: Mapping[str, Any] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        """The argument ``name`` (``default`` when not given)."""
        return self.arguments.get(name, default)

    @property
    def ratio(self) -> int:
        """Controls per participant (1 unless matched with ``ratio=``)."""
        return int(self.get("ratio", 1)) if self.estimator == "matched" else 1

    @property
    def lookback(self) -> Optional[str]:
        """The look-back window of the pre-period covariates, if any."""
        return cast(Optional[str], self.get("lookback"))

    def to_json_data(self) -> Dict[str, Any]:
        return {"estimator": self.estimator, **self.arguments}

    @classmethod
    def from_json_data(cls, data: Mapping[str, Any]) -> "MatchingSpec":
        rest = {k: v for k, v in data.items() if k != "estimator"}
        return cls(estimator=data["estimator"], arguments=rest)


@dataclass(frozen=True)
class BootstrapSpec:
    """The savings bootstrap: resamples, interval method, level and whether it rematches.

    >>> BootstrapSpec(2000, "bca", 0.95, False).to_json_data()["method"]
    'bca'
    """

    n_resamples: int
    method: _typing.IntervalMethod
    confidence_level: float
    rematch: bool

    def to_json_data(self) -> Dict[str, Any]:
        return {"n_resamples": self.n_resamples, "method": self.method, "confidence_level": self.confidence_level,
                "rematch": self.rematch}

    @classmethod
    def from_json_data(cls, data: Mapping[str, Any]) -> "BootstrapSpec":
        return cls(n_resamples=data["n_resamples"], method=data["method"],
                   confidence_level=data["confidence_level"], rematch=data["rematch"])


@dataclass(frozen=True)
class CostSpec:
    """The intervention cost: one ``amount`` per participant, or ``per_participant`` pairs (id, SEK).

    Ids keep their type (an int id stays an int), so the pairs are a tuple, not a JSON object.

    >>> CostSpec(per_participant=((1, 500.0), ("a", 20.0))).to_json_data()
    {'per_participant': [[1, 500.0], ['a', 20.0]]}
    """

    amount: Optional[float] = None
    per_participant: Optional[Tuple[Tuple[Any, float], ...]] = None

    def to_json_data(self) -> Union[float, Dict[str, Any]]:
        if self.per_participant is None:
            return cast(float, self.amount)
        return {"per_participant": [[k, v] for k, v in self.per_participant]}

    @classmethod
    def from_json_data(cls, data: Any) -> "CostSpec":
        if isinstance(data, Mapping):
            return cls(per_participant=tuple((k, v) for k, v in data["per_participant"]))
        return cls(amount=data)


def _json_or_none(part: Any) -> Any:
    return None if part is None else part.to_json_data()


@dataclass(frozen=True)
class Spec:
    """The checked plan of an evaluation (:func:`make_spec` builds it).

    Seeds of the random steps derive from ``seed`` by named purposes
    (:mod:`utfall._seeds`). ``extra`` keeps any further recorded field.
    """

    matching: MatchingSpec
    horizons: Tuple[str, ...]
    outcome: _typing.Outcome
    care_types: Optional[Tuple[str, ...]]
    intervention_cost: Optional[CostSpec]
    bootstrap: Optional[BootstrapSpec]
    seed: int
    partial: _typing.Partial
    adjust: Optional[Tuple[str, ...]] = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json_data(self) -> Dict[str, Any]:
        """The JSON form: the ``specification`` of the audit record."""
        out: Dict[str, Any] = {
            "matching": self.matching.to_json_data(), "horizons": list(self.horizons), "outcome": self.outcome,
            "care_types": None if self.care_types is None else list(self.care_types),
            "intervention_cost": _json_or_none(self.intervention_cost), "bootstrap": _json_or_none(self.bootstrap),
            "seed": self.seed, "partial": self.partial}
        if self.adjust is not None:
            out["adjust"] = list(self.adjust)
        out.update(self.extra)
        return out

    def to_json(self) -> str:
        """The JSON form as text (the record writes it with its other fields)."""
        return json.dumps(self.to_json_data(), allow_nan=False, ensure_ascii=False)

    @classmethod
    def from_json_data(cls, data: Mapping[str, Any]) -> "Spec":
        """The spec of a JSON form (as :meth:`to_json_data` writes it; not re-validated)."""
        if isinstance(data, Spec):
            return data
        known = {"matching", "horizons", "outcome", "care_types", "intervention_cost", "bootstrap", "seed",
                 "partial", "adjust"}
        care, adjust, cost, boot = (data.get("care_types"), data.get("adjust"), data.get("intervention_cost"),
                                    data.get("bootstrap"))
        return cls(matching=MatchingSpec.from_json_data(data["matching"]), horizons=tuple(data["horizons"]),
                   outcome=data["outcome"], care_types=None if care is None else tuple(care),
                   intervention_cost=None if cost is None else CostSpec.from_json_data(cost),
                   bootstrap=None if boot is None else BootstrapSpec.from_json_data(boot), seed=data["seed"],
                   partial=data["partial"], adjust=None if adjust is None else tuple(adjust),
                   extra={k: v for k, v in data.items() if k not in known})

    @classmethod
    def from_json(cls, text: str) -> "Spec":
        """The spec of its JSON text: ``Spec.from_json(spec.to_json()) == spec``."""
        return cls.from_json_data(json.loads(text))

    # Read access as the JSON mapping, for code written against the dict of utfall 0.1.
    def __getitem__(self, key: str) -> Any:
        return self.to_json_data()[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.to_json_data().get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.to_json_data()

    def keys(self) -> List[str]:
        return list(self.to_json_data())

    def __iter__(self) -> Iterator[str]:
        return iter(self.to_json_data())

    def __len__(self) -> int:
        return len(self.to_json_data())


def _normal_matching(matching: Any, horizons: List[str]) -> Dict[str, Any]:
    """The matching specification as plain JSON data with an ``estimator`` key."""
    if matching is None:
        raise SpecError("matching: give the arguments of utfall.match as a dict (e.g. {'covariates': [...]}), "
                        "{'estimator': 'stratum', 'exact': [...]}, or the pairs (a DataFrame or {horizon: pairs})")
    if isinstance(matching, str):
        if matching == "stratum":
            raise SpecError("matching: the stratum estimator needs its strata: "
                            "{'estimator': 'stratum', 'exact': [columns]}")
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
    if estimator == "model":
        extra = set(spec) - {"model", "covariates", "lookback", "var_power"}
        if extra:
            raise SpecError(f"matching: the model estimator takes model=, covariates=, lookback=, var_power=, "
                            f"not {sorted(extra)}")
        one_of(spec.get("model"), _typing.CostModel, "matching: model")
        covs = spec.get("covariates") or []
        var_power = float(spec.get("var_power", 1.5))
        if not 1 < var_power < 2:
            raise SpecError(f"matching: var_power must lie strictly between 1 and 2, not {var_power}")
        return {"estimator": "model", "model": spec["model"], "covariates": [covs] if isinstance(covs, str) else
                list(covs), "lookback": spec.get("lookback"), "var_power": var_power}
    if estimator != "matched":
        raise SpecError(f"matching: estimator must be 'matched', 'stratum' or 'model', not {estimator!r}")
    if "horizon" in spec:
        raise SpecError("matching: leave out horizon=; evaluate matches at each of its horizons")
    unknown = sorted(str(k) for k in set(spec) - set(MATCH_ARGUMENTS))
    if unknown:
        raise SpecError(f"matching: unknown argument(s) {unknown} of utfall.match; it takes {list(MATCH_ARGUMENTS)}")
    if spec.get("estimand", "ATT") != "ATT":
        raise SpecError(f"matching: estimand={spec['estimand']!r}; the evaluation estimates the effect on the "
                        "participants (the ATT), so it matches comparisons to participants")
    if spec.get("s_weights") is not None:
        raise SpecError("matching: s_weights; the evaluation's expected costs are unweighted means over the "
                        "participants' matched comparisons, so sampling weights would change the balance but not "
                        "the estimate: match with utfall.match(..., s_weights=) to study balance instead")
    return {"estimator": "matched", **{k: (list(v) if isinstance(v, tuple) else v) for k, v in spec.items()}}


def _normal_bootstrap(bootstrap: Any) -> Optional[Dict[str, Any]]:
    if bootstrap is None or bootstrap is False or bootstrap == 0:
        return None
    if bootstrap is True:
        return dict(DEFAULT_BOOTSTRAP)
    if isinstance(bootstrap, (int, np.integer)):
        return dict(DEFAULT_BOOTSTRAP, n_resamples=whole_number(bootstrap, "bootstrap: n_resamples", 2, 10**9))
    if not isinstance(bootstrap, Mapping):
        raise SpecError(f"bootstrap: a number of resamples or a dict, not {bootstrap!r}")
    unknown = set(bootstrap) - set(DEFAULT_BOOTSTRAP)
    if unknown:
        raise SpecError(f"bootstrap: unknown option(s) {sorted(unknown)}; allowed: {sorted(DEFAULT_BOOTSTRAP)}")
    spec = dict(DEFAULT_BOOTSTRAP, **bootstrap)
    one_of(spec["method"], _typing.IntervalMethod, "bootstrap: method")
    n_resamples = whole_number(spec["n_resamples"], "bootstrap: n_resamples", 2, 10**9)
    if np.ndim(spec["confidence_level"]) != 0:
        raise SpecError(f"bootstrap: confidence_level must be one number, not {spec['confidence_level']!r}")
    level = confidence_levels(spec["confidence_level"])[0]
    if not isinstance(spec["rematch"], (bool, np.bool_)):
        raise SpecError(f"bootstrap: rematch must be True or False, not {spec['rematch']!r}")
    return {"n_resamples": n_resamples, "method": spec["method"], "confidence_level": level,
            "rematch": bool(spec["rematch"])}


def _normal_cost(cost: Any) -> Union[None, float, Dict[str, Any]]:
    if cost is None:
        return None
    if isinstance(cost, (pd.Series, Mapping)):
        # Pairs, not a JSON object: ids keep their type (an int id stays an int).
        pairs = [[k.item() if hasattr(k, "item") else k, _number(v, f"intervention_cost for {k!r}")]
                 for k, v in dict(cost).items()]
        if any(not np.isfinite(v) or v < 0 for _, v in pairs):
            raise SpecError("intervention_cost: every cost must be a non-negative number")
        return {"per_participant": pairs}
    value = _number(cost, "intervention_cost")
    if not np.isfinite(value) or value < 0:
        raise SpecError(f"intervention_cost must be a non-negative number, not {cost!r}")
    return value


def _number(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SpecError(f"{name} must be a non-negative number (SEK), a mapping id -> SEK or None, not {value!r}")
    return float(value)


def _care_types(care_types: Any) -> Optional[List[str]]:
    if care_types is None:
        return None
    chosen = [care_types] if isinstance(care_types, str) else care_types
    if not isinstance(chosen, (list, tuple, pd.Index, np.ndarray)) or not all(isinstance(t, str) for t in chosen):
        raise SpecError(f"care_types must be a care type or a list of them (strings), not {care_types!r}")
    return list(chosen)


def make_spec(matching: Any = None, horizons: Any = ("2y", "3y"), outcome: Any = "cost", care_types: Any = None,
              intervention_cost: Any = None, bootstrap: Any = True, seed: Any = None, partial: Any = "observed",
              adjust: Any = None) -> Spec:
    """The checked, typed specification of an evaluation (see :func:`evaluate`).

    >>> spec = make_spec({"covariates": ["age"]}, horizons="2y", bootstrap=False, seed=1)
    >>> spec.matching.estimator, spec.horizons, spec.seed
    ('matched', ('2y',), 1)
    >>> Spec.from_json(spec.to_json()) == spec
    True
    """
    if isinstance(horizons, (str, int, np.integer)):
        horizons = [horizons]
    if not isinstance(horizons, (list, tuple, np.ndarray, pd.Index)):
        raise SpecError(f"horizons: give one or more horizons ('2y', '36m', '730d'), not {horizons!r}")
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
    extra = {}
    if adjust is not None and len(adjust):
        if match_spec["estimator"] not in ("matched", "given"):
            raise SpecError(f"adjust: the bias correction applies to matched sets, not to the "
                            f"{match_spec['estimator']!r} estimator")
        extra["adjust"] = [adjust] if isinstance(adjust, str) else [str(a) for a in adjust]
    return Spec.from_json_data({"matching": match_spec, "horizons": hs, "outcome": outcome,
                                "care_types": _care_types(care_types),
                                "intervention_cost": _normal_cost(intervention_cost), "bootstrap": boot_spec,
                                "seed": int(seed), "partial": partial, **extra})
