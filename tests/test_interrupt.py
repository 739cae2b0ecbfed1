"""Ctrl-C stops a long bootstrap quickly with KeyboardInterrupt."""

import signal
import subprocess
import sys
import time

SCRIPT = r"""
import sys, numpy as np, utfall
x = np.random.default_rng(0).lognormal(size=200_000)
print("started", flush=True)
try:
    utfall.bootstrap(x, n_resamples=10_000_000, seed=1, progress=False, methods=("percentile",))
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""

# Ctrl-C is honoured in about a tenth of a second on a quiet machine; the work interrupted
# takes tens of seconds. The bound tells the two apart without failing on a loaded machine.
STOP_BOUND = 10.0


def seconds_to_stop_after_sigint(script: str) -> float:
    """Runs ``script`` in a subprocess, sends SIGINT a second after it printed "started",
    checks that it caught KeyboardInterrupt (exit code 3), and returns how long it took."""
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "started", proc.stderr.read()
        time.sleep(1.0)
        assert proc.poll() is None, "the work ended before the signal"
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        waited = time.monotonic() - sent
    finally:
        proc.kill()
    assert proc.returncode == 3, err
    assert "interrupted" in out
    return waited


def test_sigint_ends_a_long_bootstrap_promptly():
    waited = seconds_to_stop_after_sigint(SCRIPT)
    assert waited < STOP_BOUND, f"took {waited:.2f} s to stop"


def test_a_bootstrap_in_a_worker_thread_stops_when_its_batch_is_cancelled():
    """Worker threads never see SIGINT; a batch stops them through utfall._interrupt."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    import pytest

    import utfall
    from utfall._interrupt import cancellable

    x = np.random.default_rng(0).lognormal(size=100_000)
    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(cancellable(utfall.bootstrap, cancel), x, n_resamples=10_000_000, seed=1,
                             progress=False, methods=("percentile",))
        time.sleep(0.5)
        assert not future.done(), "the bootstrap ended before the cancellation"
        cancel.set()
        with pytest.raises(KeyboardInterrupt):
            future.result(timeout=30)
    # Outside a cancelled batch nothing is stopped.
    assert utfall.bootstrap(x[:100], n_resamples=99, seed=1, progress=False).n_resamples == 99


BATCH_SCRIPT = r"""
import sys, utfall
cohort = utfall.synthetic.register(60, 400, seed=1)
specs = [{"matching": {"estimator": "stratum", "exact": ["sex"]}, "horizons": ["2y", "3y"],
          "bootstrap": 200_000, "seed": k} for k in range(40)]
print("started", flush=True)
try:
    utfall.evaluate_many(specs, cohort, progress=False)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
"""


def test_sigint_ends_a_batch_of_evaluations_promptly():
    """The evaluations running in evaluate_many's worker threads stop too (about a minute of work)."""
    waited = seconds_to_stop_after_sigint(BATCH_SCRIPT)
    assert waited < STOP_BOUND, f"took {waited:.2f} s to stop"
