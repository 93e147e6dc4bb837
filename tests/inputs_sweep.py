"""The argument sweep over every public analysis function (used by tests/test_analysis_inputs.py).

For each function a right call (the lesson's own), and for each of its arguments the odd values a
student or teacher might give instead: the wrong table, a table's name instead of the table, None,
a column instead of a table, years as text, reversed ranges, rates in percent, NaN, empty tables.
``outcome(call)`` runs one call and says what happened: a result, the one typed error
(``AnalysisError``) with its message, or anything else (a raw traceback: a defect).

``python tests/inputs_sweep.py`` runs every variant once and prints the counts; ``python tests/inputs_sweep.py helpers``
does the same for the other public functions of helpers (plots, maps, documents, glossary, data, dates, exercises).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

import helpers.analysis as an
from helpers import data
from helpers.analysis import AnalysisError, race, split
from helpers.analysis import conference as cf
from helpers.analysis import honeymoon as hm

#: Which dataset each table argument means, by the argument's name.
TABLE_OF = {
    "events": "events", "loans": "soviet_loans", "projects": "aided_projects", "people": "soviet_experts_chinese_students",
    "trade": "sino_soviet_trade", "parties": "conference_parties", "totals": "conference_totals", "debates": "debates",
    "quotations": "quotations", "output": "industrial_output", "targets": "glf_targets", "grain": "china_grain_output",
    "steel": "industrial_output", "table": "split_withdrawal_1960", "bib": "sources",
}


@cache
def tables() -> dict[str, pd.DataFrame]:
    return {name: data.load(name) for name in sorted(set(TABLE_OF.values()))}


def T(name: str) -> pd.DataFrame:
    return tables()[name].copy()


@cache
def steel() -> dict[str, pd.Series]:
    return {c: race.steel_series(T("industrial_output"), c) for c in ("China", "UK", "USSR", "USA")}


@dataclass
class Call:
    func: Any
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""

    def run(self):
        return self.func(*self.args, **self.kwargs)

    def __repr__(self) -> str:
        parts = [_short(a) for a in self.args] + [f"{k}={_short(v)}" for k, v in self.kwargs.items()]
        return f"{self.func.__module__.split('.')[-1]}.{self.func.__name__}({', '.join(parts)}){' # ' + self.label if self.label else ''}"


def _short(value: Any) -> str:
    if isinstance(value, pd.DataFrame):
        return f"<table {value.attrs.get('name', '?')} {value.shape[0]}x{value.shape[1]}>"
    if isinstance(value, pd.Series):
        return f"<series {value.name} {len(value)}>"
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


def right_calls() -> list[Call]:
    """One right call per public function, as the lessons make them."""
    s = steel()
    ev, lo, pr, pe, tr = T("events"), T("soviet_loans"), T("aided_projects"), T("soviet_experts_chinese_students"), T("sino_soviet_trade")
    pa, to, de, qu = T("conference_parties"), T("conference_totals"), T("debates"), T("quotations")
    out, tg, gr, wd = T("industrial_output"), T("glf_targets"), T("china_grain_output"), T("split_withdrawal_1960")
    return [
        Call(an.cagr, (100, 200, 10)), Call(an.required_growth, (5.35, 20.0, 15)), Call(an.years_to_overtake, (10, 0.10, 20, 0.02)),
        Call(an.first_year_exceeds, (s["China"], s["UK"])), Call(an.series_between, (pd.DataFrame({"year": [1950, 1955, 1960]}), 1950, 1955)),
        Call(an.growth_between, (s["China"], 1952, 1957)), Call(an.count_by, (ev, "category")),
        Call(hm.year_fraction, ("1954-10-01",)), Call(hm.in_window, (ev["date"], hm.HONEYMOON)),
        Call(hm.events_between, (ev, "1956-01-01", "1956-12-31")), Call(hm.event_counts, (ev, "1953-01-01", "1958-12-31")),
        Call(hm.loan_agreements, (lo,)), Call(hm.loans_by_currency, (lo,)), Call(hm.loans_by_year, (lo, "million rubles (pre-1961)")),
        Call(hm.share_of_items, (lo, hm.MILITARY_LOANS)), Call(hm.projects_by_agreement, (pr,)), Call(hm.agreed_vs_built, (pr,)),
        Call(hm.sector_shares, (pr, "first_batch_by_sector")), Call(hm.people_counts, (pe, "soviet_experts_in_china")),
        Call(hm.spread, (pd.Series([10.0, 12.0, 15.0]),)), Call(hm.trade_annual, (tr, "total_turnover"), {"unit": "million rubles (pre-1961)"}),
        Call(hm.trade_growth, (tr, "total_turnover", 1950, 1957), {"series": "prc_mofcom_history"}),
        Call(hm.peak_year, (hm.loans_by_year(lo, "million rubles (pre-1961)"),)), Call(hm.series_catalogue, (tr,)),
        Call(hm.series_rows, ("loans_rubles",), {"loans": lo, "projects": pr, "people": pe, "trade": tr, "start": 1949, "end": 1960}),
        Call(cf.when, (pd.Timestamp("1957-11-18"), "day")), Call(cf.span, (pd.Timestamp("1960-11-01"), pd.Timestamp("1960-12-01"), "month")),
        Call(cf.party_table, (pa,)), Call(cf.signatories, (pa, "declaration")),
        Call(cf.signed_one_not_other, (pa, "peace_manifesto", "declaration")), Call(cf.signature_counts, (pa,)),
        Call(cf.attendance_counts, (pa, "wider")), Call(cf.totals_for, (to, "wider_meeting_1957")),
        Call(cf.reconcile_count, (to,)), Call(cf.issue_key, ("leadership_of_camp",)), Call(cf.positions, (de,), {"period": "1957"}),
        Call(cf.positions_table, (de, "war_and_peace")), Call(cf.position_lines, (de, "war_and_peace"), {"width": 110}),
        Call(cf.issue_counts, (de,)), Call(cf.period_counts, (de,)), Call(cf.quotation, (qu, "paper_tiger_1946")),
        Call(cf.quotations_on, (qu, "1957-11-18")), Call(cf.find_quotations, (qu,), {"speaker": "Mao Zedong"}),
        Call(cf.days_between, (ev, "khrushchev_s_jubilee_report_overtake_1957", "mao_in_moscow_china_to_1957")),
        Call(race.steel_series, (out, "China")), Call(race.race_table, (out, "China-UK")), Call(race.pledge_deadline, (tg,)),
        Call(race.required_rate, (s["China"], 1957, 22047.0, 1972)), Call(race.achieved_growth, (s["China"], 1952, 1957)),
        Call(race.first_year_ahead, (s["China"], s["UK"])), Call(race.stays_ahead_from, (s["China"], s["UK"])),
        Call(race.lead_changes, (s["China"], s["UK"])), Call(race.default_rate, (s["China"], 1957)),
        Call(race.project_race, (out, "China-UK", 1957, 0.2, 0.03)), Call(race.tons_to, (22047.0, "long")),
        Call(split.to_month, ("1960-07",)), Call(split.month_label, ("1960-07",)), Call(split.lesson_months, ("1960-06", "1960-08")),
        Call(split.month_in_range, ("1959-03",)), Call(split.latest_date, (ev,)), Call(split.events_in_month, (ev, "1958-08")),
        Call(split.undated_in_year, (ev, 1958)), Call(split.cumulative_counts, (ev, "1959-09"), {"since": "1958-01"}),
        Call(split.cumulative_table, (ev,)), Call(split.monthly_counts, (ev, "1959-01", "1959-12")),
        Call(split.days_between, (ev, "khrushchev_visit_1958", "jinmen_shelling_1958")), Call(split.grain_table, (gr,)),
        Call(split.claim_ratio, (gr, 1958)), Call(split.percent_change, (200.0, 150.0)),
        Call(split.count_range, (wd, "contracts_cancelled")), Call(split.year_indicators, (gr, out, 1959)),
        Call(split.month_summary, (ev, "1959-06")),
    ]


# --------------------------------------------------------------------------- the odd values


def _param_names(func) -> list[str]:
    return list(inspect.signature(func).parameters)


#: Arguments for which None is a documented input (when(None) is 'undated').
NONE_MEANS_SOMETHING = {"when.date", "span.date"}
YEARS = {"start", "end", "year", "start_year", "deadline", "since", "end_year"}
RATES = {"chaser_rate", "leader_rate"}


def variants(call: Call) -> list[tuple[Call, str]]:
    """Every odd variant of ``call``: one argument replaced at a time. The label says what kind of input it is."""
    out: list[tuple[Call, str]] = []
    signature = inspect.signature(call.func)
    bound = signature.bind(*call.args, **call.kwargs)
    for name, value in list(bound.arguments.items()):
        default = signature.parameters[name].default
        for odd, kind in _odd_values(name, value, call.func):
            if odd is None and (default is None or f"{call.func.__name__}.{name}" in NONE_MEANS_SOMETHING):
                continue  # None is this argument's own default, or documented: a right input
            changed = signature.bind(*call.args, **call.kwargs)
            changed.arguments[name] = odd
            out.append((Call(call.func, changed.args, changed.kwargs, f"{name}: {kind}"), kind))
    # a range given back to front
    for lo, hi in (("start", "end"), ("start_year", "deadline"), ("pledge_year", "deadline")):
        if lo in bound.arguments and hi in bound.arguments and bound.arguments[lo] != bound.arguments[hi]:
            swapped = signature.bind(*call.args, **call.kwargs)
            swapped.arguments[lo], swapped.arguments[hi] = bound.arguments[hi], bound.arguments[lo]
            out.append((Call(call.func, swapped.args, swapped.kwargs, f"{lo}/{hi}: a reversed range"), "a reversed range"))
    # a required argument left out
    required = [n for n, p in inspect.signature(call.func).parameters.items() if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD]
    if required:
        out.append((Call(call.func, tuple(bound.args[: len(required) - 1]), {}, "an argument missing"), "missing argument"))
    return out


def _odd_values(name: str, value: Any, func) -> list[tuple[Any, str]]:
    odd: list[tuple[Any, str]] = [(None, "None")]
    if isinstance(value, pd.DataFrame):
        wanted = TABLE_OF.get(name)
        other = "events" if wanted != "events" else "soviet_loans"
        odd += [(T(other), "the wrong table")] if wanted else []
        odd += [(wanted or "events", "a table's name instead of the table"),
                (value.iloc[0:0], "an empty table"), (value.iloc[:, 0], "a column instead of the table"),
                (pd.DataFrame(value), "the table without its metadata"), (value.to_dict("list"), "a dict")]
    elif isinstance(value, pd.Series):
        odd += [(value.to_frame(), "a one-column table"), (pd.concat([value, value], axis=1), "a table instead of a column"), (str(value.name), "a name instead of the series"),
                (value.iloc[0:0], "an empty series"), (value.tolist(), "a list instead of a series"),
                (value.astype(str), "numbers as text")]
    elif name in YEARS and isinstance(value, (int, np.integer)):
        odd += [(str(value), "a year as text"), (float(value), "a year as a float"), (np.int64(value), "a numpy year"),
                (value + 0.5, "half a year"), (True, "a boolean"), (-value, "a negative year"), (10 * value, "a year far out"),
                ("nineteen", "a word")]
    elif name in RATES:
        odd += [(value * 100, "a rate in percent"), (f"{value * 100:g}%", "a rate as '5%'"), (math.nan, "NaN"), (-2.0, "a fall of 200%"),
                (str(value), "a rate as text")]
    elif isinstance(value, str):
        odd += [(value.upper(), "in capitals"), (value + "x", "misspelt"), ("", "empty text"),
                (3, "a small number" if len(value) == 10 and value[4] == "-" else "a number instead of text"),
                ([value], "a list of one")]
        if len(value) == 10 and value[4] == "-":  # a date
            odd += [(value[:4], "a date's year only"), (value[:7], "a month"), (int(value[:4]), "a date's year as a number"), (3, "a small number"),
                    (value[8:] + "/" + value[5:7] + "/" + value[:4], "day/month/year")]
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        odd += [(str(value), "a number as text"), (math.nan, "NaN"), (-value, "negated"), (0, "zero"), (math.inf, "infinite")]
    elif isinstance(value, pd.Timestamp):
        odd += [(pd.NaT, "NaT"), ("1957-11-18", "text"), ("18/11/1957", "day/month/year")]
    elif isinstance(value, tuple):
        odd += [(value[::-1], "reversed"), (value[:1], "too short"), ("1954-10-01", "a single date")]
    return odd


# --------------------------------------------------------------------------- running one call


def outcome(call: Call) -> tuple[str, Any]:
    """('ok', result), ('refused', message) for an AnalysisError, or ('raw', 'ExceptionType: message')."""
    try:
        return "ok", call.run()
    except AnalysisError as err:
        return "refused", str(err)
    except Exception as err:  # noqa: BLE001 - the point is to find these
        return "raw", f"{type(err).__name__}: {err}"


def same(a: Any, b: Any) -> bool:
    """Equal results: tables and series by value, named tuples and projections field by field."""
    try:
        if isinstance(a, (pd.DataFrame, pd.Series)):
            return a.equals(b)
        if isinstance(a, float) and isinstance(b, float):
            return (math.isnan(a) and math.isnan(b)) or a == b
        if isinstance(a, tuple) and isinstance(b, tuple):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
        if hasattr(a, "__dataclass_fields__"):
            return all(same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
        return bool(a == b)
    except Exception:  # noqa: BLE001
        return False


#: Kinds of odd input that mean the same as the right one, so the result must be the same.
EQUIVALENT = {"a one-column table", "a year as text", "a year as a float", "a numpy year", "the table without its metadata", "a rate as '5%'", "a number as text", "a rate as text"}
#: Kinds that can only be wrong: a result means a silent wrong answer.
NEVER_OK = {"None", "the wrong table", "a table's name instead of the table", "a column instead of the table", "a table instead of a column",
            "a name instead of the series", "half a year", "a boolean", "a rate in percent", "a fall of 200%", "a word", "a number instead of text",
            "missing argument", "numbers as text", "NaN", "infinite", "a dict", "a small number", "a reversed range"}


def judge(call: Call, kind: str, right: Any) -> str | None:
    """None if the call behaved; else what went wrong (a raw error, or a silent result where only a refusal is right)."""
    status, result = outcome(call)
    if status == "raw":
        return f"raw {result}"
    if status == "refused":
        if not result.strip() or len(result) < 15:
            return f"unclear message {result!r}"
        if kind in EQUIVALENT:
            return f"refused an equivalent input: {result}"
        return None
    if kind in NEVER_OK:
        return f"silent result for {kind}: {_short(result)}"
    if kind in EQUIVALENT and not same(result, right):
        return f"different result for {kind}: {_short(result)} instead of {_short(right)}"
    return None


def sweep() -> tuple[int, list[str]]:
    tried, problems = 0, []
    for call in right_calls():
        status, right = outcome(call)
        assert status == "ok", (call, right)
        for variant, kind in variants(call):
            tried += 1
            problem = judge(variant, kind, right)
            if problem:
                problems.append(f"{variant!r}: {problem}")
    return tried, problems


def figure_calls() -> list[Call]:
    """One right call per public figure function of the lesson widgets (each draws a matplotlib figure)."""
    from helpers.widgets import conference as wc
    from helpers.widgets import honeymoon as wh
    from helpers.widgets import race as wr
    from helpers.widgets import split as ws

    ev, out, tg, gr, to, de, pr = T("events"), T("industrial_output"), T("glf_targets"), T("china_grain_output"), T("conference_totals"), T("debates"), T("aided_projects")
    return [
        Call(wc.chronology_figure, (ev, "1957-06-01", "1957-12-31")), Call(wc.totals_figure, (to,)), Call(wc.positions_figure, (de,)),
        Call(wc.debate_summary, (de, "war_and_peace")), Call(wh.timeline_figure, (ev, "1953-01-01", "1958-06-30", "A title")),
        Call(wh.agreed_built_figure, (pr,)), Call(wh.series_figure, ("loans_rubles", wh.load_tables(), 1949, 1960)),
        Call(wr.race_figure, (out, "China-UK", 1957, 1972)), Call(wr.targets_figure, (tg, out)),
        Call(wr.race_timeline, (ev, ["mao_in_moscow_china_to_1957"], "A title")), Call(ws.draw_months, (ev, "1959-03")),
        Call(ws.decline_figure, (ev,)), Call(ws.claims_figure, (gr, out)),
    ]


def map_calls() -> list[Call]:
    """One right call per public function of helpers.maps (the two maps draw figures; the rest return tables or names)."""
    from helpers import maps

    pa, rg = T("conference_parties"), data.load("aided_projects_by_region")
    return [
        Call(maps.boundaries, ("boundaries_world_110m",)), Call(maps.regions_of, (rg,)),
        Call(maps.neighbours, (maps.world_1957(), "Mongolian People's Republic")), Call(maps.conference_categories, (pa,)),
        Call(maps.region_counts, (rg, "designed_by_early_1952")), Call(maps.conference_map, (pa,)),
        Call(maps.aided_projects_map, (rg, "designed_by_early_1952")),
    ]


def close_figures() -> None:
    import matplotlib.pyplot as plt

    plt.close("all")


def examples(n: int) -> int:
    """``n`` Hypothesis examples, times ``SWEEP_SCALE`` (e.g. ``SWEEP_SCALE=20`` for a long hunt; the suite runs with 1)."""
    import os

    return n * max(1, int(os.environ.get("SWEEP_SCALE", "1")))


# --------------------------------------------------------------------------- the rest of helpers: plots, maps, documents, glossary, data, dates, exercises

#: Tables whose columns hold counts, coordinates or years that cannot take some values: (column, odd value, kind).
IMPOSSIBLE = {
    "aided_projects_by_region": [("value", -5, "a negative count"), ("value", 0, "a zero count"), ("value", math.nan, "a missing count")],
    "border_places_1969": [("lat", 200.0, "a latitude beyond 90"), ("lon", math.nan, "a missing coordinate")],
    "gdp_per_capita": [("year", math.nan, "a missing year")],
    "events": [("date", pd.NaT, "a missing date")],
}
IMPOSSIBLE_KINDS = {kind for cells in IMPOSSIBLE.values() for _c, _v, kind in cells}
#: The functions that draw or count the impossible cells: for them a result is a silent wrong one. (Others, such as
#: dates.event_row, read other rows of the same table, or pass the cell through: a result is right.)
IMPOSSIBLE_MATTERS = {"line_chart", "timeline", "region_counts", "aided_projects_map", "border_map_1969"}
NEVER_OK |= {"a figure instead of axes", "text instead of axes", "an empty list of frames"}
#: Odd-looking inputs that are right for one function: (function, kind).
RIGHT_FOR = {("shade_period", "half a year"),  # on a year axis, 1950.5 is the middle of 1950
             ("table", "a column instead of the table"),  # plots.table shows a Series as well
             ("normalise", "a number instead of text")}  # glossary.normalise folds whatever it is given, as text


def _impossible(value: pd.DataFrame) -> list[tuple[Any, str]]:
    """``value`` with one impossible cell in its first row (a count of -5 or 0, NaN years, a latitude of 200)."""
    out = []
    for column, odd, kind in IMPOSSIBLE.get(value.attrs.get("name"), []):
        if column in value.columns:
            changed = value.copy()
            if pd.isna(odd) and str(changed[column].dtype) in ("Int64", "Float64"):
                changed[column] = changed[column].astype("Float64")
                changed.loc[changed.index[0], column] = pd.NA
            else:
                if isinstance(odd, float) and str(changed[column].dtype) == "Int64":
                    changed[column] = changed[column].astype("Float64")
                changed.loc[changed.index[0], column] = odd
            out.append((changed, kind))
    return out


def _axes_odd(value: Any) -> list[tuple[Any, str]]:
    from matplotlib.axes import Axes

    if isinstance(value, Axes):
        return [(value.figure, "a figure instead of axes"), ("ax", "text instead of axes")]
    return []


def helper_variants(call: Call) -> list[tuple[Call, str]]:
    """:func:`variants`, plus impossible cells in tables and odd axes."""
    signature = inspect.signature(call.func)
    star = [p for p in signature.parameters.values() if p.kind == p.VAR_POSITIONAL]
    if star:  # f(*frames): each odd value in the first place, and no value at all
        first, rest = call.args[0], call.args[1:]
        return ([(Call(call.func, (odd, *rest), call.kwargs, f"{star[0].name}: {kind}"), kind) for odd, kind in _odd_values("", first, call.func)]
                + [(Call(call.func, (), call.kwargs, "no frames"), "an empty list of frames")])
    out = variants(call)
    bound = signature.bind(*call.args, **call.kwargs)
    for name, value in list(bound.arguments.items()):
        extra = _impossible(value) if isinstance(value, pd.DataFrame) else _axes_odd(value)
        for odd, kind in extra:
            changed = signature.bind(*call.args, **call.kwargs)
            changed.arguments[name] = odd
            out.append((Call(call.func, changed.args, changed.kwargs, f"{name}: {kind}"), kind))
    return out


def _axes(draw=None):
    """New axes (drawn on by ``draw`` if given), made when the sweep runs, so each call has its own."""
    from helpers import plots

    ax = plots.new_axes()
    if draw:
        draw(ax)
    return ax


class Fresh:
    """An argument made anew for every run of a call (axes are drawn on; a fresh one keeps calls independent)."""

    def __init__(self, make, label: str):
        self.make, self.label = make, label

    def __repr__(self) -> str:
        return self.label


def helper_calls() -> list[Call]:
    """One right call per public function of plots, maps, documents, glossary, data, dates and exercises, as lessons make them."""
    import json as _json
    import tempfile
    from pathlib import Path

    from helpers import dates, documents, glossary, maps, plots
    from helpers import exercises as ex

    ev, gdp, pa, pl = T("events"), data.load("gdp_per_capita"), T("conference_parties"), data.load("border_places_1969")
    rg = data.load("aided_projects_by_region")

    def drawn():
        ax = plots.timeline(T("events"), "1955-01-01", "1958-12-31", labels=False, title="Events")
        return ax

    bank = Path(tempfile.mkdtemp()) / "lesson_99.json"
    spec = {"kind": "integer", "hint": "Look at the table.", "salt": "00", "hashes": [ex.answer_hash("00", "9.1", "1957")]}
    bank.write_text(_json.dumps({"9.1": spec}), encoding="utf-8")
    calls = [
        Call(plots.line_chart, (gdp, "year", "value"), {"by": "country", "title": "GDP per head"}),
        Call(plots.timeline, (ev, "1949-01-01", "1960-12-31"), {"labels": False, "title": "Sino-Soviet relations"}),
        Call(plots.shade_period, (Fresh(_axes, "<axes>"), 1950, 1958, "alliance"), {"dates": False}),
        Call(plots.finish, (Fresh(drawn, "<timeline>"), "Source: events", "A timeline of events.")),
        Call(plots.describe, (Fresh(drawn, "<timeline>"),)), Call(plots.sources, (Fresh(drawn, "<timeline>"),)),
        Call(plots.show, (Fresh(drawn, "<timeline>"),)), Call(plots.figure_bundle, (Fresh(drawn, "<timeline>"),)),
        Call(plots.year_axis, (Fresh(drawn, "<timeline>"),)), Call(plots.new_axes, ()),
        Call(plots.source_note, (ev,)), Call(plots.short_source, (plots.source_note(ev),)), Call(plots.latin, ("Mao Zedong 毛泽东",)),
        Call(plots.table, (data.datasets(),), {"index": False}),
        Call(maps.boundaries, ("boundaries_world_110m",)), Call(maps.regions_of, (rg,)),
        Call(maps.neighbours, (maps.world_1957(), "Mongolian People's Republic")), Call(maps.conference_categories, (pa,)),
        Call(maps.region_counts, (rg, "designed_by_early_1952")), Call(maps.conference_map, (pa,)),
        Call(maps.aided_projects_map, (rg, "designed_by_early_1952")), Call(maps.border_map_1969, (pl,)),
        Call(documents.card, ("treaty_1950_preamble",)), Call(documents.compare, ("khrushchev_1956_parliamentary_road", "moscow_declaration_1957_transition")),
        Call(documents.event_documents, (ev,)), Call(documents.get, ("treaty_1950_preamble",)), Call(documents.line, ("treaty_1950_preamble", 2)),
        Call(documents.lines, ("treaty_1950_preamble",)), Call(documents.listing, (), {"lesson": 2, "speaker": "Mao", "kind": "speech"}),
        Call(glossary.get, ("revisionism",)), Call(glossary.term, ("revisionism",)), Call(glossary.terms, (), {"lesson": 2}),
        Call(glossary.normalise, ("Long Live Leninism",)),
        Call(glossary.key_terms, ([{"cell_type": "markdown", "metadata": {"tags": ["key-terms"]}, "source": "**Key terms:** revisionism, paper tiger"}],)),
        Call(data.load, ("events",)), Call(data.cite, ("events",)), Call(data.bibliography, ()), Call(data.datasets, ()),
        Call(dates.event_row, (ev, "mao_in_moscow_china_to_1957")),
        Call(dates.days_between, (ev, "khrushchev_visit_1958", "jinmen_shelling_1958")),
        Call(dates.window, (("1956", "1957"),)), Call(dates.between, (ev["date"], ("1956", "1957"))),
        Call(ex.check, ("9.1", 1957), {"bank_path": bank}), Call(ex.judge, ("9.1", 1957, spec)), Call(ex.grade, ("9.1", 1957, spec)),
        Call(ex.known_questions, (), {"bank_path": bank}), Call(ex.answer_forms, ("integer", 1957, spec)), Call(ex.fold_text, ("Máo",)),
        Call(ex.register, ("9.2", 1958, "integer", "Look again."), {"bank_path": bank}),
    ]
    if hasattr(data, "verify"):
        calls.append(Call(data.verify, ("events",)))
    from helpers import widgets
    from helpers.widgets import documents as wd

    return calls + figure_calls() + [Call(widgets.timeline_explorer, (ev,)), Call(wd.document_explorer, (ev, "treaty_1950"))]


def run_fresh(call: Call) -> Call:
    """``call`` with its :class:`Fresh` arguments made."""
    make = lambda v: v.make() if isinstance(v, Fresh) else v  # noqa: E731
    return Call(call.func, tuple(make(a) for a in call.args), {k: make(v) for k, v in call.kwargs.items()}, call.label)


def helper_outcome(call: Call) -> tuple[str, Any]:
    """As :func:`outcome`, for every helper: any :class:`~helpers.errors.LessonError` is the clear refusal (and the
    AssertionError of ``exercises.grade``, nbgrader's way of failing a hidden test); an empty figure is a silent result."""
    import contextlib
    import io

    from matplotlib.axes import Axes

    from helpers.errors import LessonError
    from helpers.exercises import Feedback

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # plots.show and plots.table display; the sweep reads no output
            result = run_fresh(call).run()
    except LessonError as err:
        return "refused", str(err)
    except AssertionError as err:
        if call.func.__name__ == "grade":
            return "refused", str(err)
        return "raw", f"AssertionError: {err}"
    except Exception as err:  # noqa: BLE001 - the point is to find these
        return "raw", f"{type(err).__name__}: {str(err)[:200]}"
    if isinstance(result, Feedback) and result.correct is not True:  # check() answers an odd input with its feedback, by design
        return "refused", str(result)
    if isinstance(result, Axes) and call.func.__name__ != "new_axes" and not any(a.has_data() for a in result.figure.axes):
        return "empty", result
    return "ok", result


def helper_judge(call: Call, kind: str) -> str | None:
    status, result = helper_outcome(call)
    if status == "raw":
        return f"raw {result}"
    if status == "empty":
        return f"silent empty figure for {kind}"
    if status == "refused":
        return f"unclear message {result!r}" if len(result.strip()) < 15 else None
    name = call.func.__name__
    if (name, kind) in RIGHT_FOR:
        return None
    if kind in IMPOSSIBLE_KINDS:
        return f"silent result for {kind}: {_short(result)}" if name in IMPOSSIBLE_MATTERS else None
    if kind in NEVER_OK:
        return f"silent result for {kind}: {_short(result)}"
    return None


def helper_sweep() -> tuple[int, list[str]]:
    """Every variant of every helper call: (how many were tried, the problems)."""
    tried, problems = 0, []
    for call in helper_calls():
        status, right = helper_outcome(call)
        if status != "ok":
            problems.append(f"{call!r}: the right call gives {status} {right}")
        for variant, kind in helper_variants(call):
            if kind in EQUIVALENT:
                continue
            tried += 1
            problem = helper_judge(variant, kind)
            close_figures()
            if problem:
                problems.append(f"{variant!r}: {problem}")
    return tried, problems


def _main() -> None:
    import sys

    which = sys.argv[1] if len(sys.argv) > 1 else "analysis"
    tried, problems = helper_sweep() if which == "helpers" else sweep()
    print("\n".join(problems))
    raw = sum(" raw " in p or ": raw " in p for p in problems)
    print(f"{which}: {tried} inputs tried, {len(problems)} problems ({raw} raw tracebacks)", file=sys.stderr)


if __name__ == "__main__":
    import matplotlib

    matplotlib.use("Agg")
    _main()
