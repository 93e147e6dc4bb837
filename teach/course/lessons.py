"""The lessons a course file can name, and their exercises (read by the lesson model, :mod:`teach.lesson`).

An exercise starts at its heading (``### Exercise 1.3``, optionally ``(interpretation)``) and runs to the
next heading. Inside it: *answer cells* (code with a solution region, or tagged ``solution``), the *check
cell* (``check("1.3", answer_1_3)``), *written cells* (tagged ``student-answer``) and *rubric cells*
(tagged ``teacher-only``: model answer and rubric). An exercise may have a code part, a written part, or both.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from teach.editions import TEACHER_DIR, teacher_notebooks
from teach.lesson import Exercise, read

__all__ = ["Exercise", "exercises", "lesson_names", "lesson_path"]


def exercises(nb: nbformat.NotebookNode, name: str = "lesson") -> dict[str, Exercise]:
    """The exercises of a teacher notebook, by id, in the order they appear."""
    return read(nb, name).exercises


def lesson_path(lesson: str, teacher_dir: Path = TEACHER_DIR) -> Path | None:
    """The teacher edition called ``lesson`` ("01_honeymoon", "01_honeymoon.ipynb" or "01"), or None."""
    for path in teacher_notebooks(teacher_dir):
        if lesson in (path.name, path.stem, path.stem.split("_", 1)[0]):
            return path
    return None


def lesson_names(teacher_dir: Path = TEACHER_DIR) -> list[str]:
    return [p.stem for p in teacher_notebooks(teacher_dir)]
