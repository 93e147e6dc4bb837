"""Maintainers: re-run every teacher notebook from a fresh kernel and store its outputs.

``python -m teach.execute [names...]`` (``make execute``) runs each ``notebooks/NN_*.ipynb``
top to bottom in a new kernel, with no timing metadata and no widget state, so that the
stored outputs are the ones nbval will compare. Only outputs change: the cells' sources
(a teacher's own edits) are written back exactly as they were read, and a notebook saved while it
ran is not written at all (exit status 1), so an edit made meanwhile is never lost.
"""

from __future__ import annotations

import sys

import nbformat

from teach.editions import TEACHER_DIR, _rel, execute, teacher_notebooks, unknown_names
from teach.files import write_atomic


def main(argv: list[str] | None = None) -> int:
    names = list(sys.argv[1:] if argv is None else argv)
    unknown = unknown_names(names, TEACHER_DIR)
    if unknown:
        print(f"error: {unknown}", file=sys.stderr)
        return 2
    status = 0
    for path in teacher_notebooks(TEACHER_DIR):
        if names and path.name not in names and path.stem not in names:
            continue
        original = path.read_text(encoding="utf-8")
        nb = nbformat.reads(original, as_version=4)
        before = [c.source for c in nb.cells]
        nb = execute(nb, TEACHER_DIR)
        assert [c.source for c in nb.cells] == before, "executing must never change a cell's source"
        text = nbformat.writes(nb) + "\n"
        now = path.read_text(encoding="utf-8")
        if now != original:
            # Saved while it ran (JupyterLab's autosave, another tool): writing now would lose that edit.
            print(f"CHANGED    {_rel(path)} was saved while it ran, so its outputs were not written; run again.", file=sys.stderr)
            status = 1
        elif now != text:
            write_atomic(path, text)
            print(f"executed   {_rel(path)}")
        else:
            print(f"unchanged  {_rel(path)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
