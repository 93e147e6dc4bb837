"""Teachers' commands: ``python -m teach.course release|build|link`` (``make release``, ``make course``, ``make link``)."""

from __future__ import annotations

import argparse
import sys

from teach.course.build import CourseBuildError, build_course
from teach.course.config import CourseFileError, load_course
from teach.course.release import ReleaseError, release
from teach.course.sandbox import SandboxError
from teach.editions import nbgitpuller_link


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teach.course", description="Build what a class receives and what a teacher grades.")
    sub = parser.add_subparsers(dest="command", required=True)
    rel = sub.add_parser("release", help="write the student-only class copy (a git repository) and commit it")
    rel.add_argument("--out", default="class-copy", help="the class copy's folder (default: class-copy)")
    rel.add_argument("--course", default="course.toml", help="the course file: its graded exercises carry no answers in the copy")
    rel.add_argument("--force", action="store_true", help="replace changes made by hand in the class copy (a backup is kept)")
    bld = sub.add_parser("build", help="write the nbgrader course folder from the course file and the teacher editions")
    bld.add_argument("--course", default="course.toml")
    bld.add_argument("--out", default="course", help="the nbgrader course folder (default: course)")
    bld.add_argument("--force", action="store_true", help="replace files edited since the last build (a .bak copy is kept)")
    grd = sub.add_parser("grade", help="autograde every submission of an assignment (nbgrader) and report one line per student")
    grd.add_argument("assignment")
    grd.add_argument("--course-dir", default="course")
    grd.add_argument("--force", action="store_true", help="grade again submissions already autograded (hand-given grades and comments are kept)")
    grd.add_argument("--student", action="append", help="grade only this student (repeat for several)")
    grd.add_argument("--jobs", type=int, default=None, help="submissions run at once (default: one per core)")
    grd.add_argument("--unsafe-no-sandbox", action="store_true",
                     help="where no sandbox can be had, run student code with your own rights (it could read answers or change grades)")
    lat = sub.add_parser("late", help="compute the late penalties of an assignment again (course.toml's [late], due dates, extensions)")
    lat.add_argument("assignment")
    lat.add_argument("--course-dir", default="course")
    lnk = sub.add_parser("link", help="print the nbgitpuller link to the class copy")
    lnk.add_argument("--hub", required=True, help="the JupyterHub's URL, e.g. https://hub.example.edu")
    lnk.add_argument("--repo", required=True, help="the class copy's repository URL (where you pushed class-copy/)")
    lnk.add_argument("--branch", default="main")
    lnk.add_argument("--path", default="notebooks/00_start_here.ipynb")
    args = parser.parse_args(argv)
    try:
        if args.command == "link":
            print(nbgitpuller_link(args.hub, args.repo, args.branch, args.path))
        elif args.command == "grade":
            from teach.course.grading import autograde

            autograde(args.course_dir, args.assignment, force=args.force, students=args.student, jobs=args.jobs, unsafe=args.unsafe_no_sandbox)
        elif args.command == "late":
            from teach.course.late import apply_penalties

            lines = apply_penalties(args.course_dir, args.assignment)
            late = sum(1 for line in lines if line.penalty)
            print(f"{len(lines)} submission(s) of {args.assignment}; {late} with a late penalty.")
        elif args.command == "release":
            course = load_course(args.course)
            commit = release(args.out, course, force=args.force)
            print(f"Class copy: {args.out} at commit {commit[:12]}. Push it to the class's own repository, e.g.\n"
                  f"  git -C {args.out} push https://github.com/ORG/CLASS-REPO main\n"
                  "then print the students' link with: make link HUB=https://hub.example.edu REPO=https://github.com/ORG/CLASS-REPO")
        else:
            build_course(load_course(args.course), args.out, force=args.force)
            print(f"nbgrader course folder: {args.out}. Next: make nbgrader ARGS=\"generate_assignment ASSIGNMENT\"")
    except (CourseFileError, ReleaseError, CourseBuildError, SandboxError, ValueError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
