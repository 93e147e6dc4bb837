"""teach.execute (make execute): outputs written, sources untouched, and a notebook saved while it ran never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from teach import execute

AUTOSAVE = """import json, pathlib
path = pathlib.Path("09_tiny.ipynb")
saved = json.loads(path.read_text(encoding="utf-8"))
saved["cells"][0]["source"] = "# Tiny lesson\\n\\nA sentence the teacher typed while it ran."
path.write_text(json.dumps(saved, indent=1), encoding="utf-8")
print("autosaved")"""


def _teacher(folder: Path, *extra: str) -> Path:
    nb = new_notebook(cells=[new_markdown_cell("# Tiny lesson"), new_code_cell("print(6 * 7)"), *map(new_code_cell, extra)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for n, cell in enumerate(nb.cells):
        cell.id = f"cell-{n}"
    path = folder / "09_tiny.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.fixture
def folder(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setattr(execute, "TEACHER_DIR", tmp_path)
    return tmp_path


def test_outputs_are_written_and_sources_kept(folder, capsys):
    path = _teacher(folder)
    sources = [c.source for c in nbformat.read(path, as_version=4).cells]
    assert execute.main(["09_tiny"]) == 0
    nb = nbformat.read(path, as_version=4)
    assert [c.source for c in nb.cells] == sources
    assert nb.cells[1].outputs[0]["text"] == "42\n"
    assert "executed" in capsys.readouterr().out
    assert execute.main(["09_tiny"]) == 0  # a second run changes nothing
    assert "unchanged" in capsys.readouterr().out


def test_a_notebook_saved_while_it_ran_is_not_overwritten(folder, capsys):
    """A real kernel runs the notebook; one of its cells saves the file meanwhile, as JupyterLab's autosave would."""
    path = _teacher(folder, AUTOSAVE)
    assert execute.main(["09_tiny"]) == 1
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["cells"][0]["source"] == "# Tiny lesson\n\nA sentence the teacher typed while it ran."  # the edit survives
    assert all(not c.get("outputs") for c in saved["cells"] if c["cell_type"] == "code")  # and no outputs were forced in
    err = capsys.readouterr().err
    assert "CHANGED    " in err and "was saved while it ran" in err and "run again" in err


def test_an_unknown_notebook_name_is_refused_not_silently_skipped(folder, capsys):
    _teacher(folder)
    assert execute.main(["09_tinny"]) == 2
    err = capsys.readouterr().err
    assert "no teacher notebook called '09_tinny'" in err and "the notebooks are: 09_tiny.ipynb" in err
