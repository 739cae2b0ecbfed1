"""A sick-leave evaluation feeds utfall.Contract: the provider's risk share as a tranche."""

import numpy as np
import pytest

import utfall
from utfall.contract import Tranche

REGISTER = utfall.sickleave.synthetic_register(seed=1)
EV = utfall.sickleave.evaluate(REGISTER, by="municipality", seed=1, bootstrap=400)
# The provider carries 75 % of a 1 MSEK fee, paid in proportion to the relative reduction up to
# the 12 % target; it loses at most 0.6 MSEK.
PROVIDER = utfall.Contract(funding=1e6, guaranteed_share=0.25, max_loss=0.6e6, investor="provider",
                           tranches=[Tranche.rate_card("percent", 0.75e6 / 0.12, up_to=0.12)])


def test_the_provider_is_paid_on_the_observed_reduction_by_hand():
    s = EV.settle(PROVIDER, "Kommun A")
    percent = EV.table.loc["Kommun A", "percent"]
    expected = 0.25e6 + 0.75e6 * min(max(percent, 0.0), 0.12) / 0.12
    assert s.table.loc["total", "observed (SEK)"] == pytest.approx(max(expected, 0.4e6), rel=1e-12)


def test_the_payment_over_the_replicates_follows_the_evaluation():
    s = EV.settle(PROVIDER, "Kommun A")
    percent = EV.replicates["Kommun A"]["percent"].to_numpy()
    by_hand = np.maximum(0.25e6 + 0.75e6 * np.clip(percent, 0.0, 0.12) / 0.12, 0.4e6)
    np.testing.assert_allclose(s.distribution, by_hand, rtol=1e-12)
    assert s.p_investor_loses == pytest.approx(np.mean(by_hand < 1e6))


def test_a_metric_the_evaluation_does_not_give_or_a_missing_group_is_named():
    with pytest.raises(utfall.SpecError, match="savings"):
        EV.settle(utfall.Contract.norrkoping(), "Kommun A")
    with pytest.raises(utfall.SpecError, match="group"):
        EV.settle(PROVIDER)
