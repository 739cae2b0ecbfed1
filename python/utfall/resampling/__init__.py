"""Bootstrap confidence intervals: a deterministic parallel engine in Rust.

:func:`bootstrap` (also ``utfall.bootstrap``) resamples one sample, paired
data, several samples, strata or clusters, and returns a
:class:`BootstrapResult` with percentile, basic, normal, BCa and studentized
intervals. See :func:`bootstrap` for the designs, statistics and conventions.
"""

from ..errors import BootstrapWarning
from ._engine import MAX_GENERIC_JACKKNIFE, bootstrap
from ._result import BootstrapResult

__all__ = ["BootstrapResult", "BootstrapWarning", "MAX_GENERIC_JACKKNIFE", "bootstrap"]
