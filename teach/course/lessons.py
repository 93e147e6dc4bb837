"""What a teacher edition's exercises are made of: the cells of each numbered exercise.

An exercise starts at its heading (``### Exercise 1.3``, optionally ``(interpretation)``) and runs to the
next heading. Inside it:

* *answer cells*: code cells with a ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region (or tagged
  ``solution``), the code part a student writes;
* the *check cell*: ``check("1.3", answer_1_3)``, the self-check below the answer;
* *written cells*: markdown cells tagged ``student-answer``, where the student writes;
* *rubric cells*: markdown cells tagged ``teacher-only`` (model answer and rubric).

An exercise may have a code part, a written part, or both (1.6: a number, then a sentence about it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from teach.editions import BEGIN, SOLUTION_TAG, TEACHER_TAG, teacher_notebooks, TEACHER_DIR

HEADING = re.compile(r"^\s*#{1,6}\s", re.MULTILINE)
EXERCISE = re.compile(r"^\s*#{2,6}\s*Exercise\s+(\d+\.\d+)\b", re.IGNORECASE | re.MULTILINE)
CHECK_CALL = re.compile(r"""^\s*check\(\s*["'](\d+\.\d+)["']""", re.MULTILINE)
WRITTEN_TAG = "student-answer"


@dataclass
class Exercise:
    id: str
    heading: int  # index of the heading cell in the notebook
    cells: list[int] = field(default_factory=list)  # every cell of the exercise, heading included
    answers: list[int] = field(default_factory=list)
    check: int | None = None
    written: list[int] = field(default_factory=list)
    rubric: list[int] = field(default_factory=list)

    @property
    def has_code(self) -> bool:
        return self.check is not None

    @property
    def has_written(self) -> bool:
        return bool(self.written)


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def exercises(nb: nbformat.NotebookNode) -> dict[str, Exercise]:
    """The exercises of a teacher notebook, by id, in the order they appear."""
    found: dict[str, Exercise] = {}
    current: Exercise | None = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and HEADING.search(cell.source):
            matches = EXERCISE.findall(cell.source)
            current = None
            for qid in matches:
                if qid in found and found[qid].heading != index:
                    raise ValueError(f"Exercise {qid} has two headings (cells {found[qid].heading + 1} and {index + 1}): number one of them anew.")
            if matches:  # the last heading of the cell opens the exercise (prose may come before it)
                current = found.setdefault(matches[-1], Exercise(matches[-1], index))
        if current is None:
            continue
        current.cells.append(index)
        tags = _tags(cell)
        if cell.cell_type == "code":
            if SOLUTION_TAG in tags or any(BEGIN.match(line) for line in cell.source.splitlines()):
                current.answers.append(index)
            elif (call := CHECK_CALL.search(cell.source)) and call.group(1) == current.id:
                current.check = index
        elif WRITTEN_TAG in tags:
            current.written.append(index)
        elif TEACHER_TAG in tags:
            current.rubric.append(index)
    return found


def lesson_path(lesson: str, teacher_dir: Path = TEACHER_DIR) -> Path | None:
    """The teacher edition called ``lesson`` ("01_honeymoon", "01_honeymoon.ipynb" or "01"), or None."""
    for path in teacher_notebooks(teacher_dir):
        if lesson in (path.name, path.stem, path.stem.split("_", 1)[0]):
            return path
    return None


def lesson_names(teacher_dir: Path = TEACHER_DIR) -> list[str]:
    return [p.stem for p in teacher_notebooks(teacher_dir)]
