"""Settling a contract on an evaluation: the observed payment and the payment under uncertainty.

The metrics a contract can read from an evaluation at a horizon are
``savings`` (expected - actual, the evaluation's total), ``net_savings``
(savings - intervention cost), ``expected`` and ``actual``; an outcome measure
passed as ``outcomes={"school": change_scores_result}`` adds ``school`` (the
net sum of the change scores), ``school.positive``, ``school.negative``,
``school.neutral``, ``school.determined`` (counts) and ``school.share_positive``
(positive / determined, a rate).

Payment under uncertainty: the evaluation's savings replicates
(:meth:`Evaluation.savings_bootstrap`) resample the included participants; the
core replays exactly those draws (``utfall._core.replicate_sums``) and sums
every metric over them, so in replicate ``b`` the school outcome is summed over
the very participants whose savings make replicate ``b``'s savings (drawn
jointly: a participant drawn twice counts twice in both; an undetermined change
counts 0). Participants measured on an outcome but not included in the savings
at this horizon are resampled on their own, with the seed
``child_seed(evaluation seed, Purpose.CONTRACT_OUTCOMES, k)`` for outcome ``k``.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Dict, List, Mapping, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from .._seeds import Purpose, child_seed
from ..cohort import horizon_text
from ..errors import ComputationError, SpecError, data_error
from ..evaluation import Evaluation
from ._change_result import DETERMINED, ChangeScores

EVALUATION_METRICS = ("savings", "net_savings", "expected", "actual")
OUTCOME_PARTS = ("positive", "negative", "neutral", "determined", "share_positive")
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def _outcome_columns(cs: ChangeScores, ids: pd.Index) -> np.ndarray:
    """Per id (rows of ``ids``): the change (0 if undetermined or absent) and indicators of
    positive, negative, neutral and determined: shape ``(5, len(ids))``."""
    frame = cs.only.individuals.set_index("id")
    frame = frame.reindex(ids)
    determined = (frame["status"] == DETERMINED).to_numpy()
    change = np.where(determined, frame["change"].to_numpy(np.float64, na_value=0.0), 0.0)
    return np.vstack([change, determined & (change > 0), determined & (change < 0), determined & (change == 0),
                      determined]).astype(np.float64)


def _derived(name: str, sums: np.ndarray) -> Dict[str, np.ndarray]:
    """The outcome metrics from summed columns ``(change, positive, negative, neutral, determined)``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(sums[4] > 0, sums[1] / np.where(sums[4] > 0, sums[4], 1.0), 0.0)
    return {name: sums[0], f"{name}.positive": sums[1], f"{name}.negative": sums[2], f"{name}.neutral": sums[3],
            f"{name}.determined": sums[4], f"{name}.share_positive": share}


def _check_outcomes(outcomes: Mapping[str, Any], participants: pd.Index) -> Dict[str, ChangeScores]:
    checked: Dict[str, ChangeScores] = {}
    for name, cs in outcomes.items():
        if not isinstance(cs, ChangeScores):
            raise SpecError(f"outcomes[{name!r}] must be a utfall.change_scores result, not {type(cs).__name__}")
        if len(cs) != 1:
            raise SpecError(f"outcomes[{name!r}] holds {len(cs)} measures {list(cs)}; pass one, e.g. result['school']")
        if name in EVALUATION_METRICS or "." in name:
            raise SpecError(f"the outcome name {name!r} is taken or contains '.'; choose another")
        ids = cs.only.individuals["id"]
        unknown = ~ids.isin(participants).to_numpy()
        if unknown.any():
            row = int(np.flatnonzero(unknown)[0])
            raise data_error(f"outcomes['{name}']", "id", row, "is not a participant of the evaluation; an outcome "
                             "measure must be about the participants", id=ids.iloc[row])
        checked[name] = cs
    return checked


def observed_metrics(evaluation: Evaluation, h: str, outcomes: Dict[str, ChangeScores]) -> Dict[str, float]:
    row: Dict[Any, Any] = evaluation.summary(readable=False).loc[h].to_dict()
    metrics = {"savings": float(row["savings_total"]), "net_savings": float(row["net_savings"]),
               "expected": float(row["expected_total"]), "actual": float(row["actual_total"])}
    for name, cs in outcomes.items():
        ids = pd.Index(cs.only.individuals["id"])
        sums = _outcome_columns(cs, ids).sum(axis=1)[:, None]
        metrics.update({k: float(v[0]) for k, v in _derived(name, sums).items()})
    return metrics


def replicate_metrics(evaluation: Evaluation, h: str,
                      outcomes: Dict[str, ChangeScores]) -> Tuple[Dict[str, np.ndarray], int]:
    """Every metric in every bootstrap replicate of the evaluation at ``h``, drawn jointly; and the seed."""
    boot = evaluation.savings_bootstrap(h)
    distribution = np.asarray(boot.distribution, dtype=np.float64)
    rows = evaluation.individuals[evaluation.individuals["horizon"] == h]
    included = rows[rows["included"].to_numpy(bool)]
    ids = included.index
    columns = [included["savings"].to_numpy(np.float64), included["expected"].to_numpy(np.float64),
               included["actual"].to_numpy(np.float64)]
    blocks = {name: _outcome_columns(cs, ids) for name, cs in outcomes.items()}
    for block in blocks.values():
        columns += list(block)
    B = len(distribution)
    sums = _core.replicate_sums(boot.seed, 0, B, [np.ascontiguousarray(c) for c in columns])
    if not np.array_equal(sums[:, 0], distribution):
        raise ComputationError("the replayed resamples do not reproduce the evaluation's savings replicates; "
                               "please report this")
    cost: Any = evaluation.summary(readable=False).loc[h, "intervention_cost"]
    cost_value = float(cost) if cost is not None and np.isfinite(float(cost)) else np.nan
    out = {"savings": distribution, "expected": sums[:, 1], "actual": sums[:, 2],
           "net_savings": distribution - cost_value}
    offset = 3
    for k, (name, cs) in enumerate(outcomes.items()):
        total = sums[:, offset:offset + 5].T.copy()
        offset += 5
        measured = pd.Index(cs.only.individuals["id"])
        rest = measured[~measured.isin(ids)]
        if len(rest):
            extra = _outcome_columns(cs, rest)
            total += _core.replicate_sums(child_seed(evaluation.seed, Purpose.CONTRACT_OUTCOMES, k), 0, B,
                                          [np.ascontiguousarray(c) for c in extra]).T
        out.update(_derived(name, total))
    return out, int(boot.seed)


def _date(value: Any, name: str) -> Optional[pd.Timestamp]:
    if value is None:
        return None
    try:
        return pd.Timestamp(value)
    except (TypeError, ValueError):
        raise SpecError(f"{name} must be a date, not {value!r}") from None


def investor_return(total: float, funding: float, funding_date: Optional[pd.Timestamp],
                    payment_date: Optional[pd.Timestamp]) -> Dict[str, Any]:
    """Amount, multiple ``total / funding`` and, with both dates, the IRR ``multiple^(1 / years) - 1``
    (years = days / 365.25; one outflow at funding, one inflow at payment)."""
    multiple = total / funding if funding > 0 else float("nan")
    irr = float("nan")
    if funding_date is not None and payment_date is not None:
        years = (payment_date - funding_date).days / 365.25
        if years <= 0:
            raise SpecError(f"the payment date {payment_date.date()} must come after the funding date "
                            f"{funding_date.date()}")
        irr = multiple ** (1.0 / years) - 1.0
    return {"paid": total, "funding": funding, "profit": total - funding, "multiple": multiple, "irr": irr,
            "funding_date": None if funding_date is None else funding_date.date().isoformat(),
            "payment_date": None if payment_date is None else payment_date.date().isoformat()}


class PaymentRisk:
    """The payment over the bootstrap replicates of the metrics.

    Attributes
    ----------
    totals : numpy.ndarray
        The total payment in each replicate.
    amounts : pandas.DataFrame
        Each tranche's amount in each replicate.
    metrics : dict
        Each metric's replicates.
    seed : int
        The seed of the savings bootstrap whose resamples were replayed.
    """

    def __init__(self, contract: Any, totals: np.ndarray, amounts: pd.DataFrame, metrics: Dict[str, np.ndarray],
                 seed: int, without_guarantee: np.ndarray) -> None:
        self.contract = contract
        self.totals = totals
        self.amounts = amounts
        self.metrics = metrics
        self.seed = seed
        self._without = without_guarantee

    @property
    def n_replicates(self) -> int:
        return len(self.totals)

    @property
    def expected_payment(self) -> float:
        """The mean total payment over the replicates."""
        return float(np.mean(self.totals))

    @property
    def p_tranche(self) -> pd.Series:
        """P(each tranche pays more than 0)."""
        return (self.amounts > 0).mean().rename("P(paid)")

    @property
    def p_investor_loses(self) -> float:
        """P(total < funding)."""
        return float(np.mean(self.totals < self.contract.funding))

    @property
    def p_above_guarantee(self) -> float:
        """P(total > guarantee): the contract pays more than the guaranteed repayment."""
        return float(np.mean(self.totals > self.contract.guarantee))

    @property
    def value_of_guarantee(self) -> float:
        """E[total] - E[total of the same contract without the guarantee], over the same replicates."""
        return float(np.mean(self.totals) - np.mean(self._without))

    def quantiles(self, q: Any = QUANTILES) -> pd.Series:
        """Quantiles of the total payment (numpy's linear rule, R's type 7)."""
        q = np.atleast_1d(np.asarray(q, dtype=float))
        return pd.Series(np.quantile(self.totals, q), index=pd.Index(q, name="quantile"), name="total payment")

    def summary(self) -> pd.DataFrame:
        """The risk measures, one row each, with units."""
        c = self.contract.currency
        rows: List[Tuple[str, Any]] = [("replicates", self.n_replicates),
                                       (f"expected payment ({c})", self.expected_payment)]
        quantiles = self.quantiles()
        rows += [(f"{100 * q:g}% quantile ({c})", float(v)) for q, v in zip(QUANTILES, quantiles.to_numpy())]
        rows += [("P(investor loses money)", self.p_investor_loses),
                 ("P(total > guarantee)", self.p_above_guarantee),
                 (f"value of the guarantee ({c})", self.value_of_guarantee)]
        rows += [(f"P({name} paid)", p) for name, p in self.p_tranche.items()]
        return pd.DataFrame(rows, columns=["measure", "value"]).set_index("measure")

    def to_dict(self) -> Dict[str, Any]:
        import hashlib

        return {"n_replicates": self.n_replicates, "seed": self.seed, "expected_payment": self.expected_payment,
                "quantiles": {str(q): float(v) for q, v in self.quantiles().items()},
                "p_investor_loses": self.p_investor_loses, "p_above_guarantee": self.p_above_guarantee,
                "value_of_guarantee": self.value_of_guarantee,
                "p_tranche": {k: float(v) for k, v in self.p_tranche.items()},
                "totals_sha256": hashlib.sha256(np.ascontiguousarray(self.totals).tobytes()).hexdigest()}

    def __repr__(self) -> str:
        m = 1e6
        q = self.quantiles([0.05, 0.5, 0.95]).to_numpy() / m
        return (f"PaymentRisk({self.n_replicates} replicates: expected payment {self.expected_payment / m:,.2f} "
                f"M{self.contract.currency}, median {q[1]:,.2f} [5%: {q[0]:,.2f}, 95%: {q[2]:,.2f}], "
                f"P(investor loses) = {self.p_investor_loses:.3f})")


def settle_contract(contract: Any, evaluation: Evaluation, horizon: Optional[str],
                    outcomes: Optional[Mapping[str, Any]],
                    funding_date: Any, payment_date: Any, uncertainty: bool) -> Dict[str, Any]:
    """The parts of a :class:`Settlement` (see :meth:`Contract.settle`)."""
    if not isinstance(evaluation, Evaluation):
        raise SpecError(f"settle needs a utfall.Evaluation, not {type(evaluation).__name__}")
    h = evaluation.horizons[-1] if horizon is None else horizon_text(horizon)
    if h not in evaluation.horizons:
        raise SpecError(f"the evaluation has no horizon {horizon!r}; it has {evaluation.horizons}")
    participants = evaluation.individuals[evaluation.individuals["horizon"] == h].index
    checked = _check_outcomes(outcomes or {}, pd.Index(participants))
    observed = observed_metrics(evaluation, h, checked)
    missing = [m for m in contract.metrics if m not in observed]
    if missing:
        raise SpecError(f"the contract reads the metric(s) {missing}, which the evaluation (with outcomes "
                        f"{sorted(checked)}) does not have; available: {sorted(observed)}")
    if "net_savings" in contract.metrics and not np.isfinite(observed["net_savings"]):
        raise SpecError("the contract reads net_savings, but the evaluation has no intervention_cost")
    settled = contract.settle_arrays({k: np.array([v]) for k, v in observed.items()})
    total = float(settled["total"][0])
    f_date, p_date = _date(funding_date, "funding_date"), _date(payment_date, "payment_date")
    risk = None
    if uncertainty and evaluation.spec.get("bootstrap") and not evaluation.spec["bootstrap"].get("rematch"):
        metrics, seed = replicate_metrics(evaluation, h, checked)
        use = {m: metrics[m] for m in contract.metrics} or {"savings": metrics["savings"]}
        run = contract.settle_arrays(use)
        without = contract.without_guarantee().settle_arrays(use)["total"]
        amounts = pd.DataFrame(run["amounts"].T, columns=contract.tranche_names)
        risk = PaymentRisk(contract, run["total"], amounts, metrics, seed, without)
    return {"horizon": h, "observed": observed, "settled": settled, "total": total, "outcomes": checked,
            "investor": investor_return(total, contract.funding, f_date, p_date),
            "net_cost": total - max(observed["savings"], 0.0), "risk": risk,
            "interval": tuple(evaluation.summary(readable=False).loc[h, ["savings_low", "savings_high"]].astype(float)),
            "created": _dt.date.today().isoformat()}
