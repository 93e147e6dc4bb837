"""Benchmark (not a test): autograding a class of N submissions of one lesson with nbgrader.

Builds a temporary nbgrader course from ``course.toml``'s first assignment, generates it, writes N
submissions (every graded answer filled with the teacher's solution, so every cell runs), and grades them
twice in one run: with ``make grade`` (``teach.course grade``: each submission run in its bubblewrap sandbox,
one per core, its answers judged outside) and with plain serial ``nbgrader autograde ASSIGNMENT`` over a copy
of the same course, configured with nbgrader's own ``Execute`` (no sandbox). For each it prints the wall time,
the time per submission, and the peak memory of the whole process tree (sampled every 0.1 s), then the ratio
of the two wall times. Goal: 30 submissions of lesson 01 in at most 60 s with the sandbox.

Usage: ``python bench/grading.py [--students 30] [--json FILE]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from teach.course.grading import nbgrader_env  # noqa: E402


def _tree_rss_mb(pid: int) -> float:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run ``command``; return (seconds, peak MB of its process tree)."""
    env = nbgrader_env()
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mb(proc.pid))
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    proc.wait()
    done.set()
    thread.join()
    return time.perf_counter() - start, peak


#: Appended to the copy's nbgrader_config.py: nbgrader's own autograding, as it ships (its Execute, no sandbox).
PLAIN_NBGRADER = """
from nbconvert.preprocessors import ClearMetadataPreprocessor as _Clear
from nbgrader.preprocessors import (AssignLatePenalties as _Late, CheckCellMetadata as _Check, Execute as _Execute,
                                    IgnorePattern as _Ignore, LimitOutput as _Limit, SaveAutoGrades as _Save)
c.Autograde.autograde_preprocessors = [_Execute, _Ignore, _Clear, _Limit, _Save, _Late, _Check]
c.Execute.timeout = 60
"""


def main(argv: list[str] | None = None) -> dict:
    import nbformat

    from teach.course.build import build_course
    from teach.course.config import load_course

    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    course = load_course(ROOT / "course.toml")
    course.assignments = course.assignments[:1]
    assignment = course.assignments[0]
    results: dict = {"assignment": assignment.name, "lesson": assignment.lesson, "students": args.students}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "course"
        build_course(course, base, log=lambda *_: None)
        env = nbgrader_env()
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment.name], cwd=base, env=env,
                       check=True, capture_output=True)
        name = assignment.path.name
        source = nbformat.read(base / "source" / assignment.name / name, as_version=4)
        release = nbformat.read(base / "release" / assignment.name / name, as_version=4)
        solutions = {
            c.metadata["nbgrader"]["grade_id"]: re.search(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", c.source, re.S).group(1)
            for c in source.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"
        }
        for cell in release.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in solutions:
                cell.source = solutions[gid]
        text = nbformat.writes(release)
        for number in range(args.students):
            folder = base / "submitted" / f"student{number:03d}" / assignment.name
            folder.mkdir(parents=True)
            (folder / name).write_text(text, encoding="utf-8")
            (folder / "timestamp.txt").write_text("2027-02-01 10:00:00.000000 UTC")
        plain = Path(tmp) / "plain"
        shutil.copytree(base, plain)
        with (plain / "nbgrader_config.py").open("a", encoding="utf-8") as config:
            config.write(PLAIN_NBGRADER)
        seconds, peak = timed([sys.executable, "-m", "teach.course", "grade", assignment.name, "--course-dir", str(base)], ROOT)
        results["make_grade"] = {"seconds": seconds, "per_submission": seconds / args.students, "peak_mb": peak}
        seconds, peak = timed([sys.executable, "-m", "nbgrader", "autograde", assignment.name, "--force"], plain)
        results["nbgrader_autograde"] = {"seconds": seconds, "per_submission": seconds / args.students, "peak_mb": peak}
    print(f"autograding {args.students} submissions of {assignment.name} ({assignment.lesson}), this machine ({os.cpu_count()} cores):")
    for key, label in (("make_grade", "make grade (sandboxed, parallel)"), ("nbgrader_autograde", "plain nbgrader autograde, serial")):
        r = results[key]
        print(f"  {label:<46} {r['seconds']:7.1f} s   {r['per_submission']:5.2f} s each   peak {r['peak_mb']:6.0f} MB")
    results["ratio"] = results["make_grade"]["seconds"] / results["nbgrader_autograde"]["seconds"]
    print(f"  ratio make grade / plain nbgrader: {results['ratio']:.2f} (goal for 30 submissions: make grade within 60 s)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
