"""teach.editions: placeholders, teacher-only cells, idempotence, refusal to overwrite, leaks, freshness."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from teach import editions
from teach.editions import EditionError, build, nbgitpuller_link, render, strip_solutions, student_notebook

ROOT = Path(__file__).resolve().parent.parent


def tiny_teacher() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Tiny lesson\n\n### Exercise 9.2\nWhich year?"),
        new_code_cell("from helpers.exercises import check\nyears = [1954, 1957]"),
        new_code_cell("# BEGIN SOLUTION\nanswer_9_2 = max(years) + 0  # SECRET-LINE-ONE\n# END SOLUTION\nprint('done')"),
        new_code_cell("check('9.2', answer_9_2)"),
        new_code_cell("answer_9_3 = sorted(years)  # SECRET-WHOLE-CELL", metadata={"tags": ["solution"]}),
        new_markdown_cell("Model answer: SECRET-RUBRIC", metadata={"tags": ["teacher-only"]}),
        new_markdown_cell("*Write your answer here.*", metadata={"tags": ["student-answer"]}),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for n, cell in enumerate(nb.cells):
        cell.id = f"cell-{n}"
    return nb


def test_strip_solutions_keeps_the_rest_and_assigns_placeholders():
    source = "x = 1\n    # BEGIN SOLUTION\n    answer_a, answer_b = 1, 2\n    tmp = 3\n    # END SOLUTION\ny = 2"
    new, removed = strip_solutions(source, "nb")
    assert new == "x = 1\n    answer_a = ...  # replace ... with your answer\n    answer_b = ...  # replace ... with your answer\ny = 2"
    assert removed == ["    answer_a, answer_b = 1, 2", "    tmp = 3"]


def test_strip_solutions_without_answer_names_leaves_a_comment():
    new, _ = strip_solutions("# BEGIN SOLUTION\nplot(x)\n# END SOLUTION", "nb")
    assert new == "# Your code here."


@pytest.mark.parametrize(
    "source, message",
    [
        ("# BEGIN SOLUTION\nx = 1", "nb, line 1: this # BEGIN SOLUTION is never closed by # END SOLUTION."),
        ("x = 1\n# END SOLUTION", "nb: line 2 closes a solution that was never opened."),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "nb: line 2 opens a solution inside another"),
    ],
)
def test_unbalanced_markers_are_named(source, message):
    with pytest.raises(EditionError, match=re.escape(message)):
        strip_solutions(source, "nb")


def test_student_notebook_replaces_and_removes():
    nb, removed = student_notebook(tiny_teacher(), "09_tiny.ipynb")
    sources = [c.source for c in nb.cells]
    assert sources[0].startswith("> **Your copy of the lesson.** Run the cells")
    assert not re.search(r"teacher|--force|make editions", sources[0], re.I)  # written for students
    assert sources[3] == "answer_9_2 = ...  # replace ... with your answer\nprint('done')"
    assert sources[5] == "answer_9_3 = ...  # replace ... with your answer"
    assert "SECRET" not in json.dumps(nb)
    assert all(c.get("outputs", []) == [] for c in nb.cells if c.cell_type == "code")
    assert "Model answer: SECRET-RUBRIC" in removed.lines
    assert nb.cells[-1].source == "*Write your answer here.*"


def test_solution_tag_on_markdown_is_refused():
    nb = tiny_teacher()
    nb.cells[0].metadata["tags"] = ["solution"]
    with pytest.raises(EditionError, match="cell 1: only code cells can be tagged 'solution'"):
        student_notebook(nb, "09_tiny.ipynb")


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    teacher_dir, student_dir = tmp_path / "notebooks", tmp_path / "notebooks" / "student"
    teacher_dir.mkdir()
    nbformat.write(tiny_teacher(), teacher_dir / "09_tiny.ipynb")
    return teacher_dir, student_dir


def test_build_is_idempotent(dirs):
    teacher_dir, student_dir = dirs
    log: list[str] = []
    assert build(teacher_dir, student_dir, run=False, log=log.append) == 0
    first = (student_dir / "09_tiny.ipynb").read_text()
    assert build(teacher_dir, student_dir, run=False, log=log.append) == 0
    assert (student_dir / "09_tiny.ipynb").read_text() == first
    assert log[0].startswith("wrote") and log[1].startswith("unchanged")


def test_build_refuses_to_overwrite_an_edited_edition_unless_forced(dirs):
    teacher_dir, student_dir = dirs
    build(teacher_dir, student_dir, run=False, log=lambda _: None)
    target = student_dir / "09_tiny.ipynb"
    nb = nbformat.read(target, as_version=4)
    nb.cells[3].source = "answer_9_2 = 1957  # my own answer"
    nbformat.write(nb, target)
    edited = target.read_text()
    # the teacher changes the source: the builder now wants to write a new edition
    teacher = nbformat.read(teacher_dir / "09_tiny.ipynb", as_version=4)
    teacher.cells[0].source += "\nA new sentence."
    nbformat.write(teacher, teacher_dir / "09_tiny.ipynb")
    log: list[str] = []
    assert build(teacher_dir, student_dir, run=False, log=log.append) == 0  # keeping it is right: exit 0, and say so
    assert target.read_text() == edited
    assert "was edited since the builder last wrote it" in log[0] and "--force" in log[0]
    assert log[-1] == "Done: 1 edited student edition(s) kept as they were; nothing was lost."
    log.clear()
    assert build(teacher_dir, student_dir, run=False, force=True, log=log.append) == 0
    assert "answer_9_2 = 1957" not in target.read_text()
    assert "A new sentence." in target.read_text()
    backups = list((student_dir / ".backups").glob("09_tiny.*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text() == edited  # --force keeps what it overwrote
    assert str(backups[0].name) in log[0]


def test_an_unknown_file_in_the_way_is_not_overwritten(dirs):
    teacher_dir, student_dir = dirs
    student_dir.mkdir(parents=True)
    (student_dir / "09_tiny.ipynb").write_text("{}")
    assert build(teacher_dir, student_dir, run=False, log=lambda _: None) == 0
    assert (student_dir / "09_tiny.ipynb").read_text() == "{}"
    assert build(teacher_dir, student_dir, run=False, force=True, log=lambda _: None) == 0
    assert [p.read_text() for p in (student_dir / ".backups").iterdir()] == ["{}"]


def test_check_mode_reports_stale_without_writing(dirs):
    teacher_dir, student_dir = dirs
    log: list[str] = []
    assert build(teacher_dir, student_dir, run=False, check_only=True, log=log.append) == 1
    assert not (student_dir / "09_tiny.ipynb").exists()
    assert log[0].startswith("MISSING")


def test_placeholders_run_and_say_not_answered_yet(dirs, tmp_path):
    teacher_dir, student_dir = dirs
    bank = tmp_path / "bank.json"
    from helpers.exercises import register

    register("9.2", 1957, kind="integer", hint="h", bank_path=bank)
    teacher = nbformat.read(teacher_dir / "09_tiny.ipynb", as_version=4)
    teacher.cells[3].source = f"check('9.2', answer_9_2, bank_path={str(bank)!r})"
    nbformat.write(teacher, teacher_dir / "09_tiny.ipynb")
    text = render(teacher_dir / "09_tiny.ipynb", student_dir, run=True)
    nb = nbformat.reads(text, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    shown = json.dumps(outputs)
    assert "Exercise 9.2: not answered yet." in shown
    assert "done" in shown


def test_nbgitpuller_link():
    link = nbgitpuller_link("https://hub.example.edu/", "https://github.com/org/sino-soviet-1957.git", "main")
    assert link == (
        "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Fsino-soviet-1957.git"
        "&urlpath=lab%2Ftree%2Fsino-soviet-1957%2Fnotebooks%2Fstudent%2F00_start_here.ipynb&branch=main"
        "&targetpath=sino-soviet-1957"  # nbgitpuller would clone a URL ending in .git into sino-soviet-1957.git
    )
    with pytest.raises(ValueError, match="--hub must be a full URL"):
        nbgitpuller_link("hub.example.edu", "https://github.com/org/x")


def test_link_command_prints_the_link(capsys):
    assert editions.main(["link", "--hub", "https://hub.example.edu", "--repo", "https://github.com/org/r", "--branch", "dev"]) == 0
    assert capsys.readouterr().out.strip().endswith("&branch=dev")


# --------------------------------------------------------------------------- the course's own editions

TEACHER = editions.teacher_notebooks(ROOT / "notebooks")


def test_every_lesson_has_a_student_edition():
    assert TEACHER, "there are teacher notebooks"
    for path in TEACHER:
        assert (ROOT / "notebooks" / "student" / path.name).exists(), f"no student edition of {path.name}: run make editions"


def _sources_without_outputs(text: str) -> list:
    nb = nbformat.reads(text, as_version=4)
    return [(c.cell_type, c.source, sorted(c.metadata.get("tags", []))) for c in nb.cells]


@pytest.mark.parametrize("path", TEACHER, ids=lambda p: p.name)
def test_committed_student_edition_is_fresh(path):
    """The committed student edition is what the builder makes from the committed teacher edition."""
    expected = _sources_without_outputs(render(path, run=False))
    committed = _sources_without_outputs((ROOT / "notebooks" / "student" / path.name).read_text(encoding="utf-8"))
    assert committed == expected, f"notebooks/student/{path.name} is stale: run make editions"


def _lines(texts) -> set[str]:
    return {line.strip() for text in texts for line in text.splitlines() if len(line.strip()) >= 12}


@pytest.mark.parametrize("path", TEACHER, ids=lambda p: p.name)
def test_no_solution_leaks_into_the_student_edition(path):
    teacher = nbformat.read(path, as_version=4)
    _, removed = student_notebook(teacher, path.name)
    student_text = (ROOT / "notebooks" / "student" / path.name).read_text(encoding="utf-8")
    kept_nb, _ = student_notebook(teacher, path.name)
    kept_teacher_text = _lines(c.source for c in kept_nb.cells)  # lines the lesson itself shows students
    secret = (_lines(removed.lines) | _lines(removed.outputs)) - kept_teacher_text
    student_lines = _lines([json.dumps(json.loads(student_text), ensure_ascii=False, indent=0).replace("\\n", "\n")])
    student_blob = student_text + json.dumps(json.loads(student_text), ensure_ascii=False)
    leaked = sorted(line for line in secret if line in student_blob or line in student_lines)
    assert not leaked, f"{path.name}: solution or teacher-only text in the student edition: {leaked[:5]}"


def test_stream_chunks_are_joined_so_reruns_store_the_same_text():
    from teach.editions import _coalesce

    outs = [
        {"output_type": "stream", "name": "stdout", "text": "a\n"},
        {"output_type": "stream", "name": "stdout", "text": ["b\n", "c\n"]},
        {"output_type": "stream", "name": "stderr", "text": "w\n"},
        {"output_type": "display_data", "data": {"text/plain": "x"}},
        {"output_type": "stream", "name": "stdout", "text": "d\n"},
    ]
    assert _coalesce(outs) == [
        {"output_type": "stream", "name": "stdout", "text": "a\nb\nc\n"},
        {"output_type": "stream", "name": "stderr", "text": "w\n"},
        {"output_type": "display_data", "data": {"text/plain": "x"}},
        {"output_type": "stream", "name": "stdout", "text": "d\n"},
    ]


#: The lessons with self-checked exercises (the final essay has written exercises only).
CHECKED = [p for p in TEACHER if 'check(' in p.read_text(encoding="utf-8")]


def test_every_lesson_but_the_essay_has_self_checks():
    assert [p.stem for p in TEACHER if p not in CHECKED] == ["06_final_essay"]


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.name)
def test_answers_are_nowhere_in_plain_text_under_helpers(path, tmp_path, monkeypatch):
    """Run the teacher edition, noting every answer it checks; no answer may appear in the bank's text.

    The bank holds only hashes (hex digits) besides its readable fields, so those fields (the question's
    hint and praise) are searched for the answer, skipping forms too short or common to tell (years).
    Every check in the teacher edition must also pass: the solution and the bank agree.
    """
    record = tmp_path / "answers.jsonl"
    monkeypatch.setenv("HELPERS_RECORD_ANSWERS", str(record))
    nb = editions.execute(nbformat.read(path, as_version=4), path.parent)
    checks = [o for c in nb.cells if c.cell_type == "code" and "check(" in c.source for o in c.outputs]
    text = json.dumps(checks)
    assert "not quite" not in text and "not answered yet" not in text, f"{path.name}: a teacher solution fails its own check"
    answers = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert answers, f"{path.name} checks no answer"
    from helpers.exercises import BANK_DIR

    banks = {}
    for bank in BANK_DIR.glob("*.json"):
        banks.update(json.loads(bank.read_text(encoding="utf-8")))
    for answer in answers:
        spec = banks[answer["id"]]
        readable = f"{spec.get('hint', '')} {spec.get('praise', '')}".casefold()
        for form in {answer["text"].casefold(), *(f.casefold() for f in answer["forms"])}:
            if len(form) >= 4 and not re.fullmatch(r"1[89]\d\d", form):
                assert form not in readable, f"{path.name}: exercise {answer['id']}'s hint gives its answer away: {form!r}"


@pytest.mark.parametrize("path", CHECKED, ids=lambda p: p.name)
def test_student_edition_checks_all_say_not_answered_yet(path):
    """What a student sees before answering: every self-check cell reports 'not answered yet', none 'correct'."""
    nb = nbformat.read(ROOT / "notebooks" / "student" / path.name, as_version=4)
    check_cells = [c for c in nb.cells if c.cell_type == "code" and re.match(r"\s*check\(", c.source)]
    assert check_cells, f"{path.name} has no self-check cell"
    for cell in check_cells:
        shown = json.dumps([o for o in cell.outputs])
        assert "not answered yet" in shown, f"{path.name}: {cell.source!r} does not say 'not answered yet'"
        assert ": correct." not in shown


# --------------------------------------------------------------------------- check's words, exit codes


def _edit_student(student_dir: Path) -> None:
    target = student_dir / "09_tiny.ipynb"
    nb = nbformat.read(target, as_version=4)
    nb.cells[3].source = "answer_9_2 = 1957  # my own answer"
    nbformat.write(nb, target)


def _edit_teacher(teacher_dir: Path) -> None:
    teacher = nbformat.read(teacher_dir / "09_tiny.ipynb", as_version=4)
    teacher.cells[0].source += "\nA new sentence."
    nbformat.write(teacher, teacher_dir / "09_tiny.ipynb")


@pytest.mark.parametrize(
    "student, teacher, word",
    [(False, True, "STALE      "), (True, False, "EDITED     "), (True, True, "EDITED+STALE ")],
    ids=["teacher-changed", "student-edited", "both"],
)
def test_check_tells_a_student_edit_from_a_changed_teacher_source(dirs, student, teacher, word):
    teacher_dir, student_dir = dirs
    build(teacher_dir, student_dir, run=False, log=lambda _: None)
    if student:
        _edit_student(student_dir)
    if teacher:
        _edit_teacher(teacher_dir)
    before = sorted(p.name for p in student_dir.rglob("*"))
    log: list[str] = []
    assert build(teacher_dir, student_dir, run=False, check_only=True, log=log.append) == 1
    assert log[0].startswith(word), log
    assert ("teacher edition 09_tiny.ipynb changed" in log[0]) == teacher
    assert ("someone changed this student edition" in log[0]) == student
    assert sorted(p.name for p in student_dir.rglob("*")) == before  # --check writes nothing


def test_make_editions_exits_0_when_it_keeps_an_edited_file(dirs, monkeypatch, capsys):
    teacher_dir, student_dir = dirs
    monkeypatch.setattr(editions, "TEACHER_DIR", teacher_dir)
    monkeypatch.setattr(editions, "STUDENT_DIR", student_dir)
    monkeypatch.setattr(editions, "render", lambda path, sdir=student_dir, run=True: render(path, sdir, run=False))
    monkeypatch.setattr(editions.build, "__defaults__", (teacher_dir, student_dir))
    assert editions.main([]) == 0
    _edit_student(student_dir)
    _edit_teacher(teacher_dir)
    assert editions.main([]) == 0
    out = capsys.readouterr().out
    assert "KEPT" in out and "nothing was lost" in out
    assert editions.main(["--check"]) == 1


# --------------------------------------------------------------------------- markers and tags, exact or refused

SECRET = "SECRET_SOLUTION_LINE = 42"


def _variants(word: str):
    """Ways a teacher might mistype ``word``: case, plural, separators, a dropped, doubled or swapped letter."""
    def typo(draw_i, text, op):
        i = draw_i % len(text)
        return {"drop": text[:i] + text[i + 1:], "double": text[:i] + text[i] + text[i:], "swap": text[:i] + text[i + 1:i + 2] + text[i:i + 1] + text[i + 2:]}[op]

    return st.builds(typo, st.integers(0, 40), st.just(word), st.sampled_from(["drop", "double", "swap"]))


from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from inputs_sweep import examples  # noqa: E402

EDITIONS_SETTINGS = settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

marker_lines = st.builds(
    lambda hashes, space, verb, sep, noun, tail, case: case(f"{hashes}{space}{verb}{sep}{noun}{tail}"),
    st.sampled_from(["#", "##", "###", " #", "\t#"]),
    st.sampled_from(["", " ", "  "]),
    st.one_of(st.sampled_from(["BEGIN", "END", "Begin", "begin", "START", "End"]), _variants("BEGIN"), _variants("END")),
    st.sampled_from([" ", "_", "-", "", "  "]),
    st.one_of(st.sampled_from(["SOLUTION", "SOLUTIONS", "solution", "Solution"]), _variants("SOLUTION")),
    st.sampled_from(["", " ", ":", " here", " (teacher)"]),
    st.sampled_from([str, str.lower, str.upper, str.title]),
)


def _one_cell_teacher(source: str, cell_type: str = "code", tags: list | None = None) -> nbformat.NotebookNode:
    make = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": nbformat.v4.new_raw_cell}[cell_type]
    cell = make(source)
    if tags is not None:
        cell.metadata["tags"] = tags
    nb = new_notebook(cells=[new_markdown_cell("# Lesson"), cell])
    for n, c in enumerate(nb.cells):
        c.id = f"c{n}"
    return nb


@EDITIONS_SETTINGS
@given(marker_lines, st.sampled_from(["open", "close", "both"]))
@example("#STARTOLUTION", "both")  # once let through: "start" with a dropped letter of "solution", glued
def test_a_marker_is_exact_or_refused_never_passed_through(line, where):
    begin, end = "# BEGIN SOLUTION", "# END SOLUTION"
    lines = {"open": [line, SECRET, end], "close": [begin, SECRET, line], "both": [line, SECRET, line]}[where]
    try:
        nb, _ = student_notebook(_one_cell_teacher("\n".join(lines)), "09_x.ipynb")
    except EditionError as err:
        assert "notebooks/09_x.ipynb, cell 2" in str(err) and "line" in str(err)
        return
    assert SECRET not in json.dumps(nb), f"{line!r} let the solution through"


@EDITIONS_SETTINGS
@given(marker_lines, st.sampled_from(["markdown", "raw"]))
def test_a_marker_in_a_markdown_or_raw_cell_stops_the_build(line, cell_type):
    source = f"Some text.\n{line}\n{SECRET}"
    if not editions.looks_like_marker(line) and not editions.BEGIN.match(line) and not editions.END.match(line):
        return  # a variant too far from a marker to be one (e.g. a dropped letter too many)
    with pytest.raises(EditionError, match=rf"cell 2 is a {cell_type} cell, but line 2 is a solution marker"):
        student_notebook(_one_cell_teacher(source, cell_type), "09_x.ipynb")


@EDITIONS_SETTINGS
@given(st.one_of(
    st.builds(lambda t, sep, case: case(t.replace("-", sep)), st.sampled_from(["teacher-only", "teachers-only", "teacher-only "]),
              st.sampled_from(["-", "_", " ", ""]), st.sampled_from([str, str.lower, str.upper, str.title])),
    _variants("teacher-only"), _variants("solution"),
    st.sampled_from(["Solution", "SOLUTION", "solutions", "Teacher-only", "teacher_only", "TeacherOnly"]),
), st.sampled_from(["code", "markdown"]))
def test_a_teacher_tag_is_exact_or_refused(tag, cell_type):
    try:
        nb, _ = student_notebook(_one_cell_teacher(SECRET, cell_type, [tag]), "09_x.ipynb")
    except EditionError as err:
        assert "cell 2" in str(err)
        return
    assert tag in ("teacher-only", "solution"), f"the tag {tag!r} was passed through"
    assert SECRET not in json.dumps(nb)


def test_tags_written_as_one_string_are_refused():
    nb = _one_cell_teacher(SECRET, "markdown")
    nb.cells[1].metadata["tags"] = "teacher-only"  # as a hand-edited .ipynb might have it
    with pytest.raises(EditionError, match="cell 2: its tags must be a list of strings"):
        student_notebook(nb, "09_x.ipynb")


@pytest.mark.parametrize("line", ["# begin solution", "# BEGIN SOLUTIONS", "#BEGIN_SOLUTION", "# BEGIN SOLUTON", "# Solution begins", "# END SOLUTION, part 1"])
def test_the_named_near_miss_markers_are_refused(line):
    with pytest.raises(EditionError, match=r"cell 2, line \d: .* looks like a solution marker but is not exactly one"):
        student_notebook(_one_cell_teacher(f"{line}\n{SECRET}\n# END SOLUTION" if "END" not in line else f"# BEGIN SOLUTION\n{SECRET}\n{line}"), "09_x.ipynb")


def test_ordinary_comments_are_not_taken_for_markers():
    source = "# BEGIN SOLUTION\nx = 1  # the solution begins with the count\n# END SOLUTION\n# end of the section on solutions\ny = 2"
    nb, _ = student_notebook(_one_cell_teacher(source), "09_x.ipynb")
    assert nb.cells[-1].source == "# Your code here.\n# end of the section on solutions\ny = 2"


@pytest.mark.parametrize("path", TEACHER, ids=lambda p: p.name)
def test_no_marker_or_teacher_tag_survives_in_the_student_edition(path):
    """Independent of the builder's parser: nothing in a student edition even resembles a marker or a teacher tag."""
    nb = nbformat.read(ROOT / "notebooks" / "student" / path.name, as_version=4)
    resembles = re.compile(r"(?i)(begin|end|start|stop)[\s_#-]*solut|solut\w*[\s_-]*(begin|end)")
    for n, cell in enumerate(nb.cells, start=1):
        assert not resembles.search(cell.source), f"{path.name}, cell {n}: {cell.source[:80]!r}"
        for tag in cell.metadata.get("tags", []):
            assert not re.search(r"(?i)teacher|solution", tag), f"{path.name}, cell {n}: tag {tag!r}"


def test_an_unknown_notebook_name_is_refused(dirs):
    teacher_dir, student_dir = dirs
    with pytest.raises(EditionError, match=r"no teacher notebook called '09_tinny'.*the notebooks are: 09_tiny.ipynb"):
        build(teacher_dir, student_dir, run=False, names=["09_tinny"], log=lambda _: None)


def test_student_editions_speak_to_students():
    """The heading names the student edition, and the banner talks to the student, not about the tools."""
    for path in sorted((ROOT / "notebooks" / "student").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert not re.search(r"Teacher edition|Edition: teacher", text), f"{path.name} calls itself the teacher edition"
        assert re.search(r"Student edition|Edition: student", text), f"{path.name}: its heading does not say it is the student edition"
        banner = nb.cells[0].source
        assert "Your copy of the lesson" in banner and not re.search(r"--force|make editions|teacher", banner, re.I)


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets: on other systems nbclient's TCP default is kept")
def test_lesson_kernels_talk_over_unix_sockets_in_a_folder_that_is_removed():
    """Two kernels starting at once can race for a TCP port and one dies before it answers; sockets cannot collide."""
    with editions.kernel_sockets() as km:
        assert km.transport == "ipc"
        folder = Path(km.ip).parent
        assert folder.is_dir() and str(folder) != str(ROOT)
    assert not folder.exists(), "the sockets' folder is removed with the kernel"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(6 * 7)")])
    assert editions.execute(nb, ROOT).cells[0].outputs[0]["text"] == "42\n"
