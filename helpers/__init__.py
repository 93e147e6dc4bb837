"""Helpers for the Sino-Soviet relations 1957 lessons.

Modules (imported on first use, so ``import helpers`` stays fast):

- :mod:`helpers.data`      ``load("events")``, ``datasets()``, ``cite("events")``
- :mod:`helpers.analysis`  growth rates, overtaking years, counts
- :mod:`helpers.plots`     house style, ``timeline``, ``line_chart``, ``show``
- :mod:`helpers.widgets`   the lesson explorers
- :mod:`helpers.exercises` ``check("1.3", answer)``
- :mod:`helpers.documents` the documents reader: ``card(id)``, ``compare(a, b)``, ``listing(lesson=2)``
- :mod:`helpers.editions`  teacher edition -> student edition

The names most lessons need are available at the top level::

    from helpers import load, cite, check
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SHORTCUTS = {
    "load": "helpers.data",
    "datasets": "helpers.data",
    "cite": "helpers.data",
    "check": "helpers.exercises",
}
_MODULES = {"data", "analysis", "plots", "widgets", "exercises", "editions", "documents", "glossary"}

__all__ = sorted(_SHORTCUTS) + sorted(_MODULES)


def __getattr__(name: str):
    if name in _SHORTCUTS:
        return getattr(importlib.import_module(_SHORTCUTS[name]), name)
    if name in _MODULES:
        return importlib.import_module(f"helpers.{name}")
    raise AttributeError(f"module 'helpers' has no attribute '{name}'; it offers {', '.join(__all__)}")
