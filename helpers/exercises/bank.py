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
    alternatives: list[tuple[Any, str, str]] | None = None,
    bank_path: Path | None = None,
) -> None:
    """Add or replace question ``question_id`` in the bank (authors only).

    ``answers`` is the accepted answer, or for ``text`` a list of accepted spellings.
    Only salted hashes are written. Example (run once, outside the notebooks)::

        register("1.2", 1957, kind="integer", hint="Look again at the table in section 3.")

    ``linked`` names the exercises whose answer gives this one's or follows from it (a growth rate computed from
    a factor): a release refuses to grade one of them while another stays practice with its self-check.

    ``alternatives`` are known answers that follow another source, as ``(value, source_id, label)``:
    ``(17, "wilson_note1960", "the date on the German archive's copy of the note")``. They are not accepted
    as right; the class report counts the students who gave each (see :func:`add_alternative`).
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
    for value, source_id, label in alternatives or ():
        _add_alternative(spec, qid, value, source_id, label)
    path = Path(bank_path) if bank_path else _lesson_file(qid)
    bank = dict(_bank_file(path))
    bank[qid] = spec
    ordered_bank = {k: bank[k] for k in sorted(bank, key=_id_key)}
    path.write_text(json.dumps(ordered_bank, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _BANK_CACHE.pop(path, None)


#: The bibliography every alternative's ``source_id`` must be a key of.
SOURCES_CSV = BANK_DIR.parent.parent / "data" / "sources.csv"


def _source_ids(path: Path = SOURCES_CSV) -> set[str]:
    import csv

    with open(path, encoding="utf-8", newline="") as handle:
        return {row["source_id"] for row in csv.DictReader(handle)}


def _add_alternative(spec: dict[str, Any], qid: str, value: Any, source_id: str, label: str) -> None:
    """Add one known alternative answer to ``spec`` (hashed with the entry's own salt), checking it first."""
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"exercise {qid}: an alternative needs a label that says whose answer it is, e.g. \"Theobald's date\"")
    if not isinstance(source_id, str) or source_id not in _source_ids():
        raise ValueError(f"exercise {qid}: {source_id!r} is not a source_id of data/sources.csv; add the source there first")
    try:
        forms = _candidates(spec["kind"], value, spec)
    except _Refused as why:
        raise ValueError(f"cannot register {value!r} as a {spec['kind']} alternative: {why}") from None
    if any(_hash(spec["salt"], qid, form) in set(spec["hashes"]) for form in forms):
        raise ValueError(f"exercise {qid}: the alternative {label!r} is an accepted answer already; an alternative is an answer marked wrong")
    digest = _hash(spec["salt"], qid, forms[0])
    kept = [alt for alt in spec.get("alternatives", []) if alt["hash"] != digest]
    spec["alternatives"] = [*kept, {"hash": digest, "source_id": source_id, "label": label.strip()}]


def add_alternative(question_id: str, value: Any, source_id: str, label: str, *, bank_path: Path | None = None) -> None:
    """Add a known alternative answer to a registered exercise, keeping its salt and accepted answers (authors only).

    An alternative is an answer that another source supports (another date of the same event, a count that
    defines its object differently). It stays a wrong answer for the check and for grading; the class report
    (``make report``) names it: "11 students gave the date on the German archive's copy of the note". The
    value is stored only as a salted hash, like the answers, with the ``source_id`` (a key of
    ``data/sources.csv``) and the label. A class copy's entry for a graded exercise keeps none of it
    (:func:`form_only_entry`). Example::

        add_alternative("4.7", 17, "wilson_note1960", "the date on the German archive's copy of the note")
    """
    qid = question_id.strip()
    path = Path(bank_path) if bank_path else _lesson_file(qid)
    bank = dict(_bank_file(path))
    if qid not in bank:
        raise ValueError(f"exercise {qid} is not registered in {path.name}; register its answer first")
    spec = dict(bank[qid])
    _add_alternative(spec, qid, value, source_id, label)
    bank[qid] = spec
    path.write_text(json.dumps(bank, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    _BANK_CACHE.pop(path, None)


def alternative_of(qid: str, answer: Any, spec: dict[str, Any]) -> dict[str, str] | None:
    """The registered alternative (``hash``, ``source_id``, ``label``) that ``answer`` matches, or None."""
    known = {alt["hash"]: alt for alt in spec.get("alternatives", ())}
    if not known or "salt" not in spec:
        return None
    try:
        forms = _candidates(spec["kind"], answer, spec)
    except Exception:  # noqa: BLE001 - an answer that cannot be read matches no alternative
        return None
    for form in forms:
        found = known.get(_hash(spec["salt"], qid, form))
        if found:
            return found
    return None
