"""Lesson 1 explorer and figures: choose a series and a range of years, see the figures and the numbers.

Thin: the figures come from :mod:`helpers.analysis.honeymoon` (``series_rows``), and this module only
draws them, with the honeymoon of Shen (2020), n. 3 shaded, a source line and alt text.

>>> from helpers import data
>>> from helpers.widgets import honeymoon as hw
>>> tables = hw.load_tables()  # doctest: +SKIP
>>> explorer = hw.honeymoon_explorer(tables)  # doctest: +SKIP
>>> print(explorer.set(series="Soviet loan agreements, million US dollars", start=1950, end=1957))  # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import ipywidgets as W
import pandas as pd

from helpers import figure_store
from helpers._lazy import LazyModule

if TYPE_CHECKING:
    from matplotlib.axes import Axes

from helpers import data, plots
from helpers.analysis import AnalysisError, guard_module
from helpers.analysis import honeymoon as hm
from helpers.widgets import Explorer, explorer_factory

plt = LazyModule("matplotlib.pyplot")  # imported with the first figure drawn

__all__ = ["TABLES", "load_tables", "shade_years", "timeline_figure", "series_figure", "agreed_built_figure", "honeymoon_explorer"]

#: The datasets the lesson uses, by the keyword ``series_rows`` expects.
TABLES = {"loans": "soviet_loans", "projects": "aided_projects", "people": "soviet_experts_chinese_students", "trade": "sino_soviet_trade"}

_SOURCE_TABLE = {"loans_rubles": "loans", "loans_dollars": "loans", "projects": "projects", "experts": "people", "students": "people"}
_MARKERS = ["o", "s", "^", "D"]


def load_tables() -> dict[str, pd.DataFrame]:
    """The four tables of the explorer, loaded and validated."""
    return {key: data.load(name) for key, name in TABLES.items()}


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def shade_years(ax: Axes, period: tuple = plots.HONEYMOON) -> Axes:
    """``plots.shade_period`` on an axis of decimal years, without the pandas deprecation warning it
    raises there (``Timestamp.dayofyear``; reported to the lead)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", message=".*dayofyear is deprecated.*")
        return plots.shade_period(ax, period[0], period[1], period[2] if len(period) > 2 else None, dates=False)


@figure_store.stored
def series_figure(key: str, tables: dict[str, pd.DataFrame], start: int, end: int, title: str | None = None) -> tuple[Axes, str]:
    """Draw one series between two years, with the honeymoon shaded; return the axes and the numbers as text.

    A dated figure is a stem at its date; a count over a period is a horizontal bar across that
    period at the height of the count. Each unit gets its own marker and colour, and the summary
    names the unit of every figure.
    """
    rows = hm.series_rows(key, start=start, end=end, **tables)
    source_key = _SOURCE_TABLE.get(key, "trade")
    label = title or next((lab for lab, k in hm.series_catalogue(tables["trade"]).items() if k == key), key)
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots()
        colors = plots.OKABE_ITO
        for n, (unit, part) in enumerate(rows.groupby("unit", sort=True)):
            color, marker = colors[(4 + n) % len(colors)], _MARKERS[n % len(_MARKERS)]
            points, spans = part[part["x"] == part["x_end"]], part[part["x"] < part["x_end"]]
            if len(points):
                ax.vlines(points["x"], 0, points["value"], color=color, lw=1.2)
                ax.scatter(points["x"], points["value"], color=color, marker=marker, s=28, zorder=3, label=unit)
            if len(spans):
                ax.hlines(spans["value"], spans["x"], spans["x_end"], color=color, lw=2.5, label=None if len(points) else unit)
                ax.scatter(spans["x"], spans["value"], color=color, marker="|", s=60, zorder=3)
                ax.scatter(spans["x_end"], spans["value"], color=color, marker="|", s=60, zorder=3)
            for r in part.itertuples():
                ax.annotate(_fmt(r.value), (r.x, r.value), xytext=(3, 3), textcoords="offset points", fontsize=plots.TYPE_SCALE["small"] - 1)
        shade_years(ax)
        ax.set_xlim(start - 0.2, end + 1.2)
        ax.set_ylim(0, float(rows["value"].max()) * 1.15)
        ax.set_xlabel("year")
        plots.year_axis(ax)
        units = sorted(rows["unit"].unique())
        ax.set_ylabel(units[0] if len(units) == 1 else "count (see legend for units)")
        ax.set_title(label, pad=18)
        handles, names = ax.get_legend_handles_labels()
        keep = [(h, n) for h, n in zip(handles, names) if n != plots.HONEYMOON[2]]
        ax.legend([h for h, _ in keep], [n for _, n in keep], frameon=False, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4)
    summary = hm.describe_rows(rows, start, end, total=key.startswith("loans"))
    parts = [f"{r.label} {_fmt(r.value)} {r.unit}" for r in rows.itertuples()]
    alt = (f"Chart of {label}, {start}–{end}, with the honeymoon (October 1954 to December 1957) shaded: " + "; ".join(parts) + ".")
    frame = rows.copy()
    frame.attrs["path"] = tables[source_key].attrs.get("path", "")
    plots.finish(ax, source=plots.source_note(frame), alt=alt)
    return ax, summary


@figure_store.stored
def timeline_figure(events: pd.DataFrame, start: str, end: str, title: str) -> Axes:
    """``plots.timeline`` with the honeymoon shaded."""
    return plots.timeline(events, start, end, title=title, shade=plots.HONEYMOON)


@figure_store.stored
def agreed_built_figure(projects: pd.DataFrame) -> Axes:
    """Horizontal bars: the '156 projects' as agreed, de-duplicated, built and 'completed', one bar per source."""
    rows = hm.agreed_vs_built(projects)
    labels = [f"{m.replace('_', ' ')} ({s})" for m, s in zip(rows["measure"], rows["source_id"])]
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots(figsize=(8.0, 3.4))
        y = list(range(len(rows)))[::-1]
        ax.barh(y, rows["value"].astype(float), color=plots.COUNTRY_COLORS["USSR"], height=0.6)
        for yy, value in zip(y, rows["value"]):
            ax.annotate(str(int(value)), (float(value), yy), xytext=(3, -3), textcoords="offset points", fontsize=plots.TYPE_SCALE["small"])
        ax.set_yticks(y, labels)
        ax.set_xlim(0, float(rows["value"].max()) * 1.12)
        ax.set_xlabel("number of projects")
        ax.set_title("The '156 projects': agreed, de-duplicated, built, 'completed'")
        ax.grid(axis="y", alpha=0)
    alt = "Bar chart of the counts of the Soviet-aided key projects: " + "; ".join(f"{lab}: {int(v)}" for lab, v in zip(labels, rows["value"])) + "."
    frame = projects[projects["measure"].isin(rows["measure"]) & (projects["sector"] == "all")]
    frame.attrs = dict(projects.attrs)
    return plots.finish(ax, source=plots.source_note(frame), alt=alt)


@explorer_factory
def honeymoon_explorer(tables: dict[str, pd.DataFrame], series: str | None = None, start: int = 1949, end: int = 1960) -> Explorer:
    """Choose a series (loans, projects, experts, students, each trade flow in each unit) and the years.

    ``explorer.summary`` lists every figure shown, with its unit and status; a range with no
    figures, or a start after the end, shows a message saying what to change.
    """
    catalogue = hm.series_catalogue(tables["trade"])
    labels = list(catalogue)
    chooser = W.Dropdown(options=labels, value=series or labels[0], description="Series", layout=W.Layout(width="480px"))
    first = W.BoundedIntText(value=start, min=1945, max=1975, description="From", layout=W.Layout(width="150px"))
    last = W.BoundedIntText(value=end, min=1945, max=1975, description="To", layout=W.Layout(width="150px"))

    def render(series: str, start: int, end: int):
        if series not in catalogue:
            raise AnalysisError(f"Unknown series {series!r}; choose one of the list.")
        return series_figure(catalogue[series], tables, int(start), int(end), title=series)

    return Explorer({"series": chooser, "start": first, "end": last}, render, title="Honeymoon explorer: loans, projects, people, trade", show_summary=True)


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
