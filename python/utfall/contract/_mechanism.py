"""The payment mechanism of an outcomes contract, declared as data.

A :class:`Contract` is the funding, a guaranteed share of it, a list of
:class:`Tranche` paid in order (a share of a metric over a band, a price per
unit of outcome, a fixed amount), each with an optional cap and conditions on
any metrics, a cap on the total and a maximum loss for the investor. The
arithmetic runs in the Rust core (``utfall._core.settle_mechanism``) on arrays,
so one call settles one observed set of metrics or ten thousand bootstrap
replicates.

Formula
-------
Tranche ``t`` on metric ``x`` with rate ``r`` (a share, or a price per unit),
band ``[above, up_to]``, fixed amount ``f``, cap ``c`` and conditions ``C``:
``raw_t = [C hold] * min(f + r * clamp(x - above, 0, up_to - above), c)``.
The guarantee ``g * funding`` is tranche 0. Tranches are paid in order within
the total cap ``T``: ``paid_t = min(raw_t, T - sum_{s<t} paid_s)``. With a
maximum loss ``L`` the total is topped up to at least ``funding - L``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from .. import _core, _typing
from ..errors import SpecError, data_error

FORMAT = "utfall.contract/1"
OPS = _typing.values(_typing.ConditionOp)
KINDS = ("share", "rate card", "fixed")
_CONDITION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$")


def _number(value: Any, name: str, low: float = -math.inf, high: float = math.inf, finite: bool = True) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SpecError(f"{name} must be a number, not {value!r}")
    v = float(value)
    if math.isnan(v) or (finite and math.isinf(v)) or not low <= v <= high:
        span = f"[{low:g}, {high:g}]" if math.isfinite(high) else f">= {low:g}"
        raise SpecError(f"{name} must be {'a finite number ' if finite else ''}in {span}, not {value!r}")
    return v


@dataclass(frozen=True)
class Condition:
    """``metric op value``, e.g. ``Condition("school", ">", 0)``; ``Condition.parse("school > 0")``."""

    metric: str
    op: str
    value: float

    def __post_init__(self) -> None:
        if self.op not in OPS:
            raise SpecError(f"a condition's comparison must be one of {', '.join(OPS)}, not {self.op!r}")
        object.__setattr__(self, "value", _number(self.value, f"the threshold of condition on {self.metric!r}"))

    @classmethod
    def parse(cls, text: Union[str, "Condition"]) -> "Condition":
        """A condition from ``"metric op number"`` (or a Condition, returned as is)."""
        if isinstance(text, Condition):
            return text
        match = _CONDITION.match(str(text))
        if not match:
            raise SpecError(f"cannot read the condition {text!r}; write it as 'metric > number', e.g. 'school > 0'")
        try:
            value = float(match.group(3))
        except ValueError:
            raise SpecError(f"the condition {text!r} compares with {match.group(3)!r}, which is not a number") from None
        return cls(match.group(1), match.group(2), value)

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Tranche:
    """One part of the payment. Build it with :meth:`share`, :meth:`rate_card` or :meth:`fixed`."""

    name: str
    kind: str
    metric: Optional[str] = None
    rate: float = 0.0
    above: float = 0.0
    up_to: Optional[float] = None
    amount: float = 0.0
    cap: Optional[float] = None
    when: Tuple[Condition, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SpecError(f"tranche {self.name!r}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        where = f"tranche {self.name!r}"
        if self.kind == "share":
            _number(self.rate, f"{where}: the share", 0.0, 1.0)
        else:
            _number(self.rate, f"{where}: the price per unit", 0.0)
        if self.kind != "fixed" and not isinstance(self.metric, str):
            raise SpecError(f"{where}: a {self.kind} tranche needs the name of the metric it pays on")
        _number(self.above, f"{where}: above")
        if self.up_to is not None and _number(self.up_to, f"{where}: up_to") < self.above:
            raise SpecError(f"{where}: up_to ({self.up_to:g}) lies below above ({self.above:g})")
        _number(self.amount, f"{where}: the fixed amount", 0.0)
        if self.cap is not None:
            _number(self.cap, f"{where}: the cap", 0.0)
        object.__setattr__(self, "when", tuple(Condition.parse(c) for c in self.when))

    @classmethod
    def share(cls, metric: str, share: float, *, above: float = 0.0, up_to: Optional[float] = None,
              cap: Optional[float] = None, when: Sequence[Any] = (), name: Optional[str] = None) -> "Tranche":
        """``share`` (in [0, 1]) of ``metric`` between ``above`` and ``up_to``, e.g. 60 % of savings up to
        break-even."""
        return cls(name or f"{100 * share:g}% of {metric}", "share", metric, share, above, up_to, 0.0, cap, tuple(when))

    @classmethod
    def rate_card(cls, metric: str, price: float, *, above: float = 0.0, up_to: Optional[float] = None,
                  cap: Optional[float] = None, when: Sequence[Any] = (), name: Optional[str] = None) -> "Tranche":
        """``price`` per unit of ``metric`` above ``above`` (e.g. per care day avoided), as many impact bonds pay."""
        return cls(name or f"{price:g} per unit of {metric}", "rate card", metric, price, above, up_to, 0.0, cap,
                   tuple(when))

    @classmethod
    def fixed(cls, amount: float, *, when: Sequence[Any] = (), name: Optional[str] = None) -> "Tranche":
        """A fixed ``amount`` paid when every condition in ``when`` holds."""
        return cls(name or f"fixed {amount:g}", "fixed", None, 0.0, 0.0, None, amount, None, tuple(when))

    @property
    def metrics(self) -> List[str]:
        """The metrics this tranche reads."""
        return ([self.metric] if self.metric else []) + [c.metric for c in self.when]

    def formula(self) -> str:
        """The tranche as a sentence-like formula (for tables and the INDIGO export)."""
        if self.kind == "fixed":
            text = f"{self.amount:,.0f}"
        else:
            band = f"min(max({self.metric} - {self.above:,.0f}, 0), {self.up_to - self.above:,.0f})" \
                if self.up_to is not None else f"max({self.metric} - {self.above:,.0f}, 0)"
            text = f"{self.rate:g} * {band}"
        if self.cap is not None:
            text = f"min({text}, {self.cap:,.0f})"
        return text + (f" if {' and '.join(map(str, self.when))}" if self.when else "")


@dataclass(frozen=True)
class Contract:
    """A declarative payment mechanism of an outcomes contract.

    Parameters
    ----------
    funding : float
        The amount the investor funded (drawn), in ``currency``.
    tranches : sequence of Tranche
        Paid in order after the guarantee.
    guaranteed_share : float
        The share of ``funding`` repaid whatever the outcomes, in [0, 1].
    cap : float, optional
        The most the outcome payer pays in all.
    max_loss : float, optional
        The most the investor can lose: the total is at least ``funding - max_loss``.
    name, outcome_payer, investor, currency : str
        For tables and the INDIGO export.

    Examples
    --------
    >>> import utfall
    >>> c = utfall.Contract.norrkoping(funding=7.5e6)
    >>> float(c.settle_values(savings=-7.5e6, school=18)["total"].iloc[0])
    3000000.0
    >>> utfall.Contract.from_json(c.to_json()) == c
    True
    """

    funding: float
    tranches: Tuple[Tranche, ...] = ()
    guaranteed_share: float = 0.0
    cap: Optional[float] = None
    max_loss: Optional[float] = None
    name: str = "outcomes contract"
    outcome_payer: str = "municipality"
    investor: str = "investor"
    currency: str = "SEK"

    def __post_init__(self) -> None:
        _number(self.funding, "funding", 0.0)
        _number(self.guaranteed_share, "guaranteed_share", 0.0, 1.0)
        tranches = tuple(self.tranches)
        if not all(isinstance(t, Tranche) for t in tranches):
            raise SpecError("tranches must be utfall.contract.Tranche objects (Tranche.share, .rate_card, .fixed)")
        names = [t.name for t in tranches]
        if len(set(names)) != len(names) or "guarantee" in names:
            raise SpecError(f"tranche names must be unique and not 'guarantee': {names}")
        object.__setattr__(self, "tranches", tranches)
        if self.cap is not None and _number(self.cap, "cap", 0.0) < self.guarantee:
            raise SpecError(f"the cap {self.cap:,.0f} lies below the guarantee {self.guarantee:,.0f} "
                            f"({self.guaranteed_share:g} of the funding)")
        if self.max_loss is not None:
            _number(self.max_loss, "max_loss", 0.0, self.funding)
            if self.cap is not None and self.funding - self.max_loss > self.cap:
                raise SpecError(f"max_loss {self.max_loss:,.0f} promises at least {self.funding - self.max_loss:,.0f}, "
                                f"above the cap {self.cap:,.0f}")

    # ------------------------------------------------------------ construction
    @classmethod
    def norrkoping(cls, funding: float = 7.5e6) -> "Contract":
        """Norrköping's terms (Team Nystart, 2016): 40 % guaranteed, 60 % of the savings up to
        break-even, a return of at most 20 % of the funding from 60 % of the savings above it if the
        school outcome improved, at most 1.2 times the funding in all.

        ``total = 0.4 F + 0.6 min(max(S, 0), F) + [school > 0] min(0.6 max(S - F, 0), 0.2 F)``.
        """
        f = _number(funding, "funding", 0.0)
        return cls(funding=f, guaranteed_share=0.4, cap=1.2 * f, name="Norrköping Team Nystart",
                   outcome_payer="Norrköping municipality", investor="Leksell Social Ventures",
                   tranches=(Tranche.share("savings", 0.6, above=0.0, up_to=f, name="conditional repayment"),
                             Tranche.share("savings", 0.6, above=f, cap=0.2 * f, when=("school > 0",),
                                           name="return")))

    @property
    def guarantee(self) -> float:
        """The guaranteed repayment, ``guaranteed_share * funding``."""
        return self.guaranteed_share * self.funding

    @property
    def metrics(self) -> List[str]:
        """The metrics the contract reads, in first-use order."""
        return list(dict.fromkeys(m for t in self.tranches for m in t.metrics))

    @property
    def tranche_names(self) -> List[str]:
        return ["guarantee"] + [t.name for t in self.tranches]

    @property
    def maximum_payment(self) -> Optional[float]:
        """The most the contract can pay (None when unbounded)."""
        parts = [self.guarantee]
        for t in self.tranches:
            if t.cap is not None:
                parts.append(t.cap)
            elif t.kind == "fixed":
                parts.append(t.amount)
            elif t.up_to is not None:
                parts.append(t.rate * (t.up_to - t.above))
            else:
                parts.append(math.inf)
        total = sum(parts)
        if self.cap is not None:
            total = min(total, self.cap)
        return total if math.isfinite(total) else None

    def without_guarantee(self) -> "Contract":
        """The same contract with no guaranteed share (for the value of the guarantee)."""
        return replace(self, guaranteed_share=0.0, max_loss=None)

    # ------------------------------------------------------------ settling
    def settle_arrays(self, metrics: Dict[str, np.ndarray]) -> Dict[str, Any]:
        """The core's settlement of metric arrays of equal length: amounts per tranche, conditions met, total."""
        missing = [m for m in self.metrics if m not in metrics]
        if missing:
            raise SpecError(f"the contract reads the metric(s) {missing}, which are not given; "
                            f"given: {sorted(metrics)}")
        names = self.metrics
        index = {m: k for k, m in enumerate(names)}
        columns = [np.ascontiguousarray(metrics[m], dtype=np.float64) for m in names]
        if not columns:
            n = len(next(iter(metrics.values()))) if metrics else 1
            columns = [np.zeros(n)]
        specs: List[Any] = [(None, 0.0, 0.0, 0.0, self.guarantee, math.inf, [])]
        for t in self.tranches:
            specs.append((index[t.metric] if t.metric else None, t.rate, t.above,
                          math.inf if t.up_to is None else t.up_to, t.amount,
                          math.inf if t.cap is None else t.cap,
                          [(index[c.metric], c.op, c.value) for c in t.when]))
        cap = math.inf if self.cap is None else self.cap
        floor = -math.inf if self.max_loss is None else self.funding - self.max_loss
        try:
            amounts, met, top_up, total = _core.settle_mechanism(specs, cap, floor, columns)
        except ValueError as e:  # a non-finite metric value: name the metric
            k = next((k for k, c in enumerate(columns) if not np.isfinite(c).all()), None)
            if k is None:
                raise
            row = int(np.flatnonzero(~np.isfinite(columns[k]))[0])
            raise data_error("metrics", names[k], row, f"is {columns[k][row]}; a payment needs finite values") from e
        return {"amounts": amounts, "met": met, "top_up": top_up, "total": total}

    def settle_values(self, **metrics: Any) -> pd.DataFrame:
        """Settle on given metric values (scalars or arrays, broadcast together), without an evaluation.

        Returns one row per set of values: the metrics, each tranche's amount, the
        top-up to the maximum loss, the ``total`` and the investor's ``multiple``
        (total / funding), for what-if tables and plots.

        Examples
        --------
        >>> import utfall
        >>> c = utfall.Contract.norrkoping(funding=7.5e6)
        >>> c.settle_values(savings=[0, 7.5e6, 20e6], school=[1, 1, -1])["total"].tolist()
        [3000000.0, 7500000.0, 7500000.0]
        """
        try:
            arrays = np.broadcast_arrays(*[np.atleast_1d(np.asarray(v, dtype=np.float64)) for v in metrics.values()])
        except (TypeError, ValueError) as e:
            raise data_error("metrics", "", None, f"the values must be numbers or arrays of one shape ({e})") from None
        values = {k: np.ravel(a) for k, a in zip(metrics, arrays)}
        out = self.settle_arrays(values)
        frame = pd.DataFrame(values)
        for name, column in zip(self.tranche_names, out["amounts"]):
            frame[name] = column
        if self.max_loss is not None:
            frame["top-up to maximum loss"] = out["top_up"]
        frame["total"] = out["total"]
        frame["multiple"] = out["total"] / self.funding if self.funding > 0 else np.nan
        return frame

    def settle(self, evaluation: Any, horizon: Optional[str] = None, outcomes: Optional[Dict[str, Any]] = None, *,
               funding_date: Any = None, payment_date: Any = None, uncertainty: bool = True) -> Any:
        """Settle the contract on an evaluation's outcomes at ``horizon`` (default: its last).

        Parameters
        ----------
        evaluation : Evaluation
            Gives ``savings``, ``net_savings``, ``expected`` and ``actual`` at the horizon.
        outcomes : dict, optional
            Name -> a :func:`utfall.change_scores` result of one measure about the participants;
            adds the metrics ``name`` (net sum), ``name.positive``, ``.negative``, ``.neutral``,
            ``.determined`` and ``.share_positive``.
        funding_date, payment_date : date-like, optional
            For the investor's IRR.
        uncertainty : bool
            Also settle every bootstrap replicate of the evaluation (``settlement.risk``).

        Returns
        -------
        Settlement

        Raises
        ------
        SpecError
            A metric the evaluation and outcomes do not have; an unknown horizon.
        DataError
            An outcome measure with an id that is not a participant.

        Examples
        --------
        >>> import utfall
        >>> cohort = utfall.synthetic.register(60, 400, seed=2016)
        >>> ev = utfall.evaluate(cohort, matching={"covariates": ["age", "sex"], "lookback": "2y"},
        ...                      horizons=["2y"], intervention_cost=7.5e6, seed=1, progress=False)
        >>> school = utfall.change_scores(utfall.synthetic.outcomes(cohort), "school_before", "school_after",
        ...                               seed=1, n_resamples=999)
        >>> s = utfall.Contract.norrkoping(7.5e6).settle(ev, "2y", {"school": school})
        >>> bool(s.risk.p_above_guarantee == ev.summary(readable=False).loc["2y", "p_savings_positive"])
        True
        """
        from ._settle import settle_contract
        from ._settlement import Settlement

        parts = settle_contract(self, evaluation, horizon, outcomes, funding_date, payment_date, uncertainty)
        return Settlement(self, evaluation, parts)

    # ------------------------------------------------------------ records
    def to_dict(self) -> Dict[str, Any]:
        """Plain JSON data (floats exact); :meth:`from_dict` reads it back."""
        data = asdict(self)
        data["tranches"] = [dict(asdict(t), when=[asdict(c) for c in t.when]) for t in self.tranches]
        return {"format": FORMAT, **data}

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Contract":
        """The contract of :meth:`to_dict`."""
        if data.get("format") != FORMAT:
            raise SpecError(f"not an utfall contract (format {data.get('format')!r}, expected {FORMAT!r})")
        fields = {k: v for k, v in data.items() if k not in ("format", "tranches")}
        tranches = tuple(Tranche(**dict(t, when=tuple(Condition(**c) for c in t["when"]))) for t in data["tranches"])
        return cls(tranches=tranches, **fields)

    def to_json(self, indent: Optional[int] = None) -> str:
        """The contract as JSON (round-trips exactly: ``Contract.from_json(c.to_json()) == c``)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> "Contract":
        return cls.from_dict(json.loads(text))

    def to_indigo(self) -> Dict[str, Any]:
        """The fields the INDIGO data standard (Government Outcomes Lab) records for a project's payment
        mechanism: the maximum potential outcome payment, the investment, and each outcome metric with
        its price or formula (INDIGO stores the formula as text; here it is also given exactly by
        :meth:`to_json`)."""
        metrics = []
        for t in self.tranches:
            metrics.append({"outcome_metric": t.metric or " and ".join(c.metric for c in t.when) or None,
                            "tranche": t.name, "payment_type": t.kind,
                            "price_per_outcome": {"amount": t.rate, "currency": self.currency}
                            if t.kind == "rate card" else None,
                            "payment_formula": t.formula(),
                            "maximum_payment": None if t.cap is None
                            else {"amount": t.cap, "currency": self.currency},
                            "conditions": [str(c) for c in t.when]})
        maximum = self.maximum_payment
        return {"project_name": self.name, "outcome_payer": self.outcome_payer, "investor": self.investor,
                "investment": {"amount": self.funding, "currency": self.currency},
                "guaranteed_repayment": {"amount": self.guarantee, "currency": self.currency},
                "maximum_potential_outcome_payment": None if maximum is None
                else {"amount": maximum, "currency": self.currency},
                "investor_maximum_loss": None if self.max_loss is None
                else {"amount": self.max_loss, "currency": self.currency},
                "outcome_metrics": metrics}

    def summary(self) -> pd.DataFrame:
        """One row per tranche: kind, metric, formula, cap and conditions."""
        rows: List[Dict[str, Any]] = [{"tranche": "guarantee", "kind": "guarantee", "metric": None,
                 "formula": f"{self.guaranteed_share:g} * funding = {self.guarantee:,.0f}", "cap": None,
                 "conditions": ""}]
        rows += [{"tranche": t.name, "kind": t.kind, "metric": t.metric, "formula": t.formula(), "cap": t.cap,
                  "conditions": " and ".join(map(str, t.when))} for t in self.tranches]
        return pd.DataFrame(rows).set_index("tranche")

    def __repr__(self) -> str:
        cap = f", total cap {self.cap / 1e6:g} M{self.currency}" if self.cap is not None else ""
        lines = [f"Contract({self.name!r}: funding {self.funding / 1e6:g} M{self.currency}, guarantee "
                 f"{100 * self.guaranteed_share:g}%{cap})"]
        lines += [f"  {t.name}: {t.formula()}" for t in self.tranches]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<div><p><b>utfall.Contract</b> {self.name}</p>{self.summary().to_html()}</div>"
