"""Nothing in the lessons assumes a particular user, home folder or working directory."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from teach.editions import execute

ROOT = Path(__file__).resolve().parent.parent


def test_a_lesson_runs_from_another_working_directory_and_home(tmp_path, monkeypatch):
    """A class hub copies the notebooks anywhere: run lesson 0 from a temporary folder, as a user with an empty home."""
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "elsewhere"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / "student" / "00_start_here.ipynb", work / "lesson.ipynb")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(work)
    nb = execute(nbformat.read(work / "lesson.ipynb", as_version=4), work)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert "Exercise 0.1: not answered yet." in json.dumps(outputs)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").rglob("[0-9][0-9]_*.ipynb")), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_machine_paths_in_stored_notebooks(path):
    text = re.sub(r"https?://[^\s\"'<>]+", "", path.read_text(encoding="utf-8"))  # a web address may hold /home/
    for needle in ("/work/", "/root/", "/home/", "/tmp/", "C:\\\\"):
        assert needle not in text, f"{path.name} stores a machine-specific path ({needle})"
