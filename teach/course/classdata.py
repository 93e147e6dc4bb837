"""What a graded assignment left behind, read once for the class report and the export.

Read from the nbgrader course folder (nothing is written there):

* ``gradebook.db`` (nbgrader's gradebook, read with :class:`nbgrader.api.Gradebook`): the students, and per
  submission and grade cell the points (``auto_score``, ``manual_score``, ``max_score``), and whether a written
  answer still waits to be graded by hand;
* ``answers/<assignment>/<student>.json``: what each student's kernel handed to each graded check, the verdict
  and its one-line message (written when the class is graded)::

      {"assignment": "lesson01", "student": "alice",
       "answers": {"1.1": {"given": 1954, "verdict": "wrong", "message": "Exercise 1.1: not correct."}}}

* ``autograded/<student>/<assignment>/*.ipynb``: the text of each written answer (the cell whose grade id is
  ``written_<exercise>``);
* ``source/<assignment>/*.ipynb``: the order of the exercises, and the model answer and rubric of each written
  exercise (the mark-scheme region of its ``rubric_<exercise>_<cell>`` cells);
* ``submitted/<student>/<assignment>/`` and ``grading-<assignment>.log``: work handed in that nbgrader has no
  submission of (``make grade`` said NOT GRADED, or has not run on it yet), with the log's reason.

The late penalty of a submission is the one nbgrader recorded (``late_submission_penalty`` of its notebooks,
written by ``make grade`` and ``make late`` from course.toml's ``[late]``); the figures of the exercises use the
points before it, the grade after it.

The grade ids are those :mod:`teach.course.build` writes: ``check_1_2`` (the code part of exercise 1.2) and
``written_1_9`` (the written part of 1.9).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from teach.errors import ToolError

GRADE_ID = re.compile(r"^(check|written)_(\w+)$")
MARK_SCHEME = re.compile(r"### BEGIN MARK SCHEME\n?(.*?)\n?### END MARK SCHEME", re.S)
PLACEHOLDER = "*Write your answer here.*"


class ClassDataError(ToolError, RuntimeError):
    """The course folder does not hold what the report or the export needs (the message says what to do)."""


@dataclass
class Item:
    """One graded part of an exercise: its code part (autograded) or its written part (graded by hand)."""

    grade_id: str
    qid: str
    part: str  # "code" or "written"
    max_points: float
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.qid


@dataclass
class Assignment:
    name: str
    items: list[Item]
    #: every student in the gradebook, in id order
    students: list[str]
    #: student -> grade id -> points (nbgrader's score: the hand-given one if any, else the autograder's;
    #: None while neither is given, i.e. a written answer not graded yet)
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)
    #: student -> exercise id -> {"given", "verdict", "message"}
    answers: dict[str, dict[str, dict]] = field(default_factory=dict)
    #: grade id -> student -> the text of the written answer
    written: dict[str, dict[str, str]] = field(default_factory=dict)
    #: exercise id -> (model answer, rubric) as markdown text
    rubrics: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: one line each: what could not be read and was left out
    notes: list[str] = field(default_factory=list)
    #: student -> the late penalty nbgrader recorded, in points (submissions with one only)
    penalties: dict[str, float] = field(default_factory=dict)
    #: student -> seconds after the due date (and the student's extension) the work was handed in (late ones only)
    late_seconds: dict[str, float] = field(default_factory=dict)
    #: student -> why work handed in (``submitted/``) has no submission in the gradebook
    ungraded: dict[str, str] = field(default_factory=dict)

    @property
    def submitted(self) -> list[str]:
        """The students with a submission in the gradebook."""
        return [s for s in self.students if s in self.scores]

    @property
    def max_total(self) -> float:
        return sum(item.max_points for item in self.items)

    def total(self, student: str) -> float:
        """The points of the exercises, before any late penalty."""
        return sum(p or 0.0 for p in self.scores.get(student, {}).values())

    def grade(self, student: str) -> float:
        """The total less the late penalty (never below 0): what the export hands the school's system."""
        return max(0.0, self.total(student) - self.penalties.get(student, 0.0))

    def pending(self, student: str | None = None) -> int:
        """Written answers still to grade by hand (of one student, or of the class)."""
        who = [student] if student else self.submitted
        return sum(1 for s in who for p in self.scores.get(s, {}).values() if p is None)


def _item_of(grade_id: str, max_points: float) -> Item | None:
    match = GRADE_ID.match(grade_id)
    if not match:
        return None
    kind, key = match.groups()
    return Item(grade_id, key.replace("_", "."), "code" if kind == "check" else "written", float(max_points or 0))


def open_gradebook(course_dir: Path):
    """nbgrader's gradebook of ``course_dir`` (a context manager); a one-line error if there is none."""
    import os

    path = course_dir / "gradebook.db"
    if not course_dir.is_dir():
        raise ClassDataError(f"there is no course folder {course_dir}: give its path with --course-dir (make course writes it)")
    if not path.is_file():
        raise ClassDataError(f"{path} does not exist: there is no gradebook yet (run `make course`, then grade with `make grade ASSIGNMENT=...`)")
    from nbgrader.api import Gradebook

    from teach.course.grading import nbgrader_env

    os.environ["PATH"] = nbgrader_env()["PATH"]  # nbgrader may migrate the database with alembic
    try:
        return Gradebook(f"sqlite:///{path}")
    except Exception as err:  # noqa: BLE001 - a damaged or foreign file: say so in one line
        raise ClassDataError(f"{path} cannot be read as nbgrader's gradebook ({type(err).__name__}: {str(err).splitlines()[0][:120]})") from None


def graded_assignments(gradebook) -> list[str]:
    """The assignments with at least one submission, in due-date (then name) order."""
    found = [a for a in gradebook.assignments if a.submissions]
    return [a.name for a in sorted(found, key=lambda a: (a.duedate is None, a.duedate or 0, a.name))]


def _order(course_dir: Path, name: str) -> list[str]:
    """The grade ids in the order of the source notebook's cells (empty if there is no source notebook)."""
    import nbformat

    ids = []
    for path in sorted((course_dir / "source" / name).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid:
                ids.append(gid)
    return ids


def _rubrics(course_dir: Path, name: str) -> dict[str, tuple[str, str]]:
    """Exercise id -> (model answer, rubric), from the source notebook's mark-scheme cells."""
    import nbformat

    found: dict[str, list[str]] = {}
    for path in sorted((course_dir / "source" / name).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
            match = re.match(r"^rubric_(\w+?)_\d+$", gid)
            if not match:
                continue
            inner = MARK_SCHEME.search(cell.source)
            text = (inner.group(1) if inner else cell.source).strip()
            found.setdefault(match.group(1).replace("_", "."), []).append(text)
    out = {}
    for qid, texts in found.items():
        text = "\n\n".join(texts)
        parts = re.split(r"(?m)^(?=\*\*Rubric)", text, maxsplit=1)
        model = re.sub(r"^\*\*Model answer\.?\*\*\s*", "", parts[0].strip())
        out[qid] = (model, parts[1].strip() if len(parts) > 1 else "")
    return out


def _written_text(course_dir: Path, name: str, student: str, grade_ids: set[str]) -> dict[str, str]:
    """Grade id -> the student's written answer, from the autograded notebook (else the submitted one)."""
    import nbformat

    texts: dict[str, str] = {}
    for folder in (course_dir / "autograded" / student / name, course_dir / "submitted" / student / name):
        for path in sorted(folder.glob("*.ipynb")) if folder.is_dir() else []:
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception:  # noqa: BLE001 - the grading report has said why it could not be read
                continue
            for cell in nb.cells:
                gid = cell.metadata.get("nbgrader", {}).get("grade_id")
                if gid in grade_ids and gid not in texts:
                    texts[gid] = cell.source.strip()
        if texts:
            break
    return texts


def _answers(course_dir: Path, name: str, notes: list[str]) -> dict[str, dict[str, dict]]:
    folder = course_dir / "answers" / name
    found: dict[str, dict[str, dict]] = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            answers = doc["answers"]
            if not isinstance(answers, dict):
                raise TypeError
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError):
            notes.append(f"{path.relative_to(course_dir)} is not an answers file (JSON with an \"answers\" object): left out")
            continue
        found[str(doc.get("student") or path.stem)] = answers
    return found


def _ungraded(course_dir: Path, name: str, graded: set[str]) -> dict[str, str]:
    """Student -> why the work in submitted/<student>/<name>/ has no submission in the gradebook (the grading log's reason)."""
    folder = course_dir / "submitted"
    waiting = sorted(p.name for p in folder.iterdir() if (p / name).is_dir() and p.name not in graded) if folder.is_dir() else []
    if not waiting:
        return {}
    reasons = {s: f"not graded yet: run make grade ASSIGNMENT={name}" for s in waiting}
    log = course_dir / f"grading-{name}.log"
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []
    for line in lines:  # the last line about a student is the latest run's
        student, _, rest = line.partition(" ")
        if student in reasons and rest.strip().startswith("NOT GRADED"):
            reasons[student] = "NOT GRADED: " + rest.strip().removeprefix("NOT GRADED").strip()
    return reasons


def load(course_dir: str | Path, name: str) -> Assignment:
    """Everything the report needs about assignment ``name`` of the course folder ``course_dir``."""
    from nbgrader.api import MissingEntry

    course_dir = Path(course_dir).resolve()
    notes: list[str] = []
    with open_gradebook(course_dir) as gradebook:
        try:
            assignment = gradebook.find_assignment(name)
        except MissingEntry:
            known = ", ".join(a.name for a in gradebook.assignments) or "none"
            raise ClassDataError(f"the gradebook has no assignment {name!r}; its assignments are: {known}") from None
        cells = [c for nb in assignment.notebooks for c in nb.grade_cells]
        students = sorted(s.id for s in gradebook.students)
        scores: dict[str, dict[str, float | None]] = {}
        penalties: dict[str, float] = {}
        late_seconds: dict[str, float] = {}
        for sub in assignment.submissions:
            row: dict[str, float | None] = {}
            if (penalty := sum(float(nb.late_submission_penalty or 0) for nb in sub.notebooks)) > 0:
                penalties[sub.student.id] = penalty
            if sub.timestamp is not None and (seconds := float(sub.total_seconds_late or 0)) > 0:
                late_seconds[sub.student.id] = seconds
            for nb in sub.notebooks:
                for grade in nb.grades:
                    pending = grade.manual_score is None and grade.auto_score is None
                    row[grade.name] = None if pending else float(grade.score)
            scores[sub.student.id] = row
        items = [item for c in cells if (item := _item_of(c.name, c.max_score))]
        others = [c.name for c in cells if not _item_of(c.name, c.max_score)]
    if others:
        notes.append(f"grade cells not named after an exercise, left out of the report: {', '.join(others)}")
    order = {gid: i for i, gid in enumerate(_order(course_dir, name))}
    items.sort(key=lambda it: (order.get(it.grade_id, len(order)), it.grade_id))
    parts: dict[str, int] = {}
    for item in items:
        parts[item.qid] = parts.get(item.qid, 0) + 1
    for item in items:
        if parts[item.qid] > 1:
            item.label = f"{item.qid} {item.part}"
    data = Assignment(name, items, students, scores, notes=notes, penalties=penalties, late_seconds=late_seconds)
    data.ungraded = _ungraded(course_dir, name, set(scores))
    data.answers = _answers(course_dir, name, notes)
    for student in sorted(set(data.answers) - set(scores)):
        notes.append(f"{student}: an answers file but no submission in the gradebook: left out")
    written_ids = {it.grade_id for it in items if it.part == "written"}
    for student in data.submitted:
        for gid, text in _written_text(course_dir, name, student, written_ids).items():
            data.written.setdefault(gid, {})[student] = text
    data.rubrics = _rubrics(course_dir, name)
    return data
