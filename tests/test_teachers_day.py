"""A teacher's day with one assignment, with the real commands, and the report read in Chromium (tests/class_day.py).

In a temporary folder: ``make release`` (the class copy), ``make course`` and ``generate_assignment`` (lesson 5 with
5.2, 5.4 and the written 5.9), a Moodle download of a class of five filed by ``make collect``, ``make grade`` in the
sandbox, the written answers graded by hand in the gradebook (as formgrader does) and ``make late``, ``make report``
opened from file:// with the network refused, and ``make export`` for Canvas and Moodle with a roster:

    101  Ann Honest   right, right, written 4/4           16:30 on the day        7
    102  Ben Partly   right, 3 days (wrong), written 2    16:50                   3
    103  Cat Tanner   7 (wrong), 0 days: the announcement's date (16 October 1964), written 3
                                                         17:10 (within the grace) 3
    104  Dan Late     right, right, written 4/4           the next day, 12:00     7 - 10% of 7 = 6.3
    105  Eve Empty    a file of 0 bytes                   15:00                   not graded: no grade exported

The expected points come from tests/class_day.py, which reads the right answers from the teacher edition and
data/events.csv and counts the late penalty by hand. Each step's time is printed (``pytest -s``) and written to
tests/screenshots/teachers-day-times.txt with the screenshot of the report (teachers-day-report.png). Grading needs
bubblewrap: without it the steps from grading on are skipped and say why; without Chromium the browser test is
skipped on a developer's machine and fails when CI is set (as tests/test_report_browser.py does).
"""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import class_day as day
import pytest
from class_day import ASSIGNMENT, MAX_POINTS, NOTEBOOK, RIGHT, small_class
from lab_harness import browser_missing, offline_page

SHOTS = Path(__file__).resolve().parent / "screenshots"
STUDENTS = {s.participant: s for s in small_class()}
GRADED = [s for s in STUDENTS.values() if not s.empty]
TIMES: dict[str, float] = {}


class Clock:
    def __init__(self, step: str):
        self.step = step

    def __enter__(self):
        self.start = time.perf_counter()

    def __exit__(self, *exc):
        TIMES[self.step] = time.perf_counter() - self.start


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    base = tmp_path_factory.mktemp("day")
    with Clock("release (make release)"):
        copy = day.release_copy(base)
    with Clock("course (make course, generate_assignment)"):
        course_dir = day.build(base)
    with Clock("collect (make collect, Moodle zip)"):
        day.moodle_download(course_dir, list(STUDENTS.values()))
        log = day.collect(course_dir)
    return {"base": base, "copy": copy, "dir": course_dir, "collect": log}


@pytest.fixture(scope="module")
def graded(collected):
    from teach.course.export import ExportError
    from teach.course.sandbox import unavailable

    if why := unavailable():
        pytest.skip(f"grading runs student code only in a bubblewrap sandbox, and none can run here: {why}")
    course_dir = collected["dir"]
    with Clock("grade (make grade, sandboxed)"):
        lines = {line.student: line for line in day.grade(course_dir)}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        autograded = {s.student.id: float(s.score) for s in gb.assignment_submissions(ASSIGNMENT)}
    day.roster(course_dir, list(STUDENTS.values()))
    early: list[str] = []
    try:
        day.export(course_dir, "canvas", log=early.append)
        refused = ""
    except ExportError as err:
        refused = str(err)
    with Clock("hand grading and make late"):
        day.grade_by_hand(course_dir, GRADED)
        late = {line.student: line for line in day.late(course_dir)}
    with Clock("report (make report)"):
        report: list[str] = []
        index = day.report(course_dir, log=report.append)
    with Clock("export (make export, Canvas and Moodle)"):
        exports = {lms: day.export(course_dir, lms, log=lambda *_: None) for lms in ("canvas", "moodle")}
    return {**collected, "lines": lines, "autograded": autograded, "early": early, "refused": refused, "late": late,
            "index": index, "report": report, "exports": exports}


# --------------------------------------------------------------------------- 1. the class copy and the course


def test_the_expected_points_are_read_from_the_teacher_edition_and_the_data():
    # 5.2: the solution line of the teacher edition; 5.4: 14 October (the plenum) to 16 October 1964 (the test);
    # counted from the announcement of 16 October it is 0, the alternative registered with its source
    assert RIGHT == {"5.2": 8, "5.4": 2} and day.ALTERNATIVE == 0
    assert [s.points() for s in STUDENTS.values()] == [7, 3, 3, 6.3, None]


def test_the_class_copy_keeps_no_answer_of_a_graded_exercise(collected):
    copy = collected["copy"]
    assert (copy / "notebooks" / NOTEBOOK).is_file() and (copy / ".git").is_dir()
    bank = json.loads((copy / "helpers" / "answers" / "lesson_05.json").read_text(encoding="utf-8"))
    for qid in ("5.2", "5.4"):
        assert set(bank[qid]) <= {"kind", "decimals", "ordered", "graded"}, bank[qid]
    assert "hashes" in bank["5.5"], "an exercise the course does not grade stays practice"
    released = (collected["dir"] / "release" / ASSIGNMENT / NOTEBOOK).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in released and "BEGIN HIDDEN TESTS" not in released and "Rubric (4 points)" not in released
    assert "answer_5_4 = ...  # replace ... with your answer" in released


# --------------------------------------------------------------------------- 2. collect


def test_the_moodle_download_is_filed_by_participant_with_its_times(collected):
    submitted = collected["dir"] / "submitted"
    assert sorted(p.name for p in submitted.iterdir()) == sorted(STUDENTS)
    # 12:00 on Saturday 5 June in London (BST) is 11:00 UTC; 17:10 on the day is 16:10 UTC
    assert (submitted / "104" / ASSIGNMENT / "timestamp.txt").read_text().startswith("2027-06-05 11:00:00")
    assert (submitted / "103" / ASSIGNMENT / "timestamp.txt").read_text().startswith("2027-06-04 16:10:00")
    assert (submitted / "105" / ASSIGNMENT / NOTEBOOK).stat().st_size == 0


# --------------------------------------------------------------------------- 3. grade


def test_grading_gives_the_points_counted_by_hand(graded):
    lines = graded["lines"]
    assert lines["105"].status == "NOT GRADED" and "empty" in lines["105"].detail
    for s in GRADED:
        assert lines[s.participant].status == "graded", lines[s.participant]
        assert "1 answer to grade by hand" in lines[s.participant].detail
    assert graded["autograded"] == {s.participant: s.code_points() for s in GRADED}
    answers = json.loads((graded["dir"] / "answers" / ASSIGNMENT / "103.json").read_text(encoding="utf-8"))["answers"]
    assert (answers["5.4"]["given"], answers["5.4"]["verdict"]) == (0, "wrong"), "the alternative stays a wrong answer"
    assert {s: round(line.penalty, 4) for s, line in graded["late"].items()} == {s.participant: s.late_penalty() for s in GRADED}
    assert graded["late"]["104"].penalty == pytest.approx(0.1 * MAX_POINTS) and "within grace" in graded["late"]["103"].late


def test_written_answers_to_grade_keep_the_assignment_out_of_the_export(graded):
    assert "no assignment can be exported yet" in graded["refused"]
    assert any("lesson05: left out, 4 written answers still to grade by hand" in line for line in graded["early"])


# --------------------------------------------------------------------------- 4. the report, in Chromium


def test_the_report_prints_what_the_teacher_reads(graded):
    lines = graded["report"]
    assert lines[0].startswith("lesson05: 4 submissions of 4 students")
    assert any(line.split()[:1] == ["5.4"] and "full marks  50%" in line for line in lines)
    assert any(line.strip().startswith("Exercise 5.4: 1 student gave the day the removal was announced") for line in lines)
    assert "  late work: 104 -0.7 (19 h late)" in lines
    assert any(line.startswith("  handed in but not graded: 105 (NOT GRADED: ") for line in lines)
    rows = {r["student"]: r for r in csv.DictReader((graded["index"].parent / "students.csv").open(encoding="utf-8"))}
    for s in STUDENTS.values():
        expected = s.points()
        assert rows[s.participant]["grade"] == ("" if expected is None else f"{expected:g}")


_missing = browser_missing()


@pytest.mark.skipif(bool(_missing) and not os.environ.get("CI"), reason=f"{_missing}")
def test_the_report_in_chromium(graded):
    if _missing:
        pytest.fail(f"CI is set but the browser test cannot run: {_missing}.", pytrace=False)
    SHOTS.mkdir(exist_ok=True)
    start = time.perf_counter()
    with offline_page() as (page, outside):
        page.goto(graded["index"].as_uri(), wait_until="load")
        # per exercise: the share of students with full marks, of the four graded
        table = page.locator("#exercises-table tbody tr")
        shares = {table.nth(i).locator("td").first.inner_text().split()[0]: table.nth(i).locator("td").nth(3).inner_text()
                  for i in range(table.count())}
        assert shares == {"5.2": "75% (3/4)", "5.4": "50% (2/4)", "5.9": "50% (2/4)"}
        # which source the class followed: the announcement's date, named with its source and count
        sources = page.locator("#sources + ul").inner_text()
        assert "Exercise 5.4: 1 student gave the day the removal was announced (16 October 1964)" in sources
        assert "The New York Times" in sources and "nyt1964_khrushchev" in sources
        assert "104 handed in 19 h late, \u22120.7 points" in page.locator("#late").inner_text()
        assert "105" in page.locator("#ungraded").inner_text() and "empty" in page.locator("#ungraded").inner_text()
        # the grid: the four graded by total, then the work not graded; the late penalty and the grade after it
        grid = page.locator("#grid tbody tr")
        assert grid.count() == 5 and grid.last.locator("th").inner_text() == "105"
        row = page.locator("#grid tbody tr", has=page.locator("th", has_text="104"))
        assert row.locator("td").all_inner_texts() == ["1", "2", "4", "7", "\u22120.7", "6.3"]
        assert "handed in, not graded" in grid.last.inner_text()
        assert page.locator("svg.figure").count() == 3
        page.screenshot(path=str(SHOTS / "teachers-day-report.png"), full_page=True)
    TIMES["report in Chromium (open, read, screenshot)"] = time.perf_counter() - start
    assert outside == [], f"the report asked the network for {outside[:3]}"


# --------------------------------------------------------------------------- 5. the export


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8", newline="")))


def _expected(s) -> str:
    points = s.points()
    return "" if points is None else f"{points:g}"


def test_the_canvas_export(graded):
    rows = _rows(graded["exports"]["canvas"])
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1] == ["Points Possible", "", "", "", "", f"{MAX_POINTS}"]
    by_name = {r[0]: r for r in rows[2:]}
    assert len(by_name) == len(STUDENTS)
    for s in STUDENTS.values():
        assert by_name[s.name][1:3] == [f"{9000 + int(s.participant)}", f"S{s.participant}"]
        assert by_name[s.name][5] == _expected(s), s.name
    assert [by_name[s.name][5] for s in STUDENTS.values()] == ["7", "3", "3", "6.3", ""]


def test_the_moodle_export(graded):
    rows = _rows(graded["exports"]["moodle"])
    assert rows[0] == ["Full name", "Username", "Email address", ASSIGNMENT]
    by_mail = {r[2]: r for r in rows[1:]}
    assert len(by_mail) == len(STUDENTS)
    for s in STUDENTS.values():
        assert by_mail[f"{s.participant}@school.example"][3] == _expected(s), s.name
    # the work that was not graded gets no grade: an empty cell, which Moodle imports as no grade (not 0)
    assert by_mail["105@school.example"][3] == ""


def test_the_time_of_each_step(graded, capsys):
    """Not a check of speed (the machine is shared): the times, printed and kept beside the screenshot."""
    SHOTS.mkdir(exist_ok=True)
    text = "A teacher's day, a class of five (tests/test_teachers_day.py):\n" + "".join(
        f"  {step:<46} {seconds:6.1f} s\n" for step, seconds in TIMES.items())
    (SHOTS / "teachers-day-times.txt").write_text(text, encoding="utf-8")
    with capsys.disabled():
        print("\n" + text, end="")
