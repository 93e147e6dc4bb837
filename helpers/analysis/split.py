"""Lesson 4 (After Moscow, 1958-1960): stepping through the split month by month, and weighing figures.

Pure functions: no plotting, no widgets, no I/O. They take the tables that
``helpers.data.load`` returns and raise :class:`helpers.analysis.AnalysisError`
with a message saying what to do when an input cannot be used.

Months
------
A month is a ``pandas.Period`` with monthly frequency. :func:`to_month` reads the
usual ways of writing one:

>>> to_month("1960-07")
Period('1960-07', 'M')
>>> month_label(to_month("July 1960"))
'July 1960'

Dates and their precision
-------------------------
An event dated ``1958-01-01`` with ``date_precision`` ``year`` happened *some time* in 1958.
It is not listed under any month by :func:`events_in_month`, and :func:`cumulative_counts`
counts it only once it has certainly happened (from December of its year): a count
"known by a month" includes only what certainly happened by the end of that month.

Competing figures
-----------------
>>> import pandas as pd
>>> counts = pd.DataFrame({"measure": ["a", "a"], "value": [343.0, 345.0], "source_id": ["x", "y"]})
>>> count_range(counts, "a").spread
2.0
"""

from __future__ import annotations

import difflib
import math
from typing import NamedTuple

import pandas as pd

from helpers import dates
from helpers.analysis import AnalysisError, guard_module, plain, require_columns

__all__ = [
    "WINDOW",
    "CATEGORIES",
    "to_month",
    "month_label",
    "lesson_months",
    "month_in_range",
    "latest_date",
    "events_in_month",
    "undated_in_year",
    "cumulative_counts",
    "cumulative_table",
    "monthly_counts",
    "days_between",
    "grain_table",
    "claim_ratio",
    "percent_change",
    "CountRange",
    "count_range",
    "year_indicators",
    "month_summary",
]

#: The months the lesson steps through: from the Moscow Conference to the end of 1960.
WINDOW = ("1957-11", "1960-12")

#: The timeline's categories, in the order the figures use.
CATEGORIES = ("diplomacy", "party", "economy", "military_technology", "crisis", "culture")


# --------------------------------------------------------------------------- speed


def to_month(value: object) -> pd.Period:
    """Read ``value`` as a month: ``"1960-07"``, ``"July 1960"``, ``"Jul 1960"``, a Timestamp or a Period.

    >>> to_month("Nov 1957")
    Period('1957-11', 'M')
    """
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    if isinstance(value, pd.Timestamp):
        return value.to_period("M")
    if not isinstance(value, str):
        raise AnalysisError(f"A month is text such as '1960-07' or 'July 1960'; got {type(value).__name__} {value!r}.")
    text = value.strip()
    if not text:
        raise AnalysisError("No month given: write one as YYYY-MM, e.g. '1960-07', or as 'July 1960'.")
    for fmt in ("%Y-%m", "%B %Y", "%b %Y", "%Y-%m-%d"):
        try:
            stamp = pd.Timestamp(pd.to_datetime(text, format=fmt))
        except (ValueError, TypeError):
            continue
        if not pd.isna(stamp):
            return stamp.to_period("M")
    raise AnalysisError(f"Could not read {value!r} as a month. Write it as YYYY-MM, e.g. '1960-07', or as 'July 1960'.")


def month_label(month: object) -> str:
    """``'July 1960'`` for a month in any form :func:`to_month` reads."""
    return to_month(month).strftime("%B %Y")


def lesson_months(start: object = WINDOW[0], end: object = WINDOW[1]) -> list[pd.Period]:
    """Every month from ``start`` to ``end``, both included.

    >>> [str(m) for m in lesson_months("1960-06", "1960-08")]
    ['1960-06', '1960-07', '1960-08']
    """
    lo, hi = to_month(start), to_month(end)
    if lo > hi:
        raise AnalysisError(f"The start month {month_label(lo)} is after the end month {month_label(hi)}: swap them.")
    return list(pd.period_range(lo, hi, freq="M"))


def month_in_range(month: object, start: object = WINDOW[0], end: object = WINDOW[1]) -> pd.Period:
    """Return ``month`` as a Period, or explain that it lies outside the lesson's months."""
    m, lo, hi = to_month(month), to_month(start), to_month(end)
    if not lo <= m <= hi:
        raise AnalysisError(
            f"{month_label(m)} is outside this lesson's months ({month_label(lo)} to {month_label(hi)}); choose a month in that range."
        )
    return m


# --------------------------------------------------------------------------- events by month


def latest_date(events: pd.DataFrame) -> pd.Series:
    """The latest day each event can have happened, given its ``date_precision``.

    A ``day`` date is itself; a ``month`` date means the end of that month; a ``year`` date the end of that year.
    """
    require_columns(events, ("date", "date_precision"), "events", what="latest_date")
    events = plain(events)
    precision = events["date_precision"].fillna("day")
    end_of_month = events["date"] + pd.offsets.MonthEnd(0)
    end_of_year = events["date"] + pd.offsets.YearEnd(0)
    return events["date"].where(precision == "day", end_of_month.where(precision == "month", end_of_year))


def _dated_to_month(events: pd.DataFrame) -> pd.DataFrame:
    return events[events["date_precision"].fillna("day").isin(["day", "month"])]


def events_in_month(events: pd.DataFrame, month: object) -> pd.DataFrame:
    """Events that began in ``month``, in date order (events dated only to a year are left out).

    >>> ev = pd.DataFrame({"event_id": ["a", "b"], "date": pd.to_datetime(["1960-07-16", "1960-08-04"]),
    ...                    "date_precision": ["day", "day"]})
    >>> events_in_month(ev, "1960-07")["event_id"].tolist()
    ['a']
    """
    require_columns(events, ("date", "date_precision"), "events", what="events_in_month")
    events = plain(events)
    m = to_month(month)
    dated = _dated_to_month(events)
    rows = dated[dated["date"].dt.to_period("M") == m]
    keys = ["date", "event_id"] if "event_id" in rows.columns else ["date"]
    return rows.sort_values(keys, kind="stable")


def undated_in_year(events: pd.DataFrame, year: int) -> pd.DataFrame:
    """Events of ``year`` known only to the year (``date_precision`` 'year'): no month can be given for them."""
    require_columns(events, ("date", "date_precision"), "events", what="undated_in_year")
    events = plain(events)
    return events[(events["date_precision"] == "year") & (events["date"].dt.year == int(year))]


def cumulative_counts(events: pd.DataFrame, month: object, since: object = WINDOW[0]) -> pd.Series:
    """How many events of each category had *certainly* happened from the start of ``since`` to the end of ``month``.

    Every category of the table appears, with 0 where nothing happened yet, in :data:`CATEGORIES` order.
    An event dated only to a month or a year counts from the end of that month or year.

    >>> ev = pd.DataFrame({"date": pd.to_datetime(["1958-01-01", "1958-08-23"]), "date_precision": ["year", "day"],
    ...                    "category": ["military_technology", "crisis"]})
    >>> cumulative_counts(ev, "1958-09", since="1958-01").to_dict()
    {'military_technology': 0, 'crisis': 1}
    """
    require_columns(events, ("date", "date_precision", "category"), "events", what="cumulative_counts")
    events = plain(events)
    lo, hi = to_month(since), to_month(month)
    if lo > hi:
        raise AnalysisError(f"The count starts in {month_label(lo)}, after {month_label(hi)}: choose a later month or an earlier start.")
    start = lo.to_timestamp(how="start")
    end = hi.to_timestamp(how="end")
    known = (events["date"] >= start) & (latest_date(events) <= end)
    order = [c for c in CATEGORIES if c in set(events["category"].dropna())]
    order += sorted(set(events["category"].dropna()) - set(order))
    counts = events.loc[known, "category"].value_counts()
    return pd.Series({c: int(counts.get(c, 0)) for c in order}, name="events", dtype="int64")


def monthly_counts(events: pd.DataFrame, start: object = WINDOW[0], end: object = WINDOW[1]) -> pd.DataFrame:
    """A months x categories table: how many events began in each month (year-only dates left out)."""
    require_columns(events, ("date", "date_precision", "category"), "events", what="monthly_counts")
    events = plain(events)
    months = pd.PeriodIndex(lesson_months(start, end), name="month")
    dated = _dated_to_month(events)
    table = pd.crosstab(dated["date"].dt.to_period("M"), dated["category"])
    order = [c for c in CATEGORIES if c in set(events["category"].dropna())]
    return table.reindex(index=months, columns=order, fill_value=0).astype("int64")


def cumulative_table(events: pd.DataFrame, start: object = WINDOW[0], end: object = WINDOW[1], since: object | None = None) -> pd.DataFrame:
    """A months x categories table: for each month, :func:`cumulative_counts` up to its end, computed in one pass.

    ``since`` defaults to ``start``. Row ``m`` equals ``cumulative_counts(events, m, since)``.

    >>> ev = pd.DataFrame({"date": pd.to_datetime(["1958-01-01", "1958-08-23"]), "date_precision": ["year", "day"],
    ...                    "category": ["military_technology", "crisis"]})
    >>> cumulative_table(ev, "1958-08", "1958-12", since="1958-01").loc["1958-12"].to_dict()
    {'military_technology': 1, 'crisis': 1}
    """
    require_columns(events, ("date", "date_precision", "category"), "events", what="cumulative_table")
    events = plain(events)
    lo = to_month(start if since is None else since)
    if lo > to_month(start):
        raise AnalysisError(f"The count starts in {month_label(lo)}, after {month_label(start)}: choose a later month or an earlier start.")
    months = pd.PeriodIndex(lesson_months(start, end), name="month")
    order = [c for c in CATEGORIES if c in set(events["category"].dropna())]
    order += sorted(set(events["category"].dropna()) - set(order))
    counted = events[(events["date"] >= lo.to_timestamp(how="start")) & events["category"].notna()]
    known_in = latest_date(counted).dt.to_period("M")
    first = months[0]
    # events that became certain before the first month shown still count in every month
    known_in = known_in.where(known_in >= first, first)
    table = pd.crosstab(known_in, counted["category"])
    table = table.reindex(columns=order, fill_value=0)
    table = table.reindex(index=table.index.union(months), fill_value=0).cumsum()
    return table.reindex(index=months).fillna(0).astype("int64").rename_axis(index="month", columns=None)


_row = dates.event_row
days_between = dates.days_between  # shared with lesson 2 (helpers/dates.py)


# --------------------------------------------------------------------------- claims and revisions


def grain_table(grain: pd.DataFrame) -> pd.DataFrame:
    """China's grain figures as a years x series table (million metric tons), gaps left empty."""
    require_columns(grain, ("year", "series", "value"), "china_grain_output", what="grain_table")
    grain = plain(grain)
    table = grain.pivot_table(index="year", columns="series", values="value", aggfunc="first")
    table.columns.name = None
    return table.sort_index().astype("float64")


def claim_ratio(grain: pd.DataFrame, year: int, claim: str = "official_claim", revised: str = "revised_official") -> float:
    """How many times larger the ``claim`` figure for ``year`` is than the ``revised`` one.

    >>> g = pd.DataFrame({"year": [1958, 1958], "series": ["official_claim", "revised_official"], "value": [300.0, 120.0]})
    >>> claim_ratio(g, 1958)
    2.5
    """
    table = grain_table(grain)
    if year not in table.index:
        raise AnalysisError(f"No grain figure for {year}; the table has {', '.join(str(y) for y in table.index)}.")
    for series in (claim, revised):
        if series not in table.columns:
            raise AnalysisError(f"There is no series '{series}'; the series are {list(table.columns)}.")
    top, bottom = table.at[year, claim], table.at[year, revised]
    have = [s for s in table.columns if not math.isnan(table.at[year, s])]
    for series, value in ((claim, top), (revised, bottom)):
        if math.isnan(value):
            raise AnalysisError(f"There is no '{series}' figure for {year}; for {year} the table has {have}.")
    if bottom <= 0:
        raise AnalysisError(f"The '{revised}' figure for {year} is {bottom:g}; a ratio needs a figure above zero.")
    return float(top / bottom)


def percent_change(old: float, new: float) -> float:
    """Change from ``old`` to ``new`` in percent (negative for a fall).

    >>> round(percent_change(200, 150), 2)
    -25.0
    """
    try:
        a, b = float(old), float(new)
    except (TypeError, ValueError):
        raise AnalysisError(f"percent_change needs two numbers, got {old!r} and {new!r}.") from None
    if math.isnan(a) or math.isnan(b):
        raise AnalysisError("One of the figures is missing (NaN): there is no figure for that year in the data.")
    if a == 0:
        raise AnalysisError("The starting figure is 0, so a percentage change has no meaning.")
    return (b - a) / abs(a) * 100


# --------------------------------------------------------------------------- competing counts


class CountRange(NamedTuple):
    """The spread of competing figures: lowest, highest, and who gives which. Never an average."""

    measures: tuple[str, ...]
    low: float
    high: float
    spread: float
    n: int
    by_source: dict[str, float]

    def describe(self) -> str:
        parts = "; ".join(f"{sid} {value:,.0f}" for sid, value in self.by_source.items())
        return f"{self.n} figures from {self.low:,.0f} to {self.high:,.0f} (a spread of {self.spread:,.0f}): {parts}"


def count_range(table: pd.DataFrame, measures: str | list[str] | tuple[str, ...]) -> CountRange:
    """Lowest and highest figure given for one measure (or a list of comparable measures), with their sources.

    The figures are never averaged: they count different things, or the same thing differently.
    ``by_source`` maps each ``source_id`` (with the measure when several are compared) to its figure.
    """
    require_columns(table, ("measure", "value", "source_id"), "split_withdrawal_1960", what="count_range")
    table = plain(table)
    wanted = (measures,) if isinstance(measures, str) else tuple(measures)
    if not wanted:
        raise AnalysisError("Name at least one measure, e.g. 'contracts_cancelled'.")
    known = sorted(set(table["measure"].dropna()))
    unknown = [m for m in wanted if m not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise AnalysisError(f"No measure called {unknown}.{hint} The measures are: {', '.join(known)}.")
    rows = table[table["measure"].isin(wanted)].dropna(subset=["value"])
    if rows.empty:
        raise AnalysisError(f"The measure(s) {list(wanted)} have no figures.")
    values = rows["value"].astype(float)
    label = (lambda r: r["source_id"]) if len(wanted) == 1 else (lambda r: f"{r['source_id']} ({r['measure']})")
    by_source = {label(r): float(r["value"]) for _, r in rows.sort_values("value", kind="stable").iterrows()}
    low, high = float(values.min()), float(values.max())
    return CountRange(wanted, low, high, high - low, int(len(rows)), by_source)


# --------------------------------------------------------------------------- what the month shows


def year_indicators(grain: pd.DataFrame, steel: pd.DataFrame, year: int) -> pd.DataFrame:
    """China's grain and steel figures for ``year``, one row per series, with the unit and source.

    ``steel`` is ``data.load('industrial_output')`` (the China steel rows are picked here). Revised
    series were published decades later: they are what *we* know about that year, not what anyone knew then.
    """
    require_columns(grain, ("year", "series", "value", "unit", "source_id"), "china_grain_output", what="year_indicators (grain)")
    require_columns(steel, ("country", "product", "year", "series", "value", "unit", "source_id"), "industrial_output", what="year_indicators (steel)")
    grain, steel = plain(grain), plain(steel)
    g = grain[grain["year"] == year].assign(indicator="grain")
    s = steel[(steel["country"] == "China") & (steel["product"] == "steel") & (steel["year"] == year)].assign(indicator="steel")
    out = pd.concat([g, s], ignore_index=True)[["indicator", "series", "value", "unit", "source_id"]]
    return out.sort_values(["indicator", "series"], kind="stable").reset_index(drop=True)


def _short(title: str, width: int = 60) -> str:
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def month_summary(events: pd.DataFrame, month: object, since: object = WINDOW[0], focus: str = "crisis") -> str:
    """One line: the events of ``month`` and how many ``focus`` events had happened since ``since``.

    The month must lie in the lesson's window (:data:`WINDOW`).
    """
    m = month_in_range(month)
    events = plain(events)
    here = events_in_month(events, m)
    if here.empty:
        listed = "no events"
    else:
        items = []
        for _, row in here.iterrows():
            day = "" if row["date_precision"] == "month" else f"{row['date'].day} {row['date']:%b}: "
            flag = row.get("contested", False)
            mark = " [date contested]" if (flag is not pd.NA and bool(flag)) else ""
            items.append(f"{day}{_short(str(row['title']))}{mark}")
        listed = f"{len(here)} event{'s' if len(here) != 1 else ''} ({'; '.join(items)})"
    counts = cumulative_counts(events, m, since)
    total = int(counts.sum())
    n_focus = int(counts.get(focus, 0))
    return (
        f"{month_label(m)}: {listed}; by then {n_focus} {focus.replace('_', ' ')} event{'s' if n_focus != 1 else ''} "
        f"and {total} events in all since {month_label(since)}."
    )


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
