"""Verdicts: ``check`` (a student's self-check, with hints) and ``grade`` (nbgrader's hidden test), which judge an
answer with one comparison, :func:`judge`."""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any

from helpers.exercises.bank import NOT_ANSWERED, _bank, _hash, known_questions
from helpers.exercises.forms import _EXPECT, _as_numbers, _candidates, _describe, _is_empty, _is_missing, _Refused
from helpers.exercises.ipython import _shell, _stale_message, _watch


def judge(qid: str, answer: Any, spec: dict[str, Any]) -> tuple[list[str], bool]:
    """The one comparison: (the answer's normalised forms, whether one of them is an accepted answer).

    Raises ``_Refused`` (with the reason) for an answer that cannot be read as the kind asked for.
    """
    if not isinstance(qid, str) or not qid.strip():
        raise _Refused(f"judge() needs the exercise's number as text, such as '1.3'; got {type(qid).__name__} {qid!r:.40}.")
    if not isinstance(spec, dict) or "kind" not in spec or ("hashes" in spec and "salt" not in spec):
        raise _Refused(f"judge() needs the exercise's bank entry (a dict with its kind, salt and hashes); got {type(spec).__name__} {spec!r:.60}.")
    forms = _candidates(spec["kind"], answer, spec)
    accepted = set(spec.get("hashes", ()))
    return forms, any(_hash(spec["salt"], qid, form) in accepted for form in forms) if accepted else False


class Feedback(str):
    """The message ``check`` returns; it prints as plain text and knows whether it passed.

    ``Feedback`` is a ``str``, so a notebook shows it as text (and nbval compares it);
    ``.correct`` is True, False, or None when nothing was answered.
    """

    correct: bool | None

    def __new__(cls, text: str, correct: bool | None) -> Feedback:
        obj = super().__new__(cls, text)
        obj.correct = correct
        return obj

    def __repr__(self) -> str:  # shown by Jupyter as the cell's output
        return str(self)

    def _repr_html_(self) -> str:
        """The same words in a box whose left edge tells right from wrong at a glance (green, orange, grey).

        The verdict is in the words too ("correct", "not quite", "not answered yet"), so nothing depends on colour;
        the mark is hidden from screen readers, and the text keeps the theme's own colour (light or dark).
        """
        mark, colour, verdict = _LOOK[self.correct]
        return (
            f'<div class="check-feedback check-{verdict}" role="status" '
            f'style="border-left:0.35em solid {colour};padding:0.15em 0.6em;margin:0.2em 0">'
            f'<span aria-hidden="true" style="font-weight:bold">{mark}</span> {html.escape(str(self))}</div>'
        )


#: How each verdict looks: a mark, the colour of the box's edge (Okabe-Ito green, vermilion, grey) and a class name.
_LOOK = {True: ("\u2713", "#009E73", "right"), False: ("\u2717", "#D55E00", "wrong"), None: ("\u25CB", "#767676", "open")}


# --------------------------------------------------------------------------- check


def _record(qid: str, answer: Any, forms: list[str]) -> None:
    """For the leak test only: with HELPERS_RECORD_ANSWERS set to a file, note each answer checked."""
    target = os.environ.get("HELPERS_RECORD_ANSWERS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"id": qid, "text": str(answer)[:200], "forms": forms[:1]}, ensure_ascii=False) + "\n")


_NO_ANSWER = object()


def _id_problem(question_id: Any, bank: dict[str, Any], bank_path: Path | None) -> str | None:
    """Why ``question_id`` names no exercise, or None if it does."""
    if not isinstance(question_id, str):
        extra = ""
        if isinstance(question_id, float):
            extra = f" Without quotes {question_id!r} is a number, so 1.10 would be read as 1.1, a different exercise."
        return (f"check() needs the exercise's number as text in quotes, e.g. check('1.10', answer_1_10); "
                f"got {_describe(question_id)}.{extra}")
    qid = question_id.strip()
    if qid in bank:
        return None
    every = known_questions(bank_path)
    lesson = qid.split(".", 1)[0]
    same = [q for q in every if q.split(".", 1)[0] == lesson]
    if same:
        return f"There is no exercise '{question_id}'. Lesson {lesson}'s exercises are: {', '.join(same)}."
    return f"There is no exercise '{question_id}'. The exercises are: {', '.join(every) or '(none registered)'}."


def _unit_slip(spec: dict[str, Any], qid: str, answer: Any) -> str | None:
    """If a wrong number is right once multiplied or divided by 100, say so (a fraction for a percentage)."""
    if spec["kind"] != "number":
        return None
    try:
        number = _as_numbers(answer, "a number")[0]
    except _Refused:
        return None
    accepted = set(spec.get("hashes", []))
    for factor, advice in ((100, "as a fraction, but the exercise asks for a percentage: multiply by 100"),
                           (0.01, "as a percentage, but the exercise asks for a fraction: divide by 100")):
        try:
            forms = _candidates("number", number * factor, spec)
        except _Refused:  # e.g. far too large once multiplied
            continue
        if any(_hash(spec["salt"], qid, form) in accepted for form in forms):
            return advice
    return None


def check(question_id: str, answer: Any = _NO_ANSWER, bank_path: Path | None = None) -> Feedback:
    """Check a student's answer and say what to do next.

    Returns a :class:`Feedback` (a string): a confirmation, a hint pointing back to the
    lesson, "not answered yet" for the placeholder ``...``, or what kind of answer is
    expected when the answer has the wrong type. It never raises for a bad answer, and it
    does not judge an answer whose cell stopped with an error (the value would be a leftover).

    >>> check("0.1", ...)  # doctest: +SKIP
    Exercise 0.1: not answered yet. Replace ... with your answer and run the cell again.
    """
    bank = _bank(bank_path)
    problem = _id_problem(question_id, bank, bank_path)
    if problem:
        return Feedback(problem, None)
    qid = question_id.strip()
    spec = bank[qid]
    label = f"Exercise {qid}"
    if answer is _NO_ANSWER:
        return Feedback(f"{label}: give your answer after the exercise's number, e.g. check('{qid}', answer_{qid.replace('.', '_')}).", None)
    if answer is ... or answer is NotImplemented:
        return Feedback(f"{label}: {NOT_ANSWERED}. Replace ... with your answer and run the cell again.", None)
    watch = _watch()
    shell = _shell()
    if watch is not None and shell is not None:
        stale = watch.stale(answer, getattr(shell, "user_ns", {}))
        if stale:
            return Feedback(_stale_message(label, *stale), None)
    if _is_missing(answer) or _is_empty(answer):
        return Feedback(
            f"{label}: the answer is empty ({_describe(answer)}). Expected {_EXPECT[spec['kind']]}; "
            "if you computed it, check that the last line of your calculation gives a value.",
            False,
        )
    try:
        forms, right = judge(qid, answer, spec)
    except _Refused as why:
        return Feedback(f"{label}: {why}", False)
    except Exception as err:  # noqa: BLE001 - a student's odd object must never give a traceback
        return Feedback(f"{label}: could not read this answer ({type(err).__name__}). Expected {_EXPECT[spec['kind']]}.", False)
    _record(qid, answer, forms)
    if spec.get("self_check") == "off":
        return Feedback(f"{label}: this exercise is graded by your teacher and has no self-check.", None)
    if "hashes" not in spec:  # a graded exercise in a class copy: the bank knows the kind of answer, not the answer
        return Feedback(
            f"{label}: this is {_EXPECT[spec['kind']]}, the kind of answer asked for. This exercise is graded: "
            "your teacher will mark it, so this check does not say whether it is right.",
            None,
        )
    if right:
        return Feedback(f"{label}: correct. {spec.get('praise', '')}".rstrip(), True)
    slip = _unit_slip(spec, qid, answer)
    if slip:
        return Feedback(f"{label}: nearly. Your figure is right {slip}.", False)
    return Feedback(f"{label}: not quite. Hint: {spec['hint']}", False)


def grade(question_id: str, answer: Any, spec: dict[str, Any]) -> None:
    """nbgrader's hidden test for a graded code exercise: return quietly if ``answer`` is right, else raise.

    ``spec`` is the exercise's full bank entry (kind, decimals, salt, hashes), written into the hidden test of
    the teacher's nbgrader source notebook, so grading needs no answer bank and a class copy needs none.
    The message never contains the answer: it ends up in the feedback a student reads.
    """
    qid = str(question_id).strip()
    label = f"Exercise {qid}"
    if answer is ... or answer is NotImplemented:
        raise AssertionError(f"{label}: not answered.")
    if _is_missing(answer):
        raise AssertionError(f"{label}: the answer is empty.")
    try:
        _, right = judge(qid, answer, spec)
    except _Refused as why:
        raise AssertionError(f"{label}: {why}") from None
    except Exception as err:  # noqa: BLE001 - an odd object is a wrong answer, not a crash of the grader
        raise AssertionError(f"{label}: could not read this answer ({type(err).__name__}).") from None
    if not right:
        raise AssertionError(f"{label}: not correct.")
