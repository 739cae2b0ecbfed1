"""Hypothesis profiles: deterministic in the test command, exploratory for developers.

- ``ci`` (the default, and what ``tests/run_all.sh`` selects): derandomised (the
  examples are a function of the test alone), no example database (nothing is
  replayed from ``.hypothesis/``), no deadline (the machine is shared). The suite
  passes or fails the same way on every run and every fresh clone.
- ``dev``: random examples, five times as many, and the example database, so a
  failure found once is replayed until fixed. Select it with
  ``pytest --hypothesis-profile=dev`` or ``HYPOTHESIS_PROFILE=dev``. A test's own
  ``@settings(max_examples=...)`` takes precedence over both.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

import utfall

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", derandomize=False, deadline=None, max_examples=500,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def data_holder_sees_ids():
    # Most tests check that a message names the id at fault, as the data holder debugging on
    # their own machine sees it (utfall.options.show_ids); tests of what leaves the process
    # (tests/test_privacy.py) turn it off again.
    saved = utfall.options.show_ids
    utfall.options.show_ids = True
    yield
    utfall.options.show_ids = saved
