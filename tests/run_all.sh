#!/usr/bin/env bash
# The whole test suite: installs utfall with its test dependencies (building the
# Rust extension), then checks formatting and lints (rustfmt, clippy with warnings
# as errors, ruff), runs the Rust tests, the stub check and pytest, which also runs
# the doctests and executes every notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
cargo fmt --check
cargo clippy --quiet --all-targets --features python -- -D warnings
cargo test --quiet
python3 -m ruff check python tests bench --extend-ignore E501  # long lines: being wrapped
python3 -m mypy  # --strict on the package (pyproject.toml [tool.mypy])
python3 -m mypy.stubtest utfall._core --allowlist tests/stubtest_allowlist.txt
python3 -m pytest -q
