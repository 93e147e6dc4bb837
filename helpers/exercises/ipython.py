"""The notebook integration: which answer cells stopped with an error (IPython's ``pre_run_cell`` and
``post_run_cell`` hooks), and a one-line message for an ``answer...`` name that was never set.

Nothing is registered on import: :func:`install` does it (the lessons' first cell calls it; ``check`` calls it too)."""

from __future__ import annotations

import re
import sys
from typing import Any

# --------------------------------------------------------------------------- the cell that set the answer

_ASSIGNED = re.compile(r"^[ \t]*([A-Za-z_]\w*)\s*(?::[^=\n]*)?(?:[-+*/%@&|^]|//|\*\*|>>|<<)?=(?!=)", re.M)


def _assigned_names(source: str) -> set[str]:
    """Names a cell assigns at any level (``answer_1 = ...``, ``a, b = ...``, ``x += 1``); by pattern if it does not parse."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(_ASSIGNED.findall(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.NamedExpr)) else []
        for target in targets:
            names.update(leaf.id for leaf in ast.walk(target) if isinstance(leaf, ast.Name))
    return names


class _CellWatch:
    """Remembers, per IPython shell, which names the cells that stopped with an error meant to assign.

    ``answer_0_2 = Moscow`` (no quotes) stops with a NameError and leaves ``answer_0_2`` as it was;
    a check run next would judge that leftover value. The IPython hooks ``pre_run_cell`` and
    ``post_run_cell`` (whose result is the shell's ``last_execution_result``) note the failed cell's names,
    and a later successful cell that assigns them clears them.
    """

    def __init__(self) -> None:
        self.failed: dict[str, str] = {}
        self.source = ""

    def pre(self, info: Any = None) -> None:
        self.source = getattr(info, "raw_cell", "") or ""

    def post(self, result: Any) -> None:
        info = getattr(result, "info", None)
        source = getattr(info, "raw_cell", None) or self.source
        names = _assigned_names(source)
        error = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)
        if error is not None:
            why = f"{type(error).__name__}: {error}"
            for name in names:
                self.failed[name] = why
        else:
            for name in names:
                self.failed.pop(name, None)

    def stale(self, answer: Any, namespace: dict[str, Any]) -> tuple[str, str] | None:
        """(name, error) if ``answer`` is the value of a name whose last assignment failed and this cell uses it."""
        used = set(re.findall(r"[A-Za-z_]\w*", self.source))
        for name, why in self.failed.items():
            if name in used and name in namespace and namespace[name] is answer:
                return name, why
        return None


def _shell() -> Any:
    ipython = sys.modules.get("IPython")  # no IPython imported: not in a notebook, nothing to watch
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception:  # noqa: BLE001
        return None


def _watch(shell: Any = None) -> _CellWatch | None:
    """The watch of ``shell`` (the running one by default), registering its hooks the first time."""
    shell = shell or _shell()
    if shell is None or not hasattr(shell, "events"):
        return None
    watch = getattr(shell, "_helpers_cell_watch", None)
    if watch is None:
        watch = _CellWatch()
        try:
            shell.events.register("pre_run_cell", watch.pre)
            shell.events.register("post_run_cell", watch.post)
            shell._helpers_cell_watch = watch
            if not getattr(shell, "custom_exceptions", ()):  # nobody else handles exceptions specially
                shell.set_custom_exc((NameError,), _answer_name_error)
        except Exception:  # noqa: BLE001 - an unusual shell: check still works, without this guard
            return None
    return watch


def _answer_name_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    """IPython's handler for NameError: for an ``answer...`` name that was never set, say why in one line.

    ``check('0.2', answer_0_2)`` run before the answer cell, or after it stopped with an error, would
    otherwise show a traceback; any other NameError is shown as usual.
    """
    name = getattr(value, "name", None)
    if not (isinstance(name, str) and re.fullmatch(r"answer\w*", name)):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    watch = getattr(shell, "_helpers_cell_watch", None)
    why = watch.failed.get(name) if watch is not None else None
    if why:
        text = _stale_message(f"{name} has no value", name, why).split(". ", 1)[1]
        message = f"{name} has no value: {text[0].lower()}{text[1:]}"
        message = message.replace(f"so {name} still holds an earlier value and checking it would mislead you", f"so {name} was never set")
    else:
        message = f"{name} has no value yet: run the cell above that sets it (replace ... with your answer there), then this one."
    shell._showtraceback(etype, value, [f"NameError: {message}"])
    return None


def _stale_message(label: str, name: str, why: str) -> str:
    advice = "Fix that cell, run it, then run this check again."
    m = re.match(r"NameError: name '(\w+)' is not defined", why)
    if m:
        advice = f"If {m.group(1)} is meant as text, put it in quotes ('{m.group(1)}'); then run that cell, and this check again."
    return (
        f"{label}: not checked. The cell that sets {name} stopped with an error ({why[:120]}), so {name} still holds "
        f"an earlier value and checking it would mislead you. {advice}"
    )



def install(shell: Any = None) -> bool:
    """Start noting failed answer cells in ``shell`` (the running IPython by default); True if it could."""
    return _watch(shell) is not None
