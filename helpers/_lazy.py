"""A module imported on first use: ``plt = LazyModule("matplotlib.pyplot")`` costs nothing until a figure is drawn.

``import helpers.plots`` and the lessons' first cell stay quick (pyplot and the figure machinery take about half a
second to import); the first ``plt.subplots(...)`` imports pyplot, and every later use is the module itself.

>>> json = LazyModule("json")
>>> json.dumps([1957])
'[1957]'
"""

from __future__ import annotations

import importlib
from types import ModuleType


class LazyModule:
    """Stands for the module ``name`` and imports it when one of its attributes is first asked for."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str):
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        return f"<module {self._name!r} ({'imported' if self._module else 'imported on first use'})>"
