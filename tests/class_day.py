"""A teacher's day with one assignment, step by step, with the real commands: shared by tests/test_teachers_day.py
(a class of five, checked in Chromium) and bench/teachers_day.py (a simulated class of 30, timed).

The steps are the functions the ``make`` targets call (``make release``, ``make course``, ``make nbgrader
ARGS="generate_assignment ..."``, ``make collect``, ``make grade``, ``make late``, ``make report``, ``make export``),
in a temporary folder, on lesson 5 (05_polemic_to_border_war): it is one of the quickest lessons to run (bench/
editions.txt) and it has a self-checked exercise with a registered alternative answer, 5.4, the days from
Khrushchev's removal (the plenum of 14 October 1964) to China's first nuclear test (16 October 1964): 2, or 0 for a
student who dates the removal by its announcement on 16 October (the New York Times report, ``nyt1964_khrushchev``).

The graded exercises: 5.2 (code, 1 point: a line number of the Open Letter), 5.4 (code, 2 points) and 5.9 (written,
4 points, graded by hand). The assignment is due on Friday 4 June 2027 at 17:00 in London (16:00 UTC), with 15
minutes' grace and 10% of the 7 points a day or part of a day late, at most 30%. The submissions come as Moodle's
"Download all submissions" zip (a folder ``<Full name>_<participant id>_assignsubmission_file_/`` per student) and
its grading worksheet (the submission times).

The points a student should get are computed here from the teacher edition and the data (not from the bank or the
grader): 5.2's value is the solution line of the teacher edition, 5.4's the days between the two events of
data/events.csv, and the late penalty is counted by hand from the times.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from course_kit import nbgrader, new_course

ROOT = Path(__file__).resolve().parent.parent
LESSON = "05_polemic_to_border_war"
NOTEBOOK = f"{LESSON}.ipynb"
ASSIGNMENT = "lesson05"
POINTS = {"5.2": 1, "5.4": 2, "5.9": 4}
CODE = ("5.2", "5.4")
MAX_POINTS = sum(POINTS.values())
COURSE = f"""\
[course]
id = "a-teachers-day"
timezone = "Europe/London"
timeout = 60
lessons = ["{LESSON}"]

[late]
grace_minutes = 15
per_day = 10
unit = "percent"
cap = 30

[collect]
platform = "moodle"

[[assignment]]
name = "{ASSIGNMENT}"
lesson = "{LESSON}"
due = 2027-06-04T17:00:00
[assignment.points]
"5.2" = {{ code = 1 }}
"5.4" = 2
"5.9" = 4
"""
#: the due date in UTC (British Summer Time is UTC+1), the grace and the policy as COURSE states them
DUE_UTC = dt.datetime(2027, 6, 4, 16, 0)
GRACE = dt.timedelta(minutes=15)
PER_DAY, CAP = 0.10, 0.30


def _solution(qid: str) -> int:
    """The value of an exercise's solution line in the teacher edition (``answer_5_2 = 8``)."""
    nb = nbformat.read(ROOT / "notebooks" / NOTEBOOK, as_version=4)
    name = "answer_" + qid.replace(".", "_")
    for cell in nb.cells:
        found = re.search(rf"^{name} = (-?\d+)$", cell.source, re.M)
        if found and "BEGIN SOLUTION" in cell.source:
            return int(found.group(1))
    raise LookupError(f"no solution line for {qid} in {NOTEBOOK}")


def _event_day(event_id: str) -> dt.date:
    with open(ROOT / "data" / "events.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["event_id"] == event_id:
                return dt.date.fromisoformat(row["date"])
    raise LookupError(event_id)


TEST_DAY = _event_day("china_first_nuclear_test_1964")
#: the right answers, from the teacher edition (5.2) and from the two events' dates (5.4)
RIGHT = {"5.2": _solution("5.2"), "5.4": (TEST_DAY - _event_day("khrushchev_ousted_1964")).days}
#: 5.4 counted from the announcement of the removal, 16 October 1964 (the events row's description; the NYT report)
ALTERNATIVE = (TEST_DAY - dt.date(1964, 10, 16)).days
WRONG = {"5.2": [7, 9, 5], "5.4": [3, 1, 30]}

WRITTEN = (
    "I agree only in part. The Proposal and the Open Letter of 1963 left the two parties nothing to say that the other could accept, but "
    "the clashes of 1969 on the Ussuri came from a border both claimed, and after them Moscow and Beijing had to "
    "talk about troops, not doctrine. Zhou and Kosygin met at Beijing airport in September 1969, and China then "
    "looked to Washington: Nixon came to China in February 1972."
)
SHORT = "The split was about ideas, and then there was fighting on the border in 1969, so China turned to America."

#: short sentences a simulated student's paragraph is made of (each under the report's 12-word run)
SENTENCES = (
    "The Proposal and the Open Letter blamed each other's leaders.",
    "Neither party could take back what it had printed in 1963.",
    "The border on the Ussuri had long been disputed.",
    "In March 1969 soldiers fought on Zhenbao island.",
    "Both sides then moved troops to the border.",
    "Zhou Enlai and Kosygin met at Beijing airport in September 1969.",
    "Mao needed a counterweight to the Soviet Union.",
    "Washington wanted to talk to Beijing as well.",
    "Nixon visited China in February 1972.",
    "The Shanghai communique opposed any power seeking hegemony in Asia.",
    "I think soldiers mattered more than words.",
    "Ideology started the split, but fear made it dangerous.",
    "Words alone did not cause the war scare.",
    "Security and territory turned a quarrel into a confrontation.",
    "Moscow saw the opening to America as a threat.",
    "The polemic left no room for compromise.",
)


@dataclass
class Student:
    """One student of the class as the platform knows them, and what they handed in."""

    participant: str  # Moodle's participant id: nbgrader's student id
    name: str  # the full name Moodle puts in the download's folder name
    submitted: dt.datetime  # London time, as Moodle's worksheet shows it
    answers: dict[str, int | None] = field(default_factory=dict)  # code exercise -> value (None: left as it was)
    written: str = ""
    mark: float = 0.0  # what the teacher gives the written answer by hand (formgrader)
    empty: bool = False  # handed in a file of 0 bytes

    def code_points(self) -> float:
        return float(sum(POINTS[q] for q in CODE if self.answers.get(q) == RIGHT[q]))

    def late_penalty(self) -> float:
        """By hand: 10% of the 7 available points for each day or part of a day after the due date and the grace."""
        utc = self.submitted - dt.timedelta(hours=1)  # June in London: British Summer Time
        late = utc - DUE_UTC
        if late <= GRACE:
            return 0.0
        days = math.ceil((late - GRACE) / dt.timedelta(days=1))
        return round(min(PER_DAY * days, CAP) * MAX_POINTS, 4)

    def points(self) -> float | None:
        """The grade the school's system should get: None for work that could not be graded."""
        if self.empty:
            return None
        return round(max(0.0, self.code_points() + self.mark - self.late_penalty()), 4)


def small_class() -> list[Student]:
    """Five students: honest, partly wrong, one following the announcement's date, one a day late, one empty."""
    friday = dt.datetime(2027, 6, 4)
    return [
        Student("101", "Ann Honest", friday.replace(hour=16, minute=30), dict(RIGHT), WRITTEN, 4),
        Student("102", "Ben Partly", friday.replace(hour=16, minute=50), {"5.2": RIGHT["5.2"], "5.4": 3}, SHORT, 2),
        Student("103", "Cat Tanner", friday.replace(hour=17, minute=10), {"5.2": 7, "5.4": ALTERNATIVE}, " ".join(SENTENCES[1:4]), 3),
        Student("104", "Dan Late", dt.datetime(2027, 6, 5, 12, 0), dict(RIGHT), WRITTEN, 4),
        Student("105", "Eve Empty", friday.replace(hour=15, minute=0), empty=True),
    ]


def simulated_class(n: int = 30, seed: int = 1964) -> list[Student]:
    """``n`` students with a seeded ability: right, wrong and alternative answers, answers left out, some late, one empty."""
    rng = random.Random(seed)
    first = "Ada Boris Chen Dara Emil Fang Galina Hao Ivan Jing Kira Lei Maxim Nadia Oleg Ping Raisa Song Timur Wei".split()
    out = []
    for i in range(n):
        ability = rng.random()
        answers: dict[str, int | None] = {}
        for qid in CODE:
            roll = rng.random()
            if roll < 0.3 + 0.6 * ability:
                answers[qid] = RIGHT[qid]
            elif roll < 0.9:
                answers[qid] = ALTERNATIVE if qid == "5.4" and rng.random() < 0.5 else rng.choice(WRONG[qid])
            else:
                answers[qid] = None
        hours = rng.choice([-30, -5, -1, -0.1, 0.1, 0.2]) if i % 7 else rng.choice([2, 20, 50])
        when = dt.datetime(2027, 6, 4, 17, 0) + dt.timedelta(hours=hours)
        chosen = rng.sample(SENTENCES, 2 + round(2 * ability))
        written = " ".join(chosen)
        mark = float(min(4, len(chosen) - 1 + rng.randint(0, 1)))  # the longer paragraphs use more of the rubric
        out.append(Student(f"{201 + i}", f"{first[i % len(first)]} Student{i + 1:02d}", when, answers, written, mark,
                           empty=(i == n - 1)))
    return out


# --------------------------------------------------------------------------- the steps


def release_copy(base: Path, log=lambda *_: None) -> Path:
    """``make release``: the class copy from course.toml (written into ``base`` first)."""
    from teach.course.config import load_course
    from teach.course.release import release

    (base / "course.toml").write_text(COURSE, encoding="utf-8")
    release(base / "class-copy", load_course(base / "course.toml"), log=log)
    return base / "class-copy"


def build(base: Path, log=lambda *_: None) -> Path:
    """``make course`` then ``make nbgrader ARGS="generate_assignment lesson05"``: the course folder and its release."""
    return new_course(base, COURSE, generate=ASSIGNMENT, log=log)


def handed_in(released: nbformat.NotebookNode, student: Student) -> bytes:
    """The released notebook as ``student`` saves it: answer cells filled, the written answer typed in."""
    if student.empty:
        return b""
    nb = nbformat.from_dict(json.loads(nbformat.writes(released)))
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        for qid in CODE:
            if gid.startswith(f"answer_{qid.replace('.', '_')}_") and student.answers.get(qid) is not None:
                cell.source = f"answer_{qid.replace('.', '_')} = {student.answers[qid]!r}"
        if gid == "written_5_9" and student.written:
            cell.source = student.written
    return nbformat.writes(nb).encode("utf-8")


def moodle_download(course_dir: Path, students: list[Student]) -> Path:
    """Moodle's zip of every submission in downloaded/<assignment>/archive/, and its grading worksheet (times.csv)."""
    released = nbformat.read(course_dir / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    folder = course_dir / "downloaded" / ASSIGNMENT
    (folder / "archive").mkdir(parents=True, exist_ok=True)
    archive = folder / "archive" / f"History-{ASSIGNMENT}-submissions.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for s in students:
            zf.writestr(f"{s.name}_{s.participant}_assignsubmission_file_/{NOTEBOOK}", handed_in(released, s))
    rows = ["Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,Last modified (submission),"
            "Last modified (grade),Feedback comments"]
    for s in students:
        when = f"{s.submitted:%A}, {s.submitted.day} {s.submitted:%B %Y}, {s.submitted:%I:%M %p}".replace(", 0", ", ")
        rows.append(f'Participant {s.participant},{s.name},{s.participant}@school.example,Submitted for grading,,'
                    f'{MAX_POINTS}.00,Yes,"{when}",-,')
    (folder / "times.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return archive


def collect(course_dir: Path) -> str:
    """``make collect ASSIGNMENT=lesson05``: nbgrader's zip_collect with the course's Moodle collector."""
    return nbgrader(course_dir, "zip_collect", ASSIGNMENT, check=True).stderr


def grade(course_dir: Path, log=lambda *_: None):
    """``make grade ASSIGNMENT=lesson05``: every submission run in its sandbox, the answers judged outside it."""
    from teach.course.grading import autograde

    return autograde(course_dir, ASSIGNMENT, log=log)


def grade_by_hand(course_dir: Path, students: list[Student]) -> None:
    """What the teacher does in formgrader: a score for each written answer, in nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for s in students:
            if s.empty:
                continue
            grade = gb.find_grade("written_5_9", LESSON, ASSIGNMENT, s.participant)
            grade.manual_score = s.mark
            gb.db.commit()


def late(course_dir: Path, log=lambda *_: None):
    """``make late ASSIGNMENT=lesson05``: the penalties again, now that the written answers have their points."""
    from teach.course.late import apply_penalties

    return apply_penalties(course_dir, ASSIGNMENT, log=log)


def report(course_dir: Path, log=lambda *_: None) -> Path:
    """``make report ASSIGNMENT=lesson05``: the class report (the shipped answer bank names the alternatives)."""
    from teach.course.report import write_report

    return write_report(course_dir, ASSIGNMENT, log=log)


def roster(course_dir: Path, students: list[Student]) -> Path:
    """The class roster the teacher keeps (course/roster.csv): Moodle usernames and Canvas user ids."""
    lines = ["student_id,name,email,lms_id,sis_id"]
    lines += [f"{s.participant},{s.name},{s.participant}@school.example,{9000 + int(s.participant)},S{s.participant}" for s in students]
    path = course_dir / "roster.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def export(course_dir: Path, lms: str, log=lambda *_: None) -> Path:
    """``make export LMS=canvas`` (or moodle) with course/roster.csv."""
    from teach.course.export import export as write

    return write(course_dir, lms, force=True, log=log)
