"""``utfall demo``: a readable tour of the synthetic register, within 100 columns.

:func:`run_demo` builds the register and runs the evaluation of
:func:`utfall.presets.norrkoping` (the design the README's example and notebook 1
run too, so all three print the same savings), and returns a text report made of
sections, one function each:

1. the cohort: who is in it, and how many episodes;
2. follow-up at 2 and 3 years: per group the number of individuals, how many
   have complete follow-up, the mean cost per individual (MSEK, base-year prices)
   and mean care days per care type, over complete follow-ups;
3. concentration: the share of the historical HVB+SiS care days held by the
   20 % and 50 % most care-heavy individuals (the pre-study found 47 % and 83 %);
4. the outcome evaluation at 2 and 3 years, contract style: expected, actual
   (one per horizon: summed over the participants included there, incomplete
   follow-ups over the part observed), savings, interval, break-even,
   probabilities and the number complete;
5. the settlement of the synthetic contract (Norrköping's terms) at 2 years:
   the school outcome's change scores, each tranche, the total, the investor's
   return and the payment under uncertainty over the bootstrap replicates.

Its output is meant to be pasted anywhere, so it is the released form
(``suppress=5``, :mod:`utfall.privacy`): a count of fewer than 5 individuals
shows as ``<5``, one that would give it away as ``..``, and the statistics of
fewer than 5 as ``<5``; ``suppress=None`` (``utfall demo --full``) prints every count.
"""

from __future__ import annotations

import textwrap
from typing import Any, List, Optional, Sequence, cast

import numpy as np
import pandas as pd

from ._numbers import money, number, percent
from .cohort import HISTORICAL, PARTICIPANT, Cohort
from .presets import Preset, norrkoping
from .privacy import marker, SECONDARY, suppress_partition

HORIZONS = ("2y", "3y")
MSEK = 1e6
WIDTH = 100
#: Matching covariates of the demo's evaluation: those of :func:`utfall.presets.norrkoping`.
MATCH_COVARIATES = list(norrkoping().matching["covariates"])
#: Strata of the robustness check (the stratum-mean estimator).
STRATA = ["sex", "diagnosis", "substance_use"]


def _heading(title: str) -> str:
    return f"{title}\n{'=' * len(title)}"


def cohort_section(cohort: Cohort, seed: int) -> str:
    """Who is in the register."""
    lines = [_heading("Cohort"), textwrap.fill(f"synthetic register, seed {seed}: {cohort!r}", WIDTH), "",
             cohort.summary().to_string()]
    return "\n".join(lines)


def _shown(value: int, hidden: bool, threshold: Optional[int]) -> Any:
    if not hidden:
        return value
    return marker(threshold) if threshold is not None and 0 < value < threshold else SECONDARY


def follow_up_table(cohort: Cohort, horizon: str, suppress: Optional[int] = None) -> pd.DataFrame:
    """Per group: n, n complete, mean cost (MSEK) and mean care days per type over complete follow-ups.

    With ``suppress=k``: the complete count shows as ``..`` when the incomplete ones are fewer than
    ``k`` (it would count them), and the means over fewer than ``k`` complete follow-ups as ``<k``."""
    costs = cohort.costs(horizon)
    rows = {}
    for group in (PARTICIPANT, HISTORICAL):
        g = costs[costs["group"] == group]
        done = g[g["complete"]]
        row: dict[str, Any] = {"n": len(g), "complete": len(done), "mean cost (MSEK)": done["cost_total"].mean() / MSEK}
        for care_type in cohort.care_types:
            row[f"days {care_type}"] = done[f"care_days_{care_type}"].mean()
        if suppress is not None:
            hidden = suppress_partition({"complete": len(done), "incomplete": len(g) - len(done)}, suppress,
                                        "follow-up", group)
            row["complete"] = _shown(len(done), "complete" in hidden, suppress)
            if 0 < len(done) < suppress:
                row.update({k: marker(suppress) for k in row if k not in ("n", "complete")})
        rows[group] = row
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("group")


def follow_up_section(cohort: Cohort, horizons: Sequence[str] = HORIZONS, suppress: Optional[int] = None) -> str:
    """Costs and care days at each horizon, participants vs historical."""
    lines = [_heading("Follow-up costs and care days"),
             textwrap.fill(f"Means per individual over complete follow-ups; costs in {cohort.base_year} prices. "
                           "(The evaluation below sums the actual cost over every included participant instead.)",
                           WIDTH)]
    for horizon in horizons:
        table = follow_up_table(cohort, horizon, suppress)
        lines += ["", f"{horizon}:", table.to_string(formatters={
            "n": lambda v: _text(v), "complete": lambda v: _text(v),
            **{c: (lambda v: _text(v, 2)) if c.startswith("mean") else (lambda v: _text(v, 1))
               for c in table.columns if c not in ("n", "complete")}})]
    return "\n".join(lines)


def _text(value: Any, digits: int = 0) -> str:
    return value if isinstance(value, str) else number(value, digits)


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


def _msek(value: Any) -> str:
    return value if isinstance(value, str) else money(value, "MSEK", suffix=False)


def _percent(value: Any) -> str:
    return value if isinstance(value, str) else percent(value, 1)


def demo_evaluation(cohort: Cohort, seed: int, horizons: Sequence[str] = HORIZONS, n_resamples: int = 2000,
                    preset: Optional[Preset] = None) -> Any:
    """The demo's evaluation: :func:`utfall.presets.norrkoping` on ``cohort`` with the evaluation seed ``seed``."""
    design = preset or norrkoping()
    return design.evaluate(cohort, horizons=tuple(horizons), seed=seed,
                           bootstrap=dict(design.bootstrap, n_resamples=n_resamples), progress=False)


def evaluation_section(cohort: Cohort, seed: int, horizons: Sequence[str] = HORIZONS,
                       n_resamples: int = 2000, evaluation: Any = None, suppress: Optional[int] = None) -> str:
    """The contract's outcome 1: actual against expected social-services costs.

    The design of :func:`utfall.presets.norrkoping` (matching redone at each
    horizon on the historical individuals with complete follow-up there, a BCa
    interval from 2,000 resamples of matched sets, 7.5 MSEK of intervention cost
    per 60 participants), and the stratum-mean estimator as a robustness check.
    """
    import utfall

    ev = evaluation if evaluation is not None else demo_evaluation(cohort, seed, horizons, n_resamples)
    horizons = ev.horizons
    s = ev.summary(readable=False)
    cost = float(ev.summary(readable=False)["intervention_cost"].iloc[0])
    strata = utfall.evaluate(cohort, {"estimator": "stratum", "exact": STRATA}, horizons=horizons,
                             intervention_cost=cost, bootstrap=False, seed=seed, progress=False)
    r = strata.summary(readable=False)
    level = int(round(100 * ev.spec["bootstrap"]["confidence_level"]))
    m = ev.spec["matching"]
    if suppress is not None:
        released, _ = ev.released(suppress)
        status = [f"{released.loc[h, 'status']}, {_text(released.loc[h, 'n_complete'])} of "
                  f"{_text(released.loc[h, 'n_participants'])} complete" if released.loc[h, "status"] != "final"
                  else "final" for h in horizons]
        s = released  # the statistics of too few included participants read "<5"
    else:
        status = [str(s.loc[h, "status"]) for h in horizons]
    rows = {
        "status": [t.replace("preliminary, ", "prelim., ") for t in status],
        "expected cost (MSEK)": [_msek(s.loc[h, "expected_total"]) for h in horizons],
        "actual cost (MSEK)": [_msek(s.loc[h, "actual_total"]) for h in horizons],
        "savings = expected - actual (MSEK)": [_msek(s.loc[h, "savings_total"]) for h in horizons],
        f"  {level} % BCa interval (MSEK)": [f"[{_msek(s.loc[h, 'savings_low'])}, {_msek(s.loc[h, 'savings_high'])}]"
                                           for h in horizons],
        "intervention cost (MSEK)": [_msek(s.loc[h, "intervention_cost"]) for h in horizons],
        "net of the intervention (MSEK)": [_msek(s.loc[h, "net_savings"]) for h in horizons],
        "break-even actual cost (MSEK)": [_msek(s.loc[h, "break_even_actual"]) for h in horizons],
        "P(savings > 0)": [_percent(s.loc[h, "p_savings_positive"]) for h in horizons],
        "P(savings > intervention cost)": [_percent(s.loc[h, "p_savings_cover_cost"]) for h in horizons],
        "payback month": [str(ev.payback_month(h) or "not within horizon") for h in horizons],
        "stratum-mean estimator: savings (MSEK)": [_msek(cast(float, r.loc[h, "savings_total"])) for h in horizons],
    }
    table = pd.DataFrame(rows, index=list(horizons)).T
    intro = (f"The design of utfall.presets.norrkoping(): expected costs from the historical comparison group, "
             f"{m.get('ratio', 1)}:1 nearest-neighbour matching{' with replacement' if m.get('replace') else ''} on "
             f"the propensity score ({', '.join(m['covariates'])}), redone at each horizon on the historical "
             f"individuals with complete follow-up; costs in {cohort.base_year} prices; "
             f"{ev.spec['bootstrap']['n_resamples']:,} BCa resamples of matched sets; seed {ev.seed}. "
             f"Expected and actual are summed over the participants included at each horizon (an incomplete "
             f"follow-up over the part observed). Robustness: the mean over the exact stratum "
             f"({', '.join(STRATA)}). Savings count only when the total actual cost is below the total expected "
             f"cost. Share evaluation.to_json(key=...) and re-run it digit for digit with "
             f"utfall.reproduce(record, cohort, key=...).")
    return "\n".join([_heading("Outcome evaluation: actual against expected costs"),
                      textwrap.fill(intro, WIDTH, break_on_hyphens=False), "", table.to_string()])


def _school_line(school: Any, suppress: Optional[int]) -> str:
    """The change scores' line of the repr, with its counts as released."""
    if suppress is None:
        return str(repr(school).splitlines()[1].strip())
    table, _ = school.released(suppress)
    r = table.iloc[0]
    level = f"{100 * school.spec['confidence_level']:g}%"
    low, high = (c for c in table.columns if c.startswith(level))
    net = r["net sum"] if isinstance(r["net sum"], str) else f"{r['net sum']:+g}"
    interval = (f"[{level} {r['interval']}: {_text(r[low], 0)}, {_text(r[high], 0)}]")
    return (f"{table.index[0]}: net sum {net} {interval}; of {_text(r['n'])}: {_text(r['n determined'])} determined "
            f"({_text(r['n negative'])} negative, {_text(r['n neutral'])} neutral, {_text(r['n positive'])} "
            f"positive), {_text(r['n no data'])} no data, {_text(r['n not yet measurable'])} not yet measurable "
            f"({_text(r['n measurable'])} measurable)")


def settlement_section(cohort: Cohort, evaluation: Any, seed: int, horizon: str = "2y",
                       preset: Optional[Preset] = None, suppress: Optional[int] = None) -> str:
    """The synthetic contract settled at ``horizon``: Norrköping's terms on the demo's evaluation and the
    school outcome of :func:`utfall.synthetic.outcomes`, with the payment over the bootstrap replicates
    (:meth:`utfall.presets.Preset.settle`)."""
    design = (preset or norrkoping()).replace(seed=seed)
    s = design.settle(cohort, evaluation, horizon)
    contract, school = s.contract, s.outcomes["school"]
    risk = s.risk
    lines = [_heading(f"Settling the contract at {horizon}"),
             textwrap.fill(f"Norrköping's terms on {contract.funding / MSEK:,.1f} MSEK of funding: 40 % guaranteed, "
                           "60 % of the savings up to break-even, and a return of at most 20 % from 60 % of the "
                           "savings above it if the school outcome improved; at most 1.2 times the funding.", WIDTH),
             "", "School outcome (change scores):",
             textwrap.fill(_school_line(school, suppress), WIDTH, subsequent_indent="  "), "",
             s.summary().to_string(float_format=lambda v: number(v), na_rep=""), "",
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


def run_demo(seed: int = 2016, n_participants: int = 60, n_historical: int = 400, report: Any = None,
             language: str = "sv", suppress: Optional[int] = 5) -> str:
    """The demo report as text; with ``report=`` a path, also the evaluation's HTML report
    (:meth:`utfall.Evaluation.report`, with the settlement) in ``language``. ``suppress``: the
    small-cell threshold of the text and the report (None: every count, for the data holder).

    Examples
    --------
    >>> text = run_demo(seed=1, n_participants=20, n_historical=100)
    >>> "Concentration of care days" in text and "break-even actual cost (MSEK)" in text
    True
    >>> "Settling the contract at 2y" in text and "P(investor loses money)" in text
    True
    """
    design = norrkoping().replace(n_participants=n_participants, n_historical=n_historical, register_seed=seed,
                                  seed=seed)
    cohort = design.cohort()
    evaluation = demo_evaluation(cohort, seed, preset=design)
    sections = [cohort_section(cohort, seed), follow_up_section(cohort, suppress=suppress),
                concentration_section(cohort),
                evaluation_section(cohort, seed, evaluation=evaluation, suppress=suppress),
                settlement_section(cohort, evaluation, seed, preset=design, suppress=suppress)]
    if report is not None:
        evaluation.report(report, language=language, cohort=cohort, contract=design.settle(cohort, evaluation),
                          suppress=suppress)
    return "\n\n".join(sections)
