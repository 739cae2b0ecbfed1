#!/usr/bin/env bash
# Builds utfall's abi3 wheel (CPython >= 3.9, Linux x86_64, manylinux as checked by maturin)
# and its sdist, and collects a wheelhouse with every dependency, for a closed environment:
#   bash tools/wheelhouse.sh [OUT]            (default OUT: dist/)
# On the closed machine (no compiler, no network):
#   pip install --no-index --find-links OUT/wheelhouse utfall && utfall demo
# The wheelhouse holds wheels for this machine's Python version and platform; for another
# one add e.g. `--python-version 3.10 --only-binary=:all:` to the pip download line.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
mkdir -p "$out/wheelhouse"
maturin build --release --quiet --out "$out"
maturin sdist --out "$out" >/dev/null
wheel=$(ls -t "$out"/utfall-*-abi3-*.whl | head -n 1)
cp "$wheel" "$out/wheelhouse/"
python3 -m pip download --quiet --disable-pip-version-check --dest "$out/wheelhouse" "$wheel"
echo "$wheel"
