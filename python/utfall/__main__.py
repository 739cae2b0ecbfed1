"""The ``utfall`` command line: ``utfall demo``."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="utfall", description="Impact evaluation for social outcomes contracts.")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="run the evaluation on the bundled synthetic register and print a summary")
    demo.add_argument("which", nargs="?", default="placements", choices=["placements", "sickleave"],
                      help="placements (children in residential care, the default) "
                           "or sickleave (the sick-leave contract)")
    demo.add_argument("--seed", type=int, default=None,
                      help="seed of the synthetic register (default 2016; 2018 for sickleave)")
    demo.add_argument("--posts", type=int, default=3000, help="sickleave: posts per municipality (default 3000)")
    demo.add_argument("--participants", type=int, default=60)
    demo.add_argument("--historical", type=int, default=400)
    demo.add_argument("--report", metavar="PATH", default=None,
                      help="also write the evaluation's report for the contract parties (HTML) to PATH")
    demo.add_argument("--language", default="sv", choices=["sv", "en"], help="the report's language (default sv)")
    demo.add_argument("--full", action="store_true",
                      help="print every count, also those of fewer than 5 individuals (the data holder's view)")
    args = parser.parse_args(argv)
    if args.command == "demo" and args.which == "sickleave":
        from .sickleave import run_demo as run_sickleave

        print(run_sickleave(seed=2018 if args.seed is None else args.seed, posts=args.posts))
        return 0
    if args.command == "demo":
        from .demo import run_demo

        args.seed = 2016 if args.seed is None else args.seed
        print(run_demo(seed=args.seed, n_participants=args.participants, n_historical=args.historical,
                       report=args.report, language=args.language, suppress=None if args.full else 5))
        if args.report:
            print(f"\nreport ({args.language}) written to {args.report}")
        return 0
    parser.print_help()
    return 1


if __name__ == "__main__":
    sys.exit(main())
