"""The house style and the plot functions.

Every figure carries a source line built from the data's metadata and a short text
description (alt text). Plot functions return their Axes and never call ``plt.show()``;
a lesson shows a figure with :func:`show`, which displays it and then prints
"Figure: <description>" and "Source: <sources>" as plain text, so that a screen reader
can read it and nbval can compare it.

>>> from helpers import data, plots
>>> ax = plots.timeline(data.load("events"), start="1953", end="1958")  # doctest: +SKIP
>>> plots.show(ax)  # doctest: +SKIP
"""

from __future__ import annotations

import re
import textwrap
import warnings
from collections.abc import Iterable, Sequence
from weakref import WeakKeyDictionary

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

__all__ = [
    "COUNTRY_COLORS",
    "CATEGORY_COLORS",
    "HONEYMOON",
    "house_style",
    "line_chart",
    "timeline",
    "shade_period",
    "finish",
    "describe",
    "show",
    "source_note",
    "new_axes",
    "latin",
]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]

#: One colour per country, the same in every lesson.
COUNTRY_COLORS = {"China": "#D55E00", "USSR": "#CC79A7", "UK": "#0072B2", "USA": "#009E73"}

#: One colour per timeline category.
CATEGORY_COLORS = {
    "diplomacy": "#0072B2",
    "party": "#D55E00",
    "economy": "#009E73",
    "military_technology": "#CC79A7",
    "crisis": "#000000",
    "culture": "#E69F00",
}

#: One type scale (points).
TYPE_SCALE = {"small": 8, "body": 10, "label": 10, "title": 12}

#: The "honeymoon" as Shen (2020, ch. 13 n. 3) dates it: October 1954 to late 1957.
HONEYMOON = ("1954-10-01", "1957-12-31", "honeymoon (Shen 2020)")

STYLE = {
    "figure.figsize": (8.0, 4.2),
    "figure.dpi": 80,
    "savefig.dpi": 80,
    "font.size": TYPE_SCALE["body"],
    "axes.titlesize": TYPE_SCALE["title"],
    "axes.labelsize": TYPE_SCALE["label"],
    "xtick.labelsize": TYPE_SCALE["small"],
    "ytick.labelsize": TYPE_SCALE["small"],
    "legend.fontsize": TYPE_SCALE["small"],
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
    "svg.hashsalt": "sino-soviet-1957",
}

#: At most this many lines of sources are drawn under a figure.
MAX_SOURCE_LINES = 3

_META: WeakKeyDictionary[Figure, dict[str, str]] = WeakKeyDictionary()


def house_style() -> None:
    """Apply the house style to every figure drawn after this call."""
    plt.rcParams.update(STYLE)


def new_axes(ax: Axes | None = None, figsize: tuple[float, float] | None = None) -> Axes:
    """``ax`` itself, or new Axes on a figure in the house style."""
    if ax is not None:
        return ax
    with plt.rc_context(STYLE):
        fig, new = plt.subplots(figsize=figsize or STYLE["figure.figsize"])
    return new


# --------------------------------------------------------------------------- captions


def source_note(*frames: pd.DataFrame) -> str:
    """A one-line source note for the rows shown: 'Author (year); ...', then the data files.

    Built from the rows' ``source_id`` and the bibliography, so it names exactly the
    sources of what is plotted.
    """
    from helpers.data import bibliography

    bib = bibliography()
    names, files = [], []
    for df in frames:
        if "source_id" in df.columns:
            for cell in df["source_id"].dropna().unique():
                for sid in str(cell).split(";"):
                    sid = sid.strip()
                    if sid in bib.index:
                        row = bib.loc[sid]
                        label = f"{row['author']} ({row['year'] if pd.notna(row['year']) else 'n.d.'})"
                        if label not in names:
                            names.append(label)
        elif df.attrs.get("sources"):
            names.extend(s.get("title", "") for s in df.attrs["sources"] if s.get("title", "") not in names)
        if df.attrs.get("path") and df.attrs["path"] not in files:
            files.append(df.attrs["path"])
    text = "; ".join(sorted(names)) or "see data/sources.csv"
    if files:
        text += f". Data: {', '.join(files)}"
    return text


# Figures are drawn with matplotlib's default font, which has no Chinese glyphs on most machines:
# ``latin`` keeps Chinese characters out of what is drawn (the printed description keeps them),
# and this filter silences the warning for any that slip into a label.
warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def latin(text: str) -> str:
    """Text for drawing with the default font: Chinese characters (and brackets left empty) removed.

    The printed description keeps them; the figure's font has no CJK glyphs on most machines.
    """
    text = re.sub(r"\s*[(（][^()（）]*[\u2e80-\u9fff][^()（）]*[)）]", "", text)
    return re.sub(r"\s{2,}", " ", _CJK.sub("", text)).strip()


def finish(ax: Axes, source: str, alt: str) -> Axes:
    """Attach a source line (drawn under the figure) and alt text to ``ax``'s figure."""
    fig = ax.figure
    lines = textwrap.wrap("Source: " + latin(source), 130)
    if len(lines) > MAX_SOURCE_LINES:  # a timeline may cite dozens of works: the printed text below lists them all
        lines = lines[:MAX_SOURCE_LINES]
        lines[-1] = textwrap.shorten(lines[-1], 100, placeholder="") + " … (the full list is printed below the figure)"
    size = TYPE_SCALE["small"] - 1
    fig.text(0.01, 0.005, "\n".join(lines), fontsize=size, color="#444444", va="bottom")
    # room under the axes for the tick labels, the x label and every wrapped line of the source
    needed = 0.6 + len(lines) * size * 1.35 / 72  # inches
    fig.subplots_adjust(bottom=min(0.5, needed / fig.get_figheight()))
    _META[fig] = {"source": source, "alt": alt}
    return ax


def describe(ax: Axes) -> str:
    """The figure's description and source as plain text."""
    meta = _META.get(ax.figure)
    if meta is None:
        raise ValueError("This figure has no description: draw it with a helpers.plots function, or call plots.finish(ax, source, alt).")
    return f"Figure: {meta['alt']}\nSource: {meta['source']}"


def show(ax: Axes) -> None:
    """Display the figure, close it, then print its description and source (plain text)."""
    from IPython.display import display

    text = describe(ax)
    display(ax.figure)
    plt.close(ax.figure)
    print(text)


# --------------------------------------------------------------------------- figures


def shade_period(ax: Axes, start, end, label: str | None = None, *, dates: bool = True) -> Axes:
    """Shade a period (e.g. :data:`HONEYMOON`) on a time axis; years if ``dates`` is False."""
    if dates:
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    else:
        lo, hi = (pd.Timestamp(start).year + (pd.Timestamp(start).day_of_year - 1) / 365.25, pd.Timestamp(end).year + pd.Timestamp(end).day_of_year / 365.25)
    ax.axvspan(lo, hi, color="#999999", alpha=0.15, lw=0, label=label)
    if label:
        ax.annotate(label, xy=(lo, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2), textcoords="offset points", va="top", fontsize=TYPE_SCALE["small"], color="#444444")
    return ax


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2g}" if abs(value) < 1 else f"{value:,.1f}"


def line_chart(
    df: pd.DataFrame,
    x: str,
    y: str,
    by: str | None = None,
    *,
    title: str,
    ylabel: str | None = None,
    colors: dict[str, str] | None = None,
    shade: Sequence | None = None,
    ax: Axes | None = None,
    alt: str | None = None,
    source: str | None = None,
    marker: str = "o",
) -> Axes:
    """A line per group of ``by`` (or one line), with the house colours, source line and alt text.

    ``shade`` is a ``(start, end, label)`` tuple such as :data:`HONEYMOON`; ``x`` is a year column.
    """
    if df.empty:
        raise ValueError(f"Nothing to plot for '{title}': the table is empty (check the filter).")
    ax = new_axes(ax)
    colors = colors or COUNTRY_COLORS
    groups = [(None, df)] if by is None else list(df.groupby(by, sort=False))
    summary = []
    unit = ylabel or df.attrs.get("units", {}).get(y, "")
    for key, part in groups:
        part = part.sort_values(x)
        label = None if key is None else str(key)
        ax.plot(part[x].astype(float), part[y].astype(float), marker=marker, ms=3, lw=1.6, label=label, color=colors.get(label) if label else None)
        first, last = part.iloc[0], part.iloc[-1]
        who = f"{label}: " if label else ""
        summary.append(f"{who}{_fmt(float(first[y]))} in {int(first[x])} to {_fmt(float(last[y]))} in {int(last[x])}")
    if shade:
        shade_period(ax, shade[0], shade[1], shade[2] if len(shade) > 2 else None, dates=False)
    ax.set_title(title)
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(unit)
    if by is not None:
        ax.legend(frameon=False)
    text = alt or f"Line chart, {title}. " + "; ".join(summary) + (f" ({unit})." if unit else ".")
    return finish(ax, source or source_note(df), text)


def timeline(
    events: pd.DataFrame,
    start: str | None = None,
    end: str | None = None,
    categories: Iterable[str] | None = None,
    *,
    labels: bool = True,
    title: str | None = None,
    shade: Sequence | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Events as dots in one lane per category, labelled with their titles.

    ``events`` is ``load("events")`` or a filtered copy; ``start``/``end`` are dates
    ("1953", "1958-06-30"). Contested dates are drawn as hollow markers.
    """
    df = events.copy()
    lo = pd.Timestamp(start) if start else df["date"].min()
    hi = pd.Timestamp(end) if end else df["date"].max()
    if lo > hi:
        raise ValueError(f"The timeline's start ({lo.date()}) is after its end ({hi.date()}).")
    df = df[(df["date"] >= lo) & (df["date"] <= hi)]
    if categories is not None:
        wanted = list(categories)
        unknown = sorted(set(wanted) - set(CATEGORY_COLORS))
        if unknown:
            raise ValueError(f"Unknown categor{'y' if len(unknown) == 1 else 'ies'} {unknown}; the categories are {sorted(CATEGORY_COLORS)}.")
        df = df[df["category"].isin(wanted)]
    if df.empty:
        raise ValueError(f"No events between {lo.date()} and {hi.date()} in the chosen categories.")
    lanes = [c for c in CATEGORY_COLORS if c in set(df["category"])]
    ax = new_axes(ax, figsize=(9.0, 1.2 + 0.75 * len(lanes)))
    df = df.sort_values("date")
    for lane_no, cat in enumerate(lanes):
        part = df[df["category"] == cat]
        contested = part["contested"].fillna(False).astype(bool) if "contested" in part else pd.Series(False, index=part.index)
        color = CATEGORY_COLORS[cat]
        ax.scatter(part.loc[~contested, "date"], [lane_no] * int((~contested).sum()), color=color, s=30, zorder=3)
        ax.scatter(part.loc[contested, "date"], [lane_no] * int(contested.sum()), facecolors="white", edgecolors=color, s=30, zorder=3)
        if labels:
            for n, (_, row) in enumerate(part.iterrows()):
                ax.annotate(
                    textwrap.shorten(latin(str(row["title"])), 28, placeholder="…"),
                    (row["date"], lane_no),
                    xytext=(0, 7 if n % 2 == 0 else -11),
                    textcoords="offset points",
                    fontsize=TYPE_SCALE["small"] - 1,
                    ha="left",
                    rotation=0,
                )
    if shade:
        shade_period(ax, shade[0], shade[1], shade[2] if len(shade) > 2 else None)
    ax.set_yticks(range(len(lanes)), [c.replace("_", " ") for c in lanes])
    ax.set_ylim(-0.8, len(lanes) - 0.3)
    ax.set_xlim(lo - pd.Timedelta(days=30), hi + pd.Timedelta(days=30))
    ax.grid(axis="y", alpha=0)
    span = f"{lo.year}–{hi.year}" if lo.year != hi.year else str(lo.year)
    ax.set_title(title or f"Timeline, {span}")
    counts = df["category"].value_counts()
    parts = ", ".join(f"{counts[c]} {c.replace('_', ' ')}" for c in lanes)
    n_contested = int(df["contested"].fillna(False).astype(bool).sum()) if "contested" in df else 0
    alt = (
        f"Timeline of {len(df)} events from {df['date'].min():%B %Y} to {df['date'].max():%B %Y}, one row per category ({parts}). "
        f"First: {df.iloc[0]['title']}; last: {df.iloc[-1]['title']}."
        + (f" {n_contested} dates are contested (hollow markers)." if n_contested else "")
    )
    return finish(ax, source_note(events.loc[df.index]), alt)
