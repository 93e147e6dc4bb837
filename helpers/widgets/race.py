"""Lesson 3, the economic race: its figures and "the race" simulator.

Thin: every figure takes the loaded tables (and the results of :mod:`helpers.analysis.race`),
draws with matplotlib in the house style and ends with ``plots.finish`` (source line and alt
text), so that a lesson shows it with ``plots.show(ax)``.

>>> from helpers.data import load
>>> explorer = race_explorer(load("industrial_output"), deadline=1972)  # doctest: +SKIP
>>> explorer.set(pair="China-UK", start_year=1957)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import ipywidgets as W
import matplotlib.dates as mdates
import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from helpers import figure_store, plots
from helpers.analysis import guard_module, plain, race
from helpers.analysis.race import PAIRS, Projection
from helpers.widgets import Explorer, explorer_factory

__all__ = ["race_figure", "targets_figure", "projection_figure", "race_explorer", "race_timeline"]

MT = 1000.0  # thousand metric tons in a million metric tons


def _source(*frames: pd.DataFrame) -> str:
    """``plots.source_note`` for a figure's sources."""
    return plots.source_note(*frames)


def _steel_rows(output: pd.DataFrame, countries: tuple[str, ...]) -> pd.DataFrame:
    """The rows behind a figure, so that its source line names exactly their sources."""
    bare = plain(output)  # without attrs, which pandas would copy into every step
    wanted = bare[(bare["product"] == "steel") & bare["country"].isin(countries)]
    keep = [(wanted["country"] == c) & (wanted["series"] == race.DEFAULT_SERIES[c]) for c in countries]
    rows = wanted[pd.concat(keep, axis=1).any(axis=1)]
    rows.attrs = output.attrs
    return rows


# --------------------------------------------------------------------------- the race over time


@figure_store.stored
def race_figure(output: pd.DataFrame, pair: str, pledge_year: int, deadline: int, *, show_claim: bool = False, ax: Axes | None = None) -> Axes:
    """Both sides' steel output, 1949-1980, with the pledge, its deadline and the real crossing marked.

    ``show_claim`` adds China's 1958 steel as claimed at the time (a hollow marker, not part of the line).
    """
    chaser, leader = race._pair(pair)
    table = race.race_table(output, pair)
    a, b = table[chaser], table[leader]
    first, final = race.first_year_ahead(a, b), race.stays_ahead_from(a, b)
    ax = plots.new_axes(ax)
    for name in (leader, chaser):
        ax.plot(table.index, table[name] / MT, marker=plots.COUNTRY_MARKERS[name], ms=4, lw=1.6, color=plots.COUNTRY_COLORS[name], label=name)
    ax.axvspan(pledge_year, deadline, color="#999999", alpha=0.12, lw=0)
    ax.axvline(pledge_year, color="#444444", lw=1, ls="--")
    ax.axvline(deadline, color="#444444", lw=1, ls="--")
    top = ax.get_ylim()[1]
    ax.annotate(f"pledge ({pledge_year})", (pledge_year, top), xytext=(3, -3), textcoords="offset points", va="top", fontsize=plots.TYPE_SCALE["small"], color="#444444")
    ax.annotate(f"deadline ({deadline})", (deadline, top), xytext=(3, -3), textcoords="offset points", va="top", fontsize=plots.TYPE_SCALE["small"], color="#444444")
    notes = []
    if first is not None:
        ax.scatter([first], [a.loc[first] / MT], s=90, facecolors="none", edgecolors="black", zorder=4)
        ax.annotate(f"first ahead {first}", (first, a.loc[first] / MT), xytext=(-45, -40), textcoords="offset points", ha="center", fontsize=plots.TYPE_SCALE["small"], arrowprops={"arrowstyle": "-", "color": "#444444", "lw": 0.8})
        notes.append(f"{chaser} is first ahead in {first}")
    if final is not None and final != first:
        ax.scatter([final], [a.loc[final] / MT], s=90, facecolors="none", edgecolors="black", zorder=4)
        ax.annotate(f"ahead for good from {final}", (final, a.loc[final] / MT), xytext=(10, -55), textcoords="offset points", ha="center", fontsize=plots.TYPE_SCALE["small"], arrowprops={"arrowstyle": "-", "color": "#444444", "lw": 0.8})
        notes.append(f"falls behind again, and is ahead for good from {final}")
    frames = [_steel_rows(output, (chaser, leader))]
    if show_claim:
        claim = output[(output["product"] == "steel") & (output["country"] == chaser) & (output["series"] == "official_claim")]
        if not claim.empty:
            ax.scatter(claim["year"].astype(int), claim["value"].astype(float) / MT, marker="D", s=30, facecolors="white", edgecolors=plots.COUNTRY_COLORS[chaser], zorder=4, label=f"{chaser}, claimed at the time")
            row = claim.iloc[0]
            notes.append(f"a hollow diamond marks the {int(row['year'])} claim of {row['value'] / MT:.1f} Mt")
            claim = claim.copy()
            claim.attrs = output.attrs
            frames.append(claim)
    ax.set_title(f"The race in steel: {chaser} and {leader}, {int(table.index.min())}–{int(table.index.max())}")
    ax.set_xlabel("year")
    ax.set_ylabel("million metric tons")
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    plots.year_axis(ax)
    alt = (
        f"Line chart of steel output in million metric tons, {chaser} and {leader}, {int(table.index.min())}–{int(table.index.max())}. "
        f"{chaser}: {a.iloc[0] / MT:.1f} to {a.iloc[-1] / MT:.1f}; {leader}: {b.iloc[0] / MT:.1f} to {b.iloc[-1] / MT:.1f}. "
        f"Dashed lines mark the pledge ({pledge_year}) and its deadline ({deadline}); "
        + (", ".join(notes) if notes else f"{chaser} never gets ahead")
        + "."
    )
    return plots.finish(ax, _source(*frames), alt)


# --------------------------------------------------------------------------- targets and outcomes


@figure_store.stored
def targets_figure(targets: pd.DataFrame, output: pd.DataFrame, years: tuple[int, ...] = (1958, 1959), ax: Axes | None = None) -> Axes:
    """Each steel target for ``years`` at the date it was set, then what was claimed and what the revised series shows."""
    t = targets[(targets["product"] == "steel") & targets["target_year"].isin(years)].sort_values("set_when")
    if t.empty:
        raise ValueError(f"No steel targets for {years} in this table.")
    china = output[(output["product"] == "steel") & (output["country"] == "China")]
    last = max(years) + 1
    revised = china[(china["series"] == "revised_official") & china["year"].between(min(years) - 1, last)].sort_values("year")
    claim = china[(china["series"] == "official_claim") & china["year"].isin(years)]
    ax = plots.new_axes(ax, figsize=(8.6, 4.6))
    colours = dict(zip(years, ["#E69F00", "#0072B2", "#009E73"]))
    for year in years:
        part = t[t["target_year"] == year]
        adopted = ~part["set_by"].str.contains("Planning Commission", na=False)
        ax.scatter(part.loc[adopted, "set_when"], part.loc[adopted, "target_value"] / MT, s=40, color=colours[year], zorder=3, label=f"target for {year}")
        for _, row in part.iterrows():
            hi = row["target_value_max"]
            if pd.notna(hi):
                ax.vlines(row["set_when"], row["target_value"] / MT, hi / MT, color=colours[year], lw=3, alpha=0.7)
            text = f"{row['target_value'] / MT:.1f}" + (f"–{hi / MT:.1f}" if pd.notna(hi) else "")
            planner = "Planning Commission" in str(row["set_by"])
            ax.annotate(
                text + (" (planners)" if planner else ""),
                (row["set_when"], (hi if pd.notna(hi) else row["target_value"]) / MT),
                xytext=(-4, 3) if planner else (4, 3),
                ha="right" if planner else "left",
                textcoords="offset points",
                fontsize=plots.TYPE_SCALE["small"] - 1,
            )
        planners = part[~adopted]
        if not planners.empty:
            ax.scatter(planners["set_when"], planners["target_value"] / MT, marker="x", s=40, color=colours[year], zorder=3, label=f"planners' estimate for {year}")
    ends = pd.to_datetime(revised["year"].astype(int).astype(str) + "-12-31")
    ax.plot(ends, revised["value"].astype(float) / MT, marker="D", ms=6, color="black", lw=1.2, label="output, revised official series")
    for x, v in zip(ends, revised["value"].astype(float)):
        ax.annotate(f"{v / MT:.1f}", (x, v / MT), xytext=(5, -10), textcoords="offset points", fontsize=plots.TYPE_SCALE["small"] - 1)
    claim_x = pd.to_datetime(claim["year"].astype(int).astype(str) + "-12-31")
    ax.scatter(claim_x, claim["value"].astype(float) / MT, marker="D", s=45, facecolors="white", edgecolors="black", zorder=4, label="output as claimed at the time")
    for x, v in zip(claim_x, claim["value"].astype(float)):
        ax.annotate(f"claim {v / MT:.1f}", (x, v / MT), xytext=(7, -3), textcoords="offset points", ha="left", fontsize=plots.TYPE_SCALE["small"] - 1)
    ax.set_title(f"China's steel: targets for {', '.join(map(str, years))} as they were raised, and what came out")
    ax.set_xlabel("date the target was set; outputs at the end of their year")
    ax.set_ylabel("million metric tons")
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=(1, 5, 9)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=plots.TYPE_SCALE["small"])
    first58 = t[t["target_year"] == years[0]].iloc[0]
    top58 = t[t["target_year"] == years[0]]["target_value"].max()
    high = t.loc[t["target_value_max"].fillna(t["target_value"]).idxmax()]
    alt = (
        f"Dot chart of {len(t)} steel targets and estimates set between {t['set_when'].min():%B %Y} and {t['set_when'].max():%B %Y}, in million metric tons. "
        + (f"The {years[0]} target rose from {first58['target_value'] / MT:.1f} to {top58 / MT:.1f}; " if top58 > first58["target_value"]
           else f"The {years[0]} target was {first58['target_value'] / MT:.1f}; ")
        + f"the highest, for {int(high['target_year'])}, reached {high['target_value_max'] / MT if pd.notna(high['target_value_max']) else high['target_value'] / MT:.1f}. "
        + "; ".join(f"claimed {int(r['year'])}: {r['value'] / MT:.1f}" for _, r in claim.iterrows())
        + "; revised output "
        + ", ".join(f"{int(r['year'])}: {r['value'] / MT:.1f}" for _, r in revised.iterrows())
        + "."
    )
    frames = []
    for frame in (t, revised, claim):
        frame = frame.copy()
        frame.attrs = (targets if frame is t else output).attrs
        frames.append(frame)
    frames[0].attrs = targets.attrs
    return plots.finish(ax, _source(*frames), alt)


# --------------------------------------------------------------------------- the simulator


@figure_store.stored
def projection_figure(projection: Projection, output: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """History (solid) and projection (dashed) for both sides, on a log scale, with the deadline and both crossings."""
    p = projection
    table = race.race_table(output, p.pair)
    ax = plots.new_axes(ax)
    for name in (p.leader, p.chaser):
        colour = plots.COUNTRY_COLORS[name]
        ax.plot(table.index, table[name] / MT, lw=1.6, color=colour, marker=plots.COUNTRY_MARKERS[name], ms=3, markevery=5, label=f"{name}, actual")
        ax.plot(p.paths.index, p.paths[name] / MT, lw=1.4, ls="--", color=colour, label=f"{name}, projected")
    _log_axis(ax)
    if p.deadline is not None:
        ax.axvline(p.deadline, color="#444444", lw=1, ls=":")
        ax.annotate(f"deadline {p.deadline}", (p.deadline, 1.0), xycoords=("data", "axes fraction"), xytext=(3, -3), textcoords="offset points", va="top", fontsize=plots.TYPE_SCALE["small"], color="#444444")
    o = p.overtake
    if o.year is not None and o.year in p.paths.index:
        ax.scatter([o.year], [p.paths.loc[o.year, p.chaser] / MT], s=80, marker="*", color="black", zorder=4, label=f"projected crossing {o.year}")
    if p.actual is not None:
        ax.scatter([p.actual], [table.loc[p.actual, p.chaser] / MT], s=80, facecolors="none", edgecolors="black", zorder=4, label=f"actual first year ahead {p.actual}")
    ax.axvline(p.start_year, color="#999999", lw=1)
    ax.set_title(f"The race simulator: {p.chaser} and {p.leader} from {p.start_year}")
    ax.set_xlabel("year")
    ax.set_ylabel("million metric tons (log scale)")
    ax.legend(frameon=False, fontsize=plots.TYPE_SCALE["small"], loc="upper left", bbox_to_anchor=(1.0, 1.0))
    plots.year_axis(ax)
    ax.figure.subplots_adjust(left=0.08, right=0.76, bottom=0.13, top=0.9)  # the legend beside the axes, drawn without a cropping pass
    alt = f"Line chart on a log scale: actual steel output (solid) and constant-growth projections (dashed) for {p.chaser} and {p.leader}. {p.summary}."
    return plots.finish(ax, _source(_steel_rows(output, (p.chaser, p.leader))), alt)


def _log_axis(ax: Axes) -> None:
    """A light logarithmic y axis: labelled ticks at 1, 10, 100 (or 1, 2, 5, 10, ... over a short range), no minor ticks.

    The simulator redraws at every change; matplotlib's default minor ticks on a log axis
    (eight per decade, each a full tick object) cost more to draw than the lines themselves.
    """
    ax.set_yscale("log")
    low, high = ax.get_ylim()
    decades = math.log10(high / low) if low > 0 else 3.0
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0,) if decades >= 2 else (1.0, 2.0, 5.0)))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: f"{value:,.0f}" if value >= 1 else f"{value:g}"))


@explorer_factory
def race_explorer(output: pd.DataFrame, deadline: int | None = None, pair: str = "China-UK", start_year: int = 1957, window: int = 5) -> Explorer:
    """"The race": pick a pair and a start year, set each side's growth, see the projected crossing.

    Changing the pair or the start year resets both rates to those actually achieved in the
    ``window`` years before the start year. Rates are in percent a year. A rate the projection
    refuses (zero or negative for the chaser, absurdly high or low) shows its message instead of a figure.
    """
    years = sorted(set(race.race_table(output, p).index.min() for p in PAIRS))
    first_start = int(max(years)) + window
    last_start = int(min(race.race_table(output, p).index.max() for p in PAIRS)) - 1
    controls = {
        "pair": W.Dropdown(options=list(PAIRS), value=pair, description="Race"),
        "start_year": W.IntSlider(value=start_year, min=first_start, max=last_start, description="Start year", continuous_update=False),
        "chaser_rate": W.FloatSlider(value=0.0, min=-20.0, max=150.0, step=0.1, description="Chaser %/yr", continuous_update=False, readout_format=".1f"),
        "leader_rate": W.FloatSlider(value=0.0, min=-20.0, max=150.0, step=0.1, description="Leader %/yr", continuous_update=False, readout_format=".1f"),
    }

    def achieved(pair_name: str, year: int) -> tuple[float, float]:
        chaser, leader = PAIRS[pair_name]
        return tuple(round(100 * race.default_rate(race.steel_series(output, c), year, window), 1) for c in (chaser, leader))  # type: ignore[return-value]

    controls["chaser_rate"].value, controls["leader_rate"].value = achieved(pair, start_year)
    # What was last drawn. A new pair or start year resets the rates to the achieved ones,
    # unless the rates were changed at the same time (explorer.set(pair=..., chaser_rate=...)).
    state = {"key": (pair, start_year), "rates": (controls["chaser_rate"].value, controls["leader_rate"].value), "quiet": False}

    def render(pair: str, start_year: int, chaser_rate: float, leader_rate: float):
        if state["quiet"]:  # a rate slider moved by the reset below: the outer call draws
            return None, ""
        if (pair, start_year) != state["key"] and (chaser_rate, leader_rate) == state["rates"]:
            chaser_rate, leader_rate = achieved(pair, start_year)
            state["quiet"] = True
            try:
                controls["chaser_rate"].value, controls["leader_rate"].value = chaser_rate, leader_rate
            finally:
                state["quiet"] = False
            chaser_rate, leader_rate = controls["chaser_rate"].value, controls["leader_rate"].value
        state["key"], state["rates"] = (pair, start_year), (chaser_rate, leader_rate)
        projection = race.project_race(output, pair, start_year, chaser_rate / 100, leader_rate / 100, deadline=deadline)
        return projection_figure(projection, output), projection.summary

    explorer = Explorer(controls, render, title="The race: project both sides at constant growth")
    return explorer


# --------------------------------------------------------------------------- the timeline


@figure_store.stored
def race_timeline(events: pd.DataFrame, event_ids: list[str], title: str, numbered: bool = True) -> Axes:
    """``plots.timeline`` of the chosen events, numbered 1, 2, ... in date order (or with the shared labels).

    Numbers keep a crowded timeline readable: print the list with the same numbers beside it.
    """
    chosen = events[events["event_id"].isin(event_ids)].sort_values("date")
    missing = sorted(set(event_ids) - set(chosen["event_id"]))
    if missing:
        raise ValueError(f"No events with the ids {missing} in this table.")
    start, end = chosen["date"].min(), chosen["date"].max()
    ax = plots.timeline(chosen, f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}", title=title, labels=not numbered)
    if numbered:
        lanes = [c for c in plots.CATEGORY_COLORS if c in set(chosen["category"])]  # the order plots.timeline uses
        for number, (_, row) in enumerate(chosen.iterrows(), start=1):
            ax.annotate(str(number), (row["date"], lanes.index(row["category"])), xytext=(0, 7 if number % 2 else -13), textcoords="offset points", ha="center", fontsize=plots.TYPE_SCALE["small"])
    return ax


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
