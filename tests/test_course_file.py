"""The course file: every mistake named with its line, and `make course` never loses a teacher's edit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from teach.course.build import build_course
from teach.course.config import CourseFileError, load_course

ROOT = Path(__file__).resolve().parent.parent
GOOD = """\
[course]
id = "c1"

[[assignment]]
name = "lesson01"
lesson = "01_honeymoon"
due = 2027-02-05T17:00:00
[assignment.points]
"1.1" = 2
"1.9" = 5
"1.6" = { code = 1, written = 2 }
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "course.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repositorys_course_file_is_valid():
    course = load_course(ROOT / "course.toml")
    assert course.assignments and all(a.parts for a in course.assignments)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_exercise_number_is_used_once_and_every_code_exercise_has_its_check(path):
    import nbformat

    from helpers.exercises import known_questions
    from teach.course.lessons import exercises

    found = exercises(nbformat.read(path, as_version=4))
    lesson = str(int(path.stem[:2]))
    banked = {q for q in known_questions() if q.split(".")[0] == lesson}
    assert banked == {q for q, e in found.items() if e.has_code}, "every registered exercise has a heading and a check cell, and no other"


def test_two_headings_with_one_number_are_refused():
    import nbformat

    from teach.course.lessons import exercises

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("### Exercise 2.10\nA"), nbformat.v4.new_markdown_cell("### Exercise 2.10\nB")])
    with pytest.raises(ValueError, match="Exercise 2.10 has two headings \\(cells 1 and 2\\)"):
        exercises(nb)


def test_a_good_course_file_reads_as_written(tmp_path):
    course = load_course(write(tmp_path, GOOD))
    (a,) = course.assignments
    assert (a.name, a.lesson, a.due.isoformat()) == ("lesson01", "01_honeymoon", "2027-02-05T17:00:00")
    assert {(p.exercise, p.kind, p.points) for p in a.parts} == {("1.1", "code", 2), ("1.9", "written", 5), ("1.6", "code", 1), ("1.6", "written", 2)}
    assert course.self_checks == "form" and course.graded_code_exercises() == {"1.1", "1.6"}


@pytest.mark.parametrize(
    "old, new, line, words",
    [
        ('lesson = "01_honeymoon"', 'lesson = "01_honeymon"', 6, "no lesson '01_honeymon'; the lessons are 00_start_here, 01_honeymoon"),
        ('"1.1" = 2', '"1.99" = 2', 9, "has no exercise '1.99'; its exercises are 1.1, 1.2"),
        ('"1.1" = 2', '"1.1" = -2', 9, "points cannot be negative"),
        ('"1.1" = 2', '"1.1" = "two"', 9, "points must be a number"),
        ('"1.6" = { code = 1, written = 2 }', '"1.6" = 3', 11, "has a code part and a written part"),
        ('"1.9" = 5', '"1.9" = { code = 5 }', 10, "exercise 1.9 has no 'code' part; its parts are written"),
        ('id = "c1"', 'id = "c1"\nself_checks = "sometimes"', 3, "self_checks must be one of form, full, off"),
        ("due = 2027-02-05T17:00:00", 'due = "next Friday"', 7, "due must be a date and time"),
        ('name = "lesson01"', 'name = "lesson 01"', 5, "letters, digits, - or _"),
        ('lesson = "01_honeymoon"', 'lesson = "01_honeymoon"\ngrader = "me"', 7, "unknown key 'grader'"),
    ],
)
def test_each_mistake_names_its_line(tmp_path, old, new, line, words):
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CourseFileError) as err:
        load_course(path)
    assert f"{path}, line {line}: " in str(err.value)
    assert words in str(err.value)


def test_a_missing_or_broken_file_says_so(tmp_path):
    with pytest.raises(CourseFileError, match="no such course file"):
        load_course(tmp_path / "nowhere.toml")
    with pytest.raises(CourseFileError, match="not valid TOML.*line 2"):
        load_course(write(tmp_path, "[course]\nid = \n"))
    with pytest.raises(CourseFileError, match="no \\[\\[assignment\\]\\] table"):
        load_course(write(tmp_path, '[course]\nid = "x"\n'))


def test_the_command_line_prints_the_message_not_a_traceback(tmp_path):
    path = write(tmp_path, GOOD.replace('"1.1" = 2', '"1.1" = -1'))
    run = subprocess.run([sys.executable, "-m", "teach.course", "build", "--course", str(path), "--out", str(tmp_path / "c")],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2
    assert run.stderr.startswith("error: ") and "line 9" in run.stderr and "Traceback" not in run.stderr


def test_make_course_keeps_a_teachers_edit_unless_forced(tmp_path):
    course = load_course(write(tmp_path, GOOD))
    out = tmp_path / "course"
    build_course(course, out, log=lambda *_: None)
    notebook = out / "source" / "lesson01" / "01_honeymoon.ipynb"
    edited = notebook.read_text(encoding="utf-8").replace("Exercise 1.1", "Exercise 1.1 (my wording)", 1)
    notebook.write_text(edited, encoding="utf-8")
    said = []
    build_course(course, out, log=said.append)
    assert notebook.read_text(encoding="utf-8") == edited
    assert any(line.startswith("KEPT") and "01_honeymoon.ipynb" in line for line in said)
    build_course(course, out, force=True, log=said.append)
    assert (notebook.parent / "01_honeymoon.ipynb.bak").read_text(encoding="utf-8") == edited
    assert "my wording" not in notebook.read_text(encoding="utf-8")
