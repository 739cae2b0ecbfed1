"""Shared test settings."""

import pytest

import utfall


@pytest.fixture(autouse=True)
def data_holder_sees_ids():
    # Most tests check that a message names the id at fault, as the data holder debugging on
    # their own machine sees it (utfall.options.show_ids); tests of what leaves the process
    # (tests/test_privacy.py) turn it off again.
    saved = utfall.options.show_ids
    utfall.options.show_ids = True
    yield
    utfall.options.show_ids = saved
