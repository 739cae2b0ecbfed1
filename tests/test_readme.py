"""Every Python block of the README runs as written, each on its own (a fresh namespace, in an
empty folder), and the README's example, the demo and notebook 1 print the same savings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Dict, List

import matplotlib
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.S)
SAVINGS = re.compile(r"(\d+y): expected [-0-9.,]+ MSEK, actual [-0-9.,]+ MSEK, savings (-?[0-9.,]+) MSEK")


def test_the_readme_has_its_blocks() -> None:
    assert len(BLOCKS) >= 7
    assert README.startswith("# utfall")
    assert "```bash\npip install . && utfall demo\nbash tests/run_all.sh\n```" in README


@pytest.mark.parametrize("k", range(len(BLOCKS)), ids=[f"block{k + 1}" for k in range(len(BLOCKS))])
def test_a_readme_block_runs_as_written(k: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    scope: Dict[str, Any] = {"__name__": "__readme__"}
    try:
        exec(compile(BLOCKS[k], f"README.md block {k + 1}", "exec"), scope)
    finally:
        plt.close("all")


def _readme_savings(capsys: pytest.CaptureFixture) -> Dict[str, str]:
    matplotlib.use("Agg")
    exec(compile(BLOCKS[0], "README.md block 1", "exec"), {"__name__": "__readme__"})
    return {"2y": "", "3y": "", **dict(SAVINGS.findall(capsys.readouterr().out))}


def _notebook_savings() -> Dict[str, str]:
    nb = json.loads((ROOT / "notebooks" / "1_evaluation_two_years.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "preset = utfall.presets.norrkoping()" in code and "cohort = preset.cohort()" in code  # its register
    found = re.search(r"evaluation = (utfall\.presets\.norrkoping\(\)\.evaluate\([^)]*\))", code)
    assert found, "notebook 1 evaluates with utfall.presets.norrkoping()"
    import utfall

    scope: Dict[str, Any] = {"utfall": utfall}
    exec("cohort = utfall.presets.norrkoping().cohort()\nevaluation = " + found.group(1), scope)
    return dict(SAVINGS.findall(repr(scope["evaluation"])))


def test_demo_readme_and_notebook_1_print_the_same_savings(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from utfall.demo import run_demo

    monkeypatch.chdir(tmp_path)  # the README's first block writes report.html

    readme = _readme_savings(capsys)
    demo = run_demo()
    rows: List[str] = [line for line in demo.splitlines() if line.startswith("savings = expected - actual")]
    assert len(rows) == 1
    demo_savings = dict(zip(("2y", "3y"), rows[0].split()[-2:]))
    notebook = _notebook_savings()
    assert readme == demo_savings == notebook, (readme, demo_savings, notebook)
    assert readme == {"2y": "-3.1", "3y": "-31.1"}
