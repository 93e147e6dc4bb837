"""The lesson model (teach/lesson.py): roles, routes, and the strictness that keeps solutions out of student copies."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from teach.editions import student_notebook
from teach.lesson import LessonModelError, read, read_path

ROOT = Path(__file__).resolve().parent.parent
TEACHER = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SECRET = "answer_9_1 = 4242  # the secret"
md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell


def lesson(*cells, metadata=None):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata.update(metadata or {})
    return nb


def tagged(cell, *tags):
    cell.metadata["tags"] = list(tags)
    return cell


@pytest.mark.parametrize("path", TEACHER, ids=lambda p: p.name)
def test_every_teacher_edition_reads_and_every_cell_has_one_role(path):
    model = read_path(path)
    assert len(model.cells) == len(model.nb.cells)
    assert {c.role for c in model.cells} <= {"prose", "given", "document", "solution", "check", "written", "model", "key-terms"}
    for ex in model.exercises.values():
        assert all(model.cells[i].exercise == ex.id for i in ex.cells)


def test_roles_of_a_small_lesson():
    model = read(lesson(
        md("# Lesson 9: Demo"),
        code("from helpers import documents as docs\ndocs.card('x')"),
        md("### Exercise 9.1"),
        code(f"# BEGIN SOLUTION\n{SECRET}\n# END SOLUTION"),
        code('check("9.1", answer_9_1)'),
        tagged(md("*Write your answer here.*"), "student-answer"),
        tagged(md("**Model answer.** 4242."), "teacher-only"),
        tagged(md("**Key terms:** revisionism, Cominform"), "key-terms"),
    ), "09_demo.ipynb")
    assert [c.role for c in model.cells] == ["prose", "document", "prose", "solution", "check", "written", "model", "key-terms"]
    ex = model.exercises["9.1"]
    assert (ex.answers, ex.check, ex.written, ex.rubric) == ([3], 4, [5], [6])
    assert model.key_terms() == ["revisionism", "Cominform"]


@pytest.mark.parametrize("cell, expected", [
    (code("x = 1  # BEGIN SOLUTION\nanswer = 2"), "marker after code on the same line"),
    (code(f"{SECRET}  # end solution"), "marker after code on the same line"),
    (code(f"#END SOLUTION\n{SECRET}\n# END SOLUTION"), "closes a solution that was never opened"),
    (md("<!-- BEGIN SOLUTION -->\n4242\n<!-- END SOLUTION -->"), "is a solution marker"),
    (tagged(md(SECRET), "teacher"), "not one the lessons use"),
    (tagged(md(SECRET), "soln"), "not one the lessons use"),
    (tagged(md(SECRET), "Teacher-Only"), "looks like 'teacher-only'"),
    (tagged(code(SECRET), "solutions"), "looks like 'solution'"),
    (tagged(md(SECRET), "extention"), "looks like 'extension'"),
])
def test_near_markers_and_roles_stop_the_build_with_cell_and_line(cell, expected):
    with pytest.raises(LessonModelError, match=expected) as err:
        read(lesson(md("# Lesson 9"), cell), "09_demo.ipynb")
    assert "notebooks/09_demo.ipynb, cell 2" in str(err.value)


@pytest.mark.parametrize("metadata", [{"solution": True}, {"nbgrader": {"solution": True}}, {"role": "teacher"}])
def test_roles_in_cell_metadata_are_refused(metadata):
    cell = code(SECRET)
    cell.metadata.update(metadata)
    with pytest.raises(LessonModelError, match="cell 2: its metadata holds"):
        read(lesson(md("# Lesson 9"), cell), "09_demo.ipynb")


def test_roles_in_notebook_metadata_are_refused():
    with pytest.raises(LessonModelError, match="the notebook's metadata holds 'solutions'"):
        read(lesson(md("# Lesson 9"), metadata={"solutions": [2]}), "09_demo.ipynb")


def extension_lesson():
    return lesson(
        md("# Lesson 9: Demo"),
        md("## 1. Core section"),
        code("print('core')"),
        tagged(md("## 2. Further (extension)"), "extension"),
        tagged(md("### Exercise 9.2 (extension)"), "extension"),
        tagged(code("# BEGIN SOLUTION\nanswer_9_2 = 1\n# END SOLUTION"), "extension"),
        md("## Key points"),
    )


def test_the_core_route_leaves_the_extension_out_and_the_full_route_keeps_it():
    model = read(extension_lesson(), "09_demo.ipynb")
    assert [c.route for c in model.cells] == ["core", "core", "core", "extension", "extension", "extension", "core"]
    assert model.exercises["9.2"].route == "extension"
    core, _ = student_notebook(extension_lesson(), "09_demo.ipynb", route="core")
    full, _ = student_notebook(extension_lesson(), "09_demo.ipynb", route="full")
    assert "Further" not in json.dumps(core) and "Key points" in json.dumps(core)
    assert "Further (extension)" in json.dumps(full)


def test_an_extension_run_needs_its_visible_heading_and_every_cell_of_the_section_its_tag():
    nb = extension_lesson()
    nb.cells[3].source = "## 2. Further"  # the label a student sees is gone
    with pytest.raises(LessonModelError, match="cell 4: it starts a run of 'extension' cells"):
        read(nb, "09_demo.ipynb")
    nb = extension_lesson()
    nb.cells[5].metadata["tags"] = []  # a cell inside the section left untagged
    with pytest.raises(LessonModelError, match="cell 6: it sits inside an extension section"):
        read(nb, "09_demo.ipynb")
    nb = extension_lesson()
    nb.cells[3].metadata["tags"] = []  # labelled but not tagged
    with pytest.raises(LessonModelError, match="cell 4: its heading ends in '\\(extension\\)' but the cell is not tagged"):
        read(nb, "09_demo.ipynb")


def test_the_key_terms_close_an_extension_run_before_the_key_points():
    nb = extension_lesson()
    nb.cells.insert(6, tagged(md("**Key terms:** revisionism, Cominform"), "key-terms"))
    model = read(nb, "09_demo.ipynb")
    assert [c.route for c in model.cells][3:] == ["extension", "extension", "extension", "core", "core"]
    assert model.key_terms() == ["revisionism", "Cominform"]


def test_a_truncated_notebook_gets_a_clear_message(tmp_path):
    broken = tmp_path / "09_demo.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(LessonModelError, match="cannot be read as a notebook"):
        read_path(broken)


def test_a_core_route_assignment_cannot_grade_an_extension_exercise(tmp_path):
    from teach.course.config import CourseFileError, load_course

    (tmp_path / "notebooks").mkdir()
    nbformat.write(extension_lesson(), tmp_path / "notebooks" / "09_demo.ipynb")
    course = tmp_path / "course.toml"
    course.write_text('[[assignment]]\nname = "a9"\nlesson = "09_demo"\nroute = "core"\n[assignment.points]\n"9.2" = 1\n', encoding="utf-8")
    with pytest.raises(CourseFileError, match="takes the core route, which leaves out exercise 9.2"):
        load_course(course, teacher_dir=tmp_path / "notebooks")
    course.write_text(course.read_text().replace('route = "core"', 'route = "sideways"'), encoding="utf-8")
    with pytest.raises(CourseFileError, match="route must be 'full' or 'core'"):
        load_course(course, teacher_dir=tmp_path / "notebooks")


def test_the_key_terms_cell_closes_an_extension_section():
    nb = extension_lesson()
    nb.cells.insert(6, tagged(md("**Key terms:** Cominform"), "key-terms"))
    model = read(nb, "09_demo.ipynb")
    assert [c.route for c in model.cells][-2:] == ["core", "core"] and model.key_terms() == ["Cominform"]
