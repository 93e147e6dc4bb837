"""Benchmark (not a test): a teacher's day for a simulated class, each step timed, with the real commands.

The steps of tests/test_teachers_day.py (tests/class_day.py), for a seeded class of N (default 30) on lesson 5
(5.2, 5.4 and the written 5.9): ``make release``, ``make course`` with ``generate_assignment``, a Moodle download
filed by ``make collect``, ``make grade`` (each submission in its sandbox, one per core), the written answers graded
in the gradebook as formgrader does and ``make late``, ``make report``, ``make export`` for Canvas and Moodle. It
prints a table of the steps with their wall time, then the report's figures (share with full marks per exercise,
the sources followed, the late work, the work not graded). The report is then opened in Chromium from file:// (not
timed) and its screenshot saved as tests/screenshots/teachers-day-30.png (skipped without Chromium).

Usage: ``python bench/teachers_day.py [--students 30] [--keep DIR] [--json FILE]``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
import class_day as day  # noqa: E402

from teach.course.grading import nbgrader_env  # noqa: E402

SHOT = ROOT / "tests" / "screenshots" / "teachers-day-30.png"


def screenshot(index: Path, path: Path) -> str:
    """Open the report from file:// in Chromium with the network refused, save a screenshot of the whole page."""
    from lab_harness import browser_missing, offline_page

    if why := browser_missing():
        return f"no screenshot: {why}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with offline_page() as (page, outside):
        page.goto(index.as_uri(), wait_until="load")
        rows = page.locator("#grid tbody tr").count()
        page.screenshot(path=str(path), full_page=True)
    return f"screenshot {path.relative_to(ROOT)} ({rows} rows in the grid; {len(outside)} requests outside file://)"


def run(n: int, base: Path) -> dict:
    os.environ["PATH"] = nbgrader_env()["PATH"]
    students = day.simulated_class(n)
    graded = [s for s in students if not s.empty]
    steps: list[tuple[str, float, str]] = []

    def step(name: str, what: str, fn):
        start = time.perf_counter()
        result = fn()
        steps.append((name, time.perf_counter() - start, what))
        return result

    step("make release", "the class copy (lesson 5 only), one commit", lambda: day.release_copy(base))
    course_dir = step("make course", "course folder, gradebook, generate_assignment", lambda: day.build(base))
    step("make collect", f"Moodle zip of {n} submissions and its worksheet", lambda: (day.moodle_download(course_dir, students), day.collect(course_dir)))
    lines = step("make grade", f"{n} submissions, each in its sandbox, {os.cpu_count()} at a time", lambda: day.grade(course_dir))
    step("hand grading, make late", f"{len(graded)} written answers into the gradebook, penalties again",
         lambda: (day.grade_by_hand(course_dir, graded), day.late(course_dir)))
    printed: list[str] = []
    index = step("make report", "index.html, written-5.9.html, two CSV files", lambda: day.report(course_dir, log=printed.append))
    day.roster(course_dir, students)
    exports = step("make export", "Canvas and Moodle files from the roster",
                   lambda: {lms: day.export(course_dir, lms) for lms in ("canvas", "moodle")})
    not_graded = [line.student for line in lines if line.status == "NOT GRADED"]
    with open(exports["canvas"], encoding="utf-8", newline="") as handle:
        exported = {row[0]: row[5] for row in list(csv.reader(handle))[2:]}
    wrong = [s.participant for s in students if exported.get(s.name) != ("" if s.points() is None else f"{s.points():g}")]
    grade = next(s for name, s, _ in steps if name == "make grade")
    return {"students": n, "steps": steps, "per_submission": grade / max(1, n - len(not_graded)), "report_lines": printed,
            "index": index, "exports": {k: str(v) for k, v in exports.items()}, "not_graded": not_graded, "export_differs": wrong,
            "expected": {s.participant: s.points() for s in students}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--keep", help="work in this folder (kept) instead of a temporary one")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="teachers-day-") as tmp:
        base = Path(args.keep).resolve() if args.keep else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        result = run(args.students, base)
        total = time.perf_counter() - start
        shot = screenshot(result["index"], SHOT)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"A teacher's day, a simulated class of {args.students} on lesson 5 ({os.cpu_count()} cores, {platform.machine()}, "
          f"load average {load[0]:.1f} at the end)" if load else "")
    print(f"{'step':<26} {'seconds':>8}  what")
    for name, seconds, what in result["steps"]:
        print(f"{name:<26} {seconds:8.1f}  {what}")
    print(f"{'all steps':<26} {total:8.1f}  ({result['per_submission']:.1f} s of grading a submission)")
    print("\nWhat the report says:")
    for line in result["report_lines"][:-1]:
        print(line)
    differs = result["export_differs"]
    print(f"The Canvas export {'differs from' if differs else 'matches'} the points counted by hand "
          f"({', '.join(differs) if differs else 'every student; the work not graded without a grade'}).")
    print(shot)
    if args.json:
        Path(args.json).write_text(json.dumps({**result, "index": str(result["index"]), "total": total, "screenshot": shot}, indent=1), encoding="utf-8")
    return 1 if differs else 0


if __name__ == "__main__":
    sys.exit(main())
