"""Scaling curves: every engine at sizes spanning three orders of magnitude, utfall and its peer
side by side in one run, with the fitted growth exponent and a log-log plot.

For each engine and size both implementations run on the same data (best of ``--repeat``
runs), and the exponent ``k`` of ``time ~ size^k`` is fitted by least squares on the
log-log points. Peers: pandas for per-individual costs, scipy.stats.bootstrap (percentile),
numpy's sort and cumulative sum for concentration, R's MatchIt 4.7.2 (through Rscript,
``R_LIBS=/opt/utfall-rlib``; timed inside R, without R's start-up) for matching by each
method (nearest neighbour on the logit score and on the Mahalanobis distance, exact, CEM),
numpy for the settlement mechanism (``Contract.settle_arrays``, bench_contract.py's
formula) and the socio-economic simulation (bench_socioeconomic.py's), pandas for the
sick-leave months (bench_sickleave.py's); building a cohort from frames, the evaluation
and the rematching bootstrap have no peer and are timed alone. An engine is one entry in
``ENGINES``; ``--only`` picks engines by a word of their names.

    python bench/scaling.py [--quick] [--repeat 3] [--only matching] [--json bench/out/scaling.json]
                            [--plot bench/scaling.png] [--replot]
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
from bench_matching import simulate  # noqa: E402

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
    # Percentile on both sides: scipy's BCa jackknife is n x n (74 GB at n = 100,000), so BCa's
    # speed is bench_bootstrap.py's, at n up to 100,000; this curve is the resampling itself.
    import scipy.stats

    x = np.random.default_rng(1).lognormal(12, 1.5, n)
    ours = lambda: utfall.bootstrap(x, "mean", n_resamples=2000, methods=("percentile",), seed=1,  # noqa: E731
                                    progress=False)
    theirs = lambda: best_of(1, lambda: scipy.stats.bootstrap(  # noqa: E731
        (x,), np.mean, n_resamples=2000, method="percentile", random_state=1, vectorized=True,
        batch=max(1, 20_000_000 // n)))
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


#: MatchIt by method, timed inside R (best of 1): the data are read from a binary file of doubles.
R_METHODS = r"""
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; p <- as.integer(args[2]); n <- as.integer(args[3]); what <- args[4]
suppressMessages(library(MatchIt))
con <- file(path, "rb"); v <- readBin(con, "double", n = n * (p + 1)); close(con)
d <- as.data.frame(matrix(v, nrow = n, ncol = p + 1)); names(d) <- c("treat", paste0("x", seq_len(p)))
f <- reformulate(paste0("x", seq_len(p)), response = "treat")
s <- proc.time()[["elapsed"]]
m <- switch(what,
  glm = matchit(f, data = d, method = "nearest", distance = "glm"),
  mahalanobis = matchit(f, data = d, method = "nearest", distance = "mahalanobis"),
  exact = matchit(f, data = d, method = "exact"),
  cem = matchit(f, data = d, method = "cem"))
cat("matchit", proc.time()[["elapsed"]] - s, "\n")
"""


def _matchit(d, what: str) -> Optional[Callable[[], float]]:
    if shutil.which("Rscript") is None:
        return None
    p = d.shape[1] - 1

    def peer() -> float:
        with tempfile.TemporaryDirectory() as work:
            path = os.path.join(work, "data.bin")
            d.to_numpy(dtype=float).T.tofile(path)
            script = os.path.join(work, "run.R")
            Path(script).write_text(R_METHODS)
            out = subprocess.run(["Rscript", script, path, str(p), str(len(d)), what], capture_output=True,
                                 text=True, env=dict(os.environ, R_LIBS=R_LIBS), check=True).stdout
            return float(next(line.split()[1] for line in out.splitlines() if line.startswith("matchit")))

    return peer


def matching(n_control: int):
    n_treated = max(n_control // 100, 10)
    d = simulate(n_treated, n_control, 6, seed=1)
    cov = [f"x{j + 1}" for j in range(6)]
    return (lambda: utfall.match(d, "treat", cov, progress=False)), _matchit(d, "glm")


def matching_mahalanobis(n_control: int):
    # 20 participants whatever the pool: the work is participants x pool for both sides.
    d = simulate(20, n_control, 4, seed=1)
    cov = [f"x{j + 1}" for j in range(4)]
    return (lambda: utfall.match(d, "treat", cov, distance="mahalanobis", progress=False)), _matchit(d, "mahalanobis")


def _coarse(n_control: int):
    """Four covariates of a few levels each (age bands, sex, a prior count, a region): 2,400 strata."""
    d = simulate(max(n_control // 100, 10), n_control, 4, seed=1)
    for j, levels in enumerate((12, 2, 10, 10)):
        d[f"x{j + 1}"] = np.floor(np.clip((d[f"x{j + 1}"] + 2.5) / 5.0, 0, 0.999) * levels)
    return d, [f"x{j + 1}" for j in range(4)]


def matching_exact(n_control: int):
    d, cov = _coarse(n_control)
    return (lambda: utfall.match(d, "treat", cov, method="exact", progress=False)), _matchit(d, "exact")


def matching_cem(n_control: int):
    d = simulate(max(n_control // 100, 10), n_control, 4, seed=1)
    cov = [f"x{j + 1}" for j in range(4)]
    return (lambda: utfall.match(d, "treat", cov, method="cem", progress=False)), _matchit(d, "cem")


def ingestion(n: int):
    frames = utfall.synthetic.register(0, n, seed=1, as_frames=True)
    return (lambda: utfall.Cohort.from_frames(**frames)), None


def settlement(n: int):
    from bench_contract import numpy_norrkoping

    rng = np.random.default_rng(1)
    metrics = {"savings": rng.normal(6e6, 3e6, n), "school": rng.normal(0.1, 0.3, n)}
    contract = utfall.Contract.norrkoping(7.5e6)
    np.testing.assert_allclose(contract.settle_arrays(metrics)["total"],
                               numpy_norrkoping(metrics["savings"], metrics["school"], 7.5e6), rtol=0, atol=1e-6)
    return (lambda: contract.settle_arrays(metrics)), (
        lambda: best_of(1, lambda: numpy_norrkoping(metrics["savings"], metrics["school"], 7.5e6)))


def sickleave(posts: int):
    import pandas as pd
    from bench_sickleave import pandas_short_term_wide

    reg = utfall.sickleave.synthetic_register(posts=posts, seed=2018)
    ids = pd.Index(reg.employees["id"])
    return (lambda: reg.short_term_days("2014-01", "2021-12")), (
        lambda: best_of(1, lambda: pandas_short_term_wide(reg.spells, reg.data_end, ids, "2014-01", "2021-12")))


def socioeconomic(n: int):
    from bench_socioeconomic import build, numpy_peer

    bare, effects = build(n, 7, 30)
    bare.items = [it for it in bare.items if it.label not in ("uncertain benefit", "outcome payment")]
    return (lambda: bare.simulate(n, seed=1)), (lambda: best_of(1, lambda: numpy_peer(bare, effects, n)))


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
    ("bootstrap percentile, B = 2000 (n)", [300, 3_000, 30_000, 300_000], bootstrap),
    ("concentration (values)", [10_000, 100_000, 1_000_000, 10_000_000], concentration),
    ("cohort from frames (individuals)", [1_000, 10_000, 100_000, 1_000_000], ingestion),
    ("matching, logit 1:1 (controls)", [1_000, 10_000, 100_000, 1_000_000], matching),
    ("matching, Mahalanobis, 20 treated (controls)", [1_000, 10_000, 100_000, 1_000_000], matching_mahalanobis),
    ("matching, exact (controls)", [1_000, 10_000, 100_000, 1_000_000], matching_exact),
    ("matching, CEM (controls)", [1_000, 10_000, 100_000, 1_000_000], matching_cem),
    ("settlement, Norrkoping (replicates)", [1_000, 10_000, 100_000, 1_000_000], settlement),
    ("sick leave, months (posts)", [30, 300, 3_000, 30_000], sickleave),
    ("socio-economic, 7 actors x 30 y (replicates)", [100, 1_000, 10_000, 100_000], socioeconomic),
    ("evaluation 2y+3y, matched, BCa (historical)", [400, 4_000, 40_000, 400_000], evaluation),
    ("rematching bootstrap, 500 (historical)", [100, 400, 4_000, 40_000], rematch),
]


def exponent(sizes: List[int], times: List[float]) -> float:
    """The k of ``time ~ size^k``: least squares on the log-log points."""
    return float(np.polyfit(np.log(sizes), np.log(times), 1)[0])


def run(quick: bool, repeat: int, only: Optional[str] = None) -> Dict[str, Dict[str, object]]:
    results: Dict[str, Dict[str, object]] = {}
    for name, sizes, make in ENGINES:
        if only and only.lower() not in name.lower():
            continue
        sizes = sizes[:3] if quick else sizes
        ours, theirs = [], []
        for n in sizes:
            try:
                fn, peer = make(n)
                ours.append(best_of(repeat, fn))
                theirs.append(peer() if peer is not None else float("nan"))
            except Exception as err:  # one engine's failure at one size does not lose the run
                print(f"{name:46s} {n:>10,}  failed: {type(err).__name__}: {err}", flush=True)
                ours = ours[:len(theirs)]
                sizes = sizes[:len(ours)]
                break
            ratio = theirs[-1] / ours[-1]
            print(f"{name:46s} {n:>10,}  utfall {ours[-1]:9.4f} s  peer {theirs[-1]:9.4f} s  ratio {ratio:7.1f}",
                  flush=True)
        if len(sizes) < 2:
            continue
        entry: Dict[str, object] = {"sizes": sizes, "utfall": ours, "peer": theirs,
                                    "exponent_utfall": exponent(sizes, ours)}
        if np.all(np.isfinite(theirs)):
            entry["exponent_peer"] = exponent(sizes, theirs)
            entry["ratio_at_largest"] = theirs[-1] / ours[-1]
            # The ratio at the largest size --quick runs, which run_all.py --check compares.
            entry["ratio_at_quick"] = theirs[min(2, len(sizes) - 1)] / ours[min(2, len(sizes) - 1)]
        results[name] = entry
        print(f"{name:46s} growth exponent: utfall {entry['exponent_utfall']:.2f}"
              + (f", peer {entry['exponent_peer']:.2f}" if "exponent_peer" in entry else ""), flush=True)
    return results


def peer_name(engine: str) -> str:
    """The peer's name in the plot's legend."""
    for word, peer in (("matching", "MatchIt 4.7.2"), ("costs", "pandas"), ("bootstrap", "scipy"),
                       ("concentration", "numpy"), ("settlement", "numpy"), ("sick leave", "pandas"),
                       ("socio-economic", "numpy")):
        if engine.startswith(word):
            return peer
    return "peer"


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
            ax.loglog(r["sizes"], r["peer"], "s--", label=f"{peer_name(name)} (k = {r['exponent_peer']:.2f})")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(f"size: {name.rsplit('(', 1)[-1].rstrip(')')}" if "(" in name else "size")
        ax.set_ylabel("time (s)")
        ax.legend(fontsize=8)
        ax.grid(True, which="both", alpha=0.3)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    fig.suptitle(f"utfall {utfall.__version__} against its peers, {os.cpu_count()} cores "
                 f"({platform.machine()}); time ~ size^k", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.975))
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="the three smaller sizes only")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="the engines whose names contain this word")
    parser.add_argument("--json", type=Path, default=HERE / "out" / "scaling.json")
    parser.add_argument("--plot", type=Path, default=HERE / "scaling.png")
    parser.add_argument("--replot", action="store_true", help="only draw the plot of the --json file of a run")
    args = parser.parse_args()
    if args.replot:
        plot(json.loads(args.json.read_text()), args.plot)
        return
    print(f"utfall {utfall.__version__}; {os.cpu_count()} cores; Python {platform.python_version()}")
    results = run(args.quick, args.repeat, args.only)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1))
    plot(results, args.plot)
    print(f"wrote {args.json} and {args.plot}")


if __name__ == "__main__":
    main()
