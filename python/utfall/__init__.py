"""utfall: statistical impact evaluation for social outcomes contracts.

Historical comparison-group matching, expected costs per individual over
aligned follow-up windows, bootstrap confidence intervals, concentration
analysis and reproducible batch re-evaluation, with a Rust core.
"""

from __future__ import annotations


from ._core import __version__
from . import datasets, synthetic
from .bootstrap import BootstrapResult, bootstrap
from .cohort import Cohort
from .concentration import Concentration, concentration
from .matching import MatchResult, MatchSet, match
from .errors import ComputationError, DataError, ReproductionError, SpecError, UtfallError
from .evaluation import Evaluation, evaluate
from .audit import load_evaluation, reproduce
from .batch import evaluate_many
from . import sickleave

__all__ = [
    "BootstrapResult",
    "Cohort",
    "Concentration",
    "ComputationError",
    "DataError",
    "Evaluation",
    "MatchResult",
    "MatchSet",
    "ReproductionError",
    "SpecError",
    "UtfallError",
    "__version__",
    "datasets",
    "evaluate",
    "evaluate_many",
    "load_evaluation",
    "reproduce",
    "sickleave",
    "synthetic",
    "bootstrap",
    "concentration",
    "match",

]
