"""Every result object is pleasant in a notebook.

A concise ``repr`` (a few short lines naming the class), an HTML table from
``_repr_html_`` (what Jupyter shows), and ``summary()`` as a pandas DataFrame
whose column names are readable (words, not identifiers) and carry their unit
where they hold amounts (SEK, days).
"""

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import utfall

MAX_REPR_LINES = 8
MAX_REPR_WIDTH = 200


class Tables(HTMLParser):
    """Counts the tables, header cells and data rows of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.tables, self.headers, self.rows, self.open = 0, [], 0, []

    def handle_starttag(self, tag, attrs):
        if tag in ("table", "tr", "th", "td"):
            self.open.append(tag)
        if tag == "table":
            self.tables += 1
        elif tag == "tr":
            self.rows += 1

    def handle_endtag(self, tag):
        if tag in ("table", "tr", "th", "td"):
            assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1] if self.open else None}>"
            self.open.pop()

    def handle_data(self, data):
        if self.open and self.open[-1] == "th" and data.strip():
            self.headers.append(data.strip())


def check_display(obj, name):
    text = repr(obj)
    lines = text.splitlines()
    assert lines[0].startswith(name), lines[0]
    assert len(lines) <= MAX_REPR_LINES, f"repr has {len(lines)} lines:\n{text}"
    assert max(map(len, lines)) <= MAX_REPR_WIDTH, text
    html = obj._repr_html_()
    parsed = Tables()
    parsed.feed(html)
    parsed.close()
    assert parsed.tables >= 1 and parsed.rows >= 2, html[:500]
    assert not parsed.open, "unclosed table tags"
    return parsed


def check_readable(frame):
    assert isinstance(frame, pd.DataFrame) and len(frame) > 0
    names = [str(c) for level in ([frame.columns] if frame.columns.nlevels == 1 else frame.columns.levels)
             for c in level]
    for c in names:
        assert "_" not in c, f"column {c!r} is an identifier, not a readable name"
    return names


def test_cohort():
    cohort = utfall.synthetic.register(6, 20, seed=3)
    check_display(cohort, "Cohort(")
    names = check_readable(cohort.summary())
    assert "individuals" in names


def test_bootstrap_result():
    r = utfall.bootstrap(np.arange(40.0) ** 1.5, n_resamples=199, seed=1, progress=False, threshold=100.0)
    parsed = check_display(r, "BootstrapResult(")
    assert "confidence level" in parsed.headers
    names = check_readable(r.summary())
    assert {"estimate", "standard error", "lower", "upper", "confidence level"} <= set(names)


@pytest.mark.parametrize("by", [None, np.arange(60) % 3])
def test_concentration(by):
    c = utfall.concentration(np.random.default_rng(2).lognormal(size=60), by=by, n_resamples=199, seed=1,
                             progress=False)
    check_display(c, "Concentration(")
    assert "top 20% share" in repr(c) and "[" in repr(c)
    names = check_readable(c.summary())
    assert "estimate" in names and "percentile 95% low" in names


def test_match_result():
    d = utfall.datasets.lalonde()
    m = utfall.match(d, "treat", ["age", "educ", "race", "re74"], id="id", progress=False)
    check_display(m, "MatchResult(")
    names = check_readable(m.summary())
    assert {"all", "matched", "unmatched", "effective sample size"} <= set(names)
    sets = utfall.match(utfall.synthetic.register(10, 60, seed=1), covariates=["age", "sex"], horizon=["2y", "3y"],
                        progress=False)
    check_display(sets, "MatchSet(")
    check_readable(sets.summary())



@pytest.mark.parametrize("outcome, unit", [("cost", "SEK"), ("care_days", "days")])
def test_evaluation(outcome, unit):
    cohort = utfall.synthetic.register(20, 120, seed=2)
    ev = utfall.evaluate(cohort, {"covariates": ["age", "sex"]}, horizons=["2y", "3y"], outcome=outcome,
                         intervention_cost=5e5 if outcome == "cost" else None,
                         bootstrap={"n_resamples": 199, "method": "percentile"}, seed=1, progress=False)
    parsed = check_display(ev, "Evaluation(")
    assert len(repr(ev).splitlines()) == 3  # a headline and one line per horizon
    summary = ev.summary()
    names = check_readable(summary)
    assert list(summary.index) == ["2y", "3y"]
    shown = "MSEK" if unit == "SEK" and summary["expected total (SEK)"].abs().max() >= 1e6 else unit
    for what in ("expected total", "actual total", "savings total", "savings low", "savings high"):
        assert f"{what} ({unit})" in names  # the frame keeps exact values and units
    for what in ("expected total", "actual total", "savings total", "savings interval"):
        assert f"{what} ({shown})" in parsed.headers  # the notebook display: MSEK, the interval as one column
    assert {"participants", "status", "P(savings > 0)"} <= set(names)
