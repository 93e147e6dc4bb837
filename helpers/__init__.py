"""Helpers for the Sino-Soviet relations 1957 lessons.

Modules (imported on first use, so ``import helpers`` stays fast):

- :mod:`helpers.data`      ``load("events")``, ``datasets()``, ``cite("events")``
- :mod:`helpers.analysis`  growth rates, overtaking years, counts
- :mod:`helpers.plots`     house style, ``timeline``, ``line_chart``, ``show``
- :mod:`helpers.widgets`   the lesson explorers
- :mod:`helpers.exercises` ``check("1.3", answer)``
- :mod:`helpers.documents` the documents reader: ``card(id)``, ``compare(a, b)``, ``listing(lesson=2)``
- :mod:`helpers.glossary`  the key terms: ``term("revisionism")``, ``terms(lesson=2)``
- :mod:`helpers.errors`    the package's one exception root, :class:`~helpers.errors.LessonError`

The names most lessons need are available at the top level::

    from helpers import load, cite, check
"""

from __future__ import annotations

import importlib


def _version() -> str:
    """The version in pyproject.toml, the one place it is written (as installed; read directly in a bare copy)."""
    from importlib import metadata

    try:
        return metadata.version("sino-soviet-1957")
    except metadata.PackageNotFoundError:
        import re
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        found = re.search(r'^version = "([^"]+)"', pyproject.read_text(encoding="utf-8"), re.M) if pyproject.exists() else None
        return found.group(1) if found else "unknown"

_SHORTCUTS = {
    "load": "helpers.data",
    "datasets": "helpers.data",
    "cite": "helpers.data",
    "check": "helpers.exercises",
}
_MODULES = {"data", "analysis", "plots", "widgets", "exercises", "documents", "glossary", "errors", "dates"}

__all__ = sorted(_SHORTCUTS) + sorted(_MODULES)


def __getattr__(name: str):
    if name == "__version__":
        return _version()
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(_SHORTCUTS[name]), name)
    if name in _MODULES:
        return importlib.import_module(f"helpers.{name}")
    raise AttributeError(f"module 'helpers' has no attribute '{name}'; it offers {', '.join(__all__)}")
