"""utfall.socioeconomic: hand-computed present values, break-even, payback, hump, transfers,
scenarios, the tornado's two ends, the solved break-even effect, bad input, and the JSON record."""

import json

import numpy as np
import pandas as pd
import pytest
import utfall
from utfall.socioeconomic import Calculation, Distribution, Evidence, UnitCosts, load_calculation


def simple(rate=0.0, timing="start", horizon=4):
    calc = Calculation(["social services", "state"], horizon_years=horizon, discount_rate=rate, base_year=2016,
                       timing=timing)
    calc.cost("social services", 0, 100.0, label="team")
    calc.add_effect("social services", [30.0, 50.0, 40.0], start=1, label="placements avoided")
    return calc


# ---------------------------------------------------------------------- present values
@pytest.mark.parametrize("timing, expected", [
    ("start", 100 + 100 / 1.1 + 100 / 1.1 ** 2),
    ("end", 100 / 1.1 + 100 / 1.1 ** 2 + 100 / 1.1 ** 3),
])
def test_present_value_with_a_constant_rate(timing, expected):
    calc = Calculation(["a"], horizon_years=3, discount_rate=0.10, timing=timing)
    calc.add("a", [0, 1, 2], 100.0)
    assert calc.npv("a") == pytest.approx(expected, rel=1e-14)
    assert calc.npv() == calc.npv("a")
    assert calc.table(discounted=True).loc["a"].sum() == pytest.approx(expected, rel=1e-14)


def test_present_value_with_scheduled_rates():
    calc = Calculation(["a"], horizon_years=3, discount_rate={0: 0.10, 1: 0.20})
    calc.add("a", [0, 1, 2], 1.0)
    assert calc.npv() == pytest.approx(1 + 1 / 1.1 + 1 / (1.1 * 1.2), rel=1e-14)
    end = Calculation(["a"], horizon_years=3, discount_rate=[0.10, 0.20, 0.30], timing="end")
    end.add("a", 2, 1.0)
    assert end.npv() == pytest.approx(1 / (1.1 * 1.2 * 1.3), rel=1e-14)


def test_the_green_book_schedule():
    calc = Calculation(["a"], horizon_years=40, discount_rate="green book")
    assert calc.rates[29] == 0.035 and calc.rates[30] == 0.03
    calc.add("a", [30, 31], [1.0, 1.0])
    assert calc.discount_factors[30] == pytest.approx(1.035 ** -30, rel=1e-13)
    assert calc.discount_factors[31] == pytest.approx(1.035 ** -30 / 1.03, rel=1e-13)
    assert calc.npv() == pytest.approx(1.035 ** -30 * (1 + 1 / 1.03), rel=1e-13)


# ---------------------------------------------------------------------- break-even, payback, hump
def test_break_even_payback_hump_bcr_and_roi_by_hand():
    calc = simple()
    # cumulative: -100, -70, -20, +20
    assert calc.npv() == 20.0 and calc.npv("social services") == 20.0 and calc.npv("state") == 0.0
    assert calc.break_even_year() == 3 and calc.payback_year() == 3
    assert calc.hump() == {"depth": -100.0, "year": 0}
    assert calc.benefit_cost_ratio() == pytest.approx(1.2) and calc.roi() == pytest.approx(0.2)
    assert not calc.breaks_even_within(3) and calc.breaks_even_within(4)
    r = calc.results()
    assert r.loc["society", "breaks_even_within_term"] and r.loc["state", "break_even_year"] == 0
    assert calc.table(cumulative=True).loc["society"].tolist() == [-100.0, -70.0, -20.0, 20.0]
    discounted = simple(rate=0.05)
    expected = -100 + 30 / 1.05 + 50 / 1.05 ** 2 + 40 / 1.05 ** 3
    assert discounted.npv() == pytest.approx(expected, rel=1e-14)
    assert discounted.break_even_year() == 3 and discounted.break_even_year(discounted=False) == 3


def test_break_even_comes_before_payback_when_the_position_dips_again():
    calc = Calculation(["a"], horizon_years=4, discount_rate=0.0)
    calc.add("a", [0, 1, 2, 3], [-10.0, 20.0, -30.0, 40.0])  # cumulative -10, 10, -20, 20
    assert calc.break_even_year() == 1 and calc.payback_year() == 3
    assert calc.hump() == {"depth": -20.0, "year": 2}
    never = Calculation(["a"], horizon_years=2, discount_rate=0.0)
    never.add("a", [0, 1], [-10.0, 5.0])
    assert never.break_even_year() is None and never.payback_year() is None


def test_a_transfer_nets_to_zero_for_society():
    calc = simple(rate=0.035)
    before = calc.npv()
    calc.add("state", [0, 1], [5.0, 7.0], label="state grant")
    with_grant = calc.npv()
    calc.transfer("social services", "state", 2, 37.5, label="outcome payment")
    assert calc.npv() == with_grant  # exactly: transfers are left out of society's flows
    assert calc.npv("state") == pytest.approx(5 + 7 / 1.035 + 37.5 / 1.035 ** 2, rel=1e-14)
    assert calc.npv("social services") == pytest.approx(before - 37.5 / 1.035 ** 2, rel=1e-14)
    assert calc.table().loc["society"].sum() == pytest.approx(20.0 + 12.0)
    w = calc.winners_and_losers()
    assert list(w.index) == ["state", "social services"] and w.loc["state", "verdict"] == "gains"


def test_scenarios_scale_replace_and_only_one():
    calc = simple()
    calc.add_effect("state", [10.0], start=2, label="employment")
    assert calc.scenario(0.5).npv() == pytest.approx(-100 + 0.5 * 130)
    assert calc.scenario(0.0).npv() == -100.0
    assert calc.scenario(effects={"employment": 2.0}).npv() == pytest.approx(-100 + 120 + 20)
    assert calc.scenario(only="employment").npv() == pytest.approx(-90.0)
    assert calc.scenario(replace={"employment": [0.0]}).npv() == 20.0
    table = calc.scenarios()
    assert table.loc[("half", "society"), "npv"] == pytest.approx(-35.0)
    assert table.loc[("failure", "social services"), "break_even_year"] is pd.NA
    assert ("only employment succeeds", "state") in table.index
    assert calc.npv() == 30.0  # the calculation itself is unchanged


def test_the_tornados_two_ends_by_hand():
    uc = UnitCosts(pd.DataFrame({"item": ["HVB day"], "unit_cost": [3000.0]}), source="test tariff")
    calc = Calculation(["social services"], horizon_years=3, discount_rate=0.10, unit_costs=uc)
    calc.cost("social services", 0, 100_000.0, label="team")
    calc.add_effect("social services", [20.0, 20.0], unit_cost="HVB day", start=1, label="care days avoided")
    gain = 60_000 / 1.1 + 60_000 / 1.21
    assert calc.npv() == pytest.approx(-100_000 + gain)
    t = calc.tornado(ranges={"discount rate": (0.0, 2.0)}).table
    assert t.loc["amount: team", "npv_low"] == pytest.approx(-80_000 + gain)
    assert t.loc["amount: team", "npv_high"] == pytest.approx(-120_000 + gain)
    assert t.loc["unit cost: HVB day", "npv_low"] == pytest.approx(-100_000 + 0.8 * gain)
    assert t.loc["effect: care days avoided", "npv_high"] == pytest.approx(-100_000 + 1.2 * gain)
    assert t.loc["discount rate", "npv_low"] == pytest.approx(20_000.0)
    assert t.loc["discount rate", "npv_high"] == pytest.approx(-100_000 + 60_000 / 1.2 + 60_000 / 1.44)
    assert t["swing"].is_monotonic_decreasing


@pytest.mark.parametrize("rate, within", [(0.0, 3), (0.035, 3), (0.05, 4)])
def test_the_solved_break_even_effect_size_checked_by_substitution(rate, within):
    calc = simple(rate=rate)
    need = calc.effect_needed("placements avoided", within=within)
    k = need["factor"]
    d = calc.discount_factors
    # closed form by hand: the position of year within - 1 at factor k is 0
    gains = np.array([0, 30, 50, 40])[:within] @ d[:within]
    assert k == pytest.approx(100 / gains, rel=1e-12)
    assert calc.scenario(effects={"placements avoided": k}).breaks_even_within(within)
    assert not calc.scenario(effects={"placements avoided": k * (1 - 1e-9)}).breaks_even_within(within)
    assert need["year"] == within - 1
    np.testing.assert_allclose(need["per_year"], np.array([30.0, 50.0, 40.0]) * k)


# ---------------------------------------------------------------------- unit costs
def test_unit_costs_by_year_are_looked_up_by_calendar_year_and_fingerprinted():
    table = pd.DataFrame({"item": ["care day"] * 3, "year": [2016, 2017, 2018], "unit_cost": [100.0, 110.0, 120.0]})
    uc = UnitCosts(table, source="Kolada 2016-2018")
    calc = Calculation(["social services"], horizon_years=3, discount_rate=0.0, base_year=2016, unit_costs=uc)
    calc.add_effect("social services", [1.0, 2.0, 3.0], unit_cost="care day")
    assert calc.npv() == 100 + 220 + 360
    assert UnitCosts(table.iloc[::-1], source="x").fingerprint == uc.fingerprint
    assert UnitCosts(table.assign(unit_cost=[100.0, 110.0, 121.0]), source="x").fingerprint != uc.fingerprint


# ---------------------------------------------------------------------- bad input
def test_bad_input_names_the_problem():
    with pytest.raises(utfall.SpecError, match=r"above -100 %"):
        Calculation(["a"], horizon_years=3, discount_rate=-1.5)
    with pytest.raises(utfall.SpecError, match=r"year 1 is -1"):
        Calculation(["a"], horizon_years=3, discount_rate=[0.03, -1.0, 0.03])
    calc = simple()
    with pytest.raises(utfall.SpecError, match=r"actor 'schools' does not exist"):
        calc.add("schools", 0, 1.0)
    with pytest.raises(utfall.SpecError, match=r"year\(s\) \[4\] are outside the horizon"):
        calc.add("state", [3, 4], 1.0)
    with pytest.raises(utfall.SpecError, match=r"outside the horizon"):
        calc.add("state", -1, 1.0)
    with pytest.raises(utfall.SpecError, match=r"no unit-cost table"):
        calc.add_effect("state", [1.0], unit_cost="care day")
    uc = UnitCosts(pd.DataFrame({"item": ["care day", "care day"], "year": [2016, 2018],
                                 "unit_cost": [1.0, 1.0]}), source="s")
    calc.set_unit_costs(uc)
    with pytest.raises(utfall.SpecError, match=r"unit cost 'sick day' does not exist"):
        calc.add_effect("state", [1.0], unit_cost="sick day")
    with pytest.raises(utfall.DataError, match=r"'care day' has no unit cost for year\(s\) \[2017\]"):
        calc.add_effect("state", [1.0, 1.0, 1.0], unit_cost="care day")
    with pytest.raises(utfall.DataError, match=r"column 'unit_cost', row 1"):
        UnitCosts(pd.DataFrame({"item": ["a", "b"], "unit_cost": [1.0, np.nan]}), source="s")
    with pytest.raises(utfall.DataError, match=r"'a' appears twice"):
        UnitCosts(pd.DataFrame({"item": ["a", "a"], "unit_cost": [1.0, 2.0]}), source="s")
    with pytest.raises(utfall.SpecError, match="source="):
        UnitCosts(pd.DataFrame({"item": ["a"], "unit_cost": [1.0]}), source="")
    with pytest.raises(utfall.SpecError, match=r"2 amount\(s\) for 3 year\(s\)"):
        calc.add("state", [0, 1, 2], [1.0, 2.0])
    with pytest.raises(utfall.SpecError, match=r"in 'days'; give unit_cost="):
        calc.add_effect("state", Evidence([1.0], unit="days"))
    with pytest.raises(utfall.SpecError, match=r"not 'society'"):
        Calculation(["society"], horizon_years=2)
    with pytest.raises(utfall.SpecError, match=r"scenario: no effect labelled 'x'"):
        calc.scenario(effects={"x": 0.0})
    with pytest.raises(utfall.SpecError, match=r"position \[1\]"):
        Evidence([1.0, np.inf])
    with pytest.raises(utfall.SpecError, match="timing must be one of"):
        Calculation(["a"], horizon_years=2, timing="middle")


# ---------------------------------------------------------------------- uncertainty
class SickLeaveLike:
    """The duck-typed protocol: what a sick-leave evaluation (being built on its own branch) would offer."""

    unit = "days"
    label = "sick days avoided"

    def per_year(self):
        return np.array([100.0, 200.0])

    def replicates(self):
        return np.array([[90.0, 180.0], [110.0, 220.0], [100.0, 200.0]])

    def provenance(self):
        return {"kind": "test double", "seed": 1}


def test_the_evidence_protocol_and_distributions():
    uc = UnitCosts(pd.DataFrame({"item": ["sick day"], "unit_cost": [2000.0]}), source="SKR 2018")
    calc = Calculation(["employer", "state"], horizon_years=3, discount_rate=0.0, unit_costs=uc)
    calc.add_effect("employer", SickLeaveLike(), unit_cost="sick day", start=1, share=0.75)
    calc.add_effect("state", SickLeaveLike(), unit_cost="sick day", start=1, share=0.25)
    assert calc.npv() == 600_000.0 and calc.npv("employer") == 450_000.0
    sim = calc.simulate(seed=3)
    assert sim.n_replicates == 3
    np.testing.assert_allclose(sim.npv(), [540_000.0, 660_000.0, 600_000.0])
    np.testing.assert_allclose(sim.npv("state"), 0.25 * sim.npv())
    with pytest.raises(utfall.SpecError, match="have only 3 replicates"):
        calc.simulate(n_replicates=4)
    d = Calculation(["a"], horizon_years=2, discount_rate=0.0)
    d.add("a", [0, 1], Distribution.normal(10.0, 2.0), label="uncertain")
    assert d.npv() == 20.0
    one, two = d.simulate(5000, seed=9), d.simulate(5000, seed=9, n_threads=1)
    np.testing.assert_array_equal(one.npv(), two.npv())
    assert np.std(one.npv()) == pytest.approx(4.0, rel=0.05)
    assert not np.array_equal(one.npv(), d.simulate(5000, seed=10).npv())


@pytest.fixture(scope="module")
def evaluation():
    cohort = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    return utfall.evaluate(cohort, matching={"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"},
                           horizons=("2y", "3y"), intervention_cost=7.5e6, seed=2016, progress=False)


def test_effects_from_an_evaluation_reproduce_its_savings_per_year(evaluation):
    ev = evaluation
    per_year = ev.savings_per_year("3y")
    trajectory = ev.trajectory("3y")["savings"]
    assert per_year["savings"].tolist() == [trajectory[12], trajectory[24] - trajectory[12],
                                            trajectory[36] - trajectory[24]]
    calc = Calculation(["social services", "schools"], horizon_years=10, discount_rate=0.035, base_year=2016)
    calc.cost("social services", [0, 4], 3.75e6, label="Team Nystart")
    calc.add_effect("social services", ev, start=1)
    assert calc.table().loc["social services", 2017:2019].tolist() == per_year["savings"].tolist()
    replicates = ev.savings_per_year_replicates("3y")
    np.testing.assert_allclose(replicates.sum(axis=1), ev.savings_bootstrap("3y").distribution, rtol=0, atol=1e-6)

    sims = [calc.simulate(seed=5, n_threads=n) for n in (1, 2, 4)]
    for s in sims[1:]:
        np.testing.assert_array_equal(s.npv("social services"), sims[0].npv("social services"))
        assert s.summary().equals(sims[0].summary())
    d = calc.discount_factors
    by_hand = replicates @ d[1:4] - 3.75e6 * (d[0] + d[4])
    np.testing.assert_allclose(sims[0].npv("social services"), by_hand, rtol=1e-12)
    assert sims[0].interval("social services") == pytest.approx(tuple(np.quantile(by_hand, [0.025, 0.975])),
                                                                rel=1e-12)
    assert sims[0].n_replicates == 2000
    be = sims[0].break_even_years("social services")
    assert sims[0].p_break_even_within(4, "social services") == np.mean((be >= 0) & (be <= 3))


def test_a_settlement_is_a_transfer_drawn_jointly_with_the_savings(evaluation):
    ev = evaluation
    contract = utfall.Contract(funding=7.5e6, guaranteed_share=0.4,
                               tranches=[utfall.contract.Tranche.share("savings", 0.6, up_to=7.5e6)])
    settled = contract.settle(ev, "2y")
    calc = Calculation(["social services", "investor"], horizon_years=5, discount_rate=0.0)
    calc.add_effect("social services", ev.savings_per_year("2y")["savings"].to_numpy(), start=1, label="savings")
    calc.transfer("social services", "investor", 3, settled, label="outcome payment")
    assert calc.npv("investor") == settled.total
    sim = calc.simulate(seed=1)
    np.testing.assert_array_equal(sim.npv("investor"), settled.risk.totals)
    np.testing.assert_array_equal(sim.npv(), np.full(sim.n_replicates, calc.npv()))


# ---------------------------------------------------------------------- record, display, plots
def test_json_round_trip_and_audit_record(evaluation):
    uc = UnitCosts(pd.DataFrame({"item": ["HVB day"], "unit_cost": [3500.0], "unit": ["SEK per day"]}),
                   source="Norrköping tariffs 2016")
    calc = Calculation(["social services", "region"], horizon_years=6, discount_rate="green book", base_year=2016,
                       unit_costs=uc, timing="end")
    calc.cost("social services", [0, 1, 2], 2.5e6, label="team")
    calc.add_effect("social services", evaluation, start=1)
    calc.add_effect("region", Distribution.triangular(0.0, 100.0, 300.0), unit_cost="HVB day", years=[2, 3, 4],
                    label="psychiatric days")
    calc.transfer("social services", "region", 1, 1e5)
    text = calc.to_json(simulation=calc.simulate(500, seed=2))
    record = json.loads(text)
    assert record["inputs"]["unit_costs"]["sha256"] == uc.fingerprint
    assert record["inputs"]["unit_costs"]["source"] == "Norrköping tariffs 2016"
    assert record["inputs"]["lines"][1]["evidence"]["provenance"]["seed"] == evaluation.seed
    assert record["simulation"]["seed"] == 2 and record["simulation"]["n_replicates"] == 500
    again = load_calculation(text)
    assert again.results().equals(calc.results())
    np.testing.assert_array_equal(again.simulate(500, seed=2).npv(), calc.simulate(500, seed=2).npv())
    tampered = json.loads(text)
    tampered["inputs"]["lines"][0]["share"] = 0.5
    with pytest.raises(utfall.ReproductionError, match="SHA-256"):
        load_calculation(tampered)


def test_display_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    calc = simple()
    calc.add("state", [1, 2], Distribution.uniform(0.0, 10.0), label="state effect")
    assert "Calculation(2 actors" in repr(calc) and "<table" in calc._repr_html_()
    assert "NPV (MSEK)" in calc.summary().columns
    sim = calc.simulate(1000, seed=1)
    assert "P(NPV > 0)" in sim.summary().columns and "Simulation(1000" in repr(sim) and "<table" in sim._repr_html_()
    band = sim.band("state")
    assert (band["low"] <= band["median"]).all() and (band["median"] <= band["high"]).all()
    ax = calc.plot_hump(simulation=sim)
    assert ax.get_title().startswith("Cumulative position") and "MSEK" in ax.get_ylabel()
    assert "society" in [t.get_text() for t in ax.get_legend().get_texts()]
    ax = calc.plot_heatmap()
    assert "by actor and year" in ax.get_title()
    t = calc.tornado()
    ax = t.plot()
    assert "sensitivity" in ax.get_title() and ax.get_legend() is not None and "Tornado" in repr(t)


def test_break_even_counts_from_the_first_cash_flow():
    calc = Calculation(["municipality", "investor", "state"], horizon_years=6, discount_rate=0.0)
    calc.cost("municipality", [0, 1], 5.0, label="team")
    calc.transfer("investor", "municipality", [0, 1], 5.0, label="funding")
    calc.transfer("municipality", "investor", 3, 4.0, label="payment")
    calc.add_effect("municipality", [1.0, 1.0], start=4, label="savings")
    calc.add_effect("state", [3.0], start=2, label="taxes")
    # the municipality's position: 0, 0, 0, -4, -3, -2: it never breaks even (not "in year 0")
    assert calc.break_even_year("municipality") is None and not calc.breaks_even_within(4, "municipality")
    assert calc.break_even_year("state") == 2 and calc.payback_year("state") == 2
    assert calc.break_even_year("investor") is None and calc.hump("investor") == {"depth": -10.0, "year": 1}
    need = calc.effect_needed("savings", within=6, actor="municipality")
    assert need["factor"] == pytest.approx(4.0 / 2.0) and need["year"] == 5


def test_the_readme_example_runs():
    import re
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## The social investment calculation"):]
    scope: dict = {}
    exec(re.search(r"```python\n(.*?)```", section, re.S).group(1), scope)
    calc, need = scope["calc"], scope["need"]
    assert calc.scenario(effects={"psychiatric days avoided": need["factor"]}).breaks_even_within(4) is True
    assert scope["sim"].n_replicates == 2000
