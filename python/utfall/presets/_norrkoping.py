"""The canonical evaluation of the synthetic register: Norrköping's design in one named place."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, Tuple

from ..cohort import Cohort
from ..contract import Contract, Settlement, change_scores
from ..evaluation import Evaluation, evaluate
from ..synthetic import outcomes, register

#: Matching covariates: the individuals' own columns and two years of care history before the index date.
COVARIATES: Tuple[str, ...] = ("age", "sex", "diagnosis", "substance_use", "prior_care_days_HVB",
                               "prior_care_days_SiS", "prior_care_days_foster_home", "prior_placements",
                               "prior_cost_total")


@dataclass(frozen=True)
class Preset:
    """A named evaluation design: the register it runs on and every argument of :func:`utfall.evaluate`.

    The demo (``utfall demo``), the README's example and notebook 1 all run
    :func:`norrkoping`, so they print the same savings to the last digit.
    :meth:`replace` gives a variant (notebook 2 changes nothing but says what it
    looks at); a variant is a different design, and its results differ.

    Attributes
    ----------
    name : str
    n_participants, n_historical, register_seed : int
        The synthetic register (:func:`utfall.synthetic.register`).
    matching : dict
        The arguments of :func:`utfall.match`, redone at each horizon.
    horizons : tuple of str
    cost_per_participant : float
        The intervention's cost per participant in SEK (7.5 MSEK for 60 in Norrköping); the
        evaluation's ``intervention_cost`` is this times the cohort's participants.
    bootstrap : dict
    seed : int
        The evaluation's seed.
    """

    name: str
    n_participants: int
    n_historical: int
    register_seed: int
    matching: Dict[str, Any] = field(default_factory=dict)
    horizons: Tuple[str, ...] = ("2y", "3y")
    cost_per_participant: float = 125_000.0
    bootstrap: Dict[str, Any] = field(default_factory=dict)
    seed: int = 2016

    def cohort(self) -> Cohort:
        """The synthetic register of this design."""
        made = register(self.n_participants, self.n_historical, seed=self.register_seed)
        assert isinstance(made, Cohort)
        return made

    def evaluate_arguments(self, cohort: Cohort) -> Dict[str, Any]:
        """The keyword arguments of :func:`utfall.evaluate` for ``cohort`` (the cost scaled to its participants)."""
        n = int(cohort.participants.sum())
        return {"matching": dict(self.matching), "horizons": self.horizons,
                "intervention_cost": self.cost_per_participant * n,
                "bootstrap": dict(self.bootstrap), "seed": self.seed}

    def evaluate(self, cohort: Any = None, **overrides: Any) -> Evaluation:
        """Run :func:`utfall.evaluate` with this design on ``cohort`` (default: :meth:`cohort`)."""
        cohort = self.cohort() if cohort is None else cohort
        arguments = dict(self.evaluate_arguments(cohort), **overrides)
        return evaluate(cohort, **arguments)

    def settle(self, cohort: Cohort, evaluation: Evaluation, horizon: str = "2y") -> Settlement:
        """Norrköping's contract (:meth:`utfall.Contract.norrkoping`) settled on ``evaluation`` at ``horizon``.

        The funding is the evaluation's intervention cost; the school outcome comes from
        :func:`utfall.synthetic.outcomes` (seed: the evaluation's); funded 2016-08-01, paid 2020-10-01.
        """
        measures = outcomes(cohort, seed=self.seed)
        school = change_scores(measures, "school_before", "school_after", reason="reason",
                               pending=["not home long enough"], seed=self.seed, name="school")
        funding = float(evaluation.summary(readable=False)["intervention_cost"].loc[horizon])
        settled = Contract.norrkoping(funding=funding).settle(evaluation, horizon, {"school": school},
                                                              funding_date="2016-08-01", payment_date="2020-10-01")
        assert isinstance(settled, Settlement)
        return settled

    def replace(self, **changes: Any) -> "Preset":
        """A variant of this design with ``changes`` (dataclass fields)."""
        return replace(self, **changes)


def norrkoping() -> Preset:
    """Norrköping's evaluation (2016-2020) on the synthetic register: the one story of the docs.

    60 participants and 400 historical individuals (seed 2016); each participant
    matched to two historical individuals with replacement on the logit
    propensity score of :data:`COVARIATES` (history: the two years before each
    own index date); horizons 2 and 3 years; an intervention cost of 7.5 MSEK;
    2,000 BCa resamples of matched sets; seed 2016.

    **The trajectory and the per-horizon results.** The matching is redone at
    each horizon among the historical individuals whose follow-up covers that
    horizon (fewer have three years than two). So the 3-year trajectory at
    month 24 is the 2-year sum of the comparison group matched for *three*
    years, while the 2-year result uses the group matched for two: they differ,
    and the per-horizon results are the ones a contract settles on.

    Examples
    --------
    >>> preset = norrkoping()
    >>> ev = preset.evaluate(bootstrap=False)
    >>> ev.horizons, round(float(ev.summary(readable=False).loc["2y", "savings_total"]) / 1e6, 1)
    (['2y', '3y'], -3.1)
    """
    return Preset(name="norrkoping", n_participants=60, n_historical=400, register_seed=2016,
                  matching={"covariates": list(COVARIATES), "lookback": "2y", "ratio": 2, "replace": True},
                  horizons=("2y", "3y"), cost_per_participant=125_000.0,
                  bootstrap={"n_resamples": 2000, "method": "bca"}, seed=2016)
