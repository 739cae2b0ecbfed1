#!/usr/bin/env bash
# The whole test suite: installs utfall with its test dependencies (building the
# Rust extension), then checks formatting and lints (rustfmt, clippy with warnings
# as errors, ruff, mypy --strict), runs the Rust tests, the stub check and pytest,
# which also runs the doctests, executes every notebook, builds the API reference
# and installs the wheel into a venv without Rust or network.
#
# Deterministic on every run: proptest uses a fixed seed and writes no
# failure files, Hypothesis runs its derandomised "ci" profile without an
# example database (tests/conftest.py). The fuzz targets (Rust: src/fuzz.rs;
# Python: tests/test_boundary_fuzz.py, tests/test_cohort_fuzz.py) are part of
# it, bounded to a few seconds each.
# pytest runs on up to four cores (pytest-xdist): no test depends on the
# worker or the order that runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
cargo fmt --check
cargo clippy --quiet --all-targets --features python -- -D warnings
PROPTEST_RNG_SEED=20160101 PROPTEST_DISABLE_FAILURE_PERSISTENCE=1 cargo test --quiet
python3 -m ruff check python tests bench
python3 -m mypy  # --strict on the package (pyproject.toml [tool.mypy])
python3 -m mypy.stubtest utfall._core --allowlist tests/stubtest_allowlist.txt
HYPOTHESIS_PROFILE=ci python3 -m pytest -q -p no:cacheprovider --hypothesis-profile=ci --numprocesses=auto --maxprocesses=4
