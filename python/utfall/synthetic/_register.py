"""A synthetic register of children placed in residential care.

:func:`register` generates, in Rust, a register in the format an evaluator gets
from a municipality: individuals (participants and a historical comparison
pool), care episodes, daily tariffs, an outpatient cost ledger and a price
index, calibrated to the published Norrköping figures. Use it to try utfall,
in tests and in benchmarks.

The generating model
--------------------
Each individual is simulated alone from its own random stream (participant
``i`` uses stream ``i``, historical individual ``j`` stream ``2**40 + j``), so a
register is the same on any machine and thread count, and the participants do
not change when the historical pool grows.

- **Who.** Participants are included uniformly between 2016-08-01 and
  2018-12-31; historical individuals have an index placement in 2013-2015.
  A latent care need ``z = mu + h + N(0, 1)`` (``h = 1.2`` for a heavy-need fifth,
  ``mu = 0.25`` for participants and 0 for historical individuals) drives
  everything. Covariates: ``age`` at index 12-17 (participants younger), ``sex``
  (40 % girls among historical, 45 % among participants), ``diagnosis``
  (neuropsychiatric, probability ``logistic(-0.5 + 0.8 z)``) and
  ``substance_use`` (``logistic(-1.5 + 0.4 (age - 14) + 0.7 z)``). The extract
  date ``data_end`` is 2021-10-31 (about 55 of 60 participants then have three
  complete years, as in Norrköping); 4 % have an earlier ``end_of_data`` (moved
  away, died).
- **Placements** follow a semi-Markov chain of home spells and placements
  (HVB, SiS, foster_home, emergency_home) with lognormal lengths
  ``median * exp(N(0, 1))`` scaled by ``f = exp(0.6 z)``: placement medians HVB
  120, SiS 88, foster home 300, emergency home 45 days (times ``f``). Before the
  index date, 1 to ``age - 10`` years of history (home spells of median
  ``250 / f`` days, mostly foster and emergency homes). The index placement is
  HVB or SiS (SiS more likely with a higher need and substance use). Afterwards,
  a direct move to another placement with probability ``min(0.35 sqrt(f), 0.8)``;
  otherwise a return home, after which the child stays home for good with
  probability ``min(0.45 / f, 0.9)`` or is re-placed after a home spell of median
  ``200 / f`` days. Episodes never overlap; those running at the end of data
  have no end date.
- **Outpatient care** (``costs``, category ``outpatient``, one row per decision):
  Poisson decisions at rate ``sqrt(f) / 240`` per day in the first 540 days of
  a home spell, amounts lognormal with median 90,000 SEK (sigma 0.8), nominal.
- **Intervention effect** (participants after inclusion): placements 7 % shorter,
  re-placement 10 % less likely, 20 % more outpatient decisions. Small, as in
  Norrköping (roughly break-even).
- **Prices.** Nominal daily tariffs changing most New Years and once mid-year per
  care type (e.g. HVB 3,550 SEK from 2013, 3,850 from 2015-07-01, 4,050 from 2017);
  a KPI-like index 2005-2021 (close to the Swedish CPI, 1980 = 100), base year 2021.

Calibration (20,000 historical individuals, seed 1; checked in the tests): over
two years from the index date the 20 % most care-heavy hold 46.6 % of the
HVB+SiS care days and the 50 % most care-heavy 84.2 % (pre-study: 47 % and
83 %); the mean two-year cost of a historical individual is 1.64 MSEK in 2021
prices (Norrköping: 101.6 MSEK expected for 60 participants, 1.69 MSEK each).

A million historical individuals (4.8 million episodes) take about 0.7 s as
DataFrames and 2 s as a Cohort on 2 cores.
"""

from __future__ import annotations

from typing import Any, Dict, Union

import numpy as np
import pandas as pd

from .. import _core
from ..cohort import HISTORICAL, PARTICIPANT, Cohort

_ONGOING = np.iinfo(np.int32).max


def _dates(days: np.ndarray, missing: Any = None) -> np.ndarray:
    out = np.asarray(days).astype("datetime64[D]").astype("datetime64[s]")
    if missing is not None:
        out[missing] = np.datetime64("NaT")
    return out


def register(n_participants: int = 60, n_historical: int = 400, seed: int = 2016,
             as_frames: bool = False) -> Union[Cohort, Dict[str, Any]]:
    """A synthetic register of participants and historical individuals.

    See the module documentation for the generating model and its calibration.
    Ids are integers: participants ``1..n_participants``, then the historical
    individuals (integer ids keep a register of a million individuals fast).

    Parameters
    ----------
    n_participants, n_historical : int
        Sizes of the two groups.
    seed : int
        The register is a deterministic function of the seed (and the sizes).
    as_frames : bool
        Return the register tables instead of a :class:`~utfall.Cohort`.

    Returns
    -------
    Cohort, or dict
        With ``as_frames=True`` a dict of DataFrames ``individuals`` (id, group,
        index_date, end_of_data (NaT: the extract date), age, sex, diagnosis,
        substance_use), ``episodes`` (id, start, end (NaT: ongoing), care_type),
        ``tariffs`` (care_type, valid_from, daily_cost), ``costs`` (id, date,
        amount, category), ``price_index`` (year, index), plus ``data_end``
        (a Timestamp) and ``base_year``: exactly what
        ``Cohort.from_frames(**frames)`` takes.

    Examples
    --------
    >>> import utfall
    >>> cohort = utfall.synthetic.register(60, 400, seed=1)
    >>> cohort.summary()["individuals"].tolist()
    [60, 400]
    >>> cohort.care_types
    ['HVB', 'SiS', 'foster_home', 'emergency_home']
    >>> frames = utfall.synthetic.register(5, 5, seed=1, as_frames=True)
    >>> sorted(frames)
    ['base_year', 'costs', 'data_end', 'episodes', 'individuals', 'price_index', 'tariffs']
    """
    for name, value in (("n_participants", n_participants), ("n_historical", n_historical)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name} must be a non-negative whole number, not {value!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**64:
        raise ValueError(f"seed must be a whole number in [0, 2**64), not {seed!r}")
    r = _core.synthetic_register(int(n_participants), int(n_historical), int(seed))
    frames = _frames(r)
    if as_frames:
        return frames
    return Cohort.from_frames(**frames)


def _frames(r: Dict[str, Any]) -> Dict[str, Any]:
    n = len(r["index_date"])
    care_types = pd.CategoricalDtype(r["care_types"])
    categories = pd.CategoricalDtype(r["categories"])
    groups = pd.CategoricalDtype([PARTICIPANT, HISTORICAL])
    data_end = int(r["data_end"])
    individuals = pd.DataFrame({
        "id": np.arange(1, n + 1, dtype=np.int64),
        "group": pd.Categorical.from_codes(np.where(r["participant"], 0, 1), dtype=groups),
        "index_date": _dates(r["index_date"]),
        "end_of_data": _dates(r["end_of_data"], r["end_of_data"] == data_end),
        "age": r["age"].astype(np.int64),
        "sex": pd.Categorical.from_codes(np.where(r["girl"], 0, 1), categories=["F", "M"]),
        "diagnosis": r["diagnosis"],
        "substance_use": r["substance_use"],
    })
    episodes = pd.DataFrame({
        "id": r["episode_individual"] + 1,
        "start": _dates(r["episode_start"]),
        "end": _dates(r["episode_end"], r["episode_end"] == _ONGOING),
        "care_type": pd.Categorical.from_codes(r["episode_type"].astype(np.int64), dtype=care_types),
    })
    tariffs = pd.DataFrame({
        "care_type": pd.Categorical.from_codes(r["tariff_type"].astype(np.int64), dtype=care_types),
        "valid_from": _dates(r["tariff_from"]),
        "daily_cost": r["tariff_cost"],
    })
    costs = pd.DataFrame({
        "id": r["ledger_individual"] + 1,
        "date": _dates(r["ledger_date"]),
        "amount": r["ledger_amount"],
        "category": pd.Categorical.from_codes(r["ledger_category"].astype(np.int64), dtype=categories),
    })
    price_index = pd.DataFrame({"year": r["price_years"].astype(np.int64), "index": r["price_values"]})
    return {"individuals": individuals, "episodes": episodes, "tariffs": tariffs, "costs": costs,
            "price_index": price_index, "data_end": pd.Timestamp(_dates(np.array([data_end]))[0]),
            "base_year": int(r["base_year"])}
