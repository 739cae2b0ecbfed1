"""The notebook display of :meth:`Evaluation.summary`: money in MSEK or SEK with separators,
probabilities as percentages, the interval as one column, text where a value is not a number."""

from __future__ import annotations

from typing import Any, Callable, Dict

import pandas as pd

from .._numbers import is_number, money, money_unit, number, percent

MONEY = ("expected_total", "actual_total", "savings_total", "expected_mean", "actual_mean", "savings_mean",
         "intervention_cost", "net_savings", "break_even_actual")
COUNTS = ("n_participants", "n_complete", "n_included", "n_without_comparison")
PROBABILITIES = ("p_savings_positive", "p_savings_cover_cost")


class SummaryFrame(pd.DataFrame):
    """A DataFrame (``Evaluation.summary()``) that shows itself readably in a notebook.

    The values are the exact numbers; only ``_repr_html_`` formats them: money in
    MSEK (totals of a million or more) or SEK with thousands separators, the
    probabilities as percentages, the interval bounds as one ``[low, high]`` column,
    the payback month as text ("not within the horizon") when there is none.
    Operations on it give plain DataFrames.
    """

    _metadata = ["_utfall_unit", "_utfall_columns"]
    _utfall_unit: str
    _utfall_columns: Dict[str, str]

    @property
    def _constructor(self) -> Callable[..., pd.DataFrame]:
        return pd.DataFrame

    def _repr_html_(self) -> str:
        return display_frame(self, getattr(self, "_utfall_unit", "SEK"), getattr(self, "_utfall_columns", {})
                             ).to_html(escape=True)


def display_frame(frame: pd.DataFrame, unit: str, names: Dict[str, str]) -> pd.DataFrame:
    """The summary as text cells: one row per horizon, readable column names (``names`` machine -> shown)."""
    raw = frame.rename(columns={v: k for k, v in names.items()})
    money_cols = [c for c in MONEY if c in raw.columns]
    shown = money_unit(raw[money_cols].to_numpy().ravel()) if unit == "SEK" and money_cols else unit
    out: Dict[str, Any] = {}

    def amount(v: Any) -> str:
        if unit == "SEK":
            return money(v, shown, suffix=False)
        return number(v, 1) if is_number(v) else "n/a"

    for c in raw.columns:
        label = names.get(c, c).replace(f"({unit})", f"({shown})")
        if c in ("savings_low", "savings_high"):
            continue
        if c in money_cols and c.endswith("_mean") and unit == "SEK":  # per participant: SEK, not 0.1 MSEK
            out[names.get(c, c)] = [money(v, "SEK", suffix=False) for v in raw[c]]
        elif c in money_cols:
            out[label] = [amount(v) for v in raw[c]]
        elif c in COUNTS:
            out[label] = [number(v) if is_number(v) else "" for v in raw[c]]
        elif c in PROBABILITIES:
            out[label] = [percent(v, 1) for v in raw[c]]
        elif c == "payback_month":
            out[label] = [f"month {int(v)}" if is_number(v) else "not within the horizon" for v in raw[c]]
        elif c == "interval" and "savings_low" in raw.columns:
            out[f"savings interval ({shown})"] = [
                f"[{amount(lo)}, {amount(hi)}] {kind}" if is_number(lo) else "none"
                for lo, hi, kind in zip(raw["savings_low"], raw["savings_high"], raw[c])]
        else:
            out[label] = ["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in raw[c]]
    return pd.DataFrame(out, index=frame.index)


def summary_frame(frame: pd.DataFrame, unit: str, names: Dict[str, str]) -> SummaryFrame:
    """Wrap the readable summary so that its notebook display is formatted."""
    out = SummaryFrame(frame)
    out._utfall_unit = unit
    out._utfall_columns = names
    return out
