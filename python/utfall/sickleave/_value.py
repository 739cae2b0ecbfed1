"""The value of a sick day (seed 001, slide 22), as a documented calculation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, Optional

import numpy as np

from ..errors import SpecError
from ._months import whole_months


@dataclass(frozen=True)
class ValueOfADay:
    """The employer's cost of one net day of short-term sick leave, in SEK.

    Seed 001 bases the value on "the municipality's salary level at the
    reference measurement, the Social Insurance Agency's model of the cost of
    sick leave, and a weighting of the qualifying day against days 2-14 from the
    actual sick leave in the reference period". utfall reads that as:

    .. math::

        w &= 12 \\cdot \\text{salary} / 365 \\quad \\text{(salary per calendar day; net days are calendar days)}\\\\
        c_1 &= w \\, (q (1 + h)(1 + a) + o) \\quad \\text{(day 1, the qualifying day)}\\\\
        c_{2-14} &= w \\, (p (1 + h)(1 + a) + o)\\\\
        v &= s_1 c_1 + (1 - s_1) c_{2-14}

    with ``p`` the sick pay of days 2-14 (80 % of salary, sjuklönelagen), ``q``
    that of the qualifying day (0: until 2019 the qualifying day carried no sick
    pay; for the karensavdrag of 2019 on pass its average share),
    ``h`` holiday pay accrued on sick pay (12 %), ``a`` employer contributions
    (31.42 %, arbetsgivaravgifter 2018), ``o`` fixed overheads carried for an
    absent employee (20 % of salary) and ``s_1`` the qualifying days' share of
    the short-term net days in the reference period. ``h``, ``a`` and ``o`` are
    the pre-filled values of Försäkringskassan's calculator "Beräkna kostnader
    för sjukfrånvaro"; its hourly wage (annual salary / 1,880 hours) over the
    1,880/365 hours of a calendar day gives the same ``w``. Replacement staff
    and lost production are not counted; add them through ``overhead``.

    Attributes
    ----------
    salary : float
        Monthly salary, SEK (the register's mean, weighted by employee-months, in the reference period).
    qualifying_share : float
        ``s_1``.
    value : float
        ``v`` in SEK per net day.

    Examples
    --------
    >>> v = ValueOfADay(salary=30_000.0, qualifying_share=0.2)
    >>> round(v.day_1), round(v.days_2_14), round(v.value)
    (197, 1359, 1126)
    """

    salary: float
    qualifying_share: float
    sick_pay: float = 0.80
    qualifying_day_sick_pay: float = 0.0
    holiday_pay: float = 0.12
    employer_contributions: float = 0.3142
    overhead: float = 0.20

    def __post_init__(self) -> None:
        for name in ("salary", "sick_pay", "qualifying_day_sick_pay", "holiday_pay", "employer_contributions",
                     "overhead"):
            v = getattr(self, name)
            if not (np.isfinite(v) and v >= 0):
                raise SpecError(f"{name} must be a non-negative number, got {v}")
        if not 0 <= self.qualifying_share <= 1:
            raise SpecError(f"qualifying_share must be between 0 and 1, got {self.qualifying_share}")

    @property
    def per_calendar_day(self) -> float:
        return 12.0 * self.salary / 365.0

    def _cost(self, pay: float) -> float:
        return self.per_calendar_day * (pay * (1 + self.holiday_pay) * (1 + self.employer_contributions)
                                        + self.overhead)

    @property
    def day_1(self) -> float:
        return self._cost(self.qualifying_day_sick_pay)

    @property
    def days_2_14(self) -> float:
        return self._cost(self.sick_pay)

    @property
    def value(self) -> float:
        return self.qualifying_share * self.day_1 + (1 - self.qualifying_share) * self.days_2_14

    def to_dict(self) -> Dict[str, float]:
        return {**asdict(self), "day_1": self.day_1, "days_2_14": self.days_2_14, "value": self.value}

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return (f"ValueOfADay({self.value:,.0f} SEK per net day: salary {self.salary:,.0f} SEK/month, "
                f"day 1 {self.day_1:,.0f} SEK, days 2-14 {self.days_2_14:,.0f} SEK, "
                f"qualifying share {self.qualifying_share:.1%})")


def value_of_a_day(register: Any, reference: Any, mask: Optional[np.ndarray] = None, **parameters: Any) -> ValueOfADay:
    """The value of a sick day from the register over the ``reference`` period.

    The salary level is the mean monthly ``salary`` of the employees weighted by
    their employee-months in the period; the qualifying share is the day-1 net
    days over the days 1-14 net days of the period. ``mask`` selects employees
    (a group); ``parameters`` override the rates of :class:`ValueOfADay`.
    """
    if "salary" not in register.employees.columns:
        raise SpecError("the register has no salary column: give value_of_a_day= as a number of SEK "
                        "or map a monthly salary column with columns={'employees': {'salary': ...}}")
    first, n = whole_months(reference, "reference")
    core = register._core
    keep = np.ones(register.n, dtype=bool) if mask is None else mask
    months = core.employed(first, n)[keep].sum(axis=1)
    salary = register.employees["salary"].to_numpy(dtype=float)[keep]
    known = ~np.isnan(salary) & (months > 0)
    if not known.any():
        raise SpecError("no employee with a salary was employed in the reference period")
    level = float(np.average(salary[known], weights=months[known]))
    day1 = core.net_days(1, 1, first, n)[keep].sum()
    short = core.net_days(1, 14, first, n)[keep].sum()
    share = float(day1 / short) if short > 0 else 0.0
    return ValueOfADay(salary=level, qualifying_share=share, **parameters)
