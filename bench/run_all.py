"""Runs the scaling benchmarks and, with ``--check``, fails when utfall lost ground to a peer.

    python bench/run_all.py            # the scaling curves (bench/scaling.py), full sizes
    python bench/run_all.py --record   # quick sizes, and records each ratio in bench/baseline.json
    python bench/run_all.py --record --from bench/out/scaling.json   # the ratios of a full run's quick sizes
    python bench/run_all.py --check    # quick sizes; exit 1 if a ratio fell more than 30 % below its record

Ratios (peer time / utfall time, at the largest quick size: the third) are compared rather than
times, so the check holds across machines of one kind as long as both sides run in the
same process on the same data. Run by hand on a quiet machine, never in CI.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scaling  # noqa: E402

BASELINE = HERE / "baseline.json"
TOLERANCE = 0.30


def ratios(results: dict) -> dict:
    """Peer time / utfall time per engine at the largest quick size."""
    return {name: r["ratio_at_quick"] for name, r in results.items() if "ratio_at_quick" in r}


def main() -> int:
    parser = argparse.ArgumentParser()
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true")
    mode.add_argument("--record", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--from", dest="source", type=Path,
                        help="with --record: take the ratios from a scaling.py --json file instead of a new run")
    args = parser.parse_args()
    if not (args.check or args.record):
        scaling.main()
        return 0
    if args.record and args.source:
        now = ratios(json.loads(args.source.read_text()))
    else:
        now = ratios(scaling.run(quick=True, repeat=args.repeat))
    if args.record:
        BASELINE.write_text(json.dumps(now, indent=1) + "\n")
        print(f"recorded {len(now)} ratios in {BASELINE}")
        return 0
    recorded = json.loads(BASELINE.read_text())
    failed = []
    for name, ratio in recorded.items():
        got = now.get(name)
        verdict = "missing" if got is None else ("ok" if got >= (1 - TOLERANCE) * ratio else "REGRESSED")
        print(f"{name:46s} recorded {ratio:8.1f}  now {got if got is None else round(got, 1)!s:>8}  {verdict}")
        if verdict != "ok":
            failed.append(name)
    if failed:
        print(f"{len(failed)} ratio(s) fell more than {TOLERANCE:.0%} below the record: {failed}")
        return 1
    print("every ratio holds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
