# Type stubs of the compiled core, checked by `python -m mypy.stubtest utfall._core`.
from typing import Any, Dict, Optional, Tuple, final

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
