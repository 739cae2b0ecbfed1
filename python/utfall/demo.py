"""``utfall demo``: a readable tour of the synthetic register.

:func:`run_demo` builds the register with :func:`utfall.synthetic.register` and
returns a text report made of sections, one function each, so that later
sections (matching, expected costs, bootstrap intervals) slot in:

1. the cohort: who is in it, and how many episodes;
2. follow-up at 2 and 3 years: per group the number of individuals, how many
   have complete follow-up, mean and total cost (MSEK, base-year prices, over
   complete follow-ups) and mean care days per care type;
3. concentration: the share of the historical HVB+SiS care days held by the
   20 % and 50 % most care-heavy individuals (the pre-study found 47 % and 83 %);
4. the outcome evaluation at 2 and 3 years, contract style: expected, actual,
   savings, interval, break-even, probabilities and the number complete;
5. the settlement of the synthetic contract (Norrköping's terms) at 2 years:
   the school outcome's change scores, each tranche, the total, the investor's
   return and the payment under uncertainty over the bootstrap replicates.
"""

from __future__ import annotations

import textwrap
from typing import Any, List, Sequence, cast

import numpy as np
import pandas as pd

from .cohort import HISTORICAL, PARTICIPANT, Cohort
from .synthetic import register

HORIZONS = ("2y", "3y")
MSEK = 1e6
#: Matching covariates of the demo's evaluation (individuals' columns and 2 years of history).
MATCH_COVARIATES = ["age", "sex", "diagnosis", "substance_use", "prior_cost_total", "prior_placements"]
#: Strata of the robustness check (the stratum-mean estimator).
STRATA = ["sex", "diagnosis", "substance_use"]


def _heading(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def cohort_section(cohort: Cohort, seed: int) -> str:
    """Who is in the register."""
    lines = [_heading("Cohort"), f"synthetic register, seed {seed}: {cohort!r}", "", cohort.summary().to_string()]
    return "\n".join(lines)


def follow_up_table(cohort: Cohort, horizon: str) -> pd.DataFrame:
    """Per group: n, n complete, mean and total cost (MSEK) and mean care days per type over complete follow-ups."""
    costs = cohort.costs(horizon)
    rows = {}
    for group in (PARTICIPANT, HISTORICAL):
        g = costs[costs["group"] == group]
        done = g[g["complete"]]
        row = {"n": len(g), "n complete": len(done),
               "mean cost (MSEK)": done["cost_total"].mean() / MSEK,
               "total cost (MSEK)": done["cost_total"].sum() / MSEK}
        for care_type in cohort.care_types:
            row[f"days {care_type}"] = done[f"care_days_{care_type}"].mean()
        rows[group] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")


def follow_up_section(cohort: Cohort, horizons: Sequence[str] = HORIZONS) -> str:
    """Costs and care days at each horizon, participants vs historical."""
    lines = [_heading("Follow-up costs and care days"),
             f"complete follow-ups only; costs in {cohort.base_year} prices; care days are means per individual"]
    for horizon in horizons:
        table = follow_up_table(cohort, horizon)
        lines += ["", f"{horizon}:", table.to_string(float_format=lambda v: f"{v:,.2f}")]
    return "\n".join(lines)


def top_shares(values: np.ndarray, tops: Sequence[float] = (0.2, 0.5)) -> List[float]:
    """Share of the total held by the largest ``top`` fraction of ``values``.

    Examples
    --------
    >>> top_shares(np.array([1.0, 1.0, 2.0, 6.0]), [0.25, 0.5])
    [0.6, 0.8]
    """
    ordered = np.sort(np.asarray(values, dtype=float))[::-1]
    total = ordered.sum()
    return [float(ordered[: int(round(t * len(ordered)))].sum() / total) for t in tops]


def concentration_section(cohort: Cohort, horizon: str = "2y") -> str:
    """How unequally the historical HVB+SiS care days are spread."""
    days = cohort.care_days(horizon, care_types=["HVB", "SiS"])
    hist = days[(days["group"] == HISTORICAL) & days["complete"]]["care_days_total"].to_numpy()
    top20, top50 = top_shares(hist)
    return "\n".join([
        _heading("Concentration of care days"),
        f"historical individuals, HVB+SiS care days over {horizon} (n = {len(hist)}):",
        f"  the 20 % most care-heavy hold {100 * top20:.0f} % of the care days (pre-study: 47 %)",
        f"  the 50 % most care-heavy hold {100 * top50:.0f} % (pre-study: 83 %)",
    ])


def _msek(value: float) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value / MSEK:,.1f}"


def demo_evaluation(cohort: Cohort, seed: int, horizons: Sequence[str] = HORIZONS, n_resamples: int = 2000) -> Any:
    """The demo's evaluation: matching on :data:`MATCH_COVARIATES`, 7.5 MSEK per 60 participants."""
    import utfall

    cost = 7.5 * MSEK * int(cohort.participants.sum()) / 60
    return utfall.evaluate(cohort, {"covariates": MATCH_COVARIATES, "lookback": "2y"}, horizons=horizons,
                           intervention_cost=cost, bootstrap={"n_resamples": n_resamples}, seed=seed, progress=False)


def evaluation_section(cohort: Cohort, seed: int, horizons: Sequence[str] = HORIZONS,
                       n_resamples: int = 2000, evaluation: Any = None) -> str:
    """The contract's outcome 1: actual against expected social-services costs.

    Matching (1:1 nearest neighbour on the logit propensity score, redone at each
    horizon on the historical individuals with complete follow-up there), a
    BCa interval from 2,000 resamples of matched sets, the Norrköping
    intervention cost of 7.5 MSEK scaled to the number of participants, and the
    stratum-mean estimator as a robustness check.
    """
    import utfall

    n = int(cohort.participants.sum())
    cost = 7.5 * MSEK * n / 60
    ev = evaluation if evaluation is not None else demo_evaluation(cohort, seed, horizons, n_resamples)
    strata = utfall.evaluate(cohort, {"estimator": "stratum", "exact": STRATA}, horizons=horizons,
                             intervention_cost=cost, bootstrap=False, seed=seed, progress=False)
    s = ev.summary(readable=False)
    r = strata.summary(readable=False)
    level = int(round(100 * ev.spec["bootstrap"]["confidence_level"]))
    rows = {
        "status": [s.loc[h, "status"] for h in horizons],
        "expected cost (MSEK)": [_msek(s.loc[h, "expected_total"]) for h in horizons],
        "actual cost (MSEK)": [_msek(s.loc[h, "actual_total"]) for h in horizons],
        "savings = expected - actual (MSEK)": [_msek(s.loc[h, "savings_total"]) for h in horizons],
        f"  {level} % BCa interval (MSEK)": [f"[{_msek(s.loc[h, 'savings_low'])}, {_msek(s.loc[h, 'savings_high'])}]"
                                           for h in horizons],
        "intervention cost (MSEK)": [_msek(cost) for _ in horizons],
        "net of the intervention (MSEK)": [_msek(s.loc[h, "net_savings"]) for h in horizons],
        "break-even actual cost (MSEK)": [_msek(s.loc[h, "break_even_actual"]) for h in horizons],
        "P(savings > 0)": [f"{s.loc[h, 'p_savings_positive']:.2f}" for h in horizons],
        "P(savings > intervention cost)": [f"{s.loc[h, 'p_savings_cover_cost']:.2f}" for h in horizons],
        "payback month": [str(ev.payback_month(h) or "not within the horizon") for h in horizons],
        "stratum-mean estimator: savings (MSEK)": [_msek(r.loc[h, "savings_total"]) for h in horizons],
    }
    table = pd.DataFrame(rows, index=list(horizons)).T
    intro = (f"Expected costs from the historical comparison group: 1:1 nearest-neighbour matching on the "
             f"propensity score ({', '.join(MATCH_COVARIATES)}), redone at each horizon on the historical "
             f"individuals with complete follow-up; costs in {cohort.base_year} prices; {n_resamples:,} BCa "
             f"resamples of matched sets; seed {seed}. Robustness: the mean over the exact stratum "
             f"({', '.join(STRATA)}). Savings count only when the total actual cost is below the total expected "
             f"cost. Re-run digit for digit with utfall.reproduce(evaluation.to_json(), cohort).")
    return "\n".join([_heading("Outcome evaluation: actual against expected costs"), textwrap.fill(intro, 100, break_on_hyphens=False), "",
                      table.to_string()])


def settlement_section(cohort: Cohort, evaluation: Any, seed: int, horizon: str = "2y") -> str:
    """The synthetic contract settled at ``horizon``: Norrköping's terms on the demo's evaluation and the
    school outcome of :func:`utfall.synthetic.outcomes`, with the payment over the bootstrap replicates."""
    import utfall

    outcomes = utfall.synthetic.outcomes(cohort, seed=seed)
    school = utfall.change_scores(outcomes, "school_before", "school_after", reason="reason",
                                  pending=["not home long enough"], seed=seed, name="school")
    contract = utfall.Contract.norrkoping(funding=float(evaluation.summary(readable=False).loc[horizon,
                                                                                               "intervention_cost"]))
    s = contract.settle(evaluation, horizon, {"school": school}, funding_date="2016-08-01",
                        payment_date="2020-10-01")
    risk = s.risk
    lines = [_heading(f"Settling the contract at {horizon}"),
             textwrap.fill(f"Norrköping's terms on {contract.funding / MSEK:,.1f} MSEK of funding: 40 % guaranteed, "
                           "60 % of the savings up to break-even, and a return of at most 20 % from 60 % of the "
                           "savings above it if the school outcome improved; at most 1.2 times the funding.", 100),
             "", "School outcome (change scores):", repr(school).splitlines()[1].strip(), "",
             s.summary().to_string(float_format=lambda v: f"{v:,.0f}"), "",
             f"investor: multiple {s.investor['multiple']:.3f}, IRR {100 * s.investor['irr']:.2f} % a year"]
    if risk is not None:
        q = risk.quantiles([0.05, 0.5, 0.95]) / MSEK
        lines += ["", f"payment under uncertainty ({risk.n_replicates:,} bootstrap replicates, drawn jointly with "
                      "the school outcome):",
                  f"  expected payment {risk.expected_payment / MSEK:,.2f} MSEK; median {q.iloc[1]:,.2f}, "
                  f"5-95 %: [{q.iloc[0]:,.2f}, {q.iloc[2]:,.2f}] MSEK",
                  f"  P(investor loses money) = {risk.p_investor_loses:.3f}; P(total > guarantee) = "
                  f"{risk.p_above_guarantee:.3f}; value of the guarantee {risk.value_of_guarantee / MSEK:,.2f} MSEK"]
        lines += [f"  P({name} paid) = {p:.3f}" for name, p in risk.p_tranche.items() if name != "guarantee"]
    return "\n".join(lines)


def run_demo(seed: int = 2016, n_participants: int = 60, n_historical: int = 400) -> str:
    """The demo report as text.

    Examples
    --------
    >>> text = run_demo(seed=1, n_participants=20, n_historical=100)
    >>> "Concentration of care days" in text and "break-even actual cost (MSEK)" in text
    True
    >>> "Settling the contract at 2y" in text and "P(investor loses money)" in text
    True
    """
    cohort = cast(Cohort, register(n_participants, n_historical, seed=seed))
    evaluation = demo_evaluation(cohort, seed)
    sections = [cohort_section(cohort, seed), follow_up_section(cohort), concentration_section(cohort),
                evaluation_section(cohort, seed, evaluation=evaluation), settlement_section(cohort, evaluation, seed)]
    return "\n\n".join(sections)
