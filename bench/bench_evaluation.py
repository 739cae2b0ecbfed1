"""National-scale outcome evaluation: time and peak memory, against a numpy/scipy peer.

    python bench/bench_evaluation.py [--historical 1000000] [--participants 10000] [--resamples 2000]

Builds a register of ``--historical`` historical individuals (index dates
2010-2017) and ``--participants`` participants (2016-2018), about 1.5 care
episodes each over four care types with yearly tariffs, an outpatient ledger
and a price index; data end 2020-12-31, so part of the participants have
incomplete 3-year follow-up. Then runs ``utfall.evaluate`` at 2 and 3 years
with ``--resamples`` BCa resamples of matched sets and prints the time and the
peak resident memory of the evaluation (``VmHWM``, reset before the call).

Matching: ``utfall.match`` (nearest neighbour on the logit propensity score,
1:1, without replacement) when it is available and ``--match`` is given;
otherwise (and always for the peer) a fixed 1:1 pairing of each participant
with a random historical individual eligible at the horizon, so that the
evaluation machinery itself is timed.

The peer computes the same per-individual actual and expected costs with
vectorised numpy/pandas (episodes split at year boundaries, tariffs and price
index per year) and the BCa interval with ``scipy.stats.bootstrap``; the
totals must agree with utfall's to 1e-9 relative.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

import utfall

TYPES = ["HVB", "SiS", "familjehem", "jourhem"]
BASE_COST = np.array([3600.0, 6500.0, 1200.0, 2500.0])
YEARS = np.arange(2006, 2021)
DATA_END = np.datetime64("2020-12-31")


def register(n_hist: int, n_part: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    n = n_hist + n_part
    participant = np.zeros(n, dtype=bool)
    participant[n_hist:] = True
    day0 = np.datetime64("2010-01-01").astype(np.int64)
    index = np.where(participant, rng.integers(np.datetime64("2016-08-01").astype(np.int64),
                                               np.datetime64("2018-12-31").astype(np.int64), n),
                     rng.integers(day0, np.datetime64("2017-12-31").astype(np.int64), n))
    sex = rng.integers(0, 2, n)
    age = rng.integers(12, 19, n)
    need = rng.gamma(0.8, 1.0, n) * (1 + 0.3 * participant)
    people = pd.DataFrame({"id": np.arange(n), "group": np.where(participant, "participant", "historical"),
                           "index_date": index.astype("datetime64[D]"), "sex": sex, "age": age})
    # Episodes: a sequence from 2 years before index, gaps and stays exponential.
    k = rng.poisson(1.5 * need)
    who = np.repeat(np.arange(n), k)
    m = len(who)
    gap = rng.exponential(250.0, m).astype(np.int64) + 1
    stay = rng.exponential(80.0 * (1 + need[who]), m).astype(np.int64) + 1
    step = gap + stay
    csum = np.cumsum(step)
    first = np.concatenate([[0], np.cumsum(k)[:-1]])
    offset = csum - np.repeat(csum[first[k > 0]] - step[first[k > 0]], k[k > 0])
    end = index[who] - 730 + offset
    start = end - stay
    keep = start <= DATA_END.astype(np.int64)
    episodes = pd.DataFrame({"id": who[keep], "start": start[keep].astype("datetime64[D]"),
                             "end": end[keep].astype("datetime64[D]"),
                             "care_type": np.array(TYPES)[rng.integers(0, 4, m)][keep]})
    tariffs = pd.DataFrame({"care_type": np.repeat(TYPES, len(YEARS)),
                            "valid_from": np.tile([np.datetime64(f"{y}-01-01") for y in YEARS], len(TYPES)),
                            "daily_cost": (BASE_COST[:, None] * 1.03 ** (YEARS - 2006)[None, :]).reshape(-1)})
    n_led = int(0.8 * n)
    led_who = rng.integers(0, n, n_led)
    led_day = np.minimum(index[led_who] + rng.integers(-700, 1200, n_led), DATA_END.astype(np.int64))
    ledger = pd.DataFrame({"id": led_who, "date": led_day.astype("datetime64[D]"),
                           "amount": np.round(rng.gamma(1.2, 20000.0, n_led), 2), "category": "outpatient"})
    prices = {int(y): 100.0 * 1.02 ** (y - 2006) for y in YEARS}
    return people, episodes, tariffs, ledger, prices


def fixed_pairs(cohort, horizons, seed=2):
    """Each participant with one random historical individual eligible at the horizon (without replacement)."""
    rng = np.random.default_rng(seed)
    out = {}
    for h in horizons:
        full = cohort.costs(h)
        pool = np.flatnonzero(~cohort.participants & full["complete"].to_numpy())
        part = np.flatnonzero(cohort.participants)
        chosen = rng.choice(pool, len(part), replace=False)
        out[h] = pd.DataFrame({"treated": cohort.ids[part], "control": cohort.ids[chosen]})
    return out


# ---------------------------------------------------------------------- the peer
def _peer_costs(cohort, who, start, end):
    """Cost (care priced per year, price-indexed, plus ledger) of individual ``who[r]`` over ``[start[r], end[r])``."""
    ep = cohort.episodes
    ids = cohort.ids
    ep_pos = ids.get_indexer(ep["id"])
    ep_s = ep["start"].to_numpy("datetime64[D]").astype(np.int64)
    ep_e = ep["end"].to_numpy("datetime64[D]").astype(np.int64)
    ep_t = pd.Index(TYPES).get_indexer(ep["care_type"])
    # Requests by individual: join episodes to requests (each request sees the individual's episodes).
    req = pd.DataFrame({"r": np.arange(len(who)), "pos": who, "a": start, "b": end})
    eps = pd.DataFrame({"pos": ep_pos, "s": ep_s, "e": ep_e, "t": ep_t})
    j = req.merge(eps, on="pos")
    total = np.zeros(len(who))
    year_start = np.array([np.datetime64(f"{y}-01-01").astype(np.int64) for y in YEARS]
                          + [np.datetime64("2021-01-01").astype(np.int64)])
    index_values = np.array([100.0 * 1.02 ** (y - 2006) for y in YEARS])
    factor = index_values[-1] / index_values
    tariff = BASE_COST[:, None] * 1.03 ** (YEARS - 2006)[None, :]
    s = np.maximum(j["s"].to_numpy(), j["a"].to_numpy())
    e = np.minimum(j["e"].to_numpy(), j["b"].to_numpy())
    t = j["t"].to_numpy()
    r = j["r"].to_numpy()
    for yi in range(len(YEARS)):
        d = np.clip(np.minimum(e, year_start[yi + 1]) - np.maximum(s, year_start[yi]), 0, None)
        total += np.bincount(r, weights=d * tariff[t, yi] * factor[yi], minlength=len(who))
    led = cohort.costs_ledger
    lreq = req.merge(pd.DataFrame({"pos": ids.get_indexer(led["id"]),
                                   "day": led["date"].to_numpy("datetime64[D]").astype(np.int64),
                                   "amount": led["amount"].to_numpy()}), on="pos")
    inside = (lreq["day"] >= lreq["a"]) & (lreq["day"] < lreq["b"])
    lreq = lreq[inside]
    years = lreq["day"].to_numpy().astype("datetime64[D]").astype("datetime64[Y]").astype(int) + 1970
    total += np.bincount(lreq["r"].to_numpy(), weights=lreq["amount"].to_numpy() * factor[years - YEARS[0]],
                         minlength=len(who))
    return total


def peer(cohort, pairs, horizons, resamples):
    from scipy import stats

    index = cohort.individuals["index_date"]
    end_of_data = cohort.individuals["end_of_data"].to_numpy("datetime64[D]").astype(np.int64) + 1
    start = index.to_numpy("datetime64[D]").astype(np.int64)
    out = {}
    for h in horizons:
        years = int(h[:-1])
        horizon_end = (index + pd.DateOffset(years=years)).to_numpy("datetime64[D]").astype(np.int64)
        part = np.flatnonzero(cohort.participants)
        p_end = np.minimum(horizon_end[part], end_of_data[part])
        actual = _peer_costs(cohort, part, start[part], p_end)
        ctrl = cohort.ids.get_indexer(pairs[h].set_index("treated").loc[cohort.ids[part], "control"])
        complete = horizon_end[part] <= end_of_data[part]
        c_end = np.where(complete, horizon_end[ctrl], start[ctrl] + (p_end - start[part]))
        expected = _peer_costs(cohort, ctrl, start[ctrl], c_end)
        d = expected - actual
        if resamples:
            ci = stats.bootstrap((d,), np.sum, n_resamples=resamples, method="BCa", random_state=1,
                                 vectorized=True).confidence_interval
            out[h] = (expected.sum(), actual.sum(), ci.low, ci.high)
        else:
            out[h] = (expected.sum(), actual.sum(), np.nan, np.nan)
    return out


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def _peak_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--historical", type=int, default=1_000_000)
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--match", action="store_true", help="match with utfall.match instead of fixed pairs")
    parser.add_argument("--no-peer", action="store_true")
    args = parser.parse_args(argv)
    horizons = ["2y", "3y"]

    t0 = time.perf_counter()
    tables = register(args.historical, args.participants)
    t1 = time.perf_counter()
    cohort = utfall.Cohort.from_frames(*tables, data_end=str(DATA_END), base_year=2020)
    cohort.fingerprints()
    t2 = time.perf_counter()
    print(f"register: {len(cohort):,} individuals, {len(cohort.episodes):,} episodes, "
          f"{len(cohort.costs_ledger):,} ledger rows; generated in {t1 - t0:.1f} s, "
          f"cohort built and fingerprinted in {t2 - t1:.1f} s")
    if args.match:
        matching = {"covariates": ["sex", "age", "prior_cost_total", "prior_placements"], "lookback": "2y"}
        label = "utfall.match 1:1 nearest, logit"
    else:
        matching = fixed_pairs(cohort, horizons)
        label = "fixed 1:1 pairs"

    _reset_peak()
    t3 = time.perf_counter()
    ev = utfall.evaluate(cohort, matching, horizons=horizons, intervention_cost=7.5e6 * args.participants / 60,
                         bootstrap={"n_resamples": args.resamples} if args.resamples else False,
                         seed=2016, progress=False)
    t4 = time.perf_counter()
    peak = _peak_mb()
    print(f"utfall.evaluate ({label}, 2y and 3y, {args.resamples} BCa resamples, trajectory bands): "
          f"{t4 - t3:.2f} s, peak RSS {peak:,.0f} MB (process, incl. the data), {os.cpu_count()} cores")
    s = ev.summary(readable=False)
    print(s[["status", "expected_total", "actual_total", "savings_total", "savings_low", "savings_high",
             "p_savings_positive"]].to_string())
    if not args.no_peer and not args.match:
        t5 = time.perf_counter()
        ref = peer(cohort, matching, horizons, args.resamples)
        t6 = time.perf_counter()
        for h in horizons:
            e, a, lo, hi = ref[h]
            assert abs(e - s.loc[h, "expected_total"]) <= 1e-9 * abs(e), (h, e, s.loc[h, "expected_total"])
            assert abs(a - s.loc[h, "actual_total"]) <= 1e-9 * abs(a), (h, a, s.loc[h, "actual_total"])
            print(f"peer {h}: expected {e:,.0f}, actual {a:,.0f}, BCa [{lo:,.0f}, {hi:,.0f}] (scipy, seed differs)")
        print(f"peer (numpy/pandas costs + scipy.stats.bootstrap BCa, no trajectory): {t6 - t5:.2f} s; "
              f"ratio peer/utfall {(t6 - t5) / (t4 - t3):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
