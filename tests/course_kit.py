"""What the grading tests share: a course folder built from a ``course.toml`` text, and this project's nbgrader run in it.

The same steps as ``make course`` and ``make nbgrader ARGS=...``, called the way the Makefile calls them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def nbgrader(course_dir: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """``make nbgrader ARGS=...``: this project's nbgrader, run in the course folder; ``check`` raises on a failure."""
    from teach.course.grading import nbgrader_env

    run = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course_dir, env=nbgrader_env(),
                         capture_output=True, text=True, timeout=600)
    if check and run.returncode:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed: {run.stderr[-3000:]}")
    return run


def new_course(base: Path, course_file: str, *, generate: str | None = None, log=lambda *_: None) -> Path:
    """``make course`` from ``course_file`` (written to ``base/course.toml``) into ``base/course``; with ``generate``,
    also ``nbgrader generate_assignment`` for that assignment. Returns the course folder."""
    from teach.course.build import build_course
    from teach.course.config import load_course

    (base / "course.toml").write_text(course_file, encoding="utf-8")
    course_dir = build_course(load_course(base / "course.toml"), base / "course", log=log)
    if generate:
        nbgrader(course_dir, "generate_assignment", generate, check=True)
    return course_dir
