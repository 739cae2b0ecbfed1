"""The synthetic absence register (generated in Rust), as a :class:`Register`."""

from __future__ import annotations


import numpy as np
import pandas as pd

from .. import _core
from ..errors import SpecError
from ._months import period_months
from ._register import Register

MUNICIPALITIES = ["Kommun A", "Kommun B"]


def synthetic_register(posts: int = 3000, effect: float = 0.15, seed: int = 2018) -> Register:
    """A synthetic absence register of two municipalities, calibrated to the seeds.

    ``posts`` posts per municipality in schools, elder care and home care (45/30/25 %,
    workplaces of 20, 30 and 30), each held by a succession of employees
    (tenures with mean 7 years); data from 2014-01-01 to 2021-12-31. Spells follow
    a recurrent-event model with gamma frailty (shape 0.45) and workplace frailty,
    so that about 20 % of the employees hold 75 % of the short-term days and net
    sick leave is near 7 % of employed days; seasonality (winter peak, July
    trough); a national trend with a 2016 peak and a 2020 pandemic bump, given as
    the register's trend series; and an intervention in "Kommun A" cutting the
    incidence of spells by ``effect`` from 2018-09-01 (the default 0.15 gives about 12 % fewer
    short-term days: the days of the frailest employees are partly bounded by the time they are already
    away, so days fall by about 0.8 times the cut in incidence). Deterministic in ``seed``
    on any thread count. Employee-years are about ``2 * posts * 8``.

    Employees carry ``municipality``, ``treated``, ``sector``, ``workplace``,
    ``salary`` (monthly, SEK) and ``birth_year``.

    Examples
    --------
    >>> import utfall
    >>> reg = utfall.sickleave.synthetic_register(posts=300, seed=1)
    >>> sorted(reg.employees["municipality"].unique())
    ['Kommun A', 'Kommun B']
    """
    if int(posts) < 1:
        raise SpecError(f"posts must be at least 1, got {posts}")
    s = _core.sickleave_synthetic(int(posts), float(effect), int(seed))
    n = len(s["salary"])
    sectors = np.array(s["sectors"], dtype=object)
    municipality = np.array(MUNICIPALITIES, dtype=object)[s["municipality"]]
    sector = sectors[s["sector"]]
    employees = pd.DataFrame({
        "id": np.arange(1, n + 1),
        "municipality": pd.Categorical(municipality, categories=MUNICIPALITIES),
        "treated": s["municipality"] == 0,
        "sector": pd.Categorical(sector, categories=list(sectors)),
        "workplace": pd.Series(municipality + " " + sector + " "
                               + pd.Series(s["workplace"]).map("{:03d}".format).to_numpy()),
        "salary": s["salary"],
        "birth_year": s["birth_year"],
    })
    ongoing = np.iinfo(np.int32).max

    def dates(values: np.ndarray) -> np.ndarray:
        out = values.astype("datetime64[D]")
        out[values == ongoing] = np.datetime64("NaT")
        return out

    employment = pd.DataFrame({"id": employees["id"].to_numpy(), "first_day": dates(s["employment_first"]),
                               "last_day": dates(s["employment_last"])})
    spells = pd.DataFrame({"id": s["spell_employee"] + 1, "first_day": dates(s["spell_first"]),
                           "last_day": dates(s["spell_last"]), "extent": s["spell_extent"]})
    months = period_months(int(s["trend_month"][0]), len(s["trend_month"]))
    trend = pd.DataFrame({"month": months.astype(str), "factor": s["trend_factor"]})
    return Register.from_frames(employees, spells, employment, trend, data_end=np.datetime64(int(s["data_end"]), "D"))
