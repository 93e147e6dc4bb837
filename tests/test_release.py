"""The class copy holds nothing a student must not see: checked without the tools that built it.

The secrets are found here by this file's own reading of the teacher editions (looser than the builder's:
any spelling of the solution markers, in any kind of cell, any tag that mentions a teacher or a solution,
model answers and rubrics by their words), and the answers by running the teacher editions and recording
what each check was given. The class copy is searched as files and as every blob of its git history.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from teach import editions
from teach.course.config import load_course
from teach.course.release import ReleaseError, release

ROOT = Path(__file__).resolve().parent.parent
TEACHER = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BEGIN = re.compile(r"begin\W*solution", re.I)
END = re.compile(r"end\W*solution", re.I)
CHECK = re.compile(r"""check\(\s*["'](\d+\.\d+)["']""")


def _secret_and_public_lines() -> tuple[set[str], set[str]]:
    secret: set[str] = set()
    public: set[str] = set()
    for path in TEACHER:
        for cell in nbformat.read(path, as_version=4).cells:
            tags = " ".join(cell.get("metadata", {}).get("tags", [])).casefold()
            lines = cell.source.splitlines()
            whole = "teacher" in tags or "solution" in tags or re.search(r"model answer|rubric", cell.source[:200], re.I)
            inside = False
            for line in lines:
                if BEGIN.search(line):
                    inside = True
                elif END.search(line):
                    inside = False
                elif whole or inside:
                    secret.add(line.strip())
                else:
                    public.add(line.strip())
    return {line for line in secret - public if len(line) >= 12}, public


def _texts_of(raw: bytes, name: str) -> dict[str, str]:
    """What a student can read in one file: for a notebook, its sources, outputs and metadata apart."""
    text = raw.decode("utf-8", errors="replace")
    try:
        doc = json.loads(text)
    except ValueError:
        return {"py" if name.endswith(".py") else "file": text}
    if not isinstance(doc, dict) or "cells" not in doc:
        return {"file": text}
    parts = {"markdown": [], "code": [], "outputs": [], "metadata": [json.dumps(doc.get("metadata", {}), ensure_ascii=False)]}
    for cell in doc["cells"]:
        source = "".join(cell.get("source", ""))
        parts["markdown" if cell.get("cell_type") != "code" else "code"].append(source)
        parts["metadata"].append(json.dumps(cell.get("metadata", {}), ensure_ascii=False))
        for out in cell.get("outputs", []):
            parts["outputs"].append(json.dumps(out, ensure_ascii=False))
    return {k: "\n".join(v) for k, v in parts.items()}


def _corpus(copy: Path) -> list[tuple[str, dict[str, str]]]:
    """(name, texts) for every file of the work tree and every blob in the copy's history."""
    items = [(str(p.relative_to(copy)), _texts_of(p.read_bytes(), p.name)) for p in copy.rglob("*") if p.is_file() and ".git" not in p.parts]
    objects = subprocess.run(["git", "rev-list", "--all", "--objects"], cwd=copy, capture_output=True, text=True, check=True).stdout.split("\n")
    for line in objects:
        sha, _, name = line.partition(" ")
        if not name:
            continue
        kind = subprocess.run(["git", "cat-file", "-t", sha], cwd=copy, capture_output=True, text=True).stdout.strip()
        if kind == "blob":
            raw = subprocess.run(["git", "cat-file", "blob", sha], cwd=copy, capture_output=True, check=True).stdout
            items.append((f"git:{name}", _texts_of(raw, name)))
    return items


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    """Every answer each teacher edition's checks are given (run for real, recorded by check())."""
    record = tmp_path_factory.mktemp("record") / "answers.jsonl"
    import os

    os.environ["HELPERS_RECORD_ANSWERS"] = str(record)
    try:
        for path in TEACHER:  # errors elsewhere are test_editions' business; here only the answers count
            with editions.kernel_sockets() as km:
                NotebookClient(nbformat.read(path, as_version=4), km=km, timeout=300, allow_errors=True,
                               resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        del os.environ["HELPERS_RECORD_ANSWERS"]
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def _course_file(path: Path, leave_out: set[str]) -> Path:
    """A course file grading every code exercise of every lesson (found by this file's own reading) but ``leave_out``."""
    lines = ['[course]\nid = "leak-test"\n']
    for lesson in TEACHER:
        cells = nbformat.read(lesson, as_version=4).cells
        headings = set(re.findall(r"Exercise (\d+\.\d+)", "\n".join(c.source for c in cells if c.cell_type == "markdown")))
        checked = set(CHECK.findall("\n".join(c.source for c in cells if c.cell_type == "code")))
        ids = sorted((headings & checked) - leave_out, key=lambda q: [int(p) for p in q.split(".")])
        if not ids:  # a lesson with no code exercise (the final essay): nothing of it to grade automatically
            continue
        lines.append(f'[[assignment]]\nname = "a{lesson.stem[:2]}"\nlesson = "{lesson.stem}"\n[assignment.points]')
        lines += [f'"{qid}" = {{ code = 1 }}' for qid in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def class_copy(tmp_path_factory):
    """A class copy whose course file grades every code exercise whose answer the lessons' text does not state.

    The release refuses, naming the cell, to grade an exercise that the lesson's own text answers ("in which
    city did the parties meet?" in a lesson about the Moscow Conference); those stay practice here.
    """
    base = tmp_path_factory.mktemp("release")
    copy = base / "class-copy"
    refused: dict[str, str] = {}
    for _ in range(30):
        course = load_course(_course_file(base / "course.toml", set(refused)))
        try:
            release(copy, course, log=lambda *_: None)
            break
        except ReleaseError as err:
            matches = re.findall(r"cell \d+: the lesson's own text states the answer of graded exercise ([\d., ]+)\.", str(err))
            assert matches and len(matches) == len(str(err).splitlines()), f"the release refused for another reason: {err}"
            refused.update({q.strip(): str(err) for found in matches for q in found.split(",")})
    else:
        pytest.fail(f"the release still refuses after leaving out {sorted(refused)}")
    # the text states the year or date some exercises ask for (0.2, 0.3, 1.1, 1.3, 2.12, 2.15, 3.14, 5.10 when this
    # was written): right to refuse; more than ten would mean the search finds answers that are not there
    assert len(refused) <= 10, f"the lessons' text gives away many exercises: {refused}"
    release(copy, course, log=lambda *_: None)  # unchanged: no second commit
    practice = base / "practice-copy"
    release(practice, None, log=lambda *_: None)  # a copy released for practice holds every exercise's hash...
    with pytest.raises(ReleaseError, match="already gave out the answers"):
        release(practice, course, log=lambda *_: None)  # ...so grading its exercises later is refused
    return copy, course


def test_the_class_copy_is_what_students_need_and_nothing_else(class_copy):
    copy, _ = class_copy
    names = {str(p.relative_to(copy)) for p in copy.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert {f"notebooks/{p.name}" for p in TEACHER} <= names
    assert "README.md" in names and "pyproject.toml" in names and "data/datapackage.json" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "notebooks/student/", "teach/course/"))]
    assert not [n for n in names if n.endswith(("editions.py", "execute.py"))]
    log = subprocess.run(["git", "log", "--format=%s"], cwd=copy, capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(log) == 1, "a release with nothing new adds no commit"


def test_the_class_copy_shows_the_figures_drawn_ahead_of_time(class_copy):
    """Its store is the project's, and its kernels compute the same stamp: students' lessons use it, not draw again."""
    copy, _ = class_copy
    ours = json.loads((ROOT / "helpers" / "figures" / "index.json").read_text(encoding="utf-8"))
    theirs = json.loads((copy / "helpers" / "figures" / "index.json").read_text(encoding="utf-8"))
    assert theirs == ours and theirs["figures"]
    assert all((copy / "helpers" / "figures" / name).read_bytes() == (ROOT / "helpers" / "figures" / name).read_bytes() for name in ours["figures"])
    script = "from helpers import figure_store; print(figure_store.stamp().hex())"
    stamp = subprocess.run([sys.executable, "-c", script], cwd=copy, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
                           capture_output=True, text=True, check=True).stdout.strip()
    assert {entry["stamp"] for entry in theirs["lessons"].values()} == {stamp}


def test_no_solution_or_rubric_line_in_the_files_or_the_history(class_copy):
    copy, _ = class_copy
    secret, _ = _secret_and_public_lines()
    assert len(secret) > 50, "the teacher editions have solutions and rubrics to look for"
    leaks = [(name, line) for name, texts in _corpus(copy) for line in secret for text in texts.values() if line in text]
    assert not leaks, f"{len(leaks)} solution or rubric lines in the class copy, e.g. {leaks[:3]}"


def _renderings(answer: dict) -> list[re.Pattern]:
    """Ways an answer could be written out that would be hard to meet by chance."""
    form = answer["forms"][0]
    found = []
    if re.fullmatch(r"-?\d+\.\d+", form) and len(form.strip("-").replace(".", "").lstrip("0")) >= 3:
        sign = "[-\u2212]" if form.startswith("-") else "(?<![-\u2212])"
        found.append(re.compile(rf"(?<![\d.]){sign}{re.escape(form.lstrip('-'))}(?!\d)"))
    numbers = re.findall(r"n:(-?\d+)\.00", form)
    if len(numbers) >= 2 and form.count("\x1f") == len(numbers) - 1:
        found.append(re.compile(r"\D{1,40}".join(numbers)))
    if form.startswith("t:") is False and not re.search(r"\d", form) and len(form) >= 12:
        found.append(re.compile(re.escape(form), re.I))
    return found


def test_no_answer_in_docstrings_outputs_or_lesson_text(class_copy, answers):
    """An answer printed by a stored output, written in a docstring or given away by the lesson's text.

    Years and small counts cannot be told from the rest of a history lesson by searching, so they are not
    searched here; for graded exercises the check below proves they cannot be recovered either.
    """
    copy, _ = class_copy
    leaks = []
    for name, texts in _corpus(copy):
        if not name.endswith((".py", ".ipynb")):
            continue
        for answer in answers:
            for pattern in _renderings(answer):
                for part in ("py", "outputs", "markdown"):
                    if part in texts and (hit := pattern.search(texts[part])):
                        context = texts[part][max(0, hit.start() - 50): hit.end() + 20].replace("\n", " ")
                        leaks.append(f"{name} ({part}): exercise {answer['id']}: ...{context}...")
    assert not leaks, f"{len(leaks)} answers in plain sight:\n" + "\n".join(sorted(set(leaks))[:25])


def _same_value(shown: str, answer: dict) -> bool:
    """Whether a doctest's printed result is the answer (also as a fraction of a percentage answer)."""
    text = answer["text"].strip()
    try:
        value, number = float(shown), float(text)
    except ValueError:
        return shown == text or (len(text) >= 12 and text in shown)
    decimals = len(shown.partition(".")[2])
    if abs(value) < 10 and (decimals == 0 or number == int(number)):
        return False  # 2, 3, 4.0: small whole numbers are in every example
    return any(abs(value - round(v, decimals)) < 1e-9 for v in (number, number / 100))


def test_no_docstring_example_computes_an_answer(class_copy, answers):
    """A docstring example run on the lesson's data prints what an exercise asks for, years and counts included."""
    copy, _ = class_copy
    leaks = []
    for path in sorted(copy.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines[:-1], start=1):
            shown = lines[number].strip()
            if line.strip().startswith(">>>") and shown and not shown.startswith(">>>"):
                leaks += [f"{path.relative_to(copy)}:{number + 1}: {shown[:60]} (exercise {a['id']})" for a in answers if _same_value(shown, a)]
    assert not leaks, "docstring examples that print an exercise's answer:\n" + "\n".join(leaks)


def test_graded_answers_cannot_be_recovered_from_the_class_copy(class_copy, answers):
    """No hash or salt of a graded exercise survives, and its check says the same for right and wrong."""
    copy, course = class_copy
    graded = course.graded_code_exercises()
    bank = {}
    for path in (ROOT / "helpers" / "answers").glob("*.json"):
        bank.update(json.loads(path.read_text(encoding="utf-8")))
    secrets = {s for qid in graded for s in [bank[qid]["salt"], *bank[qid]["hashes"]]}
    hits = [(name, s) for name, texts in _corpus(copy) for s in secrets for t in texts.values() if s in t]
    assert not hits, f"hashes or salts of graded exercises in the class copy: {hits[:3]}"
    probes = []
    for answer in answers:
        if answer["id"] in graded and bank[answer["id"]]["kind"] in ("number", "integer", "date"):
            probes.append((answer["id"], answer["text"].split(" ")[0]))
    assert len(probes) >= 10
    script = (
        "import json, sys\nfrom helpers.exercises import check\nout = []\n"
        "for qid, text in json.loads(sys.argv[1]):\n"
        "    value = text if '-' in text[1:] else float(text)\n"
        "    wrong = '1900-01-01' if isinstance(value, str) else value + 7\n"
        "    right, other = check(qid, value), check(qid, wrong)\n"
        "    out.append([qid, str(right), str(other), right.correct])\n"
        "print(json.dumps(out))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, json.dumps(probes)], cwd=copy, env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    for qid, right, other, correct in json.loads(run.stdout):
        assert right == other, f"{qid}: the class copy's check tells a right answer from a wrong one"
        assert correct is None and "graded" in right


def test_a_release_keeps_changes_committed_by_hand_unless_forced(tmp_path):
    import subprocess

    copy = tmp_path / "class-copy"
    release(copy, None, log=lambda *_: None)
    (copy / "README.md").write_text("a note committed in the class copy\n", encoding="utf-8")
    ident = ["-c", "user.name=A Teacher", "-c", "user.email=teacher@school.example"]
    subprocess.run(["git", *ident, "commit", "-qam", "my note"], cwd=copy, check=True)
    with pytest.raises(ReleaseError, match="1 commit\\(s\\) made by hand since the last release .* README.md"):
        release(copy, None, log=lambda *_: None)
    assert (copy / "README.md").read_text(encoding="utf-8") == "a note committed in the class copy\n"
    release(copy, None, force=True, log=lambda *_: None)
    assert (tmp_path / "class-copy.backup-1" / "README.md").read_text(encoding="utf-8") == "a note committed in the class copy\n"
    assert "a note committed" not in (copy / "README.md").read_text(encoding="utf-8")
    release(copy, None, log=lambda *_: None)  # the forced release is the last release now: nothing to refuse


def test_a_release_keeps_changes_made_by_hand_unless_forced(tmp_path):
    copy = tmp_path / "class-copy"
    release(copy, None, log=lambda *_: None)
    (copy / "README.md").write_text("my own notes for the class\n", encoding="utf-8")
    with pytest.raises(ReleaseError, match="README.md"):
        release(copy, None, log=lambda *_: None)
    assert (copy / "README.md").read_text(encoding="utf-8") == "my own notes for the class\n"
    release(copy, None, force=True, log=lambda *_: None)
    assert (tmp_path / "class-copy.backup-1" / "README.md").read_text(encoding="utf-8") == "my own notes for the class\n"
    assert "my own notes" not in (copy / "README.md").read_text(encoding="utf-8")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "essay.txt").write_text("x")
    with pytest.raises(ReleaseError, match="not a class copy"):
        release(tmp_path / "other", None, log=lambda *_: None)


def _entry(qid: str, kind: str, value, **extra) -> dict:
    """A bank entry for ``value`` as ``register`` writes it (in a temporary bank file)."""
    import tempfile

    from helpers.exercises import register

    if kind == "number":
        extra.setdefault("decimals", 2)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bank.json"
        register(qid, value, kind, "a hint", bank_path=path, **extra)
        return json.loads(path.read_text(encoding="utf-8"))[qid]


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("date", "1954-10-12", "The agreements of 12 October 1954 were signed in Beijing."),
        ("date", "1954-10-12", "Signed on Oct. 12, 1954, in Beijing."),
        ("date", "1954-10-12", "签订于1954年10月12日。"),
        ("date", "1954-10-12", "| 1954-10-12 | loan |"),
        ("integer", 1957, "The conference met in Moscow in 1957."),
        ("number", 4.25, "Turnover grew by a factor of 4.25."),
        ("number", 4.25, "The factor, 4.25, is large."),
    ],
)
def test_the_release_finds_an_answer_stated_in_the_text(kind, value, text):
    from teach.course.release import _gives_away

    assert _gives_away(text, {"9.1": _entry("9.1", kind, value)}) == ["9.1"]


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        ("date", "1954-10-12", "The agreements of 11 October 1954 and the loans of 1954."),
        ("integer", 1957, "The conference met in Moscow in 1958, with 64 parties."),
        ("integer", 6, "Six projects: 6 of them, 156 agreed and 150 built."),
        ("number", 4.25, "Turnover grew by a factor of 4.26."),
    ],
)
def test_the_release_does_not_refuse_what_only_looks_like_an_answer(kind, value, text):
    from teach.course.release import _gives_away

    assert _gives_away(text, {"9.1": _entry("9.1", kind, value)}) == []


def test_a_release_refuses_a_lesson_whose_text_states_a_graded_answer():
    from teach.course.release import _without_answers

    cells = [{"cell_type": "markdown", "metadata": {}, "source": text} for text in ("Signed on 12 October 1954.", "Nothing here.", "On 1954-10-12, in Beijing.")]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    refusals: list[str] = []
    _without_answers(json.dumps(nb).encode(), {"9.1": _entry("9.1", "date", "1954-10-12")}, "L.ipynb", print, refusals)
    assert len(refusals) == 2, "every cell that states the answer is named, in one go"
    assert refusals[0].startswith("L.ipynb, cell 1: ") and refusals[1].startswith("L.ipynb, cell 3: ")
    assert all("graded exercise 9.1" in line for line in refusals)


def test_a_release_refuses_to_grade_one_of_a_linked_pair_and_keep_the_other_as_practice(tmp_path):
    from teach.course.config import load_course
    from teach.course.release import linked_practice

    bank = {"1.7": _entry("1.7", "number", 4.25, decimals=2, linked=["1.8"]), "1.8": _entry("1.8", "number", 23.0, decimals=1, linked=["1.7"])}
    assert bank["1.7"]["linked"] == ["1.8"]
    path = tmp_path / "course.toml"
    base = '[[assignment]]\nname = "lesson01"\nlesson = "01_honeymoon"\n[assignment.points]\n'
    path.write_text(base + '"1.7" = 2\n', encoding="utf-8")
    problems = linked_practice(load_course(path), bank)
    assert len(problems) == 1 and "exercise 1.7 is graded, but exercise 1.8" in problems[0]
    path.write_text(base + '"1.7" = 2\n"1.8" = 2\n', encoding="utf-8")
    assert linked_practice(load_course(path), bank) == []
    # on the core route 1.8 (extension) is not in the class copy, so grading 1.7 alone gives nothing away
    from teach.course.release import class_bank

    course = load_course(ROOT / "course.toml")
    shipped = {q for entries in class_bank(course).values() for q, spec in entries.items() if "hashes" in spec}
    assert "1.8" not in shipped and "1.7" in course.graded_code_exercises()
    assert linked_practice(course, bank, shipped) == []
