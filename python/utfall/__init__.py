"""utfall: statistical impact evaluation for social outcomes contracts.

Historical comparison-group matching, expected costs per individual over
aligned follow-up windows, bootstrap confidence intervals, concentration
analysis and reproducible batch re-evaluation, with a Rust core.

One subpackage per concept, as in the Rust crate: :mod:`utfall.cohort`,
:mod:`utfall.matching`, :mod:`utfall.expected`, :mod:`utfall.resampling` (the
bootstrap), :mod:`utfall.inequality` (concentration), :mod:`utfall.evaluation`
and :mod:`utfall.synthetic`; the names below are the public API.
"""

from __future__ import annotations

from . import datasets, synthetic
from ._core import __version__
from .cohort import Cohort
from .errors import (
    BootstrapWarning,
    ComputationError,
    DataError,
    ReproductionError,
    SpecError,
    UtfallError,
    UtfallWarning,
)
from .evaluation import Evaluation, evaluate, evaluate_many, load_evaluation, reproduce
from .inequality import Concentration, concentration, lorenz_curve
from .matching import MatchResult, MatchSet, match
from .resampling import BootstrapResult, bootstrap

__all__ = [
    "BootstrapResult",
    "BootstrapWarning",
    "Cohort",
    "ComputationError",
    "Concentration",
    "DataError",
    "Evaluation",
    "MatchResult",
    "MatchSet",
    "ReproductionError",
    "SpecError",
    "UtfallError",
    "UtfallWarning",
    "__version__",
    "bootstrap",
    "concentration",
    "datasets",
    "evaluate",
    "evaluate_many",
    "load_evaluation",
    "lorenz_curve",
    "match",
    "reproduce",
    "synthetic",
]
