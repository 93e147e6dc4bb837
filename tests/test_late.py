"""Late work with the real nbgrader: a late policy and extensions from course.toml, submission times from a
platform's zip (Moodle's and Canvas's download file names), penalties applied by nbgrader's late-submission plugin,
and computed again when a due date changes.

One class of five on lesson 0, due Friday 4 June 2027 at 17:00 in London (British Summer Time, 16:00 UTC), with a
grace of 15 minutes, 10% of the available points per day or part of a day, at most 30%:

    101  16:59 on the day             on time
    102  17:10                        within the grace
    103  the next day, 12:00          1 day late       -10%
    104  three days later, 09:00      3 days late      -30% (the cap)
    105  the next day, 22:00          on time: a two-day extension
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from course_kit import nbgrader, new_course

from teach.course.collect import PLATFORM_REGEXPS, parse_time, read_times
from teach.course.config import CourseFileError, LatePolicy, load_course
from teach.course.grading import autograde, nbgrader_env
from teach.course.late import apply_penalties, days_late, describe, penalty

LESSON = "00_start_here.ipynb"
COURSE = """\
[course]
id = "late-course"
timezone = "Europe/London"
timeout = 30

[late]
grace_minutes = 15
per_day = 10
unit = "percent"
cap = 30

[[extension]]
student = "105"
assignment = "lesson00"
days = 2

[collect]
platform = "{platform}"

[[assignment]]
name = "lesson00"
lesson = "00_start_here"
due = {due}
[assignment.points]
"0.3" = 2
"0.4" = 2
"0.7" = 4
"""
DUE = "2027-06-04T17:00:00"
#: student -> (Moodle full name, submitted at, London time)
CLASS = {
    "101": ("Ann Early", "Friday, 4 June 2027, 4:59 PM"),
    "102": ("Ben Grace", "Friday, 4 June 2027, 5:10 PM"),
    "103": ("Cat Oneday", "Saturday, 5 June 2027, 12:00 PM"),
    "104": ("Dan Threedays", "Monday, 7 June 2027, 9:00 AM"),
    "105": ("Eve Extension", "Saturday, 5 June 2027, 10:00 PM"),
}


def make_course(base: Path, platform: str, due: str = DUE) -> Path:
    return new_course(base, COURSE.format(platform=platform, due=due))


def answered(course_dir: Path) -> bytes:
    """The released notebook with the code exercises answered from the source's solutions."""
    source = nbformat.read(course_dir / "source" / "lesson00" / LESSON, as_version=4)
    nb = nbformat.read(course_dir / "release" / "lesson00" / LESSON, as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    for c in nb.cells:
        gid = c.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            c.source = re.sub(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", r"\1", solutions[gid], flags=re.S)
    return nbformat.writes(nb).encode("utf-8")


@pytest.fixture(scope="module")
def moodle_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("late")
    course_dir = make_course(base, "moodle")
    run = nbgrader(course_dir, "generate_assignment", "lesson00")
    assert run.returncode == 0, run.stderr[-3000:]
    work = answered(course_dir)
    # Moodle's "Download all submissions": one folder per student, <Full name>_<participant id>_assignsubmission_file_/
    archive = course_dir / "downloaded" / "lesson00" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "Lessons-lesson00-submissions.zip", "w") as zf:
        for student, (name, _) in CLASS.items():
            folder = f"{name}_{student}_assignsubmission_file_"
            zf.writestr(f"{folder}/{LESSON}", work if student != "101" else work)
    # the times: Moodle's grading worksheet as downloaded (Identifier, Last modified (submission), ...)
    rows = ["Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,Last modified (submission),Last modified (grade),Feedback comments"]
    rows += [f'Participant {s},{n},{s}@school.example,Submitted for grading,,8.00,Yes,"{t}",-,' for s, (n, t) in CLASS.items()]
    (course_dir / "downloaded" / "lesson00" / "times.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    collect = nbgrader(course_dir, "zip_collect", "lesson00")
    assert collect.returncode == 0, collect.stderr[-3000:]
    # one student graded by nbgrader's own command (its late-submission plugin), the others by `make grade`
    own = nbgrader(course_dir, "autograde", "lesson00", "--student", "104")
    assert own.returncode == 0, own.stderr[-3000:]
    own_penalty = gradebook_penalties(course_dir)["104"]
    report = autograde(course_dir, "lesson00", log=lambda *_: None)
    return {"dir": course_dir, "base": base, "report": report, "collect": collect.stderr, "own_penalty": own_penalty}


def gradebook_penalties(course_dir: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return {s.student.id: round(float(s.late_submission_penalty or 0), 4) for s in gb.assignment_submissions("lesson00")}


def test_moodle_downloads_are_filed_by_participant_with_their_london_times_in_utc(moodle_class):
    course_dir = moodle_class["dir"]
    for student in CLASS:
        assert (course_dir / "submitted" / student / "lesson00" / LESSON).is_file()
    assert not (course_dir / "submitted" / "tmp").exists() and len(list((course_dir / "submitted").iterdir())) == len(CLASS)
    # 4:59 PM in London in June (BST) is 15:59 UTC
    assert (course_dir / "submitted" / "101" / "lesson00" / "timestamp.txt").read_text().startswith("2027-06-04 15:59:00")
    assert (course_dir / "submitted" / "104" / "lesson00" / "timestamp.txt").read_text().startswith("2027-06-07 08:00:00")


def test_due_dates_are_stored_in_utc_and_shown_in_the_schools_zone(moodle_class):
    from nbgrader.api import Gradebook

    course_dir = moodle_class["dir"]
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        assert gb.find_assignment("lesson00").duedate == dt.datetime(2027, 6, 4, 16, 0)
    heading = nbformat.read(course_dir / "release" / "lesson00" / LESSON, as_version=4).cells[0].source
    assert "Due: 4 June 2027, 17:00 (Europe/London, BST)." in heading
    assert "loses 10% of the points for each day or part of a day after the due date, at most 30%" in heading
    config = (course_dir / "nbgrader_config.py").read_text()
    assert "c.NbGraderAPI.timezone = 'Europe/London'" in config and "c.Exchange.root = " in config
    assert (course_dir / "exchange").is_dir()


def test_penalties_as_configured(moodle_class):
    # 8 points available (2 + 2 code, 4 written): 10% a day is 0.8 points; 3 days is 30%, the cap: 2.4
    assert gradebook_penalties(moodle_class["dir"]) == {"101": 0.0, "102": 0.0, "103": 0.8, "104": 2.4, "105": 0.0}
    assert moodle_class["own_penalty"] == 2.4, "nbgrader's own autograde applies the course's plugin"


def test_the_extension_is_in_the_gradebook(moodle_class):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{moodle_class['dir'] / 'gradebook.db'}") as gb:
        assert gb.find_submission("lesson00", "105").extension == dt.timedelta(days=2)
        assert gb.find_submission("lesson00", "103").extension is None


def test_a_changed_due_date_recomputes_the_penalties(moodle_class):
    course_dir, base = moodle_class["dir"], moodle_class["base"]
    try:
        # two days later: 103 is on time, 104 is one day late (Monday 9:00 against Sunday 17:00), 105's extension runs to Tuesday
        make_course(base, "moodle", due="2027-06-06T17:00:00")
        lines = {line.student: line for line in apply_penalties(course_dir, "lesson00", log=lambda *_: None)}
        assert gradebook_penalties(course_dir) == {"101": 0.0, "102": 0.0, "103": 0.0, "104": 0.8, "105": 0.0}
        assert "1 day" in lines["104"].late and "on time" in lines["103"].late
        assert "extension 2 d" in lines["105"].late
        # a hand-given grade does not change a percentage of the available points, and the score keeps it
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
            grade = gb.find_grade("written_0_7", LESSON[:-6], "lesson00", "104")
            grade.manual_score = 4
            gb.db.commit()
        assert apply_penalties(course_dir, "lesson00", log=lambda *_: None)[3].penalty == 0.8
    finally:
        make_course(base, "moodle")
        apply_penalties(course_dir, "lesson00", log=lambda *_: None)
    assert gradebook_penalties(course_dir)["104"] == 2.4


def test_the_make_late_command_reports_each_student(moodle_class):
    run = subprocess.run([sys.executable, "-m", "teach", "late", "lesson00", "--course-dir", str(moodle_class["dir"])],
                         capture_output=True, text=True, env=nbgrader_env(), timeout=300)
    assert run.returncode == 0, run.stderr
    assert "5 submission(s) of lesson00; 2 with a late penalty." in run.stdout
    assert re.search(r"103 .*1 day.*-0\.8 points", run.stdout)


def test_canvas_downloads_and_a_times_file_written_by_hand(tmp_path):
    course_dir = make_course(tmp_path, "canvas")
    assert nbgrader(course_dir, "generate_assignment", "lesson00").returncode == 0
    work = answered(course_dir)
    archive = course_dir / "downloaded" / "lesson00" / "archive"
    archive.mkdir(parents=True)
    # Canvas: <sortable name>[_late]_<user id>_<attachment id>_<file>; a resubmitted file gets "-1"
    with zipfile.ZipFile(archive / "submissions.zip", "w") as zf:
        zf.writestr("earlyann_2001_90001_00_start_here.ipynb", work)
        zf.writestr("latecat_late_2003_90003_00_start_here-1.ipynb", work)
        zf.writestr("nobodyknows_late_2004_90004_00_start_here.ipynb", work)
    (course_dir / "downloaded" / "lesson00" / "times.csv").write_text(
        "student_id,submitted\n2001,2027-06-04 16:30\n2003,2027-06-05 18:00\n", encoding="utf-8")
    run = nbgrader(course_dir, "zip_collect", "lesson00")
    assert run.returncode == 0, run.stderr[-3000:]
    for student in ("2001", "2003", "2004"):
        assert (course_dir / "submitted" / student / "lesson00" / LESSON).is_file(), run.stderr[-2000:]
    assert (course_dir / "submitted" / "2003" / "lesson00" / "timestamp.txt").read_text().startswith("2027-06-05 17:00:00")
    assert not (course_dir / "submitted" / "2004" / "lesson00" / "timestamp.txt").exists()
    assert "2004: the platform marks this submission late but gives no time" in run.stderr


@pytest.mark.parametrize("name, expected", [
    ("Ann Early_101_assignsubmission_file_/00_start_here.ipynb", ("101", "00_start_here.ipynb")),
    ("Ann Early_101_assignsubmission_file_00_start_here.ipynb", ("101", "00_start_here.ipynb")),
    ("Participant_4242_assignsubmission_file_/00_start_here.ipynb", ("4242", "00_start_here.ipynb")),
])
def test_moodle_file_names(name, expected):
    found = re.match(PLATFORM_REGEXPS["moodle"], name)
    assert found and (found["student_id"], found["file_id"]) == expected


@pytest.mark.parametrize("name, expected", [
    ("smithalice_2345_67890_01_honeymoon.ipynb", ("2345", "01_honeymoon.ipynb", None)),
    ("smithalice_late_2345_67890_01_honeymoon.ipynb", ("2345", "01_honeymoon.ipynb", "_late")),
    ("obrienjo_12_3_lesson_2027_01.ipynb", ("12", "lesson_2027_01.ipynb", None)),
])
def test_canvas_file_names(name, expected):
    found = re.match(PLATFORM_REGEXPS["canvas"], name)
    assert found and (found["student_id"], found["file_id"], found["late"]) == expected


def test_times_are_read_in_the_schools_zone(tmp_path):
    import zoneinfo

    london = zoneinfo.ZoneInfo("Europe/London")
    assert parse_time("2027-01-05 17:40", london) == dt.datetime(2027, 1, 5, 17, 40)
    assert parse_time("2027-07-05 17:40", london) == dt.datetime(2027, 7, 5, 16, 40)
    assert parse_time("2027-07-05T17:40:00+02:00", london) == dt.datetime(2027, 7, 5, 15, 40)
    assert parse_time("Friday, 4 June 2027, 5:10 PM", london) == dt.datetime(2027, 6, 4, 16, 10)
    assert parse_time("-", london) is None
    bad = tmp_path / "times.csv"
    bad.write_text("who,when\nx,y\n")
    with pytest.raises(ValueError, match="student_id,submitted"):
        read_times(bad, london)


@pytest.mark.parametrize("seconds, days", [(0, 0), (15 * 60, 0), (15 * 60 + 1, 1), (86400, 1), (86401, 2), (3 * 86400 - 1, 3)])
def test_days_late(seconds, days):
    assert days_late(seconds, grace_minutes=15) == days


def test_penalty_in_points_and_percent_with_a_cap():
    points = LatePolicy(grace_minutes=0, per_day=1.5, unit="points", cap=4)
    assert penalty(points, 3600, max_score=10, score=9) == 1.5
    assert penalty(points, 5 * 86400, max_score=10, score=9) == 4
    assert penalty(points, 5 * 86400, max_score=10, score=2) == 2, "never more than the student scored"
    percent = LatePolicy(per_day=20, unit="percent")
    assert penalty(percent, 2 * 86400, max_score=15, score=15) == 6
    assert penalty(LatePolicy(), 9 * 86400, 10, 10) == 0, "the default policy takes nothing"
    assert describe(LatePolicy()) == "Late work loses no points."
    assert describe(points) == ("Work handed in late loses 1.5 points for each day or part of a day after the due date, "
                                "at most 4 points.")


BASE = """\
[course]
id = "c1"
{head}
[[assignment]]
name = "lesson00"
lesson = "00_start_here"
due = 2027-02-05T17:00:00
[assignment.points]
"0.3" = 2
{tail}"""


@pytest.mark.parametrize("head, tail, message", [
    ('timezone = "Europe/Londres"', "", r"line 3: timezone must be an IANA time zone name"),
    ("", "[late]\nper_day = -1\n", r"line 11: per_day must be a number of 0 or more"),
    ("", "[late]\nper_day = 10\nunit = \"marks\"\n", r"line 12: unit must be \"percent\""),
    ("", "[late]\nper_day = 120\n", r"line 11: a percentage is at most 100"),
    ("", "[[extension]]\nstudent = \"alice\"\nassignment = \"lesson09\"\ndays = 1\n", r"line 12: extension for alice: no assignment 'lesson09'"),
    ("", "[[extension]]\nstudent = \"alice\"\nassignment = \"lesson00\"\n", r"line 10: extension for alice on lesson00: give exactly one of days, hours or until"),
    ("", "[[extension]]\nstudent = \"alice\"\nassignment = \"lesson00\"\nuntil = 2027-02-01T17:00:00\n", r"line 13: the extension for alice on lesson00 ends before the due date"),
    ("", "[collect]\nplatform = \"blackboard\"\n", r"line 11: platform must be one of moodle, canvas"),
    ("", "[collect]\nnamed_regexp = '(?P<student_id>\\w+)_.*'\n", r"line 11: named_regexp needs the groups"),
])
def test_course_file_mistakes_are_named_with_their_line(tmp_path, head, tail, message):
    path = tmp_path / "course.toml"
    path.write_text(BASE.format(head=head, tail=tail), encoding="utf-8")
    with pytest.raises(CourseFileError, match=message):
        load_course(path)


def test_a_good_course_file_with_every_late_table(tmp_path):
    path = tmp_path / "course.toml"
    path.write_text(BASE.format(head='timezone = "America/New_York"', tail=(
        "[late]\ngrace_minutes = 5\nper_day = 1\nunit = \"points\"\n\n"
        "[[extension]]\nstudent = \"a.b@school\"\nassignment = \"lesson00\"\nuntil = 2027-02-06T09:00:00\n\n"
        "[collect]\nnamed_regexp = '(?P<student_id>\\w+)-(?P<file_id>.*)'\n")), encoding="utf-8")
    course = load_course(path)
    assert course.late == LatePolicy(5, 1, "points", None)
    assert course.extension("a.b@school", "lesson00") == dt.timedelta(hours=16)
    assert course.due_utc(course.assignments[0]) == dt.datetime(2027, 2, 5, 22, 0)
    assert course.due_text(course.assignments[0]) == "5 February 2027, 17:00 (America/New_York, EST)"
    assert course.collect.named_regexp.startswith("(?P<student_id>")
    json.dumps(course.late.__dict__)
