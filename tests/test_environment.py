"""The set-up files agree with each other: pyproject.toml, environment.yml, constraints.txt, .ci/run (and .binder/: tests/test_deploy.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _conda_dependencies() -> tuple[dict[str, str], list[str]]:
    conda: dict[str, str] = {}
    pip: list[str] = []
    in_pip = in_deps = False
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if re.match(r"^\w", stripped):
            in_deps = stripped.startswith("dependencies:")
            continue
        if not in_deps:
            continue
        if re.match(r"^\s+- pip:\s*$", stripped):
            in_pip = True
            continue
        match = re.match(r"^(\s+)- (.+)$", stripped)
        if not match:
            continue
        if in_pip and len(match.group(1)) > 2:
            pip.append(match.group(2).strip())
        else:
            in_pip = False
            conda[_name(match.group(2))] = match.group(2).strip()
    return conda, pip


def test_environment_yml_installs_the_binder_pins_and_the_package():
    """conda installs Python and pip only; every package comes from .binder/requirements.txt, which
    tests/test_deploy.py checks against pyproject.toml and constraints.txt."""
    conda, pip = _conda_dependencies()
    assert set(conda) == {"python", "pip"}, "environment.yml installs packages through the pinned .binder/requirements.txt only"
    assert pip == ["-r .binder/requirements.txt", "-e ."], "environment.yml installs the pins, then the helpers package itself (editable)"


def test_python_versions_agree():
    conda, _ = _conda_dependencies()
    wanted = _pyproject()["project"]["requires-python"]
    assert wanted == ">=3.11"
    assert conda["python"] == "python=3.11"
    assert "sys.version_info >= (3, 11)" in (ROOT / "Makefile").read_text()


def test_every_dependency_is_pinned_in_constraints():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_name(name)] = version
    project = _pyproject()["project"]
    extras = [r for group in project["optional-dependencies"].values() for r in group]
    for requirement in project["dependencies"] + extras:
        assert _name(requirement) in pins, f"{requirement} is not pinned in constraints.txt"


def test_ci_runs_exactly_make_test():
    lines = [l for l in (ROOT / ".ci" / "run").read_text().splitlines() if l and not l.startswith("#")]
    assert "make test" in lines
    commands = [l for l in lines if not l.startswith(("set ", "cd "))]
    assert commands[-1] == "make test"
