"""Pure functions the lessons and widgets share. No plotting, no widgets, no I/O.

Growth
------
>>> round(cagr(100, 200, 10), 4)          # doubling in ten years
0.0718
>>> round(required_growth(5.35, 20.0, 15), 4)  # from 5.35 to 20 in fifteen years
0.0919

Races
-----
>>> years_to_overtake(10, 0.10, 20, 0.02)
Overtake(years=10, year=None, reason='overtakes after 10 years')
>>> years_to_overtake(10, 0.02, 20, 0.05).years is None
True
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from typing import NamedTuple

import numpy as np
import pandas as pd

from helpers.errors import LessonError

__all__ = [
    "cagr",
    "required_growth",
    "years_to_overtake",
    "Overtake",
    "first_year_exceeds",
    "series_between",
    "growth_between",
    "count_by",
    "MAX_RATE",
    "require_columns",
    "plain",
    "keep_only",
    "read_date",
]

#: Growth rates above this (per year, as a fraction) are refused: a "rate" of 5 is far likelier to mean 5%
#: than 500% a year, so it is ambiguous, and no economy has more than doubled its output for years on end.
MAX_RATE = 1.0


class AnalysisError(LessonError, ValueError):
    """An input these functions cannot work with; the message says what is needed."""


# --------------------------------------------------------------------------- checking the arguments of every public function

#: Which dataset a table argument means, by the argument's name (the lessons' own names).
TABLE_OF = {
    "events": "events", "loans": "soviet_loans", "projects": "aided_projects", "people": "soviet_experts_chinese_students",
    "trade": "sino_soviet_trade", "parties": "conference_parties", "totals": "conference_totals", "debates": "debates",
    "quotations": "quotations", "output": "industrial_output", "targets": "glf_targets", "grain": "china_grain_output",
    "steel": "industrial_output", "bib": "sources",
}


def _shown(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 50 else text[:47] + '...'}"


def _table_arg(func: str, name: str, value, optional: bool):
    wanted = TABLE_OF.get(name)
    load_it = f"data.load('{wanted}')" if wanted else "data.load(...)"
    if isinstance(value, pd.DataFrame):
        got = value.attrs.get("name")
        if wanted and isinstance(got, str) and got != wanted and not (name == "bib" and got == "sources"):
            raise AnalysisError(f"{func}() needs the {wanted} table for {name}, but was given the {got} table: pass {name} = {load_it}.")
        return value
    if value is None and optional:
        return None
    if isinstance(value, str):
        raise AnalysisError(f"{func}() needs the table itself for {name}, not its name {value!r}: load it first, "
                            f"{name} = {load_it if wanted else f'data.load({value!r})'}, then pass {name}.")
    if value is None:
        raise AnalysisError(f"{func}() needs a table for {name}, but got None: load it with {load_it}.")
    if isinstance(value, pd.Series):
        raise AnalysisError(f"{func}() needs the whole table for {name}, but got one column ({value.name!r}): pass the table, not table[{value.name!r}].")
    raise AnalysisError(f"{func}() needs a table (a pandas DataFrame) for {name}, such as {load_it}; got {_shown(value)}.")


def _series_arg(func: str, name: str, value, optional: bool):
    if isinstance(value, pd.DataFrame) and value.shape[1] == 1:
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        if name == "dates":
            if not pd.api.types.is_datetime64_any_dtype(value):
                raise AnalysisError(f"{func}() needs a column of dates for {name} (such as events['date']), got values of type {value.dtype}.")
        elif len(value) and not (pd.api.types.is_numeric_dtype(value) and not pd.api.types.is_bool_dtype(value)):
            raise AnalysisError(f"{func}() needs numbers for {name}, but its values are {value.dtype} (e.g. {value.iloc[0]!r}): "
                                "convert them with pd.to_numeric(...) or pick the column of figures.")
        return value
    if value is None and optional:
        return None
    if isinstance(value, pd.DataFrame):
        raise AnalysisError(f"{func}() needs one column (a Series) for {name}, but got a table with the columns "
                            f"{list(value.columns)[:6]}: pick one, e.g. table[{str(value.columns[-1])!r}].")
    if isinstance(value, str):
        raise AnalysisError(f"{func}() needs the series itself for {name}, not the name {value!r}: e.g. steel[{value!r}] or table[{value!r}].")
    if value is None:
        raise AnalysisError(f"{func}() needs a series (a pandas Series) for {name}, but got None.")
    raise AnalysisError(f"{func}() needs a pandas Series for {name} (indexed by year where years matter), got {_shown(value)}: "
                        "make one with pd.Series(values, index=years).")


def _int_arg(func: str, name: str, value, optional: bool):
    if value is None and optional:
        return None
    number = None
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        number = int(value)
    elif isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        number = int(value)  # '1957' is the year 1957
    if number is not None:
        if name in _COUNT_NAMES and number < 1:
            raise AnalysisError(f"{func}() needs {name} to be at least 1, got {number}.")
        return number
    what = "a year such as 1957" if name in _YEAR_NAMES else "a lesson's number, such as 2" if name == "lesson" else "a whole number"
    raise AnalysisError(f"{func}() needs {what} for {name}, got {_shown(value)}.")


def _float_arg(func: str, name: str, value, optional: bool):
    """Numbers pass as they are (the function says what a NaN means there); '12.5', '−12.5' and '5%' are read;
    None, True/False, other types and infinities are refused. Text that is not a number is left for the function's own message."""
    if value is None and optional:
        return None
    if isinstance(value, str):
        text = value.strip().replace("\u2212", "-")
        try:
            return float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            return value
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise AnalysisError(f"{func}() needs a number for {name}, got {_shown(value)}.")
    if math.isinf(value):
        raise AnalysisError(f"{func}(): {name} is infinite: check the calculation that produced it (a division by zero?).")
    return value


def _text_arg(func: str, name: str, value, optional: bool):
    if value is None and optional:
        return None
    if isinstance(value, str):
        return value
    raise AnalysisError(f"{func}() needs text for {name} (in quotes), got {_shown(value)}.")


def _bool_arg(func: str, name: str, value, optional: bool):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise AnalysisError(f"{func}() needs True or False for {name}, got {_shown(value)}.")


def _names_arg(func: str, name: str, value, optional: bool):
    if value is None and optional:
        return None
    if isinstance(value, str):
        return (value,)  # one name is a list of one
    if isinstance(value, (list, tuple, set, frozenset, pd.Series, pd.Index, np.ndarray)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise AnalysisError(f"{func}() needs a name or a list of names (text) for {name}, got {_shown(value)}.")


def _axes_arg(func: str, name: str, value, optional: bool):
    if value is None and optional:
        return None
    if hasattr(value, "axvspan") and hasattr(value, "figure"):  # matplotlib Axes, without importing matplotlib here
        return value
    if hasattr(value, "axes") and hasattr(value, "savefig"):  # a Figure
        got = "a whole figure"
    else:
        got = _shown(value)
    raise AnalysisError(f"{func}() needs the axes a plot function returned for {name} "
                        f"(ax = plots.timeline(...), then {func}(ax, ...)); got {got}.")


_YEAR_NAMES = {"start", "end", "year", "start_year", "deadline", "since", "end_year"}
_COUNT_NAMES = {"width", "horizon"}
_RANGES = (("start", "end"), ("pledge_year", "deadline"), ("start_year", "end_year"))  # pairs that must run forwards  # sizes: a zero or negative one is a slip
#: Arguments typed as text that also take a date or a year (the honeymoon's date ranges): the function reads them.
_DATE_NAMES = {"start", "end", "date", "end_date"}
_CHECKERS = {"pd.DataFrame": _table_arg, "pd.Series": _series_arg, "int": _int_arg, "float": _float_arg, "str": _text_arg, "bool": _bool_arg,
             "Axes": _axes_arg}


def _checker(name: str, annotation) -> tuple | None:
    if not isinstance(annotation, str):
        return None
    parts = [p.strip() for p in annotation.split("|")]
    optional = "None" in parts
    kinds = [p for p in parts if p != "None"]
    if kinds in (["Iterable[str]"], ["list[str]"], ["str", "list[str]", "tuple[str, ...]"]):
        return _names_arg, optional
    if kinds == ["dict[str, pd.DataFrame]"]:
        return _tables_arg, optional
    if len(kinds) != 1 or kinds[0] not in _CHECKERS:
        return None
    if kinds[0] == "str" and name in _DATE_NAMES:
        return _date_arg, optional
    return _CHECKERS[kinds[0]], optional


def _date_arg(func: str, name: str, value, optional: bool):
    """A date in any form :func:`read_date` reads, passed on as 'YYYY-MM-DD' (a year or month as the end: its last day)."""
    if value is None and optional:
        return None
    return read_date(value, f"{func}(): the {name} date", end=name.startswith("end")).strftime("%Y-%m-%d")


def _tables_arg(func: str, name: str, value, optional: bool):
    if value is None and optional:
        return None
    if isinstance(value, dict) and all(isinstance(v, pd.DataFrame) for v in value.values()):
        return value
    raise AnalysisError(f"{func}() needs a dict of tables for {name} (name -> DataFrame, as load_tables() gives), got {_shown(value)}.")


def _columns_missing(tables: dict, err: KeyError) -> tuple[str, object] | None:
    key = err.args[0] if err.args else None
    keys = key if isinstance(key, list) else [key]
    for name, table in tables.items():
        if isinstance(table, pd.DataFrame) and keys and all(isinstance(k, str) for k in keys) and any(k not in table.columns for k in keys):
            return name, table
    return None


def _short_args(bound: inspect.BoundArguments) -> str:
    parts = []
    for name, value in bound.arguments.items():
        text = f"a {type(value).__name__}" if isinstance(value, (pd.DataFrame, pd.Series, dict, list)) else repr(value)
        parts.append(f"{name}={text if len(text) < 30 else text[:27] + '...'}")
    return ", ".join(parts)


def _reversed(func: str, bound: inspect.BoundArguments, checks: dict) -> str | None:
    """The message for a (start, end) pair given back to front, or None."""
    for lo, hi in _RANGES:
        first, last = bound.arguments.get(lo), bound.arguments.get(hi)
        if lo in checks and hi in checks and first is not None and last is not None and type(first) is type(last) and first > last:
            return f"{func}(): the {lo.replace('_', ' ')} {first} comes after the {hi.replace('_', ' ')} {last}; give the earlier one first."
    return None


def guarded(func):
    """``func`` with its arguments checked: each bad one raises an :class:`AnalysisError` saying what was
    expected and what was given (a table's name instead of the table, None, a column for a table, a year as
    text is read as the year). A KeyError for a column that a table argument lacks becomes an AnalysisError
    naming the table the function needs."""
    signature = inspect.signature(func)
    checks = {name: _checker(name, p.annotation) for name, p in signature.parameters.items()}
    checks = {k: v for k, v in checks.items() if v}
    tables = [n for n, c in checks.items() if c[0] is _table_arg]
    star = {n for n, p in signature.parameters.items() if p.kind == p.VAR_POSITIONAL}
    shape = f"{func.__name__}{signature}".split(" -> ")[0]

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as err:
            raise AnalysisError(f"{err}. It is called as {shape}.") from None
        for name, (check, optional) in checks.items():
            if name in star:  # f(*frames): each one checked
                bound.arguments[name] = tuple(check(func.__name__, name, v, False) for v in bound.arguments.get(name, ()))
            elif name in bound.arguments:
                bound.arguments[name] = check(func.__name__, name, bound.arguments[name], optional)
        try:
            try:
                result = func(*bound.args, **bound.kwargs)
            except ValueError as err:
                if not isinstance(err, AnalysisError) and _reversed(func.__name__, bound, checks):
                    raise AnalysisError(_reversed(func.__name__, bound, checks)) from None
                raise
            backwards = _reversed(func.__name__, bound, checks)
            if backwards:  # the function itself did not notice: never hand back a result for a range back to front
                if hasattr(result, "figure"):
                    import matplotlib.pyplot as plt

                    plt.close(result.figure)
                raise AnalysisError(backwards)
            if isinstance(result, float) and not math.isfinite(result):
                raise AnalysisError(f"{func.__name__}() came to {result} with these figures ({_short_args(bound)}): a figure is missing, "
                                    "zero where it divides, or far too large to be right.")
            return result
        except AnalysisError:
            raise
        except (OverflowError, ZeroDivisionError):
            raise AnalysisError(f"{func.__name__}() cannot compute with these figures ({_short_args(bound)}): "
                                "a figure is zero where it divides, or far too large to be right.") from None
        except Exception as err:
            given = {n: bound.arguments.get(n) for n in tables}
            found = _columns_missing(given, err) if isinstance(err, KeyError) else None
            if found:
                name, table = found
                wanted = TABLE_OF.get(name)
                need = f": pass {name} = data.load('{wanted}')" if wanted else ""
                raise AnalysisError(f"{func.__name__}() needs the column {err.args[0]!r} in {name}, and the table given has "
                                    f"{list(table.columns)[:8]}{need}.") from None
            empty = [n for n, t in given.items() if isinstance(t, pd.DataFrame) and t.empty]
            if empty:
                raise AnalysisError(f"{func.__name__}() got an empty table for {empty[0]} (no rows), so there is nothing to work on: "
                                    "did a filter remove every row?") from None
            raise

    wrapper.__wrapped__ = func
    wrapper._guarded = True
    return wrapper


def guard_module(namespace: dict) -> None:
    """Replace every public function of a module (its ``__all__``) by its :func:`guarded` form."""
    for name in namespace.get("__all__", []):
        func = namespace.get(name)
        if inspect.isfunction(func) and func.__module__ == namespace["__name__"] and not getattr(func, "_guarded", False):
            namespace[name] = guarded(func)


def _positive(name: str, value: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{name} must be a number, got {value!r}.") from None
    if math.isnan(number):
        raise AnalysisError(f"{name} is missing (NaN): there is no figure for that year in the data.")
    if number <= 0:
        raise AnalysisError(f"{name} must be above zero for a growth rate, got {number:g}.")
    return number


def _rate(name: str, value: float) -> float:
    """A growth rate as a fraction; '5%' is read as 0.05, and a rate above 1 (100% a year) is refused as ambiguous."""
    text = value.strip() if isinstance(value, str) else None
    try:
        rate = float(text[:-1]) / 100 if text and text.endswith("%") else float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{name} must be a number such as 0.05 for 5% a year, got {value!r}.") from None
    if math.isnan(rate):
        raise AnalysisError(f"{name} is missing (NaN).")
    if rate <= -1:
        raise AnalysisError(f"{name} is {rate:.0%} a year: output cannot fall by 100% or more in a year.")
    if rate > MAX_RATE:
        raise AnalysisError(
            f"{name} is {rate:g}, which as a fraction means {rate:.0%} a year. Rates are fractions: if you mean {rate:g}% a year, "
            f"write {rate / 100:g} (or '{rate:g}%'); rates above {MAX_RATE:.0%} a year are refused."
        )
    return rate


def read_date(value, what: str = "The date", *, end: bool = False, day_only: bool = False) -> pd.Timestamp:
    """A date from any usual form, or an AnalysisError saying why not.

    '1956-10-23', a Timestamp, date or numpy datetime64 are that day. A year (1956 or '1956') and a month
    ('1956-10', a Period) stand for their first day, or with ``end`` their last day, so that
    ``events_between(events, "1956", "1956")`` is the whole of 1956; with ``day_only`` they are refused.
    Day/month orders that could be read both ways ('01/02/1957') are refused; nothing else is guessed.
    """
    example = "write it as YYYY-MM-DD, e.g. '1956-10-23'"
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT or (isinstance(value, str) and not value.strip()):
        raise AnalysisError(f"{what} is missing; {example}.")
    if isinstance(value, (bool, np.bool_)):
        raise AnalysisError(f"{what} must be a date, got {value!r}; {example}.")
    period = None
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer()):
        if not 1000 <= int(value) <= 2999:
            raise AnalysisError(f"{what} must be a date or a year such as 1956, got the number {value!r}; {example}.")
        period = pd.Period(year=int(value), freq="Y")
    elif isinstance(value, (float, np.floating)):
        raise AnalysisError(f"{what} must be a date, got the number {value!r}; {example}.")
    elif isinstance(value, pd.Period):
        period = value
    elif isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"\d{4}", text):
            period = pd.Period(text, freq="Y")
        elif re.fullmatch(r"\d{4}-\d{1,2}", text):
            try:
                period = pd.Period(text, freq="M")
            except ValueError:
                raise AnalysisError(f"Could not read {value!r} as a month; write it as YYYY-MM, e.g. '1956-10'.") from None
        else:
            m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", text)
            if m and int(m[1]) <= 12 and int(m[2]) <= 12 and m[1] != m[2]:
                raise AnalysisError(f"{value!r} could be read day first or month first; {example}.")
            if m:
                a, b = int(m[1]), int(m[2])
                text = f"{m[3]}-{b if a > 12 or a == b else a:02d}-{a if a > 12 or a == b else b:02d}"
            elif re.fullmatch(r"[\d\s./-]+", text) and not re.fullmatch(r"\d{4}-\d{1,2}-\d{1,2}", text):
                raise AnalysisError(f"Could not read {value!r} as a date without guessing; {example}.")
            try:
                stamp = pd.Timestamp(text)
            except (TypeError, ValueError, OverflowError):
                raise AnalysisError(f"Could not read {value!r} as a date; {example}.") from None
            if not re.search(r"(?<!\d)\d{4}(?!\d)", text):
                raise AnalysisError(f"{value!r} gives no year, and a date needs one; {example}.")
            if pd.isna(stamp):
                raise AnalysisError(f"{what} is missing; {example}.")
            return stamp
    else:
        try:
            stamp = pd.Timestamp(value)
        except (TypeError, ValueError, OverflowError):
            raise AnalysisError(f"{what} must be a date, got {_shown(value)}; {example}.") from None
        if pd.isna(stamp):
            raise AnalysisError(f"{what} is missing (NaT): this row has no date.")
        return stamp
    if day_only and period.freqstr not in ("D",):
        raise AnalysisError(f"{what} must be one day, but {value!r} is a whole {'year' if period.freqstr.startswith('Y') else 'month'}; {example}.")
    return (period.end_time.normalize() if end else period.start_time)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table without its ``attrs`` (the data package's metadata), sharing the data.

    pandas deep-copies ``attrs`` into the result of every operation; for the tables that
    ``helpers.data.load`` returns that metadata is sizeable, and copying it dominated the time of
    the lesson functions. Working on a plain view keeps the results identical and far cheaper.
    """
    return pd.DataFrame(frame) if frame.attrs else frame


def keep_only(df: pd.DataFrame, column: str, value, message: str) -> pd.DataFrame:
    """Rows where ``column`` equals ``value``; if there are none, an AnalysisError naming the choices.

    ``message`` says what was missing and contains ``{values}``, which becomes the sorted list of the
    values the column does hold, e.g. ``"No loans in {unit!r}; choose one of {{values}}."``.
    """
    values = sorted(df[column].dropna().unique())
    if value not in values:
        raise AnalysisError(message.format(values=values))
    return df[df[column] == value]


def require_columns(df: pd.DataFrame, columns: tuple[str, ...], table: str, what: str | None = None) -> None:
    """Refuse a table that lacks ``columns``, saying which table was expected and how to load it."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        who = f"{what} needs" if what else "This needs"
        raise AnalysisError(
            f"{who} the column(s) {missing}, so this does not look like the {table} table: load it with data.load('{table}')."
        )


def cagr(start_value: float, end_value: float, years: float) -> float:
    """Compound annual growth rate, as a fraction (0.05 = 5% a year)."""
    start = _positive("The start value", start_value)
    end = _positive("The end value", end_value)
    try:
        span = float(years)
    except (TypeError, ValueError):
        raise AnalysisError(f"The number of years must be a number, got {years!r}.") from None
    if math.isnan(span):
        raise AnalysisError("The number of years is missing (NaN).")
    if span <= 0:
        raise AnalysisError(f"The number of years must be above zero, got {years!r}: the end must come after the start.")
    return (end / start) ** (1 / span) - 1


def required_growth(start_value: float, target_value: float, years: float) -> float:
    """The annual growth rate needed to go from ``start_value`` to ``target_value`` in ``years``."""
    return cagr(start_value, target_value, years)


class Overtake(NamedTuple):
    """The answer of :func:`years_to_overtake`: ``years`` is None when it never happens."""

    years: int | None
    year: int | None
    reason: str


def years_to_overtake(
    chaser: float,
    chaser_rate: float,
    leader: float,
    leader_rate: float,
    *,
    start_year: int | None = None,
    horizon: int = 200,
) -> Overtake:
    """Whole years until ``chaser`` growing at ``chaser_rate`` exceeds ``leader`` at ``leader_rate``.

    Solved in closed form (no loop): ``chaser * (1+g)^t > leader * (1+h)^t``. When it never
    happens (the chaser grows no faster, or not within ``horizon`` years) ``years`` is None and
    ``reason`` says why in plain words. Already ahead: ``years`` is 0.
    """
    a = _positive("The chaser's starting output", chaser)
    b = _positive("The leader's starting output", leader)
    g = _rate("The chaser's growth rate", chaser_rate)
    h = _rate("The leader's growth rate", leader_rate)
    if a > b:
        return Overtake(0, start_year, "already ahead at the start")
    ratio = math.log(b / a)
    speed = math.log1p(g) - math.log1p(h)
    if speed <= 0:
        why = "grows no faster than" if speed == 0 else "grows more slowly than"
        return Overtake(None, None, f"never: the chaser {why} the leader, so the gap never closes")
    t = ratio / speed
    if not math.isfinite(t) or t >= horizon:  # a gap closing so slowly that the count overflows
        about = f" (it would take about {math.floor(t) + 1})" if math.isfinite(t) and t < 1e9 else ""
        return Overtake(None, None, f"not within {horizon} years{about}")
    years = math.floor(t) + 1  # first whole year strictly ahead
    if years > horizon:
        return Overtake(None, None, f"not within {horizon} years (it would take about {years})")
    return Overtake(years, None if start_year is None else start_year + years, f"overtakes after {years} year{'' if years == 1 else 's'}")


def series_between(df: pd.DataFrame, start: int, end: int, year: str = "year") -> pd.DataFrame:
    """Rows with ``start <= year <= end``; a clear error when the range is back to front."""
    if start > end:
        raise AnalysisError(f"The start year {start} is after the end year {end}.")
    return df[(df[year] >= start) & (df[year] <= end)]


def growth_between(series: pd.Series, start: int, end: int) -> float:
    """CAGR of a year-indexed series between two years that must both be in it."""
    missing = [y for y in (start, end) if y not in series.index]
    if missing:
        have = f"{int(series.index.min())}-{int(series.index.max())}" if len(series) else "none"
        raise AnalysisError(f"No figure for {missing}; the series covers {have}.")
    return cagr(series.loc[start], series.loc[end], end - start)


def first_year_exceeds(a: pd.Series, b: pd.Series) -> int | None:
    """The first year in which series ``a`` is above series ``b`` (both indexed by year).

    Only years present in both count. None if ``a`` never exceeds ``b``.
    """
    both = pd.concat([a.rename("a"), b.rename("b")], axis=1, join="inner").dropna().sort_index()
    ahead = both.index[both["a"] > both["b"]]
    return None if len(ahead) == 0 else int(ahead[0])


def count_by(df: pd.DataFrame, column: str) -> pd.Series:
    """How many rows per value of ``column``, largest first, ties in name order."""
    if column not in df.columns:
        raise AnalysisError(f"There is no column '{column}'; the columns are {list(df.columns)}.")
    counts = df[column].value_counts()
    return counts.sort_index().sort_values(ascending=False, kind="stable")


guard_module(globals())
