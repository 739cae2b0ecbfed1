"""utfall.socioeconomic: 10,000 Monte Carlo replicates of a calculation with 7 actors over 30 years.

    python bench/bench_socioeconomic.py [--replicates 10000] [--actors 7] [--years 30]

Target: ``Calculation.simulate`` (cash flows per actor x year x replicate, discounting,
NPV, PV of benefits and costs, break-even, payback and hump per replicate, the
cumulative positions kept for the bands) under 0.2 s; also timed with its summary
(intervals, probabilities) and one band. The peer is the same computation written
as vectorised numpy on the same data in the same process (a (B, A, T) array of
flows, cumulative sums, first crossings); the script checks that the two agree.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from utfall.socioeconomic import Calculation, Distribution, Evidence


def best_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def build(n: int, n_actors: int, years: int):
    rng = np.random.default_rng(2016)
    actors = [f"actor {k}" for k in range(n_actors)]
    calc = Calculation(actors, horizon_years=years, discount_rate="green book", base_year=2016)
    effects = []
    for k, actor in enumerate(actors):
        calc.cost(actor, [0, 1, 2], 1e6 * (1 + k), label=f"intervention {k}")
        # an effect with bootstrap-like replicates per year (e.g. from an evaluation), growing over time
        mean = 1e5 * (1 + k) * np.linspace(0.5, 2.0, years - 1)
        reps = mean[None, :] * rng.lognormal(0.0, 0.5, size=(n, 1)) + rng.normal(0, 2e4, size=(n, years - 1))
        ev = Evidence(mean, reps, unit="SEK", label=f"effect {k}")
        calc.add_effect(actor, ev, start=1, label=f"effect {k}")
        effects.append((k, ev))
    calc.add(actors[-1], list(range(1, years)), Distribution.normal(2e5, 5e4), label="uncertain benefit")
    calc.transfer(actors[0], actors[1], 4, 5e5, label="outcome payment")
    return calc, effects


def numpy_peer(calc, effects, n):
    """The same computation in vectorised numpy (without the distribution and the transfer)."""
    a_n, t_n = len(calc.actors), calc.horizon_years
    d = calc.discount_factors
    flows = np.zeros((n, a_n, t_n))
    for k, ev in effects:
        flows[:, k, 0:3] -= 1e6 * (1 + k)
        flows[:, k, 1:] += ev.replicates()[:n]
    society = flows.sum(axis=1)
    allf = np.concatenate([flows, society[:, None, :]], axis=1)
    disc = allf * d
    cum = np.cumsum(disc, axis=2)
    npv = cum[..., -1]
    hit = cum >= 0
    be = np.where(hit.any(axis=2), hit.argmax(axis=2), -1)
    depth = np.minimum(cum.min(axis=2), 0.0)
    return npv, be, depth


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--replicates", type=int, default=10_000)
    p.add_argument("--actors", type=int, default=7)
    p.add_argument("--years", type=int, default=30)
    args = p.parse_args()
    n = args.replicates
    calc, effects = build(n, args.actors, args.years)
    t_sim, sim = best_of(lambda: calc.simulate(n, seed=1))
    t_all, _ = best_of(lambda: (lambda s: (s.summary(), s.band()))(calc.simulate(n, seed=1)))

    bare, bare_effects = build(n, args.actors, args.years)
    bare.items = [it for it in bare.items if it.label not in ("uncertain benefit", "outcome payment")]
    t_ours_bare, ours = best_of(lambda: bare.simulate(n, seed=1))
    t_peer, (npv, be, depth) = best_of(lambda: numpy_peer(bare, bare_effects, n))
    for e, name in enumerate(bare.actors + ["society"]):
        actor = None if name == "society" else name
        np.testing.assert_allclose(ours.npv(actor), npv[:, e], rtol=1e-9)
        assert np.array_equal(ours.break_even_years(actor), be[:, e]), name
    print(f"{n:,} replicates x {args.actors} actors x {args.years} years")
    print(f"  utfall simulate (full calculation):          {t_sim * 1e3:7.1f} ms   target < 200 ms")
    print(f"  utfall simulate + summary + one band:        {t_all * 1e3:7.1f} ms")
    print(f"  utfall simulate, effects and costs only:     {t_ours_bare * 1e3:7.1f} ms")
    print(f"  numpy peer, same effects and costs:          {t_peer * 1e3:7.1f} ms   ratio peer/utfall "
          f"{t_peer / t_ours_bare:.2f}")
    print(f"  (NPV and break-even years agree with the peer; society NPV 95% interval "
          f"{sim.interval()[0] / 1e6:,.1f} .. {sim.interval()[1] / 1e6:,.1f} MSEK)")


if __name__ == "__main__":
    main()
