"""A sick-leave contract settled on an evaluation: observed, and over every bootstrap replicate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Optional

import numpy as np
import pandas as pd

from ..errors import SpecError

#: The metrics a sick-leave evaluation gives a contract (columns of its table).
METRICS = ("se", "sn", "difference", "reduction", "percent", "saving", "employee_months", "value_of_a_day")


@dataclass
class SickLeaveSettlement:
    """The payment of ``contract`` on one group's evaluation.

    ``table``: each tranche and the total, observed amount (SEK), expected amount over the
    replicates and the probability it is paid; ``distribution``: the total payment in every
    bootstrap replicate; ``p_investor_loses``: the share of replicates in which the party that
    carries the risk gets back less than it put in.
    """

    group: Any
    table: pd.DataFrame
    distribution: np.ndarray
    p_investor_loses: float

    def __repr__(self) -> str:
        total = self.table.loc["total"]
        return (f"SickLeaveSettlement({self.group}: total {total['observed (SEK)'] / 1e6:,.3f} MSEK, expected "
                f"{total['expected (SEK)'] / 1e6:,.3f} MSEK, P(loss) {self.p_investor_loses:.0%})")

    def _repr_html_(self) -> str:
        return f"<p><b>utfall.sickleave</b> {repr(self)}</p>" + self.table.to_html(float_format="{:,.2f}".format)


def settle(evaluation: Any, contract: Any, group: Optional[Any] = None) -> SickLeaveSettlement:
    """Settles ``contract`` on ``evaluation``'s metrics for ``group`` (its only group by default).

    The metrics are the evaluation table's ``se``, ``sn``, ``difference``, ``reduction``
    (net days per employee-month), ``percent`` (the relative reduction, 0.12 = 12 %),
    ``saving`` (SEK), ``employee_months`` and ``value_of_a_day``: a provider paid on
    the reduction in percent reads ``percent``.
    """
    table = evaluation.table
    if group is None:
        if len(table) != 1:
            raise SpecError(f"settle: give group= (one of {list(table.index)})")
        group = table.index[0]
    if group not in table.index:
        raise SpecError(f"settle: no group {group!r}; the evaluation has {list(table.index)}")
    unknown = [m for m in contract.metrics if m not in METRICS]
    if unknown:
        raise SpecError(f"the contract reads {unknown}, which a sick-leave evaluation does not give; "
                        f"it gives {list(METRICS)}")
    row = table.loc[group]
    observed = contract.settle_arrays({m: np.array([float(row[m])]) for m in METRICS})
    replicates = evaluation.replicates[group]
    n = len(replicates)
    draws: Dict[str, np.ndarray] = {m: (replicates[m].to_numpy(np.float64) if m in replicates.columns
                                        else np.full(n, float(row[m]))) for m in METRICS}
    risky = contract.settle_arrays(draws)
    names = list(contract.tranche_names)
    rows = {name: [float(observed["amounts"][k][0]), float(np.mean(risky["amounts"][k])),
                   float(np.mean(risky["amounts"][k] > 0))] for k, name in enumerate(names)}
    total = np.asarray(risky["total"], dtype=np.float64)
    rows["total"] = [float(observed["total"][0]), float(np.mean(total)), float(np.mean(total > 0))]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["observed (SEK)", "expected (SEK)", "P(paid)"])
    return SickLeaveSettlement(group=group, table=out, distribution=total,
                               p_investor_loses=float(np.mean(total < contract.funding)))
