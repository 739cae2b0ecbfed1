"""Can the comparison be trusted? Sensitivity to hidden bias, placebo checks in time, pre-period checks.

- :func:`validity_checks` (behind :meth:`Evaluation.validity`): all of it in one table,
  kept in the audit record; :func:`plot_validity` draws it.
- :func:`rosenbaum_bounds`: how large a hidden bias (Rosenbaum's Gamma) would change the
  conclusion "savings > 0", with Hodges-Lehmann bounds on the savings in kronor, the
  payment at each Gamma and the E-value of the ratio of expected to actual costs; built
  on :func:`psens`, :func:`senmv`, :func:`hodges_lehmann`, :func:`sensitivity_gamma`,
  :func:`e_value` (as rbounds and sensitivitymv compute them).
- :func:`placebo_in_time`: the "savings" of later historical individuals evaluated as if
  they were participants: the drift between periods, in kronor.
- :func:`pre_period`: participants against their comparison individuals before index.
"""

from ..evaluation import provide_validity
from ._bounds import SensitivityResult, rosenbaum_bounds
from ._checks import plot_validity, validity_checks
from ._placebo import PlaceboResult, placebo_in_time
from ._preperiod import pre_period
from ._tests import SenmvResult, e_value, hodges_lehmann, psens, senmv, sensitivity_gamma

provide_validity(validity_checks)

__all__ = [
    "PlaceboResult",
    "SenmvResult",
    "SensitivityResult",
    "e_value",
    "hodges_lehmann",
    "placebo_in_time",
    "plot_validity",
    "pre_period",
    "psens",
    "rosenbaum_bounds",
    "senmv",
    "sensitivity_gamma",
    "validity_checks",
]
