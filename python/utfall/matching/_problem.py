"""One matching problem as every method sees it: the units, the treatment and the options.

:func:`utfall.match` checks its arguments once and builds an :class:`Options`
and a :class:`Problem`; the distance step (:mod:`._distance`) and the method
(looked up in :data:`._registry.METHODS`, as MatchIt's ``matchit2<method>``)
each take the problem and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional

import numpy as np
import pandas as pd

from .. import _core, _typing
from ._design import design

#: Why a treated unit was left unmatched, by the core's reason code.
REASONS = dict(enumerate(_core.UNMATCHED_REASONS))


@dataclass(frozen=True)
class Options:
    """The options of :func:`utfall.match`, checked, grouped as MatchIt groups them."""

    method: str = "nearest"
    distance: Any = "logit"
    ratio: int = 1
    replace: bool = False
    caliper: Optional[float] = None          # the score's caliper (MatchIt's unnamed entry)
    std_caliper: bool = True                 # ... in standard deviations of the score
    exact: List[str] = field(default_factory=list)
    order: Optional[_typing.MatchOrder] = None
    seed: Optional[int] = None
    cutpoints: Optional[Mapping[str, Any]] = None
    progress: bool = True
    # MatchIt's options that apply to nearest, optimal and full matching alike:
    covariate_calipers: Dict[str, float] = field(default_factory=dict)   # named entries of caliper=
    covariate_std_caliper: Dict[str, bool] = field(default_factory=dict)  # their std_caliper=
    antiexact: List[str] = field(default_factory=list)
    mahvars: List[str] = field(default_factory=list)
    discard: str = "none"                    # "none", "treated", "control", "both"
    reestimate: bool = False
    estimand: _typing.Estimand = "ATT"
    subclass: Optional[int] = None           # method="subclass": the number of subclasses (6)
    min_n: Optional[int] = None              # method="subclass": units of each group per subclass (1)
    min_controls: Optional[float] = None     # method="full": controls per treated unit, at least (0)
    max_controls: Optional[float] = None     # method="full": controls per treated unit, at most (inf)


@dataclass
class Problem:
    """The units of one matching (one horizon's pool for a cohort)."""

    frame: pd.DataFrame          # one row per unit, positions 0..n-1
    treat: np.ndarray            # bool, treated units
    index: pd.Index              # the units' ids, named "id"
    covariates: List[str]
    options: Options
    spec: Dict[str, Any]         # what the result records; methods add what they decided
    table: str                   # the name errors use: "data" or "individuals"
    unit_id: Optional[np.ndarray] = None        # person codes when a person may serve only once
    discarded_ids: Optional[pd.Index] = None    # units outside the pool (reported, not matched)
    s_weights: Optional[np.ndarray] = None      # sampling weights per unit (MatchIt's s.weights)
    discarded: Optional[np.ndarray] = None      # bool, outside the common support (set by the distance step)

    @property
    def focal(self) -> np.ndarray:
        """The units that are matched to (MatchIt's focal group): the treated for the ATT, the controls for the ATC."""
        return ~self.treat if self.options.estimand == "ATC" else self.treat

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def n_treated(self) -> int:
        return int(np.count_nonzero(self.treat))

    def balance_columns(self) -> Callable[[], pd.DataFrame]:
        """The covariates (and exact columns) a balance table reports, built when asked for."""
        # As MatchIt's X: the covariates, then exact, mahvars, caliper and antiexact columns not among them.
        names: List[str] = []
        for c in (list(self.covariates) + list(self.options.exact) + list(self.options.mahvars)
                  + list(self.options.covariate_calipers) + list(self.options.antiexact)):
            if c not in names:
                names.append(c)
        frame, index, table = self.frame, self.index, self.table
        return lambda: design(frame, names, index, table, all_levels=True)
