"""The two packages keep to their rooms, and the examples in their docstrings are true.

- ``helpers`` is what a student's kernel imports: it imports nothing from ``teach``;
- no module outside ``helpers`` imports a private name (``_x``) from it: the teachers' tools use its public API;
- every doctest in both packages runs (``>>>`` lines are examples a reader trusts).
"""

from __future__ import annotations

import ast
import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = [p for folder in ("teach", "bench", "tests") for p in sorted((ROOT / folder).rglob("*.py")) if "node_modules" not in p.parts]
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for folder in ("helpers", "teach") for p in (ROOT / folder).rglob("*.py")
    if "node_modules" not in p.parts and p.name not in ("__main__.py", "jupyterhub_config.py")
)


def private_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``from helpers... import _name`` statements in ``path`` (tests of a module's internals excepted)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "helpers":
            found += [f"{path.relative_to(root)}:{node.lineno}: {node.module}.{a.name}" for a in node.names if a.name.startswith("_") and a.name != "__version__"]
    return found


def test_no_module_outside_helpers_imports_a_private_name_from_it():
    found = [hit for path in OUTSIDE if path.parent.name != "tests" for hit in private_imports(path)]
    assert not found, "use helpers' public API instead:\n" + "\n".join(found)


def test_the_private_import_check_can_fail(tmp_path):
    planted = tmp_path / "tool.py"
    planted.write_text("from helpers.exercises.bank import _bank\n", encoding="utf-8")
    assert private_imports(planted, root=tmp_path) == ["tool.py:1: helpers.exercises.bank._bank"]


def test_helpers_imports_nothing_from_teach():
    found = []
    for path in sorted((ROOT / "helpers").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.relative_to(ROOT)}:{node.lineno}" for n in names if n.split(".")[0] == "teach"]
    assert not found, "the class copy has no teach/ package: " + ", ".join(found)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    try:
        module = importlib.import_module(name)
    except ImportError as err:  # a teachers' tool whose optional dependency (nbgrader, jupyterhub) is missing
        pytest.skip(f"{name}: {err}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (run python -m doctest -v on it)"
