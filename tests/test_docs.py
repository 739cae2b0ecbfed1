"""The API reference builds from the docstrings with warnings as errors, and names every public name."""

import inspect
import subprocess
import sys
from pathlib import Path

import utfall

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_public_name_is_in_the_reference():
    api = (DOCS / "api.rst").read_text()
    missing = [n for n in utfall.__all__ if not n.startswith("__") and not inspect.ismodule(getattr(utfall, n))
               and f":: {n}\n" not in api and n != "options"]
    assert not missing, f"add to docs/api.rst: {missing}"


def test_the_reference_builds_without_warnings(tmp_path):
    built = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(DOCS),
                            str(tmp_path / "html")], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    page = (tmp_path / "html" / "api.html").read_text()
    for name in ("utfall.evaluate", "utfall.Evaluation.savings_bootstrap", "utfall.match", "utfall.Contract",
                 "utfall.Evaluation.report", "utfall.report.report", "utfall.presets.norrkoping",
                 "utfall.evaluation.SummaryFrame"):
        assert f'id="{name}"' in page, name
