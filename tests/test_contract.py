"""utfall.Contract: Norrköping's published settlement, hand-computed cases, other contract shapes,
JSON and INDIGO, bad input, settlement on an evaluation with payment risk, and the audit record."""

import json

import numpy as np
import pandas as pd
import pytest
import utfall
from utfall.contract import Tranche

F = 7.5e6


@pytest.fixture(scope="module")
def norrkoping():
    return utfall.Contract.norrkoping(funding=F)


def by_hand(s, school):
    bonus = min(0.6 * max(s - F, 0.0), 0.2 * F) if school > 0 else 0.0
    return 0.4 * F + 0.6 * min(max(s, 0.0), F) + bonus


def test_the_published_settlement(norrkoping):
    row = norrkoping.settle_values(savings=-7.5e6, school=18).iloc[0]
    assert row["total"] == 3.0e6 and row["guarantee"] == 3.0e6
    assert row["conditional repayment"] == 0.0 and row["return"] == 0.0 and row["multiple"] == 0.4


@pytest.mark.parametrize("s, school, expected", [
    (-2.0e6, 18, 3.0e6),                    # below zero: the guarantee only
    (0.0, 18, 3.0e6),                       # at zero
    (2.5e6, 18, 3.0e6 + 1.5e6),             # between zero and break-even: 60 % of the savings
    (7.5e6, 18, 7.5e6),                     # at break-even: funding repaid in full
    (10.0e6, 18, 7.5e6 + 1.5e6),            # above break-even with improved school: 0.6 * 2.5 = 1.5 = the cap
    (9.0e6, 18, 7.5e6 + 0.9e6),             # above break-even, bonus below its cap
    (10.0e6, 0, 7.5e6),                     # above break-even, school not improved: no bonus
    (10.0e6, -3, 7.5e6),
    (100e6, 1, 1.2 * F),                    # at the cap
])
def test_hand_computed_settlements(norrkoping, s, school, expected):
    total = norrkoping.settle_values(savings=s, school=school)["total"].iloc[0]
    assert total == pytest.approx(expected, abs=1e-6)
    assert total == pytest.approx(by_hand(s, school), abs=1e-6)


def test_arrays_broadcast_and_never_exceed_the_cap(norrkoping):
    s = np.linspace(-20e6, 40e6, 301)
    table = norrkoping.settle_values(savings=s, school=1)
    assert len(table) == 301 and table["total"].max() == 1.2 * F and table["total"].min() == 0.4 * F
    assert np.all(np.diff(table["total"]) >= 0)
    np.testing.assert_allclose(table["total"], [by_hand(v, 1) for v in s], atol=1e-6)


def test_rate_card_and_provider_risk_share_contracts_are_a_few_lines():
    # A rate card: 2,500 SEK per care day avoided, at most 5 MSEK, 1 MSEK guaranteed.
    rate = utfall.Contract(funding=5e6, guaranteed_share=0.2, cap=5e6,
                           tranches=[Tranche.rate_card("care_days_saved", 2500, cap=4e6)])
    assert rate.settle_values(care_days_saved=[-10, 400, 1e6])["total"].tolist() == [1e6, 2e6, 5e6]
    # Sick leave: the provider carries 75 % of a 1 MSEK fee, paid in proportion to the reduction in
    # short-term sick days up to the 12 % target; its loss is at most 0.6 MSEK.
    provider = utfall.Contract(funding=1e6, guaranteed_share=0.25, max_loss=0.6e6, investor="provider",
                               tranches=[Tranche.rate_card("reduction", 0.75e6 / 0.12, up_to=0.12)])
    t = provider.settle_values(reduction=[0.0, 0.06, 0.12, 0.2])
    np.testing.assert_allclose(t["total"], [0.4e6, 0.625e6, 1e6, 1e6])
    assert t["top-up to maximum loss"].tolist()[0] == pytest.approx(0.15e6)
    # A fixed bonus with conditions on two metrics.
    both = utfall.Contract(funding=1e6, tranches=[Tranche.fixed(2e5, when=["school > 0", "savings >= 1e6"])])
    assert both.settle_values(savings=[2e6, 2e6, 0], school=[1, 0, 1])["total"].tolist() == [2e5, 0, 0]


def test_json_round_trips_exactly_and_indigo_has_the_fields(norrkoping):
    odd = utfall.Contract(funding=0.1 + 0.2, guaranteed_share=1 / 3, cap=1.0,
                          tranches=[Tranche.share("savings", 0.7, above=1e-17, when=["x != 0.3"])])
    for c in (norrkoping, odd):
        again = utfall.Contract.from_json(c.to_json())
        assert again == c and again.to_json() == c.to_json()
    indigo = norrkoping.to_indigo()
    assert indigo["investment"]["amount"] == F
    assert indigo["maximum_potential_outcome_payment"]["amount"] == 1.2 * F
    assert [m["outcome_metric"] for m in indigo["outcome_metrics"]] == ["savings", "savings"]
    assert "school > 0" in indigo["outcome_metrics"][1]["payment_formula"]
    rate = utfall.Contract(funding=1.0, tranches=[Tranche.rate_card("days", 2500)])
    assert rate.to_indigo()["outcome_metrics"][0]["price_per_outcome"]["amount"] == 2500
    assert rate.to_indigo()["maximum_potential_outcome_payment"] is None
    assert "conditional repayment" in repr(norrkoping) and "<table" in norrkoping._repr_html_()


@pytest.mark.parametrize("make, match", [
    (lambda: Tranche.share("savings", 1.5), r"share must be .*\[0, 1\].*1.5"),
    (lambda: utfall.Contract(funding=1e6, guaranteed_share=-0.1), "guaranteed_share"),
    (lambda: utfall.Contract(funding=1e6, guaranteed_share=0.4, cap=3e5), "cap 300,000 lies below the guarantee"),
    (lambda: Tranche.share("savings", 0.5, above=10, up_to=5), "up_to"),
    (lambda: Tranche.fixed(1, when=["school >> 0"]), "cannot read the condition"),
    (lambda: utfall.Contract(funding=1e6, max_loss=2e6), "max_loss"),
])
def test_bad_contracts_are_spec_errors(make, match):
    with pytest.raises(utfall.SpecError, match=match):
        make()


def test_bad_values_are_named(norrkoping):
    with pytest.raises(utfall.SpecError, match=r"\['school'\]"):
        norrkoping.settle_values(savings=1.0)
    with pytest.raises(utfall.DataError, match=r"column 'savings', row 1"):
        norrkoping.settle_values(savings=[1.0, np.nan], school=1)


# ---------------------------------------------------------------------- on an evaluation
@pytest.fixture(scope="module")
def evaluation():
    cohort = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    ev = utfall.evaluate(cohort, matching={"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"},
                         horizons=("2y", "3y"), intervention_cost=F, seed=2016, progress=False)
    return cohort, ev


def school_for(ev, seed=1, drop=0):
    ids = ev.individuals[ev.individuals["horizon"] == "2y"].index[drop:]
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": ids, "before": rng.integers(5, 15, len(ids)).astype(float)})
    df["after"] = df["before"] + rng.integers(-2, 4, len(ids))
    df.loc[df.index[-5:], "after"] = np.nan
    return utfall.change_scores(df, n_resamples=499, seed=seed)


def test_settle_reports_tranches_returns_and_net_cost(evaluation, norrkoping):
    _, ev = evaluation
    school = school_for(ev)
    s = norrkoping.settle(ev, "2y", {"school": school}, funding_date="2016-08-01", payment_date="2020-08-01")
    savings = ev.summary(readable=False).loc["2y", "savings_total"]
    assert s.metrics["savings"] == savings and s.metrics["school"] == school.net
    assert s.total == pytest.approx(by_hand(savings, school.net))
    assert s.tranches.loc["return", "condition"] == "school > 0"
    assert s.tranches.loc["return", "met"] == (school.net > 0)
    assert s.investor["multiple"] == pytest.approx(s.total / F)
    years = (pd.Timestamp("2020-08-01") - pd.Timestamp("2016-08-01")).days / 365.25
    assert s.investor["irr"] == pytest.approx((s.total / F) ** (1 / years) - 1)
    assert s.net_cost == pytest.approx(s.total - max(savings, 0))
    assert "total paid" in s.summary().index and "Settlement" in repr(s) and "<table" in s._repr_html_()


@pytest.mark.parametrize("seed", [2016, 7, 11])
def test_p_total_above_guarantee_equals_p_savings_positive(norrkoping, seed):
    cohort = utfall.synthetic.register(n_participants=60, n_historical=400, seed=2016)
    ev = utfall.evaluate(cohort, matching={"covariates": ["age", "sex", "prior_cost_total"], "lookback": "2y"},
                         horizons=("2y",), intervention_cost=F, seed=seed, progress=False)
    s = norrkoping.settle(ev, "2y", {"school": school_for(ev, seed % 5)})
    assert s.risk.p_above_guarantee == ev.summary(readable=False).loc["2y", "p_savings_positive"]
    np.testing.assert_array_equal(s.risk.metrics["savings"], ev.savings_bootstrap("2y").distribution)
    assert s.risk.p_tranche["guarantee"] == 1.0 and s.risk.n_replicates == 2000


def test_outcome_replicates_are_drawn_jointly_with_the_savings(evaluation, norrkoping):
    _, ev = evaluation
    school = school_for(ev)
    s = norrkoping.settle(ev, "2y", {"school": school})
    boot = ev.savings_bootstrap("2y")
    rows = ev.individuals[(ev.individuals["horizon"] == "2y") & ev.individuals["included"]]
    contrib = school.contributions().reindex(rows.index).fillna(0).to_numpy()
    design = utfall._core.BootstrapDesign(len(rows))
    for b in (0, 1, 999):
        drawn = design.resample_rows(boot.seed, b).astype(int)
        assert s.risk.metrics["school"][b] == pytest.approx(contrib[drawn].sum())
        assert s.risk.metrics["savings"][b] == pytest.approx(rows["savings"].to_numpy()[drawn].sum())
    assert s.risk.expected_payment == pytest.approx(s.risk.totals.mean())
    assert 0 <= s.risk.p_investor_loses <= 1 and s.risk.value_of_guarantee == pytest.approx(0.4 * F)
    q = s.risk.quantiles()
    assert q.is_monotonic_increasing and "P(return paid)" in s.risk.summary().index


def test_settlement_errors_name_the_problem(evaluation, norrkoping):
    _, ev = evaluation
    with pytest.raises(utfall.SpecError, match=r"\['school'\].*does not have"):
        norrkoping.settle(ev, "2y")
    df = pd.DataFrame({"id": [1, 2, "stranger"], "before": [1, 2, 3], "after": [2, 2, 2]})
    with pytest.raises(utfall.DataError, match=r"outcomes\['school'\].*row 2.*stranger.*is not a participant"):
        norrkoping.settle(ev, "2y", {"school": utfall.change_scores(df, n_resamples=99, seed=1)})
    with pytest.raises(utfall.SpecError, match="no horizon"):
        norrkoping.settle(ev, "5y", {"school": school_for(ev)})


def test_the_settlement_record_is_reproduced_and_a_change_is_caught(evaluation, norrkoping):
    cohort, ev = evaluation
    school = school_for(ev, drop=3)
    s = norrkoping.settle(ev, "2y", {"school": school}, funding_date="2016-08-01", payment_date="2020-08-01")
    text = s.to_json(disclosure="full")
    again = utfall.reproduce(text, cohort)
    assert again.total == s.total and again.risk.expected_payment == s.risk.expected_payment
    assert utfall.reproduce(text, cohort, outcomes={"school": school}).total == s.total
    record = json.loads(text)
    record["results"]["risk"]["p_investor_loses"] = 0.5
    with pytest.raises(utfall.ReproductionError, match="p_investor_loses"):
        utfall.reproduce(json.dumps(record), cohort)
    other = school_for(ev, seed=9, drop=3)
    with pytest.raises(utfall.ReproductionError, match="outcome measure 'school' differs"):
        utfall.reproduce(text, cohort, outcomes={"school": other})
    assert utfall.load_evaluation(text) == ev


def test_the_shared_settlement_record_is_aggregate_and_reproduced_with_key_and_outcomes(evaluation, norrkoping):
    cohort, ev = evaluation
    school = school_for(ev, drop=3)
    s = norrkoping.settle(ev, "2y", {"school": school}, funding_date="2016-08-01", payment_date="2020-08-01")
    key = utfall.privacy.new_key()
    with pytest.raises(utfall.SpecError, match="new_key"):
        s.to_json()  # no silent full record
    text = s.to_json(key=key)
    record = json.loads(text)
    assert record["disclosure"] == "aggregate" and record["evaluation"]["disclosure"] == "aggregate"
    assert all("individuals" not in m for m in record["outcomes"]["school"]["measures"].values())
    # No participant's or comparison individual's id anywhere in the shared record.
    ids = {str(i) for i in cohort.individuals.index}
    strings: list = []

    def walk(v):
        if isinstance(v, dict):
            for k, x in v.items():
                strings.append(str(k))
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str):
            strings.append(v)
    walk(record)
    assert not ids & set(strings)
    again = utfall.reproduce(text, cohort, key=key, outcomes={"school": school})
    assert again.total == s.total and again.results() == s.results()
    with pytest.raises(utfall.SpecError, match=r"key=.*outcomes="):
        utfall.reproduce(text, cohort)
    with pytest.raises(utfall.SpecError, match=r"outcomes= with your own \['school'\]"):
        utfall.reproduce(text, cohort, key=key)
    with pytest.raises(utfall.ReproductionError):
        utfall.reproduce(text, cohort, key=utfall.privacy.new_key(), outcomes={"school": school})
    record["results"]["total"] = record["results"]["total"] + 1
    with pytest.raises(utfall.ReproductionError, match="total"):
        utfall.reproduce(json.dumps(record), cohort, key=key, outcomes={"school": school})


def test_plots(evaluation, norrkoping):
    import matplotlib

    matplotlib.use("Agg")
    _, ev = evaluation
    s = norrkoping.settle(ev, "2y", {"school": school_for(ev)})
    ax = s.plot_distribution()
    assert "P(investor loses money)" in ax.get_title() and ax.get_legend() is not None
    ax = s.plot_payment()
    assert "payment against savings" in ax.get_title() and len(ax.get_legend().get_texts()) >= 4


def test_the_readme_example_runs():
    import re
    from pathlib import Path

    import matplotlib

    matplotlib.use("Agg")
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Settling the contract"):]
    scope: dict = {}
    exec(re.search(r"```python\n(.*?)```", section, re.S).group(1), scope)
    assert scope["school"].net == 18 and scope["s"].total == 3.0e6


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.floats(-1e9, 1e9), st.floats(-100, 100), st.floats(1e5, 1e8))
def test_norrkoping_formula_and_bounds_for_any_values(s, school, funding):
    c = utfall.Contract.norrkoping(funding=funding)
    total = c.settle_values(savings=s, school=school)["total"].iloc[0]
    bonus = min(0.6 * max(s - funding, 0.0), 0.2 * funding) if school > 0 else 0.0
    assert total == pytest.approx(0.4 * funding + 0.6 * min(max(s, 0.0), funding) + bonus, rel=1e-12, abs=1e-6)
    assert 0.4 * funding <= total <= 1.2 * funding


def test_without_a_bootstrap_there_is_no_risk_but_a_settlement(norrkoping):
    cohort = utfall.synthetic.register(n_participants=30, n_historical=200, seed=3)
    ev = utfall.evaluate(cohort, matching={"covariates": ["age", "sex"], "lookback": "2y"}, horizons=("2y",),
                         intervention_cost=F, bootstrap=False, seed=3, progress=False)
    s = norrkoping.settle(ev, "2y", {"school": school_for(ev)})
    assert s.risk is None and s.total >= 0.4 * F
    with pytest.raises(ValueError, match="no replicates"):
        s.plot_distribution()
