"""A simulated class in an nbgrader course folder, for the tests of the class report and the export.

It writes what grading leaves behind, through nbgrader's own API (``nbgrader.api.Gradebook``) and files of the
layouts :mod:`teach.course.classdata` reads: the gradebook with one assignment and its grade cells, a
submission per student with its points, the answers files, the source notebook (order of the exercises, model
answer and rubric) and the autograded notebooks (the written answers). Nothing is graded for real here:
tests/test_grading.py does that.

The exercises of the simulated assignment are those of a small bank written by :func:`write_bank`; their
alternatives are real disagreements of the collection's data (Theobald's 6 November for Mao's remarks on
nuclear war, Shen's count of 68 parties, the German archive copy's date of the Soviet note of July 1960).
"""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import nbformat

from helpers.exercises import register

ASSIGNMENT = "lesson02"
NOTEBOOK = "02_moscow_conference"

#: grade id -> (exercise, points, cell type)
CELLS = {
    "check_2_1": ("2.1", 1, "code"),
    "check_2_2": ("2.2", 2, "code"),
    "check_2_3": ("2.3", 1, "code"),
    "written_2_4": ("2.4", 5, "markdown"),
}
RIGHT = {"2.1": "1957-11-18", "2.2": 64, "2.3": 19}
ALTERNATIVES = {
    "2.1": ("1957-11-06", "theobald_chinaknowledge", "Theobald's date (6 November)"),
    "2.2": (68, "shen2020", "Shen's count, with the four parties that made no public appearance"),
    "2.3": (17, "wilson_note1960", "the interval from the date on the German archive's copy of the note"),
}
MODEL = ("Mao insisted that the Soviet Union be named head of the camp because unity under one centre protected "
         "China while it built socialism, and because a strong Soviet lead made Soviet aid and the defence accord "
         "more likely to continue.")
RUBRIC = "**Rubric (5 points).**\n1. Names two positions with their actor and source (2 points).\n2. Explains the paradox (3 points)."


def write_bank(path: Path) -> Path:
    register("2.1", RIGHT["2.1"], kind="date", hint="Section 4.", alternatives=[ALTERNATIVES["2.1"]], bank_path=path)
    register("2.2", RIGHT["2.2"], kind="integer", hint="Section 2.", alternatives=[ALTERNATIVES["2.2"]], bank_path=path)
    register("2.3", RIGHT["2.3"], kind="integer", hint="Section 5.", alternatives=[ALTERNATIVES["2.3"]], bank_path=path)
    return path


def _source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cells = []
    for gid, (qid, points, kind) in CELLS.items():
        key = qid.replace(".", "_")
        cells.append(nbformat.v4.new_markdown_cell(f"### Exercise {qid}"))
        if kind == "code":
            cell = nbformat.v4.new_code_cell(f"check({qid!r}, answer_{key})")
            cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": points, "grade_id": gid}
            cells.append(cell)
        else:
            cell = nbformat.v4.new_markdown_cell("*Write your answer here.*")
            cell.metadata["nbgrader"] = {"grade": True, "solution": True, "locked": False, "points": points, "grade_id": gid}
            cells.append(cell)
            rubric = nbformat.v4.new_markdown_cell(
                "*Marking notes for the grader.*\n\n### BEGIN MARK SCHEME\n**Model answer.** " + MODEL + "\n\n" + RUBRIC + "\n### END MARK SCHEME")
            rubric.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": True, "grade_id": f"rubric_{key}_9"}
            cells.append(rubric)
    nb.cells = cells
    return nb


def make_course(course_dir: Path, students: dict[str, dict], *, assignment: str = ASSIGNMENT, extra_students: tuple[str, ...] = ()) -> Path:
    """Write a graded class into ``course_dir``.

    ``students``: id -> {"points": {grade id: points or None}, "answers": {qid: (given, verdict)}, "written": text}.
    ``extra_students`` are in the gradebook without a submission.
    """
    import os

    from nbgrader.api import Gradebook

    from teach.course.grading import nbgrader_env

    os.environ["PATH"] = nbgrader_env()["PATH"]  # nbgrader asks its alembic command for the database's schema
    course_dir.mkdir(parents=True, exist_ok=True)
    source = course_dir / "source" / assignment
    source.mkdir(parents=True, exist_ok=True)
    nbformat.write(_source_notebook(), source / f"{NOTEBOOK}.ipynb")
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment(assignment)
        gb.update_or_create_notebook(NOTEBOOK, assignment)
        for gid, (_, points, kind) in CELLS.items():
            gb.update_or_create_grade_cell(gid, NOTEBOOK, assignment, max_score=points, cell_type=kind)
        for student in [*students, *extra_students]:
            gb.update_or_create_student(student)
        for student, record in students.items():
            with warnings.catch_warnings():  # nbgrader's add_submission warns about its own SQLAlchemy session
                warnings.simplefilter("ignore")
                gb.add_submission(assignment, student)
            for gid, points in record["points"].items():
                grade = gb.find_grade(gid, NOTEBOOK, assignment, student)
                if CELLS[gid][2] == "code":
                    grade.auto_score, grade.needs_manual_grade = points, False
                elif points is not None:
                    grade.manual_score, grade.needs_manual_grade = points, False
            gb.db.commit()
    answers = course_dir / "answers" / assignment
    answers.mkdir(parents=True, exist_ok=True)
    for student, record in students.items():
        doc = {"assignment": assignment, "student": student,
               "answers": {qid: {"given": given, "verdict": verdict, "message": f"Exercise {qid}: {verdict}."}
                           for qid, (given, verdict) in record.get("answers", {}).items()}}
        (answers / f"{student}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        folder = course_dir / "autograded" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        nb = _source_notebook()
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") == "written_2_4":
                cell.source = record.get("written", "*Write your answer here.*")
        nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    return course_dir


WORDS = ("unity camp leadership Soviet Chinese aid accord Declaration Gomułka Yugoslavs Mao Khrushchev centre "
         "socialism revisionism head bloc Moscow Beijing protection prestige loans defence pledge quarrel").split()


def simulated_class(n: int = 30, seed: int = 1957) -> dict[str, dict]:
    """``n`` students with a seeded ability: right answers, wrong ones (some following a registered alternative),
    unanswered checks, written answers (two copied from one another, one echoing the model answer), one still to grade."""
    rng = random.Random(seed)
    wrong_pool = {"2.1": ["1957-11-16", "1957-11-07"], "2.2": [81, 12], "2.3": [18, 20]}
    out = {}
    for i in range(n):
        student = f"s{i + 1:02d}"
        ability = rng.random()
        points, answers = {}, {}
        for gid, (qid, max_points, kind) in CELLS.items():
            if kind != "code":
                continue
            roll = rng.random()
            if roll < 0.25 + 0.7 * ability:
                answers[qid] = (RIGHT[qid], "right")
                points[gid] = float(max_points)
            elif roll < 0.9:
                follow = rng.random() < 0.5
                given = ALTERNATIVES[qid][0] if follow else rng.choice(wrong_pool[qid])
                answers[qid] = (given, "wrong")
                points[gid] = 0.0
            else:
                answers[qid] = (None, "unanswered")
                points[gid] = 0.0
        written = " ".join(rng.choice(WORDS) for _ in range(40 + int(30 * ability)))
        points["written_2_4"] = float(min(5, round(5 * ability + rng.uniform(-1, 1)))) if i != n - 1 else None
        points["written_2_4"] = None if points["written_2_4"] is None else max(0.0, points["written_2_4"])
        out[student] = {"points": points, "answers": answers, "written": written}
    shared = ("The Declaration named the Soviet Union as head of the camp because Mao wanted a single centre that "
              "could hold the Yugoslavs and Gomułka in line while China built socialism at home.")
    out["s03"]["written"] = shared + " " + out["s03"]["written"][:120]
    out["s04"]["written"] = shared + " " + out["s04"]["written"][-120:]
    out["s05"]["written"] = MODEL
    return out


def tiny_class() -> dict[str, dict]:
    """Three students whose figures the tests compute by hand."""
    return {
        "ann": {"points": {"check_2_1": 1.0, "check_2_2": 2.0, "check_2_3": 1.0, "written_2_4": 5.0},
                "answers": {"2.1": ("1957-11-18", "right"), "2.2": (64, "right"), "2.3": (19, "right")},
                "written": MODEL},
        "ben": {"points": {"check_2_1": 0.0, "check_2_2": 2.0, "check_2_3": 0.0, "written_2_4": 3.0},
                "answers": {"2.1": ("6 November 1957", "wrong"), "2.2": (64, "right"), "2.3": (17, "wrong")},
                "written": "Mao wanted unity, so the Soviet Union had to lead the camp."},
        "cat": {"points": {"check_2_1": 0.0, "check_2_2": 0.0, "check_2_3": 0.0, "written_2_4": 1.0},
                "answers": {"2.1": ("1957-11-06", "wrong"), "2.2": (68, "wrong"), "2.3": (None, "unanswered")},
                "written": "It was about steel."},
    }
