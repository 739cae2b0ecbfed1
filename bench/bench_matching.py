"""utfall.match against R's MatchIt 4.7.2 on the same simulated data, in one run.

    R_LIBS=/opt/utfall-rlib python bench/bench_matching.py [--quick] [--repeat 5]

Two problems, as in the matching issue:
  1. 1:1 propensity-score (glm logit) matching without replacement,
     10,000 treated against 1,000,000 controls, 6 covariates (timing includes the fit);
  2. 1:1 Mahalanobis matching without replacement, 10,000 treated against 100,000
     controls, 4 covariates.
R runs first, through Rscript (MatchIt's version is printed; 4.7.2 is the reference),
and its pairs are compared with utfall's before utfall is timed (the share of treated
units with the same control, and for the propensity score the largest difference from
R's glm fitted values). R's glm alone is timed too. utfall is timed best of `--repeat`
runs, R best of `--r-repeat`; data pass through a binary file. The propensity-score
problem is timed twice in utfall: units identified by their row, and by a string id
column (``"P0000001"``, ...), which must cost no more; then with those ids shuffled (as
``str``, as Python objects) and with shuffled integer ids.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

import utfall

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; p <- as.integer(args[2]); n <- as.integer(args[3]); what <- args[4]; reps <- as.integer(args[5])
suppressMessages(library(MatchIt))
con <- file(path, "rb"); v <- readBin(con, "double", n = n * (p + 1)); close(con)
m <- matrix(v, nrow = n, ncol = p + 1)
d <- as.data.frame(m); names(d) <- c("treat", paste0("x", seq_len(p)))
rownames(d) <- as.character(seq_len(n))
f <- reformulate(paste0("x", seq_len(p)), response = "treat")
best <- function(expr) { t <- Inf; for (i in seq_len(reps)) { s <- proc.time()[["elapsed"]]; force(expr()); t <- min(t, proc.time()[["elapsed"]] - s) }; t }
cat("MatchIt", as.character(packageVersion("MatchIt")), "\n")
if (what == "glm") {
  g <- NULL
  cat("glm", best(function() g <<- glm(f, data = d, family = binomial)), "\n")
  writeBin(as.numeric(fitted(g)), file.path(dirname(path), "glm_fitted.bin"))
  cat("matchit", best(function() matchit(f, data = d, method = "nearest", distance = "glm")), "\n")
  mm <- matchit(f, data = d, method = "nearest", distance = "glm")$match.matrix
} else {
  cat("matchit", best(function() matchit(f, data = d, method = "nearest", distance = "mahalanobis")), "\n")
  mm <- matchit(f, data = d, method = "nearest", distance = "mahalanobis")$match.matrix
}
writeLines(paste(rownames(mm), mm[, 1]), file.path(dirname(path), paste0(what, "_pairs.txt")))
"""  # noqa: E501  (R code, one statement a line)


def simulate(n_treated: int, n_control: int, p: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    treat = np.zeros(n)
    treat[rng.choice(n, n_treated, replace=False)] = 1.0
    x = rng.normal(size=(n, p)) + 0.3 * treat[:, None]
    if p >= 5:
        x[:, p - 1] = (rng.random(n) < 0.3 + 0.2 * treat).astype(float)
    d = pd.DataFrame(x, columns=[f"x{j + 1}" for j in range(p)])
    d.insert(0, "treat", treat)
    return d


def best_of(repeat: int, f):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - start)
    return min(times), out


def run_r(d: pd.DataFrame, p: int, what: str, repeat: int, workdir: str) -> dict:
    path = os.path.join(workdir, f"{what}.bin")
    d[["treat"] + [f"x{j + 1}" for j in range(p)]].to_numpy(dtype=np.float64).T.tofile(path)
    script = os.path.join(workdir, "bench.R")
    with open(script, "w") as f:
        f.write(R_SCRIPT)
    out = subprocess.run(["Rscript", script, path, str(p), str(len(d)), what, str(repeat)],  # noqa: S603
                         capture_output=True, text=True, check=True).stdout
    result = {}
    for line in out.splitlines():
        key, value = line.split(maxsplit=1)
        result[key] = value.strip()
    pairs = {}
    with open(os.path.join(workdir, f"{what}_pairs.txt")) as f:
        for line in f:
            t, c = line.split()
            pairs[t] = None if c == "NA" else c
    result["pairs"] = pairs
    fitted = os.path.join(workdir, "glm_fitted.bin")
    if what == "glm" and os.path.exists(fitted):
        result["fitted"] = np.fromfile(fitted, dtype=np.float64)
    return result


def agreement(m, r_pairs: dict) -> float:
    # utfall's ids are the row positions 0..n-1; R's row names are 1..n.
    mine = {str(t + 1): str(c + 1) for t, c in zip(m.pairs["treated"], m.pairs["control"])}
    same = sum(mine.get(t) == c for t, c in r_pairs.items())
    return same / max(len(r_pairs), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    ap.add_argument("--repeat", type=int, default=3, help="utfall runs (best of)")
    ap.add_argument("--r-repeat", type=int, default=1, help="R runs (best of)")
    ap.add_argument("--skip-r", action="store_true", help="time utfall only")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    have_r = shutil.which("Rscript") is not None and not args.skip_r
    problems = [("glm", 10_000 // scale, 1_000_000 // scale, 6, "logit"),
                ("mahalanobis", 10_000 // scale, 100_000 // scale, 4, "mahalanobis")]
    print(f"utfall {utfall.__version__}; {os.cpu_count()} cores; load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as workdir:
        for what, n1, n0, p, distance in problems:
            d = simulate(n1, n0, p, seed=1)
            cov = [f"x{j + 1}" for j in range(p)]
            print(f"\n== 1:1 {what}, {n1:,} treated vs {n0:,} controls, {p} covariates", flush=True)
            m = utfall.match(d, "treat", cov, distance=distance, progress=False)
            r = None
            if have_r:
                # R first, and the results compared, before anything is timed.
                r = run_r(d, p, what, args.r_repeat, workdir)
                print(f"MatchIt {r['MatchIt']}")
                if "fitted" in r:
                    print(f"max |utfall score - R glm fitted| = "
                          f"{np.max(np.abs(m.distance.to_numpy() - r['fitted'])):.2e}")
                print(f"same control as MatchIt for {100 * agreement(m, r['pairs']):.2f}% of treated units", flush=True)
            elif not args.skip_r:
                print("Rscript is not on the PATH: no MatchIt comparison (R_LIBS=/opt/utfall-rlib for MatchIt 4.7.2)")
            t_u, _ = best_of(args.repeat, lambda: utfall.match(d, "treat", cov, distance=distance, progress=False))
            print(f"utfall.match            {t_u:8.3f} s")
            if what == "glm":
                named = d.copy()
                named.insert(0, "id", [f"P{i:07d}" for i in range(len(d))])
                m_s = utfall.match(named, "treat", cov, distance=distance, progress=False)
                assert (m_s.pairs["treated"].str[1:].astype(int).to_numpy() == m.pairs["treated"].to_numpy()).all()
                assert (m_s.pairs["control"].str[1:].astype(int).to_numpy() == m.pairs["control"].to_numpy()).all()
                t_s, _ = best_of(args.repeat, lambda: utfall.match(named, "treat", cov, distance=distance,
                                                                  progress=False))
                print(f"  with string ids       {t_s:8.3f} s   (same pairs; {named['id'].dtype} column)")
                # The same ids in another order (no longer sorted: the duplicate check hashes
                # them), as Python objects (pandas 2's default), and as integers.
                rng = np.random.default_rng(5)
                shuffled = named.assign(id=named["id"].to_numpy()[rng.permutation(len(d))]).astype({"id": "str"})
                variants = {"shuffled string ids": shuffled, "object string ids": shuffled.astype({"id": object}),
                            "shuffled integer ids": named.assign(id=rng.permutation(len(d)) * 7 + 1)}
                for label, frame in variants.items():
                    t_v, _ = best_of(args.repeat, lambda: utfall.match(frame, "treat", cov, distance=distance,
                                                                      progress=False))
                    print(f"  with {label:20s}{t_v:8.3f} s")
                columns = [np.ones(len(d))] + [d[c].to_numpy() for c in cov]
                y = d["treat"].to_numpy() == 1
                t_fit, _ = best_of(args.repeat, lambda: utfall._core.fit_logit(columns, y, ["(Intercept)"] + cov))
                print(f"  of which logit fit    {t_fit:8.3f} s")
            if r is None:
                continue
            print(f"MatchIt {r['MatchIt']} matchit  {float(r['matchit']):8.3f} s")
            if "glm" in r:
                print(f"  R glm alone           {float(r['glm']):8.3f} s   (utfall fit is "
                      f"{float(r['glm']) / t_fit:.1f}x faster)")
            print(f"ratio MatchIt / utfall  {float(r['matchit']) / t_u:8.1f}x")
            if what == "glm":
                print(f"ratio MatchIt / utfall with string ids {float(r['matchit']) / t_s:8.1f}x")

if __name__ == "__main__":
    main()
