"""Self-checking exercises: ``check("1.3", answer)`` and the answer bank behind it.

The bank (``helpers/answers/lesson_NN.json``, one file per lesson) holds, for each question, the kind of
answer expected, how it is normalised, a hint pointing back to the lesson, and
only *salted SHA-256 hashes* of the accepted answers: no answer is stored in
plain text anywhere under ``helpers/``.

Answer kinds
------------
``number``      a number, rounded to ``decimals`` places before hashing; answers one
                step away (10**-decimals) are also accepted, so the tolerance is
                stated and a rounding edge cannot fail a right answer.
``integer``     a whole number (years, counts).
``text``        a string, compared after folding case, accents, spacing and
                punctuation; several spellings may be accepted (pinyin, Wade-Giles).
``date``        a date in any usual form ("1957-11-18", "18 November 1957",
                "Nov 18, 1957", a ``datetime.date`` or ``pandas.Timestamp``).
``set``         a collection whose order does not matter (list, tuple, set, Series).
``sequence``    a collection whose order matters.
``table``       a pandas DataFrame or Series; compared on its values after rounding,
                sorted by index unless ``ordered`` is set.

Authors register a question once with :func:`register` (see the README's
teachers' section); students only ever call :func:`check`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["check", "register", "known_questions", "Feedback", "BANK_DIR"]

#: The answer bank: one JSON file per lesson (``lesson_01.json`` holds exercises 1.x), so that
#: lessons can be written side by side without touching each other's files.
BANK_DIR = Path(__file__).resolve().parent / "answers"
KINDS = ("number", "integer", "text", "date", "set", "sequence", "table")
MAX_TEXT = 2_000  # characters; longer answers are refused before any work is done
MAX_ITEMS = 1_000  # elements in a collection or cells in a table

NOT_ANSWERED = "not answered yet"


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


# --------------------------------------------------------------------------- bank


_BANK_CACHE: dict[Path, tuple[int, dict[str, Any]]] = {}


def _bank_file(path: Path) -> dict[str, Any]:
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return {}
    cached = _BANK_CACHE.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    data = json.loads(path.read_text(encoding="utf-8"))
    _BANK_CACHE[path] = (mtime, data)
    return data


def _bank(path: str | Path | None = None) -> dict[str, Any]:
    """All registered questions: from one file, or from every file in :data:`BANK_DIR`."""
    if path:
        return _bank_file(Path(path))
    merged: dict[str, Any] = {}
    for file in sorted(BANK_DIR.glob("*.json")):
        merged.update(_bank_file(file))
    return merged


def _lesson_file(qid: str) -> Path:
    lesson = qid.split(".", 1)[0]
    return BANK_DIR / (f"lesson_{int(lesson):02d}.json" if lesson.isdigit() else f"lesson_{lesson}.json")


def known_questions(bank_path: Path | None = None) -> list[str]:
    """The question ids that ``check`` knows, in lesson order."""
    return sorted(_bank(bank_path), key=_id_key)


def _id_key(qid: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\-]", qid))


# --------------------------------------------------------------------------- normalising


class _Refused(Exception):
    """The answer is of a form we cannot compare; the message says what is expected."""


def _fold_text(value: str) -> str:
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold()
    text = re.sub(r"[\u2018\u2019'`\"\u201c\u201d.,;:!?()\[\]-]", " ", text)
    return " ".join(text.split())


def _is_missing(value: Any) -> bool:
    if type(value).__name__ == "NAType":  # pandas.NA, without importing pandas
        return True
    try:
        return value is None or (isinstance(value, float) and math.isnan(value)) or bool(value != value)  # noqa: PLR0124
    except (TypeError, ValueError):
        return False


def _describe(value: Any) -> str:
    name = type(value).__name__
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{name} {text}"


def _as_number(value: Any, what: str) -> float:
    if isinstance(value, bool):
        raise _Refused(f"Expected {what}, but got True/False.")
    if isinstance(value, str):
        cleaned = value.strip().replace(",", "").replace("%", "")
        try:
            number = float(cleaned)
        except ValueError:
            example = "1957" if "whole" in what else "12.5"
            raise _Refused(
                f"Expected {what}, but got the text {value[:40]!r}. Give the number itself, without quotes or units, "
                f"e.g. {example} rather than '{example} tons'."
            ) from None
        value = number
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise _Refused(f"Expected {what}, but got {_describe(value)}.") from None
    if math.isnan(number):
        raise _Refused(f"Expected {what}, but got NaN (not a number): check the calculation for missing values.")
    if math.isinf(number) or abs(number) > 1e15:
        raise _Refused(f"Expected {what}, but got {number:g}, which is far too large to be the answer: check the calculation.")
    return number


def _fmt_number(number: float, decimals: int) -> str:
    text = f"{round(number, decimals):.{decimals}f}"
    return "0" if text.strip("-0.") == "" else text  # -0.0 and 0.0 are the same answer


def _as_date(value: Any) -> str:
    import pandas as pd  # imported here: check() on numbers need not pay for pandas

    if isinstance(value, (_dt.date, pd.Timestamp)):
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if not isinstance(value, str):
        raise _Refused(f"Expected a date such as '1957-11-18' or '18 November 1957', but got {_describe(value)}.")
    text = value.strip()
    if len(text) > 40:
        raise _Refused("Expected a date such as '1957-11-18'; that text is too long to be one.")
    try:
        stamp = pd.Timestamp(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else pd.to_datetime(text, dayfirst=True)
    except (ValueError, TypeError, OverflowError):
        raise _Refused(f"Could not read {text!r} as a date. Write it as YYYY-MM-DD, e.g. '1957-11-18', or as '18 November 1957'.") from None
    return stamp.strftime("%Y-%m-%d")


def _items(value: Any) -> list[Any]:
    import pandas as pd

    if isinstance(value, (str, bytes)) or not isinstance(value, (Iterable, pd.Series, pd.Index)):
        raise _Refused(f"Expected a collection of items (a list such as ['a', 'b']), but got {_describe(value)}.")
    if isinstance(value, dict):
        value = list(value)
    items = list(value.tolist() if hasattr(value, "tolist") else value)
    if len(items) > MAX_ITEMS:
        raise _Refused(f"Expected a short list, but got {len(items)} items: the answer has far fewer.")
    return items


def _norm_item(item: Any, decimals: int) -> str:
    if isinstance(item, str):
        return "t:" + _fold_text(item)
    if isinstance(item, bool) or item is None:
        return "t:" + str(item).lower()
    try:
        return "n:" + _fmt_number(_as_number(item, "a number"), decimals)
    except _Refused:
        return "t:" + _fold_text(str(item))


def _as_table(value: Any, spec: dict[str, Any]) -> str:
    import pandas as pd

    if isinstance(value, pd.Series):
        value = value.to_frame(name=value.name if value.name is not None else "value")
    if not isinstance(value, pd.DataFrame):
        raise _Refused(f"Expected a table (a pandas DataFrame or Series), but got {_describe(value)}.")
    if value.size > MAX_ITEMS:
        raise _Refused(f"Expected a small table, but got {value.shape[0]} rows by {value.shape[1]} columns.")
    frame = value.copy()
    decimals = spec.get("decimals", 2)
    if not spec.get("ordered", False):
        try:
            frame = frame.sort_index()
        except TypeError:
            frame = frame.loc[sorted(frame.index, key=str)]
    cells = []
    for idx, row in frame.iterrows():
        cells.append(_norm_item(idx, 0) + "|" + "|".join(_norm_item(v, decimals) for v in row.tolist()))
    return "\n".join(cells)


def _candidates(kind: str, value: Any, spec: dict[str, Any]) -> list[str]:
    """The normalised forms of an answer to hash: one, or three for numbers (the stated tolerance)."""
    if kind in ("number", "integer"):
        what = "a whole number" if kind == "integer" else "a number"
        number = _as_number(value, what)
        decimals = 0 if kind == "integer" else int(spec.get("decimals", 0))
        if kind == "integer" and abs(number - round(number)) > 1e-9:
            raise _Refused(f"Expected a whole number, but got {number:g}.")
        step = 10 ** (-decimals)
        main = _fmt_number(number, decimals)
        if kind == "integer":
            return [main]
        return [main, _fmt_number(number - step, decimals), _fmt_number(number + step, decimals)]
    if kind == "text":
        if not isinstance(value, str):
            raise _Refused(f"Expected text in quotes, such as 'Lüshun', but got {_describe(value)}.")
        if len(value) > MAX_TEXT:
            raise _Refused("Expected a short text answer; that one is too long.")
        return [_fold_text(value)]
    if kind == "date":
        return [_as_date(value)]
    if kind in ("set", "sequence"):
        items = [_norm_item(i, int(spec.get("decimals", 2))) for i in _items(value)]
        if kind == "set":
            items = sorted(set(items))
        return ["\x1f".join(items)]
    if kind == "table":
        return [_as_table(value, spec)]
    raise ValueError(f"unknown answer kind {kind!r}; the kinds are {KINDS}")


def _hash(salt: str, qid: str, normalised: str) -> str:
    return hashlib.sha256(f"{salt}\x00{qid}\x00{normalised}".encode()).hexdigest()


_EXPECT = {
    "number": "a number",
    "integer": "a whole number",
    "text": "a short text",
    "date": "a date",
    "set": "a list of items (order does not matter)",
    "sequence": "a list of items in order",
    "table": "a table (DataFrame or Series)",
}


# --------------------------------------------------------------------------- check


def _record(qid: str, answer: Any, forms: list[str]) -> None:
    """For the leak test only: with HELPERS_RECORD_ANSWERS set to a file, note each answer checked."""
    target = os.environ.get("HELPERS_RECORD_ANSWERS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"id": qid, "text": str(answer)[:200], "forms": forms[:1]}, ensure_ascii=False) + "\n")



def check(question_id: str, answer: Any, bank_path: Path | None = None) -> Feedback:
    """Check a student's answer and say what to do next.

    Returns a :class:`Feedback` (a string): a confirmation, a hint pointing back to the
    lesson, "not answered yet" for the placeholder ``...``, or what kind of answer is
    expected when the answer has the wrong type. It never raises for a bad answer.

    >>> check("0.1", ...)  # doctest: +SKIP
    Exercise 0.1: not answered yet. Replace ... with your answer and run the cell again.
    """
    bank = _bank(bank_path)
    qid = str(question_id).strip()
    if qid not in bank:
        every = known_questions(bank_path)
        lesson = qid.split(".", 1)[0]
        same = [q for q in every if q.split(".", 1)[0] == lesson]
        if same:
            return Feedback(f"There is no exercise '{question_id}'. Lesson {lesson}'s exercises are: {', '.join(same)}.", None)
        return Feedback(f"There is no exercise '{question_id}'. The exercises are: {', '.join(every) or '(none registered)'}.", None)
    spec = bank[qid]
    label = f"Exercise {qid}"
    if answer is ... or answer is NotImplemented:
        return Feedback(f"{label}: {NOT_ANSWERED}. Replace ... with your answer and run the cell again.", None)
    if _is_missing(answer):
        return Feedback(
            f"{label}: the answer is empty ({_describe(answer)}). Expected {_EXPECT[spec['kind']]}; "
            "if you computed it, check that the last line of your calculation gives a value.",
            False,
        )
    try:
        forms = _candidates(spec["kind"], answer, spec)
    except _Refused as why:
        return Feedback(f"{label}: {why}", False)
    except Exception as err:  # noqa: BLE001 - a student's odd object must never give a traceback
        return Feedback(f"{label}: could not read this answer ({type(err).__name__}). Expected {_EXPECT[spec['kind']]}.", False)
    _record(qid, answer, forms)
    accepted = set(spec["hashes"])
    if any(_hash(spec["salt"], qid, form) in accepted for form in forms):
        return Feedback(f"{label}: correct. {spec.get('praise', '')}".rstrip(), True)
    return Feedback(f"{label}: not quite. Hint: {spec['hint']}", False)


# --------------------------------------------------------------------------- authoring


def register(
    question_id: str,
    answers: Any | list[Any],
    kind: str,
    hint: str,
    *,
    decimals: int | None = None,
    ordered: bool | None = None,
    praise: str = "",
    bank_path: Path | None = None,
) -> None:
    """Add or replace question ``question_id`` in the bank (authors only).

    ``answers`` is the accepted answer, or for ``text`` a list of accepted spellings.
    Only salted hashes are written. Example (run once, outside the notebooks)::

        register("1.2", 1957, kind="integer", hint="Look again at the table in section 3.")
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    qid = str(question_id).strip()
    spec: dict[str, Any] = {"kind": kind, "hint": hint}
    if decimals is not None:
        spec["decimals"] = int(decimals)
    if ordered is not None:
        spec["ordered"] = bool(ordered)
    if praise:
        spec["praise"] = praise
    spec["salt"] = secrets.token_hex(8)
    values = answers if (kind == "text" and isinstance(answers, list)) else [answers]
    hashes = []
    for value in values:
        try:
            forms = _candidates(kind, value, spec)
        except _Refused as why:
            raise ValueError(f"cannot register {value!r} as a {kind} answer: {why}") from None
        hashes.append(_hash(spec["salt"], qid, forms[0]))  # the exact answer; check() adds the tolerance
    spec["hashes"] = sorted(set(hashes))
    path = Path(bank_path) if bank_path else _lesson_file(qid)
    bank = dict(_bank_file(path))
    bank[qid] = spec
    ordered_bank = {k: bank[k] for k in sorted(bank, key=_id_key)}
    path.write_text(json.dumps(ordered_bank, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _BANK_CACHE.pop(path, None)
