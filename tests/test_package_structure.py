"""The package's shape: imports run one way (no cycle, counting imports inside
functions), no private name or private module crosses from one subpackage into
another, and no module grows past 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Set

ROOT = Path(__file__).resolve().parents[1] / "python" / "utfall"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = ["utfall", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def is_package(name: str) -> bool:
    return MODULES.get(name, Path()).name == "__init__.py"


def imports(name: str) -> List[tuple]:
    """(imported module, imported names) for every utfall import in module ``name``."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    package = name if is_package(name) else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "utfall":
                continue
            names = [a.name for a in node.names]
            for n in names:  # `from . import x` imports the module x
                if f"{target}.{n}" in MODULES or f"{target}.{n}" == "utfall._core":
                    found.append((f"{target}.{n}", []))
            found.append((target, [n for n in names if f"{target}.{n}" not in MODULES]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names if a.name.split(".")[0] == "utfall"]
    return found


def graph() -> Dict[str, Set[str]]:
    """Module -> the utfall modules it imports. A module's own ancestor packages are
    left out: Python loads them before the module in any case, so they are no cycle."""
    edges: Dict[str, Set[str]] = {m: set() for m in MODULES}
    for m in MODULES:
        for target, _ in imports(m):
            if target in MODULES and target != m and not m.startswith(target + "."):
                edges[m].add(target)
    return edges


def subpackage(name: str) -> str:
    """The concept a module belongs to: ``utfall.matching._api`` -> ``utfall.matching``;
    top-level modules belong to the top level."""
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or is_package(name) else "utfall"


def test_there_is_no_import_cycle() -> None:
    edges = graph()
    state: Dict[str, int] = {}
    stack: List[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(edges[m]):
            if state.get(n) == 1:
                cycle = stack[stack.index(n):] + [n]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if m not in state:
            visit(m)


def test_no_private_name_crosses_a_subpackage() -> None:
    offences = []
    for m in MODULES:
        home = subpackage(m)
        for target, names in imports(m):
            if target == "utfall._core" or subpackage(target) in (home, "utfall"):
                continue  # its own concept, or shared top-level infrastructure
            if any(part.startswith("_") for part in target.split(".")[2:]):
                offences.append(f"{m} imports the private module {target}")
            offences += [f"{m} imports the private name {target}.{n}" for n in names if n.startswith("_")]
    assert not offences, "\n".join(offences)


def test_the_checker_sees_a_cycle_and_a_private_import(tmp_path: Path) -> None:
    # The checks above must be able to fail: run them on a made-up pair of modules.
    global MODULES
    saved = dict(MODULES)
    try:
        MODULES = {"utfall.a._x": tmp_path / "x.py", "utfall.b._y": tmp_path / "y.py"}
        MODULES["utfall.a._x"].write_text("from ..b._y import _hidden\n")
        MODULES["utfall.b._y"].write_text("def f():\n    from ..a._x import g\n")
        for check in (test_there_is_no_import_cycle, test_no_private_name_crosses_a_subpackage):
            try:
                check()
            except AssertionError:
                continue
            raise AssertionError(f"{check.__name__} passed on a broken package")
    finally:
        MODULES = saved


def test_every_module_is_small() -> None:
    big = {m: n for m, p in MODULES.items() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, f"modules past {MAX_LINES} lines: {big}"
