"""Answer forms: every reasonable way a student writes a number, a date, a text, a list or a table, read into
the normalised forms the bank hashes (``answer_forms``); forms that could be read two ways are refused."""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from helpers.errors import ArgumentError, LessonError

KINDS = ("number", "integer", "text", "date", "set", "sequence", "table")
MAX_TEXT = 2_000  # characters; longer answers are refused before any work is done
MAX_ITEMS = 1_000  # elements in a collection or cells in a table

# --------------------------------------------------------------------------- normalising


class AnswerFormError(LessonError, ValueError):
    """The answer is of a form we cannot compare; the message says what is expected (``check`` shows it as feedback)."""


_Refused = AnswerFormError


def _fold_text(value: str) -> str:
    if not isinstance(value, str):
        raise ArgumentError(f"fold_text() folds a text (case, accents, punctuation); got {type(value).__name__} {value!r:.40}.")
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
    if not isinstance(spec, dict):
        raise _Refused(f"answer_forms() needs the exercise's bank entry (a dict, such as {{'kind': 'number', 'decimals': 1}}); got {type(spec).__name__} {spec!r:.40}.")
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
    raise _Refused(f"unknown answer kind {kind!r}; the kinds are {KINDS}")


_EXPECT = {
    "number": "a number",
    "integer": "a whole number",
    "text": "a short text",
    "date": "a date",
    "set": "a list of items (order does not matter)",
    "sequence": "a list of items in order",
    "table": "a table (DataFrame or Series)",
}


