"""The answer bank: ``helpers/answers/lesson_NN.json``, salted hashes only, and how authors add to it (``register``)."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from pathlib import Path
from typing import Any

from helpers.errors import LessonError
from helpers.exercises.forms import KINDS, MAX_ITEMS, MAX_TEXT, _candidates, _Refused  # noqa: F401 - the limits are part of the bank's interface

#: The answer bank: one JSON file per lesson (``lesson_01.json`` holds exercises 1.x), so that
#: lessons can be written side by side without touching each other's files.
BANK_DIR = Path(__file__).resolve().parent.parent / "answers"

NOT_ANSWERED = "not answered yet"


class RegisterError(LessonError, ValueError):
    """An exercise cannot be registered as given (an unknown kind, an id that is not text, no hint)."""



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
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\-]", qid))  # '9.10' after '9.2'; '9.2x' sorts too


def _hash(salt: str, qid: str, normalised: str) -> str:
    return hashlib.sha256(f"{salt}\x00{qid}\x00{normalised}".encode()).hexdigest()



def form_only_entry(spec: dict[str, Any]) -> dict[str, Any]:
    """The bank entry a class copy keeps for a *graded* exercise: how to read the answer, nothing about its value.

    The salt, the hashes and the hint go (a hint narrows the answer; a hash can be brute-forced over a small
    range such as the years 1940-1970), so :func:`check` can only confirm the kind of answer.
    """
    return {key: spec[key] for key in ("kind", "decimals", "ordered") if key in spec} | {"graded": True}


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
    linked: list[str] | None = None,
    bank_path: Path | None = None,
) -> None:
    """Add or replace question ``question_id`` in the bank (authors only).

    ``answers`` is the accepted answer, or for ``text`` a list of accepted spellings.
    Only salted hashes are written. Example (run once, outside the notebooks)::

        register("1.2", 1957, kind="integer", hint="Look again at the table in section 3.")

    ``linked`` names the exercises whose answer gives this one's or follows from it (a growth rate computed from
    a factor): a release refuses to grade one of them while another stays practice with its self-check.
    """
    if kind not in KINDS:
        raise RegisterError(f"kind must be one of {KINDS}, not {kind!r}")
    if not isinstance(question_id, str) or not re.fullmatch(r"\s*\w+(\.\w+)+\s*", question_id):
        raise RegisterError(f"the exercise id is text such as '1.10' (a number would turn 1.10 into 1.1), not {question_id!r}")
    if not isinstance(hint, str) or not hint.strip():
        raise RegisterError("every exercise needs a hint that points back to the lesson")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 10):
        raise RegisterError(f"decimals is a whole number of decimal places from 0 to 10, not {decimals!r}")
    qid = question_id.strip()
    spec: dict[str, Any] = {"kind": kind, "hint": hint}
    if decimals is not None:
        spec["decimals"] = int(decimals)
    if ordered is not None:
        spec["ordered"] = bool(ordered)
    if praise:
        spec["praise"] = praise
    if linked:
        spec["linked"] = sorted({str(q).strip() for q in linked})
    spec["salt"] = secrets.token_hex(8)
    values = answers if (kind == "text" and isinstance(answers, list)) else [answers]
    hashes = []
    for value in values:
        try:
            forms = _candidates(kind, value, spec)
        except _Refused as why:
            raise RegisterError(f"cannot register {value!r} as a {kind} answer: {why}") from None
        hashes.append(_hash(spec["salt"], qid, forms[0]))  # the exact answer; check() adds the tolerance
    spec["hashes"] = sorted(set(hashes))
    path = Path(bank_path) if bank_path else _lesson_file(qid)
    bank = dict(_bank_file(path))
    bank[qid] = spec
    ordered_bank = {k: bank[k] for k in sorted(bank, key=_id_key)}
    path.write_text(json.dumps(ordered_bank, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _BANK_CACHE.pop(path, None)


