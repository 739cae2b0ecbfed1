"""Effects and amounts from evidence: a number, a distribution, or a utfall result.

The protocol
------------
Anything with a method ``per_year()`` can be an effect: it returns the point
value of each year of the effect (a 1-d array; year ``k`` of the effect lands on
the calculation's year ``start + k``). It may also have

- ``replicates()``: a ``R x years`` array (or ``R`` values, one per replicate,
  the same in every year), replicate draws of the same quantity, or None;
- ``unit`` (``"SEK"``, ``"days"``, ...): amounts in SEK need no unit cost;
- ``label`` (the default label of the effect) and ``provenance()`` (a dict for
  the audit record: seed, version, fingerprints of the data).

Replicate ``b`` of every effect is used together in the calculation's
replicate ``b``: effects taken from the same result (the savings of an
evaluation and the payment of a contract settled on it) keep their joint
draws. A sick-leave evaluation or any other result joins by offering
``per_year()`` and ``replicates()``; :func:`evidence` turns the results utfall
knows (:class:`utfall.Evaluation`, :class:`utfall.contract.Settlement`,
:class:`utfall.ChangeScores`) and plain numbers into :class:`Evidence`.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Optional

import numpy as np

from ..contract import ChangeScores, Settlement
from ..errors import SpecError
from ..evaluation import Evaluation


class Evidence:
    """Point values per year and, optionally, replicate draws of one effect or amount.

    Parameters
    ----------
    per_year : array-like
        The point value of each year (one value: a single year).
    replicates : array-like, optional
        ``R x years`` draws (or ``R`` draws shared by every year).
    unit : str
    label : str
    provenance : dict, optional
        Where the numbers come from, for the audit record.

    Examples
    --------
    >>> e = Evidence([1.0, 2.0], replicates=[[1.0, 2.0], [0.0, 1.0]], unit="SEK")
    >>> e.per_year().tolist(), e.replicates().shape
    ([1.0, 2.0], (2, 2))
    """

    def __init__(self, per_year: Any, replicates: Any = None, *, unit: str = "", label: str = "",
                 provenance: Optional[Dict[str, Any]] = None) -> None:
        point = np.atleast_1d(np.asarray(per_year, dtype=np.float64)).copy()
        if point.ndim != 1 or len(point) == 0:
            raise SpecError(f"effect {label!r}: per_year() must give one or more values per year, not shape "
                            f"{point.shape}")
        _finite(point, label, "per_year")
        reps = None
        if replicates is not None:
            reps = np.asarray(replicates, dtype=np.float64)
            if reps.ndim == 1:
                reps = np.repeat(reps[:, None], len(point), axis=1)
            if reps.ndim != 2 or reps.shape[1] != len(point) or reps.shape[0] < 1:
                raise SpecError(f"effect {label!r}: replicates() must be R x {len(point)} (years), not {reps.shape}")
            _finite(reps, label, "replicates")
            reps = np.ascontiguousarray(reps)
        self._point, self._replicates = point, reps
        self.unit, self.label = unit, label
        self._provenance = dict(provenance or {})

    def per_year(self) -> np.ndarray:
        return self._point.copy()

    def replicates(self) -> Optional[np.ndarray]:
        return None if self._replicates is None else self._replicates.copy()

    @property
    def n_replicates(self) -> Optional[int]:
        return None if self._replicates is None else int(self._replicates.shape[0])

    def provenance(self) -> Dict[str, Any]:
        return dict(self._provenance)

    def scaled(self, factor: float) -> "Evidence":
        """The same evidence times ``factor`` (point and every replicate)."""
        reps = None if self._replicates is None else self._replicates * factor
        return Evidence(self._point * factor, reps, unit=self.unit, label=self.label, provenance=self._provenance)

    def to_dict(self) -> Dict[str, Any]:
        reps = self._replicates
        return {"per_year": self._point.tolist(), "replicates": None if reps is None else reps.tolist(),
                "replicates_sha256": None if reps is None else hashlib.sha256(reps.tobytes()).hexdigest(),
                "unit": self.unit, "label": self.label, "provenance": self._provenance}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Evidence":
        return cls(data["per_year"], data["replicates"], unit=data.get("unit", ""), label=data.get("label", ""),
                   provenance=data.get("provenance"))

    def __repr__(self) -> str:
        reps = "" if self._replicates is None else f", {self._replicates.shape[0]} replicates"
        return f"Evidence({self.label or 'effect'}: {len(self._point)} year(s){reps}, unit {self.unit or '-'})"


def _finite(values: np.ndarray, label: str, what: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        where = np.argwhere(bad)[0].tolist()
        raise SpecError(f"effect {label!r}: {what} holds {values[tuple(where)]} at position {where}; values must "
                        "be finite")


class Distribution:
    """A parametric distribution of an effect size, drawn in the calculation's replicates.

    One draw per replicate applies to every year of the effect (the size is
    uncertain, not its year-to-year noise). The point value is the mean.
    ``kind`` is ``"normal"`` (``mean``, ``sd``), ``"uniform"`` (``low``, ``high``),
    ``"triangular"`` (``low``, ``mode``, ``high``) or ``"lognormal"``
    (``mean``, ``sd`` of the value itself, not of its log).

    >>> Distribution.triangular(0.0, 1.0, 5.0).mean
    2.0
    """

    def __init__(self, kind: str, **params: float) -> None:
        self.kind, self.params = kind, {k: float(v) for k, v in params.items()}
        p = self.params
        if kind == "normal" or kind == "lognormal":
            ok = p["sd"] >= 0 and (kind == "normal" or p["mean"] > 0)
            self.mean = p["mean"]
        elif kind == "uniform":
            ok, self.mean = p["low"] <= p["high"], (p["low"] + p["high"]) / 2
        elif kind == "triangular":
            ok, self.mean = p["low"] <= p["mode"] <= p["high"], (p["low"] + p["mode"] + p["high"]) / 3
        else:
            raise SpecError(f"unknown distribution {kind!r}; choose normal, uniform, triangular or lognormal")
        if not ok or not all(np.isfinite(list(p.values()))):
            raise SpecError(f"invalid {kind} distribution {p}")

    @classmethod
    def normal(cls, mean: float, sd: float) -> "Distribution":
        return cls("normal", mean=mean, sd=sd)

    @classmethod
    def uniform(cls, low: float, high: float) -> "Distribution":
        return cls("uniform", low=low, high=high)

    @classmethod
    def triangular(cls, low: float, mode: float, high: float) -> "Distribution":
        return cls("triangular", low=low, mode=mode, high=high)

    @classmethod
    def lognormal(cls, mean: float, sd: float) -> "Distribution":
        return cls("lognormal", mean=mean, sd=sd)

    def draw(self, n: int, seed: int) -> np.ndarray:
        """``n`` draws from numpy's PCG64 generator seeded with ``seed`` (single-threaded, reproducible)."""
        rng = np.random.Generator(np.random.PCG64(seed))
        p = self.params
        if self.kind == "normal":
            return rng.normal(p["mean"], p["sd"], n)
        if self.kind == "uniform":
            return rng.uniform(p["low"], p["high"], n)
        if self.kind == "triangular":
            if p["low"] == p["high"]:
                return np.full(n, p["low"])
            return rng.triangular(p["low"], p["mode"], p["high"], n)
        sigma2 = np.log1p((p["sd"] / p["mean"]) ** 2)
        return rng.lognormal(np.log(p["mean"]) - sigma2 / 2, np.sqrt(sigma2), n)

    def to_dict(self) -> Dict[str, Any]:
        return {"distribution": self.kind, **self.params}

    def __repr__(self) -> str:
        return f"Distribution.{self.kind}({', '.join(f'{k}={v:g}' for k, v in self.params.items())})"


def from_evaluation(evaluation: Evaluation, horizon: Optional[str] = None) -> Evidence:
    """The savings per year since index of an evaluation, with its bootstrap replicates.

    The point values are :meth:`Evaluation.savings_per_year` (from the
    trajectory); the replicates :meth:`Evaluation.savings_per_year_replicates`,
    the evaluation's own resamples (without a bootstrap: no replicates).
    """
    per_year = evaluation.savings_per_year(horizon)["savings"].to_numpy()
    boot = evaluation.spec.get("bootstrap")
    replicates = evaluation.savings_per_year_replicates(horizon) if boot and not boot.get("rematch") else None
    h = evaluation.horizons[-1] if horizon is None else str(horizon)
    return Evidence(per_year, replicates, unit=evaluation.unit, label=f"savings ({evaluation.spec['outcome']}, {h})",
                    provenance={"kind": "utfall.Evaluation", "horizon": h, "seed": evaluation.seed,
                                "utfall_version": evaluation.version, "fingerprints": evaluation.fingerprints})


def from_settlement(settlement: Settlement) -> Evidence:
    """The total payment of a settled contract (one year), with its replicates (``risk.totals``)."""
    risk = settlement.risk
    return Evidence([settlement.total], None if risk is None else risk.totals,
                    unit=settlement.contract.currency, label="outcome payment",
                    provenance={"kind": "utfall.contract.Settlement", "horizon": settlement.horizon,
                                "seed": settlement.evaluation.seed, "utfall_version": settlement.evaluation.version,
                                "fingerprints": settlement.evaluation.fingerprints})


def from_change_scores(scores: ChangeScores, measure: Optional[str] = None) -> Evidence:
    """The net sum of the change scores of one measure (one year), with its bootstrap distribution."""
    result = (scores[measure] if measure is not None else scores).only
    boot = result.bootstrap
    reps = None if boot is None or boot.distribution is None else boot.distribution
    return Evidence([result.net], reps, unit="change score", label=f"change scores ({result.name})",
                    provenance={"kind": "utfall.ChangeScores", "measure": result.name,
                                "seed": result.bootstrap_seed})


def evidence(value: Any, n_years: int, label: str) -> Any:
    """``value`` as evidence: a number or array (point values), a :class:`Distribution`,
    a utfall result, or an object of the protocol (returned as it is)."""
    if isinstance(value, Evidence) or isinstance(value, Distribution):
        return value
    if isinstance(value, Evaluation):
        return from_evaluation(value)
    if isinstance(value, Settlement):
        return from_settlement(value)
    if isinstance(value, ChangeScores):
        return from_change_scores(value)
    if hasattr(value, "per_year"):
        reps = value.replicates() if hasattr(value, "replicates") else None
        provenance = value.provenance() if hasattr(value, "provenance") else {"kind": type(value).__name__}
        return Evidence(value.per_year(), reps, unit=str(getattr(value, "unit", "")),
                        label=str(getattr(value, "label", "") or label), provenance=provenance)
    try:
        point = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(f"{label}: {type(value).__name__} is not an amount, a Distribution or evidence "
                        "(an object with per_year())") from None
    if point.ndim == 0:
        point = np.full(n_years, float(point))
    return Evidence(point, unit="", label=label)
