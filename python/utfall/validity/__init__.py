"""Can the comparison be trusted? Sensitivity to hidden bias, placebo checks in time, pre-period checks.

- :func:`rosenbaum_bounds`: how large a hidden bias (Rosenbaum's Gamma) would change the
  conclusion "savings > 0", with Hodges-Lehmann bounds on the savings in kronor and the
  E-value of the ratio of expected to actual costs; built on :func:`psens`,
  :func:`senmv`, :func:`hodges_lehmann`, :func:`sensitivity_gamma`, :func:`e_value`
  (as rbounds and sensitivitymv compute them).
"""

from ._bounds import SensitivityResult, rosenbaum_bounds
from ._placebo import PlaceboResult, placebo_in_time
from ._tests import SenmvResult, e_value, hodges_lehmann, psens, senmv, sensitivity_gamma

__all__ = [
    "PlaceboResult",
    "placebo_in_time",
    "SenmvResult",
    "SensitivityResult",
    "e_value",
    "hodges_lehmann",
    "psens",
    "rosenbaum_bounds",
    "senmv",
    "sensitivity_gamma",
]
