"""utfall installs where research data live: from a wheelhouse, with no Rust and no network.

tools/wheelhouse.sh builds the abi3 wheel (reusing the test command's release build), the
sdist and a wheelhouse of the dependencies; a fresh venv then installs from it with
`--no-index`, with PATH holding no cargo or rustc, and runs `utfall demo`.
"""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_installs_without_rust_or_network_and_runs_the_demo(tmp_path):
    if shutil.which("maturin") is None:
        pytest.fail("maturin is not on PATH: the test extra installs it (pip install -e '.[test]')")
    built = subprocess.run(["bash", str(ROOT / "tools" / "wheelhouse.sh"), str(tmp_path / "dist")],
                           capture_output=True, text=True, cwd=ROOT)
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = Path(built.stdout.strip().splitlines()[-1])
    assert wheel.name.startswith("utfall-") and "-abi3-manylinux" in wheel.name and "cp39" in wheel.name
    with tarfile.open(next((tmp_path / "dist").glob("utfall-*.tar.gz"))) as sdist:
        names = sdist.getnames()
    assert any(n.endswith("/Cargo.toml") for n in names) and any(n.endswith("/src/lib.rs") for n in names)

    venv = tmp_path / "closed"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # No compiler toolchain and no package index: only the venv and the system's basic tools.
    path = os.pathsep.join([str(venv / "bin"), "/usr/bin", "/bin"])
    env = {"PATH": path, "HOME": str(tmp_path), "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    assert shutil.which("cargo", path=path) is None and shutil.which("rustc", path=path) is None
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", "--no-index", "--find-links",
                              str(tmp_path / "dist" / "wheelhouse"), "utfall"], env=env, capture_output=True,
                             text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    demo = subprocess.run([str(venv / "bin" / "utfall"), "demo", "--report", "report.html"], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "expected" in demo.stdout.lower() and "2y" in demo.stdout
    # The report's template and its Jinja2 dependency came with the wheel and the wheelhouse.
    assert "Matchning och balans" in (tmp_path / "report.html").read_text(encoding="utf-8")
