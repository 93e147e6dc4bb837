"""The core route of every lesson, done in a real browser by a class that cannot program.

CONTRIBUTING.md ("Core route and extension") promises that on the core route a student types no code: they run the
given cells, read a table, figure or document, replace the ``...`` of an answer cell by a value, and write prose.
This test does exactly that, and nothing more, in JupyterLab (the harness of tests/test_browser.py: one JupyterLab,
Debian's Chromium through Playwright, one page for all lessons). For each lesson:

1. its core-route student edition, rendered as the class copy renders it (``teach.editions.render(...,
   route="core")``: the extension left out, solutions replaced by placeholders), is opened, its outputs cleared,
   and all its cells run (*Run → Run All Cells*);
2. in every answer cell the ``...`` after ``answer_N_M =`` is selected with the keyboard and replaced by the value
   the teacher edition's solution gives (a number, a date or a word in quotes, a list of years: on the core route a
   solution is always such a literal, tests/test_routes.py checks that), and the cell and its check are run with
   Shift+Enter;
3. every written answer (*Write your answer here.*) is opened with a double click and replaced by a sentence;
4. the notebook is saved (Ctrl+S) and the file JupyterLab wrote is compared with the edition it started from.

It asserts that no code cell but the answer cells changed, and those only where the ``...`` was; that every code
cell ran, with no error output; that every self-check says "correct" (in the page and in the saved file); and that
every written answer holds the student's prose. The answers come from the full answer bank of the repository, so
the checks say right or wrong even for exercises that ``course.toml`` grades (a class copy's checks would only say
"the right kind of answer" for those).

It does not prove that the student could find each value on the page; the release's own check
(teach/course/release.py) and tests/test_routes.py cover what a core exercise may ask. Each lesson's time is printed:
about 20-30 seconds a lesson, three minutes for all seven on two cores.
"""

from __future__ import annotations

import ast
import os
import re
import time
from pathlib import Path

import nbformat
import pytest
from lab_harness import PANEL, Lab, browser_missing, chromium, open_and_run, wait_idle

from teach.editions import TEACHER_DIR, render, teacher_notebooks
from teach.lesson import CHECK_CALL, placeholder, read_path, strip_solutions

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "tests" / "screenshots"
LESSONS = [p.name for p in teacher_notebooks(TEACHER_DIR)]
PLACEHOLDER = re.compile(r"^(?P<indent>\s*)(?P<name>answer\w*) = (?P<dots>\.\.\.)(?P<rest>  # replace \.\.\. with your answer)$")
WRITTEN_PROMPT = "Write your answer here"
PROSE = "In my own words: the evidence above supports this reading, although one source disagrees."

_missing = browser_missing()
if _missing:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the browser test cannot run: {_missing}.", pytrace=False)
    pytest.skip(_missing, allow_module_level=True)


def literal_answers(name: str) -> dict[str, str]:
    """answer name -> the literal its core-route solution assigns, as source text (``'"1954-10-12"'``, ``'3.86'``)."""
    lesson = read_path(TEACHER_DIR / name)
    found: dict[str, str] = {}

    def keep(region: list[str], indent: str) -> list[str]:
        text = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in region)
        for node in ast.parse(text).body:
            assert isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name), f"{name}: not a literal: {text}"
            ast.literal_eval(node.value)  # a literal, or this raises
            found[node.targets[0].id] = ast.get_source_segment(text, node.value)
        return placeholder(region, indent)

    for cell in lesson.on_route("core"):
        if cell.role == "solution":
            strip_solutions(cell.source, f"{name}, cell {cell.index + 1}", replace=keep)
    return found


def answered(source: str, answers: dict[str, str]) -> str:
    """``source`` of an answer cell with each ``...`` placeholder replaced by its literal (what the student types)."""
    lines = []
    for line in source.splitlines():
        m = PLACEHOLDER.match(line)
        lines.append(f"{m['indent']}{m['name']} = {answers[m['name']]}{m['rest']}" if m else line)
    return "\n".join(lines)


@pytest.fixture(scope="module")
def editions() -> dict[str, str]:
    return {name: render(TEACHER_DIR / name, run=False, route="core") for name in LESSONS}


@pytest.fixture(scope="module")
def lab(tmp_path_factory, editions):
    running = Lab(tmp_path_factory.mktemp("core-lab"), editions)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1400, "height": 1000})


def _cells(page):
    return page.locator(f"{PANEL} .jp-Notebook .jp-Cell")


def _type_answer(page, cell, line_text: str, name: str, value: str) -> None:
    """Put the cursor on the answer line, select its ``...`` with Shift+arrows, type the value (no other key)."""
    line = cell.locator(".cm-line", has_text=re.compile(rf"^\s*{name} = \.\.\.")).first
    line.scroll_into_view_if_needed()
    line.click()
    page.keyboard.press("Home")
    for _ in range(line_text.index("...")):
        page.keyboard.press("ArrowRight")
    for _ in range(3):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.type(value)


def _run_and_advance(page, cell) -> None:
    """Shift+Enter on ``cell`` (in its editor), then wait until it has run."""
    before = cell.locator(".jp-InputPrompt").inner_text()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        """([el, before]) => { const p = el.querySelector('.jp-InputPrompt').textContent.trim();
                               return /^\\[\\d+\\]:$/.test(p) && p !== before.trim(); }""",
        arg=[cell.element_handle(), before],
        timeout=60_000,
    )
    wait_idle(page)


def _write(page, cell) -> None:
    """Open a written-answer cell (double click), replace its prompt by prose, render it (Shift+Enter)."""
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-RenderedMarkdown").dblclick()
    editor = cell.locator(".cm-content")
    editor.wait_for(timeout=10_000)
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type(PROSE)
    page.keyboard.press("Shift+Enter")
    cell.locator(".jp-RenderedMarkdown", has_text=PROSE[:30]).wait_for(timeout=10_000)


def _save(page, path: Path, expect_prose: int, timeout: float = 30.0) -> nbformat.NotebookNode:
    """Save the notebook (Ctrl+S) and read back the file JupyterLab wrote, once it holds the student's answers."""
    before = path.stat().st_mtime_ns
    page.keyboard.press("Escape")  # command mode: the shortcut is the notebook's, not an editor's
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text(encoding="utf-8")
        if (path.stat().st_mtime_ns != before and text.count(PROSE) >= expect_prose) or time.monotonic() > deadline:
            return nbformat.reads(text, as_version=4)
        time.sleep(0.3)


def _outputs_text(cell) -> str:
    texts = []
    for out in cell.get("outputs", []):
        texts.append("".join(out.get("text", "")))
        texts += ["".join(v) if isinstance(v, list) else str(v) for k, v in out.get("data", {}).items() if k.startswith("text/")]
    return "\n".join(texts)


@pytest.mark.parametrize("name", LESSONS)
def test_the_core_route_needs_no_code_typed(lab, page, editions, name):
    started = time.monotonic()
    original = nbformat.reads(editions[name], as_version=4)
    answers = literal_answers(name)
    try:
        open_and_run(page, lab, name)
        cells = _cells(page)
        assert cells.count() == len(original.cells), f"{name}: JupyterLab shows {cells.count()} cells, the edition has {len(original.cells)}"
        text = page.locator(f"{PANEL} .jp-Notebook").inner_text()
        assert "Traceback (most recent call last)" not in text, f"{name}: an error on the first run of the core route"
        typed, written, checks = 0, 0, 0
        for index, cell in enumerate(original.cells):
            if cell.cell_type == "code" and CHECK_CALL.search(cell.source):
                checks += 1
            if cell.cell_type == "code" and any(PLACEHOLDER.match(line) for line in cell.source.splitlines()):
                node = cells.nth(index)
                for line in cell.source.splitlines():
                    if m := PLACEHOLDER.match(line):
                        _type_answer(page, node, line, m["name"], answers[m["name"]])
                        typed += 1
                _run_and_advance(page, node)
                following = cells.nth(index + 1)
                if index + 1 < len(original.cells) and CHECK_CALL.search(original.cells[index + 1].source):
                    following.locator(".cm-content").click()
                    _run_and_advance(page, following)
            elif cell.cell_type == "markdown" and WRITTEN_PROMPT in cell.source and "student-answer" in cell.metadata.get("tags", []):
                _write(page, cells.nth(index))
                written += 1
        right = page.locator(f"{PANEL} .check-feedback.check-right").count()
        not_right = page.locator(f"{PANEL} .check-feedback:not(.check-right)").all_inner_texts()
        assert not not_right, f"{name}: a self-check did not say right: {not_right}"
        assert right == checks, f"{name}: {right} checks said right, the core route has {checks}"
        saved = _save(page, lab.root / name, written)
        wait_idle(page)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"core-{Path(name).stem}-failure.png"), full_page=False)
        raise
    finally:
        lab.shut_down_kernels()

    # the file JupyterLab saved: only the placeholders and the written answers changed; everything ran
    assert [c.cell_type for c in saved.cells] == [c.cell_type for c in original.cells], f"{name}: cells were added or removed"
    edited, errors, unanswered = [], [], []
    for number, (after, before) in enumerate(zip(saved.cells, original.cells), start=1):
        if after.cell_type == "code":
            expected = answered(before.source, answers)
            if after.source != expected:
                edited.append(f"cell {number}: {before.source[:80]!r} -> {after.source[:80]!r}")
            if after.execution_count is None:
                unanswered.append(f"cell {number} did not run")
            for out in after.outputs:
                if out.output_type == "error" or (out.output_type == "stream" and "Traceback" in "".join(out.text)):
                    errors.append(f"cell {number}: {_outputs_text(after)[:300]}")
            if CHECK_CALL.search(before.source) and ": correct." not in _outputs_text(after):
                unanswered.append(f"cell {number}: the check says {_outputs_text(after)[:200]!r}")
        elif "student-answer" in before.metadata.get("tags", []) and WRITTEN_PROMPT in before.source:
            if after.source.strip() != PROSE:
                unanswered.append(f"cell {number}: the written answer was not kept: {after.source[:80]!r}")
        elif after.source != before.source:
            edited.append(f"cell {number} ({after.cell_type}) changed")
    assert not edited, f"{name}: cells other than the answers changed:\n" + "\n".join(edited)
    assert not errors, f"{name}: error outputs:\n" + "\n".join(errors)
    assert not unanswered, f"{name}:\n" + "\n".join(unanswered)
    assert typed == len([c for c in original.cells if c.cell_type == "code" for line in c.source.splitlines() if PLACEHOLDER.match(line)])
    print(f"\n{name} (core route): {typed} values typed, {checks} checks right, {written} written answers, "
          f"{time.monotonic() - started:.0f} s in the browser")
