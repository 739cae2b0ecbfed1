"""Scaling curves: every engine at sizes spanning three orders of magnitude, utfall and its peer
side by side in one run, with the fitted growth exponent and a log-log plot.

For each engine and size both implementations run on the same data (best of ``--repeat``
runs), and the exponent ``k`` of ``time ~ size^k`` is fitted by least squares on the
log-log points. Peers: pandas for per-individual costs, scipy.stats.bootstrap for BCa,
numpy's sort and cumulative sum for concentration, R's MatchIt 4.7.2 (through Rscript,
``R_LIBS=/opt/utfall-rlib``) for propensity-score matching; the evaluation and the
rematching bootstrap have no peer and are timed alone. Engines that other modules add
register themselves in ``ENGINES``.

    python bench/scaling.py [--quick] [--repeat 3] [--json bench/out/scaling.json] [--plot bench/scaling.png]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

import utfall

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_costs import pandas_costs  # noqa: E402
from bench_matching import R_SCRIPT, simulate  # noqa: E402

R_LIBS = os.environ.get("R_LIBS", "/opt/utfall-rlib")

#: An engine: sizes, and a function size -> (utfall timing function, peer timing function or None).
Engine = Tuple[str, List[int], Callable[[int], Tuple[Callable[[], object], Optional[Callable[[], float]]]]]


def best_of(repeat: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def costs(n: int):
    frames = utfall.synthetic.register(0, n, seed=1, as_frames=True)
    cohort = utfall.Cohort.from_frames(**frames)
    return (lambda: cohort.costs("2y")), (lambda: best_of(1, lambda: pandas_costs(frames)))


def bootstrap(n: int):
    import scipy.stats

    x = np.random.default_rng(1).lognormal(12, 1.5, n)
    ours = lambda: utfall.bootstrap(x, "mean", n_resamples=2000, methods=("bca",), seed=1, progress=False)  # noqa: E731
    theirs = lambda: best_of(1, lambda: scipy.stats.bootstrap((x,), np.mean, n_resamples=2000,  # noqa: E731
                                                              method="BCa", random_state=1, vectorized=True))
    return ours, theirs


def concentration(n: int):
    x = np.random.default_rng(1).lognormal(12, 1.5, n)
    ours = lambda: utfall.concentration(x, n_resamples=0, progress=False)  # noqa: E731

    def peer() -> float:
        def work() -> None:
            s = np.sort(x)
            np.cumsum(s) / s.sum()
        return best_of(1, work)

    return ours, peer


def matching(n_control: int):
    n_treated = max(n_control // 100, 10)
    d = simulate(n_treated, n_control, 6, seed=1)
    cov = [f"x{j + 1}" for j in range(6)]
    ours = lambda: utfall.match(d, "treat", cov, progress=False)  # noqa: E731
    if shutil.which("Rscript") is None:
        return ours, None

    def peer() -> float:
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "data.bin")
            d.to_numpy(dtype=float).T.tofile(path)
            script = os.path.join(work, "run.R")
            Path(script).write_text(R_SCRIPT)
            out = subprocess.run(["Rscript", script, path, "6", str(len(d)), "glm", "1"], capture_output=True,
                                 text=True, env=dict(os.environ, R_LIBS=R_LIBS), check=True).stdout
            return float(next(line.split()[1] for line in out.splitlines() if line.startswith("matchit")))

    return ours, peer


def evaluation(n_historical: int):
    cohort = utfall.synthetic.register(max(n_historical // 100, 20), n_historical, seed=2016)
    matching_spec = {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"}
    return (lambda: utfall.evaluate(cohort, matching_spec, horizons=("2y", "3y"), seed=1, progress=False,
                                    bootstrap={"n_resamples": 2000})), None


def rematch(n_historical: int):
    cohort = utfall.synthetic.register(60, n_historical, seed=2016)
    matching_spec = {"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"}
    return (lambda: utfall.evaluate(cohort, matching_spec, horizons=("2y",), seed=1, progress=False,
                                    bootstrap={"n_resamples": 500, "rematch": True, "method": "percentile"})), None


ENGINES: List[Engine] = [
    ("costs (individuals)", [1_000, 10_000, 100_000, 1_000_000], costs),
    ("bootstrap BCa, B = 2000 (n)", [100, 1_000, 10_000, 100_000], bootstrap),
    ("concentration (values)", [10_000, 100_000, 1_000_000, 10_000_000], concentration),
    ("matching, logit 1:1 (controls)", [1_000, 10_000, 100_000, 1_000_000], matching),
    ("evaluation 2y+3y, matched, BCa (historical)", [400, 4_000, 40_000, 400_000], evaluation),
    ("rematching bootstrap, 500 (historical)", [100, 400, 4_000, 40_000], rematch),
]


def exponent(sizes: List[int], times: List[float]) -> float:
    """The k of ``time ~ size^k``: least squares on the log-log points."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def run(quick: bool, repeat: int) -> Dict[str, Dict[str, object]]:
    results: Dict[str, Dict[str, object]] = {}
    for name, sizes, make in ENGINES:
        sizes = sizes[:3] if quick else sizes
        ours, theirs = [], []
        for n in sizes:
            fn, peer = make(n)
            ours.append(best_of(repeat, fn))
            theirs.append(peer() if peer is not None else float("nan"))
            ratio = theirs[-1] / ours[-1]
            print(f"{name:46s} {n:>10,}  utfall {ours[-1]:9.4f} s  peer {theirs[-1]:9.4f} s  ratio {ratio:7.1f}",
                  flush=True)
        entry: Dict[str, object] = {"sizes": sizes, "utfall": ours, "peer": theirs,
                                    "exponent_utfall": exponent(sizes, ours)}
        if np.all(np.isfinite(theirs)):
            entry["exponent_peer"] = exponent(sizes, theirs)
            entry["ratio_at_largest"] = theirs[-1] / ours[-1]
        results[name] = entry
        print(f"{name:46s} growth exponent: utfall {entry['exponent_utfall']:.2f}"
              + (f", peer {entry['exponent_peer']:.2f}" if "exponent_peer" in entry else ""), flush=True)
    return results


def plot(results: Dict[str, Dict[str, object]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    cols = 3
    rows = -(-len(names) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        r = results[name]
        ax.loglog(r["sizes"], r["utfall"], "o-", label=f"utfall (k = {r['exponent_utfall']:.2f})")
        if "exponent_peer" in r:
            ax.loglog(r["sizes"], r["peer"], "s--", label=f"peer (k = {r['exponent_peer']:.2f})")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("size")
        ax.set_ylabel("time (s)")
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(f"utfall {utfall.__version__} against its peers, {os.cpu_count()} cores "
                 f"({platform.machine()}); time ~ size^k", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the three smaller sizes only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path, default=HERE / "out" / "scaling.json")
    parser.add_argument("--plot", type=Path, default=HERE / "scaling.png")
    args = parser.parse_args()
    print(f"utfall {utfall.__version__}; {os.cpu_count()} cores; Python {platform.python_version()}")
    results = run(args.quick, args.repeat)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    plot(results, args.plot)
    print(f"wrote {args.json} and {args.plot}")


if __name__ == "__main__":
    main()
