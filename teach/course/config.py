"""The course file a teacher edits (``course.toml``): assignments, points, due dates, self-checks.

Example::

    [course]
    id = "sino-soviet-1957"      # nbgrader's course id
    self_checks = "form"         # graded exercises: "form" (kind of answer only), "full" (right/wrong: guessable), "off"
    timeout = 60                 # seconds a cell may run when autograding
    notebook_timeout = 900       # seconds a whole notebook may run when autograding
    memory_mb = 3072             # memory (MB) a process of a submission's run may use
    timezone = "Europe/London"   # the school's time zone: due dates are read, shown and compared in it
    lessons = ["00", "01", "03"] # optional: the lessons the class copy hands out (default: all); the assigned
                                 # lessons always go out. An exercise of a lesson never handed out can be graded
                                 # in a later release; one handed out as practice cannot (its answer was checkable).

    [late]                       # optional: the late policy (applied by nbgrader's late-submission plugin)
    grace_minutes = 15           # a submission up to this long after the due date is on time
    per_day = 10                 # the penalty for each day or part of a day late, after the grace
    unit = "percent"             # "percent" (of the assignment's available points) or "points"
    cap = 50                     # the most a late submission loses, in the same unit

    [[extension]]                # optional, one per student and assignment
    student = "alice"            # the student id, as in nbgrader's submitted/ folder
    assignment = "lesson01"
    days = 2                     # or hours = ..., or until = 2027-02-08T17:00:00 (in the school's time zone)

    [collect]                    # optional: `nbgrader zip_collect` for submissions downloaded from a platform
    platform = "moodle"          # "moodle" or "canvas" (their download's file names), or give named_regexp
    named_regexp = '...'         # instead of platform: a regular expression with (?P<student_id>...) and
                                 # (?P<file_id>...), optionally (?P<timestamp>...), matched against the file name

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
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from teach.course.lessons import Exercise, exercises, lesson_names, lesson_path
from teach.editions import TEACHER_DIR

ROUTES = ("full", "core")
SELF_CHECKS = ("form", "full", "off")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
STUDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")  # what nbgrader accepts as a student id
DEFAULT_TIMEZONE = "Europe/London"
LATE_UNITS = ("percent", "points")
PLATFORMS = ("moodle", "canvas")


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
class LatePolicy:
    """What a late submission loses: nothing within ``grace_minutes`` of the due date, then ``per_day`` for each
    day or part of a day after the due date (in ``unit``: "percent" of the available points, or "points"),
    at most ``cap`` (same unit; None: no cap). The default policy takes nothing off."""

    grace_minutes: float = 0
    per_day: float = 0
    unit: str = "percent"
    cap: float | None = None

    @property
    def active(self) -> bool:
        return self.per_day > 0


@dataclass
class Extension:
    student: str
    assignment: str
    delta: dt.timedelta  # added to the assignment's due date for this student (nbgrader's own extension)


@dataclass
class Collect:
    """How ``nbgrader zip_collect`` reads the file names of a platform's download (see teach/course/collect.py)."""

    platform: str | None = None
    named_regexp: str | None = None


@dataclass
class Course:
    id: str
    self_checks: str
    timeout: int
    assignments: list[Assignment]
    path: Path
    notebook_timeout: int = 900
    memory_mb: int = 3072
    timezone: str = DEFAULT_TIMEZONE
    late: LatePolicy = field(default_factory=LatePolicy)
    extensions: list[Extension] = field(default_factory=list)
    collect: Collect = field(default_factory=Collect)
    lessons: list[str] | None = None  # the lessons the class copy hands out (None: all); assigned ones always

    def handed_out(self, lesson: str) -> bool:
        """Whether the class copy holds ``lesson`` (a teacher notebook's stem)."""
        return self.lessons is None or lesson in self.lessons or any(a.lesson == lesson for a in self.assignments)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def due_utc(self, assignment: Assignment) -> dt.datetime | None:
        """The assignment's due date in UTC without a zone (how nbgrader's gradebook stores it)."""
        if assignment.due is None:
            return None
        return assignment.due.replace(tzinfo=self.zone).astimezone(dt.timezone.utc).replace(tzinfo=None)

    def due_text(self, assignment: Assignment) -> str:
        """The due date as the school reads it: "5 February 2027, 17:00 (Europe/London, GMT)"."""
        if assignment.due is None:
            return ""
        local = assignment.due.replace(tzinfo=self.zone)
        return f"{local.day} {local:%B %Y, %H:%M} ({self.timezone}, {local.tzname()})"

    def extension(self, student: str, assignment: str) -> dt.timedelta | None:
        for ext in self.extensions:
            if (ext.student, ext.assignment) == (student, assignment):
                return ext.delta
        return None

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

    unknown = set(raw) - {"course", "assignment", "late", "extension", "collect"}
    if unknown:
        key = sorted(unknown)[0]
        return_line = _line_of(text, key)
        raise fail(return_line, f"unknown section or key {key!r}; the file has a [course] table, [[assignment]] tables and optionally "
                                "[late], [[extension]] and [collect] tables.")
    head = raw.get("course", {})
    known = ("id", "self_checks", "timeout", "notebook_timeout", "memory_mb", "timezone", "lessons")
    for key in set(head) - set(known):
        raise fail(_line_of(text, key), f"unknown key {key!r} in [course]; the keys are {', '.join(known)}.")
    handed_out = None
    if "lessons" in head:
        listed = head["lessons"]
        if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
            raise fail(_line_of(text, "lessons"), 'lessons must be a list of lesson names, e.g. ["00_start_here", "01_honeymoon"].')
        handed_out = []
        for name in listed:
            found = lesson_path(name, teacher_dir)
            if found is None:
                raise fail(_line_of(text, "lessons"), f"lessons: no lesson {name!r}; the lessons are {', '.join(lesson_names(teacher_dir))}.")
            handed_out.append(found.stem)
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

    timezone = head.get("timezone", DEFAULT_TIMEZONE)
    try:
        if not isinstance(timezone, str) or not timezone:
            raise ValueError
        zoneinfo.ZoneInfo(timezone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise fail(_line_of(text, "timezone"), f"timezone must be an IANA time zone name such as \"Europe/London\", not {timezone!r}.") from None

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
    late = _late_policy(raw.get("late", {}), text, fail)
    extensions = _extensions(raw.get("extension", []), text, fail, {a.name: a for a in assignments})
    collect = _collect(raw.get("collect", {}), text, fail)
    return Course(course_id, self_checks, timeout, assignments, path, **limits, timezone=timezone, late=late, extensions=extensions,
                  collect=collect, lessons=handed_out)


def _table_line(text: str, header: str) -> int:
    """The 1-based line of the table ``header`` (``"[late]"``); 0 if the file has none."""
    return next((n for n, line in enumerate(text.splitlines(), start=1) if line.strip() == header), 0)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _late_policy(table, text: str, fail) -> LatePolicy:
    if not isinstance(table, dict):
        raise fail(_line_of(text, "late"), "late must be a table: [late] with grace_minutes, per_day, unit, cap.")
    start = _table_line(text, "[late]")
    for key in set(table) - {"grace_minutes", "per_day", "unit", "cap"}:
        raise fail(_line_of(text, key, after=start), f"unknown key {key!r} in [late]; the keys are grace_minutes, per_day, unit, cap.")
    policy = LatePolicy()
    for key in ("grace_minutes", "per_day", "cap"):
        if key in table:
            value = table[key]
            if not _number(value) or value < 0:
                raise fail(_line_of(text, key, after=start), f"{key} must be a number of 0 or more, not {value!r}.")
            setattr(policy, key, float(value))
    unit = table.get("unit", "percent")
    if unit not in LATE_UNITS:
        raise fail(_line_of(text, "unit", after=start), f"unit must be \"percent\" (of the available points) or \"points\", not {unit!r}.")
    policy.unit = unit
    if unit == "percent" and (policy.per_day > 100 or (policy.cap or 0) > 100):
        raise fail(_line_of(text, "per_day" if policy.per_day > 100 else "cap", after=start), "a percentage is at most 100.")
    return policy


def _extensions(tables, text: str, fail, assignments: dict[str, Assignment]) -> list[Extension]:
    if not isinstance(tables, list):
        raise fail(_line_of(text, "extension"), "extensions are [[extension]] tables (two brackets), one per student and assignment.")
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if line.strip().startswith("[[extension]]")]
    found: list[Extension] = []
    for number, table in enumerate(tables):
        start = starts[number] if number < len(starts) else 0
        for key in set(table) - {"student", "assignment", "days", "hours", "until"}:
            raise fail(_line_of(text, key, after=start), f"unknown key {key!r} in an [[extension]]; the keys are student, assignment, and days, hours or until.")
        student = table.get("student")
        if not isinstance(student, str) or not STUDENT.match(student):
            raise fail(_line_of(text, "student", after=start) or start, f"an extension needs the student's id (letters, digits, . @ - _), not {student!r}.")
        name = table.get("assignment")
        if name not in assignments:
            raise fail(_line_of(text, "assignment", after=start) or start, f"extension for {student}: no assignment {name!r}; the assignments are {', '.join(assignments)}.")
        assignment = assignments[name]
        given = [k for k in ("days", "hours", "until") if k in table]
        if len(given) != 1:
            raise fail(start, f"extension for {student} on {name}: give exactly one of days, hours or until.")
        key = given[0]
        value = table[key]
        line = _line_of(text, key, after=start) or start
        if assignment.due is None:
            raise fail(line, f"assignment {name!r} has no due date to extend: give it one (due = 2027-02-05T17:00:00).")
        if key == "until":
            if isinstance(value, str):
                try:
                    value = dt.datetime.fromisoformat(value)
                except ValueError:
                    value = None
            if not isinstance(value, dt.datetime) or value.tzinfo is not None:
                raise fail(line, f"until must be a date and time in the school's time zone such as 2027-02-08T17:00:00, not {table[key]!r}.")
            delta = value - assignment.due
        else:
            if not _number(value) or value <= 0:
                raise fail(line, f"{key} must be a number above 0, not {value!r}.")
            delta = dt.timedelta(days=value) if key == "days" else dt.timedelta(hours=value)
        if delta <= dt.timedelta(0):
            raise fail(line, f"the extension for {student} on {name} ends before the due date.")
        if any((e.student, e.assignment) == (student, name) for e in found):
            raise fail(start, f"two extensions for {student} on {name}: keep one.")
        found.append(Extension(student, name, delta))
    return found


def _collect(table, text: str, fail) -> Collect:
    if not isinstance(table, dict):
        raise fail(_line_of(text, "collect"), "collect must be a table: [collect] with platform or named_regexp.")
    start = _table_line(text, "[collect]")
    for key in set(table) - {"platform", "named_regexp"}:
        raise fail(_line_of(text, key, after=start), f"unknown key {key!r} in [collect]; the keys are platform and named_regexp.")
    platform = table.get("platform")
    regexp = table.get("named_regexp")
    if platform is not None and platform not in PLATFORMS:
        raise fail(_line_of(text, "platform", after=start), f"platform must be one of {', '.join(PLATFORMS)} (or give named_regexp instead), not {platform!r}.")
    if platform and regexp:
        raise fail(_line_of(text, "named_regexp", after=start), "give platform or named_regexp, not both.")
    if regexp is not None:
        line = _line_of(text, "named_regexp", after=start)
        try:
            groups = re.compile(regexp).groupindex if isinstance(regexp, str) else None
        except re.error as err:
            raise fail(line, f"named_regexp is not a valid regular expression: {err}.") from None
        if groups is None or not {"student_id", "file_id"} <= set(groups):
            raise fail(line, "named_regexp needs the groups (?P<student_id>...) and (?P<file_id>...); (?P<timestamp>...) is optional.")
    return Collect(platform, regexp)
