"""The Monte Carlo result of a calculation: intervals, probabilities and bands."""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Optional, Tuple

import numpy as np
import pandas as pd

from .. import _core
from .._validation import confidence_levels, whole_number
from ._model import Run

MSEK = 1e6


class Simulation:
    """A calculation over ``n_replicates`` Monte Carlo replicates (from :meth:`Calculation.simulate`).

    Intervals are percentile intervals over the replicates (numpy's linear
    quantile rule). When the effects come from an :class:`utfall.Evaluation`,
    replicate ``b`` carries the evaluation's own bootstrap replicate ``b``: the
    interval of the social services' NPV is the evaluation's uncertainty
    carried through the calculation.

    Attributes
    ----------
    calculation : Calculation
    n_replicates, seed : int
    confidence_level : float
    """

    def __init__(self, calculation: Any, run: Run, *, seed: int, confidence_level: float) -> None:
        self.calculation = calculation
        self._run = run
        self.seed = seed
        self.confidence_level = confidence_levels(confidence_level)[0]
        self.n_replicates = int(run.raw["npv"].shape[0])
        self.entities = run.entities

    def _entity(self, actor: Optional[str]) -> str:
        return str(self.calculation._entity(actor))

    def npv(self, actor: Optional[str] = None) -> np.ndarray:
        """The net present value of ``actor`` (None: society) in every replicate."""
        return self._run.column("npv", self._entity(actor)).copy()

    def break_even_years(self, actor: Optional[str] = None, discounted: bool = True) -> np.ndarray:
        """The break-even year in every replicate (-1: not within the horizon)."""
        name = "break_even" if discounted else "break_even_nominal"
        return self._run.column(name, self._entity(actor)).copy()

    def interval(self, actor: Optional[str] = None, what: str = "npv") -> Tuple[float, float]:
        """The percentile interval of ``what`` (``"npv"``, ``"hump_depth"``, ``"pv_benefits"``, ...)."""
        a = (1 - self.confidence_level) / 2
        low, high = np.quantile(self._run.column(what, self._entity(actor)), [a, 1 - a])
        return float(low), float(high)

    def p_positive(self, actor: Optional[str] = None) -> float:
        """P(NPV > 0)."""
        return float(np.mean(self.npv(actor) > 0))

    def p_break_even_within(self, years: Optional[int] = None, actor: Optional[str] = None,
                            discounted: bool = True) -> float:
        """P(break-even year <= years - 1); ``years`` defaults to the term of office."""
        calc = self.calculation
        n = calc.term_years if years is None else whole_number(years, "years", 1, calc.horizon_years)
        be = self.break_even_years(actor, discounted)
        return float(np.mean((be >= 0) & (be <= n - 1)))

    def band(self, actor: Optional[str] = None, level: Optional[float] = None) -> pd.DataFrame:
        """The pointwise band of the cumulative discounted position, year by year:
        ``low``, ``median``, ``high`` over the replicates (numpy's linear quantiles)."""
        level = self.confidence_level if level is None else confidence_levels(level)[0]
        e = self.entities.index(self._entity(actor))
        t_n = self.calculation.horizon_years
        columns = self._run.raw["cumulative"][:, e * t_n:(e + 1) * t_n]
        a = (1 - level) / 2
        q = _core.quantile_bands(np.ascontiguousarray(columns), [a, 0.5, 1 - a])
        return pd.DataFrame(q, columns=["low", "median", "high"],
                            index=pd.Index(self.calculation.base_year + np.arange(t_n), name="year"))

    def summary(self) -> pd.DataFrame:
        """Per actor and society: the point NPV, the mean and interval over the replicates,
        P(NPV > 0), P(break-even within the term) and the interval of the hump depth (MSEK)."""
        calc = self.calculation
        point = calc.results()
        c = f"M{calc.currency}"
        lvl = f"{self.confidence_level:.0%}"
        rows = []
        for e in self.entities:
            actor = None if e == "society" else e
            low, high = self.interval(actor)
            hlow, hhigh = self.interval(actor, "hump_depth")
            rows.append({"actor": e, f"NPV ({c})": point.loc[e, "npv"] / MSEK,
                         f"mean NPV ({c})": float(np.mean(self.npv(actor))) / MSEK,
                         f"NPV low {lvl} ({c})": low / MSEK, f"NPV high {lvl} ({c})": high / MSEK,
                         "P(NPV > 0)": self.p_positive(actor),
                         f"P(break-even within {calc.term_years} years)": self.p_break_even_within(None, actor),
                         f"hump low {lvl} ({c})": hlow / MSEK, f"hump high {lvl} ({c})": hhigh / MSEK})
        return pd.DataFrame(rows).set_index("actor")

    def to_dict(self) -> Dict[str, Any]:
        """The simulation's record: seed, replicates, every summary number and a SHA-256 of the NPV replicates."""
        npv = np.ascontiguousarray(self._run.raw["npv"])
        table = self.summary()
        return {"seed": self.seed, "n_replicates": self.n_replicates, "confidence_level": self.confidence_level,
                "summary": {str(e): {str(k): float(v) for k, v in row.items()} for e, row in table.iterrows()},
                "npv_sha256": hashlib.sha256(npv.tobytes()).hexdigest()}

    def plot_hump(self, actors: Any = None, ax: Any = None, scale: float = MSEK) -> Any:
        """The cumulative discounted position per actor with its band (see :meth:`Calculation.plot_hump`)."""
        return self.calculation.plot_hump(actors=actors, simulation=self, ax=ax, scale=scale)

    def __repr__(self) -> str:
        calc = self.calculation
        lines = [f"Simulation({self.n_replicates} replicates, seed {self.seed}, {self.confidence_level:.0%} "
                 "percentile intervals)"]
        for e in self.entities:
            actor = None if e == "society" else e
            low, high = self.interval(actor)
            lines.append(f"  {e}: NPV [{low / MSEK:,.2f}, {high / MSEK:,.2f}] M{calc.currency}, "
                         f"P(NPV > 0) = {self.p_positive(actor):.2f}, P(break-even within {calc.term_years} "
                         f"years) = {self.p_break_even_within(None, actor):.2f}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = (f"<p><b>utfall.socioeconomic.Simulation</b>: {self.n_replicates} replicates, seed {self.seed}</p>")
        return head + self.summary().to_html(float_format=lambda v: f"{v:,.2f}")
