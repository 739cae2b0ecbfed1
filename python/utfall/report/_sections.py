"""The report's sections as plain data: titles, paragraphs, formatted tables and SVG figures.

Each function takes the evaluation (and what else the section needs) and the
language, and returns a :class:`Section`; the template only lays them out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from .._numbers import is_number, money, number, percent
from ..evaluation import Evaluation
from ..inequality import concentration
from ..privacy import DEFAULT_THRESHOLD, marker, SECONDARY, suppress_counts
from . import _figures
from ._terms import LANGUAGES, VALIDITY_AMOUNTS, VALIDITY_COLUMNS, table_label, term

BAR = 0.1


@dataclass
class Table:
    """A formatted table: every cell already text; ``numeric`` columns are right-aligned."""

    header: List[str]
    rows: List[List[str]]
    numeric: List[bool]
    caption: str = ""


@dataclass
class Section:
    id: str
    title: str
    blocks: List[Dict[str, Any]] = field(default_factory=list)

    def p(self, text: str) -> "Section":
        self.blocks.append({"kind": "p", "text": text})
        return self

    def table(self, table: Table) -> "Section":
        self.blocks.append({"kind": "table", "table": table})
        return self

    def figure(self, svg: str, caption: str) -> "Section":
        self.blocks.append({"kind": "figure", "svg": svg, "caption": caption})
        return self

    def code(self, text: str) -> "Section":
        self.blocks.append({"kind": "code", "text": text})
        return self


def _unit(ev: Evaluation) -> str:
    return "MSEK" if ev.unit == "SEK" else ev.unit


def _amount(ev: Evaluation, value: Any, lang: str) -> str:
    if ev.unit == "SEK":
        return money(value, "MSEK", language=lang, missing=term("not_available", lang))
    return number(value, 0, lang) + f" {term('days', lang)}" if is_number(value) else term("not_available", lang)


def _count(n: Any, lang: str, threshold: Optional[int]) -> str:
    """A count of individuals, shown as the suppression marker when positive and below ``threshold``."""
    n = int(n)
    return marker(threshold) if threshold is not None and 0 < n < threshold else number(n, 0, lang)


def horizon_counts(row: pd.Series, lang: str, threshold: Optional[int]) -> Dict[str, str]:
    """The counts of participants at one horizon as released: small cells suppressed with
    :func:`utfall.privacy.suppress_counts`, secondarily too, so that no suppressed count can be
    recovered from the others (included + excluded + without comparison = participants,
    complete + incomplete = participants)."""
    n = int(row["n_participants"])
    parts = {"included": int(row["n_included"]), "without": int(row["n_without_comparison"])}
    parts["excluded"] = n - parts["included"] - parts["without"]
    complete = {"complete": int(row["n_complete"]), "incomplete": n - int(row["n_complete"])}
    shown: Dict[str, str] = {k: number(v, 0, lang) for k, v in {**parts, **complete, "n": n}.items()}
    if threshold is None:
        return shown
    for cells in (parts, complete):
        released, mask, _ = suppress_counts(pd.DataFrame([cells]), threshold, table="participants")
        for j, key in enumerate(cells):
            if mask[0, j]:  # primary: a small count; secondary: one that would give a small one away
                shown[key] = marker(threshold) if 0 < cells[key] < threshold else SECONDARY
        if isinstance(released.iloc[0]["Total"], str):
            shown["n"] = marker(threshold)
    return shown


def _status(row: pd.Series, lang: str, threshold: Optional[int]) -> str:
    """"final" or "preliminary, k of n complete", with the counts as released."""
    if int(row["n_complete"]) == int(row["n_participants"]):
        return term("final", lang)
    c = horizon_counts(row, lang, threshold)
    return term("status_preliminary", lang, k=c["complete"], n=c["n"])


def specification(ev: Evaluation, lang: str, base_year: Optional[int]) -> Section:
    s = Section("spec", term("sec_spec", lang))
    spec = ev.spec
    if spec["outcome"] == "cost":
        s.p(term("spec_outcome_cost", lang, base=base_year if base_year is not None else "?"))
    else:
        s.p(term("spec_outcome_care_days", lang))
    if spec["care_types"]:
        s.p(term("spec_care_types", lang, types=", ".join(spec["care_types"])))
    s.p(term("spec_windows", lang, horizons=", ".join(ev.horizons)))
    m = spec["matching"]
    if m["estimator"] == "matched":
        cal = m.get("caliper")
        s.p(term("spec_matched", lang, ratio=m.get("ratio", 1),
                 distance=term("propensity", lang) if m.get("distance", "logit") == "logit" else m["distance"],
                 replace=term("with_replacement", lang) if m.get("replace") else "",
                 caliper=term("caliper", lang, c=cal) if cal is not None else "",
                 covariates=", ".join(m.get("covariates", [])), lookback=m.get("lookback") or "-"))
    elif m["estimator"] == "stratum":
        s.p(term("spec_stratum", lang, strata=", ".join(m["exact"])))
    else:
        s.p(term("spec_given", lang))
    s.p(term("spec_savings", lang))
    s.p(term("spec_partial_observed" if spec["partial"] == "observed" else "spec_partial_complete", lang))
    boot = spec["bootstrap"]
    if boot is not None:
        s.p(term("spec_bootstrap", lang, method="BCa" if boot["method"] == "bca" else boot["method"],
                 level=number(100 * boot["confidence_level"], 0, lang), n=number(boot["n_resamples"], 0, lang)))
    cost = spec["intervention_cost"]
    if cost is not None:
        total = cost if isinstance(cost, float) else sum(v for _, v in cost["per_participant"])
        s.p(term("spec_cost", lang, cost=money(total, "MSEK", language=lang)))
    return s


def cohort_section(ev: Evaluation, lang: str, cohort: Any, threshold: Optional[int]) -> Section:
    s = Section("cohort", term("sec_cohort", lang))
    summ = ev.summary(readable=False)
    if cohort is not None:
        n_hist = int((~cohort.participants).sum())
        s.p(term("cohort_intro", lang, p=_count(cohort.participants.sum(), lang, threshold),
                 h=_count(n_hist, lang, threshold),
                 end=str(pd.Timestamp(cohort.individuals["end_of_data"].max()).date())
                 if "end_of_data" in cohort.individuals else "-"))
    header = [term("horizon", lang), term("participants", lang), term("complete", lang), term("included", lang),
              term("reason_incomplete", lang) if ev.spec["partial"] == "complete" else term("excluded", lang),
              term("reason_no_comparison", lang)]
    pools: Dict[str, str] = {}
    for h, m in ev.matches().items():
        c = m.counts
        pools[h] = _count(c.loc["control", "all"] - c.loc["control", "discarded"], lang, threshold)
    notes = getattr(ev, "not_counted", None) or {}
    per_horizon = notes.get("horizons") or {}
    unfilled = {h: len((per_horizon.get(h) or {}).get("ratio_not_filled") or []) for h in ev.horizons}
    if any(unfilled.values()):
        header.append(term("ratio_not_filled", lang))
    if pools:
        header.append(term("pool", lang))
    outside = notes.get("outside_observation") or {}
    if outside:
        s.p(term("outside_observation", lang, e=number(outside.get("episodes", 0), 0, lang),
                 c=number(outside.get("costs", 0), 0, lang)))
    rows = []
    for h in ev.horizons:
        r = summ.loc[h]
        c = horizon_counts(r, lang, threshold)
        row = [h, c["n"], c["complete"], c["included"], c["excluded"], c["without"]]
        if any(unfilled.values()):
            row.append(_count(unfilled[h], lang, threshold))
        if pools:
            row.append(pools.get(h, "-"))
        rows.append(row)
        if r["n_complete"] < r["n_participants"] and ev.spec["partial"] == "observed":
            s.p(term("preliminary_note", lang, k=c["complete"], n=c["n"], h=h))
    s.table(Table(header, rows, [False] + [True] * (len(header) - 1)))
    if threshold is not None:
        s.p(term("suppressed_note", lang, t=threshold, marker=marker(threshold), secondary=SECONDARY))
    return s


def _love(match: Any, ax: Any, released: Optional[int] = None) -> Any:
    return match.plot_balance(ax=ax, threshold=BAR, released=released)


def released_parts(ev: Evaluation, h: str, threshold: Optional[int]) -> pd.DataFrame:
    """The totals by part (:meth:`Evaluation.by_part`) as the shared report shows them.

    A part's actual total counts the included participants with a non-zero actual in
    that part, its expected total those with a non-zero expected (with 1:1 matching,
    the comparison individuals behind it); a total from fewer than ``threshold`` of
    them is hidden with its whole row (the savings would give it back). The rows add
    up to the horizon's shown total, so when a single row is hidden, the row with the
    smallest actual total is hidden too (secondary suppression): what is hidden is only
    ever a sum over two or more parts.
    """
    parts = ev.by_part(h)
    if threshold is None or list(parts.index) == ["total"]:
        return parts
    rows = ev.individuals[(ev.individuals["horizon"] == h) & ev.individuals["included"]]
    small = [any(0 < int((rows[f"{c}_{p}"] != 0).sum()) < threshold for c in ("actual", "expected"))
             for p in parts.index]
    hidden = set(parts.index[small])
    if len(hidden) == 1 and len(parts) > 1:
        rest = parts.drop(index=list(hidden))
        hidden.add(rest["actual"].abs().idxmin())
    out = parts.astype(object)
    out.loc[list(hidden)] = SECONDARY
    for p in parts.index[small]:
        out.loc[p] = marker(threshold)
    return out


def _smd(shown: pd.DataFrame, sample: str, term_: Any, value: float, lang: str) -> str:
    """An SMD of the balance table, or its suppression marker."""
    v = shown.loc[term_, (sample, "Std. Mean Diff.")]
    return v if isinstance(v, str) else number(value, 3, lang)


def matching_section(ev: Evaluation, lang: str, threshold: Optional[int] = None) -> Section:
    s = Section("matching", term("sec_matching", lang))
    matches = ev.matches()
    if not matches:
        return s.p(term("no_matching", lang))
    s.p(term("balance_bar", lang, bar=number(BAR, 1, lang)))
    for h, m in matches.items():
        table = m.balance()
        after = table[("matched", "Std. Mean Diff.")].drop(index="distance", errors="ignore")
        before = table[("all", "Std. Mean Diff.")].drop(index="distance", errors="ignore")
        misses = [str(k) for k, v in after.items() if np.isfinite(v) and abs(v) >= BAR]
        if misses:
            s.p(term("balance_misses", lang, h=h, m=len(misses), k=len(after), names=", ".join(misses)))
        else:
            s.p(term("balance_all_meet", lang, h=h, k=len(after)))
        # A level held by fewer than `threshold` units: its SMD would count them (MatchResult.released).
        shown = m.released(threshold)[0] if threshold is not None else table

        rows = [[str(k), _smd(shown, "all", k, before[k], lang), _smd(shown, "matched", k, after[k], lang),
                 term("yes" if abs(after[k]) < BAR else "no", lang)] for k in after.index]
        s.table(Table([term("covariate", lang), term("smd_before", lang), term("smd_after", lang),
                       term("meets_bar", lang)], rows, [False, True, True, False], caption=h))
        s.figure(_figures.svg(partial(_love, m, released=threshold), term("fig_balance", lang, h=h), lang,
                              size=(7.0, 0.28 * len(table) + 1.4), key=f"balance{h}"), "")
    return s


def results_section(ev: Evaluation, lang: str, threshold: Optional[int]) -> Section:
    s = Section("results", term("sec_results", lang))
    summ = ev.summary(readable=False)
    boot = ev.spec["bootstrap"]
    level = number(100 * boot["confidence_level"], 0, lang) if boot else ""
    method = ("BCa" if boot["method"] == "bca" else boot["method"]) if boot else ""
    unit = _unit(ev)
    rows_spec: List[Tuple[str, Callable[[pd.Series], str]]] = [("status", lambda r: _status(r, lang, threshold)),
                 ("expected", lambda r: _amount(ev, r["expected_total"], lang)),
                 ("actual", lambda r: _amount(ev, r["actual_total"], lang)),
                 ("savings", lambda r: _amount(ev, r["savings_total"], lang))]
    if boot:
        rows_spec.append(("interval", lambda r: term("range", lang, low=_amount(ev, r["savings_low"], lang),
                                                     high=_amount(ev, r["savings_high"], lang))))
    rows_spec += [("intervention_cost", lambda r: _amount(ev, r["intervention_cost"], lang)),
                  ("net_savings", lambda r: _amount(ev, r["net_savings"], lang)),
                  ("break_even", lambda r: _amount(ev, r["break_even_actual"], lang))]
    if boot:
        rows_spec += [("p_positive", lambda r: percent(r["p_savings_positive"], 1, lang)),
                      ("p_cover", lambda r: percent(r["p_savings_cover_cost"], 1, lang))]
    rows_spec.append(("payback", lambda r: term("not_within", lang) if pd.isna(r["payback_month"])
                      else f"{term('month', lang)} {int(r['payback_month'])}"))
    # A horizon with fewer than `threshold` included participants shows none of its statistics.
    few = {h: threshold is not None and 0 < int(summ.loc[h, "n_included"]) < threshold for h in ev.horizons}
    rows = []
    for key, fn in rows_spec:
        label = term(key, lang, level=level, method=method) if key == "interval" else term(key, lang)
        hide = key not in ("status", "intervention_cost")
        rows.append([label] + [marker(threshold) if few[h] and hide else fn(summ.loc[h]) for h in ev.horizons])
    s.table(Table([""] + ev.horizons, rows, [False] + [True] * len(ev.horizons), caption=unit))
    s.p(term("results_note", lang))
    for h in [h for h in ev.horizons if not few[h]]:
        parts = released_parts(ev, h, threshold)
        prow = [[str(k)] + [v[c] if isinstance(v[c], str) else _amount(ev, v[c], lang)
                            for c in ("expected", "actual", "savings")] for k, v in parts.iterrows()]
        s.table(Table([term("part", lang), term("expected", lang), term("actual", lang), term("savings", lang)],
                      prow, [False, True, True, True], caption=term("by_part", lang, h=h)))
    h = ev.horizons[-1]
    # The shared form: one bar per group of `threshold` participants, never one child's savings.
    s.figure(_figures.svg(lambda ax: ev.plot_differences(h, ax=ax, group=threshold),
                          term("fig_differences" if threshold is None else "fig_differences_grouped", lang, h=h,
                               k=threshold), lang, key="differences"), "")
    return s


def trajectory_section(ev: Evaluation, lang: str) -> Section:
    s = Section("trajectory", term("sec_trajectory", lang))
    h = ev.horizons[-1]
    if len(ev.horizons) > 1:
        short = ev.horizons[0]
        months = int(ev.trajectory(short).index.max())
        s.p(term("trajectory_relation", lang, h=h, m=months, short=short))
    month = ev.payback_month(h)
    s.p(term("payback_text", lang, m=month) if month is not None else term("no_payback_text", lang, h=h))
    s.figure(_figures.svg(lambda ax: ev.plot_trajectory(h, ax=ax), term("fig_trajectory", lang, h=h), lang,
                          key="trajectory"), "")
    return s


def concentration_section(ev: Evaluation, lang: str, seed: int, threshold: Optional[int] = None) -> Section:
    s = Section("concentration", term("sec_concentration", lang))
    h = ev.horizons[-1]
    rows = ev.individuals[(ev.individuals["horizon"] == h) & ev.individuals["included"]]
    values = np.clip(rows["actual"].to_numpy(np.float64), 0, None)
    # A top share held by fewer than `threshold` participants is their own cost: not shown.
    if len(values) < 2 or values.sum() <= 0 or (threshold is not None and 0.2 * len(values) < threshold):
        return s
    c = concentration(values, shares=(0.2, 0.5), n_resamples=999, seed=seed, progress=False)
    s.p(term("concentration_intro", lang, h=h, n=len(values)))
    table = []
    low = [col for col in c.measures.columns if col.endswith(" low")][:1]
    for share, held in c.top_shares.items():
        label = f"{term('top_share', lang, p=number(100 * share, 0, lang))}"
        cell = percent(held, 0, lang)
        if low:
            name = [k for k in c.measures.index if k.startswith("top")][list(c.top_shares).index(share)]
            cell += (f" [{percent(c.measures.loc[name, low[0]], 0, lang)}, "
                     f"{percent(c.measures.loc[name, low[0][:-4] + ' high'], 0, lang)}]")
        table.append([label, cell])
    table.append([term("gini", lang), number(c.gini, 3, lang)])
    s.table(Table([term("measure", lang), term("estimate", lang)], table, [False, True]))
    s.figure(_figures.svg(c.plot, term("fig_lorenz", lang, h=h), lang, size=(6.0, 4.6), key="lorenz"), "")
    return s


def _frame_table(frame: pd.DataFrame, lang: str) -> Table:
    """A DataFrame of a hook (settlement, validity) as a formatted table: SEK amounts, shares, text."""
    header = [table_label(str(frame.index.name or ""), lang)] + [table_label(str(c), lang) for c in frame.columns]
    rows = []
    for idx, row in frame.iterrows():
        cells = [table_label(str(idx), lang)]
        for col, v in row.items():
            if isinstance(v, (bool, np.bool_)):
                cells.append(term("yes" if v else "no", lang))
            elif is_number(v):
                x = float(v)
                if "SEK" in str(col) or "SEK" in str(idx):
                    cells.append(number(x, 0, lang))
                elif str(idx).startswith("P(") or str(col).startswith("P("):
                    cells.append(percent(x, 1, lang))
                else:
                    cells.append(number(x, 3 if abs(x) < 10 else 0, lang))
            elif v is None or (isinstance(v, float) and np.isnan(v)):
                cells.append("")
            else:
                cells.append(table_label(str(v), lang))
        rows.append(cells)
    return Table(header, rows, [False] + [True] * len(frame.columns))


def settlement_section(settlement: Any, lang: str) -> Section:
    """The settlement and payment risk of a :class:`utfall.contract.Settlement`, when one is given."""
    s = Section("settlement", term("sec_settlement", lang))
    if settlement is None:
        return s.p(term("settlement_none", lang))
    s.p(term("settlement_intro", lang, name=settlement.contract.name, h=settlement.horizon,
             total=money(settlement.total, "MSEK", language=lang)))
    s.table(_frame_table(settlement.summary(), lang))
    risk = getattr(settlement, "risk", None)
    if risk is not None:
        t = _frame_table(risk.summary(), lang)
        t.caption = term("risk", lang)
        s.table(t)
        if hasattr(settlement, "plot_distribution"):
            s.figure(_figures.svg(lambda ax: settlement.plot_distribution(ax=ax), term("risk", lang), lang,
                                  key="settlement"), "")
    return s


def _validity_table(frame: pd.DataFrame, lang: str) -> Table:
    """The table of ``Evaluation.validity()``: one row per check, one column per horizon, amounts in MSEK."""
    k = LANGUAGES.index(lang)
    rows = []
    for col in frame.columns:
        label = VALIDITY_COLUMNS[col][k] if col in VALIDITY_COLUMNS else str(col)
        cells = []
        for v in frame[col]:
            if col in VALIDITY_AMOUNTS:
                cells.append(money(v, "MSEK", language=lang, missing=""))
            elif col == "p_placebo":
                cells.append(percent(v, 1, lang, missing=""))
            elif is_number(v):
                cells.append(number(v, 2, lang))
            else:
                cells.append("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
        if any(cells):
            rows.append([label] + cells)
    return Table([""] + [str(h) for h in frame.index], rows, [False] + [True] * len(frame.index))


def validity_section(validity: Any, lang: str) -> Section:
    """The validity checks, when run: the table of ``Evaluation.validity()`` (a DataFrame, one row per
    horizon) or any object with ``summary()`` returning one (and an optional ``verdict`` text)."""
    s = Section("validity", term("sec_validity", lang))
    if validity is None:
        return s.p(term("validity_none", lang))
    frame = validity if isinstance(validity, pd.DataFrame) else validity.summary()
    text = getattr(validity, "verdict", None)
    if isinstance(text, str):
        s.p(text)
    if any(c in VALIDITY_COLUMNS for c in frame.columns):
        return s.table(_validity_table(frame, lang))
    return s.table(_frame_table(frame, lang))


def audit_section(ev: Evaluation, lang: str, extra: Sequence[Any] = ()) -> Section:
    s = Section("audit", term("sec_audit", lang))
    spec_hash = hashlib.sha256(json.dumps(ev.spec.to_json_data(), sort_keys=True).encode()).hexdigest()
    rows = [[term("version", lang), ev.version], [term("seed", lang), str(ev.seed)],
            [term("spec_hash", lang), spec_hash]]
    s.table(Table(["", ""], rows, [False, False]))
    s.table(Table([term("table", lang), term("fingerprint", lang)],
                  [[k, v] for k, v in ev.fingerprints.items()], [False, False]))
    s.p(term("reproduce_text", lang))
    s.code("import utfall\n"
           "key = utfall.privacy.new_key()                     # kept by the data holder\n"
           "evaluation.to_json(\"evaluation.json\", key=key)   # the audit record to share\n"
           "record = open(\"evaluation.json\", encoding=\"utf-8\").read()\n"
           "utfall.reproduce(record, cohort, key=key)  # raises ReproductionError naming what differs\n"
           "utfall.reproduce(record)                   # without key and data: what it can check")
    return s


def headline(ev: Evaluation, lang: str, threshold: Optional[int]) -> List[str]:
    """One line per horizon: the savings with its interval, the break-even verdict and the status."""
    summ = ev.summary(readable=False)
    boot = ev.spec["bootstrap"]
    label = (term("interval", lang, level=number(100 * boot["confidence_level"], 0, lang),
                  method="BCa" if boot["method"] == "bca" else boot["method"]) if boot else "")
    lines = []
    for h in ev.horizons:
        r = summ.loc[h]
        interval = (term("range", lang, low=_amount(ev, r["savings_low"], lang),
                         high=_amount(ev, r["savings_high"], lang))
                    if is_number(r["savings_low"]) else term("not_available", lang))
        verdict = ("" if not is_number(r["net_savings"]) else
                   term("break_even_reached" if r["net_savings"] >= 0 else "break_even_missed", lang))
        fields = {"h": h, "savings": _amount(ev, r["savings_total"], lang), "status": _status(r, lang, threshold),
                  "verdict": verdict or term("not_available", lang)}
        lines.append(term("headline_row", lang, label=label, interval=interval, **fields) if boot else
                     term("headline_row_point", lang, **fields))
    return lines


DEFAULT_SUPPRESSION = DEFAULT_THRESHOLD
