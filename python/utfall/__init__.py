"""utfall: statistical impact evaluation for social outcomes contracts.

Historical comparison-group matching, expected costs per individual over
aligned follow-up windows, bootstrap confidence intervals, concentration
analysis and reproducible batch re-evaluation, with a Rust core.

One subpackage per concept, as in the Rust crate: :mod:`utfall.cohort`,
:mod:`utfall.matching`, :mod:`utfall.expected`, :mod:`utfall.resampling` (the
bootstrap), :mod:`utfall.inequality` (concentration), :mod:`utfall.evaluation`,
:mod:`utfall.contract` (settling the contract), :mod:`utfall.socioeconomic` (the social
investment calculation) and :mod:`utfall.synthetic`; the names below are the public API.
"""

from __future__ import annotations

from . import datasets, glm, presets, privacy, report, socioeconomic, synthetic, validity
from ._core import __version__
from ._options import options
from .cohort import Cohort
from .contract import ChangeScores, Contract, change_scores
from .errors import (
    BootstrapWarning,
    ComputationError,
    DataError,
    DisclosureWarning,
    RecordError,
    ReproductionError,
    SpecError,
    UtfallError,
    UtfallWarning,
)
from .evaluation import Evaluation, evaluate, evaluate_many, load_evaluation, reproduce
from .inequality import Concentration, concentration, lorenz_curve
from .matching import MatchResult, MatchSet, match
from .resampling import BootstrapResult, bootstrap
from . import sickleave

__all__ = [
    "BootstrapResult",
    "BootstrapWarning",
    "ChangeScores",
    "Cohort",
    "ComputationError",
    "Contract",
    "Concentration",
    "DataError",
    "DisclosureWarning",
    "Evaluation",
    "MatchResult",
    "MatchSet",
    "RecordError",
    "ReproductionError",
    "SpecError",
    "UtfallError",
    "UtfallWarning",
    "__version__",
    "bootstrap",
    "change_scores",
    "concentration",
    "datasets",
    "evaluate",
    "evaluate_many",
    "glm",
    "load_evaluation",
    "lorenz_curve",
    "match",
    "options",
    "presets",
    "privacy",
    "report",
    "reproduce",
    "sickleave",
    "socioeconomic",
    "synthetic",
    "validity",
]
