"""A synthetic register calibrated to the Norrköping figures (see :func:`register`), and
synthetic outcome measures of its participants (:func:`outcomes`)."""

from ._outcomes import OUTCOME_MEASURES, outcomes
from ._register import register

__all__ = ["OUTCOME_MEASURES", "outcomes", "register"]
