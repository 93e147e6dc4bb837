"""The class report and the export, on classes written through nbgrader's own gradebook API (tests/class_sim.py).

A class of three whose figures are computed by hand here; a seeded class of 30 with a student still to grade by
hand and one without a submission; the alternatives registered in the answer bank (hashes with a source_id, never
in a class copy's form-only entry); the export's three layouts; and bad input, one line each.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest
from class_sim import ALTERNATIVES, MODEL, make_course, simulated_class, tiny_class, write_bank

from helpers.exercises import BANK_DIR, add_alternative, alternative_of, check, form_only_entry, load_bank, register
from teach.course import export as ex
from teach.course.classdata import load
from teach.course.report import item_stats, similar_pairs, thirds, write_report
from teach.course.report import main as report_main
from teach.errors import ToolError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    return load_bank(write_bank(tmp_path_factory.mktemp("bank") / "bank.json"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, bank):
    course = make_course(tmp_path_factory.mktemp("tiny") / "course", tiny_class())
    index = write_report(course, "lesson02", bank=bank, log=lambda *_: None)
    return course, index


@pytest.fixture(scope="module")
def class30(tmp_path_factory, bank):
    course = make_course(tmp_path_factory.mktemp("c30") / "course", simulated_class(30), extra_students=("zoe",))
    lines: list[str] = []
    index = write_report(course, "lesson02", bank=bank, log=lines.append)
    return course, index, lines


# --------------------------------------------------------------------------- the answer bank's alternatives


def test_an_alternative_is_a_salted_hash_with_its_source_and_stays_wrong(tmp_path):
    path = tmp_path / "b.json"
    register("9.1", "1957-11-18", kind="date", hint="Section 4.", alternatives=[ALTERNATIVES["2.1"]], bank_path=path)
    spec = json.loads(path.read_text(encoding="utf-8"))["9.1"]
    (alt,) = spec["alternatives"]
    assert set(alt) == {"hash", "source_id", "label"} and alt["source_id"] == "theobald_chinaknowledge"
    assert "1957-11-06" not in path.read_text(encoding="utf-8")
    assert check("9.1", "6 November 1957", bank_path=path).correct is False
    assert alternative_of("9.1", "6 Nov 1957", spec)["label"].startswith("Theobald")
    assert alternative_of("9.1", "1957-11-18", spec) is None
    assert set(form_only_entry(spec)) <= {"kind", "decimals", "ordered", "graded"}


def test_add_alternative_keeps_the_salt_and_the_answers(tmp_path):
    path = tmp_path / "b.json"
    register("9.2", 19, kind="integer", hint="Count the days.", bank_path=path)
    before = json.loads(path.read_text(encoding="utf-8"))["9.2"]
    add_alternative("9.2", 17, "wilson_note1960", "the interval from the German copy's date", bank_path=path)
    after = json.loads(path.read_text(encoding="utf-8"))["9.2"]
    assert (after["salt"], after["hashes"]) == (before["salt"], before["hashes"])
    assert check("9.2", 19, bank_path=path).correct is True and check("9.2", 17, bank_path=path).correct is False


@pytest.mark.parametrize("value, source, label, words", [
    (17, "no_such_source", "x", "not a source_id"),
    (19, "wilson_note1960", "x", "accepted answer already"),
    (17, "wilson_note1960", " ", "needs a label"),
])
def test_an_alternative_must_name_a_real_source_and_differ_from_the_answer(tmp_path, value, source, label, words):
    path = tmp_path / "b.json"
    register("9.3", 19, kind="integer", hint="Count the days.", bank_path=path)
    with pytest.raises(ValueError, match=words):
        add_alternative("9.3", value, source, label, bank_path=path)


def test_the_shipped_alternatives_name_sources_of_the_bibliography():
    with open(ROOT / "data" / "sources.csv", encoding="utf-8", newline="") as handle:
        ids = {row["source_id"] for row in csv.DictReader(handle)}
    found = 0
    for path in BANK_DIR.glob("*.json"):
        for qid, spec in json.loads(path.read_text(encoding="utf-8")).items():
            for alt in spec.get("alternatives", []):
                found += 1
                assert alt["source_id"] in ids, f"{qid}: {alt['source_id']}"
                assert alt["hash"] not in spec["hashes"], qid
    assert found >= 3


# --------------------------------------------------------------------------- figures by hand (three students)


def test_the_figures_of_a_class_of_three_by_hand(tiny, bank):
    course, _ = tiny
    data = load(course, "lesson02")
    assert [data.total(s) for s in ("ann", "ben", "cat")] == [9, 5, 1]
    assert thirds(data) == (["ann"], ["cat"])
    stats = {s.item.qid: s for s in item_stats(data, bank)}
    # 2.1: ann right, ben and cat wrong with the same date in two forms, both Theobald's
    assert (stats["2.1"].full, stats["2.1"].graded, stats["2.1"].discrimination) == (1, 3, 1.0)
    assert stats["2.1"].wrong == [("'6 November 1957' = Theobald's date (6 November)", 2)]
    assert [(alt["source_id"], n) for alt, n in stats["2.1"].followed] == [("theobald_chinaknowledge", 2)]
    # 2.2: two full marks of three; cat gave Shen's 68
    assert stats["2.2"].share_full == pytest.approx(2 / 3) and stats["2.2"].mean == pytest.approx(4 / 3)
    assert [(alt["source_id"], n) for alt, n in stats["2.2"].followed] == [("shen2020", 1)]
    # 2.3: one right, one wrong (17, the German copy's interval), one unanswered
    assert stats["2.3"].verdicts == {"right": 1, "wrong": 1, "unanswered": 1}
    # 2.4 (written, 5 points): 5, 3 and 1 points; top third 5/5, bottom third 1/5
    assert stats["2.4"].distribution == {1.0: 1, 3.0: 1, 5.0: 1}
    assert stats["2.4"].discrimination == pytest.approx(1.0 - 0.2)
    assert data.rubrics["2.4"][0] == MODEL and data.rubrics["2.4"][1].startswith("**Rubric")


def test_the_csv_holds_the_same_figures(tiny):
    course, index = tiny
    rows = {r["exercise"]: r for r in csv.DictReader((index.parent / "report.csv").open(encoding="utf-8"))}
    assert rows["2.2"]["share_full_marks"] == "0.6667" and rows["2.4"]["discrimination"] == "0.8000"
    assert "theobald_chinaknowledge" in rows["2.1"]["sources_followed"]
    grid = list(csv.DictReader((index.parent / "students.csv").open(encoding="utf-8")))
    assert [(r["student"], r["total"]) for r in grid] == [("ann", "9"), ("ben", "5"), ("cat", "1")]


def test_late_penalties_and_work_not_graded_are_in_the_report(tmp_path, bank):
    """ben handed in 19 hours late and lost 0.9 points (as nbgrader records it); dan's file could not be graded."""
    import datetime as dt

    from nbgrader.api import Gradebook

    course = make_course(tmp_path / "course", tiny_class())
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("lesson02", duedate=dt.datetime(2027, 2, 5, 17, 0))
        sub = gb.find_submission("lesson02", "ben")
        sub.timestamp = dt.datetime(2027, 2, 6, 12, 0)
        sub.notebooks[0].late_submission_penalty = 0.9
        gb.db.commit()
    (course / "submitted" / "dan" / "lesson02").mkdir(parents=True)
    (course / "grading-lesson02.log").write_text(
        "dan            NOT GRADED 02_moscow_conference.ipynb is empty (0 bytes of work): ask the student to save and submit again\n",
        encoding="utf-8")
    lines: list[str] = []
    index = write_report(course, "lesson02", bank=bank, log=lines.append)
    assert "  late work: ben -0.9 (19 h late)" in lines
    assert "  handed in but not graded: dan (NOT GRADED: 02_moscow_conference.ipynb is empty (0 bytes of work): " \
           "ask the student to save and submit again)" in lines
    page = html.unescape(index.read_text(encoding="utf-8"))
    assert "ben handed in 19 h late, \u22120.9 points" in page and "handed in, not graded" in page
    assert re.search(r"<th scope=\"row\">ben</th>(<td[^>]*>[^<]*</td>){5}<td class=\"num late\"[^>]*>\u22120.9</td><td class=\"num\">4.1</td>", page)
    rows = {r["student"]: r for r in csv.DictReader((index.parent / "students.csv").open(encoding="utf-8"))}
    assert (rows["ben"]["total"], rows["ben"]["late_penalty"], rows["ben"]["grade"]) == ("5", "0.9", "4.1")
    assert (rows["ann"]["late_penalty"], rows["ann"]["grade"], rows["dan"]["submitted"]) == ("0", "9", "not graded")
    stats = {s.item.qid: s for s in item_stats(load(course, "lesson02"), bank)}
    assert stats["2.2"].share_full == pytest.approx(2 / 3), "the exercises' figures are the points before the penalty"


def test_similar_answers_are_pairs_to_read_including_the_model_answer():
    pairs = similar_pairs({"a": MODEL, "b": "It was about steel and nothing else at all.", "c": MODEL + " Also loans."}, MODEL)
    names = {(p.first, p.second) for p in pairs}
    assert ("a", "c") in names and ("a", "model answer") in names and not any("b" in n for n in names)
    assert all(0 <= p.jaccard <= 1 for p in pairs)


# --------------------------------------------------------------------------- the class of 30


def test_the_report_of_a_class_of_30(class30):
    course, index, lines = class30
    page = html.unescape(index.read_text(encoding="utf-8"))
    assert 'id="grid"' in page and page.count("<svg") >= 3 + 4
    assert "no submission" in page and "zoe" in page
    assert re.search(r"\d+ students? gave Theobald's date", page)
    assert any("full marks" in line for line in lines) and any("Theobald" in line for line in lines)
    assert "1 written answers still to grade" in lines[0]
    written = (index.parent / "written-2.4.html").read_text(encoding="utf-8")
    assert "Model answer" in written and "Rubric" in written and written.count('class="answer"') == 30
    assert "s03 and s04" in written and "s05 and model answer" in written


def test_the_report_is_offline(class30):
    course, index, _ = class30
    for page in index.parent.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", text), page.name
        assert "<script" not in text and "@import" not in text and "url(" not in text and "http" not in text


def test_a_report_is_not_overwritten_without_force(class30, bank):
    course, index, _ = class30
    with pytest.raises(ToolError, match="--force"):
        write_report(course, "lesson02", bank=bank, log=lambda *_: None)
    write_report(course, "lesson02", bank=bank, force=True, log=lambda *_: None)
    assert (course / "reports" / "lesson02.backup-1" / "index.html").exists() and index.exists()


def test_bad_input_gives_one_line(tmp_path, class30, capsys):
    course, _, _ = class30
    assert report_main(["lessonXX", "--course-dir", str(course)]) == 2
    assert report_main(["lesson02", "--course-dir", str(tmp_path)]) == 2
    assert report_main(["lesson02", "--course-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "lesson02" in err[0] and "gradebook" in err[1] and "no course folder" in err[2]


# --------------------------------------------------------------------------- the export


def _roster(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.fixture()
def roster(tmp_path):
    return _roster(tmp_path / "roster.csv", "name,student_id,email,lms_id,sis_id\n\"Adams, Ann\",ann,ann@school.example,101,S1\n"
                   "Ben Brown,ben,ben@school.example,102,S2\nCat Chen,cat,,,\nDan Doe,dan,dan@school.example,104,S4\n")


@pytest.mark.parametrize("lms, header", [
    ("canvas", ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "lesson02"]),
    ("moodle", ["Full name", "Username", "Email address", "lesson02"]),
    ("csv", ["student_id", "name", "email", "lms_id", "lesson02 (of 9)", "total"]),
])
def test_the_export_layouts(tiny, roster, tmp_path, lms, header):
    course, _ = tiny
    lines: list[str] = []
    out = ex.export(course, lms, roster=roster, out=tmp_path / f"{lms}.csv", log=lines.append)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == header
    body = rows[2:] if lms == "canvas" else rows[1:]
    if lms == "canvas":
        assert rows[1][0] == "Points Possible" and rows[1][5] == "9"
    by_name = {r[0] if lms != "csv" else r[1]: r for r in body}
    assert by_name["Adams, Ann"][header.index(header[-1] if lms != "csv" else "lesson02 (of 9)")] == "9"
    assert by_name["Dan Doe"][len(header) - (2 if lms == "csv" else 1)] == ""  # not in the gradebook: empty, not 0
    assert any(line.startswith("dan: in the roster but not in the gradebook") for line in lines)
    if lms == "moodle":
        assert any(line.startswith("cat: no lms_id (username) or email") for line in lines)


def test_per_exercise_columns_and_the_points_so_far(class30, roster, tmp_path):
    course, _, _ = class30
    lines: list[str] = []
    with pytest.raises(ToolError, match="no assignment can be exported"):
        ex.export(course, "csv", roster=roster, out=tmp_path / "a.csv", log=lines.append)
    assert any("still to grade by hand" in line for line in lines)
    names = ",".join(f"s{i:02d}" for i in range(1, 31))
    people = _roster(tmp_path / "r30.csv", "student_id,name\n" + "\n".join(f"{s},Student {s}" for s in names.split(",")) + "\n")
    lines = []
    out = ex.export(course, "csv", roster=people, out=tmp_path / "b.csv", per_exercise=True, partial=True, log=lines.append)
    header = next(csv.reader(out.open(encoding="utf-8")))
    assert header[4:] == ["lesson02 (of 9)", "lesson02 2.1 (of 1)", "lesson02 2.2 (of 2)", "lesson02 2.3 (of 1)",
                          "lesson02 2.4 written (of 5)", "total"]
    assert lines.count("zoe: in the gradebook but not in the roster, so not exported (add a row for zoe to the roster)") == 1


def test_a_student_without_a_submission_gets_an_empty_cell_and_a_line(tmp_path, bank):
    course = make_course(tmp_path / "course", tiny_class(), extra_students=("eve",))
    people = _roster(tmp_path / "r.csv", "student_id,name\nann,Ann\neve,Eve\n")
    lines: list[str] = []
    out = ex.export(course, "csv", roster=people, log=lines.append)
    rows = {r[0]: r for r in csv.reader(out.open(encoding="utf-8"))}
    assert rows["eve"][4] == "" and rows["ann"][4] == "9"
    assert "eve: no submission of lesson02, so the cell is empty (not 0)" in lines
    assert sum("ben: in the gradebook but not in the roster" in line for line in lines) == 1
    with pytest.raises(ToolError, match="--force"):
        ex.export(course, "csv", roster=people, log=lines.append)
    ex.export(course, "csv", roster=people, force=True, log=lines.append)
    assert out.with_name(out.name + ".bak").exists()


@pytest.mark.parametrize("text, encoding, words", [
    ("name,email\nAnn,a@b\n", "utf-8", "no column student_id"),
    ("student_id,name\nann,Ann\nann,Ann again\n", "utf-8", "line 3: student id 'ann' is on line 2 already"),
    ("student_id,name\nann,José\n", "latin-1", "line 2: the file is not UTF-8"),
    ("", "utf-8", "is empty"),
    ("student_id,name\n,Nobody\n", "utf-8", "line 2: no student_id"),
])
def test_a_bad_roster_gives_one_line(tiny, tmp_path, capsys, text, encoding, words):
    course, _ = tiny
    path = _roster(tmp_path / "bad.csv", text, encoding)
    assert ex.main(["--lms", "canvas", "--course-dir", str(course), "--roster", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0], err


def test_a_roster_saved_by_a_spreadsheet_is_read(tmp_path):
    path = _roster(tmp_path / "r.csv", "\ufeffName;Student ID;E-mail\r\nAnn;ann;a@b\r\n")
    assert ex.read_roster(path) == [{"student_id": "ann", "name": "Ann", "email": "a@b", "lms_id": "", "sis_id": "", "login": "", "section": ""}]


def test_the_model_answers_and_rubrics_are_read_from_a_built_course(tmp_path):
    """The report reads what `make course` writes: the mark-scheme cells of the real lesson 1."""
    from teach.course.build import build_course
    from teach.course.classdata import _order, _rubrics
    from teach.course.config import load_course

    (tmp_path / "course.toml").write_text('[course]\nid = "t"\n\n[[assignment]]\nname = "lesson01"\nlesson = "01_honeymoon"\n'
                                          '[assignment.points]\n"1.3" = 1\n"1.11" = 6\n', encoding="utf-8")
    course = build_course(load_course(tmp_path / "course.toml"), tmp_path / "course", log=lambda *_: None)
    rubrics = _rubrics(course, "lesson01")
    model, rubric = rubrics["1.11"]
    assert model and not model.startswith("**Model answer") and rubric.startswith("**Rubric")
    order = _order(course, "lesson01")
    assert order.index("check_1_3") < order.index("written_1_11")
