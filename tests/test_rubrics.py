"""Rubrics that add up.

Every written exercise (a markdown cell tagged ``student-answer``) has, in its teacher-only cell, one line
``**Rubric (N points).**`` followed by a list that is either

* criterion-based: every item ends with its points, ``1. Sourcing: names the occasion ... (2 points).``, and the
  items add up to N; or
* level-based: every item starts with a band of marks, ``- **4–5 points:** ...``, and the bands run without gap or
  overlap from 0 or 1 up to N.

For every written exercise that ``course.toml`` grades, N is the number of points the course file gives it (read
here with ``tomllib``, not through the course module, so that a mistake there cannot hide one here).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import nbformat
import pytest

from teach.course.lessons import exercises, lesson_path

ROOT = Path(__file__).resolve().parent.parent
TEACHER = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

RUBRIC = re.compile(r"\*\*Rubric \((\d+) points?\)\.?\*\*")
ITEM = re.compile(r"^\s*(?:\d+\.|[-*])\s+(.*\S)\s*$")
CRITERION = re.compile(r"\((\d+) points?\)\.?$")
LEVEL = re.compile(r"^\*\*(\d+)(?:\s*[–-]\s*(\d+))? points?:?\*\*:?")


def rubric_problems(text: str, expected: int | None = None) -> list[str]:
    """What is wrong with the rubric in ``text`` (a teacher-only cell); an empty list if nothing.

    ``expected``: the points the course file gives the exercise, if it is graded.
    """
    found = RUBRIC.findall(text)
    if not found:
        return ["no line '**Rubric (N points).**'"]
    if len(found) > 1:
        return [f"{len(found)} rubric lines; a written exercise has one rubric"]
    total = int(found[0])
    problems = []
    if expected is not None and total != expected:
        problems.append(f"the rubric is out of {total} points, course.toml gives the exercise {expected}")
    items = [m.group(1) for line in text[RUBRIC.search(text).end():].splitlines() if (m := ITEM.match(line))]
    if not items:
        return problems + ["the rubric lists no criteria or levels"]
    criteria = [CRITERION.search(item) for item in items]
    levels = [LEVEL.match(item) for item in items]
    if all(criteria):
        parts = [int(m.group(1)) for m in criteria]
        if sum(parts) != total:
            problems.append(f"the criteria add up to {' + '.join(map(str, parts))} = {sum(parts)}, not {total}")
    elif all(levels):
        bands = sorted((int(m.group(1)), int(m.group(2) or m.group(1))) for m in levels)
        if any(low > high for low, high in bands):
            problems.append(f"a band of marks runs backwards: {bands}")
        covered = [mark for low, high in bands for mark in range(low, high + 1)]
        if len(covered) != len(set(covered)):
            problems.append(f"the levels overlap: {bands}")
        if max(covered) != total or min(covered) > 1 or sorted(set(covered)) != list(range(min(covered), total + 1)):
            problems.append(f"the levels {bands} do not run without a gap from 0 or 1 up to {total}")
    else:
        loose = [item[:50] for item, c, l in zip(items, criteria, levels) if not (c or l)] or [items[0][:50]]
        problems.append(
            "every item must either end with its points, '(1 point).', or start with its band, '**4–5 points:**', "
            f"and all items the same way; see {loose[0]!r}"
        )
    return problems


def _written(path: Path) -> dict[str, str]:
    """Each written exercise of a teacher edition -> the text of its teacher-only cells."""
    nb = nbformat.read(path, as_version=4)
    return {
        qid: "\n\n".join(nb.cells[i].source for i in exercise.rubric)
        for qid, exercise in exercises(nb).items()
        if exercise.has_written
    }


def _graded_written_points() -> list[tuple[str, str, int]]:
    """(lesson, exercise, points) for every written part course.toml grades."""
    course = tomllib.loads((ROOT / "course.toml").read_text(encoding="utf-8"))
    graded = []
    for assignment in course.get("assignment", []):
        path = lesson_path(assignment["lesson"])
        assert path is not None, f"course.toml names a lesson that does not exist: {assignment['lesson']!r}"
        found = exercises(nbformat.read(path, as_version=4))
        for qid, value in assignment.get("points", {}).items():
            exercise = found[qid]
            if isinstance(value, dict):
                points = value.get("written")
            else:
                points = value if exercise.has_written and not exercise.has_code else None
            if points is not None:
                graded.append((path.stem, qid, points))
    return graded


@pytest.mark.parametrize("path", TEACHER, ids=lambda p: p.name)
def test_every_written_exercise_has_a_rubric_whose_parts_add_up(path):
    written = _written(path)
    problems = [f"exercise {qid}: {problem}" for qid, text in written.items() for problem in rubric_problems(text)]
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_every_graded_written_exercise_is_worth_the_points_its_rubric_gives():
    graded = _graded_written_points()
    assert graded, "course.toml grades at least one written exercise"
    problems = []
    for lesson, qid, points in graded:
        text = _written(ROOT / "notebooks" / f"{lesson}.ipynb").get(qid)
        if text is None:
            problems.append(f"{lesson}, exercise {qid}: graded as written, but it has no student-answer cell")
            continue
        problems += [f"{lesson}, exercise {qid}: {p}" for p in rubric_problems(text, expected=int(points))]
    assert not problems, "; ".join(problems)


GOOD_CRITERIA = """**Model answer.** ...

**Rubric (5 points).**
1. Sourcing: who, when, for whom (2 points).
2. Close reading: a word or line of the excerpt (1 point).
3. Judgement with evidence (2 points).
"""

GOOD_LEVELS = """**Rubric (5 points).**
- **5 points:** all three parts, each with evidence.
- **3–4 points:** two parts with evidence.
- **1–2 points:** one part, or assertions without evidence.
- **0 points:** nothing relevant.
"""


def test_the_check_accepts_a_rubric_that_adds_up():
    assert rubric_problems(GOOD_CRITERIA) == []
    assert rubric_problems(GOOD_CRITERIA, expected=5) == []
    assert rubric_problems(GOOD_LEVELS, expected=5) == []


@pytest.mark.parametrize(
    "text, expected, problem",
    [
        (GOOD_CRITERIA.replace("(2 points).\n2.", "(1 point).\n2."), None, "add up to 1 + 1 + 2 = 4, not 5"),
        (GOOD_CRITERIA, 6, "out of 5 points, course.toml gives the exercise 6"),
        (GOOD_CRITERIA.replace("Rubric (5 points).", "Rubric (3 points)."), 3, "= 5, not 3"),
        (GOOD_CRITERIA.replace("**Rubric (5 points).**", "**Rubric** (three criteria, one point each):"), None, "no line"),
        (GOOD_CRITERIA.replace(" (1 point).", "."), None, "every item must either end with its points"),
        (GOOD_LEVELS.replace("3–4 points", "3 points"), 5, "do not run without a gap"),
        (GOOD_LEVELS.replace("1–2 points", "1–3 points"), 5, "the levels overlap"),
        (GOOD_LEVELS.replace("5 points:", "6 points:"), 5, "do not run without a gap"),
        (GOOD_CRITERIA + "\n" + GOOD_CRITERIA, None, "2 rubric lines"),
    ],
    ids=["criteria-add-up-to-4-of-5", "course-gives-6", "criteria-5-of-3", "no-rubric-line", "item-without-points",
         "levels-gap", "levels-overlap", "levels-top-above-total", "two-rubrics"],
)
def test_the_check_fails_a_broken_rubric(text, expected, problem):
    problems = rubric_problems(text, expected)
    assert any(problem in p for p in problems), problems
