"""Optimal 1:1 and full matching: utfall against MatchIt 4.7.2 + optmatch 0.10.8, in one run.

Prints, for utfall, the matching time, the number of candidate pairs and the child's peak
resident memory (before and after the call).

    R_LIBS=/opt/utfall-rlib python bench/bench_match_methods.py [--sizes small,medium,large]
        [--r-timeout 1200] [--r-memory-gb 8] [--utfall-timeout 1200]

Sizes (treated / control, simulated as in ``bench_matching.py``: random treatment, six
covariates shifted by 0.3 for the treated, the last binary):
  small   60 / 1,500       no caliper (MatchIt's defaults)
  medium  1,000 / 20,000   no caliper
  large   10,000 / 100,000 caliper 0.1 standard deviations of the score (MatchIt's
          ``caliper = 0.1``; MatchIt's ``method = "optimal"`` ignores calipers, with a
          warning, so its optimal run there is without one)

For each size and method R runs first, in its own process, under a time limit
(``--r-timeout`` seconds) and a memory limit (``prlimit --as``, ``--r-memory-gb``);
what it does (finishes, runs out of memory, hits optmatch's problem-size limit, times
out) is printed. utfall then matches on MatchIt's own propensity scores (``m$distance``)
through the core (``utfall._core.optimal_match`` / ``full_match``, with MatchIt's
Sävje pruning for 1:1 optimal matching and optmatch's ``tol = 0.001`` discretisation),
so the comparison is of the matching itself; the logit fit is timed separately and
the end-to-end time is fit + matching. Before timing is reported the results are
checked: optimal, the same total distance (to 1e-9); full, the same subclasses (up to
relabelling) and the same weights (to 1e-12). utfall runs in a child process too, with
its own time limit (``--utfall-timeout``), so a solver that takes too long is reported,
not waited for.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

from bench_matching import simulate

SIZES = {"small": (60, 1_500, None), "medium": (1_000, 20_000, None), "large": (10_000, 100_000, 0.1)}
P = 6

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; p <- as.integer(args[2]); n <- as.integer(args[3]); method <- args[4]
cal <- as.numeric(args[5]); out <- args[6]
suppressMessages({library(MatchIt); library(optmatch)})
cat("versions MatchIt", as.character(packageVersion("MatchIt")), "optmatch", as.character(packageVersion("optmatch")), "\n")
con <- file(path, "rb"); v <- readBin(con, "double", n = n * (p + 1)); close(con)
m <- matrix(v, nrow = n, ncol = p + 1); rm(v)
d <- as.data.frame(m); rm(m); names(d) <- c("treat", paste0("x", seq_len(p)))
rownames(d) <- as.character(seq_len(n))
f <- reformulate(paste0("x", seq_len(p)), response = "treat")
args <- list(formula = f, data = d, method = method, distance = "glm")
if (cal > 0) args$caliper <- cal
s <- proc.time()[["elapsed"]]
fit <- suppressWarnings(do.call(matchit, args))
cat("seconds", proc.time()[["elapsed"]] - s, "\n")
writeBin(as.numeric(fit$distance), file.path(out, "distance.bin"))
if (method == "optimal") {
  mm <- fit$match.matrix
  ok <- !is.na(mm[, 1])
  writeBin(as.integer(rownames(mm)[ok]), file.path(out, "treated.bin"))
  writeBin(as.integer(mm[ok, 1]), file.path(out, "control.bin"))
} else {
  sc <- as.integer(fit$subclass); sc[is.na(sc)] <- -1L
  writeBin(sc, file.path(out, "subclass.bin"))
}
writeBin(as.numeric(fit$weights), file.path(out, "weights.bin"))
"""  # noqa: E501  (R code, one statement a line)


def run_r(d, method: str, caliper, timeout: float, memory_gb: float, workdir: str) -> dict:
    """MatchIt in its own process under the limits; returns what it did and its output."""
    path = os.path.join(workdir, "data.bin")
    d.to_numpy(dtype=np.float64).T.tofile(path)
    script = os.path.join(workdir, "methods.R")
    with open(script, "w") as f:
        f.write(R_SCRIPT)
    for name in ("distance.bin", "treated.bin", "control.bin", "subclass.bin", "weights.bin"):
        if os.path.exists(os.path.join(workdir, name)):
            os.remove(os.path.join(workdir, name))
    limit = ["prlimit", f"--as={int(memory_gb * 2**30)}", "--"] if shutil.which("prlimit") else []
    cmd = limit + ["Rscript", script, path, str(P), str(len(d)), method, str(caliper or 0), workdir]
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)  # noqa: S603
    except subprocess.TimeoutExpired:
        return {"status": f"time-out: stopped after {timeout:.0f} s"}
    wall = time.perf_counter() - start
    lines = dict(line.split(maxsplit=1) for line in proc.stdout.splitlines() if " " in line)
    if proc.returncode != 0 or "seconds" not in lines:
        err = " ".join(proc.stderr.split())[-400:]
        kind = ("out of memory" if "cannot allocate" in err or "memory" in err.lower() else
                "problem-size limit" if "too many" in err.lower() or "2^31" in err or "too large" in err.lower()
                else "error")
        return {"status": f"{kind} after {wall:.0f} s (memory limit {memory_gb:g} GB): {err}",
                "versions": lines.get("versions", "")}
    out = {"status": "finished", "seconds": float(lines["seconds"]), "versions": lines.get("versions", ""),
           "distance": np.fromfile(os.path.join(workdir, "distance.bin")),
           "weights": np.fromfile(os.path.join(workdir, "weights.bin"))}
    if method == "optimal":
        out["treated"] = np.fromfile(os.path.join(workdir, "treated.bin"), dtype=np.int32) - 1
        out["control"] = np.fromfile(os.path.join(workdir, "control.bin"), dtype=np.int32) - 1
    else:
        out["subclass"] = np.fromfile(os.path.join(workdir, "subclass.bin"), dtype=np.int32)
    return out


UTFALL_CHILD = r"""
import json, resource, sys, time
import numpy as np
import utfall
workdir, method, caliper = sys.argv[1], sys.argv[2], float(sys.argv[3])
score = np.fromfile(workdir + "/score.bin")
treat = np.fromfile(workdir + "/treat.bin", dtype=np.bool_)
eligible = np.ones(len(treat), bool)
cal = None if caliper <= 0 else (score, caliper * float(np.std(score, ddof=1)))
if cal is None:
    pairs = int(treat.sum()) * int((~treat).sum())
else:
    sc = np.sort(score[~treat])
    pairs = int((np.searchsorted(sc, score[treat] + cal[1], "right")
                 - np.searchsorted(sc, score[treat] - cal[1], "left")).sum())
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
start = time.perf_counter()
if method == "optimal":
    out = utfall._core.optimal_match(treat, eligible, score=score, caliper=cal, tol=0.001, prune=cal is None)
else:
    out = utfall._core.full_match(treat, eligible, score=score, caliper=cal, tol=0.001)
seconds = time.perf_counter() - start
f, o, dist, sub, total, objective = out
np.save(workdir + "/u_f.npy", f); np.save(workdir + "/u_o.npy", o); np.save(workdir + "/u_sub.npy", sub)
print(json.dumps({"seconds": seconds, "total": total, "objective": int(objective), "pairs": pairs,
                  "rss_before": rss_before, "rss_peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_utfall(score: np.ndarray, treat: np.ndarray, method: str, caliper, timeout: float, workdir: str) -> dict:
    score.astype(np.float64).tofile(os.path.join(workdir, "score.bin"))
    treat.astype(np.bool_).tofile(os.path.join(workdir, "treat.bin"))
    try:
        proc = subprocess.run([sys.executable, "-c", UTFALL_CHILD, workdir, method, str(caliper or 0)],  # noqa: S603
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": f"time-out: stopped after {timeout:.0f} s"}
    if proc.returncode != 0:
        return {"status": "error: " + " ".join(proc.stderr.split())[-300:]}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out.update(status="finished", f=np.load(os.path.join(workdir, "u_f.npy")),
               o=np.load(os.path.join(workdir, "u_o.npy")), sub=np.load(os.path.join(workdir, "u_sub.npy")))
    return out


def canonical(sub: np.ndarray) -> np.ndarray:
    """Subclass labels renumbered in order of first appearance (-1 stays -1)."""
    out = np.full(len(sub), -1, dtype=np.int64)
    seen: dict = {}
    for i, s in enumerate(sub.tolist()):
        if s >= 0:
            out[i] = seen.setdefault(s, len(seen))
    return out


def main() -> None:
    import utfall

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="small,medium,large")
    ap.add_argument("--methods", default="optimal,full")
    ap.add_argument("--r-timeout", type=float, default=1200.0, help="seconds per MatchIt run (default 20 min)")
    ap.add_argument("--r-memory-gb", type=float, default=8.0, help="address-space limit of each R process")
    ap.add_argument("--utfall-timeout", type=float, default=1200.0, help="seconds per utfall matching")
    args = ap.parse_args()
    print(f"utfall {utfall.__version__}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    print(f"limits: R {args.r_timeout:.0f} s and {args.r_memory_gb:g} GB per run; utfall {args.utfall_timeout:.0f} s")
    with tempfile.TemporaryDirectory() as workdir:
        for size in args.sizes.split(","):
            n1, n0, caliper = SIZES[size]
            d = simulate(n1, n0, P, seed=3)
            treat = d["treat"].to_numpy() == 1
            cov = [f"x{j + 1}" for j in range(P)]
            columns = [np.ones(len(d))] + [np.ascontiguousarray(d[c].to_numpy()) for c in cov]
            start = time.perf_counter()
            own = utfall._core.fit_logit(columns, treat, ["(Intercept)"] + cov)[1]
            t_fit = time.perf_counter() - start
            for method in args.methods.split(","):
                cal_text = f", caliper {caliper} sd" if caliper else ""
                print(f"\n== {method}, {n1:,} treated / {n0:,} controls{cal_text}", flush=True)
                r = run_r(d, method, caliper, args.r_timeout, args.r_memory_gb, workdir)
                if r.get("versions"):
                    print(f"  {r['versions']}")
                print(f"  MatchIt: {r['status']}" + (f", {r['seconds']:.3f} s" if "seconds" in r else ""), flush=True)
                score = r["distance"] if "distance" in r else own
                if "distance" in r:
                    print(f"  max |utfall fit - MatchIt distance| = {np.max(np.abs(own - r['distance'])):.1e}")
                u = run_utfall(score, treat, method, caliper, args.utfall_timeout, workdir)
                if u["status"] != "finished":
                    print(f"  utfall: {u['status']}", flush=True)
                    continue
                print(f"  utfall: matching {u['seconds']:.3f} s, logit fit {t_fit:.3f} s, "
                      f"end to end {u['seconds'] + t_fit:.3f} s; {len(u['f']):,} pairs, total distance "
                      f"{u['total']:.12g}", flush=True)
                print(f"  utfall: {u['pairs']:,} candidate pairs ({'within the caliper' if caliper else 'all'}); peak "
                      f"RSS {u['rss_peak']:.0f} MB ({u['rss_before']:.0f} MB before the call, with numpy)", flush=True)
                if r["status"] != "finished":
                    continue
                if method == "optimal":
                    r_total = float(np.sum(np.abs(score[r["treated"]] - score[r["control"]])))
                    same_pairs = len(set(zip(u["f"].tolist(), u["o"].tolist())) &
                                     set(zip(r["treated"].tolist(), r["control"].tolist())))
                    print(f"  total distance: utfall {u['total']:.12f}, MatchIt {r_total:.12f}, |diff| "
                          f"{abs(u['total'] - r_total):.1e} "
                          f"({'same' if abs(u['total'] - r_total) <= 1e-9 else 'DIFFERENT'}"
                          f"); same pairs {same_pairs:,} of {len(r['treated']):,}")
                else:
                    same = np.array_equal(canonical(u["sub"]), canonical(r["subclass"].astype(np.int64)))
                    w = utfall._core.subclass_weights(u["sub"].astype(np.int64), treat, "ATT")
                    dw = float(np.max(np.abs(w - r["weights"])))
                    print(f"  subclasses {'identical' if same else 'DIFFERENT'} (up to relabelling); "
                          f"max |weight difference| {dw:.1e}")
                print(f"  ratio MatchIt / utfall: matching {r['seconds'] / u['seconds']:.1f}x, "
                      f"MatchIt (incl. its glm) / utfall end to end {r['seconds'] / (u['seconds'] + t_fit):.1f}x",
                      flush=True)


if __name__ == "__main__":
    main()
