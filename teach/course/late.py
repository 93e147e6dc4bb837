"""Late work: the course file's late policy, applied through nbgrader's late-submission plugin.

``course.toml`` holds the policy (``[late]``: grace minutes, a penalty per day in percent of the available
points or in points, a cap) and per-student extensions (``[[extension]]``); ``make course`` writes the policy
into the course's ``nbgrader_config.py`` as the settings of :class:`LatePenalty`, and enters the due dates (in
UTC, from the school's time zone) and the extensions in the gradebook, where nbgrader itself adds a student's
extension to the due date. nbgrader then calls :meth:`LatePenalty.late_submission_penalty` for each notebook it
autogrades, with the seconds the submission came after that student's due date:

* up to ``grace_minutes`` late: on time, no penalty;
* later: every day or part of a day after the due date costs ``per_day`` ("percent": of the notebook's
  available points; "points": points), at most ``cap``, and never more than the student scored.

nbgrader computes the penalty only when it autogrades, against the score at that moment, which leaves out the
answers graded by hand afterwards (an essay scores 0 then, so its penalty would be 0). :func:`apply_penalties`
(``make late ASSIGNMENT=...``, also run by ``make grade``) computes every submission's penalty again from the
gradebook as it is now: after hand grading, after a due date or an extension changed in ``course.toml``
(``make course`` first), or after the policy itself changed. No notebook is run again.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Dict, Enum, Float, Unicode

from teach.course.config import LatePolicy

DAY = 86400.0


def days_late(seconds_late: float, grace_minutes: float) -> int:
    """The days a submission counts as late: 0 within the grace, else every started day after the due date."""
    if seconds_late <= grace_minutes * 60:
        return 0
    return math.ceil(seconds_late / DAY)


def penalty(policy: LatePolicy, seconds_late: float, max_score: float, score: float) -> float:
    """The points a notebook loses under ``policy`` for ``seconds_late`` (never more than ``score``)."""
    days = days_late(seconds_late, policy.grace_minutes)
    if not days or not policy.active:
        return 0.0
    amount = days * policy.per_day
    if policy.cap is not None:
        amount = min(amount, policy.cap)
    if policy.unit == "percent":
        amount = max_score * amount / 100
    return round(max(0.0, min(amount, score)), 4)


def describe(policy: LatePolicy) -> str:
    """The policy in one sentence (for the class copy's README and the assignment's heading)."""
    if not policy.active:
        return "Late work loses no points."
    unit = "% of the points" if policy.unit == "percent" else f" point{'s' if policy.per_day != 1 else ''}"
    text = f"Work handed in late loses {policy.per_day:g}{unit} for each day or part of a day after the due date"
    if policy.cap is not None:
        text += f", at most {policy.cap:g}{'%' if policy.unit == 'percent' else ' points'}"
    if policy.grace_minutes:
        text += f"; up to {policy.grace_minutes:g} minutes late counts as on time"
    return text + "."


class LatePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin with the course file's policy (set in nbgrader_config.py by ``make course``)."""

    grace_minutes = Float(0, help="A submission up to this many minutes after the due date is on time.").tag(config=True)
    per_day = Float(0, help="The penalty for each day or part of a day after the due date (after the grace).").tag(config=True)
    unit = Enum(("percent", "points"), default_value="percent", help="per_day and cap: percent of the available points, or points.").tag(config=True)
    cap = Float(None, allow_none=True, help="The most a late submission loses (same unit); None: no cap.").tag(config=True)
    timezone = Unicode("Europe/London", help="The school's time zone, for the messages.").tag(config=True)
    extensions = Dict(
        help="Extensions in minutes by assignment and student, {'lesson01': {'alice': 2880.0}} (from course.toml)."
    ).tag(config=True)

    @property
    def policy(self) -> LatePolicy:
        return LatePolicy(self.grace_minutes, self.per_day, self.unit, self.cap)

    def extension(self, assignment: str, student: str) -> dt.timedelta | None:
        minutes = self.extensions.get(assignment, {}).get(student)
        return dt.timedelta(minutes=minutes) if minutes else None

    def sync_extension(self, submission) -> None:
        """Give the gradebook's ``submission`` the extension the course file gives (or none)."""
        submission.extension = self.extension(submission.assignment.name, submission.student.id)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float | None:
        max_score = score
        parent = self.parent
        try:  # inside nbgrader's AssignLatePenalties: its gradebook is open
            submission = parent.gradebook.find_submission(parent.assignment_id, student_id)
            self.sync_extension(submission)  # a submission is created by autograding: its extension comes now
            total_seconds_late = submission.total_seconds_late
            max_score = float(parent.gradebook.find_submission_notebook(parent.notebook_id, parent.assignment_id, student_id).max_score)
        except Exception:  # noqa: BLE001 - called outside AssignLatePenalties (a test, another tool): points only
            pass
        amount = penalty(self.policy, total_seconds_late, max_score, score)
        days = days_late(total_seconds_late, self.grace_minutes)
        self.log.info("%s: %s late, %s day(s) counted, penalty %g", student_id, _duration(total_seconds_late), days, amount)
        return amount


def _duration(seconds: float) -> str:
    minutes = int(round(seconds / 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return " ".join(p for p in (f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min") if p)


@dataclass
class Line:
    student: str
    submitted: str
    late: str
    penalty: float
    score: float
    max_score: float

    def __str__(self) -> str:
        taken = f"-{self.penalty:g} point{'s' if self.penalty != 1 else ''}" if self.penalty else "no penalty"
        return f"{self.student:<14} {self.submitted:<34} {self.late:<28} {taken}; {self.score:g} / {self.max_score:g}"


def course_plugin(course_dir: Path) -> LatePenalty:
    """The course's :class:`LatePenalty`, configured from its nbgrader_config.py (what nbgrader itself uses)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    return LatePenalty(config=config)


def apply_penalties(course_dir: str | Path, assignment: str, *, log=print) -> list[Line]:
    """Compute every submission's late penalty of ``assignment`` again from the gradebook as it is now.

    Uses each submission's recorded time (``timestamp.txt`` at collection), the assignment's due date and the
    student's extension as the gradebook holds them (``make course`` writes both from course.toml), and the
    policy in the course's nbgrader_config.py. Returns one line per submission.
    """
    from nbgrader.api import Gradebook, MissingEntry

    course_dir = Path(course_dir).resolve()
    plugin = course_plugin(course_dir)
    zone = zoneinfo.ZoneInfo(plugin.timezone)
    lines: list[Line] = []
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise FileNotFoundError(f"the gradebook has no assignment {assignment!r}: run `make course` first.") from None
        for submission in sorted(gradebook.assignment_submissions(assignment), key=lambda s: s.student.id):
            plugin.sync_extension(submission)
            seconds = submission.total_seconds_late
            days = days_late(seconds, plugin.grace_minutes)
            taken = 0.0
            for notebook in submission.notebooks:
                notebook.late_submission_penalty = None
                amount = penalty(plugin.policy, seconds, float(notebook.max_score), float(notebook.score))
                if amount:
                    notebook.late_submission_penalty = amount
                    taken += amount
            gradebook.db.commit()
            when = (
                submission.timestamp.replace(tzinfo=dt.timezone.utc).astimezone(zone).strftime("%d %b %Y %H:%M %Z")
                if submission.timestamp else "no submission time recorded"
            )
            if submission.timestamp is None:
                late = "(counted on time)"
            elif seconds <= 0:
                late = "on time"
            elif not days:
                late = f"{_duration(seconds)} late, within grace"
            else:
                late = f"{_duration(seconds)} late: {days} day{'s' if days != 1 else ''}"
            if submission.extension:
                late += f" (extension {_duration(submission.extension.total_seconds())})"
            lines.append(Line(submission.student.id, f"submitted {when}", late, taken, float(submission.score) - taken, float(submission.max_score)))
    for line in lines:
        log(str(line))
    return lines


def sync_gradebook(course, gradebook, log=print) -> None:
    """Enter the course file's due dates (in UTC) in ``gradebook``, and its extensions on the submissions there.

    Called by ``make course``. An extension for a student whose work is not in the gradebook yet is given when it is
    autograded (by :class:`LatePenalty`, which reads the extensions from nbgrader_config.py); an extension removed
    from the course file is removed from the gradebook too.
    """
    for assignment in course.assignments:
        gradebook.update_or_create_assignment(assignment.name, duedate=course.due_utc(assignment))
        log(f"gradebook  {assignment.name}" + (f", due {course.due_text(assignment)}" if assignment.due else ""))
        for submission in gradebook.assignment_submissions(assignment.name):
            before = submission.extension
            submission.extension = course.extension(submission.student.id, assignment.name)
            if submission.extension != before:
                log(f"extension  {submission.student.id} on {assignment.name}: "
                    + (f"{_duration(submission.extension.total_seconds())}" if submission.extension else "removed"))
    for ext in course.extensions:
        assignment = next(a for a in course.assignments if a.name == ext.assignment)
        log(f"extension  {ext.student} on {ext.assignment}: {_duration(ext.delta.total_seconds())}, due {_local(course, course.due_utc(assignment) + ext.delta)}")
    gradebook.db.commit()


def _local(course, utc: dt.datetime | None) -> str:
    if utc is None:
        return "no due date"
    local = utc.replace(tzinfo=dt.timezone.utc).astimezone(course.zone)
    return f"{local.day} {local:%B %Y, %H:%M %Z}"
