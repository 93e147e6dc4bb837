"""Course file + teacher editions -> an nbgrader course folder (``make course``).

For each ``[[assignment]]`` of the course file it writes ``source/<name>/<lesson>.ipynb`` with nbgrader's
cell metadata, and once ``nbgrader_config.py``:

* a graded **code** exercise: its answer cell becomes an autograded answer cell (the solution between
  nbgrader's ``### BEGIN SOLUTION`` / ``### END SOLUTION``), and its check cell becomes a read-only
  autograder test cell worth the exercise's points: the visible self-check, then a hidden test
  (``### BEGIN HIDDEN TESTS``) that calls :func:`helpers.exercises.grade` with the exercise's salted hashes.
  The hashes live only there, in the teacher's folder: the class copy's bank has none for graded exercises;
* a graded **written** exercise: its answer cell becomes a manually graded answer cell worth its points,
  and the model answer and rubric become a read-only cell whose text sits in a mark-scheme region
  (``### BEGIN MARK SCHEME``): nbgrader removes it from the release, restores it for the grader in
  formgrader, and the feedback students get back leaves it out again;
* the exercise's instructions are read-only (nbgrader checksums them, so a deleted, duplicated or retyped
  instruction or check cell is found and restored when grading);
* everything else is the lesson as students know it: ungraded exercises keep their placeholders and
  self-check hints, and no other teacher-only cell is kept.

It never overwrites a file someone edited since it last wrote it (``.course-build.json`` records what it
wrote) unless given ``force``, and then it keeps a copy as ``<file>.bak``.
"""

from __future__ import annotations

from teach.errors import ToolError
from teach.files import write_atomic

import copy
import hashlib
import json
import textwrap
from pathlib import Path

import nbformat

from teach.course.config import Assignment, Course
from teach.lesson import SOLUTION_TAG, TEACHER_TAG, placeholder, read, solution_lines, strip_solutions
from helpers.exercises import load_bank

MANIFEST = ".course-build.json"
SCHEMA = 3

CONFIG = '''\
# nbgrader's configuration for this course, written by `make course` from course.toml.
# Edit course.toml rather than this file (`make course` keeps a file you edited and tells you so).
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput, DeduplicateIds, GetGrades,
    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades,
)

from teach.course.preprocessors import DropOrphanGradeMetadata, DropUnknownGradeCells, SandboxedExecute, ShortenTestErrors

c = get_config()  # noqa: F821 - nbgrader provides it
c.CourseDirectory.course_id = {course_id!r}
# A solution region becomes this line in the release; the answer_x_y = ... placeholder above it stays.
c.ClearSolutions.code_stub = {{"python": "# Your code here."}}
c.ClearSolutions.text_stub = "*Write your answer here.*"
# Model answers and rubrics sit in mark-scheme regions of read-only cells, not of task cells.
c.ClearMarkScheme.enforce_metadata = False
# Student code runs in a sandbox (teach/course/sandbox.py: no view of this folder, no network, limits) and the
# answers are judged here, outside it: SandboxedExecute takes the place of nbgrader's Execute.
# A cell that runs longer than this is stopped (and its test scores 0); so is a notebook over its total.
c.SandboxedExecute.cell_seconds = {timeout}
c.SandboxedExecute.notebook_seconds = {notebook_timeout}
c.SandboxedExecute.memory_mb = {memory_mb}
c.Autograde.autograde_preprocessors = [
    SandboxedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties,
    CheckCellMetadata,
]
# A student who deleted a check cell gets it back (marked as restored) and is still graded; a copied graded
# cell becomes an ordinary one (nbgrader's own order, plus DropOrphanGradeMetadata: see its docstring).
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIds, DropOrphanGradeMetadata, DropUnknownGradeCells, OverwriteKernelspec, OverwriteCells,
    CheckCellMetadata,
]
# Feedback shows scores, comments and each failed test's one-line message, never the hidden tests (their
# code or a traceback quoting it) or the mark scheme.
c.GenerateFeedback.preprocessors = [
    GetGrades, ShortenTestErrors, ClearHiddenTests, ClearMarkScheme, CSSHTMLHeaderPreprocessor,
]
# Times: nbgrader stores them in UTC; formgrader and the exchange show and record them in the school's time zone.
c.NbGraderAPI.timezone = {timezone!r}
c.Exchange.timezone = {timezone!r}
# The exchange: a hub's shared folder when this machine has one (`make hub` makes /srv/nbgrader/exchange), else
# one inside this course folder, so that nbgrader does not warn about a missing exchange on a teacher's machine.
import os  # noqa: E402
c.Exchange.root = {hub_exchange!r} if os.path.isdir({hub_exchange!r}) else {exchange!r}
# Late work (course.toml's [late] and [[extension]] tables): see teach/course/late.py.
c.AssignLatePenalties.plugin_class = "teach.course.late.LatePenalty"
c.LatePenalty.grace_minutes = {grace!r}
c.LatePenalty.per_day = {per_day!r}
c.LatePenalty.unit = {unit!r}
c.LatePenalty.cap = {cap!r}
c.LatePenalty.timezone = {timezone!r}
c.LatePenalty.extensions = {extensions!r}
# `nbgrader zip_collect` (course.toml's [collect]): file names of {platform} downloads, matched on the file name
# (and its folder), never on the whole path; submission times from the names or from downloaded/<assignment>/times.csv.
c.ZipCollectApp.collector_plugin = "teach.course.collect.Collector"
c.Collector.named_regexp = {regexp!r}
c.Collector.timezone = {timezone!r}
'''


class CourseBuildError(ToolError, RuntimeError):
    """The course folder could not be written (the message says what to do)."""


def _meta(cell, **fields) -> None:
    cell.metadata["nbgrader"] = {"schema_version": SCHEMA, "grade": False, "solution": False, "locked": False} | fields


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _nbgrader_region(region: list[str], indent: str) -> list[str]:
    """Our placeholder line(s), then the solution inside nbgrader's markers (nbgrader replaces it with its stub)."""
    return [*placeholder(region, indent), f"{indent}### BEGIN SOLUTION", *region, f"{indent}### END SOLUTION"]


def _hidden_test(qid: str, answer_names: list[str], spec: dict) -> str:
    graded = {k: spec[k] for k in ("kind", "decimals", "ordered", "salt", "hashes") if k in spec}
    name = answer_names[0] if answer_names else f"answer_{qid.replace('.', '_')}"
    return textwrap.dedent(
        f"""\
        ### BEGIN HIDDEN TESTS
        from helpers.exercises import grade as _grade
        _grade({qid!r}, {name}, {json.dumps(graded, ensure_ascii=False)})
        ### END HIDDEN TESTS"""
    )


def assignment_notebook(assignment: Assignment, course: Course) -> nbformat.NotebookNode:
    """The nbgrader source notebook of one assignment (see the module docstring)."""
    teacher = nbformat.read(assignment.path, as_version=4)
    lesson = read(copy.deepcopy(teacher), assignment.path.name)
    nb = lesson.nb
    bank = load_bank()
    where_of = {index: ex for ex in assignment.exercises.values() for index in ex.cells}
    cells = []
    summary = []
    for part in assignment.parts:
        label = "graded automatically" if part.kind == "code" else "graded by your teacher"
        summary.append(f"- Exercise {part.exercise} ({part.kind}): {part.points:g} point{'s' if part.points != 1 else ''}, {label}")
    due = f" Due: {course.due_text(assignment)}." if assignment.due else ""
    if assignment.due and course.late.active:
        from teach.course.late import describe

        due += " " + describe(course.late)
    header = nbformat.v4.new_markdown_cell(
        f"> **Assignment {assignment.name}.**{due} These exercises count:\n>\n"
        + "\n".join(f"> {line}" for line in summary)
        + "\n>\n> The other exercises are practice: their checks give hints as usual. Do not delete or copy the "
        "read-only cells; write your answers in the answer cells and save before you submit."
    )
    header.id = "assignment-header"
    _meta(header, locked=True, grade_id="assignment_header")
    cells.append(header)
    for model_cell in lesson.on_route(assignment.route):
        index, cell = model_cell.index, model_cell.node
        where = f"{assignment.path.name}, cell {index + 1}"
        tags = model_cell.tags
        exercise = where_of.get(index)
        qid = exercise.id if exercise else None
        code_points = assignment.points(qid, "code") if qid else None
        written_points = assignment.points(qid, "written") if qid else None
        graded = code_points is not None or written_points is not None
        key = qid.replace(".", "_") if qid else ""
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if TEACHER_TAG in tags:
            if exercise and written_points is not None and index in exercise.rubric:
                cell.source = (
                    "*Marking notes for the grader.*\n\n### BEGIN MARK SCHEME\n" + cell.source + "\n### END MARK SCHEME"
                )
                cell.metadata["tags"] = [t for t in tags if t != TEACHER_TAG]
                _meta(cell, locked=True, grade_id=f"rubric_{key}_{index}")
                cells.append(cell)
            continue
        if exercise and code_points is not None and index in exercise.answers:
            cell.source, _ = strip_solutions(cell.source, where, replace=_nbgrader_region)
            cell.metadata["tags"] = [t for t in tags if t != SOLUTION_TAG]
            _meta(cell, solution=True, grade_id=f"answer_{key}_{index}")
        elif exercise and code_points is not None and index == exercise.check:
            names = []
            for answer_index in exercise.answers:
                region = solution_lines(lesson.cells[answer_index], where)
                names += [line.split("=", 1)[0].strip() for line in placeholder(region, "") if "=" in line]
            visible = cell.source if course.self_checks != "off" else "# This exercise is graded: your teacher's tests run here when your work is marked."
            if qid not in bank:
                raise CourseBuildError(f"{where}: exercise {qid} has no entry in the answer bank, so it cannot be graded.")
            cell.source = visible + "\n" + _hidden_test(qid, names, bank[qid])
            _meta(cell, grade=True, locked=True, points=code_points, grade_id=f"check_{key}")
        elif exercise and written_points is not None and index in exercise.written[:1]:
            _meta(cell, solution=True, grade=True, points=written_points, grade_id=f"written_{key}")
        elif graded and cell.cell_type == "markdown":
            _meta(cell, locked=True, grade_id=f"instructions_{key}_{index}")
        elif cell.cell_type == "code":
            if SOLUTION_TAG in tags:
                cell.source = "\n".join(placeholder(cell.source.splitlines(), ""))
            else:
                cell.source, _ = strip_solutions(cell.source, where)
        cells.append(cell)
    nb.cells = cells
    return nb


def _write(path: Path, text: str, manifest: dict, root: Path, force: bool, log) -> None:
    rel = str(path.relative_to(root))
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if old == text:
            manifest[rel] = _digest(text)
            log(f"unchanged  {rel}")
            return
        if manifest.get(rel) != _digest(old):
            if not force:
                log(f"KEPT       {rel}: edited since `make course` wrote it, so not overwritten (run with --force to replace it; a copy is kept as {path.name}.bak)")
                return
            path.with_name(path.name + ".bak").write_text(old, encoding="utf-8")
            log(f"backed up  {rel} -> {path.name}.bak")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    manifest[rel] = _digest(text)
    log(f"wrote      {rel}")


def config_text(course: Course, root: Path) -> str:
    """The course's nbgrader_config.py (see :data:`CONFIG`)."""
    from teach.course.collect import regexp_for

    extensions: dict[str, dict[str, float]] = {}
    for ext in course.extensions:
        extensions.setdefault(ext.assignment, {})[ext.student] = ext.delta.total_seconds() / 60
    late = course.late
    return CONFIG.format(
        course_id=course.id, timeout=course.timeout, notebook_timeout=course.notebook_timeout, memory_mb=course.memory_mb,
        timezone=course.timezone, exchange=str(root / "exchange"),
        hub_exchange="/srv/nbgrader/exchange",
        grace=late.grace_minutes, per_day=late.per_day, unit=late.unit, cap=late.cap, extensions=extensions,
        platform=course.collect.platform or "the platform's", regexp=regexp_for(course.collect),
    )


def build_course(course: Course, out: str | Path, *, force: bool = False, log=print) -> Path:
    """Write (or update) the nbgrader course folder ``out``; returns its path."""
    root = Path(out).resolve()
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    _write(root / "nbgrader_config.py", config_text(course, root), manifest, root, force, log)
    (root / "exchange").mkdir(exist_ok=True)
    for assignment in course.assignments:
        nb = assignment_notebook(assignment, course)
        _write(root / "source" / assignment.name / assignment.path.name, nbformat.writes(nb) + "\n", manifest, root, force, log)
    write_atomic(manifest_path, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    register_assignments(course, root, log)
    return root


def register_assignments(course: Course, root: Path, log=print) -> None:
    """Enter each assignment with its due date, and the extensions, in the course's gradebook (nbgrader's own API).

    Grades and comments already in the gradebook are not touched: this only creates or updates assignments and
    the extensions of submissions already there (teach/course/late.py). After a due date or an extension changed,
    `make late ASSIGNMENT=...` computes the late penalties again.
    """
    import os

    from nbgrader.api import Gradebook

    from teach.course.grading import nbgrader_env
    from teach.course.late import sync_gradebook

    os.environ["PATH"] = nbgrader_env()["PATH"]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id=course.id) as gradebook:
        sync_gradebook(course, gradebook, log)
