# Type stubs of the compiled core, checked by `python -m mypy.stubtest utfall._core`.
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
    def history(self, lookback: Optional[str] = None) -> Tuple[_Totals, npt.NDArray[np.uint32]]: ...
    def trajectories(self, months: int) -> npt.NDArray[np.float64]: ...
    @staticmethod
    def window_end(start: npt.NDArray[np.int32], horizon_text: str) -> npt.NDArray[np.int32]: ...

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
