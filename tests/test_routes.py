"""The core route and the extension of every lesson, and the times each lesson states (CONTRIBUTING.md, "Core route
and extension"; the model is in bench/times.py).

For every teacher edition ``notebooks/NN_*.ipynb``:

* the ``extension`` tags agree with the headings: each run of extension cells opens with a heading ending in
  "(extension)" and runs, every cell tagged, to the next heading of the same or a higher level;
* the core route asks for no programming: every solution region on it only assigns literal values to ``answer...``
  names, and no cell on it needs a name that only an extension cell defines (a class that skips the extension can
  still run the core route top to bottom);
* the core route keeps the lesson whole (its title and questions, a written answer, a document exercise where the
  lesson has one, the key points) and takes at most 60 minutes by the model;
* the lesson's first cell states exactly the times the model gives, in both editions, and so does the README's
  table of lessons.
"""

from __future__ import annotations

import ast
import builtins
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_times", ROOT / "bench" / "times.py")
times = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = times  # dataclasses look their module up there
_spec.loader.exec_module(times)

LESSONS = times.lesson_notebooks(ROOT / "notebooks")
DOCS = times.documents()
HABITS = re.compile(r"\b(sourcing|contextuali[sz]ation|corroboration|close reading)\b", re.IGNORECASE)


def _ids(paths):
    return [p.stem for p in paths]


def _nb(cells):
    """A notebook made of (cell_type, source, tags) triples."""
    return {"cells": [{"cell_type": kind, "source": src, "metadata": {"tags": list(tags)}} for kind, src, tags in cells]}


# ---------------------------------------------------------------------------------------------------------------
# The checks themselves, on small samples (each must catch what it is for)


def test_the_convention_check_catches_each_kind_of_breach():
    good = _nb([
        ("markdown", "# Lesson 9: T", []),
        ("markdown", "## 1. Core", []),
        ("markdown", "## 2. More (extension)", ["extension"]),
        ("code", "x = 1", ["extension"]),
        ("markdown", "### Exercise 9.1", ["extension"]),
        ("markdown", "## Key points", []),
    ])
    assert times.routes(good).problems == []
    assert times.routes(good).core == [True, True, False, False, False, True]
    no_heading = _nb([("markdown", "## 1. Core", []), ("code", "x = 1", ["extension"])])
    assert "must open with a heading ending in '(extension)'" in times.routes(no_heading).problems[0]
    same_level = _nb([("markdown", "### Exercise 9.1 (extension)", ["extension"]), ("markdown", "### Exercise 9.2", ["extension"]),
                      ("markdown", "### Exercise 9.3", [])])
    assert times.routes(same_level).problems == [] and times.routes(same_level).core == [False, False, True]
    untagged_inside = _nb([("markdown", "## 2. More (extension)", ["extension"]), ("code", "x = 1", []), ("markdown", "## 3. Core", [])])
    assert "not tagged 'extension'" in times.routes(untagged_inside).problems[0]
    key_terms = _nb([("markdown", "## 9. Map (extension)", ["extension"]), ("markdown", "**Key terms:** camp", ["key-terms"]),
                     ("markdown", "## Key points", [])])
    assert times.routes(key_terms).problems == [] and times.routes(key_terms).core == [False, True, True]
    heading_without_tag = _nb([("markdown", "### Exercise 9.2 (extension)", [])])
    assert "says extension but the cell is not tagged" in times.routes(heading_without_tag).problems[0]
    higher_inside = _nb([("markdown", "### 2.1 More (extension)", ["extension"]), ("markdown", "## 3. Next", ["extension"])])
    assert times.routes(higher_inside).problems, "a tagged higher-level heading must say (extension) itself"


def test_the_literal_check_refuses_computed_answers():
    assert times.literal_only('answer_1_1 = 1957') is None
    assert times.literal_only('answer_1_2 = -3.5\nanswer_1_3 = ["a", "b"]  # a list') is None
    assert times.literal_only('answer_1_4 = ("x", 2)') is None
    assert "computes" in times.literal_only('answer_1_1 = 21 - 16')
    assert "computes" in times.literal_only('answer_1_1 = events["date"].min()')
    assert "not an assignment" in times.literal_only('print(1)')
    assert "not to an answer" in times.literal_only('rows = 3')


def test_the_written_answer_rule():
    assert times.paragraph_length("Write a paragraph of six to eight sentences.")
    assert times.paragraph_length("Write 120–180 words.")
    assert times.paragraph_length("In four to six sentences: who made each document?")
    assert not times.paragraph_length("In three to five sentences: what does the opening present?")
    assert not times.paragraph_length("Then, in one sentence, explain why.")
    assert times.paragraph_length("Why? Explain.", heading="### Exercise 1.9 (interpretation)")
    assert not times.paragraph_length("Write three or four sentences.", heading="### Exercise 0.7 (interpretation)")


def test_the_model_adds_up_and_rounds_up():
    nb = _nb([
        ("markdown", "# Lesson 9\n\n" + "word " * 398, []),  # 400 words: 2 minutes
        ("code", "x = 1", []),  # 0.5
        ("code", "explorer = hw.honeymoon_explorer(tables)", []),  # 3
        ("markdown", "### Exercise 9.1\nGive a number.", []),  # 4 words
        ("code", "# BEGIN SOLUTION\nanswer_9_1 = 3\n# END SOLUTION", []),
        ("code", 'check("9.1", answer_9_1)', []),  # 4
        ("markdown", "### Exercise 9.2 (extension)\nWrite 150 words.", ["extension"]),
        ("markdown", "*Write your answer here.*", ["extension", "student-answer"]),  # 12
        ("markdown", "**Model answer.** " + "word " * 500, ["extension", "teacher-only"]),  # nothing
    ])
    costs = times.cell_costs(nb, DOCS)
    assert [c.minutes for c in costs][1:3] == [0.5, 3]
    assert costs[5].minutes == 4 and costs[7].minutes == 12 and costs[8].minutes == 0
    route = times.routes(nb)
    core = sum(c.minutes for c, on in zip(costs, route.core) if on)
    assert times.round_up(core) == 10  # 2 + 0.02 + 0.5 + 3 + 4 = 9.5...
    assert times.round_up(sum(c.minutes for c in costs)) == 25
    assert times.round_up(60.0) == 60 and times.round_up(60.01) == 65


def test_the_header_check_catches_a_wrong_time(tmp_path):
    path = tmp_path / "09_sample.ipynb"
    nb = _nb([("markdown", "# Lesson 9\n\n*Core route: about 5 minutes. Full route: about 5 minutes. · Edition: teacher*", []),
              ("code", "x = 1", [])] + [("code", f"y = {n}", ["extension"]) for n in range(12)])
    nb["cells"][2]["cell_type"] = "markdown"
    nb["cells"][2]["source"] = "## More (extension)"
    path.write_text(json.dumps(nb), encoding="utf-8")
    got = times.lesson_times(path, DOCS)
    assert got.header == (5, 5) and (got.core, got.full) == (5, 10)
    assert got.header != (got.core, got.full), "a header that understates the full route must fail"


# ---------------------------------------------------------------------------------------------------------------
# Every lesson


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_tags_and_headings_agree(path):
    problems = times.routes(times.load(path), path.name).problems
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_no_programming_on_the_core_route(path):
    nb = times.load(path)
    core = times.routes(nb, path.name).core
    wrong = []
    for index, (cell, on_core) in enumerate(zip(nb["cells"], core)):
        for region in times.solution_regions(cell) if on_core else []:
            if (problem := times.literal_only(region)) is not None:
                wrong.append(f"{path.name}, cell {index + 1}: the solution on the core route {problem}; "
                             "state the value, or move the exercise to the extension")
    assert not wrong, "\n".join(wrong)


def _names(code: str) -> tuple[set[str], set[str]]:
    """The names a cell defines and the names it reads."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set(), set()
    stored, loaded = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (stored if isinstance(node.ctx, (ast.Store, ast.Del)) else loaded).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            stored |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stored.add(node.name)
        elif isinstance(node, ast.arg):
            stored.add(node.arg)
    return stored, loaded


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_the_core_route_runs_without_the_extension(path):
    nb = times.load(path)
    core = times.routes(nb, path.name).core
    on_core: set[str] = set(dir(builtins))
    in_extension: set[str] = set()
    missing = []
    for index, (cell, is_core) in enumerate(zip(nb["cells"], core)):
        if cell["cell_type"] != "code":
            continue
        stored, loaded = _names(times.source(cell))
        if is_core:
            needed = sorted((loaded - on_core - stored) & in_extension)
            if needed:
                missing.append(f"{path.name}, cell {index + 1} (core) uses {', '.join(needed)}, defined only in extension cells above it")
            on_core |= stored
        else:
            in_extension |= stored
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_the_core_route_keeps_the_lesson_whole(path):
    nb = times.load(path)
    cells = nb["cells"]
    core = times.routes(nb, path.name).core
    assert core[0], f"{path.name}: the title and questions are on the core route"
    key_points = [i for i, c in enumerate(cells) if any(t.strip() in ("Key points", "Checklist") for _, t in times.headings(c))]
    assert key_points and all(core[i] for i in key_points), f"{path.name}: '## Key points' is on the core route"
    written = [i for i, c in enumerate(cells) if times.WRITTEN_TAG in times.tags(c)]
    if written:
        assert any(core[i] for i in written), f"{path.name}: at least one written answer is on the core route"
    document_exercises = [i for i, c in enumerate(cells) for _, t in times.headings(c)
                          if times.EXERCISE.match("### " + t) and HABITS.search(t)]
    if document_exercises:
        assert any(core[i] for i in document_exercises), f"{path.name}: at least one document exercise is on the core route"


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_the_core_route_fits_one_period(path):
    got = times.lesson_times(path, DOCS)
    assert got.core <= times.CORE_LIMIT, (
        f"{path.name}: the core route takes about {got.core} minutes by the model (at most {times.CORE_LIMIT}); "
        f"move sections or exercises to the extension (python bench/times.py --detail {path.stem[:2]})"
    )


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_the_header_states_the_model_times(path):
    got = times.lesson_times(path, DOCS)
    want = times.header_line(got)
    assert got.header == (got.core, got.full), f"{path.name}: its first cell must say '{want}'"
    student = path.parent / "student" / path.name
    if student.exists():
        first = times.source(times.load(student)["cells"][0]) + times.source(times.load(student)["cells"][1])
        assert want in first, f"student/{path.name} states other times than its teacher edition: run python -m teach editions"


def test_the_readme_states_the_model_times():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\d\d_\w+)` \|.*\| ([^|]*) \|\s*$", readme, re.MULTILINE)}
    wrong = []
    for path in LESSONS:
        got = times.lesson_times(path, DOCS)
        if path.stem in rows and rows[path.stem].strip() != times.readme_cell(got):
            wrong.append(f"README.md, the row of `{path.stem}` says {rows[path.stem].strip()!r}: it should say {times.readme_cell(got)!r}")
    assert not wrong, "\n".join(wrong) + "\n(python bench/times.py --readme prints the column)"
