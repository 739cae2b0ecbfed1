"""utfall.bootstrap against scipy.stats.bootstrap on the same data, in one run.

    python bench/bench_bootstrap.py            # all cases
    python bench/bench_bootstrap.py --quick    # smaller sizes, for a smoke run

Prints wall times and the ratio scipy / utfall, and for n = 100,000 the extra
peak memory of utfall's run (resident set high-water mark, reset before the run
through /proc/self/clear_refs, plus Python allocations via tracemalloc).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import tracemalloc

import numpy as np

import utfall


def timed(fn, repeat=3):
    best = float("inf")
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def vm_hwm_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def vm_rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def compare(n: int, n_resamples: int, method: str) -> None:
    from scipy import stats

    x = np.random.default_rng(2024).lognormal(mean=8.0, sigma=1.2, size=n)
    ours = {"percentile": ("percentile",), "BCa": ("bca",), "basic": ("basic",)}[method]
    t_u, r = timed(lambda: utfall.bootstrap(x, "mean", n_resamples=n_resamples, methods=ours, seed=1, progress=False))
    t_s, s = timed(lambda: stats.bootstrap((x,), np.mean, n_resamples=n_resamples, method=method,
                                           random_state=np.random.default_rng(1)), repeat=1)
    lo, hi = r.interval(ours[0])
    print(f"mean, n={n:,}, B={n_resamples:,}, {method:>10}: utfall {t_u:7.3f} s  scipy {t_s:7.3f} s  "
          f"ratio {t_s / t_u:6.1f}x   intervals utfall [{lo:.1f}, {hi:.1f}] "
          f"scipy [{s.confidence_interval.low:.1f}, {s.confidence_interval.high:.1f}]")


def large_bca(n: int, n_resamples: int) -> None:
    x = np.random.default_rng(7).lognormal(mean=8.0, sigma=1.2, size=n)
    utfall.bootstrap(x[:1000], n_resamples=999, seed=1, progress=False)  # load the extension and the thread pool
    tracemalloc.start()
    rss0 = vm_rss_kib()
    reset = reset_hwm()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    r = utfall.bootstrap(x, "mean", n_resamples=n_resamples, methods=("bca",), seed=1, progress=False)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime - usage.ru_utime + after.ru_stime - usage.ru_stime
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    extra = (vm_hwm_kib() - rss0) / 1024
    lo, hi = r.interval("bca")
    print(f"mean, n={n:,}, B={n_resamples:,},        BCa: utfall {elapsed:7.3f} s ({cpu:.2f} s CPU), extra peak RSS "
          f"{extra:.1f} MiB{'' if reset else ' (peak not reset: upper bound)'}, Python allocations peak "
          f"{py_peak / 2**20:.1f} MiB; interval [{lo:.1f}, {hi:.1f}]")
    need = n * n_resamples * 8 / 2**30
    if need < 4:
        print("  scipy not run for this case (only in the full run, where it is skipped for memory)")
        return
    print(f"  scipy skipped: scipy.stats.bootstrap materialises n x B arrays ({need:.2f} GiB for each float64 "
          "copy, several alive at once; the issue estimates 74.5 GiB), more than this 24 GiB machine has")


def per_draw(draws: int = 200_000_000) -> None:
    """CPU nanoseconds per index draw on one thread (mean, percentile), n = 10^3 .. 10^6."""
    for n in (1_000, 10_000, 100_000, 1_000_000):
        x = np.random.default_rng(1).lognormal(8.0, 1.2, n)
        b = draws // n
        c, t = time.process_time(), time.perf_counter()
        utfall.bootstrap(x, "mean", n_resamples=b, methods=("percentile",), seed=1, progress=False, n_threads=1)
        cpu, wall = time.process_time() - c, time.perf_counter() - t
        print(f"per draw, n={n:>9,}, B={b:>7,}, 1 thread: {cpu / (n * b) * 1e9:5.2f} ns CPU, "
              f"{wall / (n * b) * 1e9:5.2f} ns wall")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"utfall {utfall.__version__}, {os.cpu_count()} cores")
    if args.quick:
        compare(2_000, 2_000, "BCa")
        large_bca(20_000, 2_000)
        per_draw(20_000_000)
        return
    per_draw()
    compare(10_000, 10_000, "percentile")
    compare(10_000, 10_000, "BCa")
    large_bca(100_000, 10_000)


if __name__ == "__main__":
    main()
