"""Expected outcomes and trajectories are bit-identical to those made before they moved into the core.

The golden file was written by tests/data/golden/make_expected_golden.py with the
numpy implementation of utfall 0.1.0; the same script's snapshot is compared here.
"""

import importlib.util
import json
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "data" / "golden"
spec = importlib.util.spec_from_file_location("make_expected_golden", GOLDEN / "make_expected_golden.py")
make = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make)

RECORDED = json.loads((GOLDEN / "expected_golden.json").read_text())
NOW = make.snapshot()


@pytest.mark.parametrize("name", sorted(make.SPECS))
def test_expected_outcomes_are_bit_identical(name):
    recorded, now = RECORDED[name], NOW[name]
    assert now["n_comparison"] == recorded["n_comparison"]
    assert set(now["individuals"]) == set(recorded["individuals"])
    for column, values in recorded["individuals"].items():
        assert now["individuals"][column] == values, column


@pytest.mark.parametrize("name", sorted(make.SPECS))
def test_trajectories_are_bit_identical(name):
    for h, columns in RECORDED[name]["trajectories"].items():
        for column, values in columns.items():
            assert NOW[name]["trajectories"][h][column] == values, (h, column)
