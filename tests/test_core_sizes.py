"""Sizes that come from Python are checked in the core before they index or allocate
(issue 9; the list of what is kept is docs/unwraps.md): a SpecError, never a panic."""

from __future__ import annotations

import pytest

import utfall
from utfall.errors import SpecError


@pytest.fixture(scope="module")
def register():
    return utfall.sickleave.synthetic_register(posts=40, effect=0.1, seed=3)


def test_a_month_range_beyond_the_limit_is_a_spec_error(register):
    with pytest.raises(SpecError, match="above the limit of 12000 months"):
        register.employed("0001-01", "9999-12")


@pytest.mark.parametrize("first_month, n_months", [(2**31 - 1, 1), (-(2**31), 3), (12 * 2020, 2**40), (0, 1)])
def test_month_keys_outside_the_calendar_are_refused_by_the_core(register, first_month, n_months):
    core = register._core  # the binding itself: the public API never passes such keys
    for query in (lambda: core.net_days(1, None, first_month, n_months), lambda: core.employed(first_month, n_months),
                  lambda: core.spell_starts(first_month, n_months)):
        with pytest.raises(SpecError):
            query()


def test_ordinary_month_ranges_still_work(register):
    frame = register.employed("2019-01", "2019-12")
    assert frame.shape == (len(register.employees), 12)
