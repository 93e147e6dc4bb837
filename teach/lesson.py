"""The lesson model: one reader turns a teacher notebook into cells with roles; every renderer works from it.

A teacher edition (``notebooks/NN_name.ipynb``) is read once, strictly, into a :class:`Lesson`. Each cell gets
one **role**:

=============  ===========================================================================================
``prose``      markdown the student reads (a heading is prose with ``heading_level`` set)
``given``      code the student runs as it is (imports, figures, explorers, document cards)
``document``   given code that shows a document of the reader (``docs.card``/``docs.compare``)
``solution``   code with a ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region, or tagged ``solution``
``check``      the self-check under an exercise's answer: ``check("1.3", answer_1_3)``
``written``    a markdown cell tagged ``student-answer``, where the student writes
``model``      a cell tagged ``teacher-only``: model answer, rubric, teacher's notes
``key-terms``  a markdown cell tagged ``key-terms``: ``**Key terms:** revisionism, Cominform, ...``
=============  ===========================================================================================

and a **route**: ``core`` (what a class completes in one period) or ``extension`` (cells tagged
``extension``; the first cell of each run is a heading ending in "(extension)", so a student sees it).
Cells between an exercise's heading and the next heading belong to that exercise (``Cell.exercise``).

The reader is strict, because a renderer that misreads a role leaks a solution or drops a task: anything
that looks like a marker or a role but is not exactly one stops the build with the notebook, cell and line:
a marker after code on the same line, a marker in a markdown or raw cell (HTML comments included), a tag that
is not one of :data:`KNOWN_TAGS` (``teacher``, ``soln``, ``Teacher-Only``), role-like keys in cell or notebook
metadata (``{"solution": true}``, ``nbgrader``), an extension run without its visible heading, an exercise
numbered twice.

>>> import nbformat
>>> nb = nbformat.v4.new_notebook(cells=[
...     nbformat.v4.new_markdown_cell("### Exercise 1.1"),
...     nbformat.v4.new_code_cell("# BEGIN SOLUTION\\nanswer_1_1 = 1957\\n# END SOLUTION"),
...     nbformat.v4.new_code_cell('check("1.1", answer_1_1)'),
... ])
>>> lesson = read(nb, "01_demo.ipynb")
>>> [c.role for c in lesson.cells]
['prose', 'solution', 'check']
>>> lesson.exercises["1.1"].answers, lesson.exercises["1.1"].check
([1], 2)
"""

from __future__ import annotations

import ast
import difflib
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from teach.errors import ToolError

SOLUTION_TAG = "solution"
TEACHER_TAG = "teacher-only"
WRITTEN_TAG = "student-answer"
EXTENSION_TAG = "extension"
KEY_TERMS_TAG = "key-terms"
#: tags the lesson model acts on
ROLE_TAGS = (SOLUTION_TAG, TEACHER_TAG, WRITTEN_TAG, EXTENSION_TAG, KEY_TERMS_TAG)
#: tags other tools act on (myst-nb / Jupyter Book, nbval): allowed, passed through untouched
OTHER_TAGS = (
    "hide-input", "hide-output", "hide-cell", "remove-input", "remove-output", "remove-cell", "full-width",
    "raises-exception", "nbval-skip", "nbval-ignore-output", "nbval-raises-exception",
)
KNOWN_TAGS = ROLE_TAGS + OTHER_TAGS
#: cell metadata keys a teacher edition may carry (what JupyterLab writes); anything else is refused
CELL_METADATA = {"tags", "editable", "deletable", "collapsed", "scrolled", "jupyter", "execution", "slideshow", "trusted"}
#: words that make a metadata key or value look like a role the reader would not act on
ROLE_WORDS = re.compile(r"solution|teacher|answer|rubric|nbgrader|role|hidden|grade|soln|model", re.IGNORECASE)

BEGIN = re.compile(r"^\s*#+ ?BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*#+ ?END SOLUTION\s*$")
ANSWER_NAME = re.compile(r"^answer\w*$")
HEADING = re.compile(r"^\s*(#{1,6})\s+(.*)$")
EXERCISE = re.compile(r"^\s*#{2,6}\s*Exercise\s+(\d+\.\d+)\b", re.IGNORECASE | re.MULTILINE)
CHECK_CALL = re.compile(r"""^\s*check\(\s*["'](\d+\.\d+)["']""", re.MULTILINE)
DOCUMENT_CALL = re.compile(r"^\s*(?:docs|documents)\.(?:card|compare)\(", re.MULTILINE)
EXTENSION_LABEL = re.compile(r"\(extension\)\s*$", re.IGNORECASE)

ROLES = ("prose", "given", "document", "solution", "check", "written", "model", "key-terms")
ROUTES = ("core", "extension")


class LessonModelError(ToolError, ValueError):
    """A teacher notebook the lesson model cannot read safely (the message names the notebook, cell and line)."""


# --------------------------------------------------------------------------- the model


@dataclass
class Cell:
    index: int  # 0-based position in the teacher notebook
    node: nbformat.NotebookNode
    role: str
    route: str = "core"
    exercise: str | None = None
    heading_level: int | None = None

    @property
    def tags(self) -> list[str]:
        return list(self.node.get("metadata", {}).get("tags", []))

    @property
    def source(self) -> str:
        return self.node.source


@dataclass
class Exercise:
    id: str
    heading: int  # index of the heading cell in the notebook
    cells: list[int] = field(default_factory=list)  # every cell of the exercise, heading included
    answers: list[int] = field(default_factory=list)
    check: int | None = None
    written: list[int] = field(default_factory=list)
    rubric: list[int] = field(default_factory=list)
    route: str = "core"

    @property
    def has_code(self) -> bool:
        return self.check is not None

    @property
    def has_written(self) -> bool:
        return bool(self.written)


@dataclass
class Lesson:
    name: str  # the file name, e.g. 01_honeymoon.ipynb
    nb: nbformat.NotebookNode
    cells: list[Cell]
    exercises: dict[str, Exercise]

    def on_route(self, route: str = "full") -> list[Cell]:
        """The cells a class on ``route`` sees: ``full`` (every cell) or ``core`` (the extension left out)."""
        if route not in ("full", "core"):
            raise LessonModelError(f"a route is 'full' or 'core', not {route!r}.")
        return [c for c in self.cells if route == "full" or c.route == "core"]

    def key_terms(self) -> list[str]:
        """The terms the lesson's ``key-terms`` cell names, in order (read by :func:`helpers.glossary.key_terms`)."""
        from helpers.glossary import key_terms  # pandas and the data package: only when asked

        return key_terms(self.nb.cells)


def read_path(path: str | Path) -> Lesson:
    """Read the teacher notebook at ``path`` into a :class:`Lesson` (strictly; see the module docstring)."""
    path = Path(path)
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as err:  # a missing, truncated or non-JSON file
        raise LessonModelError(f"notebooks/{path.name} cannot be read as a notebook: {err}") from None
    return read(nb, path.name)


def read(nb: nbformat.NotebookNode, name: str) -> Lesson:
    """Read a teacher notebook (already loaded) into a :class:`Lesson`; ``name`` is used in messages."""
    _check_notebook_metadata(nb, name)
    cells: list[Cell] = []
    exercises: dict[str, Exercise] = {}
    current: Exercise | None = None
    extension_level: int | None = None  # the heading level of the extension section we are in, if any
    for index, node in enumerate(nb.cells):
        where = f"notebooks/{name}, cell {index + 1}"
        _check_cell_metadata(node, where)
        tags = _tags(node)
        if problem := _tag_problem(node):
            raise LessonModelError(f"{where}: {problem}")
        if node.cell_type != "code" and TEACHER_TAG not in tags and (line := _markers_outside_code(node)) is not None:
            raise LessonModelError(
                f"{where} is a {node.cell_type} cell, but line {line} is a solution marker (or reads like one): markers work only "
                f"in code cells, so nothing here would be removed. Put a model answer in a code cell between the markers, "
                f"or tag this cell '{TEACHER_TAG}'."
            )
        if node.cell_type == "code":
            strip_solutions(node.source, where)  # markers exact, opened and closed in order, or a clear error
        elif SOLUTION_TAG in tags:
            raise LessonModelError(f"{where}: only code cells can be tagged '{SOLUTION_TAG}'; tag a model answer '{TEACHER_TAG}'.")
        heading = _heading(node)
        # exercises: a heading opens (or closes) one
        if heading is not None:
            matches = EXERCISE.findall(node.source)
            current = None
            for qid in matches:
                if qid in exercises and exercises[qid].heading != index:
                    raise LessonModelError(
                        f"notebooks/{name}: Exercise {qid} has two headings (cells {exercises[qid].heading + 1} and {index + 1}): "
                        "number one of them anew."
                    )
            if matches:  # the last heading of the cell opens the exercise (prose may come before it)
                current = exercises.setdefault(matches[-1], Exercise(matches[-1], index))
        # routes: a tagged heading ending in "(extension)" opens an extension section; the key-terms cell (closing
        # matter, like the key points after it) ends one
        if KEY_TERMS_TAG in tags and EXTENSION_TAG not in tags:
            extension_level = None
        route = _route(node, tags, heading, extension_level, cells, where)
        if heading is not None:
            level = heading[0]
            if route == "extension" and (extension_level is None or level <= extension_level):
                extension_level = level
            elif extension_level is not None and level <= extension_level and route == "core":
                extension_level = None
        role = _role(node, tags)
        cell = Cell(index, node, role, route, current.id if current else None, heading[0] if heading else None)
        cells.append(cell)
        if current is not None:
            current.cells.append(index)
            if route == "extension" and index == current.heading:
                current.route = "extension"
            if role == "solution":
                current.answers.append(index)
            elif role == "check" and CHECK_CALL.search(node.source).group(1) == current.id:
                current.check = index
            elif role == "written":
                current.written.append(index)
            elif role == "model":
                current.rubric.append(index)
    return Lesson(name, nb, cells, exercises)


def _role(node, tags: list[str]) -> str:
    if TEACHER_TAG in tags:
        return "model"
    if node.cell_type == "code":
        if SOLUTION_TAG in tags or any(BEGIN.match(line) for line in node.source.splitlines()):
            return "solution"
        if CHECK_CALL.search(node.source):
            return "check"
        return "document" if DOCUMENT_CALL.search(node.source) else "given"
    if WRITTEN_TAG in tags:
        return "written"
    if KEY_TERMS_TAG in tags:
        return "key-terms"
    return "prose"


def _route(node, tags, heading, extension_level, cells, where) -> str:
    tagged = EXTENSION_TAG in tags
    labelled = heading is not None and bool(EXTENSION_LABEL.search(heading[1]))
    if labelled and not tagged:
        raise LessonModelError(f"{where}: its heading ends in '(extension)' but the cell is not tagged '{EXTENSION_TAG}'; tag it.")
    previous_extension = bool(cells) and cells[-1].route == "extension"
    if tagged and not previous_extension and not labelled:
        raise LessonModelError(
            f"{where}: it starts a run of '{EXTENSION_TAG}' cells, so it must be a heading ending in '(extension)' "
            "(a student must see where the core route leaves off)."
        )
    inside = extension_level is not None and (heading is None or heading[0] > extension_level)
    if inside and not tagged:
        raise LessonModelError(
            f"{where}: it sits inside an extension section (under a heading ending in '(extension)') but is not tagged "
            f"'{EXTENSION_TAG}'; tag it, or start a new section with a heading of the same level."
        )
    return "extension" if tagged else "core"


def _heading(node) -> tuple[int, str] | None:
    """(level, text) of the first heading line of a markdown cell, or None."""
    if node.cell_type != "markdown":
        return None
    for line in node.source.splitlines():
        if m := HEADING.match(line):
            return len(m.group(1)), m.group(2).strip()
    return None


# --------------------------------------------------------------------------- strictness


def _tags(cell) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [tags] if isinstance(tags, str) else list(tags)


def _tag_problem(cell) -> str | None:
    """Why a cell's tags would let a solution or a teacher's note through unnoticed, or None."""
    raw = cell.get("metadata", {}).get("tags", [])
    if not isinstance(raw, list) or not all(isinstance(t, str) for t in raw):
        return f"its tags must be a list of strings, such as [\"{TEACHER_TAG}\"], not {raw!r}."
    for tag in raw:
        if tag in KNOWN_TAGS:
            continue
        letters = _letters(tag)
        for exact in ROLE_TAGS:
            if _near(letters, _letters(exact)) or (exact == SOLUTION_TAG and _near(letters, "solutions")):
                return (f"the tag {tag!r} looks like {exact!r} but is not exactly it, so the builder would not act on it. "
                        f"Write the tag exactly {exact!r}.")
        return (f"the tag {tag!r} is not one the lessons use, so no tool would act on it (a role tag misspelt would let a "
                f"solution through). The tags are: {', '.join(ROLE_TAGS)}; and for other tools {', '.join(OTHER_TAGS)}.")
    return None


def _check_cell_metadata(node, where: str) -> None:
    for key, value in node.get("metadata", {}).items():
        if key in CELL_METADATA:
            continue
        if ROLE_WORDS.search(key) or ROLE_WORDS.search(str(value)):
            raise LessonModelError(
                f"{where}: its metadata holds {key!r}: {value!r}, which reads like a role, but the lessons give roles only "
                f"by tags ({', '.join(ROLE_TAGS)}) and solution markers; nothing would act on it. Remove it and use a tag."
            )


def _check_notebook_metadata(nb, name: str) -> None:
    for key, value in nb.get("metadata", {}).items():
        if key in ("kernelspec", "language_info", "widgets"):
            continue
        if ROLE_WORDS.search(key) or ROLE_WORDS.search(str(value)):
            raise LessonModelError(
                f"notebooks/{name}: the notebook's metadata holds {key!r}, which reads like a role or a solution; roles are "
                "given cell by cell with tags. Remove it."
            )


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.casefold())


def _near(word: str, target: str) -> bool:
    return word == target or (len(word) >= 4 and difflib.SequenceMatcher(None, word, target).ratio() >= 0.8)


def _marker_words(text: str, loose: bool = True) -> bool:
    """True when ``text`` reads like a solution marker (``begin solution``, ``END-SOLUTIONS``; ``loose``: ``solution start``)."""
    words = re.findall(r"[a-z]+", text.casefold())
    for first, second in zip(words, words[1:]):
        if (_near(first, "begin") or _near(first, "end") or first in ("start", "stop")) and (_near(second, "solution") or _near(second, "solutions")):
            return True
        if loose and _near(first, "solution") and (_near(second, "begin") or _near(second, "end") or second in ("start", "stop", "ends", "begins")):
            return True
    glued = _letters(text)
    return any(t in glued for t in ("beginsolution", "endsolution", "startsolution", "stopsolution"))


def looks_like_marker(line: str) -> bool:
    """True for a comment line that reads like a solution marker, exact or not (``# begin solution``, ``#END-SOLUTIONS``)."""
    if not re.match(r"^\s*#", line):
        return False
    return _marker_words(line) or any(_near(_letters(line)[: len(t)], t) for t in ("beginsolution", "endsolution", "startsolution", "stopsolution"))


def _comment(line: str) -> str | None:
    """The comment part of a line of Python (after a ``#`` outside strings), or None."""
    import io
    import tokenize

    try:
        for token in tokenize.generate_tokens(io.StringIO(line + "\n").readline):
            if token.type == tokenize.COMMENT:
                return token.string
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pos = line.find("#")
        return line[pos:] if pos >= 0 else None
    return None


def _marker_problem(line: str) -> str | None:
    """Why ``line`` would slip through as a solution marker that is not one, or None."""
    if BEGIN.match(line) or END.match(line):
        return None
    if looks_like_marker(line):
        return (f"{line.strip()!r} looks like a solution marker but is not exactly one, so the solution under it would reach "
                "the student edition. Write the markers exactly '# BEGIN SOLUTION' and '# END SOLUTION' on lines of their own "
                "(or reword the comment if it is not a marker).")
    comment = _comment(line)
    if comment and _marker_words(comment, loose=False):
        return (f"{line.strip()!r} has a solution marker after code on the same line, which no builder acts on, so the code "
                "would reach the student edition. Put '# BEGIN SOLUTION' and '# END SOLUTION' on lines of their own.")
    return None


def _markers_outside_code(cell) -> int | None:
    """The line number of a solution marker (exact or near, in a comment or HTML comment) in a markdown or raw cell."""
    for number, line in enumerate(cell.source.splitlines(), start=1):
        if BEGIN.match(line) or END.match(line) or looks_like_marker(line) or _marker_words(line):
            return number
    return None


# --------------------------------------------------------------------------- solutions


def answer_names(solution_lines: list[str]) -> list[str]:
    """The ``answer...`` names a solution assigns, in order."""
    names: list[str] = []
    try:
        tree = ast.parse(textwrap.dedent("\n".join(solution_lines)))
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name) and ANSWER_NAME.match(leaf.id) and leaf.id not in names:
                    names.append(leaf.id)
    return names


def placeholder(solution_lines: list[str], indent: str) -> list[str]:
    """Lines that stand in for a solution: ``answer_x = ...`` for each answer name it assigned."""
    names = answer_names(solution_lines)
    if not names:
        return [f"{indent}# Your code here."]
    return [f"{indent}{name} = ...  # replace ... with your answer" for name in names]


def strip_solutions(source: str, where: str, replace=None) -> tuple[str, list[str]]:
    """Replace every ``# BEGIN SOLUTION`` ... ``# END SOLUTION`` region; return new source and removed lines.

    ``replace(region_lines, indent)`` gives the lines that stand in for a region (default: the placeholder).
    """
    replace = replace or placeholder
    out: list[str] = []
    removed: list[str] = []
    region: list[str] | None = None
    opened = 0
    indent = ""
    for number, line in enumerate(source.splitlines(), start=1):
        if problem := _marker_problem(line):
            raise LessonModelError(f"{where}, line {number}: {problem}")
        if BEGIN.match(line):
            if region is not None:
                raise LessonModelError(f"{where}: line {number} opens a solution inside another (missing # END SOLUTION?).")
            region, indent, opened = [], line[: len(line) - len(line.lstrip())], number
        elif END.match(line):
            if region is None:
                raise LessonModelError(f"{where}: line {number} closes a solution that was never opened.")
            out.extend(replace(region, indent))
            removed.extend(region)
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise LessonModelError(f"{where}, line {opened}: this # BEGIN SOLUTION is never closed by # END SOLUTION.")
    return "\n".join(out), removed


def solution_lines(cell: Cell, where: str) -> list[str]:
    """What the student must write in a solution cell (its regions, or the whole cell when tagged ``solution``)."""
    if SOLUTION_TAG in cell.tags:
        return cell.source.splitlines()
    return strip_solutions(cell.source, where)[1]
