"""The ``utfall`` command line: ``utfall demo``."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="utfall", description="Impact evaluation for social outcomes contracts.")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="run the evaluation on the bundled synthetic register and print a summary")
    demo.add_argument("--seed", type=int, default=2016, help="seed of the synthetic register (default 2016)")
    demo.add_argument("--participants", type=int, default=60)
    demo.add_argument("--historical", type=int, default=400)
    args = parser.parse_args(argv)
    if args.command == "demo":
        from .demo import run_demo

        print(run_demo(seed=args.seed, n_participants=args.participants, n_historical=args.historical))
        return 0
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
