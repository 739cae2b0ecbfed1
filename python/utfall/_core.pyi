# Type stubs of the compiled core, checked by `python -m mypy.stubtest utfall._core`.
from typing import Any, Dict, Optional, Tuple, final
from typing import Callable, List, Optional, Tuple, final

import numpy as np
import numpy.typing as npt

__version__: str

_Totals = Tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.bool_], npt.NDArray[np.float64]]

@final
class CohortCore:
    def __new__(
        cls,
        index_date: npt.NDArray[np.int32],
        end_of_data: npt.NDArray[np.int32],
        participant: npt.NDArray[np.bool_],
        episode_individual: npt.NDArray[np.int64],
        episode_start: npt.NDArray[np.int32],
        episode_end: npt.NDArray[np.int32],
        episode_type: npt.NDArray[np.uint32],
        n_types: int,
        tariff_type: Optional[npt.NDArray[np.uint32]],
        tariff_from: Optional[npt.NDArray[np.int32]],
        tariff_cost: Optional[npt.NDArray[np.float64]],
        ledger_individual: npt.NDArray[np.int64],
        ledger_date: npt.NDArray[np.int32],
        ledger_amount: npt.NDArray[np.float64],
        ledger_category: npt.NDArray[np.uint32],
        n_categories: int,
        price_years: Optional[npt.NDArray[np.int32]],
        price_values: Optional[npt.NDArray[np.float64]],
        base_year: Optional[int],
        allow_overlaps: bool,
    ) -> CohortCore: ...
    def costs(self, horizon_text: str) -> _Totals: ...
    def totals_over(self, start: npt.NDArray[np.int32], end: npt.NDArray[np.int32]) -> _Totals: ...
    def totals_for(self, who: npt.NDArray[np.int64], start: npt.NDArray[np.int32], end: npt.NDArray[np.int32]) -> _Totals: ...
    def history(self, lookback: Optional[str] = None) -> Tuple[_Totals, npt.NDArray[np.uint32]]: ...
    def trajectories(self, months: int) -> npt.NDArray[np.float64]: ...
    @staticmethod
    def window_end(start: npt.NDArray[np.int32], horizon_text: str) -> npt.NDArray[np.int32]: ...

def synthetic_register(n_participants: int, n_historical: int, seed: int) -> Dict[str, Any]: ...
# Bootstrap (src/python/bootstrap.rs) and concentration (src/python/concentration.rs).
from typing import Any, Dict, List, Sequence

@final
class BootstrapPlan:
    def __new__(
        cls,
        columns: Sequence[npt.NDArray[np.float64]],
        statistic: Sequence[Tuple[str, float]],
        weights: Optional[npt.NDArray[np.float64]] = None,
        samples: Optional[npt.NDArray[np.uint32]] = None,
        strata: Optional[npt.NDArray[np.uint32]] = None,
        clusters: Optional[npt.NDArray[np.uint32]] = None,
    ) -> BootstrapPlan: ...
    def run(
        self, seed: int, start: int, count: int, want_variance: bool = False, n_threads: Optional[int] = None
    ) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
    def estimate(self) -> Tuple[List[float], float]: ...
    def accelerations(self, n_threads: Optional[int] = None) -> List[float]: ...
    @property
    def n_outputs(self) -> int: ...
    @property
    def n_units(self) -> int: ...
    @property
    def n_rows(self) -> int: ...
    @property
    def closed_form_jackknife(self) -> bool: ...
    @property
    def has_variance(self) -> bool: ...

@final
class BootstrapDesign:
    def __new__(
        cls,
        n_rows: int,
        samples: Optional[npt.NDArray[np.uint32]] = None,
        strata: Optional[npt.NDArray[np.uint32]] = None,
        clusters: Optional[npt.NDArray[np.uint32]] = None,
    ) -> BootstrapDesign: ...
    def resample_rows(self, seed: int, r: int) -> npt.NDArray[np.uint32]: ...
    def units(self) -> Tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint64]]: ...
    def segments(self) -> List[Tuple[int, int]]: ...

def bootstrap_summary(
    replicates: npt.NDArray[np.float64],
    estimate: float,
    acceleration: float,
    levels: Sequence[float],
    methods: Sequence[str],
    quantile_rule: str = "r",
    variances: Optional[npt.NDArray[np.float64]] = None,
    variance0: Optional[float] = None,
) -> Dict[str, Any]: ...
def jackknife_acceleration(loo: npt.NDArray[np.float64], segments: Sequence[Tuple[int, int]]) -> float: ...
def concentration_measures(
    values: npt.NDArray[np.float64],
    measures: Sequence[Tuple[str, float]],
    weights: Optional[npt.NDArray[np.float64]] = None,
) -> List[float]: ...
# ---------------------------------------------------------------- matching
def fit_logit(
    columns: List[npt.NDArray[np.float64]], y: npt.NDArray[np.bool_], names: List[str]
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float, int]: ...
def whiten(
    x: npt.NDArray[np.float64],
    treat: npt.NDArray[np.bool_],
    eligible: npt.NDArray[np.bool_],
    distance: str,
    names: List[str],
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], List[int]]: ...
def nearest_match(
    treat: npt.NDArray[np.bool_],
    score: Optional[npt.NDArray[np.float64]] = None,
    coords: Optional[npt.NDArray[np.float64]] = None,
    sort_key: Optional[npt.NDArray[np.float64]] = None,
    exact: Optional[npt.NDArray[np.uint32]] = None,
    unit_id: Optional[npt.NDArray[np.uint32]] = None,
    ratio: int = 1,
    replace: bool = False,
    caliper: Optional[float] = None,
    order_name: Optional[str] = None,
    seed: int = 0,
    progress: Optional[Callable[[int, int], None]] = None,
) -> Tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int8],
    npt.NDArray[np.float64],
    str,
]: ...

# Expected outcomes from comparison sets (src/python/expected.rs).
def set_means(cohort: CohortCore, horizon_text: str, offsets: np.ndarray, members: np.ndarray,
              weights: Optional[np.ndarray], request_set: np.ndarray, complete: np.ndarray,
              observed_days: np.ndarray, columns: np.ndarray) -> np.ndarray: ...
def cumulative_months(cohort: CohortCore, who: np.ndarray, months: int, columns: np.ndarray) -> np.ndarray: ...
def set_mean_curves(cohort: CohortCore, offsets: np.ndarray, members: np.ndarray, weights: Optional[np.ndarray],
                    requested: np.ndarray, months: int, columns: np.ndarray) -> np.ndarray: ...
def month_ends(starts: np.ndarray, months: int) -> np.ndarray: ...
