"""Graded exercises: the class copy's self-check confirms only the kind of answer; grade() marks it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.exercises import BANK_DIR, check, form_only_entry, grade, register


@pytest.fixture()
def banks(tmp_path):
    full = tmp_path / "full.json"
    register("9.1", 1956, kind="integer", hint="Look at section 2.", bank_path=full)
    register("9.2", 21.3, kind="number", decimals=1, hint="Compound it.", bank_path=full)
    register("9.3", "1957-11-18", kind="date", hint="The 18th?", bank_path=full)
    entries = json.loads(full.read_text(encoding="utf-8"))
    form = tmp_path / "form.json"
    form.write_text(json.dumps({q: form_only_entry(s) for q, s in entries.items()}), encoding="utf-8")
    return entries, form


def test_a_form_only_entry_keeps_nothing_derived_from_the_answer(banks):
    entries, form = banks
    kept = json.loads(form.read_text(encoding="utf-8"))
    for qid, spec in kept.items():
        assert set(spec) <= {"kind", "decimals", "ordered", "graded"}
        assert entries[qid]["salt"] not in json.dumps(spec)


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1900, max_value=2000), st.floats(min_value=-1e6, max_value=1e6, allow_nan=False))
def test_the_form_only_check_says_the_same_for_any_value_of_the_right_kind(tmp_path_factory, year, number):
    path = tmp_path_factory.mktemp("b") / "form.json"
    path.write_text(json.dumps({"9.1": {"kind": "integer", "graded": True}, "9.2": {"kind": "number", "decimals": 1, "graded": True}}))
    assert check("9.1", year, bank_path=path) == check("9.1", 1956, bank_path=path)
    assert check("9.2", number, bank_path=path) == check("9.2", 21.3, bank_path=path)
    assert check("9.2", number, bank_path=path).correct is None


def test_the_form_only_check_still_explains_a_wrong_kind_of_answer(banks):
    _, form = banks
    assert "graded" in check("9.1", 1956, bank_path=form) and "teacher will mark it" in check("9.1", 1956, bank_path=form)
    assert "not answered yet" in check("9.1", ..., bank_path=form)
    wrong_kind = check("9.1", "the year of the secret speech", bank_path=form)
    assert wrong_kind.correct is False and "whole number" in wrong_kind
    assert "date" in check("9.3", 1957, bank_path=form).lower()


def test_grade_passes_right_answers_in_any_reasonable_form(banks):
    entries, _ = banks
    grade("9.1", 1956, entries["9.1"])
    grade("9.1", 1956.0, entries["9.1"])
    grade("9.2", 21.34, entries["9.2"])
    grade("9.3", "18 November 1957", entries["9.3"])


@pytest.mark.parametrize(
    "qid, answer, words",
    [("9.1", 1957, "not correct"), ("9.2", "twenty", "Expected a number"), ("9.1", ..., "not answered"), ("9.3", None, "empty")],
)
def test_grade_fails_wrong_answers_without_saying_the_answer(banks, qid, answer, words):
    entries, _ = banks
    with pytest.raises(AssertionError) as err:
        grade(qid, answer, entries[qid])
    assert words in str(err.value)
    assert not any(token in str(err.value) for token in ("1956", "21.3", "1957-11-18"))


def test_the_shipped_bank_has_every_entry_a_grade_can_use():
    for path in BANK_DIR.glob("*.json"):
        for qid, spec in json.loads(path.read_text(encoding="utf-8")).items():
            assert {"kind", "salt", "hashes"} <= set(spec), f"{path.name} {qid}"
