"""Core safety (issue 9): no panic, no abort, no silent non-finite number.

One test per class: allocation limits, non-finite replicates, subnormal and huge
values in concentration, non-finite inputs named by table/column/row, Ctrl-C in
one long core call, the polars extra.
"""

import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import utfall
from utfall import DataError, SpecError
from utfall import BootstrapWarning

from test_cohort import episodes, people, tariffs

# Ctrl-C is honoured in about a tenth of a second on a quiet machine; the work interrupted
# takes tens of seconds. The bound tells the two apart without failing on a loaded machine.
STOP_BOUND = 10.0


# ------------------------------------------------------------------ allocation limits
@pytest.mark.parametrize("call, name", [
    (lambda: utfall.bootstrap([1.0, 2.0, 3.0], n_resamples=10**12, progress=False), "n_resamples"),
    (lambda: utfall.bootstrap([1.0, 2.0, 3.0], n_resamples=99, batch_size=2**62, progress=False), "batch_size"),
    (lambda: utfall.bootstrap([1.0, 2.0, 3.0], n_resamples=99, n_threads=10_000, progress=False), "n_threads"),
    (lambda: utfall.concentration([1.0, 2.0, 3.0], n_resamples=10**9, progress=False), "n_resamples"),
    (lambda: utfall.concentration([1.0, 2.0, 3.0], lorenz_points=10**10, n_resamples=0), "lorenz_points"),
    (lambda: utfall.synthetic.register(n_participants=10**12), "n_participants"),
    (lambda: utfall.synthetic.register(60, 400, seed=1).trajectories(10**9), "months"),
])
def test_a_size_above_its_limit_is_a_spec_error_naming_it_and_the_limit(call, name):
    with pytest.raises(SpecError, match=name) as info:
        call()
    assert "limit" in str(info.value)


@pytest.mark.parametrize("ratio", [2**40, 2**62])
def test_a_huge_matching_ratio_is_refused_before_allocating(ratio):
    frame = pd.DataFrame({"t": [1, 0, 0, 1, 0, 0], "x": [0.1, 0.5, 0.2, 0.9, 0.4, 0.3]})
    with pytest.raises(SpecError, match=r"ratio = \d+ is above the limit of 1000"):
        utfall.match(frame, "t", ["x"], ratio=ratio, progress=False)


def test_thread_pools_are_reused_and_give_the_same_result():
    x = np.random.default_rng(3).lognormal(size=500)
    a = utfall.bootstrap(x, n_resamples=200, seed=4, n_threads=2, progress=False, methods=("percentile",))
    b = utfall.bootstrap(x, n_resamples=200, seed=4, n_threads=1, progress=False, methods=("percentile",))
    began = time.perf_counter()
    for _ in range(20):
        utfall.bootstrap(x[:20], n_resamples=20, seed=4, n_threads=utfall._core.MAX_THREADS, progress=False,
                         methods=("percentile",))
    assert time.perf_counter() - began < 30  # (not a timing test: 20 new pools of MAX_THREADS would also pass)
    pd.testing.assert_frame_equal(a.intervals, b.intervals)


# ------------------------------------------------------------------ non-finite replicates
def _warned(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    return result, [str(w.message) for w in caught if issubclass(w.category, BootstrapWarning)]


def test_a_ratio_with_zero_denominators_leaves_those_replicates_out_and_counts_them():
    r, messages = _warned(lambda: utfall.bootstrap((np.array([1.0, 2, 3]), np.array([0.0, 0, 1])), "ratio of sums",
                                                   n_resamples=200, seed=1, progress=False, keep_distribution=True))
    bad = int((~np.isfinite(r.distribution)).sum())
    assert bad > 0
    assert any(m.startswith(f"{bad} of 200 replicates were not finite") for m in messages), messages
    percentile = r.intervals.set_index("method").loc["percentile"]
    assert np.isfinite(percentile["low"]) and np.isfinite(percentile["high"])


@pytest.mark.parametrize("data, statistic", [
    ([1.0, 2.0, 3.0], lambda x: float("nan")),
    ([1e308, 1e308, 1e308, 1e308], "sum"),
    ((np.array([1.0, 2.0]), np.array([0.0, 0.0])), "ratio of sums"),
])
def test_no_finite_replicate_gives_nan_intervals_with_a_warning_not_a_panic(data, statistic):
    r, messages = _warned(lambda: utfall.bootstrap(data, statistic, n_resamples=50, seed=1, progress=False))
    assert r.intervals[["low", "high"]].isna().all().all()
    assert any("not finite" in m for m in messages)
    assert any("only 0 of 50 replicates are finite" in m for m in messages)


def test_all_zero_concentration_resamples_are_undefined_not_zero():
    # One positive value in 10: about a third of the resamples hold no positive value.
    x = np.array([0.0] * 9 + [5.0])
    c, messages = _warned(lambda: utfall.concentration(x, shares=[0.2], n_resamples=200, seed=2, progress=False,
                                                       methods=("percentile",)))
    top = c.measures.loc["top 20% share"]
    # A defined replicate holds the positive value in its top 20%: a share of 1 (2/3 or
    # 1/2 when it was drawn 3 or 4 times), never 0; the all-zero ones are left out.
    assert top["percentile 95% low"] >= 0.5 and top["percentile 95% high"] == pytest.approx(1.0)
    counted = [m for m in messages if "of 200 replicates were not finite" in m]
    assert counted and 40 <= int(counted[0].split()[0]) <= 100, messages  # (9/10)^10 = 35% of 200


# ------------------------------------------------------------------ subnormal and huge values
@pytest.mark.parametrize("scale", [5e-324, 1e-310, 1.0, 1e300])
def test_concentration_does_not_depend_on_the_scale(scale):
    values = np.array([0.0, 1.0]) * scale
    c = utfall.concentration(values, shares=[0.2, 0.5], n_resamples=0)
    assert c.top_shares[0.2] == pytest.approx(0.4)
    assert c.top_shares[0.5] == pytest.approx(1.0)
    m = c.measures["estimate"]
    assert m["herfindahl"] == pytest.approx(1.0) and m["theil T"] == pytest.approx(np.log(2))
    lz = utfall.concentration([0.0, 5e-324], n_resamples=0, lorenz_points=11).lorenz["share of total"].to_numpy()
    assert lz[-3] == pytest.approx(0.6) and np.all(np.diff(lz) >= 0)


def test_huge_values_sum_without_overflow_in_concentration():
    c = utfall.concentration([1e308, 1e308, 0.0, 5e307], n_resamples=50, seed=1, progress=False)
    assert c.gini == pytest.approx(0.35)
    curve = utfall.lorenz_curve([1e308, 1e308])
    assert curve["share of total"].tolist() == [0.0, 0.5, 1.0]


# ------------------------------------------------------------------ non-finite inputs, one message
def test_a_tariff_that_makes_costs_overflow_names_the_tariff_row():
    t = tariffs()
    t.loc[3, "daily_cost"] = 1e308
    with pytest.raises(DataError, match="not a finite number") as info:
        utfall.Cohort.from_frames(people(), episodes(), tariffs=t, data_end="2020-12-31")
    e = info.value
    assert (e.table, e.row) == ("tariffs", 3), str(e)
    assert "daily_cost" in str(e)


@pytest.mark.parametrize("call, table, column", [
    (lambda x: utfall.bootstrap(x, n_resamples=10, progress=False), "data", "values"),
    (lambda x: utfall.concentration(x, n_resamples=0), "values", "values"),
])
def test_non_finite_data_get_the_same_message_everywhere(call, table, column):
    with pytest.raises(DataError) as info:
        call([1.0, np.inf, 2.0])
    assert (info.value.table, info.value.column, info.value.row) == (table, column, 1)
    assert str(info.value).endswith("row 1: is inf, not a finite number")


@pytest.mark.parametrize("method", ["cem", "exact", "nearest"])
def test_matching_on_an_infinite_covariate_is_a_data_error_naming_the_row(method):
    frame = pd.DataFrame({"t": [1, 0, 0, 1, 0, 0], "x": [0.1, 0.5, np.inf, 0.9, 0.4, 0.3]})
    kw = {"exact": ["x"]} if method == "exact" else {}
    with pytest.raises(DataError, match="is inf, not a finite number") as info:
        utfall.match(frame, "t", ["x"], method=method, progress=False, **kw)
    assert (info.value.column, info.value.row) == ("x", 2)


# ------------------------------------------------------------------ Ctrl-C in one long core call
JACKKNIFE = r"""
import sys, numpy as np, utfall
x = np.random.default_rng(0).lognormal(size=100_000)
clusters = np.arange(100_000) // 2   # 50,000 clusters: the O(n^2) jackknife, one core call of many seconds
print("started", flush=True)
try:
    utfall.bootstrap(x, "gini", clusters=clusters, n_resamples=99, methods=("bca",), seed=1, progress=False)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""

BATCH = r"""
import sys, numpy as np, utfall
x = np.random.default_rng(0).lognormal(size=200_000)
print("started", flush=True)
try:
    utfall.bootstrap(x, "gini", n_resamples=10_000_000, batch_size=10_000_000, seed=1, progress=False,
                     methods=("percentile",))
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""


@pytest.mark.parametrize("script", [JACKKNIFE, BATCH], ids=["bca jackknife", "one huge batch"])
def test_sigint_stops_one_long_core_call_promptly(script):
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "started", proc.stderr.read()
        time.sleep(1.5)
        assert proc.poll() is None, "the work ended before the signal"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        waited = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == 3, err
    assert "interrupted" in out
    assert waited < STOP_BOUND, f"took {waited:.2f} s to stop"


# ------------------------------------------------------------------ packaging
def test_the_polars_extra_brings_pyarrow():
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    polars = project["optional-dependencies"]["polars"]
    assert any(req.startswith("polars") for req in polars)
    assert any(req.startswith("pyarrow") for req in polars), polars
