"""helpers.exercises: every answer kind, every bad input, unknown ids, and no plain-text answers."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers import exercises
from helpers.exercises import BANK_DIR, check, known_questions, register

TABLE = pd.DataFrame({"events": [3, 5]}, index=pd.Index(["economy", "diplomacy"], name="category"))


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    path = tmp_path / "bank.json"
    register("9.1", 12.34, kind="number", decimals=2, hint="See section 2.", bank_path=path)
    register("9.2", 1957, kind="integer", hint="Look at the year column.", bank_path=path)
    register("9.3", ["Lüshun", "Lu-shun", "Port Arthur"], kind="text", hint="The naval base.", bank_path=path)
    register("9.4", "1957-10-15", kind="date", hint="The defence agreement.", bank_path=path)
    register("9.5", ["China", "USSR", "Poland"], kind="set", hint="The three parties.", bank_path=path)
    register("9.6", ["China", "USSR"], kind="sequence", hint="In order of size.", bank_path=path)
    register("9.7", TABLE, kind="table", hint="Count by category.", bank_path=path)
    register("9.10", 0.0712, kind="number", decimals=3, hint="Use cagr().", bank_path=path)
    return path


def c(qid, answer, bank):
    return check(qid, answer, bank_path=bank)


@pytest.mark.parametrize(
    "qid, answer",
    [
        ("9.1", 12.34), ("9.1", 12.335), ("9.1", "12.34"), ("9.1", 12.35),  # within one step of 0.01
        ("9.2", 1957), ("9.2", 1957.0), ("9.2", "1957"),
        ("9.3", "Lüshun"), ("9.3", "lushun"), ("9.3", "  LÜSHUN "), ("9.3", "Lu-shun"), ("9.3", "port arthur."),
        ("9.4", "1957-10-15"), ("9.4", "15 October 1957"), ("9.4", "Oct 15, 1957"), ("9.4", dt.date(1957, 10, 15)), ("9.4", pd.Timestamp("1957-10-15")),
        ("9.5", ["Poland", "china", "USSR"]), ("9.5", {"China", "USSR", "Poland"}), ("9.5", pd.Series(["USSR", "Poland", "China"])),
        ("9.6", ["China", "USSR"]), ("9.6", ("china", "ussr")),
        ("9.7", TABLE), ("9.7", TABLE.iloc[::-1]), ("9.7", TABLE["events"]),
        ("9.10", 0.0714),
    ],
)
def test_right_answers_are_confirmed(bank, qid, answer):
    feedback = c(qid, answer, bank)
    assert feedback.correct is True
    assert feedback == f"Exercise {qid}: correct."


@pytest.mark.parametrize(
    "qid, answer",
    [
        ("9.1", 12.37), ("9.2", 1958), ("9.3", "Dalian"), ("9.4", "1957-10-16"),
        ("9.5", ["China", "USSR"]), ("9.6", ["USSR", "China"]), ("9.7", TABLE * 2), ("9.10", 0.075),
    ],
)
def test_wrong_answers_get_the_hint(bank, qid, answer):
    feedback = c(qid, answer, bank)
    assert feedback.correct is False
    spec = json.loads(bank.read_text())[qid]
    assert feedback == f"Exercise {qid}: not quite. Hint: {spec['hint']}"


def test_placeholder_says_not_answered_yet(bank):
    feedback = c("9.1", ..., bank)
    assert feedback == "Exercise 9.1: not answered yet. Replace ... with your answer and run the cell again."
    assert feedback.correct is None


@pytest.mark.parametrize(
    "qid, answer, message",
    [
        ("9.1", "twelve", "Exercise 9.1: Expected a number, but got the text 'twelve'. Give the number itself, without quotes or units, e.g. 12.5 rather than '12.5 tons'."),
        ("9.1", "12.3 million", "Exercise 9.1: Expected a number, but got the text '12.3 million'."),
        ("9.1", None, "Exercise 9.1: the answer is empty (NoneType None). Expected a number;"),
        ("9.1", math.nan, "Exercise 9.1: the answer is empty (float nan). Expected a number;"),
        ("9.1", pd.NA, "Exercise 9.1: the answer is empty (NAType <NA>). Expected a number;"),
        ("9.1", 10**300, "Exercise 9.1: Expected a number, but got 1e+300, which is far too large to be the answer"),
        ("9.1", math.inf, "Exercise 9.1: Expected a number, but got inf, which is far too large"),
        ("9.1", True, "Exercise 9.1: Expected a number, but got True/False."),
        ("9.1", [1, 2], "Exercise 9.1: Expected a number, but got list [1, 2]: 2 values, and the answer is one."),
        ("9.2", 1957.5, "Exercise 9.2: Expected a whole number, but got 1957.5."),
        ("9.3", 1957, "Exercise 9.3: Expected text in quotes, such as 'Lüshun', but got int 1957."),
        ("9.3", "x" * 5000, "Exercise 9.3: Expected a short text answer; that one is too long."),
        ("9.4", "the fifteenth", "Exercise 9.4: Could not read 'the fifteenth' as a date. Write it as YYYY-MM-DD"),
        ("9.4", 1957, "Exercise 9.4: Expected a date such as '1957-11-18' or '18 November 1957', but got int 1957."),
        ("9.5", "China", "Exercise 9.5: Expected a collection of items (a list such as ['a', 'b']), but got str 'China'."),
        ("9.5", list(range(5000)), "Exercise 9.5: Expected a short list, but got 5000 items"),
        ("9.7", [3, 5], "Exercise 9.7: Expected a table (a pandas DataFrame or Series), but got list [3, 5]."),
        ("9.7", pd.DataFrame({"a": range(2000)}), "Exercise 9.7: Expected a small table, but got 2000 rows by 1 columns."),
    ],
)
def test_wrong_types_say_what_is_expected(bank, qid, answer, message):
    feedback = c(qid, answer, bank)
    assert feedback.correct is False
    assert message in feedback


def test_odd_objects_never_raise(bank):
    class Weird:
        def __float__(self):
            raise RuntimeError("boom")

        def __iter__(self):
            raise RuntimeError("boom")

    for qid in ("9.1", "9.3", "9.4", "9.5", "9.7"):
        feedback = c(qid, Weird(), bank)
        assert feedback.correct is False
        assert feedback.startswith(f"Exercise {qid}: ")


def test_unknown_id_lists_known_ones(bank):
    feedback = c("9.9", 1, bank)
    assert feedback == "There is no exercise '9.9'. Lesson 9's exercises are: 9.1, 9.2, 9.3, 9.4, 9.5, 9.6, 9.7, 9.10."
    other = c("7.1", 1, bank)
    assert other == "There is no exercise '7.1'. The exercises are: 9.1, 9.2, 9.3, 9.4, 9.5, 9.6, 9.7, 9.10."
    assert feedback.correct is None
    assert known_questions(bank) == ["9.1", "9.2", "9.3", "9.4", "9.5", "9.6", "9.7", "9.10"]


def test_feedback_prints_as_plain_text(bank):
    assert repr(c("9.2", 1957, bank)) == "Exercise 9.2: correct."


def test_register_refuses_a_bad_kind_or_answer(tmp_path):
    with pytest.raises(ValueError, match="kind must be one of"):
        register("1.1", 1, kind="float", hint="h", bank_path=tmp_path / "b.json")
    with pytest.raises(ValueError, match="cannot register 'abc' as a number answer"):
        register("1.1", "abc", kind="number", hint="h", bank_path=tmp_path / "b.json")


def test_bank_stores_only_salted_hashes(bank):
    text = bank.read_text()
    for plain in ("12.34", "1957", "lushun", "Lüshun", "port arthur", "1957-10-15", "Poland", "diplomacy", "0.0712"):
        assert plain.lower() not in text.lower()
    for spec in json.loads(text).values():
        assert set(spec) <= {"kind", "hint", "decimals", "ordered", "praise", "salt", "hashes"}
        assert all(len(h) == 64 and int(h, 16) >= 0 for h in spec["hashes"])


def test_the_same_answer_hashes_differently_per_question(tmp_path):
    path = tmp_path / "b.json"
    register("1.1", 1957, kind="integer", hint="h", bank_path=path)
    register("1.2", 1957, kind="integer", hint="h", bank_path=path)
    bank = json.loads(path.read_text())
    assert bank["1.1"]["hashes"] != bank["1.2"]["hashes"]


@pytest.mark.parametrize("path", sorted(BANK_DIR.glob("*.json")), ids=lambda p: p.name)
def test_course_bank_is_well_formed(path):
    bank = json.loads(path.read_text(encoding="utf-8"))
    assert bank, f"{path.name} registers no exercise"
    lesson = path.stem.removeprefix("lesson_").lstrip("0") or "0"
    for qid, spec in bank.items():
        assert qid.split(".")[0] == lesson, f"{qid} belongs in lesson_{qid.split('.')[0]}.json"
        assert spec["kind"] in ("number", "integer", "text", "date", "set", "sequence", "table"), qid
        assert spec["hint"].strip(), f"exercise {qid} needs a hint that points back to the lesson"
        assert spec["hashes"], qid


@pytest.mark.parametrize(
    "qid, kwargs, message",
    [(1.10, {}, "the exercise id is text such as '1.10'"), ("1", {}, "the exercise id is text such as '1.10'"),
     ("1.1", {"hint": " "}, "every exercise needs a hint"), ("1.1", {"decimals": -1}, "decimals is a whole number"),
     ("1.1", {"decimals": 1.5}, "decimals is a whole number")],
)
def test_register_refuses_an_id_that_is_not_text_and_other_slips(tmp_path, qid, kwargs, message):
    args = {"kind": "number", "hint": "See section 2."} | kwargs
    with pytest.raises(ValueError, match=message):
        register(qid, 1.5, bank_path=tmp_path / "b.json", **args)
    assert not (tmp_path / "b.json").exists()


def test_feedback_looks_different_for_right_wrong_and_unanswered_but_says_the_same_words(bank):
    """In JupyterLab and on the website the verdict shows at a glance (a coloured edge and a mark), while the words,
    which carry the verdict for screen readers and nbval, stay exactly those of the plain text."""
    import html as _html

    right, wrong, open_ = c("9.2", 1957, bank), c("9.2", 1066, bank), c("9.2", ..., bank)
    looks = {f: f._repr_html_() for f in (right, wrong, open_)}
    for feedback, markup in looks.items():
        assert _html.escape(str(feedback)) in markup and 'role="status"' in markup
        assert re.search(r'aria-hidden="true"[^>]*>[^<]+</span>', markup), "the mark is hidden from screen readers"
    assert "check-right" in looks[right] and "check-wrong" in looks[wrong] and "check-open" in looks[open_]
    edges = {re.search(r"border-left:[^;]*?(#[0-9A-Fa-f]{6})", m).group(1) for m in looks.values()}
    assert len(edges) == 3, "three verdicts, three edge colours"
    tricky = exercises.Feedback("Exercise 9.9: could not read '<b>1957</b> & more'.", False)._repr_html_()
    assert "<b>" not in tricky and "&lt;b&gt;1957&lt;/b&gt; &amp; more" in tricky, "a student's text is shown, never rendered"
