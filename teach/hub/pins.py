"""Binder's and conda's pins, generated from constraints.txt: ``python -m teach pins [--check]`` (``make binder``).

``.binder/requirements.txt`` lists, at exactly the version constraints.txt pins, every package the lessons
and the class tools need (pyproject.toml's dependencies and its ``class`` extra, and everything those
require, as the installed packages' metadata says). repo2docker (Binder, and the Zero to JupyterHub image)
installs it; environment.yml (conda) installs it too. ``.binder/runtime.txt`` names the Python.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata

from packaging.requirements import Requirement

from teach.hub.env import ROOT, requirements

BINDER = ROOT / ".binder"
HEADER = (
    "# Generated from constraints.txt by `make binder` (python -m teach pins); do not edit by hand.\n"
    "# The lesson stack and the class tools (pyproject.toml: dependencies and the `class` extra), exactly pinned.\n"
)


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def constraints() -> dict[str, str]:
    """constraints.txt as {normalised name: 'Name==version'} (its own spelling kept)."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            pins[_norm(line.split("==", 1)[0])] = line
    return pins


def closure(roots: list[str]) -> set[str]:
    """Every distribution the requirements ``roots`` need here (markers evaluated for this Python), normalised."""
    seen: set[str] = set()
    todo = [(Requirement(r), "") for r in roots]
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({"extra": extra}):
            continue
        name = _norm(req.name)
        extras = sorted(req.extras)
        key = name + "[" + ",".join(extras) + "]"
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError as err:
            raise SystemExit(f"{req.name} is needed but not installed here: run `make setup-class` first.") from err
        for line in dist.requires or []:
            sub = Requirement(line)
            for wanted in [""] + extras:
                if not sub.marker or sub.marker.evaluate({"extra": wanted}):
                    todo.append((Requirement(str(sub).split(";")[0]), ""))
                    break
    return {key.split("[")[0] for key in seen}


def binder_requirements() -> str:
    pins = constraints()
    needed = closure(requirements()) - {"pip", "setuptools", "wheel"}  # every environment brings its own
    missing = sorted(n for n in needed if n not in pins)
    if missing:
        raise SystemExit(f"constraints.txt pins no version of {', '.join(missing)}; update the pins (README, 'Updating the pins').")
    return HEADER + "".join(pins[n] + "\n" for n in sorted(needed))


def runtime() -> str:
    return "python-3.11\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teach pins", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if .binder/ is out of date")
    args = parser.parse_args(argv)
    wanted = {BINDER / "requirements.txt": binder_requirements(), BINDER / "runtime.txt": runtime()}
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run `make binder`")
        return 1 if stale else 0
    BINDER.mkdir(exist_ok=True)
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
