"""Dates the lessons share: days between two events, and whether dates fall in a window.

>>> import pandas as pd
>>> events = pd.DataFrame({"event_id": ["a", "b"], "date": pd.to_datetime(["1957-11-14", "1957-11-16"]),
...                        "date_precision": ["day", "day"]})
>>> days_between(events, "a", "b")
2
>>> between(pd.Series(pd.to_datetime(["1954-10-12", "1958-07-31"])), ("1954-09-29", "1957-11-21")).tolist()
[True, False]
"""

from __future__ import annotations

import difflib

import pandas as pd

from helpers.analysis import AnalysisError, guard_module, plain, read_date, require_columns

__all__ = ["event_row", "days_between", "window", "between"]


def event_row(events: pd.DataFrame, event_id: str) -> pd.Series:
    """The row of ``events`` whose ``event_id`` is ``event_id``, or an error naming the closest id."""
    if isinstance(event_id, (list, tuple, pd.Series, pd.Index)) and len(event_id) == 1:
        event_id = list(event_id)[0]  # a list of one id reads as that id
    if not isinstance(event_id, str):
        raise AnalysisError(f"An event is named by its event_id, a text such as 'sputnik_1_launched_1957'; got {event_id!r}.")
    hit = events[events["event_id"] == event_id]
    if hit.empty:
        close = difflib.get_close_matches(str(event_id), events["event_id"].dropna().astype(str).tolist(), n=1, cutoff=0.5)
        hint = f" Did you mean '{close[0]}'?" if close else " Look it up in events['event_id']."
        raise AnalysisError(f"There is no event with event_id '{event_id}'.{hint}")
    return hit.iloc[0]


def days_between(events: pd.DataFrame, first: str, second: str) -> int:
    """Days from the start date of event ``first`` to that of event ``second`` (negative if it came before).

    Both must be dated to the day: a date known only to the month or year gives an error rather than a count
    that would look more exact than the evidence.
    """
    require_columns(events, ("event_id", "date"), "events", what="days_between")
    events = plain(events)
    rows = [event_row(events, first), event_row(events, second)]
    for row in rows:
        if pd.isna(row["date"]):
            raise AnalysisError(f"The event '{row['event_id']}' has no date.")
        precision = row.get("date_precision", "day")
        if precision != "day":
            raise AnalysisError(
                f"'{row['event_id']}' is dated only to the {precision} ({pd.Timestamp(row['date']):%Y-%m-%d} stands for the whole "
                f"{precision}), so a count of days would be invented. Choose events dated to the day."
            )
    return int((pd.Timestamp(rows[1]["date"]) - pd.Timestamp(rows[0]["date"])).days)


def window(value: tuple) -> tuple[pd.Timestamp, pd.Timestamp]:
    """A (start, end) pair of dates; a year or a month as the end means its last day ('1956' to '1956' is all of 1956)."""
    if not isinstance(value, (tuple, list)) or len(value) < 2:
        raise AnalysisError(f"A window is a (start, end) pair of dates such as ('1954-10-01', '1957-12-31'); got {value!r}.")
    lo, hi = read_date(value[0], "The start date"), read_date(value[1], "The end date", end=True)
    if lo > hi:
        raise AnalysisError(f"The window starts ({lo.date()}) after it ends ({hi.date()}): swap the two dates.")
    return lo, hi


def between(dates: pd.Series, span: tuple) -> pd.Series:
    """True for each date inside ``span`` = (first, last), both ends included (see :func:`window`)."""
    lo, hi = window(span)
    return (dates >= lo) & (dates <= hi)


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
