"""Exact and coarsened exact matching are bit-identical to the pandas/numpy implementation they replaced.

tests/data/golden/exact_golden.json was written with utfall 0.1.0's Python
implementation (pandas groupby strata, numpy bins and weights) on lalonde, before
the computation moved into the core (src/matching/exact.rs). Weights are hex floats.
"""

import json
from pathlib import Path

import numpy as np
import pytest

import utfall

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden" / "exact_golden.json").read_text())
SPECS = {"cem": dict(method="cem", covariates=["age", "educ", "race", "married", "re74"]),
         "cem_cuts": dict(method="cem", covariates=["age", "educ", "re74"],
                          cutpoints={"age": 4, "re74": [0.0, 5000.0]}),
         "exact": dict(method="exact", covariates=["race", "married", "nodegree"]),
         "nearest_exact": dict(covariates=["age", "educ", "re74"], exact=["race", "married"])}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_exact_matching_is_bit_identical(name):
    m = utfall.match(utfall.datasets.lalonde(), "treat", progress=False, **SPECS[name])
    pairs = m.pairs.sort_values(["treated", "slot"]).reset_index(drop=True)
    gold = GOLDEN[name]
    assert [float(v).hex() for v in m.weights.to_numpy()] == gold["weights"]
    subclass = getattr(m, "subclass", None)
    assert (None if subclass is None else [int(v) for v in np.asarray(subclass)]) == gold["subclass"]
    assert pairs[["treated", "control", "slot"]].astype(str).values.tolist() == gold["pairs"]
    assert sorted(map(str, m.unmatched["id"])) == gold["unmatched"]


def test_an_infinite_covariate_cannot_be_coarsened():
    d = utfall.datasets.lalonde()
    d.loc[3, "re74"] = np.inf
    with pytest.raises(utfall.UtfallError, match="re74"):
        utfall.match(d, "treat", ["age", "re74"], method="cem", progress=False)
