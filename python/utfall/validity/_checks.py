"""All the checks of a comparison in one table: :meth:`Evaluation.validity`."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

from ..errors import SpecError
from ._bounds import DEFAULT_GAMMAS, rosenbaum_bounds
from ._placebo import placebo_in_time
from ._preperiod import pre_period
from ._sets import needs_cohort

SETS = ("matched", "given", "stratum")


def validity_checks(evaluation: Any, *, gammas: Sequence[float] = DEFAULT_GAMMAS, gamma: float = 2.0,
                    alpha: float = 0.05, n_cohorts: int = 1000, placebo: bool = True, lookback: Any = "2y",
                    payment: Optional[Callable[[float], float]] = None, seed: Optional[int] = None,
                    cohort: Any = None, progress: bool = True) -> pd.DataFrame:
    """Can the comparison be trusted? One row per horizon.

    Runs, on the evaluation's own specification: the pre-period check
    (:func:`pre_period`), the placebo in time (:func:`placebo_in_time`, ``n_cohorts``
    pseudo-cohorts; ``placebo=False`` skips it) and the Rosenbaum bounds
    (:func:`rosenbaum_bounds`). The checks are kept in ``evaluation.checks`` and written
    to its audit record under ``"validity"``; :func:`plot_validity` draws them.

    Returns
    -------
    pandas.DataFrame
        Per horizon (amounts in SEK): ``savings_total``, ``savings_low``, ``savings_high``
        (the evaluation's); ``pre_difference``, ``pre_low``, ``pre_high`` (comparison minus
        participants before index); ``drift_total`` (the placebo centre for a cohort of the
        participants' size), ``drift_sd``, ``savings_net_of_drift``, ``p_placebo`` (share of
        pseudo-cohorts with savings per participant at least the evaluation's);
        ``gamma_savings``, ``gamma_overspend`` (the Gamma at which "savings > 0" / "< 0" stop
        holding at ``alpha``), ``savings_low_at_gamma``, ``savings_high_at_gamma`` (savings
        compatible with hidden bias of size ``gamma``), ``e_value`` and ``e_value_limit``.
        Checks that do not apply to the estimator (bounds and pre-period need comparison
        sets) are NaN and named in the ``notes`` column.
    """
    cohort = needs_cohort(evaluation, cohort, "validity")
    seed = evaluation.seed if seed is None else seed
    s = evaluation.summary(readable=False)
    estimator = evaluation.spec["matching"]["estimator"]
    gammas = sorted(set(float(g) for g in gammas) | {float(gamma)})
    table = pd.DataFrame({"savings_total": s["savings_total"], "savings_low": s["savings_low"],
                          "savings_high": s["savings_high"]})
    table.index.name = "horizon"
    notes: Dict[str, List[str]] = {h: [] for h in table.index}
    checks: Dict[str, Any] = {"gammas": gammas, "gamma": float(gamma), "alpha": alpha}
    if estimator in SETS:
        pre = pre_period(evaluation, lookback, cohort=cohort)
        for c in ("pre_difference", "pre_low", "pre_high"):
            table[c] = pre[c]
        checks["pre_period"] = pre.reset_index().to_dict("list")
    else:
        for h in notes:
            notes[h].append(f"no pre-period check for the {estimator} estimator")
    if placebo and estimator in ("matched", "stratum", "model"):
        p = placebo_in_time(cohort, evaluation=evaluation, n_cohorts=n_cohorts, seed=seed, progress=progress)
        ps = p.summary()
        n_inc = s["n_included"].astype(float)
        table["drift_total"] = ps["drift_total"]
        table["drift_sd"] = ps["sd_total"]
        table["savings_net_of_drift"] = (ps["observed_mean"] - ps["drift_mean"]) * n_inc
        table["p_placebo"] = ps["p_savings"]
        checks["placebo"] = dict(p.to_dict(), distribution={
            h: d["savings_mean"].tolist() for h, d in p.distribution.groupby("horizon", sort=False)},
            observed=p.observed)
    elif placebo:
        for h in notes:
            notes[h].append(f"no placebo in time for the {estimator} estimator")
    if estimator in SETS:
        checks["rosenbaum"] = {}
        for h in table.index:
            try:
                r = rosenbaum_bounds(evaluation, gammas, h, alpha=alpha, payment=payment, cohort=cohort)
            except SpecError as err:
                notes[h].append(str(err))
                continue
            at = r.table[r.table["gamma"] == float(gamma)].iloc[0]
            table.loc[h, "gamma_savings"] = np.nan if r.gamma_savings is None else r.gamma_savings
            table.loc[h, "gamma_overspend"] = np.nan if r.gamma_overspend is None else r.gamma_overspend
            table.loc[h, "savings_low_at_gamma"] = at["savings_low"]
            table.loc[h, "savings_high_at_gamma"] = at["savings_high"]
            table.loc[h, "e_value"] = r.e_value
            table.loc[h, "e_value_limit"] = r.e_value_limit
            checks["rosenbaum"][h] = r.to_dict()
    else:
        for h in notes:
            notes[h].append(f"no Rosenbaum bounds for the {estimator} estimator (no matched sets)")
    table["notes"] = ["; ".join(notes[h]) for h in table.index]
    checks["table"] = table.reset_index().to_dict("list")
    evaluation.checks = checks
    return table


def plot_validity(evaluation: Any, horizon: Optional[str] = None, axes: Any = None) -> Any:
    """Savings against the placebo distribution, and savings (payment) against Gamma.

    Draws from ``evaluation.checks`` (run :meth:`Evaluation.validity` first).
    """
    import matplotlib.pyplot as plt

    checks = getattr(evaluation, "checks", None) or {}
    if "table" not in checks:
        raise SpecError("plot_validity: run evaluation.validity() first")
    h = horizon or evaluation.horizons[-1]
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 4))
    left, right = axes
    placebo = checks.get("placebo")
    if placebo and h in placebo["distribution"]:
        values = np.asarray(placebo["distribution"][h]) / 1e3
        left.hist(values, bins=40, color="0.7", label="placebo pseudo-cohorts (no intervention)")
        left.axvline(values.mean(), color="k", ls="--", label="drift (centre)")
        if h in placebo["observed"]:
            left.axvline(placebo["observed"][h] / 1e3, color="C3", lw=2, label="evaluation")
        left.set_xlabel("savings per participant (kSEK)")
        left.set_ylabel("pseudo-cohorts")
        left.legend()
    left.set_title(f"Savings against the placebo in time, {h}")
    bounds = checks.get("rosenbaum", {}).get(h)
    if bounds:
        t = pd.DataFrame(bounds["table"])
        right.fill_between(t["gamma"], t["savings_low"] / 1e6, t["savings_high"] / 1e6, alpha=0.3,
                           label="savings compatible with hidden bias")
        if "payment_low" in t:
            right.plot(t["gamma"], t["payment_low"] / 1e6, "k--", label="payment, low")
            right.plot(t["gamma"], t["payment_high"] / 1e6, "k:", label="payment, high")
        right.axhline(0, color="grey", lw=0.8)
        right.set_xlabel("Gamma (odds of differential selection)")
        right.set_ylabel("MSEK")
        right.legend()
    right.set_title(f"Sensitivity to hidden bias, {h}")
    return axes
