"""Grades into the school's system: ``make export LMS=canvas|moodle|csv`` (``python -m teach export``).

From nbgrader's gradebook and a class roster the teacher keeps, write one CSV file in the layout the learning
platform imports: one row per student of the roster, one column per graded assignment (its points, after any
late penalty nbgrader recorded) and, with ``--per-exercise``, one more column per exercise.

**The roster** (default ``<course_dir>/roster.csv``; the course folder is not committed, and the roster holds
personal data) is a UTF-8 CSV file with a header row; columns in any order, names case-insensitive:

==============  ========  ===========================================================================
column          needed    what it holds
==============  ========  ===========================================================================
``student_id``  yes       the student's id in nbgrader (the folder name under ``submitted/``)
``name``        yes       the name as the platform shows it ("Ada Lovelace" or "Lovelace, Ada")
``email``       no        the e-mail address (Moodle can match students by it)
``lms_id``      no        the id in the platform: Canvas's user ID (the "ID" column of a Canvas
                          gradebook export), or the Moodle username
``sis_id``      no        Canvas: the "SIS User ID" (the school's own student number)
``login``       no        Canvas: the "SIS Login ID"
``section``     no        Canvas: the section
==============  ========  ===========================================================================

**The layouts.** *canvas*: ``Student, ID, SIS User ID, SIS Login ID, Section``, then one column per assignment
named as the assignment (Canvas matches a column to an assignment by its name, and creates an assignment for a
name it does not know), and a second row ``Points Possible`` with each column's maximum (Canvas's importer reads a
row whose first cell says "Points Possible" as the new assignments' points, and matches a student by ID, then SIS
User ID or SIS Login ID, then name). *moodle*: ``Full name,
Username, Email address``, then one column per assignment (on import, "Identify user by" maps *Email address*
to the email address or *Username* to the username, and each grade column to a grade item or a new one).
*csv*: ``student_id, name, email, lms_id``, one column per assignment headed ``<assignment> (of <max>)``, and
``total``. An empty cell is no grade (not zero): a student with no submission gets an empty cell and a line
on the screen.

An assignment is exported once it is graded: it has submissions in the gradebook and no written answer left
to grade by hand (``--partial`` exports those with the points given so far). Students missing from the roster
or from the gradebook are named one line each, never dropped silently. An existing file is replaced only with
``--force``, which keeps the old one as ``<file>.bak``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from teach.course.classdata import GRADE_ID, open_gradebook
from teach.errors import ToolError

LMS = ("canvas", "moodle", "csv")
REQUIRED = ("student_id", "name")
OPTIONAL = ("email", "lms_id", "sis_id", "login", "section")
ALIASES = {"student": "student_id", "id": "student_id", "e_mail": "email", "mail": "email", "lms": "lms_id",
           "sis_login_id": "login", "sis_user_id": "sis_id"}


class ExportError(ToolError, RuntimeError):
    """The grades could not be exported (the message says why and what to do)."""


# --------------------------------------------------------------------------- roster


def _column(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return ALIASES.get(key, key)


def read_roster(path: str | Path) -> list[dict[str, str]]:
    """The roster's rows, in its order, with the columns named as in the module docstring."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"there is no roster at {path}: write one (columns student_id, name, email, lms_id; see the README) "
                          "or give its path with --roster")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise ExportError(f"{path.name}, line {line}: the file is not UTF-8 text (a spreadsheet's 'CSV' in another encoding?): "
                          "save it again as 'CSV UTF-8'") from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        raise ExportError(f"{path.name} is empty: its first line must name the columns (student_id, name, email, lms_id)")
    columns = [_column(h) for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ExportError(f"{path.name}: no column {' or '.join(missing)} in the header (it has: {', '.join(h.strip() for h in header)}); "
                          "a roster needs student_id and name, and may have email, lms_id, login, section")
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    if repeated:
        raise ExportError(f"{path.name}: the header names column {', '.join(repeated)} twice")
    rows, seen = [], {}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(columns):
            raise ExportError(f"{path.name}, line {number}: {len(values)} fields for {len(columns)} columns (a comma inside a name needs quotes)")
        row = {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(columns) if c}
        sid = row["student_id"]
        if not sid:
            raise ExportError(f"{path.name}, line {number}: no student_id")
        if sid in seen:
            raise ExportError(f"{path.name}, line {number}: student id {sid!r} is on line {seen[sid]} already (each student once)")
        seen[sid] = number
        rows.append({c: row.get(c, "") for c in (*REQUIRED, *OPTIONAL)})
    if not rows:
        raise ExportError(f"{path.name} has a header but no student")
    return rows


# --------------------------------------------------------------------------- grades


@dataclass
class Graded:
    name: str
    max_points: float
    #: exercise label -> its maximum, in the source's order
    exercises: dict[str, float]
    #: student -> points of the assignment (after the late penalty)
    points: dict[str, float] = field(default_factory=dict)
    #: student -> exercise label -> points
    by_exercise: dict[str, dict[str, float]] = field(default_factory=dict)


def _label(grade_id: str) -> str:
    match = GRADE_ID.match(grade_id)
    if not match:
        return grade_id
    kind, key = match.groups()
    return key.replace("_", ".") + (" written" if kind == "written" else "")


def gradebook_grades(course_dir: Path, *, partial: bool = False) -> tuple[list[Graded], list[str], list[str]]:
    """(graded assignments, every student id of the gradebook, one line per assignment left out)."""
    left_out = []
    found = []
    with open_gradebook(course_dir) as gradebook:
        students = sorted(s.id for s in gradebook.students)
        assignments = sorted(gradebook.assignments, key=lambda a: (a.duedate is None, a.duedate or 0, a.name))
        for assignment in assignments:
            if not assignment.submissions:
                left_out.append(f"{assignment.name}: left out, not graded yet (no submission in the gradebook)")
                continue
            cells = [c for nb in assignment.notebooks for c in nb.grade_cells]
            labels = {c.name: _label(c.name) for c in cells}
            graded = Graded(assignment.name, float(sum(c.max_score or 0 for c in cells)),
                            {labels[c.name]: float(c.max_score or 0) for c in cells})
            pending = 0
            for sub in assignment.submissions:
                row, penalty = {}, 0.0
                for nb in sub.notebooks:
                    penalty += float(nb.late_submission_penalty or 0)
                    for grade in nb.grades:
                        if grade.manual_score is None and grade.auto_score is None:
                            pending += 1
                        row[labels.get(grade.name, grade.name)] = float(grade.score)
                graded.by_exercise[sub.student.id] = row
                graded.points[sub.student.id] = max(0.0, sum(row.values()) - penalty)
            if pending and not partial:
                left_out.append(f"{assignment.name}: left out, {pending} written answer{'s' if pending != 1 else ''} still to grade by hand "
                                "(grade them in formgrader, or export the points so far with --partial)")
                continue
            found.append(graded)
    return found, students, left_out


# --------------------------------------------------------------------------- layouts


def _number(x: float | None) -> str:
    if x is None:
        return ""
    text = f"{round(x, 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _columns(graded: list[Graded], per_exercise: bool) -> list[tuple[str, str, str | None, float]]:
    """(header kind, assignment, exercise or None, maximum) for each grade column."""
    out = []
    for g in graded:
        out.append(("assignment", g.name, None, g.max_points))
        if per_exercise:
            out += [("exercise", g.name, label, top) for label, top in g.exercises.items()]
    return out


def _header(lms: str, assignment: str, exercise: str | None, top: float) -> str:
    base = assignment if exercise is None else f"{assignment} {exercise}"
    return f"{base} (of {_number(top)})" if lms == "csv" else base


def build_rows(lms: str, roster: list[dict[str, str]], graded: list[Graded], students: list[str], *,
               per_exercise: bool = False) -> tuple[list[list[str]], list[str]]:
    """The CSV rows (header first) and the lines to print about students."""
    if lms not in LMS:
        raise ExportError(f"no layout {lms!r}: choose one of {', '.join(LMS)}")
    lines = []
    known = set(students)
    listed = {r["student_id"] for r in roster}
    for sid in students:
        if sid not in listed:
            lines.append(f"{sid}: in the gradebook but not in the roster, so not exported (add a row for {sid} to the roster)")
    columns = _columns(graded, per_exercise)
    identity = {"canvas": ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"],
                "moodle": ["Full name", "Username", "Email address"],
                "csv": ["student_id", "name", "email", "lms_id"]}[lms]
    rows = [identity + [_header(lms, a, e, top) for _, a, e, top in columns] + (["total"] if lms == "csv" else [])]
    if lms == "canvas":
        rows.append(["Points Possible", "", "", "", ""] + [_number(top) for *_, top in columns])
    for person in roster:
        sid = person["student_id"]
        if sid not in known:
            lines.append(f"{sid}: in the roster but not in the gradebook, so the row has no grades (check the id against submitted/)")
        if lms == "canvas" and not (person["lms_id"] or person["sis_id"] or person["login"]):
            lines.append(f"{sid}: no lms_id, sis_id or login in the roster, so Canvas can match the row by the name only")
        if lms == "moodle" and not (person["lms_id"] or person["email"]):
            lines.append(f"{sid}: no lms_id (username) or email in the roster, so Moodle cannot match the row")
        values = []
        for g in graded:
            if sid in known and sid not in g.points:
                lines.append(f"{sid}: no submission of {g.name}, so the cell is empty (not 0)")
        for _, assignment, exercise, _top in columns:
            g = next(x for x in graded if x.name == assignment)
            if sid not in g.points:
                values.append("")
            elif exercise is None:
                values.append(_number(g.points[sid]))
            else:
                values.append(_number(g.by_exercise[sid].get(exercise)))
        if lms == "canvas":
            ident = [person["name"], person["lms_id"], person["sis_id"], person["login"], person["section"]]
        elif lms == "moodle":
            ident = [person["name"], person["lms_id"], person["email"]]
        else:
            ident = [sid, person["name"], person["email"], person["lms_id"]]
        total = [_number(sum(g.points[sid] for g in graded if sid in g.points)) if any(sid in g.points for g in graded) else ""]
        rows.append(ident + values + (total if lms == "csv" else []))
    return rows, lines


def export(course_dir: str | Path, lms: str, *, roster: str | Path | None = None, out: str | Path | None = None,
           per_exercise: bool = False, partial: bool = False, force: bool = False, log=print) -> Path:
    """Write the grades file for ``lms``; returns its path."""
    course_dir = Path(course_dir).resolve()
    if lms not in LMS:
        raise ExportError(f"no layout {lms!r}: choose one of {', '.join(LMS)} (make export LMS=canvas)")
    graded, students, left_out = gradebook_grades(course_dir, partial=partial)
    people = read_roster(Path(roster) if roster else course_dir / "roster.csv")
    for line in left_out:
        log(line)
    if not graded:
        raise ExportError("no assignment can be exported yet (see the lines above: grade with make grade ASSIGNMENT=..., "
                          "then the written answers in formgrader)")
    rows, lines = build_rows(lms, people, graded, students, per_exercise=per_exercise)
    for line in lines:
        log(line)
    target = Path(out) if out else course_dir / "exports" / f"grades-{lms}.csv"
    if target.exists():
        if not force:
            raise ExportError(f"{target} exists already: run again with --force to replace it (the old file is kept as {target.name}.bak)")
        shutil.copy2(target, target.with_name(target.name + ".bak"))
        log(f"kept the old file as {target.name}.bak")
    target.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    log(f"{lms}: {len(people)} students, columns: {', '.join(rows[0])}")
    log(f"Wrote {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teach export", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lms", required=True, choices=LMS, help="the layout: canvas, moodle or csv")
    parser.add_argument("--course-dir", default="course", help="the nbgrader course folder (default: course)")
    parser.add_argument("--roster", help="the class roster (default: <course-dir>/roster.csv)")
    parser.add_argument("--out", help="the file to write (default: <course-dir>/exports/grades-<lms>.csv)")
    parser.add_argument("--per-exercise", action="store_true", help="also one column per exercise")
    parser.add_argument("--partial", action="store_true", help="export assignments with written answers still to grade (points so far)")
    parser.add_argument("--force", action="store_true", help="replace an existing file (the old one is kept as <file>.bak)")
    args = parser.parse_args(argv)
    try:
        export(args.course_dir, args.lms, roster=args.roster, out=args.out, per_exercise=args.per_exercise,
               partial=args.partial, force=args.force)
    except ToolError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
