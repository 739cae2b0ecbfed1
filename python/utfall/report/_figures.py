"""Plots as inline SVG: drawn by utfall's own plot methods on a pyplot-free Figure, relabelled per language."""

from __future__ import annotations

import io
import re
from typing import Any, Callable, Dict, Tuple

import matplotlib
from matplotlib.figure import Figure

#: English legend and axis texts of utfall's plots -> Swedish. Texts not listed stay as drawn.
SWEDISH: Dict[str, str] = {
    "expected (cumulative)": "förväntad (kumulativ)",
    "actual (cumulative)": "faktisk (kumulativ)",
    "savings = expected - actual": "besparing = förväntad - faktisk",
    "savings, pointwise interval": "besparing, punktvist intervall",
    "intervention cost": "interventionens kostnad",
    "months since index": "månader sedan indexdatum",
    "running total": "löpande summa",
    "participants, ordered by savings (largest first)": "deltagare, ordnade efter besparing (störst först)",
    "cumulative savings = expected - actual (MSEK)": "kumulativ besparing = förväntad - faktisk (mnkr)",
    "cumulative cost (MSEK)": "kumulativ kostnad (mnkr)",
    "density": "täthet", "bootstrap replicates": "bootstrap-replikat", "replicates": "replikat",
    "total payment (MSEK)": "total betalning (mnkr)",
    "participant saved (expected > actual)": "deltagaren sparade (förväntad > faktisk)",
    "participant cost more (actual > expected)": "deltagaren kostade mer (faktisk > förväntad)",
    "All": "Alla", "Matched": "Matchade", "All (before matching)": "Alla (före matchning)",
    "Matched (after matching)": "Matchade (efter matchning)",
    "Absolute standardized mean difference": "Absolut standardiserad medelvärdesskillnad",
    "equality": "jämlikhet", "confidence band": "konfidensband",
    "population share (ascending)": "andel av populationen (stigande)", "share of total": "andel av totalen",
}
_PAYBACK = re.compile(r"payback, month (\d+)")
_LORENZ = re.compile(r"Lorenz curve \(Gini ([0-9.]+)\)")
_BAR = re.compile(r"bar \|SMD\| = ([0-9.]+)")
_MARK = re.compile(r"(guarantee|funding|observed|expected) ([0-9.,]+)")
_MARKS_SV = {"guarantee": "garanti", "funding": "finansiering", "observed": "utfall", "expected": "förväntad"}
_TOP = re.compile(r"top (\d+)% hold (\d+)% \((\d+)% (\w+) interval: (\d+)%-(\d+)%\)")


def _swedish(text: str) -> str:
    if text in SWEDISH:
        return SWEDISH[text]
    for pattern, form in ((_PAYBACK, "återbetald, månad {}"), (_LORENZ, "Lorenzkurva (Gini {})"),
                          (_BAR, "krav |SMD| = {}")):
        found = pattern.fullmatch(text)
        if found:
            return form.format(found.group(1).replace(".", ","))
    mark = _MARK.fullmatch(text)
    if mark:
        return f"{_MARKS_SV[mark.group(1)]} {mark.group(2).replace('.', ',')} mnkr"
    top = _TOP.fullmatch(text)
    if top:
        p, held, level, method, low, high = top.groups()
        return f"de {p} % största står för {held} % ({level} %-{method}intervall: {low}-{high} %)"
    return text


def translate(ax: Any, language: str) -> None:
    """Relabel ``ax``'s legend, axis labels and annotations into ``language`` (no-op for English)."""
    if language == "en":
        return
    ax.set_xlabel(_swedish(ax.get_xlabel()))
    ax.set_ylabel(_swedish(ax.get_ylabel()))
    legend = ax.get_legend()
    if legend is not None:
        for text in legend.get_texts():
            text.set_text(_swedish(text.get_text()))
    for child in ax.texts:
        child.set_text(_swedish(child.get_text()))


def svg(draw: Callable[[Any], Any], title: str, language: str, size: Tuple[float, float] = (7.0, 3.8),
        key: str = "figure") -> str:
    """Draw with ``draw(ax)`` on a new Figure, title it, and return the ``<svg>`` element.

    Deterministic: no date in the metadata, and ids salted with ``key`` so the
    figures of one page do not share clip-path ids.
    """
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.subplots()
    draw(ax)
    ax.set_title(title)
    translate(ax, language)
    out = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": key, "svg.fonttype": "path"}):
        fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    text = out.getvalue()
    # Keep only the drawing: no XML prolog, and no RDF metadata block (whose namespaces name other sites).
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text[text.index("<svg"):], flags=re.S)
