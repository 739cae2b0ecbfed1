"""The report's content (both languages, hooks, suppression) and the displays and plots of issue 16:
each plot test checks the artists (legend entries, titles, axis labels, nothing hidden)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pytest

import utfall
from utfall.report import LANGUAGES, TERMS, term

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(scope="module")
def story() -> Any:
    preset = utfall.presets.norrkoping()
    cohort = preset.cohort()
    return preset, cohort, preset.evaluate(cohort, progress=False)


@pytest.fixture(autouse=True)
def _close() -> Any:
    yield
    plt.close("all")


def test_every_term_has_both_languages_and_the_same_fields() -> None:
    for key, texts in TERMS.items():
        assert len(texts) == len(LANGUAGES) and all(t.strip() for t in texts), key
        fields = [sorted(re.findall(r"{(\w*)}", t)) for t in texts]
        assert fields[0] == fields[1], key
    with pytest.raises(utfall.SpecError):
        term("savings", "de")


def test_the_report_in_both_languages(story: Any, tmp_path: Path) -> None:
    preset, cohort, ev = story
    settlement = preset.settle(cohort, ev)
    validity = pd.DataFrame({"check": ["placebo horizon", "pre-period balance"], "passed": [True, False]}).set_index(
        "check")
    texts = {}
    for lang in LANGUAGES:
        out = ev.report(tmp_path / f"r_{lang}.html", language=lang, cohort=cohort, contract=settlement,
                        validity=validity)
        texts[lang] = out.read_text(encoding="utf-8")
    sv, en = texts["sv"], texts["en"]
    for text in (sv, en):
        assert "<script" not in text and "<link" not in text and "src=" not in text
        assert not re.findall(r"https?://(?!www\.w3\.org/)", text), "a reference outside the file"
        assert text.count("<svg") == 6 and "@page { size: A4" in text
        assert "2016" in text and ev.fingerprints["episodes"] in text and "utfall.reproduce" in text
        assert "age, sexF, sexM, diagnosis" in text  # what misses the 0.1 bar at 2y, named
    assert "Matchning och balans" in sv and "förväntad kostnad" in sv and "-3,1\u00a0mnkr" in sv
    assert "Matching and balance" in en and "expected cost" in en and "-3.1\u00a0MSEK" in en
    assert "-24.3\u00a0MSEK to 18.3\u00a0MSEK" in en  # the interval, in the headline and the table
    assert "Validity checks" in en and "Settlement and payment risk" in en and "Norrköping Team Nystart" in en
    assert "the per-horizon results are the ones settled" in en  # trajectory vs horizon results explained
    assert not re.search(r"-0[.,]0*(?![0-9])", en + sv)  # no negative zero


def test_small_counts_are_suppressed_in_the_report(tmp_path: Path) -> None:
    cohort = utfall.synthetic.register(4, 120, seed=3)
    ev = utfall.evaluate(cohort, {"covariates": ["age", "sex"]}, horizons=["2y"], bootstrap=500, seed=3,
                         progress=False)
    text = ev.report(tmp_path / "small.html", language="en", cohort=cohort).read_text(encoding="utf-8")
    cells = re.findall(r'<td class="num">([^<]*)</td>', text[text.index('id="cohort"'):text.index('id="matching"')])
    assert "&lt;5" in cells and "4" not in cells
    assert "4 participants" not in text
    shown = ev.report(tmp_path / "all.html", language="en", cohort=cohort, suppress=None).read_text(encoding="utf-8")
    assert "4 participants" in shown


def test_a_count_that_gives_a_small_one_away_is_suppressed_too(story: Any, tmp_path: Path) -> None:
    _, cohort, ev = story  # 2y: 59 of 60 complete, so 1 incomplete: 59 would give the 1 away
    text = ev.report(tmp_path / "r.html", language="en", cohort=cohort).read_text(encoding="utf-8")
    assert "preliminary, .. of 60 complete" in text and "59 of 60" not in text
    assert "54 of 60" in text  # 6 incomplete at 3y: nothing to protect
    shown = ev.report(tmp_path / "all.html", language="en", cohort=cohort, suppress=None).read_text(encoding="utf-8")
    assert "preliminary, 59 of 60 complete" in shown


def test_report_refuses_bad_arguments(story: Any, tmp_path: Path) -> None:
    preset, cohort, ev = story
    with pytest.raises(utfall.SpecError, match="language"):
        ev.report(tmp_path / "x.html", language="de")
    with pytest.raises(utfall.SpecError, match="Settlement"):
        ev.report(tmp_path / "x.html", contract=utfall.Contract.norrkoping())


def test_summary_displays_readably(story: Any) -> None:
    _, _, ev = story
    s = ev.summary()
    assert isinstance(s, pd.DataFrame) and s.loc["2y", "savings total (SEK)"] == ev.summary(False).loc[
        "2y", "savings_total"]  # the values stay exact
    page = s._repr_html_()
    assert "103.6" in page and "-3.1" in page and "1.014445e+08" not in page and "e+0" not in page
    assert "[-24.3, 18.3] BCa 95%" in page and "savings interval (MSEK)" in page  # the interval is one column
    assert "39.3%" in page and "not within the horizon" in page and "NaN" not in page
    assert re.search(r"-?\d{1,3},\d{3}", page)  # per-participant means in SEK with separators
    assert type(s.T) is pd.DataFrame  # operations give plain frames
    assert "103.6" in ev._repr_html_()


def test_demo_fits_100_columns_and_states_one_actual_per_horizon() -> None:
    from utfall.demo import run_demo

    text = run_demo()
    assert max(len(line) for line in text.splitlines()) <= 100
    assert not re.search(r"(?<![\d.])-0\.0+(?!\d*[1-9])\b", text)
    assert sum(line.startswith("actual cost (MSEK)") for line in text.splitlines()) == 1
    assert "total cost (MSEK)" not in text
    assert "summed over the participants included at each horizon" in text.replace("\n", " ")


def legend_texts(ax: Any) -> list:
    legend = ax.get_legend()
    assert legend is not None, "no legend"
    return [t.get_text() for t in legend.get_texts()]


def test_waterfall_has_a_legend_for_its_colours_a_unit_axis_and_no_clipped_bars(story: Any) -> None:
    _, _, ev = story
    ax = ev.plot_differences("2y")
    assert legend_texts(ax) == ["participant saved (expected > actual)", "participant cost more (actual > expected)",
                                "running total"]
    assert ax.get_ylabel() == "cumulative savings = expected - actual (MSEK)" and ax.get_title()
    low, high = ax.get_ylim()
    for bar in ax.patches:
        y0, y1 = sorted((bar.get_y(), bar.get_y() + bar.get_height()))
        assert low < y0 and y1 < high, "a bar is clipped"
    assert {tuple(np.round(b.get_facecolor(), 3)) for b in ax.patches} == {
        tuple(np.round(matplotlib.colors.to_rgba(c), 3)) for c in ("tab:green", "tab:red")}


def test_plot_distance_hides_nothing_and_keeps_its_legend_off_the_bars(story: Any) -> None:
    _, cohort, ev = story
    m = ev.matches()["2y"]
    ax = m.plot_distance()
    assert legend_texts(ax) == ["treated, all", "control, all", "treated, matched", "control, matched"]
    assert "propensity score" in ax.get_title() and ax.get_xlabel() == "propensity score"
    patches = ax.patches
    filled = [p for p in patches if p.get_fill()]
    outlines = [p for p in patches if not p.get_fill()]
    assert len(filled) == 2 and all(p.get_alpha() < 1 for p in filled)  # "all" shows through "matched"
    assert outlines[0].get_linestyle() != outlines[1].get_linestyle() or len(outlines) == 2
    ax.figure.canvas.draw()
    box = ax.get_legend().get_window_extent()
    assert box.x0 >= ax.get_window_extent().x1  # beside the axes, not over the bars


def test_plot_balance_and_distance_have_titles(story: Any) -> None:
    _, _, ev = story
    ax = ev.matches()["2y"].plot_balance()
    assert ax.get_title() == "Balance: absolute standardized mean differences"
    assert legend_texts(ax) == ["All (before matching)", "Matched (after matching)", "bar |SMD| = 0.1"]
    assert ax.get_xlabel() == "Absolute standardized mean difference"


def test_bootstrap_plot_on_kronor_and_its_threshold(story: Any) -> None:
    _, _, ev = story
    boot = ev.savings_bootstrap("2y")
    ax = boot.plot(threshold=7.5e6)
    ax.figure.canvas.draw()
    assert ax.xaxis.get_offset_text().get_text() == ""  # no "1e7" factor
    texts = legend_texts(ax)
    assert texts[1] == "estimate -3.12 MSEK"
    assert any(t.startswith("threshold 7.50 MSEK (P(above) = ") for t in texts)
    assert "95% bca interval" in texts and ax.get_xlabel() == "total savings, 2y (MSEK)"
    x = [line.get_xdata()[0] for line in ax.get_lines()]
    assert 7.5 in x and -3.12 < min(x) + 100  # drawn in MSEK
    assert ax.get_title().startswith("Bootstrap distribution (2,000 resamples)")
    given = utfall.bootstrap(np.arange(10.0), "mean", threshold=4.0, n_resamples=200, seed=1,
                             keep_distribution=True, progress=False).plot()
    assert any(t.startswith("threshold 4") for t in legend_texts(given))  # the threshold= it was given


def test_lorenz_plot_names_the_interval_not_a_percentile() -> None:
    c = utfall.concentration(np.arange(1.0, 101.0), n_resamples=200, seed=1, progress=False)
    ax = c.plot()
    notes = [t.get_text() for t in ax.texts]
    assert notes and all("95% percentile interval" in t for t in notes)
    assert not any("percentile 95%" in t for t in notes) and ax.get_title()


def test_trajectory_axis_has_its_unit(story: Any) -> None:
    _, _, ev = story
    ax = ev.plot_trajectory("3y")
    assert ax.get_ylabel() == "cumulative cost (MSEK)" and ax.get_title() and len(legend_texts(ax)) >= 4


def test_the_validity_table_renders_one_row_per_check(story: Any, tmp_path: Path) -> None:
    # The shape of Evaluation.validity() (being built on the validity branch): one row per horizon.
    _, cohort, ev = story
    s = ev.summary(readable=False)
    table = pd.DataFrame({"savings_total": s["savings_total"], "savings_low": s["savings_low"],
                          "savings_high": s["savings_high"], "drift_total": [1.25e6, -2.5e6],
                          "p_placebo": [0.412, 0.05], "gamma_savings": [1.4, np.nan], "e_value": [1.31, 2.2],
                          "notes": ["", "no pre-period check"]}, index=pd.Index(ev.horizons, name="horizon"))
    text = ev.report(tmp_path / "v.html", language="en", cohort=cohort, validity=table).read_text(encoding="utf-8")
    part = text[text.index('id="validity"'):text.index('id="audit"')]
    assert "placebo in time: drift" in part and "1.2\u00a0MSEK" in part and "-2.5\u00a0MSEK" in part
    assert "41.2%" in part and "E-value" in part and "no pre-period check" in part
    ev.checks = {"table": table.reset_index().to_dict("list")}  # what Evaluation.validity() keeps
    try:
        kept = ev.report(tmp_path / "k.html", language="sv", cohort=cohort).read_text(encoding="utf-8")
    finally:
        del ev.checks
    assert 'id="validity"' in kept and "placebo i tid: drift" in kept


def test_each_trajectory_ends_at_its_own_horizon_and_differs_from_a_shorter_one(story: Any) -> None:
    _, _, ev = story
    s = ev.summary(readable=False)
    for h in ev.horizons:
        assert ev.trajectory(h)["savings"].iloc[-1] == pytest.approx(s.loc[h, "savings_total"], rel=1e-12)
    at_24 = ev.trajectory("3y").loc[24, "savings"]
    assert round(at_24 / 1e6, 1) == -17.9 and round(s.loc["2y", "savings_total"] / 1e6, 1) == -3.1


def test_totals_by_part_hide_a_part_of_few_contributors_and_one_more_beside_it() -> None:
    from utfall.privacy import SECONDARY, marker
    from utfall.report._sections import released_parts

    cohort = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    ev = utfall.evaluate(cohort, matching={"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"},
                         horizons=("2y",), bootstrap=False, seed=1, progress=False)
    rows = ev.individuals[(ev.individuals["horizon"] == "2y") & ev.individuals["included"]]
    parts = ev.by_part("2y")
    contributors = {p: min((rows[f"{c}_{p}"] != 0).sum() for c in ("actual", "expected")) for p in parts.index}
    threshold = sorted(contributors.values())[0] + 1  # exactly the rarest part falls below it
    rare = min(contributors, key=contributors.get)
    shown = released_parts(ev, "2y", threshold)
    assert (shown.loc[rare] == marker(threshold)).all()
    # The rows add up to the shown horizon total: a second row is hidden, the smallest of the rest.
    second = parts.drop(index=rare)["actual"].abs().idxmin()
    assert (shown.loc[second] == SECONDARY).all()
    others = shown.drop(index=[rare, second])
    assert not others.map(lambda v: isinstance(v, str)).any().any()
    pd.testing.assert_frame_equal(others.astype(float), parts.drop(index=[rare, second]))
    assert released_parts(ev, "2y", None).equals(parts)  # the data holder's full form


def test_the_shared_love_plot_leaves_out_levels_of_few_units(story: Any) -> None:
    _, _, ev = story
    m = next(iter(ev.matches().values()))
    table = m.balance()
    shown = m.released(10_000)[0]  # a threshold above every level: every level-row is suppressed
    hidden = [k for k in table.index if isinstance(shown.loc[k, ("matched", "Std. Mean Diff.")], str)]
    assert hidden
    ax = m.plot_balance(released=10_000)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not set(hidden) & set(labels) and "not shown" in ax.get_title()
    full = m.plot_balance()
    assert len(full.get_yticklabels()) == len(table)
