"""Every plot returns its matplotlib Axes with the expected elements, and saves as a PNG.

The six plots of the notebook issue: the love plot and the propensity-score
distributions (matching), the Lorenz curve with its band and annotated top
shares (concentration), the cumulative expected vs actual cost with the band
and the break-even (payback) month, and the per-participant waterfall
(evaluation), and the bootstrap distribution with its intervals. Each test
checks what is drawn against the numbers of the result, not only that
something was drawn.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

import utfall  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def saved_png(ax, tmp_path, name):
    """Saves the Axes' figure and checks the file is a non-trivial PNG."""
    path = tmp_path / f"{name}.png"
    ax.figure.savefig(path, dpi=60)
    data = path.read_bytes()
    plt.close(ax.figure)
    assert data[:8] == PNG_MAGIC
    assert len(data) > 2_000, f"{name}.png is only {len(data)} bytes"
    return path


def legend_texts(ax):
    legend = ax.get_legend()
    assert legend is not None, "the plot has no legend"
    return [t.get_text() for t in legend.get_texts()]


def line_labelled(ax, start):
    found = [line for line in ax.get_lines() if line.get_label().startswith(start)]
    assert found, f"no line labelled {start!r}; lines: {[line.get_label() for line in ax.get_lines()]}"
    return found[0]


def vertical_lines_at(ax):
    """x positions of the axvlines (lines whose two x values are equal and span the axes)."""
    xs = []
    for line in ax.get_lines():
        x = np.asarray(line.get_xdata(), dtype=float)
        if len(x) == 2 and x[0] == x[1]:
            xs.append(float(x[0]))
    return xs


# ------------------------------------------------------------------ bootstrap distribution
@pytest.mark.parametrize("keep", [True, False])
def test_bootstrap_distribution_shows_the_estimate_and_every_interval(tmp_path, keep):
    x = np.random.default_rng(3).lognormal(size=120)
    r = utfall.bootstrap(x, "mean", n_resamples=999, seed=5, methods=("percentile", "bca"),
                         keep_distribution=keep, progress=False)
    ax = r.plot()
    assert isinstance(ax, Axes)
    assert ax.patches, "no histogram drawn"
    xs = vertical_lines_at(ax)
    assert r.estimate in xs
    for method in ("percentile", "bca"):
        low, high = r.interval(method)
        assert low in xs and high in xs, f"{method} interval not drawn"
    assert any(t.startswith("estimate") for t in legend_texts(ax))
    assert {"95% percentile interval", "95% bca interval"} <= set(legend_texts(ax))
    assert ax.get_xlabel() == "mean" and ax.get_ylabel() == "replicates"
    assert "999 resamples" in ax.get_title()
    saved_png(ax, tmp_path, "bootstrap")


def test_bootstrap_plot_draws_on_a_given_axes(tmp_path):
    r = utfall.bootstrap(np.arange(30.0), n_resamples=199, seed=1, methods="percentile", progress=False)
    _, given = plt.subplots()
    assert r.plot(ax=given, methods=["percentile"]) is given
    saved_png(given, tmp_path, "bootstrap_given")


# ------------------------------------------------------------------ Lorenz curve
def test_lorenz_curve_has_its_band_and_annotated_top_shares(tmp_path):
    values = np.random.default_rng(7).lognormal(3, 1.2, size=150)
    c = utfall.concentration(values, shares=(0.2, 0.5), n_resamples=299, seed=2, progress=False)
    ax = c.plot()
    assert isinstance(ax, Axes)
    curve = line_labelled(ax, "Lorenz curve")
    np.testing.assert_allclose(curve.get_ydata(), c.lorenz["share of total"])
    np.testing.assert_allclose(line_labelled(ax, "equality").get_ydata(), [0, 1])
    bands = [p for p in ax.collections if isinstance(p, PolyCollection)]
    assert len(bands) == 1, "expected one confidence band"
    band = bands[0].get_paths()[0].vertices
    assert band[:, 1].min() >= 0 and band[:, 1].max() <= 1
    # The band contains the curve.
    inside = ((c.lorenz["low"] <= c.lorenz["share of total"] + 1e-12)
              & (c.lorenz["share of total"] <= c.lorenz["high"] + 1e-12))
    assert inside.all()
    notes = [t.get_text() for t in ax.texts]
    for p, held in c.top_shares.items():
        assert any(n.startswith(f"top {100 * p:g}% hold {held:.0%}") and "95%" in n for n in notes), notes
    assert any("Gini" in t for t in legend_texts(ax)) and "confidence band" in legend_texts(ax)
    assert ax.get_xlabel() and ax.get_ylabel()
    saved_png(ax, tmp_path, "lorenz")


def test_lorenz_curve_without_resamples_has_no_band(tmp_path):
    c = utfall.concentration([1, 2, 3, 10, 40], n_resamples=0)
    ax = c.plot()
    assert not [p for p in ax.collections if isinstance(p, PolyCollection)]
    assert len(ax.texts) == 2
    saved_png(ax, tmp_path, "lorenz_no_band")



# ------------------------------------------------------------------ matching: love plot, score distributions
def small_matching():
    rng = np.random.default_rng(11)
    n = 240
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    group = rng.choice(["a", "b", "c"], size=n)
    treat = rng.random(n) < 1 / (1 + np.exp(-(-1.2 + 0.9 * x1 - 0.5 * x2)))
    import pandas as pd

    frame = pd.DataFrame({"id": np.arange(n), "treat": treat.astype(int), "x1": x1, "x2": x2, "group": group})
    return utfall.match(frame, "treat", ["x1", "x2", "group"], id="id", progress=False)


def test_love_plot_marks_every_term_before_and_after_matching(tmp_path):
    m = small_matching()
    balance = m.balance()
    ax = m.plot_balance(threshold=0.1)
    assert isinstance(ax, Axes)
    dots = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(dots) == 2, "one set of markers before and one after matching"
    for dots_, sample in zip(dots, ("all", "matched")):
        offsets = dots_.get_offsets()
        assert len(offsets) == len(balance)
        np.testing.assert_allclose(np.sort(offsets[:, 0]), np.sort(balance[(sample, "Std. Mean Diff.")].abs()))
    assert [t.get_text() for t in ax.get_yticklabels()] == list(balance.index)
    assert 0.1 in vertical_lines_at(ax)
    assert legend_texts(ax) == ["All (before matching)", "Matched (after matching)", "bar |SMD| = 0.1"]
    assert "standardized mean difference" in ax.get_xlabel().lower()
    saved_png(ax, tmp_path, "love")


def test_score_distributions_before_and_after_matching(tmp_path):
    m = small_matching()
    ax = m.plot_distance()
    assert isinstance(ax, Axes)
    assert legend_texts(ax) == ["treated, all", "control, all", "treated, matched", "control, matched"]
    assert len(ax.patches) == 4, "four histograms: filled before matching, outlines after"
    scores = m.distance.to_numpy()
    for patch in ax.patches:
        xs = patch.get_path().vertices[:, 0]
        assert xs.min() == pytest.approx(scores.min()) and xs.max() == pytest.approx(scores.max())
    assert ax.get_xlabel() == "propensity score" and ax.get_ylabel() == "density"
    saved_png(ax, tmp_path, "distance")


# ------------------------------------------------------------------ evaluation: cumulative curves, waterfall
@pytest.fixture(scope="module")
def evaluation():
    cohort = utfall.synthetic.register(30, 200, seed=4)
    return utfall.evaluate(cohort, {"covariates": ["age", "sex", "prior_care_days_total"], "ratio": 2, "replace": True},
                           horizons=["2y"], intervention_cost=1e6, bootstrap=199, seed=1, progress=False)


def test_cumulative_costs_have_the_band_and_the_intervention_cost(tmp_path, evaluation):
    t = evaluation.trajectory("2y")
    ax = evaluation.plot_trajectory("2y")
    assert isinstance(ax, Axes)
    np.testing.assert_allclose(line_labelled(ax, "expected").get_ydata(), t["expected"] / 1e6)
    np.testing.assert_allclose(line_labelled(ax, "actual").get_ydata(), t["actual"] / 1e6)
    np.testing.assert_allclose(line_labelled(ax, "savings").get_ydata(), t["savings"] / 1e6)
    np.testing.assert_allclose(line_labelled(ax, "actual").get_xdata(), np.arange(1, 25))
    bands = [p for p in ax.collections if isinstance(p, PolyCollection)]
    assert len(bands) == 1
    band_y = bands[0].get_paths()[0].vertices[:, 1]
    assert band_y.min() == pytest.approx(t["savings_low"].min() / 1e6)
    assert band_y.max() == pytest.approx(t["savings_high"].max() / 1e6)
    cost = line_labelled(ax, "intervention cost")
    np.testing.assert_allclose(cost.get_ydata(), [1.0, 1.0])
    assert {"expected (cumulative)", "actual (cumulative)", "savings, pointwise interval",
            "intervention cost"} <= set(legend_texts(ax))
    assert ax.get_xlabel() == "months since index" and ax.get_ylabel() == "cumulative cost (MSEK)"
    assert "2y" in ax.get_title()
    saved_png(ax, tmp_path, "trajectory")


def test_the_break_even_month_is_marked():
    cohort = utfall.synthetic.register(30, 200, seed=7)  # participants who cost less than expected
    # An intervention cost below the savings of some month: the curve crosses it.
    ev0 = utfall.evaluate(cohort, {"estimator": "stratum", "exact": ["sex"]}, horizons=["2y"], bootstrap=False, seed=1)
    savings = ev0.trajectory("2y")["savings"]
    cost = float(savings.max()) / 2
    assert cost > 0, "this register should show savings in some month"
    ev = utfall.evaluate(cohort, {"estimator": "stratum", "exact": ["sex"]}, horizons=["2y"], bootstrap=False,
                         intervention_cost=cost, seed=1)
    month = ev.payback_month("2y")
    assert month is not None and savings.loc[month] >= cost
    ax = ev.plot_trajectory("2y")
    marker = line_labelled(ax, "payback")
    assert list(marker.get_xdata()) == [month]
    assert f"month {month}" in marker.get_label()
    plt.close(ax.figure)


def test_waterfall_sorts_participants_and_ends_at_the_total(tmp_path, evaluation):
    rows = evaluation.individuals[evaluation.individuals["included"]]
    ax = evaluation.plot_differences("2y")
    assert isinstance(ax, Axes)
    bars = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(bars) == len(rows)
    heights = np.array([b.get_height() for b in bars])
    np.testing.assert_allclose(heights, np.sort(rows["savings"].to_numpy())[::-1] / 1e6)
    running = line_labelled(ax, "running total")
    assert running.get_ydata()[-1] == pytest.approx(rows["savings"].sum() / 1e6)
    assert ax.get_ylabel() == "cumulative savings = expected - actual (MSEK)" and ax.get_xlabel()
    saved_png(ax, tmp_path, "waterfall")
