"""Lesson 4 explorer: step through November 1957 - December 1960 one month at a time.

Thin: the controls pick a month, :mod:`helpers.analysis.split` works out what happened in it and what
had happened by then, and the figure shows the months so far. ``explorer.set(month="1960-07")`` drives
it from Python; a month outside the lesson's window or an unreadable one gives a message, not a traceback.
"""

from __future__ import annotations

import ipywidgets as W
import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from helpers import figure_store, plots
from helpers._lazy import LazyModule
from helpers.analysis import AnalysisError, guard_module, plain, split
from helpers.widgets import Explorer, explorer_factory

plt = LazyModule("matplotlib.pyplot")  # imported with the first figure drawn

__all__ = ["month_stepper", "draw_months", "decline_figure", "claims_figure", "KEY_EVENTS"]


def _year_ticks(ax) -> None:
    """Fixed year ticks with quarter-year minor ticks: cheaper to draw than matplotlib's automatic date ticks."""
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(4, 7, 10)))


def _finish(ax, source: str, alt: str):
    """plots.finish (kept as one place for this module's figures)."""
    return plots.finish(ax, source, alt)


class _MonthFigure:
    """The stepper's bar chart, drawn once; :meth:`show` recolours it for a month instead of drawing it again.

    Everything that does not depend on the month (the counts per month, the running totals, the bars,
    the legend) is computed and drawn in ``__init__``; a month change only greys the later bars, moves
    the marker line and swaps the title, description and source line (both cached per month).
    """

    def __init__(self, events: pd.DataFrame, ax=None):
        self.events = events
        table = split.monthly_counts(events)
        table = table.loc[:, [c for c in table.columns if table[c].sum() > 0]]
        self.months = table.index
        self.cumulative = split.cumulative_table(events)
        self.x = self.months.to_timestamp(how="start") + pd.Timedelta(days=14)
        if ax is None:
            with plt.rc_context(plots.STYLE):
                _, ax = plt.subplots(figsize=(8.0, 4.2))
        self.ax = ax
        values = table.to_numpy()
        bottom = np.zeros(len(table))
        self.colors = {}
        self.bars = {}
        for j, cat in enumerate(table.columns):
            self.colors[cat] = plots.CATEGORY_COLORS.get(cat, "#777777")
            # no hatching here: it triples the time of each redraw; the legend and the summary name the categories
            self.bars[cat] = ax.bar(self.x, values[:, j], width=24, bottom=bottom, color=self.colors[cat], label=cat.replace("_", " "), lw=0)
            bottom = bottom + values[:, j]
        self.line = ax.axvline(self.x[0], color="#444444", lw=1, ls="--")
        ax.set_ylabel("events that month")
        ax.legend(frameon=False, ncol=len(table.columns), loc="upper left")
        ax.set_ylim(0, max(int(bottom.max()), 1) * 1.6 + 1)
        _year_ticks(ax)
        bare = plain(events)
        self._dates = bare["date"]
        self._sources = bare["source_id"] if "source_id" in bare.columns else None
        self._path = events.attrs.get("path")
        self._text = {}
        self.current = None

    def _texts(self, m: pd.Period) -> tuple[str, str]:
        if m not in self._text:
            counts = self.cumulative.loc[m]
            known = ", ".join(f"{c.replace('_', ' ')} {n}" for c, n in counts.items() if n)
            first, last = split.month_label(split.WINDOW[0]), split.month_label(m)
            alt = f"Bar chart of events per month from {first}; months after {last} are grey. By the end of {last}: {known or 'no events'}."
            shown = (self._dates >= self.months[0].to_timestamp()) & (self._dates <= m.to_timestamp(how="end"))
            if self._sources is None or not shown.any():
                source = plots.source_note(self.events)
            else:
                # only the columns source_note reads: the rows' source_id, and the data file's path
                rows = pd.DataFrame({"source_id": self._sources[shown]})
                rows.attrs["path"] = self._path
                source = plots.source_note(rows)
            self._text[m] = (alt, source)
        return self._text[m]

    def show(self, month: object):
        """Recolour for ``month``: bars after it grey, the dashed line on it; returns the axes."""
        m = split.month_in_range(month)
        if m != self.current:
            future = self.months > m
            for cat, bars in self.bars.items():
                for bar, late in zip(bars, future):
                    bar.set_facecolor("#DDDDDD" if late else self.colors[cat])
            here = m.to_timestamp(how="start") + pd.Timedelta(days=14)
            self.line.set_xdata([here, here])
            self.ax.set_title(f"Events month by month, {split.month_label(split.WINDOW[0])} to {split.month_label(m)}")
            alt, source = self._texts(m)
            _finish(self.ax, source, alt)
            self.current = m
        return self.ax


def draw_months(events: pd.DataFrame, month: object, ax=None):
    """Stacked bars of events per month from the start of the window, the chosen month outlined, later months greyed."""
    m = split.month_in_range(month)
    return _MonthFigure(events, ax).show(m)


def _indicator_text(grain: pd.DataFrame, steel: pd.DataFrame, year: int) -> str:
    rows = split.year_indicators(grain, steel, year)
    if rows.empty:
        return f"No grain or steel figure for {year} in the data."
    parts = []
    for r in rows.itertuples(index=False):
        unit = "Mt" if r.unit == "million metric tons" else "thousand t" if r.unit == "thousand metric tons" else r.unit
        parts.append(f"{r.indicator} {r.series.replace('_', ' ')} {r.value:,.1f} {unit}")
    return f"China's figures for {year}: " + "; ".join(parts) + "."


@explorer_factory
def month_stepper(events: pd.DataFrame, grain: pd.DataFrame, steel: pd.DataFrame, month: str = "1958-07") -> Explorer:
    """Step month by month through the split; ``.summary`` names the month's events and the counts so far.

    The controls: a ``month`` text box (``YYYY-MM``), which the slider and the play button fill in.
    The figure is drawn once and recoloured for each month; each month's text is worked out once.
    """
    months = split.lesson_months()
    labels = [str(p) for p in months]
    box = W.Text(value=str(split.to_month(month)), description="Month", continuous_update=False, layout=W.Layout(width="180px"))
    events_plain = plain(events)
    grain_plain, steel_plain = plain(grain), plain(steel)
    figure: list[_MonthFigure] = []  # drawn on the first valid month
    summaries: dict[pd.Period, str] = {}
    indicators: dict[int, str] = {}

    def render(month: str):
        m = split.month_in_range(month)
        if not figure:
            figure.append(_MonthFigure(events))
        ax = figure[0].show(m)
        if m not in summaries:
            if m.year not in indicators:
                indicators[m.year] = _indicator_text(grain_plain, steel_plain, m.year)
            summaries[m] = split.month_summary(events_plain, m) + " " + indicators[m.year]
        return ax, summaries[m]

    explorer = Explorer({"month": box}, render, title="After Moscow, month by month")
    start = labels.index(str(split.to_month(month))) if str(split.to_month(month)) in labels else 0
    slider = W.IntSlider(value=start, min=0, max=len(labels) - 1, description="Step", readout=False, continuous_update=False)
    play = W.Play(value=start, min=0, max=len(labels) - 1, interval=1500, description="Play")
    W.jslink((play, "value"), (slider, "value"))

    def slid(change: dict) -> None:
        if box.value != labels[change["new"]]:
            box.value = labels[change["new"]]  # the Explorer redraws on the box's change

    def typed(change: dict) -> None:
        try:
            m = split.month_in_range(change["new"])
        except split.AnalysisError:
            return  # the Explorer already shows the message
        idx = labels.index(str(m))
        if slider.value != idx:
            slider.unobserve(slid, names="value")
            slider.value = idx
            slider.observe(slid, names="value")

    slider.observe(slid, names="value")
    box.observe(typed, names="value")
    explorer.slider, explorer.play = slider, play
    explorer.view.children = (explorer.view.children[0], W.HBox([play, slider, box]), *explorer.view.children[2:])
    return explorer


# --------------------------------------------------------------------------- the lesson's two static figures

#: Key events marked on the decline figure (event_id -> short label).
KEY_EVENTS = {
    "mao_in_moscow_china_to_1957": "Mao in Moscow",
    "yudin_joint_fleet_1958": "'joint fleet'",
    "jinmen_shelling_1958": "Jinmen shelled",
    "atomic_halt_1959": "bomb sample halted",
    "tass_statement_1959": "TASS on India",
    "khrushchev_beijing_1959": "Khrushchev in Beijing",
    "bucharest_1960": "Bucharest",
    "experts_note_1960": "experts recalled",
    "moscow_conference_1960": "81 parties",
}


@figure_store.stored
def decline_figure(events: pd.DataFrame, key_events: dict[str, str] | None = None):
    """Two panels on one time axis, November 1957 - December 1960: events per month, and the running count by category."""
    key_events = KEY_EVENTS if key_events is None else key_events
    table = split.monthly_counts(events)
    table = table.loc[:, [c for c in table.columns if table[c].sum() > 0]]
    if table.empty or not table.to_numpy().sum():
        raise AnalysisError("decline_figure(): no events fall between November 1957 and December 1960 in this table, so there is nothing "
                            "to draw: pass data.load('events') or rows of it from those years.")
    months = table.index
    x = months.to_timestamp(how="start") + pd.Timedelta(days=14)
    with plt.rc_context(plots.STYLE):
        fig, (top, low) = plt.subplots(2, 1, figsize=(9.0, 7.0), sharex=True, gridspec_kw={"height_ratios": [1, 1.2]})
    bottom = pd.Series(0, index=months)
    for cat in table.columns:
        some = (table[cat] > 0).to_numpy()  # an empty month draws nothing: no bar (a hatched patch each is most of the drawing)
        top.bar(x[some], table[cat][some], width=24, bottom=bottom[some], color=plots.CATEGORY_COLORS.get(cat), label=cat.replace("_", " "),
                lw=0, hatch=plots.CATEGORY_HATCHES.get(cat, ""), edgecolor="white")
        bottom = bottom + table[cat]
    top.set_ylabel("events that month")
    top.set_ylim(0, int(bottom.max()) * 1.15 + 1)
    top.legend(frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    top.set_title("The partnership's decline on one time axis, November 1957 – December 1960")
    cumulative = split.cumulative_table(events, months[0], months[-1])
    for cat in table.columns:
        low.step(x, cumulative[cat], where="mid", color=plots.CATEGORY_COLORS.get(cat), lw=1.8, ls=plots.CATEGORY_LINES.get(cat, "-"), label=cat.replace("_", " "))
    low.legend(frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5), handlelength=3)
    low.set_ylabel("events so far (certain dates)")
    marked = events[events["event_id"].isin(list(key_events))].sort_values("date")
    lo, hi = x[0] - pd.Timedelta(days=20), x[-1] + pd.Timedelta(days=20)
    low.set_xlim(lo, hi)
    # each label in the first of four rows where it does not touch the one before (plots.place_labels)
    size = plots.TYPE_SCALE["small"]
    span_pt = fig.get_figwidth() * low.get_position().width * 72
    per_day = span_pt / (hi - lo).days
    names = [key_events[e] for e in marked["event_id"]]
    starts = [(d - lo).days * per_day for d in marked["date"]]
    rows = plots.place_labels(starts, [plots.text_width(n, size) + 4 for n in names], slots=4)
    for name, (_, row), slot in zip(names, marked.iterrows(), rows):
        for ax in (top, low):
            ax.axvline(row["date"], color="#777777", lw=0.8, ls=":")
        if slot is not None:
            low.annotate(name, (row["date"], 1.0), xycoords=("data", "axes fraction"), xytext=(2, -4 - 12 * slot),
                         textcoords="offset points", fontsize=size, va="top", color="#222222",
                         bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85})
    _year_ticks(low)
    fig.subplots_adjust(hspace=0.08)
    last = cumulative.iloc[-1]
    busiest = table.sum(axis=1).idxmax()
    alt = (
        f"Two panels. Top: events per month by category from {split.month_label(months[0])} to {split.month_label(months[-1])}; "
        f"the busiest month is {split.month_label(busiest)} with {int(table.sum(axis=1).max())} events. Bottom: running totals by category, "
        f"ending at " + ", ".join(f"{c.replace('_', ' ')} {int(last[c])}" for c in table.columns) + ". Dotted lines mark: "
        + ", ".join(f"{key_events[r['event_id']]} ({r['date']:%b %Y})" for _, r in marked.iterrows()) + "."
    )
    shown = events[(events["date"] >= months[0].to_timestamp()) & (events["date"] <= months[-1].to_timestamp(how="end"))]
    return _finish(low, plots.source_note(shown), alt)


#: One colour per series, shared by both panels: a series (the 1959 revision, say) looks the same for grain and steel.
SERIES_COLORS = {"official_claim": "#D55E00", "official_revision_1959": "#E69F00", "official_statement_reported": "#CC79A7",
                 "us_intelligence_estimate": "#009E73", "revised_official": "#0072B2"}
#: The steel series the figure shows (the table also holds China's native steel, which is part of the claim).
STEEL_SERIES = ["official_claim", "official_revision_1959", "revised_official"]
SERIES_LABELS = {"us_intelligence_estimate": "US intelligence estimate"}


def _series_label(series: str) -> str:
    """A series key as the legend and the alt text write it."""
    return SERIES_LABELS.get(series, series.replace("_", " "))


@figure_store.stored
def claims_figure(grain: pd.DataFrame, steel: pd.DataFrame):
    """Grain (left) and steel (right): figures claimed at the time beside the revised official ones."""
    g = split.grain_table(grain)
    s = steel[(steel["country"] == "China") & (steel["product"] == "steel") & steel["year"].between(1957, 1960)]
    s = s[s["series"].isin(STEEL_SERIES)]
    st = s.pivot_table(index="year", columns="series", values="value", aggfunc="first").sort_index().astype("float64") / 1000
    st.index = st.index.astype(int)
    g.index = g.index.astype(int)
    with plt.rc_context(plots.STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.8))
    shown: dict[str, list[str]] = {}
    for ax, table, what in ((left, g, "Grain"), (right, st, "Steel")):
        cols = shown[what] = [c for c in SERIES_COLORS if c in table.columns]
        # each year's bars side by side and centred on the year, with no gap left for a series the year lacks
        present = {year: [c for c in cols if pd.notna(table.at[year, c])] for year in table.index}
        width = 0.8 / max(1, max(len(v) for v in present.values()))
        labelled: set[str] = set()
        for year, have in present.items():
            for i, col in enumerate(have):
                label = None if col in labelled else _series_label(col)
                labelled.add(col)
                ax.bar(year + (i - (len(have) - 1) / 2) * width, float(table.at[year, col]), width=width * 0.95,
                       color=SERIES_COLORS[col], label=label)
        handles, labels = ax.get_legend_handles_labels()
        order = [labels.index(_series_label(c)) for c in cols if c in labelled]
        ax.set_xticks(list(range(1957, 1961)))
        ax.set_title(f"{what}: claimed, estimated abroad, revised" if "us_intelligence_estimate" in cols else f"{what}: claimed vs revised")
        ax.set_ylabel("million metric tons")
        # the legend goes in the upper corner above the lower half of the years, clear of the tall bars
        half = len(table.index) // 2
        early, late = (float(table.iloc[:half].max().max()), float(table.iloc[half:].max().max())) if half else (0.0, 0.0)
        ax.legend([handles[i] for i in order], [labels[i] for i in order], frameon=False,
                  loc="upper right" if late < early else "upper left")
    # headroom for the legend: more series, more rows of legend above the bars
    left.set_ylim(0, float(g.max().max()) * (1.5 + 0.15 * max(0, len(shown["Grain"]) - 3)))
    right.set_ylim(0, float(st.max().max()) * 1.5)
    fig.subplots_adjust(wspace=0.3)
    parts = []
    for year in g.index:
        have = [f"{_series_label(c)} {g.at[year, c]:g}" for c in g.columns if pd.notna(g.at[year, c])]
        parts.append(f"{year}: " + ", ".join(have))
    steel_parts = [f"{year}: " + ", ".join(f"{c.replace('_', ' ')} {st.at[year, c]:g}" for c in st.columns if pd.notna(st.at[year, c])) for year in st.index]
    alt = (
        "Two bar charts, million metric tons. Grain: " + "; ".join(parts) + ". Steel: " + "; ".join(steel_parts)
        + ". Years without a bar have no figure in the data."
    )
    return _finish(left, plots.source_note(grain, s), alt)


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
