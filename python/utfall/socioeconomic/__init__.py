"""The social investment calculation: who pays, who gains, when, and under which scenario.

A :class:`Calculation` holds cash flows per actor (social services, schools,
the region, the state, the individual, the investor) and year: intervention
costs, effects as changed volumes times unit costs from a :class:`UnitCosts`
table (its source recorded, fingerprinted), and transfers between actors (an
outcome payment nets to zero for society). It answers seed 004's questions:
the net present value per actor and for society, the investment hump, the
break-even and payback years, whether it breaks even within the term of
office, who gains and who loses, under full success, half or failure
(:meth:`Calculation.scenario`, :func:`scenarios`), with one-way sensitivity
(:func:`tornado`) and the effect size needed to break even (:func:`effect_needed`).

Effects come from evidence: a number, a :class:`Distribution`, an
:class:`utfall.Evaluation` (its savings per year since index with its own
bootstrap replicates, :func:`from_evaluation`), a contract's
:class:`~utfall.contract.Settlement`, :class:`utfall.ChangeScores`, or any
object with ``per_year()`` and ``replicates()`` (the protocol of
:class:`Evidence`). :meth:`Calculation.simulate` runs the Monte Carlo in the
Rust core (``src/socioeconomic/``): a :class:`Simulation` with intervals,
P(NPV > 0) and P(break-even within the term), the same on any thread count.
"""

from ._calculation import Calculation
from ._discount import GREEN_BOOK
from ._evidence import Distribution, Evidence, from_change_scores, from_evaluation, from_settlement
from ._load import load_calculation
from ._sensitivity import Tornado, default_scenarios, effect_needed, scenarios, tornado
from ._simulation import Simulation
from ._unit_costs import UnitCosts

__all__ = ["GREEN_BOOK", "Calculation", "Distribution", "Evidence", "Simulation", "Tornado", "UnitCosts",
           "default_scenarios", "effect_needed", "from_change_scores", "from_evaluation", "from_settlement",
           "load_calculation", "scenarios", "tornado"]
