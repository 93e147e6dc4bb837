"""The course file a teacher edits (``course.toml``): assignments, points, due dates, self-checks.

Example::

    [course]
    id = "sino-soviet-1957"      # nbgrader's course id
    self_checks = "form"         # graded exercises: "form" (kind of answer only), "full" (right/wrong: guessable), "off"
    timeout = 60                 # seconds a cell may run when autograding
    notebook_timeout = 900       # seconds a whole notebook may run when autograding
    memory_mb = 3072             # memory (MB) a process of a submission's run may use

    [[assignment]]
    name = "lesson01"            # the assignment's name in nbgrader (letters, digits, - and _)
    lesson = "01_honeymoon"      # the teacher edition it is made from
    due = 2027-02-05T17:00:00    # optional
    route = "core"               # optional: "full" (default) or "core" (the class copy leaves the extension out)
    [assignment.points]
    "1.1" = 2                    # a code exercise: graded automatically
    "1.9" = 6                    # a written exercise: graded by hand with its rubric
    "1.6" = { code = 1, written = 2 }   # an exercise with both parts

Every mistake is reported with the file and line it is on, and what would be valid there.
"""

from __future__ import annotations

from teach.errors import ToolError

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from teach.course.lessons import Exercise, exercises, lesson_names, lesson_path
from teach.editions import TEACHER_DIR

ROUTES = ("full", "core")
SELF_CHECKS = ("form", "full", "off")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class CourseFileError(ToolError, ValueError):
    """A mistake in the course file; the message names the file, the line and what is valid."""


@dataclass
class Part:
    exercise: str
    kind: str  # "code" or "written"
    points: float


@dataclass
class Assignment:
    name: str
    lesson: str  # teacher notebook stem, e.g. "01_honeymoon"
    path: Path
    due: dt.datetime | None
    parts: list[Part] = field(default_factory=list)
    exercises: dict[str, Exercise] = field(default_factory=dict)
    route: str = "full"  # "core": the class copy and the nbgrader source leave the lesson's extension out

    def points(self, exercise: str, kind: str) -> float | None:
        for part in self.parts:
            if part.exercise == exercise and part.kind == kind:
                return part.points
        return None

    @property
    def graded_code(self) -> list[str]:
        return [p.exercise for p in self.parts if p.kind == "code"]


@dataclass
class Course:
    id: str
    self_checks: str
    timeout: int
    assignments: list[Assignment]
    path: Path
    notebook_timeout: int = 900
    memory_mb: int = 3072

    def graded_code_exercises(self) -> set[str]:
        """Every code exercise that some assignment grades (their answers must not reach the class copy)."""
        return {qid for a in self.assignments for qid in a.graded_code}


def _line_of(text: str, key: str, after: int = 0) -> int:
    """The 1-based line where ``key = ...`` is first set (after line ``after``); 0 if not found."""
    pattern = re.compile(rf"""^\s*["']?{re.escape(key.strip('"'))}["']?\s*=""")
    for number, line in enumerate(text.splitlines()[after:], start=after + 1):
        if pattern.match(line):
            return number
    return 0


def load_course(path: str | Path, teacher_dir: Path = TEACHER_DIR) -> Course:
    """Read and check the course file; raise :class:`CourseFileError` naming the line of any mistake."""
    path = Path(path)
    if not path.is_file():
        raise CourseFileError(f"{path}: no such course file. Copy course.toml from the repository and edit it.")
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CourseFileError(f"{path}: not valid TOML ({err}).") from None

    def fail(line: int, message: str) -> CourseFileError:
        return CourseFileError(f"{path}, line {line}: {message}" if line else f"{path}: {message}")

    unknown = set(raw) - {"course", "assignment"}
    if unknown:
        key = sorted(unknown)[0]
        return_line = _line_of(text, key)
        raise fail(return_line, f"unknown section or key {key!r}; the file has a [course] table and [[assignment]] tables.")
    head = raw.get("course", {})
    known = ("id", "self_checks", "timeout", "notebook_timeout", "memory_mb")
    for key in set(head) - set(known):
        raise fail(_line_of(text, key), f"unknown key {key!r} in [course]; the keys are {', '.join(known)}.")
    course_id = head.get("id", "sino-soviet-1957")
    if not isinstance(course_id, str) or not NAME.match(course_id):
        raise fail(_line_of(text, "id"), f"the course id must be letters, digits, - or _, not {course_id!r}.")
    self_checks = head.get("self_checks", "form")
    if self_checks not in SELF_CHECKS:
        raise fail(_line_of(text, "self_checks"), f"self_checks must be one of {', '.join(SELF_CHECKS)}, not {self_checks!r}.")
    timeout = head.get("timeout", 60)
    if not isinstance(timeout, int) or isinstance(timeout, bool) or not 1 <= timeout <= 3600:
        raise fail(_line_of(text, "timeout"), f"timeout is seconds per cell, a whole number from 1 to 3600, not {timeout!r}.")
    limits = {}
    for key, low, high, what in (("notebook_timeout", 10, 36000, "seconds a whole notebook may run"), ("memory_mb", 256, 65536, "megabytes a process may use")):
        value = head.get(key, {"notebook_timeout": 900, "memory_mb": 3072}[key])
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise fail(_line_of(text, key), f"{key} is {what}, a whole number from {low} to {high}, not {value!r}.")
        limits[key] = value

    tables = raw.get("assignment", [])
    if not isinstance(tables, list) or not tables:
        raise fail(0, "no [[assignment]] table: add at least one (see the example at the top of course.toml).")
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("[[assignment]]")]
    assignments: list[Assignment] = []
    names: set[str] = set()
    for number, table in enumerate(tables):
        start = starts[number] if number < len(starts) else 0
        for key in set(table) - {"name", "lesson", "due", "points", "route"}:
            raise fail(_line_of(text, key, after=start), f"unknown key {key!r} in an [[assignment]]; the keys are name, lesson, due, route, points.")
        name = table.get("name")
        if not isinstance(name, str) or not NAME.match(name):
            raise fail(_line_of(text, "name", after=start) or start, f"an assignment needs a name of letters, digits, - or _, not {name!r}.")
        if name in names:
            raise fail(_line_of(text, "name", after=start), f"the assignment name {name!r} is used twice.")
        names.add(name)
        lesson = table.get("lesson")
        lesson_file = lesson_path(str(lesson), teacher_dir) if isinstance(lesson, str) else None
        if lesson_file is None:
            raise fail(
                _line_of(text, "lesson", after=start) or start,
                f"assignment {name!r}: no lesson {lesson!r}; the lessons are {', '.join(lesson_names(teacher_dir))}.",
            )
        due = table.get("due")
        if isinstance(due, str):
            try:
                due = dt.datetime.fromisoformat(due)
            except ValueError:
                raise fail(_line_of(text, "due", after=start), f"due must be a date and time such as 2027-02-05T17:00:00, not {due!r}.") from None
        elif isinstance(due, dt.date) and not isinstance(due, dt.datetime):
            due = dt.datetime.combine(due, dt.time(23, 59))
        elif due is not None and not isinstance(due, dt.datetime):
            raise fail(_line_of(text, "due", after=start), f"due must be a date and time such as 2027-02-05T17:00:00, not {due!r}.")
        try:
            found = exercises(nbformat.read(lesson_file, as_version=4), lesson_file.name)
        except ValueError as err:
            raise fail(_line_of(text, "lesson", after=start) or start, f"lesson {lesson_file.stem}: {err}") from None
        route = table.get("route", "full")
        if route not in ROUTES:
            raise fail(_line_of(text, "route", after=start), f"route must be {' or '.join(map(repr, ROUTES))}, not {route!r}.")
        assignment = Assignment(name, lesson_file.stem, lesson_file, due, exercises=found, route=route)
        points = table.get("points", {})
        if not isinstance(points, dict) or not points:
            raise fail(start, f"assignment {name!r} grades nothing: add an [assignment.points] table, e.g. \"1.1\" = 2.")
        for qid, value in points.items():
            line = _line_of(text, qid, after=start) or start
            if qid not in found:
                raise fail(line, f"assignment {name!r}: lesson {lesson_file.stem} has no exercise {qid!r}; its exercises are {', '.join(sorted(found, key=lambda q: tuple(int(n) for n in q.split('.'))))}.")
            exercise = found[qid]
            if route == "core" and exercise.route == "extension":
                raise fail(line, f"assignment {name!r} takes the core route, which leaves out exercise {qid} (it is on the extension): "
                                 "grade another exercise, or give the assignment route = \"full\".")
            parts = [k for k, has in (("code", exercise.has_code), ("written", exercise.has_written)) if has]
            if isinstance(value, dict):
                for kind in value:
                    if kind not in parts:
                        raise fail(line, f"exercise {qid} has no {kind!r} part; its parts are {', '.join(parts)}.")
                split = dict(value)
            elif len(parts) == 1:
                split = {parts[0]: value}
            else:
                raise fail(line, f"exercise {qid} has a code part and a written part: give points for each, e.g. \"{qid}\" = {{ code = 1, written = 2 }}.")
            for kind, amount in split.items():
                if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount != amount:
                    raise fail(line, f"exercise {qid}: points must be a number, not {amount!r}.")
                if amount < 0:
                    raise fail(line, f"exercise {qid}: points cannot be negative ({amount}).")
                if amount > 1000:
                    raise fail(line, f"exercise {qid}: {amount} points is far too many; use the points a mark scheme would give.")
                assignment.parts.append(Part(qid, kind, float(amount)))
        assignments.append(assignment)
    return Course(course_id, self_checks, timeout, assignments, path, **limits)
