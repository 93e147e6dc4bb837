"""The house style and the plot functions.

Every figure carries a description (alt text) and its sources, built from the data's metadata.
Plot functions return their Axes and never call ``plt.show()``; a lesson shows a figure with
:func:`show`, which displays one output holding

* the image, sharp on high-density screens (drawn at twice its size) and as wide as the text,
  with the description as its ``alt`` text, both in the image's metadata and in an HTML
  ``<figure>`` whose caption is one short source line;
* the same description and source line as plain text (``text/plain``), which nbval compares.

The full list of works behind the last figure shown is one call away: ``plots.sources()``.
Chinese names print on figures: the house style falls back, glyph by glyph, from DejaVu Sans to
a small subset of Noto Sans CJK SC shipped in ``helpers/fonts/`` (SIL Open Font License).

>>> from helpers import data, plots
>>> ax = plots.timeline(data.load("events"), start="1953", end="1958")  # doctest: +SKIP
>>> plots.show(ax)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import io
import os
import re
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

import matplotlib
import matplotlib.dates
import matplotlib.font_manager
import matplotlib.ticker
import pandas as pd

from helpers import figure_store
from helpers._lazy import LazyModule

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

plt = LazyModule("matplotlib.pyplot")  # imported with the first figure drawn

__all__ = [
    "COUNTRY_COLORS",
    "CATEGORY_COLORS",
    "COUNTRY_MARKERS",
    "CATEGORY_HATCHES",
    "CATEGORY_LINES",
    "HONEYMOON",
    "house_style",
    "line_chart",
    "timeline",
    "shade_period",
    "finish",
    "describe",
    "show",
    "source_note",
    "short_source",
    "sources",
    "figure_bundle",
    "new_axes",
    "latin",
    "year_axis",
    "table",
]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]

#: One colour per country, the same in every lesson.
COUNTRY_COLORS = {"China": "#D55E00", "USSR": "#CC79A7", "UK": "#0072B2", "USA": "#009E73"}

#: One marker per country, so that lines differ by shape as well as by colour.
COUNTRY_MARKERS = {"China": "o", "USSR": "s", "UK": "^", "USA": "D"}
_MARKER_CYCLE = ["o", "s", "^", "D", "v", "P"]

#: One colour per timeline category.
CATEGORY_COLORS = {
    "diplomacy": "#0072B2",
    "party": "#D55E00",
    "economy": "#009E73",
    "military_technology": "#CC79A7",
    "crisis": "#000000",
    "culture": "#E69F00",
}

#: A second cue besides colour, per category: hatching for bars, a line style for lines.
CATEGORY_HATCHES = {"diplomacy": "", "party": "///", "economy": "...", "military_technology": "xxx", "crisis": "", "culture": "\\\\\\"}
CATEGORY_LINES = {"diplomacy": "-", "party": "--", "economy": ":", "military_technology": "-.", "crisis": (0, (1, 1, 4, 1)), "culture": (0, (6, 2))}

#: One type scale (points).
TYPE_SCALE = {"small": 8, "body": 10, "label": 10, "title": 12}

#: The "honeymoon" as Shen (2020, ch. 13 n. 3) dates it: October 1954 to late 1957.
HONEYMOON = ("1954-10-01", "1957-12-31", "honeymoon (Shen 2020)")

#: The CJK subset figures fall back to (see teach/fonts.py and helpers/fonts/OFL.txt).
CJK_FONT = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-subset.otf"
CJK_FAMILY = "Noto Sans CJK SC"
matplotlib.font_manager.fontManager.addfont(str(CJK_FONT))
# The bundled subset first among fonts of its family, so that a machine which also has Debian's fonts-noto-cjk (the
# browser test draws the document cards' Chinese with it) still draws figures with the same font as every other machine:
# matplotlib keeps the first of equally good matches.
_fonts = matplotlib.font_manager.fontManager.ttflist
_fonts.sort(key=lambda entry: entry.fname != str(CJK_FONT))
matplotlib.font_manager.fontManager._findfont_cached.cache_clear()

#: Pixels per inch of a figure as laid out; :func:`show` draws it at ``SCALE`` times that.
DPI = 100
SCALE = 2

STYLE = {
    "figure.figsize": (9.0, 4.2),
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "font.family": ["DejaVu Sans", CJK_FAMILY],  # named families: matplotlib falls back glyph by glyph
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
    # Hinting snaps glyphs to the pixel grid, which matters for small text on a low-resolution screen; figures are
    # drawn at twice their size, where it is not visible, and drawing text is most of a figure's time (about a fifth
    # less without it).
    "text.hinting": "no_hinting",
}

#: The short source line under a figure names at most this many works.
SHORT_SOURCES = 2

_META: WeakKeyDictionary[Figure, dict[str, str]] = WeakKeyDictionary()
_LAST: dict[str, str] = {}


def house_style() -> None:
    """Apply the house style to every figure drawn after this call."""
    matplotlib.rcParams.update(STYLE)


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

    if not frames:
        raise _error("source_note() needs the table(s) shown, e.g. source_note(events): it names the works their rows cite.")
    names, files = _works(frames)
    text = "; ".join(names) or "see data/sources.csv"
    if files:
        text += f". Data: {', '.join(files)}"
    return text


def _works(frames: Sequence[pd.DataFrame]) -> tuple[list[str], list[str]]:
    """'Author (year)' for every work the rows cite, and the data files.

    The works cited by most rows come first; reference works and works without a named author come last.
    """
    from collections import Counter

    from helpers.data import bibliography

    labels = _labels(bibliography())
    counts: Counter[str] = Counter()
    anonymous: set[str] = set()
    files: list[str] = []
    for df in frames:
        if "source_id" in df.columns:
            for cell in df["source_id"].dropna():
                for sid in str(cell).split(";"):
                    found = labels.get(sid.strip())
                    if found:
                        counts[found[0]] += 1
                        if found[1]:
                            anonymous.add(found[0])
        elif df.attrs.get("sources"):
            for s in df.attrs["sources"]:
                title = s.get("title", "")
                if title:
                    counts[title.replace(";", ",")] += 1
        if df.attrs.get("path") and df.attrs["path"] not in files:
            files.append(df.attrs["path"])
    names = sorted(counts, key=lambda n: (n in anonymous, -counts[n], n))
    return names, files


_LABELS: dict[tuple, dict[str, tuple[str, bool]]] = {}


def _labels(bib: pd.DataFrame) -> dict[str, tuple[str, bool]]:
    """source_id -> ('Author (year)', a lesser work for the short line), worked out once per bibliography table.

    Lesser: no named author, or a reference work (encyclopaedias, websites); scholarship, primary
    sources and statistics come first in a source line."""
    key = (tuple(bib.index), tuple(bib["author"].astype(str)), tuple(bib["year"].astype(str)), tuple(bib["title"].astype(str)))
    if key not in _LABELS:
        table: dict[str, tuple[str, bool]] = {}
        for sid, row in zip(bib.index, bib.to_dict("records")):
            year = row.get("year") if pd.notna(row.get("year")) else "n.d."
            year = int(year) if isinstance(year, float) else year
            author = str(row.get("author")).strip().replace(";", ",") if pd.notna(row.get("author")) else ""
            if author and not author.startswith("("):
                table[sid] = (f"{author} ({year})", str(row.get("kind", "")) == "reference")
            else:
                title = str(row.get("title")) if pd.notna(row.get("title")) else sid
                table[sid] = (f"{textwrap.shorten(title.replace(';', ','), 40, placeholder='…')} ({year})", True)
        _LABELS.clear()
        _LABELS[key] = table
    return _LABELS[key]


def short_source(source: str, limit: int = SHORT_SOURCES) -> str:
    """One short line from a full source note: the first ``limit`` works, how many more, and the data files.

    >>> short_source("A (2001); B (2002); C (2003); D (2004). Data: data/events.csv")
    'A (2001); B (2002) and 2 more works. Data: data/events.csv'
    """
    works, _, files = source.partition(". Data: ")
    names = [n for n in works.split("; ") if n]
    text = "; ".join(names[:limit])
    if len(names) > limit:
        text += f" and {len(names) - limit} more work{'s' if len(names) - limit > 1 else ''}"
    if files:
        text += f". Data: {files}"
    return text


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def latin(text: str) -> str:
    """``text`` without its Chinese characters (and brackets left empty), for places that want Latin script only.

    Figures no longer need it: the house style draws Chinese with the bundled CJK font.
    """
    text = re.sub(r"\s*[(（][^()（）]*[\u2e80-\u9fff][^()（）]*[)）]", "", text)
    return re.sub(r"\s{2,}", " ", _CJK.sub("", text)).strip()


def finish(ax: Axes, source: str, alt: str) -> Axes:
    """Attach alt text and sources to ``ax``'s figure (shown with it by :func:`show`; nothing is drawn)."""
    _META[ax.figure] = {"source": source, "alt": alt}
    return ax


def describe(ax: Axes) -> str:
    """The figure's description and its full source list as plain text."""
    meta = _META.get(ax.figure)
    if meta is None:
        raise _error("This figure has no description: draw it with a helpers.plots function, or call plots.finish(ax, source, alt).")
    return f"Figure: {meta['alt']}\nSource: {meta['source']}"


def sources(ax: Axes | None = None) -> str:
    """Every work behind a figure (by default the last one shown), one per line, then the data files.

    >>> print(plots.sources())  # doctest: +SKIP
    """
    meta = _META.get(ax.figure) if ax is not None else _LAST
    if not meta:
        raise _error("No figure has been shown yet: run the cell that draws it, then call plots.sources().")
    works, _, files = meta["source"].partition(". Data: ")
    lines = [f"- {w}" for w in works.split("; ") if w]
    if files:
        lines.append(f"Data: {files} (python: data.cite(NAME) gives each table's full citation)")
    return "\n".join(lines)


def _png(fig: Figure, scale: float, tight: bool = True) -> bytes:
    """The figure as PNG at ``scale`` times its size. ``tight`` crops it to what is drawn, at the cost of a second
    layout pass.

    A lesson figure is stored in the notebook: it is reduced to a 128-colour palette (sharp at a quarter of the size)
    and compressed at zlib's default level, since the strongest level costs 30 to 100 ms a figure for 10 to 15 % fewer
    bytes. A figure made by one call of a figure function and not changed since is shown from the figures drawn ahead
    of time (:mod:`helpers.figure_store`) when one is stored for it.
    """
    key, stored = figure_store.lookup(fig, scale, tight)
    if stored is not None and figure_store.mode() != "verify":
        return stored
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi * scale, bbox_inches="tight" if tight else None, pad_inches=0.08,
                metadata={"Software": None}, pil_kwargs={"compress_level": 0})
    from PIL import Image

    image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB").quantize(colors=128, method=Image.Quantize.FASTOCTREE)
    small = io.BytesIO()
    image.save(small, format="PNG", compress_level=6)
    png = small.getvalue()
    figure_store.after_drawing(key, png, stored)
    return png


#: The font families an SVG frame names, ending with the browser's own sans-serif for a reader without DejaVu Sans.
_SVG_FAMILY = re.compile(rb"font-family: ([^;\"]*)")


def _svg(fig: Figure) -> bytes:
    """The figure as SVG whose text stays text (the browser draws the letters), uncropped: an explorer's frame.

    A frame is drawn at every change of a control and replaced by the next. Rasterising its labels letter by letter
    and compressing the picture were most of that wait (an explorer labelling 26 events took about 180 ms in the
    kernel as PNG, about 90 as SVG); as SVG the kernel only lays the text out. An explorer's opening view is shown
    from the figures drawn ahead of time when one is stored for it, as a lesson figure is.
    """
    key, stored = figure_store.lookup(fig, 1.0, False)
    if stored is not None and figure_store.mode() != "verify":
        return stored
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": STYLE["svg.hashsalt"]}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = _SVG_FAMILY.sub(lambda m: m.group(0) if m.group(1).rstrip().endswith(b"sans-serif") else m.group(0) + b", sans-serif", buf.getvalue())
    figure_store.after_drawing(key, svg, stored)
    return svg


def figure_bundle(ax: Axes, scale: float = SCALE, *, tight: bool = True) -> tuple[dict, dict]:
    """``(data, metadata)`` of a display output for ``ax``'s figure: image, HTML ``<figure>`` and plain text.

    Cropped (``tight``, a lesson figure), the image is a PNG drawn at ``scale`` times its layout size and displayed
    at its layout size (sharp on high-density screens); uncropped (an explorer's frame), it is an SVG whose text
    the browser draws, and ``scale`` is not used. Its metadata carries the alt text. The HTML shows it as wide as the
    text, with ``alt`` and a one-line source caption. The plain text is what nbval compares.
    """
    meta, line, text = _shown(ax)
    if tight:
        mime, image = "image/png", _png(ax.figure, scale, tight)
        width, height = (int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big"))
        shown_w, shown_h = round(width / scale), round(height / scale)
    else:
        mime, image = "image/svg+xml", _svg(ax.figure)
        inches = ax.figure.get_size_inches() * ax.figure.dpi
        shown_w, shown_h = round(inches[0]), round(inches[1])
    encoded = base64.b64encode(image).decode("ascii")
    figure_html = (
        f'<figure class="lesson-figure" style="margin:0.5em 0;max-width:100%">'
        f'<img src="data:{mime};base64,{encoded}" alt="{html.escape(meta["alt"], quote=True)}" '
        f'style="width:100%;max-width:{round(shown_w * 1.6)}px;height:auto">'
        f'<figcaption style="font-size:0.9em">Source: {html.escape(line)}. '
        f"All sources: <code>plots.sources()</code></figcaption></figure>"
    )
    data = {
        mime: encoded if mime == "image/png" else image.decode("utf-8"),
        "text/html": figure_html,
        "text/plain": text,
    }
    metadata = {mime: {"width": shown_w, "height": shown_h, "alt": meta["alt"]}}
    return data, metadata


def _shown(ax: Axes) -> tuple[dict, str, str]:
    """The figure's record (alt text, sources), now the last one shown; its one-line source; its plain text."""
    meta = _META.get(ax.figure)
    if meta is None:
        describe(ax)  # raises the helpful message
    _LAST.clear()
    _LAST.update(meta)
    line = short_source(meta["source"])
    return meta, line, f"Figure: {meta['alt']}\nSource: {line}"


def show(ax: Axes) -> None:
    """Display the figure (image with alt text, source caption, plain-text description), then close it."""
    if not hasattr(ax, "figure"):
        from helpers.analysis import AnalysisError

        raise AnalysisError(f"show() needs the axes a plot function returned (ax = plots.timeline(...)), got {type(ax).__name__} {ax!r:.40}.")
    from IPython.display import display

    if grading():
        data, metadata = _described(ax), {}
    else:
        data, metadata = figure_bundle(ax)
    display(data, metadata=metadata, raw=True)
    plt.close(ax.figure)


def grading() -> bool:
    """True while nbgrader runs the notebook to grade it (it sets ``NBGRADER_EXECUTION``).

    Grading reads answers, not pictures: :func:`show` then gives the figure's description and source without
    drawing the image, which is most of a lesson's running time. The feedback page shows that description.
    """
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def _described(ax: Axes) -> dict:
    """The text parts of :func:`figure_bundle`, with no image: what a graded run's output keeps of a figure."""
    meta, line, text = _shown(ax)
    page = (f'<figure class="lesson-figure"><figcaption>Figure (not drawn while grading): {html.escape(meta["alt"])}. '
            f"Source: {html.escape(line)}.</figcaption></figure>")
    return {"text/html": page, "text/plain": text}


_TABLES = [0]


def table(frame: pd.DataFrame | pd.Series, *, index: bool = True, caption: str | None = None, max_colwidth: int | None = None) -> None:
    """Display a table as a table: compact HTML with each column's unit in its header, and the same
    values as plain text (which nbval compares). ``max_colwidth`` shortens long text in both.

    >>> plots.table(load("soviet_loans")[["date", "amount", "unit"]], index=False)  # doctest: +SKIP
    """
    if not isinstance(frame, (pd.DataFrame, pd.Series)):
        from helpers.analysis import AnalysisError

        raise AnalysisError(f"table() needs a table (a pandas DataFrame or Series), got {type(frame).__name__} {frame!r:.40}.")
    from IPython.display import display

    df = frame.to_frame() if isinstance(frame, pd.Series) else frame
    units = dict(getattr(frame, "attrs", {}).get("units", {}) or {})
    shown = pd.DataFrame(df).copy()
    shown.attrs = {}
    if max_colwidth:
        for col in shown.columns:
            if shown[col].dtype == object or pd.api.types.is_string_dtype(shown[col]):
                shown[col] = shown[col].map(lambda v: v if not isinstance(v, str) or len(v) <= max_colwidth else v[: max_colwidth - 1] + "…")
    text = (frame if isinstance(frame, pd.Series) else shown).to_string(**({} if isinstance(frame, pd.Series) else {"index": index}))
    labelled = shown.astype(object).where(shown.notna(), "–").rename(columns={c: f"{c} ({units[c]})" for c in shown.columns if c in units})
    page = labelled.to_html(index=index, border=0, na_rep="–", classes="lesson-table", escape=True)
    if caption:
        page = page.replace(">\n", f">\n<caption>{html.escape(caption)}</caption>\n", 1)
    _TABLES[0] += 1  # numbered in the order shown, so that every table's region has its own name
    label = html.escape(f"Table {_TABLES[0]}: " + (caption or ", ".join(map(str, shown.columns[:4])) + (", …" if len(shown.columns) > 4 else "")), quote=True)
    # the index column's empty corner: a name that screen readers read and the eye does not see
    hidden = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);border:0"
    corner = html.escape(str(shown.index.name or "row"))
    page = page.replace("<th></th>", f'<th><span class="visually-hidden" style="{hidden}">{corner}</span></th>')
    # a scrollable region a keyboard can reach (tabindex) and a screen reader can name (role, aria-label)
    wrap = f'<div class="lesson-table-wrap" role="region" aria-label="{label}" tabindex="0" style="overflow-x:auto;font-size:0.9em">'
    data = {"text/html": f"{wrap}{page}</div>", "text/plain": text}
    display(data, raw=True)


def year_axis(ax: Axes, axis: str = "x") -> Axes:
    """Whole years on an axis of (decimal) years: 1954, 1955, never 1954.5."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    target.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:.0f}"))
    return ax


def place_labels(starts: Sequence[float], widths: Sequence[float], slots: int, gap: float = 4.0) -> list[int | None]:
    """Give each label (in order of ``starts``, in points) the first of ``slots`` rows where it fits.

    A label that fits in no row gets ``None`` (thinned): labels never overlap.

    >>> place_labels([0, 10, 200], [50, 50, 50], slots=2)
    [0, 1, 0]
    """
    ends = [float("-inf")] * slots
    placed: list[int | None] = []
    for start, width in zip(starts, widths):
        row = next((r for r in range(slots) if start >= ends[r] + gap), None)
        if row is not None:
            ends[row] = start + width
        placed.append(row)
    return placed


def text_width(text: str, size: float) -> float:
    """Approximate width in points of ``text`` at font size ``size`` (CJK characters count double)."""
    wide = len(_CJK.findall(text))
    return size * (0.58 * (len(text) - wide) + 1.0 * wide)


# --------------------------------------------------------------------------- figures


def shade_period(ax: Axes, start, end, label: str | None = None, *, dates: bool = True) -> Axes:
    """Shade a period (e.g. :data:`HONEYMOON`) on a time axis; years if ``dates`` is False.

    ``start`` and ``end`` are dates ('1950-02-14', a Timestamp); on a year axis (``dates=False``) a year such as 1950
    is read as the whole year, and a fractional year (1950.5) as that point of the axis."""
    lo, hi = _period_end(start, "start", dates), _period_end(end, "end", dates)
    if lo > hi:
        raise _error(f"shade_period(): the start {start!r} comes after the end {end!r}; give the earlier one first.")
    ax.axvspan(lo, hi, color="#999999", alpha=0.15, lw=0, label=label)
    if label:
        ax.annotate(label, xy=(lo, 1.0), xycoords=("data", "axes fraction"), xytext=(2, -2), textcoords="offset points", va="top", fontsize=TYPE_SCALE["small"], color="#444444")
    return ax


def _error(message: str):
    from helpers.analysis import AnalysisError

    return AnalysisError(message)


def _period_end(value, which: str, dates: bool):
    """One end of a shaded period: a Timestamp on a date axis, a decimal year on a year axis."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not dates and is_number:
        if value != value or value in (float("inf"), float("-inf")):
            raise _error(f"shade_period(): the {which} is {value}; give a year such as 1950.")
        return float(value) + (1.0 if which == "end" and float(value).is_integer() else 0.0)
    if isinstance(value, bool) or value is None or is_number:
        raise _error(f"shade_period() needs a date for the {which} (such as '1950-02-14'), got {type(value).__name__} {value!r}.")
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise _error(f"shade_period() cannot read {value!r} as the {which} date: write it as '1950-02-14'.") from None
    if pd.isna(stamp):
        raise _error(f"shade_period(): the {which} date is missing (NaT).")
    if dates:
        return stamp
    return stamp.year + (stamp.day_of_year - (1 if which == "start" else 0)) / 365.25


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2g}" if abs(value) < 1 else f"{value:,.1f}"


@figure_store.stored
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
        raise _error(f"line_chart() got an empty table for df (no rows), so there is nothing to plot for '{title}' (check the filter).")
    for column in (x, y) + ((by,) if by is not None else ()):
        if column not in df.columns:
            raise _error(f"line_chart() has no column {column!r} to draw: the table's columns are {list(df.columns)[:10]}.")
    missing = df[x].isna()
    if missing.any():
        raise _error(f"line_chart(): {int(missing.sum())} row(s) have no {x} (the first is row {df.index[missing][0]!r}), so they "
                     f"cannot be placed on the axis: drop them first (table.dropna(subset=[{x!r}])) or fill in the {x}.")
    if df[y].isna().all():
        raise _error(f"line_chart(): every value of {y!r} is missing, so there is nothing to draw (check the filter or the column).")
    ax = new_axes(ax)
    colors = colors or COUNTRY_COLORS
    groups = [(None, df)] if by is None else list(df.groupby(by, sort=False))
    summary = []
    unit = ylabel or df.attrs.get("units", {}).get(y, "")
    for n, (key, part) in enumerate(groups):
        part = part.sort_values(x)
        label = None if key is None else str(key)
        shape = marker if label is None else COUNTRY_MARKERS.get(label, _MARKER_CYCLE[n % len(_MARKER_CYCLE)])
        ax.plot(part[x].astype(float), part[y].astype(float), marker=shape, ms=4, lw=1.6, label=label, color=colors.get(label) if label else None)
        first, last = part.iloc[0], part.iloc[-1]
        who = f"{label}: " if label else ""
        summary.append(f"{who}{_fmt(float(first[y]))} in {int(first[x])} to {_fmt(float(last[y]))} in {int(last[x])}")
    if shade:
        shade_period(ax, shade[0], shade[1], shade[2] if len(shade) > 2 else None, dates=False)
    ax.set_title(title)
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(unit)
    if x == "year" or x.endswith("_year"):
        year_axis(ax)
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda value, _pos: _fmt(value) if value else "0"))
    if by is not None:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    text = alt or f"Line chart, {title}. " + "; ".join(summary) + (f" ({unit})." if unit else ".")
    return finish(ax, source or source_note(df), text)


@figure_store.stored
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
    documents: bool = False,
) -> Axes:
    """Events as dots in one lane per category, labelled with their titles.

    ``events`` is ``load("events")`` or a filtered copy; ``start``/``end`` are dates
    ("1953", "1958-06-30"). Contested dates are drawn as hollow markers. ``documents=True``
    draws a square around each event that has a document in the reader (``helpers.documents``).
    """
    df = pd.DataFrame(events)  # the same rows without the table's metadata, which pandas would deep-copy at every step
    df.attrs = {}
    for column in ("date", "category", "title"):
        if column not in df.columns:
            raise _error(f"timeline() needs the events table (data.load('events')), with a {column!r} column; this table has {list(df.columns)[:8]}.")
    undated = df["date"].isna()
    if undated.any():
        first = df.loc[undated, "event_id"].iloc[0] if "event_id" in df.columns else df.index[undated][0]
        raise _error(f"timeline(): {int(undated.sum())} event(s) have no date (the first: {first!r}), so they cannot be placed: "
                     "drop them first (events.dropna(subset=['date'])) or give each its date.")
    lo = pd.Timestamp(start) if start else df["date"].min()
    hi = pd.Timestamp(end) if end else df["date"].max()
    if lo > hi:
        raise _error(f"timeline(): the start {lo.date()} comes after the end {hi.date()}; give the earlier one first.")
    df = df[(df["date"] >= lo) & (df["date"] <= hi)]
    if categories is not None:
        wanted = list(categories)
        unknown = sorted(set(wanted) - set(CATEGORY_COLORS))
        if unknown:
            raise _error(f"Unknown categor{'y' if len(unknown) == 1 else 'ies'} {unknown}; the categories are {sorted(CATEGORY_COLORS)}.")
        df = df[df["category"].isin(wanted)]
    if df.empty:
        raise _error(f"No events between {lo.date()} and {hi.date()} in the chosen categories.")
    lanes = [c for c in CATEGORY_COLORS if c in set(df["category"])]
    ax = new_axes(ax, figsize=(9.0, 1.2 + (0.95 if labels else 0.6) * len(lanes)))
    df = df.sort_values("date")
    ax.set_xlim(lo - pd.Timedelta(days=30), hi + pd.Timedelta(days=30))
    ax.set_ylim(-0.8, len(lanes) - 0.3)
    size = TYPE_SCALE["small"]
    # label rows around each lane (points from the dot): two above, two below; labels that fit in none are left out
    offsets = [(0, 5, "bottom"), (0, -5, "top"), (0, 16, "bottom"), (0, -16, "top")]
    fig = ax.figure
    names = [c.replace("_", " ") for c in lanes]
    # room on the left for the longest lane name, also where the figure is not cropped to its contents (explorers)
    left = (max(text_width(n, TYPE_SCALE["small"]) for n in names) / 72 + 0.25) / fig.get_figwidth()
    fig.subplots_adjust(left=max(left, fig.subplotpars.left), right=0.97)
    bbox = ax.get_position()
    width_pt = fig.get_figwidth() * bbox.width * 72
    x0, x1 = (matplotlib.dates.date2num(t) for t in (lo - pd.Timedelta(days=30), hi + pd.Timedelta(days=30)))
    per_day = width_pt / (x1 - x0)
    thinned = 0
    for lane_no, cat in enumerate(lanes):
        part = df[df["category"] == cat]
        contested = part["contested"].fillna(False).astype(bool) if "contested" in part else pd.Series(False, index=part.index)
        color = CATEGORY_COLORS[cat]
        if (~contested).any():  # no empty collections: each costs its drawing time even with no dot
            ax.scatter(part.loc[~contested, "date"], [lane_no] * int((~contested).sum()), color=color, s=30, zorder=3)
        if contested.any():
            ax.scatter(part.loc[contested, "date"], [lane_no] * int(contested.sum()), facecolors="white", edgecolors=color, s=30, zorder=3)
        if labels:
            texts = [textwrap.shorten(str(row_title), 30, placeholder="…") for row_title in part["title"]]
            widths = [text_width(t, size) for t in texts]
            dots = [(matplotlib.dates.date2num(d) - x0) * per_day for d in part["date"]]
            # a label starts at its dot, or ends there when it would run past the right edge
            flush = [dot + w > width_pt for dot, w in zip(dots, widths)]
            starts = [dot - w + 3 if right else dot - 3 for dot, w, right in zip(dots, widths, flush)]
            order = sorted(range(len(texts)), key=lambda i: starts[i])
            placed = place_labels([starts[i] for i in order], [widths[i] for i in order], slots=len(offsets))
            rows = dict(zip(order, placed))
            for i, (text, date) in enumerate(zip(texts, part["date"])):
                if rows[i] is None:
                    thinned += 1
                    continue
                dx, dy, va = offsets[rows[i]]
                ax.annotate(text, (date, lane_no), xytext=(3 if flush[i] else -3, dy), textcoords="offset points", fontsize=size,
                            ha="right" if flush[i] else "left", va=va, color="#222222")
    with_docs = 0
    if documents:
        from helpers.documents import event_documents

        has = set(event_documents())
        lane_of = {cat: i for i, cat in enumerate(lanes)}
        marked = df[df["event_id"].isin(has)] if "event_id" in df.columns else df.iloc[:0]
        with_docs = len(marked)
        if with_docs:
            ax.scatter(marked["date"], [lane_of[c] for c in marked["category"]], marker="s", s=110, facecolors="none",
                       edgecolors="#222222", linewidths=1.1, zorder=4, label="has a document in the reader")
            ax.legend(loc="lower right", fontsize=size, frameon=False, handletextpad=0.3, borderaxespad=0.1)
    if shade:
        shade_period(ax, shade[0], shade[1], shade[2] if len(shade) > 2 else None)
    ax.set_yticks(range(len(lanes)), names)
    ax.grid(axis="y", alpha=0)
    locator = matplotlib.dates.AutoDateLocator(minticks=4, maxticks=10)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(matplotlib.dates.ConciseDateFormatter(locator, show_offset=False, formats=["%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M", "%S.%f"]))
    span = f"{lo.year}–{hi.year}" if lo.year != hi.year else str(lo.year)
    ax.set_title(title or f"Timeline, {span}")
    counts = df["category"].value_counts()
    parts = ", ".join(f"{counts[c]} {c.replace('_', ' ')}" for c in lanes)
    n_contested = int(df["contested"].fillna(False).astype(bool).sum()) if "contested" in df else 0
    alt = (
        f"Timeline of {len(df)} events from {df['date'].min():%B %Y} to {df['date'].max():%B %Y}, one row per category ({parts}). "
        f"First: {df.iloc[0]['title']}; last: {df.iloc[-1]['title']}."
        + (f" {n_contested} dates are contested (hollow markers)." if n_contested else "")
        + (f" {thinned} labels are left out where they would overlap." if thinned else "")
        + (f" {with_docs} event{'s' if with_docs != 1 else ''} with a document in the reader {'are' if with_docs != 1 else 'is'} framed by a square." if with_docs else "")
    )
    cited = df[["source_id"]] if "source_id" in df.columns else df.iloc[:, :0]
    cited.attrs = {"path": events.attrs["path"]} if events.attrs.get("path") else {}
    return finish(ax, source_note(cited), alt)


from helpers.analysis import guard_module as _guard_module  # noqa: E402 - after the functions it wraps

# Every public function: a clear AnalysisError for a bad argument (a table's name, None, axes missing, a range back
# to front) instead of a pandas or matplotlib traceback.
_guard_module(globals())
