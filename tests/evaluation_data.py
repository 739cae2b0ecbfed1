"""A small hand-built cohort whose every evaluation number is computed by hand.

Prices: a price index of 80 in 2013-2015 and 100 from 2016 (base year 2020),
so historical amounts of 2013-2015 count 100/80 = 1.25 times. Tariffs: HVB
1000 SEK a day from 2010 and 1200 from 2018; SiS 2000 a day. Data end on
2020-12-31 unless an individual's own end of data is earlier.

Participants
- p1 (f), index 2017-01-01, complete at 2 and 3 years: HVB 2017-01-01..01-11
  (10 days, 10,000), ledger 5,000 on 2018-06-01, HVB 2019-02-01..02-06
  (5 days at 1200 = 6,000, only in the 3-year window). 2y: 15,000; 3y: 21,000.
- p2 (m), index 2019-01-01, moved away 2020-06-30: 547 days observed, so
  incomplete at both horizons. SiS 2019-03-01..03-11 (10 days, 20,000).

Historical
- h1 (f), index 2013-01-01: HVB 2013-01-01..01-21 (20 days: 25,000 after
  indexing), HVB 2014-12-01..12-11 (10 days: 12,500), ledger 8,000 on
  2015-06-01 (10,000). 2y: 37,500; 3y: 47,500; first 547 days: 25,000.
- h2 (m), index 2013-06-01: SiS 2013-06-01..06-06 (5 days: 12,500), SiS
  2015-05-01..05-11 (10 days: 25,000). 2y: 37,500; first 547 days: 12,500.
- h3 (f), index 2018-06-01: HVB 2018-06-01..06-05 (4 days at 1200: 4,800).
  Complete at 2 years (2020-06-01), not at 3 (2021-06-01 is after the data end).
- h4 (f), index 2014-01-01, end of data 2015-06-30: eligible at no horizon.
"""

import pandas as pd

import utfall


def hand_cohort(change_tariff: bool = False, change_ledger: bool = False) -> "utfall.Cohort":
    people = pd.DataFrame({
        "id": ["p1", "p2", "h1", "h2", "h3", "h4"],
        "group": ["participant", "participant", "historical", "historical", "historical", "historical"],
        "index_date": ["2017-01-01", "2019-01-01", "2013-01-01", "2013-06-01", "2018-06-01", "2014-01-01"],
        "end_of_data": [None, "2020-06-30", None, None, None, "2015-06-30"],
        "sex": ["f", "m", "f", "m", "f", "f"],
        "region": ["a", "b", "a", "a", "a", "b"],  # p2's region has no eligible historical individual
    })
    episodes = pd.DataFrame([
        ("p1", "2017-01-01", "2017-01-11", "HVB"), ("p1", "2019-02-01", "2019-02-06", "HVB"),
        ("p2", "2019-03-01", "2019-03-11", "SiS"),
        ("h1", "2013-01-01", "2013-01-21", "HVB"), ("h1", "2014-12-01", "2014-12-11", "HVB"),
        ("h2", "2013-06-01", "2013-06-06", "SiS"), ("h2", "2015-05-01", "2015-05-11", "SiS"),
        ("h3", "2018-06-01", "2018-06-05", "HVB"),
        ("h4", "2014-02-01", "2014-02-11", "HVB"),
    ], columns=["id", "start", "end", "care_type"])
    tariffs = pd.DataFrame({"care_type": ["HVB", "HVB", "SiS"],
                            "valid_from": ["2010-01-01", "2018-01-01", "2010-01-01"],
                            "daily_cost": [1000.0, 1200.0, 2001.0 if change_tariff else 2000.0]})
    ledger = pd.DataFrame({"id": ["p1", "h1"], "date": ["2018-06-01", "2015-06-01"],
                           "amount": [5000.0, 8000.5 if change_ledger else 8000.0],
                           "category": ["outpatient", "outpatient"]})
    prices = {y: (80.0 if y <= 2015 else 100.0) for y in range(2010, 2021)}
    return utfall.Cohort.from_frames(people, episodes, tariffs, ledger, prices, data_end="2020-12-31", base_year=2020)


#: The pairs of a hand-made matching: p1 with h1 and h3 at 2 years (h3 is not
#: eligible at 3), p2 with h2.
PAIRS = {
    "2y": pd.DataFrame({"treated": ["p1", "p1", "p2"], "control": ["h1", "h3", "h2"], "slot": [0, 1, 0]}),
    "3y": pd.DataFrame({"treated": ["p1", "p2"], "control": ["h1", "h2"]}),
}
