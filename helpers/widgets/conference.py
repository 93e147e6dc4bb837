"""Lesson 2 explorer and figures: the debates at the Moscow meetings, and the published counts of parties.

Thin: the rows come from :mod:`helpers.analysis.conference`; this module only lays them out.

>>> from helpers import data
>>> from helpers.widgets import conference as cw
>>> explorer = cw.debate_explorer(data.load("debates"))  # doctest: +SKIP
>>> print(explorer.set(issue="war_and_peace", period="1957"))  # doctest: +SKIP
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import ipywidgets as W
import matplotlib.dates
import pandas as pd

from helpers import figure_store
from helpers._lazy import LazyModule

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from helpers import data, plots
from helpers.analysis import AnalysisError, guard_module
from helpers.analysis import conference as cf
from helpers.widgets import Explorer, explorer_factory

plt = LazyModule("matplotlib.pyplot")  # imported with the first figure drawn

__all__ = ["STATUS_STYLE", "chronology_figure", "totals_figure", "positions_figure", "debate_summary", "debate_explorer"]

#: Colour and hatching per status of a published total (hatching keeps them apart without colour).
STATUS_STYLE = {
    "reported": ("#0072B2", ""),
    "memoir_recollection": ("#E69F00", "//"),
    "contested": ("#D55E00", "xx"),
}

_MEETING_LABEL = {
    "ruling_parties_1957": "12-party meeting, 14-16 Nov 1957",
    "wider_meeting_1957": "wider meeting, 16-19 Nov 1957",
    "moscow_meeting_1960": "Moscow meeting, Nov 1960",
}


@figure_store.stored
def chronology_figure(events: pd.DataFrame, start: str, end: str, categories: list[str] | None = None, title: str | None = None) -> Axes:
    """One row per event between ``start`` and ``end``, in date order, labelled in full: a readable
    chronology for a crowded few weeks (``plots.timeline`` stacks them in one lane per category).

    Contested dates are hollow markers, as in ``plots.timeline``.
    """
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    if lo > hi:
        raise ValueError(f"The chronology starts ({lo.date()}) after it ends ({hi.date()}).")
    rows = events[(events["date"] >= lo) & (events["date"] <= hi)]
    if categories is not None:
        rows = rows[rows["category"].isin(categories)]
    if rows.empty:
        raise ValueError(f"No events between {lo.date()} and {hi.date()} in the chosen categories.")
    rows = rows.sort_values(["date", "event_id"])
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(9.0, 0.34 * len(rows) + 1.6))
        y = list(range(len(rows)))[::-1]
        for yy, r in zip(y, rows.itertuples()):
            color = plots.CATEGORY_COLORS.get(r.category, "#666666")
            contested = bool(r.contested) if pd.notna(r.contested) else False
            ax.scatter([r.date], [yy], s=36, zorder=3, facecolors="white" if contested else color, edgecolors=color)
            label = f"{cf.when(r.date, r.date_precision)}  {r.title}"
            ax.hlines(yy, r.date, hi + pd.Timedelta(days=3), color="#dddddd", lw=0.6, zorder=1)
            ax.annotate(textwrap.shorten(label, 80, placeholder="…"), (1.01, yy), xycoords=("axes fraction", "data"), va="center", fontsize=plots.TYPE_SCALE["small"])
        ax.set_yticks([])
        ax.set_ylim(-0.8, len(rows) - 0.2)
        ax.set_xlim(lo - pd.Timedelta(days=3), hi + pd.Timedelta(days=3))
        ax.spines["left"].set_visible(False)
        ax.grid(axis="y", alpha=0)
        ax.set_title(title or f"Chronology, {cf.when(lo, 'day')} to {cf.when(hi, 'day')}", loc="left", pad=20)
        cats = [c for c in plots.CATEGORY_COLORS if c in set(rows["category"])]
        handles = [plt.Line2D([], [], marker="o", ls="", color=plots.CATEGORY_COLORS[c]) for c in cats]
        ax.legend(handles, [c.replace("_", " ") for c in cats], frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(cats), borderaxespad=0.1)
        ax.xaxis.set_major_locator(matplotlib.dates.MonthLocator())
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%b"))
    n_contested = int(rows["contested"].fillna(False).astype(bool).sum())
    alt = (f"Chronology of {len(rows)} events, one per row, from {cf.when(rows['date'].iloc[0], 'day')} to {cf.when(rows['date'].iloc[-1], 'day')}: "
           + "; ".join(f"{cf.when(r.date, r.date_precision)} {r.title}" for r in rows.itertuples())
           + (f". {n_contested} dates are contested (hollow markers)." if n_contested else "."))
    frame = events.loc[rows.index]
    frame.attrs = dict(events.attrs)
    plots.finish(ax, source=plots.source_note(frame), alt=alt)
    fig.subplots_adjust(left=0.03, right=0.42, top=0.86)
    return ax


@figure_store.stored
def totals_figure(totals: pd.DataFrame, meetings: list[str] | None = None) -> Axes:
    """One bar per published figure (meeting, measure, source), grouped by meeting, coloured and hatched by status."""
    meetings = meetings or [m for m in _MEETING_LABEL if m in set(totals["meeting"])]
    rows = pd.concat([cf.totals_for(totals, m) for m in meetings], ignore_index=True)
    labels = [f"{r.measure.replace('_', ' ')} ({cf.cite_short(r.source_id)})" for r in rows.itertuples()]
    n_slots = len(rows) + len(meetings)
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(9.0, 0.26 * n_slots + 1.8))
        ticks, tick_labels, slot = [], [], n_slots - 1
        for meeting in meetings:
            ax.annotate(_MEETING_LABEL.get(meeting, meeting), (0, slot), xycoords=("axes fraction", "data"), xytext=(-4, -3),
                        textcoords="offset points", ha="right", fontsize=plots.TYPE_SCALE["small"], fontweight="bold")
            slot -= 1
            for idx in rows.index[rows["meeting"] == meeting]:
                r = rows.loc[idx]
                color, hatch = STATUS_STYLE.get(r["status"], ("#999999", ".."))
                ax.barh(slot, float(r["value"]), color=color, hatch=hatch, edgecolor="white", height=0.7)
                ax.annotate(str(int(r["value"])), (float(r["value"]), slot), xytext=(3, -3), textcoords="offset points", fontsize=plots.TYPE_SCALE["small"])
                ticks.append(slot)
                tick_labels.append(labels[idx])
                slot -= 1
        ax.set_yticks(ticks, tick_labels, fontsize=plots.TYPE_SCALE["small"] - 1)
        ax.set_ylim(-0.7, n_slots - 0.3)
        ax.set_xlim(0, float(rows["value"].max()) * 1.1)
        ax.set_xlabel("number of parties")
        ax.set_title("How many parties? Every published figure, one bar per source", pad=22)
        ax.grid(axis="y", alpha=0)
        present = [s for s in STATUS_STYLE if s in set(rows["status"])]
        handles = [plt.Rectangle((0, 0), 1, 1, facecolor=STATUS_STYLE[s][0], hatch=STATUS_STYLE[s][1], edgecolor="white") for s in present]
        ax.legend(handles, [s.replace("_", " ") for s in present], frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=len(present))
    parts = "; ".join(f"{_MEETING_LABEL.get(m, m)}, {lab}: {int(v)}" for m, lab, v in zip(rows["meeting"], labels, rows["value"]))
    alt = f"Horizontal bar chart of {len(rows)} published counts of parties, one bar per source and measure: {parts}."
    frame = rows.copy()
    frame.attrs = dict(totals.attrs)
    plots.finish(ax, source=plots.source_note(frame), alt=alt)
    fig.subplots_adjust(left=0.42, bottom=0.15, top=0.9)
    return ax


@figure_store.stored
def positions_figure(debates: pd.DataFrame) -> Axes:
    """Stacked bars: positions per issue taken in 1957 and later (after 1957 or undated)."""
    table = cf.period_counts(debates)
    if table.empty or not table.to_numpy().sum():
        raise AnalysisError("positions_figure(): the debates table has no positions to count (no rows?): pass data.load('debates') or rows of it.")
    labels = [cf.ISSUES.get(k, k) for k in table.index]
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8.5, 4.0))
        y = list(range(len(table)))[::-1]
        ax.barh(y, table["1957"], color="#0072B2", height=0.6, label="taken in 1957")
        ax.barh(y, table["later"], left=table["1957"], color="#E69F00", hatch="//", edgecolor="white", height=0.6, label="later gloss or undated memoir")
        ax.set_yticks(y, labels, fontsize=plots.TYPE_SCALE["small"])
        ax.set_xlabel("positions recorded in the debates table")
        ax.set_title("Who argued about what: positions per issue")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", alpha=0)
        ax.legend(frameon=False, loc="lower right")
    parts = "; ".join(f"{lab}: {a} in 1957, {b} later" for lab, a, b in zip(labels, table["1957"], table["later"]))
    alt = f"Stacked bar chart of the positions recorded per issue: {parts}."
    plots.finish(ax, source=plots.source_note(debates), alt=alt)
    fig.subplots_adjust(left=0.42, bottom=0.3)
    return ax


def debate_summary(debates: pd.DataFrame, issue: str, period: str = "all", bib: pd.DataFrame | None = None, width: int | None = 100) -> str:
    """The explorer's text: a heading, then one 'actor (when): position [source]' line per position, with quotations."""
    key = cf.issue_key(issue)
    lines = cf.position_lines(debates, key, period=period, bib=bib, width=width)
    n = len(cf.positions(debates, key, period=period))
    if n == 0:
        raise ValueError(f"no positions on '{key}' among the {cf.PERIODS[period]}; choose the period 'all' or another issue.")
    head = f"{cf.ISSUES[key]}: {n} position{'s' if n != 1 else ''} ({cf.PERIODS[period]})"
    return "\n".join([head, *lines])


@explorer_factory
def debate_explorer(debates: pd.DataFrame, issue: str = "leadership_of_camp", period: str = "all") -> Explorer:
    """Pick an issue (type or choose from the list) and a period; read who took which position, with quotation and source.

    An issue that is not in the table, or a period with no positions, shows a message instead.
    """
    bib = data.bibliography()
    chooser = W.Combobox(
        value=issue,
        options=list(cf.ISSUES),
        ensure_option=False,
        placeholder="choose or type an issue",
        description="Issue",
        continuous_update=False,
        layout=W.Layout(width="380px"),
    )
    periods = W.Dropdown(options=[(label, key) for key, label in cf.PERIODS.items()], value=period, description="Period", layout=W.Layout(width="420px"))

    def render(issue: str, period: str):
        return None, debate_summary(debates, issue, period, bib=bib)

    return Explorer({"issue": chooser, "period": periods}, render, title="Debate explorer: who argued what at the Moscow meetings")


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
