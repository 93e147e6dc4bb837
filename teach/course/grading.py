"""Autograde a class with nbgrader, and say in one line per student what happened (``make grade``).

nbgrader does the grading (``nbgrader autograde``); this only looks at each submission first, so that a
file that is not a notebook, an empty file, another lesson's notebook or a student id nbgrader cannot
use gets a plain line in the report instead of a traceback, while the rest of the class is graded:

    alice      graded     6.0 / 6.0 points autograded; 1 answer to grade by hand
    dave       NOT GRADED 01_honeymoon.ipynb is not a notebook (it is not JSON): ask for the .ipynb file again

A submission that was autograded before is left alone (and so are the grades and comments given since)
unless ``force`` is set; then nbgrader grades it again. Grading runs through nbgrader's Python API in this
one process, so a class of 30 pays nbgrader's start-up once, not 30 times.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]*$")


@dataclass
class Line:
    student: str
    status: str  # "graded", "skipped", "NOT GRADED"
    detail: str

    def __str__(self) -> str:
        return f"{self.student:<14} {self.status:<10} {self.detail}"


def nbgrader_env() -> dict[str, str]:
    """This process's environment with this Python's ``bin`` first on PATH.

    nbgrader runs its database migrations with the ``alembic`` command installed next to this Python; a PATH
    without that folder (``python -m ...`` from a venv that is not activated) makes nbgrader fail on a new gradebook.
    Every caller that runs nbgrader, in process or as a command, takes its environment from here.
    """
    env = dict(os.environ)
    here = str(Path(sys.executable).parent)
    if env.get("PATH", "").split(os.pathsep)[0] != here:
        env["PATH"] = os.pathsep.join([here, env.get("PATH", "")])
    return env


def _api(course_dir: Path):
    """nbgrader's own Python API on this course folder, with its nbgrader_config.py (one process for the class)."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    os.environ["PATH"] = nbgrader_env()["PATH"]
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    config.CourseDirectory.root = str(course_dir)
    return NbGraderAPI(config=config)


def _source_cells(course_dir: Path, assignment: str) -> dict[str, set[str]]:
    """Notebook name -> the grade ids of its graded and read-only cells, from the source folder."""
    cells: dict[str, set[str]] = {}
    for path in sorted((course_dir / "source" / assignment).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cells[path.name] = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "grade_id" in c.metadata.get("nbgrader", {})}
    return cells


def problem(path: Path, grade_ids: set[str]) -> str | None:
    """Why the submitted notebook ``path`` cannot be graded, or None if it can."""
    if not path.exists():
        return f"{path.name} is missing from the submission"
    raw = path.read_bytes()
    if not raw.strip():
        return f"{path.name} is empty (0 bytes of work): ask the student to save and submit again"
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return f"{path.name} is not a notebook (it is not JSON): ask for the .ipynb file again"
    try:
        nb = nbformat.from_dict(doc)
        nbformat.validate(nb)
    except Exception:  # noqa: BLE001 - nbformat's schema errors are long; one line is enough here
        return f"{path.name} is not a valid notebook (its JSON is not in Jupyter's notebook format)"
    found = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.cells}
    if grade_ids and not (found & grade_ids):
        return f"{path.name} holds none of this assignment's cells: it looks like another lesson's notebook"
    return None


def notes(path: Path, release: Path) -> list[str]:
    """What a student did to the read-only and graded cells (nbgrader repairs it when grading; the teacher may want to know)."""
    try:
        submitted = nbformat.read(path, as_version=4)
        given = nbformat.read(release, as_version=4)
    except Exception:  # noqa: BLE001 - problem() has already said why the file cannot be read
        return []
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in submitted.cells]
    original = {c.metadata["nbgrader"]["grade_id"]: c for c in given.cells if "grade_id" in c.metadata.get("nbgrader", {})}
    found = []
    deleted = [gid for gid in original if gid not in ids]
    copied = sorted({gid for gid in ids if gid and ids.count(gid) > 1})
    changed = [
        gid for c in submitted.cells
        if (gid := c.metadata.get("nbgrader", {}).get("grade_id")) in original
        and original[gid].metadata["nbgrader"].get("locked") and c.source != original[gid].source
    ]
    if deleted:
        found.append(f"deleted {', '.join(deleted)} (restored for grading)")
    if copied:
        found.append(f"copied {', '.join(copied)} (the first copy counts)")
    if changed:
        found.append(f"changed read-only {', '.join(sorted(set(changed)))} (restored for grading)")
    return found


def _sanitized(config, course_dir: Path, assignment: str, student: str, notebook: Path):
    """The submitted ``notebook`` as nbgrader's own sanitizing step leaves it (cells restored), before it runs."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds, OverwriteCells, OverwriteKernelspec

    from teach.course.preprocessors import DropOrphanGradeMetadata, DropUnknownGradeCells

    coursedir = CourseDirectory(config=config)
    resources = {"nbgrader": {"student": student, "assignment": assignment, "notebook": notebook.stem,
                              "db_url": coursedir.db_url, "course_id": coursedir.course_id}}
    nb = nbformat.read(notebook, as_version=4)
    for step in (ClearOutput, DeduplicateIds, DropOrphanGradeMetadata, DropUnknownGradeCells, OverwriteKernelspec, OverwriteCells, CheckCellMetadata):
        nb, resources = step(config=config).preprocess(nb, resources)
    return nb


def _run_ahead(api, course_dir: Path, assignment: str, students: list[str], files: Path, unsafe: bool, jobs: int, log) -> None:
    """Run every submission's notebooks in their sandboxes, ``jobs`` at a time, before nbgrader records them.

    nbgrader then grades one student after another; its :class:`SandboxedExecute` finds each run done (a run
    it does not find, it does itself). The runs are what takes time, so they are the part done in parallel.
    """
    import time
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from teach.course.preprocessors import PRERUN, SandboxedExecute, run_key, sandbox_notebook, tests_of
    from teach.course.sandbox import run

    limits = SandboxedExecute(config=api.config).limits()
    work = []
    for name in sorted(p.name for p in (course_dir / "source" / assignment).glob("*.ipynb")):
        tests = tests_of(nbformat.read(course_dir / "source" / assignment / name, as_version=4))
        for student in students:
            try:
                box = sandbox_notebook(_sanitized(api.config, course_dir, assignment, student, course_dir / "submitted" / student / assignment / name), tests)
            except Exception:  # noqa: BLE001 - nbgrader will say what is wrong with it when it grades it
                continue
            work.append(box)
    if not work:
        return
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run, box, files, limits, unsafe=unsafe): run_key(box) for box in work}
        for done, future in enumerate(as_completed(futures), start=1):
            PRERUN.setdefault(futures[future], []).append(future.result())  # two identical notebooks: two runs, one each
            elapsed = time.monotonic() - start
            left = elapsed / done * (len(work) - done)
            log(f"ran        {done}/{len(work)} submissions in {'no sandbox' if unsafe else 'the sandbox'}; about {left:.0f} s left")


def autograde(course_dir: str | Path, assignment: str, *, force: bool = False, students: list[str] | None = None, log=print,
              jobs: int | None = None, unsafe: bool = False) -> list[Line]:
    """Autograde every submission of ``assignment`` in ``course_dir/submitted`` (or only ``students``'); return the report.

    Each submission runs in a sandbox (:mod:`teach.course.sandbox`), ``jobs`` at a time (default: one per core),
    and its answers are judged outside it. Without a sandbox on this machine it refuses, unless ``unsafe``.
    The report's lines are also written, as grading goes, to ``course_dir/grading-<assignment>.log``.
    """
    from nbgrader.api import Gradebook, MissingEntry

    from teach.course.preprocessors import graded_everywhere
    from teach.course.sandbox import SandboxError, class_files, unavailable

    course_dir = Path(course_dir).resolve()
    expected = _source_cells(course_dir, assignment)
    if not expected:
        raise FileNotFoundError(f"{course_dir}/source/{assignment} has no notebook: run `make course` and check the assignment's name.")
    if not unsafe and (why := unavailable()):
        raise SandboxError(
            f"not grading: {why}. Without a sandbox a submission runs with your rights and could read the answers or change "
            "grades. To grade anyway, accepting that risk, add --unsafe-no-sandbox (make grade ARGS=--unsafe-no-sandbox)."
        )
    mark = " [NO SANDBOX]" if unsafe else ""
    journal = course_dir / f"grading-{assignment}.log"
    report: list[Line] = []

    def note(line: Line) -> None:
        line.detail += mark
        report.append(line)
        with journal.open("a", encoding="utf-8") as out:
            out.write(str(line) + "\n")

    files = class_files(course_dir / ".grading" / "class-files", graded_everywhere(course_dir))
    api = _api(course_dir)
    api.config.SandboxedExecute.unsafe = unsafe
    api.config.SandboxedExecute.class_files = str(files)
    submitted = course_dir / "submitted"
    folders = sorted(p for p in submitted.iterdir() if (p / assignment).is_dir()) if submitted.is_dir() else []
    if students:
        unknown = sorted(set(students) - {f.name for f in folders})
        if unknown:
            raise FileNotFoundError(f"no submission of {assignment} from {', '.join(unknown)} in {submitted}")
        folders = [f for f in folders if f.name in students]
    ready = []
    for folder in folders:
        student = folder.name
        if not STUDENT_ID.match(student):
            suggestion = re.sub(r"[^A-Za-z0-9_.@-]+", "_", student).strip("_")
            note(Line(student, "NOT GRADED", f"the student id {student!r} has characters nbgrader cannot use (spaces, slashes...): rename the folder to {suggestion!r}"))
            continue
        reasons = [why for name, ids in expected.items() if (why := problem(folder / assignment / name, ids))]
        if reasons:
            note(Line(student, "NOT GRADED", "; ".join(reasons)))
            continue
        done = course_dir / "autograded" / student / assignment
        if done.exists() and not force:
            note(Line(student, "skipped", "already autograded; grades and comments given since are kept (use --force to grade again)"))
            continue
        ready.append(student)
    _run_ahead(api, course_dir, assignment, ready, files, unsafe, jobs or os.cpu_count() or 1, log)
    for student in ready:
        folder = submitted / student
        try:
            result = api.autograde(assignment, student, force=force, create=True)
        except Exception as err:  # noqa: BLE001 - one student's failure is that student's line, never the class's
            result = {"success": False, "error": f"error: {type(err).__name__}: {err}"}
        if not result.get("success"):
            errors = [l for l in (result.get("log", "") + "\n" + result.get("error", "")).splitlines() if "rror" in l]
            note(Line(student, "NOT GRADED", f"nbgrader could not grade it: {(errors or ['see nbgrader autograde output'])[-1].strip()[:300]}"))
            continue
        remarks = [n for name in expected for n in notes(folder / assignment / name, course_dir / "release" / assignment / name)]
        runs = _runs(course_dir, assignment, student)
        remarks += [f"its run was stopped: {r}" for r in runs]
        with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
            try:
                sub = gradebook.find_submission(assignment, student)
                manual = sum(1 for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade)
                score = (f"{sub.score:g} / {sub.max_score:g} points so far"
                         + (f"; {manual} answer{'s' if manual != 1 else ''} to grade by hand in formgrader" if manual else ""))
            except MissingEntry:
                score = "graded"
        note(Line(student, "graded", score + (f" ({'; '.join(remarks)})" if remarks else "")))
    if ready:
        from teach.course.late import apply_penalties  # late work: penalties from the gradebook as it is now

        late = [line for line in apply_penalties(course_dir, assignment, log=lambda *_: None) if line.penalty]
        if late:
            log(f"late work: {len(late)} submission{'s' if len(late) != 1 else ''} with a penalty (see course.toml's [late]); "
                "the points above are before it")
    for line in report:
        log(str(line))
    graded = sum(1 for l in report if l.status != "NOT GRADED")
    log(f"{graded} of {len(report)} submissions graded; {len(report) - graded} need your attention (see NOT GRADED above).")
    return report


def _runs(course_dir: Path, assignment: str, student: str) -> list[str]:
    """Why the sandbox stopped this student's notebooks, if it did (from answers/<assignment>/<student>.json)."""
    path = course_dir / "answers" / assignment / f"{student}.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [nb["reason"] for nb in doc.get("notebooks", {}).values() if nb.get("run") != "ok" and nb.get("reason")]
