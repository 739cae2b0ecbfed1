"""`utfall demo` runs from the command line and prints its sections."""

from __future__ import annotations

import re
import subprocess
import sys


def test_demo_prints_the_sections():
    out = subprocess.run([sys.executable, "-m", "utfall", "demo", "--seed", "7", "--historical", "300"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    for heading in ("Cohort", "Follow-up costs and care days", "Concentration of care days",
                    "Settling the contract at 2y"):
        assert f"{heading}\n{'=' * len(heading)}" in out
    assert "2y:" in out and "3y:" in out
    assert "mean cost (MSEK)" in out and "days foster_home" in out
    assert "Cohort(60 participants, 300 historical" in out
    assert "net sum +18" in out and "total paid" in out and "P(investor loses money)" in out
    shares = [int(s) for s in re.findall(r"hold (\d+) %", out)]
    assert len(shares) == 2 and 30 < shares[0] < shares[1] < 100


def test_demo_is_deterministic():
    from utfall.demo import run_demo

    assert (run_demo(seed=3, n_participants=30, n_historical=200)
            == run_demo(seed=3, n_participants=30, n_historical=200))
