"""One command line for the teachers' and maintainers' tools: ``python -m teach COMMAND [ARGS...]``.

Each command is the ``main`` of one module; ``python -m teach COMMAND --help`` shows its options.
"""

from __future__ import annotations

import importlib
import sys

#: command -> (module whose main() runs it, arguments put in front of the user's, what it does)
COMMANDS: dict[str, tuple[str, list[str], str]] = {
    "editions": ("teach.editions", [], "write the student editions from the teacher editions"),
    "execute": ("teach.execute", [], "re-run teacher notebooks from a fresh kernel and store their outputs"),
    "release": ("teach.course.__main__", ["release"], "write the class copy (a git repository) from course.toml"),
    "course": ("teach.course.__main__", ["build"], "write the nbgrader course folder from course.toml"),
    "grade": ("teach.course.__main__", ["grade"], "autograde an assignment's submissions"),
    "report": ("teach.course.report", [], "the class report of a graded assignment (offline HTML and CSV)"),
    "export": ("teach.course.export", [], "grades into the school's system: a CSV file for Canvas, Moodle or a spreadsheet"),
    "late": ("teach.course.__main__", ["late"], "compute an assignment's late penalties again from the gradebook"),
    "link": ("teach.course.__main__", ["link"], "print the class copy's nbgitpuller link"),
    "site": ("teach.site", [], "build the lessons' website (offline)"),
    "fonts": ("teach.fonts", [], "rebuild the bundled CJK font subset (needs fonts-noto-cjk and fonttools)"),
    "hub": ("teach.hub.cli", [], "the trial JupyterHub: setup, start, stop, remove-users"),
    "pins": ("teach.hub.pins", [], "write Binder's and conda's pins from constraints.txt"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = [f"  {name.ljust(width)}  {what}" for name, (_, _, what) in COMMANDS.items()]
    return "usage: python -m teach COMMAND [ARGS...]\n\ncommands:\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0 if argv else 2
    command, rest = argv[0], argv[1:]
    if command not in COMMANDS:
        print(f"error: no command {command!r}.\n{usage()}", file=sys.stderr)
        return 2
    module, prefix, _ = COMMANDS[command]
    return importlib.import_module(module).main(prefix + rest) or 0


if __name__ == "__main__":
    sys.exit(main())
