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

import math
from typing import NamedTuple

import pandas as pd

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
]

#: Growth rates above this (per year, as a fraction) are refused as absurd: +1000% a year.
MAX_RATE = 10.0


class AnalysisError(ValueError):
    """An input these functions cannot work with; the message says what is needed."""


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
    try:
        rate = float(value)
    except (TypeError, ValueError):
        raise AnalysisError(f"{name} must be a number such as 0.05 for 5% a year, got {value!r}.") from None
    if math.isnan(rate):
        raise AnalysisError(f"{name} is missing (NaN).")
    if rate <= -1:
        raise AnalysisError(f"{name} is {rate:.0%} a year: output cannot fall by 100% or more in a year.")
    if rate > MAX_RATE:
        raise AnalysisError(f"{name} is {rate:.0%} a year, which no economy has sustained; give a rate below {MAX_RATE:.0%}.")
    return rate


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
    years = math.floor(t) + 1  # first whole year strictly ahead
    if years > horizon:
        return Overtake(None, None, f"not within {horizon} years (it would take about {years})")
    return Overtake(years, None if start_year is None else start_year + years, f"overtakes after {years} years")


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
