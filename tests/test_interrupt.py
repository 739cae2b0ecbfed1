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


def test_sigint_ends_a_long_bootstrap_within_two_seconds():
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    time.sleep(1.0)
    assert proc.poll() is None, "the bootstrap ended before the signal"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=10)
    finally:
        proc.kill()
    waited = time.monotonic() - sent
    assert proc.returncode == 3, err
    assert "interrupted" in out
    assert waited < 2.0, f"took {waited:.2f} s to stop"
