"""How long each lesson takes a class: its core route and its full route, from a stated model (not a test).

``python bench/times.py`` prints one row per teacher edition (``notebooks/NN_*.ipynb``): the lesson, the minutes of
its core route, the minutes of its full route, and the words a student reads on the core route.
``python bench/times.py --detail 01`` also prints what each section costs (to see where a route's minutes go), and
``python bench/times.py --readme`` the time column of the README's table of lessons.

The routes (CONTRIBUTING.md, "Core route and extension"): every cell is on the core route unless it carries the cell
tag ``extension``; the full route is every cell. Cells a student never sees (tagged ``teacher-only``) cost nothing.

The model, per cell a student meets on the route:

* prose (markdown cells, exercise questions included; the empty ``student-answer`` cells left out) is read at
  200 words a minute;
* a document card (``docs.card(id)``, ``docs.compare(a, b)``): its English excerpt (and its modified version, where the
  cell asks for one) is read at 100 words a minute, its headnote as prose at 200; the original in Chinese or
  Russian beside it is not counted;
* every other code cell a student runs costs half a minute (running it and glancing at its table or figure), except
  an explorer or widget (a cell that calls a ``*_explorer(...)`` factory), which costs 3 minutes;
* each self-checked exercise (a ``check("N.M", ...)`` cell) costs 4 minutes, its answer cell nothing more;
* each written answer (a ``student-answer`` cell) costs 6 minutes when short, 12 when paragraph-length. It is
  paragraph-length when its question asks for more than 100 words, more than five sentences or "a paragraph", or when
  its heading says "(interpretation)" and the question names no length.

A route's minutes are the sum, rounded up to the next 5 minutes. The model leaves out the teacher's own talk,
discussion in class and the time a slow computer takes: it is the time a student needs at a steady pace, which is
why a core route is held to 60 minutes or less (tests/test_routes.py). Stdlib only: runs with any Python 3.11.
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import math
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
DOCUMENTS = ROOT / "data" / "documents.csv"

EXTENSION_TAG = "extension"
TEACHER_TAG = "teacher-only"
WRITTEN_TAG = "student-answer"
SOLUTION_TAG = "solution"
KEY_TERMS_TAG = "key-terms"  # the untagged list of key terms just before "## Key points" closes an extension too

PROSE_WPM = 200
DOCUMENT_WPM = 100
CODE_CELL_MIN = 0.5
EXPLORER_MIN = 3
SELF_CHECK_MIN = 4
SHORT_WRITTEN_MIN = 6
PARAGRAPH_WRITTEN_MIN = 12
PARAGRAPH_WORDS = 100  # more than this many words asked for: paragraph-length
PARAGRAPH_SENTENCES = 5  # more than this many sentences asked for: paragraph-length
CORE_LIMIT = 60  # minutes: one class period

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
EXERCISE = re.compile(r"^#{2,6}\s*Exercise\s+(\d+\.\d+)\b(.*)$", re.IGNORECASE)
CHECK_CALL = re.compile(r"""^\s*check\(\s*["'](\d+\.\d+)["']""", re.MULTILINE)
EXPLORER_CALL = re.compile(r"\b\w+_explorer\(")
CARD_CALL = re.compile(r"""\b(?:docs|documents)\.card\(\s*["']([^"']+)["']([^)]*)\)""")
COMPARE_CALL = re.compile(r"""\b(?:docs|documents)\.compare\(\s*["']([^"']+)["']\s*,\s*["']([^"']+)["']""")
BEGIN = re.compile(r"^\s*# BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*# END SOLUTION\s*$")
HEADER_TIMES = re.compile(r"Core route: about (\d+) minutes\. Full route: about (\d+) minutes\.")
WORD = re.compile(r"\w[\w'’-]*")
NUMBER_WORDS = {w: n for n, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve".split())}
_COUNT = r"(\d+|" + "|".join(NUMBER_WORDS) + r")"
SENTENCES = re.compile(_COUNT + r"(?:\s*(?:to|or|-|–)\s*" + _COUNT + r")?\s+sentences?\b", re.IGNORECASE)
WORDS_ASKED = re.compile(r"(\d+)(?:\s*(?:to|or|-|–)\s*(\d+))?\s+words\b", re.IGNORECASE)


# ---------------------------------------------------------------------------------------------------------------
# Reading a notebook


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def headings(cell: dict) -> list[tuple[int, str]]:
    """The (level, text) of each heading line of a markdown cell, in order (fenced code skipped)."""
    if cell.get("cell_type") != "markdown":
        return []
    found, fenced = [], False
    for line in source(cell).splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced and (m := HEADING.match(line)):
            found.append((len(m.group(1)), m.group(2)))
    return found


def first_line_heading(cell: dict) -> tuple[int, str] | None:
    """The heading the cell opens with (its first non-blank line), or None."""
    if cell.get("cell_type") != "markdown":
        return None
    for line in source(cell).splitlines():
        if line.strip():
            m = HEADING.match(line)
            return (len(m.group(1)), m.group(2)) if m else None
    return None


def marks_extension(text: str) -> bool:
    return text.rstrip().endswith("(extension)")


def lesson_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


# ---------------------------------------------------------------------------------------------------------------
# The routes


@dataclass
class Routes:
    core: list[bool]  # per cell: on the core route?
    problems: list[str] = field(default_factory=list)  # breaches of the convention, one sentence each


def routes(nb: dict, name: str = "notebook") -> Routes:
    """Which cells are on the core route, and every breach of the tagging convention.

    A cell tagged ``extension`` is off the core route. The first cell of each run of extension cells is a markdown
    cell whose first line is a heading ending in "(extension)"; the run covers every cell up to the next untagged
    heading of the same or a higher level, and each of those cells carries the tag (a higher-level heading inside the
    run says "(extension)" too). A heading that ends in "(extension)" is on a tagged cell. The lesson's key terms (a cell
    tagged ``key-terms``, just before "## Key points") belong to the key points, so they close an extension too.
    """
    cells = nb.get("cells", [])
    core = [EXTENSION_TAG not in tags(c) for c in cells]
    problems: list[str] = []
    level: int | None = None  # the level of the open extension section's heading, if one is open
    for index, cell in enumerate(cells):
        where = f"{name}, cell {index + 1}"
        tagged = not core[index]
        opening = first_line_heading(cell)
        if level is not None and not tagged and opening is not None and opening[0] <= level:
            level = None  # an untagged heading of the same or a higher level closes the extension section
        if level is not None and not tagged and KEY_TERMS_TAG in tags(cell):
            level = None  # the key terms open the key points that follow them
        if tagged and (level is None or (opening is not None and opening[0] < level)):
            # a new run, or a higher-level section inside one: its heading must say so
            if opening is None or not marks_extension(opening[1]):
                problems.append(
                    f"{where}: a run of extension cells (or a higher-level section inside one) must open with a heading "
                    "ending in '(extension)'" + (f", not {opening[1]!r}" if opening else " (this cell has none)")
                )
            level = opening[0] if opening is not None else (level or 6)
        elif not tagged and level is not None:
            problems.append(f"{where}: this cell lies inside an extension section (no untagged heading of level {level} or higher closes it) but is not tagged 'extension'")
        for lvl, text in headings(cell):
            if marks_extension(text) and not tagged:
                problems.append(f"{where}: the heading {text!r} says extension but the cell is not tagged 'extension'")
            if tagged and level is not None and lvl < level and (lvl, text) != opening and not marks_extension(text):
                problems.append(f"{where}: the heading {text!r} opens a higher-level section inside a tagged cell without saying '(extension)': split the cell")
    return Routes(core, problems)


# ---------------------------------------------------------------------------------------------------------------
# Solution regions


def solution_regions(cell: dict) -> list[str]:
    """The code of each solution region of a code cell (the whole cell when it is tagged ``solution``)."""
    if cell.get("cell_type") != "code":
        return []
    if SOLUTION_TAG in tags(cell):
        return [source(cell)]
    regions, current = [], None
    for line in source(cell).splitlines():
        if BEGIN.match(line):
            current = []
        elif END.match(line) and current is not None:
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def _is_literal(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)) and isinstance(node.operand, ast.Constant):
        return isinstance(node.operand.value, (int, float))
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(_is_literal(e) for e in node.elts)
    return False


def literal_only(region: str) -> str | None:
    """None when the region only assigns literal values to ``answer...`` names, else what is wrong with it."""
    try:
        tree = ast.parse(region)
    except SyntaxError as err:
        return f"does not parse ({err.msg})"
    for stmt in tree.body:
        if not isinstance(stmt, ast.Assign):
            return f"line {stmt.lineno} is not an assignment: {ast.unparse(stmt)[:60]!r}"
        for target in stmt.targets:
            if not (isinstance(target, ast.Name) and target.id.startswith("answer")):
                return f"line {stmt.lineno} assigns to {ast.unparse(target)!r}, not to an answer... name"
        if not _is_literal(stmt.value):
            return f"line {stmt.lineno} computes its value ({ast.unparse(stmt.value)[:60]!r}) instead of stating a literal"
    return None


# ---------------------------------------------------------------------------------------------------------------
# The model


def words(text: str) -> int:
    text = re.sub(r"<[^>]+>", " ", text)  # html tags (<kbd>)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    return len(WORD.findall(text))


def documents(path: Path = DOCUMENTS) -> dict[str, dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return {row["doc_id"]: row for row in csv.DictReader(f)}


def _count(token: str | None) -> int:
    if not token:
        return 0
    return int(token) if token.isdigit() else NUMBER_WORDS[token.lower()]


def paragraph_length(question: str, heading: str = "") -> bool:
    """Is the written answer this question asks for paragraph-length (see the model)?"""
    asked_words = [max(_count(a), _count(b)) for a, b in WORDS_ASKED.findall(question)]
    asked_sentences = [max(_count(a), _count(b)) for a, b in SENTENCES.findall(question)]
    if re.search(r"\ba paragraph\b", question, re.IGNORECASE):
        return True
    if asked_words or asked_sentences:
        return any(n > PARAGRAPH_WORDS for n in asked_words) or any(n > PARAGRAPH_SENTENCES for n in asked_sentences)
    return "(interpretation)" in heading.lower()


@dataclass
class Cost:
    minutes: float = 0.0
    prose_words: int = 0
    document_words: int = 0
    code_cells: int = 0
    explorers: int = 0
    self_checks: int = 0
    short_written: int = 0
    paragraphs: int = 0

    def add(self, other: "Cost") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def cell_costs(nb: dict, docs: dict[str, dict] | None = None) -> list[Cost]:
    """What each cell costs a student, by the model (teacher-only cells cost nothing)."""
    docs = documents() if docs is None else docs
    costs: list[Cost] = []
    question, heading = "", ""  # the text of the current exercise so far, and its heading
    for cell in nb.get("cells", []):
        cost = Cost()
        kind, cell_tags, text = cell.get("cell_type"), tags(cell), source(cell)
        if TEACHER_TAG in cell_tags:
            pass
        elif kind == "markdown" and WRITTEN_TAG in cell_tags:
            if paragraph_length(question, heading):
                cost.paragraphs, cost.minutes = 1, PARAGRAPH_WRITTEN_MIN
            else:
                cost.short_written, cost.minutes = 1, SHORT_WRITTEN_MIN
            question = ""  # a second written part asks its own question
        elif kind == "markdown":
            cost.prose_words = words(text)
            cost.minutes = cost.prose_words / PROSE_WPM
            lines = text.splitlines()
            for i, line in enumerate(lines):
                if HEADING.match(line) is not None:
                    exercise = EXERCISE.match(line.strip())
                    heading = line if exercise else ""
                    question = "\n".join(lines[i:]) if exercise else ""
            if not any(HEADING.match(line) for line in lines) and heading:
                question += "\n" + text
        elif kind == "code":
            if CHECK_CALL.search(text):
                cost.self_checks, cost.minutes = 1, SELF_CHECK_MIN
            elif solution_regions(cell):
                pass  # the answer cell: part of its exercise's minutes
            elif EXPLORER_CALL.search(text):
                cost.explorers, cost.minutes = 1, EXPLORER_MIN
            else:
                cost.code_cells, cost.minutes = 1, CODE_CELL_MIN
                shown = [(m.group(1), "modified=True" in m.group(2)) for m in CARD_CALL.finditer(text)]
                shown += [(d, False) for m in COMPARE_CALL.finditer(text) for d in m.groups()]
                for doc_id, modified in shown:
                    row = docs.get(doc_id)
                    if row is None:
                        continue  # an unknown id: tests/test_documents.py reports it
                    excerpt = words(row["excerpt_en"]) + (words(row["modified_en"]) if modified else 0)
                    headnote = words(row["headnote"])
                    cost.document_words += excerpt
                    cost.prose_words += headnote
                    cost.minutes += excerpt / DOCUMENT_WPM + headnote / PROSE_WPM
        costs.append(cost)
    return costs


def round_up(minutes: float) -> int:
    return int(5 * math.ceil(round(minutes, 6) / 5))


@dataclass
class Times:
    lesson: str
    core: int
    full: int
    core_words: int
    core_cost: Cost
    full_cost: Cost
    header: tuple[int, int] | None  # what the lesson's first cell states, if anything
    problems: list[str]


def lesson_times(path: Path, docs: dict[str, dict] | None = None) -> Times:
    nb = load(path)
    route = routes(nb, Path(path).name)
    costs = cell_costs(nb, docs)
    core, full = Cost(), Cost()
    for on_core, cost in zip(route.core, costs):
        full.add(cost)
        if on_core:
            core.add(cost)
    cells = nb.get("cells", [])
    stated = HEADER_TIMES.search(source(cells[0])) if cells else None
    return Times(
        lesson=Path(path).stem,
        core=round_up(core.minutes),
        full=round_up(full.minutes),
        core_words=core.prose_words + core.document_words,
        core_cost=core,
        full_cost=full,
        header=(int(stated.group(1)), int(stated.group(2))) if stated else None,
        problems=route.problems,
    )


def header_line(times: Times) -> str:
    return f"Core route: about {times.core} minutes. Full route: about {times.full} minutes."


# ---------------------------------------------------------------------------------------------------------------
# Printing


def _sections(nb: dict) -> list[tuple[str, list[int]]]:
    out: list[tuple[str, list[int]]] = [("(before the first section)", [])]
    for index, cell in enumerate(nb.get("cells", [])):
        top = [text for level, text in headings(cell) if level <= 2]
        if top:
            out.append((top[0], []))
        out[-1][1].append(index)
    return [s for s in out if s[1]]


def detail(path: Path) -> str:
    nb = load(path)
    route = routes(nb, Path(path).name)
    costs = cell_costs(nb)
    rows = [f"{'section':58} {'core min':>8} {'full min':>8}"]
    for title, cells in _sections(nb):
        full = sum(costs[i].minutes for i in cells)
        core = sum(costs[i].minutes for i in cells if route.core[i])
        rows.append(f"{title[:58]:58} {core:8.1f} {full:8.1f}")
    return "\n".join(rows)


def table(all_times: list[Times]) -> str:
    rows = [f"{'lesson':24} {'core min':>8} {'full min':>8} {'core words':>10}  header states"]
    for t in all_times:
        stated = "core {}, full {}".format(*t.header) if t.header else "no times"
        mark = "" if t.header == (t.core, t.full) else "   <- should say: " + header_line(t)
        rows.append(f"{t.lesson:24} {t.core:8} {t.full:8} {t.core_words:10}  {stated}{mark}")
    return "\n".join(rows)


def readme_cell(t: Times) -> str:
    return f"core {t.core} min, full {t.full} min"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detail", metavar="LESSON", help="also print each section's minutes for one lesson (e.g. 01)")
    parser.add_argument("--readme", action="store_true", help="print the time column of the README's table of lessons")
    args = parser.parse_args(argv)
    docs = documents()
    all_times = [lesson_times(p, docs) for p in lesson_notebooks()]
    print(__doc__.split("The model, per cell")[1].split("A route's minutes")[0].join(["The model, per cell", ""]).rstrip())
    print("A route's minutes are the sum, rounded up to the next 5 minutes.\n")
    print(table(all_times))
    for t in all_times:
        for problem in t.problems:
            print("convention:", problem)
    if args.readme:
        print()
        for t in all_times:
            print(f"`{t.lesson}`: {readme_cell(t)}")
    if args.detail:
        match = [p for p in lesson_notebooks() if p.stem == args.detail or p.stem.startswith(args.detail + "_")]
        if not match:
            print(f"no lesson {args.detail!r}", file=sys.stderr)
            return 2
        print()
        print(detail(match[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
