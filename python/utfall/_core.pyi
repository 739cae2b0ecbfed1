# Type stubs of the compiled core, checked by `python -m mypy.stubtest utfall._core`.
from typing import Any, Dict, Optional, Protocol, Sequence, Tuple, final
from typing import Callable, List

import numpy as np
import numpy.typing as npt

from utfall._typing import (
    CovariateDistance, DiscountTiming, Estimand, GlmFamily, IntervalMethod, MatchOrder, QuantileRule, RosenbaumTest,
    SenmvMethod,
)

__version__: str

_Totals = Tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.bool_], npt.NDArray[np.float64]]

class _CoreInput(Protocol):
    index_date: npt.NDArray[np.int32]
    end_of_data: npt.NDArray[np.int32]
    participant: npt.NDArray[np.bool_]
    episode_individual: npt.NDArray[np.int64]
    episode_start: npt.NDArray[np.int32]
    episode_end: npt.NDArray[np.int32]
    episode_type: npt.NDArray[np.uint32]
    n_types: int
    tariff_type: Optional[npt.NDArray[np.uint32]]
    tariff_from: Optional[npt.NDArray[np.int32]]
    tariff_cost: Optional[npt.NDArray[np.float64]]
    ledger_individual: npt.NDArray[np.int64]
    ledger_date: npt.NDArray[np.int32]
    ledger_amount: npt.NDArray[np.float64]
    ledger_category: npt.NDArray[np.uint32]
    n_categories: int
    price_years: Optional[npt.NDArray[np.int32]]
    price_values: Optional[npt.NDArray[np.float64]]
    base_year: Optional[int]
    allow_overlaps: bool

def days_from_ticks(
    ticks: npt.NDArray[np.int64], per_day: int, first: int, last: int, open_end: Optional[int], missing: int
) -> Tuple[npt.NDArray[np.int32], Optional[int], Optional[int]]: ...
@final
class CohortCore:
    def __new__(cls, input: _CoreInput) -> CohortCore: ...
    def costs(self, horizon_text: str) -> _Totals: ...
    def totals_over(self, start: npt.NDArray[np.int32], end: npt.NDArray[np.int32]) -> _Totals: ...
    def totals_for(self, who: npt.NDArray[np.int64], start: npt.NDArray[np.int32],
                   end: npt.NDArray[np.int32]) -> _Totals: ...
    def history(self, lookback: Optional[str] = None) -> Tuple[_Totals, npt.NDArray[np.uint32]]: ...
    def trajectories(self, months: int) -> npt.NDArray[np.float64]: ...
    @staticmethod
    def window_end(start: npt.NDArray[np.int32], horizon_text: str) -> npt.NDArray[np.int32]: ...

# Documented size limits (src/limits.rs), checked before anything is allocated.
MAX_MONTHS: int
MAX_RATIO: int
MAX_RESAMPLES: int
MAX_SYNTHETIC_INDIVIDUALS: int
MAX_THREADS: int
MAX_VALUES: int

# The allowed strings of every option the core takes, by the name of its alias in
# utfall._typing (src/python/conversion.rs).
VOCABULARIES: Dict[str, Tuple[str, ...]]
# Why a treated unit got no control, by the reason code nearest_match returns.
UNMATCHED_REASONS: Tuple[str, ...]

def synthetic_register(n_participants: int, n_historical: int, seed: int) -> Dict[str, Any]: ...
# Bootstrap (src/python/bootstrap.rs) and concentration (src/python/concentration.rs).

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
    methods: Sequence[IntervalMethod],
    quantile_rule: QuantileRule = ...,
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
def first_repeated_text(offsets: np.ndarray, data: np.ndarray) -> Optional[int]: ...
def first_repeated_integer(values: np.ndarray) -> Optional[int]: ...
def first_repeated_str(values: np.ndarray) -> Optional[int]: ...
def value_range(values: npt.NDArray[np.float64]) -> Tuple[float, float]: ...
def fit_logit(
    columns: List[npt.NDArray[np.float64]], y: npt.NDArray[np.bool_], names: List[str]
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float, int]: ...
def fit_logit_weighted(
    columns: List[npt.NDArray[np.float64]],
    y: npt.NDArray[np.bool_],
    weights: npt.NDArray[np.float64],
    names: List[str],
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float, int]: ...
def whiten(
    x: npt.NDArray[np.float64],
    treat: npt.NDArray[np.bool_],
    eligible: npt.NDArray[np.bool_],
    distance: CovariateDistance,
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
    order_name: Optional[MatchOrder] = None,
    seed: int = 0,
    progress: Optional[Callable[[int, int], None]] = None,
    discarded: Optional[npt.NDArray[np.bool_]] = None,
    antiexact: Optional[List[npt.NDArray[np.uint32]]] = None,
    covariate_calipers: Optional[List[Tuple[npt.NDArray[np.float64], float]]] = None,
    caliper_score: Optional[npt.NDArray[np.float64]] = None,
) -> Tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int8],
    npt.NDArray[np.float64],
    str,
]: ...
# ---------------------------------------------------------------- glm
def fit_glm(
    columns: List[npt.NDArray[np.float64]],
    y: npt.NDArray[np.float64],
    names: List[str],
    family_name: GlmFamily,
    var_power: float = 1.5,
    weights: Optional[npt.NDArray[np.float64]] = None,
    offset: Optional[npt.NDArray[np.float64]] = None,
    epsilon: float = 1e-8,
    max_iterations: int = 25,
) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float, int]: ...
def predict_glm(
    columns: List[npt.NDArray[np.float64]],
    coefficients: List[float],
    family_name: GlmFamily,
    var_power: float = 1.5,
    offset: Optional[npt.NDArray[np.float64]] = None,
) -> npt.NDArray[np.float64]: ...
# ---------------------------------------------------------------- validity
_Bound = Tuple[float, float, float, float, float]

def wilcoxon_pairs(differences: npt.NDArray[np.float64], gamma: float) -> Tuple[_Bound, _Bound]: ...
def hodges_lehmann_pairs(differences: npt.NDArray[np.float64], gamma: float) -> Tuple[float, float]: ...
def senmv(
    values: npt.NDArray[np.float64],
    gamma: float,
    method: Optional[SenmvMethod] = None,
    inner: float = 0.0,
    trim: float = 2.5,
    lambda_: float = 0.5,
    treated_on_total: bool = False,
    tau: float = 0.0,
) -> _Bound: ...
def hodges_lehmann_sets(
    values: npt.NDArray[np.float64],
    gamma: float,
    method: Optional[SenmvMethod] = None,
    inner: float = 0.0,
    trim: float = 2.5,
    lambda_: float = 0.5,
    treated_on_total: bool = False,
) -> float: ...
def sensitivity_gamma(
    values: npt.NDArray[np.float64],
    alpha: float,
    statistic: RosenbaumTest,
    method: Optional[SenmvMethod] = None,
    inner: float = 0.0,
    trim: float = 2.5,
    lambda_: float = 0.5,
    treated_on_total: bool = False,
    max_gamma: float = 1000.0,
) -> Optional[float]: ...
def e_value(ratio: float) -> float: ...

# contract: the payment mechanism, joint replicate sums, tests of change scores
def settle_mechanism(
    tranches: List[
        Tuple[Optional[int], float, float, float, float, float, List[Tuple[int, str, float]]]
    ],
    total_cap: float,
    floor: float,
    metrics: List[npt.NDArray[np.float64]],
) -> Tuple[
    npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.float64], npt.NDArray[np.float64]
]: ...
def replicate_sums(
    seed: int, start: int, count: int, columns: List[npt.NDArray[np.float64]]
) -> npt.NDArray[np.float64]: ...
def binomial_test(x: int, n: int, p: float = 0.5) -> float: ...
def signed_rank_test(changes: npt.NDArray[np.float64]) -> Tuple[float, float, bool, int]: ...

# Expected outcomes from comparison sets (src/python/expected.rs).
def set_means(cohort: CohortCore, horizon_text: str, offsets: np.ndarray, members: np.ndarray,
              weights: Optional[np.ndarray], request_set: np.ndarray, complete: np.ndarray,
              observed_days: np.ndarray, columns: np.ndarray) -> np.ndarray: ...
def cumulative_months(cohort: CohortCore, who: np.ndarray, months: int, columns: np.ndarray) -> np.ndarray: ...
def set_mean_curves(cohort: CohortCore, offsets: np.ndarray, members: np.ndarray, weights: Optional[np.ndarray],
                    requested: np.ndarray, months: int, columns: np.ndarray) -> np.ndarray: ...
def month_ends(starts: np.ndarray, months: int) -> np.ndarray: ...

# Exact and coarsened exact matching (src/python/exact.rs).
def cem_bins(x: np.ndarray, name: str, bins: Optional[int] = None,
             points: Optional[List[float]] = None) -> np.ndarray: ...
def strata_codes(columns: List[np.ndarray], n: int) -> Tuple[np.ndarray, int]: ...
def subclass_match(strata: np.ndarray, n_strata: int, treat: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray,
                                                                                   np.ndarray, np.ndarray,
                                                                                   np.ndarray]: ...

@final
class RematchPlan:
    def __new__(
        cls,
        cohort: CohortCore,
        participants: np.ndarray,
        historical: np.ndarray,
        horizons: List[Tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray]],
        columns: np.ndarray,
        only_complete: bool,
        stratum_codes: Optional[np.ndarray] = None,
        numeric: List[Tuple[np.ndarray, str]] = ...,
        factors: List[List[Tuple[np.ndarray, str]]] = ...,
        covariate_distance: Optional[CovariateDistance] = None,
        ratio: int = 1,
        replace: bool = False,
        caliper: Optional[float] = None,
        std_caliper: bool = True,
        exact: Optional[np.ndarray] = None,
        order: Optional[MatchOrder] = None,
    ) -> RematchPlan: ...
    def replicates(self, seed: int, start: int, count: int) -> np.ndarray: ...
    def jackknife(self, seed: int, start: int, count: int) -> np.ndarray: ...
    def estimate(self, seed: int) -> List[float]: ...
    @property
    def n_participants(self) -> int: ...
    @property
    def n_units(self) -> int: ...

# socioeconomic: the social investment calculation
def discount_factors(rates: List[float], timing: DiscountTiming) -> npt.NDArray[np.float64]: ...
def socioeconomic_simulate(
    discount: List[float],
    n_actors: int,
    sources: List[npt.NDArray[np.float64]],
    components: List[Tuple[int, bool, bool, Optional[int], npt.NDArray[np.float64]]],
    n_replicates: int,
    keep_cumulative: bool = False,
    keep_flows: bool = False,
    n_threads: Optional[int] = None,
) -> Dict[str, np.ndarray]: ...
def quantile_bands(
    values: npt.NDArray[np.float64], probs: List[float], n_threads: Optional[int] = None
) -> npt.NDArray[np.float64]: ...

@final
class SickLeaveCore:
    def __new__(
        cls,
        n_employees: int,
        spell_employee: npt.NDArray[np.int64],
        spell_first: npt.NDArray[np.int32],
        spell_last: npt.NDArray[np.int32],
        spell_extent: npt.NDArray[np.float64],
        employment_employee: Optional[npt.NDArray[np.int64]],
        employment_first: Optional[npt.NDArray[np.int32]],
        employment_last: Optional[npt.NDArray[np.int32]],
        data_end: int,
    ) -> SickLeaveCore: ...
    def net_days(self, first_day: int, last_day: Optional[int], first_month: int,
                 n_months: int) -> npt.NDArray[np.float64]: ...
    def employed(self, first_month: int, n_months: int) -> npt.NDArray[np.float64]: ...
    def spell_starts(self, first_month: int, n_months: int) -> npt.NDArray[np.float64]: ...
    def risk_group(self, day: int, threshold: int, window: str) -> Dict[str, np.ndarray]: ...
    def turnover(self, days: Sequence[int], threshold: int, window: str) -> Tuple[npt.NDArray[np.uint8], List[str]]: ...
    def evaluate(
        self,
        reference_month: int,
        observation_month: int,
        n_months: int,
        trend_ratio: Sequence[float],
        groups: Optional[npt.NDArray[np.int64]],
        n_groups: int,
        clusters: Optional[npt.NDArray[np.uint32]],
        value_of_a_day: Sequence[float],
        n_resamples: int,
        seed: int,
    ) -> List[Dict[str, Any]]: ...
    @property
    def n(self) -> int: ...

def sickleave_synthetic(posts: int, effect: float, seed: int) -> Dict[str, Any]: ...

# Optimal, full and subclass matching (src/python/matching_methods.rs); the Python
# registry does not call them yet (issue 14 continues).
def optimal_match(focal: np.ndarray, eligible: np.ndarray, score: Optional[np.ndarray] = None,
                  coords: Optional[np.ndarray] = None, exact: Optional[np.ndarray] = None,
                  antiexact: List[np.ndarray] = ..., caliper: Optional[Tuple[np.ndarray, float]] = None,
                  covariate_calipers: List[Tuple[np.ndarray, float]] = ..., ratio: int = 1,
                  tol: Optional[float] = None, prune: bool = False) -> Any: ...
def full_match(focal: np.ndarray, eligible: np.ndarray, score: Optional[np.ndarray] = None,
               coords: Optional[np.ndarray] = None, exact: Optional[np.ndarray] = None,
               antiexact: List[np.ndarray] = ..., caliper: Optional[Tuple[np.ndarray, float]] = None,
               covariate_calipers: List[Tuple[np.ndarray, float]] = ..., min_controls: float = 0.0,
               max_controls: float = ..., tol: Optional[float] = None) -> Any: ...
def subclass_weights(subclass: np.ndarray, treat: np.ndarray, estimand_name: Estimand = ...) -> Any: ...
def subclassify(score: np.ndarray, treat: np.ndarray, eligible: np.ndarray, n_subclasses: int = 6, min_n: int = 1,
                estimand_name: Estimand = ...) -> Any: ...
