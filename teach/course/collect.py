"""Submissions downloaded from a learning platform, collected with ``nbgrader zip_collect`` (``make collect``).

The teacher downloads every submission of an assignment as one zip ("Download all submissions"), puts it in
``course/downloaded/<assignment>/archive/`` and runs ``make collect ASSIGNMENT=<assignment>``. nbgrader unpacks
it and hands each file to this module's :class:`Collector` (set in the course's ``nbgrader_config.py`` by
``make course``), which reads the student and the notebook from the file's **name** (and its folder's name),
never from the whole path: nbgrader's own collector matches its regular expression against the full path, so a
first try files submissions under ``submitted/<a temporary path>``.

The platforms' file names, as their source code writes them:

* **Moodle** (mod/assign/locallib.php, ``download_submissions``): one folder per student,
  ``<Full name>_<participant id>_assignsubmission_file_/<file>`` (the default since Moodle 3.1, "download
  submissions in folders"), or flat, ``<Full name>_<participant id>_assignsubmission_file_<file>``. The student id
  is the participant id, the number in the grading table's "Identifier" column ("Participant 1234567").
* **Canvas** (lib/content_zipper.rb, ``get_filename`` and ``add_upload_submission``):
  ``<sortable name, lower case, letters only>[_late]_<user id>_<attachment id>_<file>``, e.g.
  ``smithalice_late_2345_67890_01_honeymoon.ipynb``. The student id is the Canvas user id. A resubmitted file
  may carry a number (``01_honeymoon-1.ipynb``): it is filed under the assignment's notebook name.

Neither platform puts the submission time in the file names (Canvas only marks a late one ``_late``), so the
times come from a file beside the archive, ``course/downloaded/<assignment>/times.csv``, either Moodle's grading
worksheet as downloaded (its columns "Identifier" and "Last modified (submission)") or two columns written by
hand, ``student_id,submitted`` (``alice,2027-02-05 17:40``), all in the school's time zone (course.toml's
``timezone``). A platform whose file names do hold a time can give it with a ``(?P<timestamp>...)`` group of
``named_regexp``. nbgrader writes the time to ``submitted/<student>/<assignment>/timestamp.txt``, and the late
policy (teach/course/late.py) reads it from there.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import zoneinfo
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

#: the named-group regular expressions of the platforms' download file names (matched on the name, then on "folder/name")
PLATFORM_REGEXPS = {
    "moodle": r"^(?P<name>[^/_]*)_(?P<student_id>\d+)_assignsubmission_file_/?(?P<file_id>[^/]+)$",
    "canvas": r"^(?P<name>[^/]*?)(?P<late>_late)?_(?P<student_id>\d+)_(?P<attachment_id>\d+)_(?P<file_id>[^/]+)$",
}
TIMES_FILE = "times.csv"


def regexp_for(collect) -> str:
    """The named regexp for the course file's [collect] table ("" when it names neither platform nor regexp)."""
    if collect.named_regexp:
        return collect.named_regexp
    return PLATFORM_REGEXPS.get(collect.platform or "", "")


def parse_time(text: str, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """A submission time as written by a platform or a teacher, in ``zone`` unless it names its own: naive UTC.

    "2027-02-05 17:40", "2027-02-05T17:40:00+01:00", Moodle's "Friday, 5 February 2027, 5:40 PM".
    """
    import dateutil.parser

    text = (text or "").strip()
    if not text or text == "-":
        return None
    try:
        when = dateutil.parser.parse(text, dayfirst=not re.match(r"^\d{4}-", text))
    except (ValueError, OverflowError):
        raise ValueError(f"cannot read the time {text!r}: write it as 2027-02-05 17:40") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(dt.timezone.utc).replace(tzinfo=None)


def read_times(path: Path, zone: zoneinfo.ZoneInfo) -> dict[str, dt.datetime]:
    """Student id -> submission time (naive UTC) from a times file: Moodle's grading worksheet or student_id,submitted."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    times: dict[str, dt.datetime] = {}
    for number, row in enumerate(rows, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        if "Identifier" in row and "Last modified (submission)" in row:  # Moodle's grading worksheet
            student, when = re.sub(r"\D", "", row["Identifier"]), row["Last modified (submission)"]
        elif "student_id" in row and "submitted" in row:
            student, when = row["student_id"], row["submitted"]
        else:
            raise ValueError(f"{path}: the columns must be student_id,submitted (or Moodle's grading worksheet), not {', '.join(row)}")
        try:
            parsed = parse_time(when, zone)
        except ValueError as err:
            raise ValueError(f"{path}, line {number}: {err}") from None
        if student and parsed:
            times[student] = parsed
    return times


class Collector(FileNameCollectorPlugin):
    """nbgrader's file-name collector, matching on the file's name (then "folder/name"), with submission times."""

    timezone = Unicode("Europe/London", help="The school's time zone: times without a zone are read in it.").tag(config=True)

    _times: dict[str, dt.datetime] | None = None

    def _base(self) -> Path | None:
        """downloaded/<assignment>/ of the running zip_collect (None outside it)."""
        try:
            return Path(self.parent._format_collect_path(self.parent.archive_directory)).parent
        except Exception:  # noqa: BLE001 - used on its own (tests, a teacher trying a regexp)
            return None

    def times(self) -> dict[str, dt.datetime]:
        if self._times is None:
            base = self._base()
            path = base / TIMES_FILE if base else None
            self._times = read_times(path, zoneinfo.ZoneInfo(self.timezone)) if path and path.is_file() else {}
            if path and self._times:
                self.log.info("Submission times of %d students from %s", len(self._times), path)
        return self._times

    def _released(self) -> list[str]:
        try:
            from nbgrader.utils import find_all_notebooks

            app = self.parent
            return find_all_notebooks(app.coursedir.format_path(app.coursedir.release_directory, ".", app.coursedir.assignment_id))
        except Exception:  # noqa: BLE001 - used on its own
            return []

    def match(self, path: str) -> dict | None:
        """The named groups for the file at ``path``: its name is tried first, then "folder/name"."""
        if not self.named_regexp:
            self.log.error(
                "No file-name pattern for zip_collect: set [collect] platform = \"moodle\" or \"canvas\" (or named_regexp) "
                "in course.toml and run `make course`."
            )
            return None
        parts = Path(path).parts
        for candidate in (parts[-1], "/".join(parts[-2:])):
            found = re.match(self.named_regexp, candidate)
            if found:
                return found.groupdict()
        self.log.warning("Skipped %s: its name does not match %r", parts[-1], self.named_regexp)
        return None

    def collect(self, submitted_file: str) -> dict | None:
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            return None
        info = self.match(submitted_file)
        if not info:
            return None
        info = {k: v for k, v in info.items() if v is not None}
        released = self._released()
        if released and info["file_id"] not in released and len(released) == 1:
            self.log.warning("%s: filed as %s (the assignment's notebook)", info["file_id"], released[0])
            info["file_id"] = released[0]
        zone = zoneinfo.ZoneInfo(self.timezone)
        if info.get("timestamp"):
            info["timestamp"] = parse_time(info["timestamp"], zone)
        elif info["student_id"] in self.times():
            info["timestamp"] = self.times()[info["student_id"]]
        else:
            info.pop("timestamp", None)
            if info.get("late"):
                self.log.warning(
                    "%s: the platform marks this submission late but gives no time; add a line `%s,<time>` to %s to apply the late policy",
                    info["student_id"], info["student_id"], TIMES_FILE,
                )
        return info
