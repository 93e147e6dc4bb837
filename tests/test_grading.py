"""A class graded for real with nbgrader and its SQLite gradebook, in a temporary course folder.

course file -> `teach.course build` -> `nbgrader generate_assignment` -> the release holds no solution,
hidden test or rubric -> three students submit (all right; half right with wrong types; one who deleted a
check cell, duplicated an answer cell and left a cell that never ends) plus four bad submissions -> the
class is autograded with a timeout -> the gradebook holds each student's score per exercise -> a manual
grade and comment through nbgrader's API -> feedback HTML per student (no hidden test, no rubric) ->
nbgrader's CSV export, a row per student -> grading again keeps the teacher's grade and comment.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from course_kit import nbgrader, new_course

from teach.course.grading import autograde, nbgrader_env
from teach.course.sandbox import unavailable

ROOT = Path(__file__).resolve().parent.parent
LESSON = "01_honeymoon.ipynb"
COURSE_FILE = """\
[course]
id = "test-course"
self_checks = "form"
timeout = 20

[[assignment]]
name = "lesson01"
lesson = "01_honeymoon"
due = 2027-02-05T17:00:00
[assignment.points]
"1.1" = 1
"1.2" = 2
"1.3" = 1
"1.7" = 2
"1.9" = 5
"""
CODE_POINTS = {"1.1": 1, "1.2": 2, "1.3": 1, "1.7": 2}


def cell(nb, prefix: str):
    found = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(prefix)]
    assert len(found) == 1, f"expected one cell whose grade id starts with {prefix!r}, found {len(found)}"
    return found[0]


def solution(source_nb, qid: str) -> str:
    """The teacher's solution of exercise qid, read from the source notebook's nbgrader solution region."""
    text = cell(source_nb, f"answer_{qid.replace('.', '_')}_").source
    return re.search(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", text, re.S).group(1)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    course_dir = new_course(base, COURSE_FILE, generate="lesson01")
    source = nbformat.read(course_dir / "source" / "lesson01" / LESSON, as_version=4)
    release = nbformat.read(course_dir / "release" / "lesson01" / LESSON, as_version=4)

    def submit(student: str, nb=None, raw: bytes | None = None):
        folder = course_dir / "submitted" / student / "lesson01"
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text("2027-02-01 10:00:00.000000 UTC")
        (folder / LESSON).write_bytes(raw if raw is not None else nbformat.writes(nb).encode("utf-8"))

    # alice: every answer right, the written one too
    alice = nbformat.from_dict(json.loads(nbformat.writes(release)))
    for qid in CODE_POINTS:
        cell(alice, f"answer_{qid.replace('.', '_')}_").source = solution(source, qid)
    cell(alice, "written_1_9").source = "Khrushchev needed Mao's backing after 1956: the loans and the 1957 defence accord show it."
    submit("alice", alice)
    # bob: two right, two of the wrong kind (a year for a date, words for a number)
    bob = nbformat.from_dict(json.loads(nbformat.writes(release)))
    for qid in ("1.1", "1.2"):
        cell(bob, f"answer_{qid.replace('.', '_')}_").source = solution(source, qid)
    cell(bob, "answer_1_3_").source = "answer_1_3 = 1954"
    cell(bob, "answer_1_7_").source = 'answer_1_7 = "about four times"'
    submit("bob", bob)
    # carol: deletes 1.2's check cell, duplicates 1.1's answer cell, and 1.3's cell never ends
    carol = nbformat.from_dict(json.loads(nbformat.writes(release)))
    for qid in ("1.1", "1.2", "1.7"):
        cell(carol, f"answer_{qid.replace('.', '_')}_").source = solution(source, qid)
    cell(carol, "answer_1_3_").source = "while True:\n    pass"
    carol.cells.remove(cell(carol, "check_1_2"))
    first = cell(carol, "answer_1_1_")
    carol.cells.insert(carol.cells.index(first) + 1, nbformat.from_dict(json.loads(json.dumps(first))))
    submit("carol", carol)
    # four submissions that cannot be graded
    submit("dave", raw=b"PK\x03\x04 this is a zip file, not a notebook")
    submit("erin", raw=b"")
    other = nbformat.read(ROOT / "notebooks" / "student" / "03_economic_race.ipynb", as_version=4)
    submit("frank", other)
    submit("grace hopper", alice)
    submit("alice_twin", alice)  # the same notebook as alice's: run once for each, never twice for one

    lines = []
    import teach.course.sandbox as sandbox

    real_run, runs = sandbox.run, []
    sandbox.run = lambda box, *a, **k: runs.append(box) or real_run(box, *a, **k)
    try:
        report = autograde(course_dir, "lesson01", log=lines.append, unsafe=bool(unavailable()))
    finally:
        sandbox.run = real_run
    return {"dir": course_dir, "report": {l.student: l for l in report}, "log": lines, "source": source, "release": release, "runs": runs}


def test_the_release_holds_no_solution_hidden_test_or_rubric(graded):
    source, release = graded["source"], graded["release"]
    text = nbformat.writes(release)
    for qid in CODE_POINTS:
        for line in solution(source, qid).splitlines():
            if len(line.strip()) >= 12:
                assert line.strip() not in text, f"solution line of {qid} in the release: {line!r}"
    assert "HIDDEN TESTS" not in text and "_grade(" not in text and '"hashes"' not in text
    rubric = cell(source, "rubric_1_9_").source
    model = [l for l in rubric.splitlines() if len(l) > 20 and "MARK SCHEME" not in l and "Marking notes" not in l]
    assert model, "the source notebook carries the model answer of 1.9"
    for line in model:
        assert line not in text, f"rubric line in the release: {line[:60]!r}"
    # instructions and checks are read-only; answers are not
    assert cell(release, "check_1_1").metadata["nbgrader"]["locked"] is True
    assert cell(release, "instructions_1_1_").metadata["nbgrader"]["locked"] is True
    assert cell(release, "answer_1_1_").metadata["nbgrader"]["locked"] is False


def test_each_submission_gets_one_clear_line(graded):
    report = graded["report"]
    assert {s: report[s].status for s in ("alice", "bob", "carol")} == {"alice": "graded", "bob": "graded", "carol": "graded"}
    assert "deleted check_1_2" in report["carol"].detail and "copied answer_1_1" in report["carol"].detail
    assert "not a notebook" in report["dave"].detail
    assert "empty" in report["erin"].detail
    assert "another lesson" in report["frank"].detail
    assert "grace_hopper" in report["grace hopper"].detail
    assert all(report[s].status == "NOT GRADED" for s in ("dave", "erin", "frank", "grace hopper"))
    assert not any("Traceback" in line for line in graded["log"])
    assert graded["log"][-1].startswith("4 of 8 submissions graded")


def _scores(course_dir: Path) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return {
            student: {qid: gb.find_grade(f"check_{qid.replace('.', '_')}", "01_honeymoon", "lesson01", student).score for qid in CODE_POINTS}
            for student in ("alice", "bob", "carol")
        }


def test_each_gradable_submission_runs_once_in_parallel_ahead_of_nbgrader(graded):
    report = graded["report"]
    gradable = [s for s, line in report.items() if line.status == "graded"]
    assert sorted(gradable) == ["alice", "alice_twin", "bob", "carol"]
    assert len(graded["runs"]) == len(gradable), "nbgrader found every run done (identical notebooks included)"
    assert report["alice_twin"].detail.split(" points")[0] == report["alice"].detail.split(" points")[0]
    assert sum(line.startswith("ran ") for line in graded["log"]) == len(gradable), "one progress line per run"


def test_the_gradebook_holds_each_students_score_per_exercise(graded):
    assert _scores(graded["dir"]) == {
        "alice": {"1.1": 1, "1.2": 2, "1.3": 1, "1.7": 2},
        "bob": {"1.1": 1, "1.2": 2, "1.3": 0, "1.7": 0},
        # the deleted check cell is restored and graded; the endless cell is stopped and scores nothing
        "carol": {"1.1": 1, "1.2": 2, "1.3": 0, "1.7": 2},
    }
    carol = nbformat.read(graded["dir"] / "autograded" / "carol" / "lesson01" / LESSON, as_version=4)
    assert any("was missing from the submission" in c.source for c in carol.cells), "the restored check cell is marked"


def test_manual_grade_feedback_export_and_regrading(graded):
    from nbgrader.api import Gradebook

    course_dir = graded["dir"]
    autograded = nbformat.read(course_dir / "autograded" / "alice" / "lesson01" / LESSON, as_version=4)
    rubric_text = cell(graded["source"], "rubric_1_9_").source
    assert "BEGIN MARK SCHEME" in cell(autograded, "rubric_1_9_").source, "the grader sees the rubric in formgrader"
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        grade = gb.find_grade("written_1_9", "01_honeymoon", "lesson01", "alice")
        assert grade.needs_manual_grade
        grade.manual_score = 4
        comment = gb.find_comment("written_1_9", "01_honeymoon", "lesson01", "alice")
        comment.manual_comment = "Good use of the 1957 accord; say what Moscow feared."
        gb.db.commit()
    run = nbgrader(course_dir, "generate_feedback", "lesson01")
    assert run.returncode == 0, run.stderr[-3000:]
    for student in ("alice", "bob", "carol"):
        html = (course_dir / "feedback" / student / "lesson01" / "01_honeymoon.html").read_text(encoding="utf-8")
        assert "_grade(" not in html and "hashes" not in html, f"{student}'s feedback shows a hidden test"
        for qid in CODE_POINTS:
            spec = json.loads((ROOT / "helpers" / "answers" / "lesson_01.json").read_text(encoding="utf-8"))[qid]
            assert spec["salt"] not in html and not any(h in html for h in spec["hashes"]), f"{student}'s feedback holds {qid}'s hash"
        for line in rubric_text.splitlines():
            if len(line) > 40:
                assert line not in html, f"{student}'s feedback shows the rubric"
    alice_html = (course_dir / "feedback" / "alice" / "lesson01" / "01_honeymoon.html").read_text(encoding="utf-8")
    assert "say what Moscow feared" in alice_html
    run = nbgrader(course_dir, "export", "--to", "grades.csv")
    assert run.returncode == 0, run.stderr[-3000:]
    rows = {r["student_id"]: r for r in csv.DictReader((course_dir / "grades.csv").open())}
    assert set(rows) == {"alice", "alice_twin", "bob", "carol"}
    assert float(rows["alice"]["score"]) == 6 + 4 and float(rows["alice_twin"]["score"]) == 6 and float(rows["bob"]["score"]) == 3 and float(rows["carol"]["score"]) == 5
    assert all(float(r["max_score"]) == 11 for r in rows.values())
    # grading the class again leaves the teacher's grade and comment alone
    again = autograde(course_dir, "lesson01", log=lambda *_: None, unsafe=bool(unavailable()))
    assert {l.student: l.status for l in again}["alice"] == "skipped"
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_grade("written_1_9", "01_honeymoon", "lesson01", "alice").manual_score == 4
        assert "Moscow feared" in gb.find_comment("written_1_9", "01_honeymoon", "lesson01", "alice").manual_comment
    # and with the flag nbgrader grades alice's code again, still keeping the hand-given grade and comment
    forced = autograde(course_dir, "lesson01", force=True, students=["alice"], log=lambda *_: None, unsafe=bool(unavailable()))
    assert [(l.student, l.status) for l in forced] == [("alice", "graded")]
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_grade("written_1_9", "01_honeymoon", "lesson01", "alice").manual_score == 4
        assert "Moscow feared" in gb.find_comment("written_1_9", "01_honeymoon", "lesson01", "alice").manual_comment
        assert gb.find_grade("check_1_2", "01_honeymoon", "lesson01", "alice").score == 2


def test_nbgrader_env_puts_this_pythons_commands_first_once(monkeypatch):
    """nbgrader's `alembic` must be found next to this Python, however the venv was entered; repeated calls add it once."""
    here = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    env = nbgrader_env()
    assert env["PATH"].split(":") == [here, "/usr/bin", "/bin"]
    monkeypatch.setenv("PATH", env["PATH"])
    assert nbgrader_env()["PATH"] == env["PATH"]
    assert (Path(here) / "alembic").exists(), "nbgrader's migrations need the alembic command beside this Python"
