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


#: Test modules that run with utfall's default ``show_ids = False``: what leaves the process.
DEFAULT_IDS = ("test_privacy", "test_disclosure")


@pytest.fixture(autouse=True)
def data_holder_sees_ids(request):
    # Most tests check that a message names the id at fault, as the data holder debugging on
    # their own machine sees it (utfall.options.show_ids). That would hide a raw id leaking
    # into a message, so the tests of what leaves the process keep the default (off) and
    # drive the error paths with personnummer-like ids (tests/test_privacy.py).
    saved = utfall.options.show_ids
    utfall.options.show_ids = request.module.__name__.rsplit(".", 1)[-1] not in DEFAULT_IDS
    yield
    utfall.options.show_ids = saved
