"""The report as one self-contained HTML file, laid out by a Jinja2 template.

Jinja2 (the Pallets project's template engine, autoescaping on) keeps the page's
markup in one readable template instead of strings in Python, and escapes every
text that comes from data (ids, covariate names, contract names).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional, Union

import jinja2
import pandas as pd

from ..errors import SpecError
from ..evaluation import Evaluation
from ..privacy import DEFAULT_THRESHOLD
from . import _sections as sections
from ._terms import LANGUAGES, term

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("utfall.report", "templates"),
                          autoescape=jinja2.select_autoescape(["html", "j2"]), trim_blocks=True, lstrip_blocks=True,
                          undefined=jinja2.StrictUndefined)


def render(evaluation: Evaluation, language: str = "sv", *, cohort: Any = None, contract: Any = None,
           validity: Any = None, suppress: Optional[int] = DEFAULT_THRESHOLD) -> str:
    """The report's HTML as a string (see :func:`report`)."""
    if not isinstance(evaluation, Evaluation):
        raise SpecError(f"report: expected a utfall.Evaluation, not {type(evaluation).__name__}")
    if language not in LANGUAGES:
        raise SpecError(f"report: language must be one of {LANGUAGES}, not {language!r}")
    if contract is not None and not (hasattr(contract, "total") and hasattr(contract, "horizon")):
        raise SpecError("report: contract= takes the Settlement (contract.settle(evaluation, horizon, outcomes)), "
                        "which needs the outcome measures; settle first and pass the result")
    lang = language
    base_year = getattr(cohort, "base_year", None)
    parts = [sections.specification(evaluation, lang, base_year),
             sections.cohort_section(evaluation, lang, cohort, suppress),
             sections.matching_section(evaluation, lang, suppress),
             sections.results_section(evaluation, lang, suppress),
             sections.trajectory_section(evaluation, lang),
             sections.concentration_section(evaluation, lang, evaluation.seed, suppress)]
    if contract is not None:
        parts.append(sections.settlement_section(contract, lang))
    if validity is None:  # checks run by Evaluation.validity() are kept on the evaluation
        kept = getattr(evaluation, "checks", None)
        if isinstance(kept, dict) and isinstance(kept.get("table"), dict):
            validity = pd.DataFrame(kept["table"]).set_index("horizon")
    if validity is not None:
        parts.append(sections.validity_section(validity, lang))
    parts.append(sections.audit_section(evaluation, lang))
    return _ENV.get_template("report.html.j2").render(
        lang=lang, version=evaluation.version, title=term("title", lang), subtitle=term("subtitle", lang),
        generated=term("generated", lang, version=evaluation.version, seed=evaluation.seed),
        headline_title=term("headline", lang), headline=sections.headline(evaluation, lang, suppress),
        contents=term("contents", lang), sections=parts)


def report(evaluation: Evaluation, path: Union[str, Path], language: str = "sv", *, cohort: Any = None,
           contract: Any = None, validity: Any = None, suppress: Optional[int] = DEFAULT_THRESHOLD) -> Path:
    """Write the report the contract parties read: one self-contained HTML file.

    Parameters
    ----------
    evaluation : Evaluation
    path : str or Path
        Where to write the ``.html`` file (UTF-8).
    language : {"sv", "en"}
        Swedish or English labels, from one table of terms (:data:`utfall.report.TERMS`).
    cohort : Cohort, optional
        The cohort evaluated: adds its size, end of data and base year to the text.
    contract : Settlement, optional
        A :class:`utfall.contract.Settlement` (``contract.settle(evaluation, ...)``): adds the
        settlement, each tranche and the payment risk.
    validity : object, optional
        Validity checks: the table of ``Evaluation.validity()`` (one row per horizon), another
        DataFrame, or any object with ``summary()`` (and an optional ``verdict`` text). Without
        it, checks that ``Evaluation.validity()`` kept on the evaluation (``evaluation.checks``)
        are shown when there are any.
    suppress : int or None
        Counts of fewer individuals than this (default 5) show as ``<5``; None shows all.

    Returns
    -------
    pathlib.Path
        The file written.

    Notes
    -----
    The sections: what was evaluated and how (the specification in words); the
    cohort and follow-up (participants, complete, included, excluded with
    reasons, the historical pool per horizon); matching and balance (each
    covariate's standardised mean difference before and after, against the bar
    0.1, naming those that miss it, with the love plot); expected against actual
    per horizon with the interval, net savings, break-even, probabilities and
    payback; the trajectory and break-even (and why the longest horizon's curve
    at an earlier month differs from that earlier horizon's result: the matching
    is redone per horizon); concentration of the participants' actual cost; the
    settlement when given; the validity checks when given; and the audit block
    (utfall version, seed, specification and data fingerprints, how to
    :func:`utfall.reproduce`). Plots are inline SVG, the page has no scripts and
    loads nothing, and it prints on A4.

    Examples
    --------
    >>> import tempfile, utfall
    >>> cohort = utfall.synthetic.register(20, 100, seed=1)
    >>> ev = utfall.evaluate(cohort, {"covariates": ["age", "sex"]}, horizons=["2y"], bootstrap=200, seed=1,
    ...                      progress=False)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     out = ev.report(f"{d}/report.html", language="en", cohort=cohort)
    ...     text = out.read_text(encoding="utf-8")
    >>> "Matching and balance" in text and "<svg" in text and "http://" not in text.replace(
    ...     "http://www.w3.org", "")
    True
    """
    out = Path(path)
    out.write_text(render(evaluation, language, cohort=cohort, contract=contract, validity=validity,
                          suppress=suppress), encoding="utf-8")
    return out
