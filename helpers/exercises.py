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

Every reasonable form of a right answer is read: numpy and pandas scalars and arrays
(``StringArray``, ``IntegerArray``, a Categorical, an Index), a one-element list or Series for a
single value, a ``Period`` (a year for a whole number, a month for a text such as '1959-03'), a
``Timedelta`` as its days, ``numpy.datetime64``, numbers written as text ('1,957', '12,5',
'−12.5', '5%' read both as 5 and 0.05), dates as '1954.10.12', '19541012', '12 Oct. 1954' or
'1954年10月12日'. Forms that could be read two ways are refused with both readings ('10/12/1954',
'1,234' for a number), as are a year or a month where a day is asked for. A wrong number that is
right once multiplied or divided by 100 is named as a percentage slip. In a notebook, an answer
whose cell stopped with an error is not judged (its value is a leftover): the IPython hooks
``pre_run_cell``/``post_run_cell`` note which names a failed cell meant to set.

Authors register a question once with :func:`register` (see the README's
teachers' section); students only ever call :func:`check`.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import json
import math
import os
import re
import secrets
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = ["check", "grade", "register", "known_questions", "form_only_entry", "Feedback", "BANK_DIR"]

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
    """True for a missing *scalar* (None, NaN, pandas.NA, NaT); never for a collection."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if getattr(value, "ndim", None) == 0 and hasattr(value, "dtype"):  # a numpy scalar: float32 nan, datetime64 NaT
        try:
            return bool(value != value)
        except (TypeError, ValueError):
            return False
    return False


def _is_empty(value: Any) -> bool:
    """An empty text, list, array, Series or table."""
    if isinstance(value, str):
        return not value.strip()
    if type(value).__name__ == "DataFrame":
        return value.size == 0
    if _is_collection(value) or isinstance(value, dict):
        try:
            return len(value) == 0
        except TypeError:
            return False
    return False


def _describe(value: Any) -> str:
    name = type(value).__name__
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - pandas cannot show a Series holding Decimal('sNaN'), for one
        return f"{name} (which cannot be shown)"
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{name} {text}"


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool) or type(value).__name__ in ("bool_", "bool")


def _is_collection(value: Any) -> bool:
    """A list-like answer (not a string): list, tuple, set, numpy or pandas array, Series, Index, DataFrame."""
    if isinstance(value, (str, bytes, dict)):
        return False
    if hasattr(value, "ndim"):
        return getattr(value, "ndim", 0) != 0
    return isinstance(value, (list, tuple, set, frozenset, range)) or type(value).__name__ in ("dict_keys", "dict_values")


def _only_value(value: Any, what: str) -> Any:
    """The single value inside a one-element list, array, Series or 1x1 table; refuse a longer one."""
    if not _is_collection(value):
        return value
    try:
        if type(value).__name__ == "DataFrame":
            flat = value.to_numpy().ravel().tolist()
        elif hasattr(value, "ravel") and hasattr(value, "tolist") and type(value).__name__ == "ndarray":
            flat = value.ravel().tolist()
        else:
            flat = list(value.array if type(value).__name__ in ("Series", "Index") else value)
    except Exception:  # noqa: BLE001
        raise _Refused(f"Expected {what}, but got {_describe(value)}.") from None
    if len(flat) == 1:
        return flat[0]
    raise _Refused(f"Expected {what}, but got {_describe(value)}: {len(flat)} values, and the answer is one.")


# --------------------------------------------------------------------------- numbers

_NFKC_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\ufe63": "-", "\uff0d": "-", "\u2010": "-", "\u2011": "-"})
_GROUP_SPACE = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f\u2009\u2007'_]\d{3})+([.,]\d+)?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_COMMA_GROUPS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DOT_GROUPS_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_DOT_GROUPS = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")


def _number_readings(text: str) -> tuple[list[float], bool]:
    """Every number ``text`` can mean (usually one; two for '1,234'), and whether it ended in '%'.

    Unicode minus signs and full-width digits are read; spaces, thin spaces and apostrophes may group
    thousands; '12,5' is a decimal comma, '12,345.6' and '1.234,5' use the usual separators.
    Returns ``([], False)`` for text that is not a number.
    """
    t = unicodedata.normalize("NFKC", text).translate(_NFKC_MINUS).strip()
    percent = t.endswith("%")
    if percent:
        t = t[:-1].rstrip()
    if _GROUP_SPACE.match(t):
        t = re.sub(r"[ \u00a0\u202f\u2009\u2007'_]", "", t)
    if _PLAIN.match(t):
        return [float(t)], percent
    if _COMMA_GROUPS.match(t):
        grouped = float(t.replace(",", ""))
        if re.match(r"^[+-]?0,", t):  # '0,071' is a decimal comma: nobody groups thousands after a zero
            return [float(t.replace(",", "."))], percent
        if "." in t or t.count(",") > 1:
            return [grouped], percent
        return [grouped, float(t.replace(",", "."))], percent  # '1,234': a thousand, or one point something
    if _DOT_GROUPS_COMMA.match(t):
        return [float(t.replace(".", "").replace(",", "."))], percent
    if _DOT_GROUPS.match(t):
        return [float(t.replace(".", ""))], percent
    if _DECIMAL_COMMA.match(t):
        return [float(t.replace(",", "."))], percent
    return [], percent


def _finite(number: float, what: str) -> float:
    if math.isnan(number):
        raise _Refused(f"Expected {what}, but got NaN (not a number): check the calculation for missing values.")
    if math.isinf(number) or abs(number) > 1e15:
        raise _Refused(f"Expected {what}, but got {number:g}, which is far too large to be the answer: check the calculation.")
    return number


def _days(value: Any, what: str) -> float:
    import pandas as pd

    delta = pd.Timedelta(value)
    if pd.isna(delta):
        raise _Refused(f"Expected {what}, but got a missing time span (NaT): check the calculation for missing dates.")
    days = delta / pd.Timedelta(days=1)
    if abs(days - round(days)) > 1e-9:
        raise _Refused(f"Expected {what}, but got the time span {delta}, which is not a whole number of days.")
    return float(round(days))


def _as_numbers(value: Any, what: str, *, whole: bool = False) -> list[float]:
    """The number(s) an answer stands for: one, or two when a '%' makes it a percentage (5% -> 5 and 0.05)."""
    value = _only_value(value, what)
    if _is_bool(value):
        raise _Refused(f"Expected {what}, but got True/False.")
    kind = type(value).__name__
    if kind in ("Timedelta", "timedelta", "timedelta64"):
        return [_days(value, what)]  # a difference of two dates: its days
    if kind == "Period":
        if str(getattr(value, "freqstr", "")).upper().startswith(("Y", "A")):
            return [float(value.year)]
        raise _Refused(f"Expected {what}, but got the period {value} (a stretch of time, not a number); "
                       "for its year write .year, e.g. answer.year.")
    if kind in ("Timestamp", "datetime", "date", "datetime64"):
        raise _Refused(f"Expected {what}, but got a date ({_describe(value)}). If the answer is a number of days, "
                       "subtract two dates and take .days; if it is a year, take .year.")
    if isinstance(value, str):
        readings, percent = _number_readings(value)
        if not readings:
            example = "1957" if whole else "12.5"
            raise _Refused(
                f"Expected {what}, but got the text {value[:40]!r}. Give the number itself, without quotes or units, "
                f"e.g. {example} rather than '{example} tons'."
            )
        if whole and len(readings) > 1:
            readings = readings[:1]  # '1,957' or '1,000' as a whole number: the comma groups thousands
        if len(set(readings)) > 1:
            a, b = readings
            raise _Refused(
                f"{value.strip()!r} could be read as {a:g} (comma between thousands) or {b:g} (decimal comma). "
                f"Write the number without a comma, e.g. {a:g} or {b:g}."
            )
        number = _finite(readings[0], what)
        return [number, number / 100] if percent and not whole else [number]
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise _Refused(f"Expected {what}, but got {_describe(value)}.") from None
    return [_finite(number, what)]


def _as_number(value: Any, what: str) -> float:
    """One number (for items of a list and cells of a table)."""
    return _as_numbers(value, what)[0]


def _fmt_number(number: float, decimals: int) -> str:
    text = f"{round(number, decimals):.{decimals}f}"
    return "0" if text.strip("-0.") == "" else text  # -0.0 and 0.0 are the same answer


# --------------------------------------------------------------------------- dates

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], start=1)}
_MONTH_WORD = re.compile(r"[^\W\d_]{3,}")
_DATE_EXAMPLE = "Write it as YYYY-MM-DD, e.g. '1957-11-18', or as '18 November 1957'."


def _ymd(year: int, month: int, day: int, text: str) -> str:
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        raise _Refused(f"{text!r} is not a date in the calendar (year {year}, month {month}, day {day}). {_DATE_EXAMPLE}") from None


def _month_of(text: str) -> tuple[int, int] | None:
    """(year, month) if ``text`` names a month and no day: '1959-03', 'March 1959', 'Mar. 1959', '03/1959', '1959年3月'."""
    t = unicodedata.normalize("NFKC", text).strip().casefold().replace(".", " ").replace(",", " ")
    m = re.fullmatch(r"(\d{4})\s*[-/ ]\s*(\d{1,2})|(\d{4})\s*年\s*(\d{1,2})\s*月", t)
    if m:
        year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return (int(year), int(month)) if 1 <= int(month) <= 12 else None
    m = re.fullmatch(r"(\d{1,2})\s*[-/ ]\s*(\d{4})", t)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(2)), int(m.group(1))
    m = re.fullmatch(r"([^\W\d_]+)\s+(\d{4})|(\d{4})\s+([^\W\d_]+)", t)
    if m:
        word, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        month = [n for name, n in _MONTHS.items() if len(word) >= 3 and name.startswith(word)]
        if len(month) == 1:
            return int(year), month[0]
    return None


def _date_from_text(value: str) -> str:
    text = unicodedata.normalize("NFKC", value).strip().rstrip(".")
    if len(text) > 40:
        raise _Refused("Expected a date such as '1957-11-18'; that text is too long to be one.")
    m = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?", text)
    if m:
        return _ymd(int(m[1]), int(m[2]), int(m[3]), value)
    m = re.fullmatch(r"(\d{4})([-./ ])(\d{1,2})\2(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?", text)
    if m:  # year first: always year, month, day (ISO 8601 and its dotted and slashed forms)
        return _ymd(int(m[1]), int(m[3]), int(m[4]), value)
    m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m:
        return _ymd(int(m[1]), int(m[2]), int(m[3]), value)
    m = re.fullmatch(r"(\d{1,2})([-./ ])(\d{1,2})\2(\d{2}|\d{4})", text)
    if m:
        a, b, year = int(m[1]), int(m[3]), m[4]
        if len(year) == 2:
            raise _Refused(f"{value!r} gives the year in two digits; write it in full, e.g. '1957-11-18'.")
        if a <= 12 and b <= 12 and a != b:
            first = _dt.date(int(year), b, a).strftime("%d %B %Y").lstrip("0")
            second = _dt.date(int(year), a, b).strftime("%d %B %Y").lstrip("0")
            raise _Refused(
                f"{value!r} could be {first} (day first, as in most of Europe) or {second} (month first, as in the USA). "
                f"Write it as YYYY-MM-DD, e.g. '{year}-{b:02d}-{a:02d}' for {first}."
            )
        day, month = (a, b) if a > 12 or a == b else (b, a)
        return _ymd(int(year), month, day, value)
    if re.fullmatch(r"\d{4}", text):
        raise _Refused(f"{value!r} is a year; the answer is a day. {_DATE_EXAMPLE}")
    month = _month_of(text)
    if month:
        raise _Refused(f"{value!r} names a month; the answer is one day in it. {_DATE_EXAMPLE}")
    words = _MONTH_WORD.findall(text.casefold())
    named = words and any(n.startswith(w[:3]) for w in words for n in _MONTHS) and re.search(r"(?<!\d)\d{1,2}(?!\d)", text)
    if named and not re.search(r"(?<!\d)\d{4}(?!\d)", text):
        raise _Refused(f"{value!r} gives no year; write the date in full, e.g. '18 November 1957'.")
    if named:
        import pandas as pd

        try:
            stamp = pd.to_datetime(text.replace(",", " "), format="mixed")
        except (ValueError, TypeError, OverflowError):
            stamp = None
        if stamp is not None and not pd.isna(stamp):
            return stamp.strftime("%Y-%m-%d")
    raise _Refused(f"Could not read {value[:40]!r} as a date. {_DATE_EXAMPLE}")


def _as_date(value: Any) -> str:
    value = _only_value(value, "a date")
    kind = type(value).__name__
    if kind == "Period":
        if str(value.freqstr).upper() == "D":
            return value.start_time.strftime("%Y-%m-%d")
        raise _Refused(f"Expected a date (one day), but got the period {value}, which is longer than a day. {_DATE_EXAMPLE}")
    if kind in ("Timestamp", "datetime", "date", "datetime64"):
        import pandas as pd

        stamp = pd.Timestamp(value)
        if pd.isna(stamp):
            raise _Refused("Expected a date, but got a missing date (NaT): the row you took it from has no date.")
        return stamp.strftime("%Y-%m-%d")
    if isinstance(value, str):
        return _date_from_text(value)
    raise _Refused(f"Expected a date such as '1957-11-18' or '18 November 1957', but got {_describe(value)}.")


# --------------------------------------------------------------------------- texts, collections and tables


def _as_texts(value: Any) -> list[str]:
    value = _only_value(value, "a short text")
    if type(value).__name__ == "Period":
        value = str(value)
    if not isinstance(value, str):
        raise _Refused(f"Expected text in quotes, such as 'Lüshun', but got {_describe(value)}.")
    if len(value) > MAX_TEXT:
        raise _Refused("Expected a short text answer; that one is too long.")
    forms = [_fold_text(value)]
    month = _month_of(value)
    if month:  # 'March 1959', '1959/03' and '1959-03' name the same month
        forms.append(_fold_text(f"{month[0]}-{month[1]:02d}"))
    return forms


def _items(value: Any) -> list[Any]:
    kind = type(value).__name__
    if isinstance(value, (str, bytes)):
        raise _Refused(f"Expected a collection of items (a list such as ['a', 'b']), but got {_describe(value)}.")
    if isinstance(value, dict):
        value = list(value)
    if kind == "DataFrame":
        if value.shape[1] != 1:
            raise _Refused(f"Expected a list of items, but got a table with {value.shape[1]} columns; "
                           "give the one column that holds the answer, e.g. table['name'].")
        value = value.iloc[:, 0]
    try:
        if kind == "ndarray" and value.ndim > 1:
            if sum(n > 1 for n in value.shape) > 1:
                raise _Refused(f"Expected a list of items, but got an array of shape {value.shape}.")
            value = value.ravel()
        if getattr(value, "ndim", 1) == 0 or not isinstance(value, Iterable):
            raise _Refused(f"Expected a collection of items (a list such as ['a', 'b']), but got {_describe(value)}.")
        items = list(value.array if kind in ("Series", "Index") else value)
    except _Refused:
        raise
    except Exception:  # noqa: BLE001 - an object that says it is iterable and is not
        raise _Refused(f"Expected a collection of items (a list such as ['a', 'b']), but got {_describe(value)}.") from None
    if len(items) > MAX_ITEMS:
        raise _Refused(f"Expected a short list, but got {len(items)} items: the answer has far fewer.")
    return items


def _norm_item(item: Any, decimals: int) -> str:
    """One element of a list or cell of a table: numbers (also '1957' as text), dates, texts, compared alike."""
    if _is_missing(item):
        return "m:"
    if isinstance(item, str):
        readings, percent = _number_readings(item)
        if len(readings) == 1 and not percent:
            return "n:" + _fmt_number(readings[0], decimals)
        if len(item) <= 40 and re.search(r"\d", item):
            try:
                return "d:" + _date_from_text(item)
            except _Refused:
                pass
        return "t:" + _fold_text(item)
    if _is_bool(item):
        return "t:" + str(bool(item)).lower()
    kind = type(item).__name__
    if kind in ("Timestamp", "datetime", "date", "datetime64"):
        try:
            return "d:" + _as_date(item)
        except _Refused:
            return "m:"
    if kind == "Period" and not str(item.freqstr).upper().startswith(("Y", "A")):
        return "t:" + _fold_text(str(item))
    try:
        return "n:" + _fmt_number(_as_number(item, "a number"), decimals)
    except _Refused:
        return "t:" + _fold_text(str(item))


def _table_form(frame: Any, spec: dict[str, Any]) -> str:
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


def _as_tables(value: Any, spec: dict[str, Any]) -> list[str]:
    import pandas as pd

    if isinstance(value, dict) and value and all(not _is_collection(v) for v in value.values()):
        value = pd.Series(value)  # {'economy': 3, 'diplomacy': 5}
    if isinstance(value, pd.Series):
        value = value.to_frame(name=value.name if value.name is not None else "value")
    if not isinstance(value, pd.DataFrame):
        raise _Refused(f"Expected a table (a pandas DataFrame or Series), but got {_describe(value)}.")
    if value.size > MAX_ITEMS:
        raise _Refused(f"Expected a small table, but got {value.shape[0]} rows by {value.shape[1]} columns.")
    forms = [_table_form(value, spec)]
    if value.shape[1] >= 2 and isinstance(value.index, pd.RangeIndex):
        # the same table after .reset_index(): its first column is the index
        forms.append(_table_form(value.set_index(value.columns[0]), spec))
    return forms


def _candidates(kind: str, value: Any, spec: dict[str, Any]) -> list[str]:
    """The normalised forms of an answer to hash; the first is the answer as given.

    Numbers also give the forms one step of ``decimals`` away (the stated tolerance), and '5%' gives both
    5 and 0.05; a text naming a month also gives the month in YYYY-MM form; a table with a plain
    0, 1, 2... index also gives the table indexed by its first column. Raises ``_Refused`` with a
    message for the student when the answer is of a form that cannot be compared.
    """
    if kind in ("number", "integer"):
        what = "a whole number" if kind == "integer" else "a number"
        numbers = _as_numbers(value, what, whole=kind == "integer")
        if kind == "integer":
            if abs(numbers[0] - round(numbers[0])) > 1e-9:
                raise _Refused(f"Expected a whole number, but got {numbers[0]:g}.")
            return [_fmt_number(numbers[0], 0)]
        decimals = int(spec.get("decimals", 0))
        step = 10 ** (-decimals)
        forms: list[str] = []
        for number in numbers:
            for form in (_fmt_number(number, decimals), _fmt_number(number - step, decimals), _fmt_number(number + step, decimals)):
                if form not in forms:
                    forms.append(form)
        return forms
    if kind == "text":
        return _as_texts(value)
    if kind == "date":
        return [_as_date(value)]
    if kind in ("set", "sequence"):
        items = [_norm_item(i, int(spec.get("decimals", 2))) for i in _items(value)]
        if kind == "set":
            items = sorted(set(items))
        return ["\x1f".join(items)]
    if kind == "table":
        return _as_tables(value, spec)
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


# --------------------------------------------------------------------------- the cell that set the answer

_ASSIGNED = re.compile(r"^[ \t]*([A-Za-z_]\w*)\s*(?::[^=\n]*)?(?:[-+*/%@&|^]|//|\*\*|>>|<<)?=(?!=)", re.M)


def _assigned_names(source: str) -> set[str]:
    """Names a cell assigns at any level (``answer_1 = ...``, ``a, b = ...``, ``x += 1``); by pattern if it does not parse."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set(_ASSIGNED.findall(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.NamedExpr)) else []
        for target in targets:
            names.update(leaf.id for leaf in ast.walk(target) if isinstance(leaf, ast.Name))
    return names


class _CellWatch:
    """Remembers, per IPython shell, which names the cells that stopped with an error meant to assign.

    ``answer_0_2 = Moscow`` (no quotes) stops with a NameError and leaves ``answer_0_2`` as it was;
    a check run next would judge that leftover value. The IPython hooks ``pre_run_cell`` and
    ``post_run_cell`` (whose result is the shell's ``last_execution_result``) note the failed cell's names,
    and a later successful cell that assigns them clears them.
    """

    def __init__(self) -> None:
        self.failed: dict[str, str] = {}
        self.source = ""

    def pre(self, info: Any = None) -> None:
        self.source = getattr(info, "raw_cell", "") or ""

    def post(self, result: Any) -> None:
        info = getattr(result, "info", None)
        source = getattr(info, "raw_cell", None) or self.source
        names = _assigned_names(source)
        error = getattr(result, "error_before_exec", None) or getattr(result, "error_in_exec", None)
        if error is not None:
            why = f"{type(error).__name__}: {error}"
            for name in names:
                self.failed[name] = why
        else:
            for name in names:
                self.failed.pop(name, None)

    def stale(self, answer: Any, namespace: dict[str, Any]) -> tuple[str, str] | None:
        """(name, error) if ``answer`` is the value of a name whose last assignment failed and this cell uses it."""
        used = set(re.findall(r"[A-Za-z_]\w*", self.source))
        for name, why in self.failed.items():
            if name in used and name in namespace and namespace[name] is answer:
                return name, why
        return None


def _shell() -> Any:
    ipython = sys.modules.get("IPython")  # no IPython imported: not in a notebook, nothing to watch
    if ipython is None:
        return None
    try:
        return ipython.get_ipython()
    except Exception:  # noqa: BLE001
        return None


def _watch(shell: Any = None) -> _CellWatch | None:
    """The watch of ``shell`` (the running one by default), registering its hooks the first time."""
    shell = shell or _shell()
    if shell is None or not hasattr(shell, "events"):
        return None
    watch = getattr(shell, "_helpers_cell_watch", None)
    if watch is None:
        watch = _CellWatch()
        try:
            shell.events.register("pre_run_cell", watch.pre)
            shell.events.register("post_run_cell", watch.post)
            shell._helpers_cell_watch = watch
            if not getattr(shell, "custom_exceptions", ()):  # nobody else handles exceptions specially
                shell.set_custom_exc((NameError,), _answer_name_error)
        except Exception:  # noqa: BLE001 - an unusual shell: check still works, without this guard
            return None
    return watch


def _answer_name_error(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: int | None = None) -> None:
    """IPython's handler for NameError: for an ``answer...`` name that was never set, say why in one line.

    ``check('0.2', answer_0_2)`` run before the answer cell, or after it stopped with an error, would
    otherwise show a traceback; any other NameError is shown as usual.
    """
    name = getattr(value, "name", None)
    if not (isinstance(name, str) and re.fullmatch(r"answer\w*", name)):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    watch = getattr(shell, "_helpers_cell_watch", None)
    why = watch.failed.get(name) if watch is not None else None
    if why:
        text = _stale_message(f"{name} has no value", name, why).split(". ", 1)[1]
        message = f"{name} has no value: {text[0].lower()}{text[1:]}"
        message = message.replace(f"so {name} still holds an earlier value and checking it would mislead you", f"so {name} was never set")
    else:
        message = f"{name} has no value yet: run the cell above that sets it (replace ... with your answer there), then this one."
    shell._showtraceback(etype, value, [f"NameError: {message}"])
    return None


def _stale_message(label: str, name: str, why: str) -> str:
    advice = "Fix that cell, run it, then run this check again."
    m = re.match(r"NameError: name '(\w+)' is not defined", why)
    if m:
        advice = f"If {m.group(1)} is meant as text, put it in quotes ('{m.group(1)}'); then run that cell, and this check again."
    return (
        f"{label}: not checked. The cell that sets {name} stopped with an error ({why[:120]}), so {name} still holds "
        f"an earlier value and checking it would mislead you. {advice}"
    )


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
        forms = _candidates(spec["kind"], answer, spec)
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
    accepted = set(spec["hashes"])
    if any(_hash(spec["salt"], qid, form) in accepted for form in forms):
        return Feedback(f"{label}: correct. {spec.get('praise', '')}".rstrip(), True)
    slip = _unit_slip(spec, qid, answer)
    if slip:
        return Feedback(f"{label}: nearly. Your figure is right {slip}.", False)
    return Feedback(f"{label}: not quite. Hint: {spec['hint']}", False)


def form_only_entry(spec: dict[str, Any]) -> dict[str, Any]:
    """The bank entry a class copy keeps for a *graded* exercise: how to read the answer, nothing about its value.

    The salt, the hashes and the hint go (a hint narrows the answer; a hash can be brute-forced over a small
    range such as the years 1940-1970), so :func:`check` can only confirm the kind of answer.
    """
    return {key: spec[key] for key in ("kind", "decimals", "ordered") if key in spec} | {"graded": True}


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
        forms = _candidates(spec["kind"], answer, spec)
    except _Refused as why:
        raise AssertionError(f"{label}: {why}") from None
    except Exception as err:  # noqa: BLE001 - an odd object is a wrong answer, not a crash of the grader
        raise AssertionError(f"{label}: could not read this answer ({type(err).__name__}).") from None
    if not any(_hash(spec["salt"], qid, form) in set(spec["hashes"]) for form in forms):
        raise AssertionError(f"{label}: not correct.")


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
    if not isinstance(question_id, str) or not re.fullmatch(r"\s*\w+(\.\w+)+\s*", question_id):
        raise ValueError(f"the exercise id is text such as '1.10' (a number would turn 1.10 into 1.1), not {question_id!r}")
    if not isinstance(hint, str) or not hint.strip():
        raise ValueError("every exercise needs a hint that points back to the lesson")
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= 10):
        raise ValueError(f"decimals is a whole number of decimal places from 0 to 10, not {decimals!r}")
    qid = question_id.strip()
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


_watch()  # in a notebook, start noting failed cells now, before the first answer cell runs
