"""Lesson 1, the honeymoon of 1954-1957: loans, aided projects, people, trade and the timeline.

Pure functions on the tables loaded with :func:`helpers.data.load`. They never add figures
measured in different units: a sum or a growth rate is computed only inside one currency, one
unit and one source series, and anything else raises :class:`~helpers.analysis.AnalysisError`
with a message saying what to choose instead.

>>> from helpers import data
>>> from helpers.analysis import honeymoon as hm
>>> hm.loans_by_currency(data.load("soviet_loans")).index.tolist()  # doctest: +SKIP
['million US dollars', 'million rubles (pre-1961)']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import pandas as pd

from helpers import dates as dates_module
from helpers.analysis import AnalysisError, cagr, guard_module, keep_only, read_date

__all__ = [
    "HONEYMOON",
    "CATEGORIES",
    "FLOW_NAMES",
    "NOT_ACTUAL",
    "MILITARY_LOANS",
    "NOT_LOAN_AGREEMENTS",
    "year_fraction",
    "in_window",
    "events_between",
    "event_counts",
    "loan_agreements",
    "loans_by_currency",
    "loans_by_year",
    "share_of_items",
    "projects_by_agreement",
    "agreed_vs_built",
    "sector_shares",
    "people_counts",
    "spread",
    "trade_annual",
    "trade_growth",
    "TradeGrowth",
    "peak_year",
    "series_catalogue",
    "series_rows",
    "describe_rows",
]

#: The honeymoon as Shen (2020), ch. 13 n. 3 dates it (the same tuple as ``helpers.plots.HONEYMOON``).
HONEYMOON = ("1954-10-01", "1957-12-31", "honeymoon (Shen 2020)")

#: Timeline categories in the house order (the same keys as ``helpers.plots.CATEGORY_COLORS``).
CATEGORIES = ["diplomacy", "party", "economy", "military_technology", "crisis", "culture"]

#: Dated ruble loans whose stated purpose is explicitly military (soviet_loans.purpose).
MILITARY_LOANS = ("military_supplies_1951", "sixty_divisions_1952", "naval_equipment_1953", "special_military_1954")

#: Dated rows of soviet_loans that are not loan agreements (repayments).
NOT_LOAN_AGREEMENTS = ("cash_repayments_by_1958",)

RUBLES = "million rubles (pre-1961)"

#: Trade rows that are not actual trade (sino_soviet_trade.status): targets negotiated in advance, and forecasts.
NOT_ACTUAL = ("agreed_target", "forecast")

#: Readable names of the trade flows (sino_soviet_trade.flow).
FLOW_NAMES = {
    "total_turnover": "total turnover",
    "china_exports_to_ussr": "China's exports to the USSR",
    "china_imports_from_ussr": "China's imports from the USSR",
    "china_total_trade": "China's total trade",
    "ussr_share_of_china_total_trade": "USSR share of China's total trade",
    "agricultural_share_of_china_exports_to_ussr": "farm products' share of China's exports to the USSR",
    "china_purchases_for_ussr_from_third_countries": "China's purchases for the USSR from third countries",
}


# --------------------------------------------------------------------------- dates and the window


def year_fraction(date) -> float:
    """A date as a decimal year, for plotting on a year axis: 1 October 1954 -> about 1954.75.

    >>> round(year_fraction("1954-10-01"), 2)
    1954.75
    """
    stamp = read_date(date)
    return stamp.year + (stamp.day_of_year - 1) / 365.25


_window = dates_module.window  # helpers/dates.py


def in_window(dates: pd.Series, window: tuple = HONEYMOON) -> pd.Series:
    """True for each date inside ``window`` (both ends included); by default the honeymoon.

    >>> in_window(pd.Series(pd.to_datetime(["1954-10-12", "1958-07-31"]))).tolist()
    [True, False]
    """
    return dates_module.between(dates, window)


def events_between(events: pd.DataFrame, start: str = "1953-01-01", end: str = "1958-12-31") -> pd.DataFrame:
    """The events whose start date lies between ``start`` and ``end``, in date order.

    >>> events_between(events, "1956-01-01", "1956-12-31")["title"].iloc[0]  # doctest: +SKIP
    "Khrushchev's secret speech"
    """
    lo, hi = _window((start, end))
    part = events[(events["date"] >= lo) & (events["date"] <= hi)]
    return part.sort_values(["date", "event_id"] if "event_id" in part else ["date"])


def event_counts(events: pd.DataFrame, start: str = "1953-01-01", end: str = "1958-12-31") -> pd.DataFrame:
    """Events per year (rows) and category (columns) between two dates, with a ``total`` column.

    Every year of the range appears, even with no events, so a quiet year shows as zeros.

    >>> event_counts(events, "1956-01-01", "1956-12-31").loc[1956, "total"]  # doctest: +SKIP
    """
    part = events_between(events, start, end)
    lo, hi = _window((start, end))
    years = range(lo.year, hi.year + 1)
    unknown = sorted(set(part["category"]) - set(CATEGORIES))
    cats = CATEGORIES + unknown
    table = pd.crosstab(part["date"].dt.year, part["category"]).reindex(index=years, columns=cats, fill_value=0)
    table = table.loc[:, table.sum() > 0] if len(part) else table.iloc[:, :0]
    table.index.name, table.columns.name = "year", None
    table["total"] = table.sum(axis=1)
    return table.astype(int)


# --------------------------------------------------------------------------- loans


def loan_agreements(loans: pd.DataFrame) -> pd.DataFrame:
    """The dated loan agreements only: no undated estimates of totals, no repayments.

    >>> loan_agreements(data.load("soviet_loans"))["date"].notna().all()  # doctest: +SKIP
    True
    """
    dated = loans[loans["date"].notna() & ~loans["loan_item"].isin(NOT_LOAN_AGREEMENTS)]
    return dated.sort_values(["date", "loan_item"])


def loans_by_currency(loans: pd.DataFrame, start: str | None = None, end: str | None = None) -> pd.Series:
    """The dated loan agreements summed **within** each currency unit, never across them.

    ``start``/``end`` (dates) keep only the agreements signed in that window. The 1950 credit
    appears twice in the data, once in US dollars and once in old rubles; each currency's
    sum counts it once.

    >>> loans_by_currency(data.load("soviet_loans"))["million US dollars"]  # doctest: +SKIP
    300.0
    """
    rows = loan_agreements(loans)
    if start is not None or end is not None:
        lo, hi = _window((start or "1900-01-01", end or "2100-12-31"))
        rows = rows[(rows["date"] >= lo) & (rows["date"] <= hi)]
    if rows.empty:
        raise AnalysisError(f"No loan agreements were signed between {start} and {end}; the dated loans run from "
                            f"{loan_agreements(loans)['date'].min():%Y-%m-%d} to {loan_agreements(loans)['date'].max():%Y-%m-%d}.")
    sums = rows.groupby("unit")["amount"].sum().astype(float)
    sums.name = "amount"
    return sums.sort_index()


def loans_by_year(loans: pd.DataFrame, unit: str = RUBLES) -> pd.Series:
    """Dated loan agreements in one currency ``unit``, summed by year of signing.

    >>> loans_by_year(data.load("soviet_loans")).loc[1952]  # doctest: +SKIP
    1074.0
    """
    rows = loan_agreements(loans)
    rows = keep_only(rows, "unit", unit, f"No dated loans in {unit!r}; choose one of {{values}}. Never add sums in different currencies.")
    out = rows.groupby(rows["date"].dt.year)["amount"].sum().astype(float)
    out.index.name, out.name = "year", unit
    return out


def share_of_items(loans: pd.DataFrame, items: Iterable[str] = MILITARY_LOANS, unit: str = RUBLES) -> float:
    """The share (0 to 1) of the named loan items in all dated agreements of one currency.

    >>> share_of_items(data.load("soviet_loans"))  # a fraction from 0 to 1  # doctest: +SKIP
    """
    items = list(items)
    rows = loan_agreements(loans)
    rows = rows[rows["unit"] == unit]
    if rows.empty:
        raise AnalysisError(f"No dated loans in {unit!r}; the units are {sorted(loan_agreements(loans)['unit'].unique())}.")
    missing = sorted(set(items) - set(rows["loan_item"]))
    if missing:
        raise AnalysisError(f"No dated loan in {unit!r} called {missing}; the items are {sorted(rows['loan_item'])}.")
    return float(rows.loc[rows["loan_item"].isin(items), "amount"].sum() / rows["amount"].sum())


# --------------------------------------------------------------------------- aided projects


def projects_by_agreement(projects: pd.DataFrame, unit: str | None = "projects") -> pd.DataFrame:
    """Projects added by each agreement, one row per source, in date order.

    ``unit`` keeps one unit ("projects" or "enterprises"); None keeps both (then do not add them up).

    >>> projects_by_agreement(data.load("aided_projects"))["value"].tolist()  # doctest: +SKIP
    [50, 47, 91, 15]
    """
    rows = projects[projects["measure"] == "added_by_agreement"]
    if unit is not None:
        rows = keep_only(rows, "unit", unit, f"No agreement counts in {unit!r}; the units are {{values}}.")
    cols = ["reference_date", "agreement", "value", "unit", "status", "source_id", "source_pages"]
    return rows.sort_values(["reference_date", "source_id"])[cols].reset_index(drop=True)


AGREED_BUILT = ["cumulative_agreed", "final_list_deduplicated", "actually_constructed", "completed_or_basically_completed"]


def agreed_vs_built(projects: pd.DataFrame) -> pd.DataFrame:
    """The '156 projects' as agreed, de-duplicated, built and 'completed': one row per source, never merged.

    >>> agreed_vs_built(data.load("aided_projects"))["value"].tolist()  # doctest: +SKIP
    [156, 156, 154, 150, 154]
    """
    rows = projects[projects["measure"].isin(AGREED_BUILT) & (projects["sector"] == "all")].copy()
    rows["order"] = rows["measure"].map({m: n for n, m in enumerate(AGREED_BUILT)})
    rows = rows.sort_values(["order", "source_id"])
    return rows[["measure", "value", "unit", "status", "reference_date", "source_id", "source_pages"]].reset_index(drop=True)


def sector_shares(projects: pd.DataFrame, measure: str = "first_batch_by_sector", source_id: str | None = None) -> pd.Series:
    """Each sector's share (0 to 1) of one sector breakdown from one source.

    Two sources' breakdowns of the same projects (Garver and Hirata for the 156) count
    differently, so mixing them is refused: name the ``source_id``.

    >>> sector_shares(data.load("aided_projects"))["coal"]  # a fraction from 0 to 1  # doctest: +SKIP
    """
    rows = projects[(projects["measure"] == measure) & (projects["sector"] != "all")]
    if rows.empty:
        have = sorted(projects.loc[projects["sector"] != "all", "measure"].unique())
        raise AnalysisError(f"No sector breakdown called {measure!r}; the breakdowns are {have}.")
    sources = sorted(rows["source_id"].unique())
    if source_id is None and len(sources) > 1:
        raise AnalysisError(f"The breakdown {measure!r} comes from {len(sources)} sources {sources} that count differently; "
                            "choose one with source_id=...")
    if source_id is not None:
        if source_id not in sources:
            raise AnalysisError(f"No {measure!r} rows from {source_id!r}; the sources are {sources}.")
        rows = rows[rows["source_id"] == source_id]
    if rows["unit"].nunique() > 1:
        raise AnalysisError(f"This breakdown mixes units {sorted(rows['unit'].unique())}; it cannot be turned into shares.")
    shares = rows.set_index("sector")["value"].astype(float)
    shares = shares / shares.sum()
    shares.name = "share"
    return shares.sort_values(ascending=False, kind="stable")


# --------------------------------------------------------------------------- people


def people_counts(people: pd.DataFrame, group: str, measure: str | None = "total_over_period", unit: str | None = None) -> pd.DataFrame:
    """The competing counts for one ``group`` (e.g. 'soviet_experts_in_china'), with the period as text.

    >>> people_counts(data.load("soviet_experts_chinese_students"), "soviet_experts_in_china")["value"].max()  # doctest: +SKIP
    20000
    """
    groups = sorted(people["group"].unique())
    if group not in groups:
        raise AnalysisError(f"No group called {group!r}; the groups are {groups}.")
    rows = people[people["group"] == group]
    if measure is not None:
        if measure not in set(rows["measure"]):
            raise AnalysisError(f"No {measure!r} counts for {group!r}; the measures are {sorted(rows['measure'].unique())}.")
        rows = rows[rows["measure"] == measure]
    if unit is not None:
        rows = rows[rows["unit"] == unit]
        if rows.empty:
            raise AnalysisError(f"No counts in {unit!r} for {group!r} and {measure!r}.")
    out = rows.assign(period=rows["period_start"].astype(str) + "–" + rows["period_end"].astype(str))
    cols = ["period", "measure", "value", "unit", "status", "source_id", "source_pages"]
    return out.sort_values(["period_start", "period_end", "value", "source_id"])[cols].reset_index(drop=True)


def spread(values: pd.Series) -> float:
    """Largest divided by smallest: how far apart competing counts are (1.0 = they agree).

    >>> round(spread(pd.Series([2000, 3000, 8000])), 2)
    4.0
    """
    numbers = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if len(numbers) < 2:
        raise AnalysisError(f"A spread needs at least two counts; got {len(numbers)}.")
    if (numbers <= 0).any():
        raise AnalysisError("Counts must be above zero to compare them as a ratio.")
    return float(numbers.max() / numbers.min())


# --------------------------------------------------------------------------- trade


def _annual(trade: pd.DataFrame, actual_only: bool = False) -> pd.DataFrame:
    rows = trade[trade["year_start"] == trade["year_end"]]
    if actual_only:
        rows = rows[~rows["status"].isin(NOT_ACTUAL)]
    return rows.rename(columns={"year_start": "year"})


def trade_annual(trade: pd.DataFrame, flow: str = "total_turnover", unit: str | None = None, series: str | None = None,
                 actual_only: bool = True) -> pd.DataFrame:
    """The single-year rows of one trade ``flow`` in **one** unit (and optionally one source series).

    Works on whatever annual rows the table holds. If the flow exists in several units,
    ``unit`` must be given: old rubles, new rubles, dollars, yuan and percentages never share an axis.
    ``actual_only`` (the default) leaves out targets agreed in advance and forecasts (status ``agreed_target``, ``forecast``).

    >>> trade_annual(data.load("sino_soviet_trade"), "total_turnover", unit="million rubles (pre-1961)")["year"].tolist()  # doctest: +SKIP
    [1950, 1957]
    """
    flows = sorted(trade["flow"].unique())
    if flow not in flows:
        raise AnalysisError(f"No trade flow called {flow!r}; the flows are {flows}.")
    rows = _annual(trade[trade["flow"] == flow], actual_only)
    if rows.empty:
        raise AnalysisError(f"The flow {flow!r} has no single-year figures of actual trade (only multi-year totals"
                            + (" or agreed targets and forecasts; pass actual_only=False to see those)." if actual_only else ")."))
    units = sorted(rows["unit"].unique())
    if unit is None:
        if len(units) > 1:
            raise AnalysisError(f"The flow {flow!r} is given in {len(units)} different units {units}: "
                                "choose one with unit=... (they cannot be compared without a conversion the data does not give).")
        unit = units[0]
    rows = keep_only(rows, "unit", unit, f"No single-year {flow!r} figures in {unit!r}; the units are {{values}}.")
    if series is not None:
        rows = keep_only(rows, "series", series, f"No {flow!r} figures in {unit!r} from series {series!r}; the series are {{values}}.")
    cols = ["year", "value", "unit", "series", "status", "source_id", "source_pages"]
    return rows.sort_values(["series", "year"])[cols].reset_index(drop=True)


class TradeGrowth(NamedTuple):
    """The answer of :func:`trade_growth`."""

    factor: float  # end value / start value
    rate: float  # compound annual growth rate, as a fraction
    unit: str
    series: str


def trade_growth(trade: pd.DataFrame, flow: str, start: int, end: int, series: str | None = None, unit: str | None = None,
                 actual_only: bool = True) -> TradeGrowth:
    """How many times a trade flow grew between two years, and at what yearly rate.

    Both figures must come from the same unit and source series; otherwise the function
    refuses and says why (a ratio of rubles to dollars, or of two differently compiled
    series, is not growth). ``actual_only`` (the default) leaves out agreed targets and forecasts.

    >>> trade_growth(data.load("sino_soviet_trade"), "total_turnover", 1950, 1957).factor  # doctest: +SKIP
    3.857142857142857
    """
    if start >= end:
        raise AnalysisError(f"The start year {start} must come before the end year {end}.")
    flows = sorted(trade["flow"].unique())
    if flow not in flows:
        raise AnalysisError(f"No trade flow called {flow!r}; the flows are {flows}.")
    rows = _annual(trade[trade["flow"] == flow], actual_only)
    if unit is not None:
        rows = rows[rows["unit"] == unit]
    if series is not None:
        rows = rows[rows["series"] == series]
    ends = {}
    for year in (start, end):
        found = rows[rows["year"] == year]
        if found.empty:
            have = sorted(rows["year"].unique().tolist())
            note = " (agreed targets and forecasts left out: pass actual_only=False to include them)" if actual_only and (trade["status"].isin(NOT_ACTUAL)).any() else ""
            raise AnalysisError(f"No single-year {flow!r} figure for {year}; the years with figures are {have}{note}.")
        ends[year] = found
    pairs = ends[start].merge(ends[end], on=["unit", "series"], suffixes=("_a", "_b"))
    if pairs.empty:
        a, b = ends[start].iloc[0], ends[end].iloc[0]
        if a["unit"] != b["unit"]:
            raise AnalysisError(f"Cannot compare {start} and {end}: the {start} figure is in {a['unit']!r} and the {end} figure in "
                                f"{b['unit']!r}. Different units cannot be divided into a growth factor; find both years in one unit.")
        raise AnalysisError(f"Cannot compare {start} and {end}: the figures come from different series ({a['series']!r}, {b['series']!r}), "
                            "which may be compiled differently; find both years in one series.")
    if len(pairs) > 1:
        options = [f"{r.series} ({r.unit})" for r in pairs.itertuples()]
        raise AnalysisError(f"Both years exist in several series/units {options}: choose one with series=... and unit=...")
    row = pairs.iloc[0]
    factor = float(row["value_b"]) / float(row["value_a"])
    return TradeGrowth(factor, cagr(row["value_a"], row["value_b"], end - start), str(row["unit"]), str(row["series"]))


def peak_year(series: pd.Series) -> int:
    """The year (index) with the largest value; the earliest such year when there is a tie.

    >>> peak_year(pd.Series({1955: 3.0, 1956: 5.0, 1957: 4.0}))
    1956
    """
    clean = pd.to_numeric(series, errors="coerce").dropna()
    if clean.empty:
        raise AnalysisError("There is no figure to find a peak in (the series is empty).")
    return int(clean[clean == clean.max()].index.min())


# --------------------------------------------------------------------------- one table for the explorer

_FIXED = {
    "loans_rubles": "Soviet loan agreements, million rubles (pre-1961)",
    "loans_dollars": "Soviet loan agreements, million US dollars",
    "projects": "Aided projects added by each agreement",
    "experts": "Soviet experts in China: competing totals",
    "students": "Chinese students and trainees in the USSR: competing totals",
}


def series_catalogue(trade: pd.DataFrame) -> dict[str, str]:
    """Label -> key of every series the explorer can show: the fixed ones, then each single-year
    trade flow in each unit present (so new annual trade rows appear on their own).

    >>> list(series_catalogue(data.load("sino_soviet_trade")))[0]  # doctest: +SKIP
    'Soviet loan agreements, million rubles (pre-1961)'
    """
    out = {label: key for key, label in _FIXED.items()}
    annual = _annual(trade)
    for (flow, unit), _ in annual.groupby(["flow", "unit"], sort=True):
        out[f"Trade: {FLOW_NAMES.get(flow, flow.replace('_', ' '))}, {unit}"] = f"trade|{flow}|{unit}"
    return out


_COLS = ["x", "x_end", "value", "unit", "label", "status", "source_id"]


def _check_years(start: int, end: int) -> None:
    for name, year in (("start", start), ("end", end)):
        if not isinstance(year, (int,)) or isinstance(year, bool):
            raise AnalysisError(f"The {name} year must be a whole number such as 1954, got {year!r}.")
    if start > end:
        raise AnalysisError(f"The start year {start} is after the end year {end}: choose a start before the end.")


def series_rows(key: str, *, loans: pd.DataFrame, projects: pd.DataFrame, people: pd.DataFrame, trade: pd.DataFrame,
                start: int = 1949, end: int = 1960) -> pd.DataFrame:
    """The figures of one explorer series between two years, in one shape for plotting.

    Columns: ``x`` and ``x_end`` (decimal years; equal for a dated figure, a span for a count
    over a period), ``value``, ``unit``, ``label``, ``status``, ``source_id``. A count over a
    period is kept when its period overlaps the chosen years.

    >>> rows = series_rows("loans_rubles", loans=loans, projects=projects, people=people, trade=trade, start=1954, end=1954)  # doctest: +SKIP
    """
    _check_years(start, end)
    lo, hi = float(start), float(end) + 1
    if key in ("loans_rubles", "loans_dollars"):
        unit = RUBLES if key == "loans_rubles" else "million US dollars"
        rows = loan_agreements(loans)
        rows = rows[rows["unit"] == unit]
        out = pd.DataFrame({"x": rows["date"].map(year_fraction), "value": rows["amount"].astype(float), "unit": unit,
                            "label": rows["loan_item"] + " (" + rows["date"].dt.strftime("%d %b %Y") + ")",
                            "status": rows["status"], "source_id": rows["source_id"]})
        out["x_end"] = out["x"]
    elif key == "projects":
        rows = projects_by_agreement(projects, unit=None)
        out = pd.DataFrame({"x": rows["reference_date"].map(year_fraction), "value": rows["value"].astype(float), "unit": rows["unit"],
                            "label": rows["agreement"] + " (" + rows["source_id"] + ")", "status": rows["status"], "source_id": rows["source_id"]})
        out["x_end"] = out["x"]
    elif key in ("experts", "students"):
        rows = people[people["measure"] == "total_over_period"]
        rows = rows[rows["group"] == "soviet_experts_in_china"] if key == "experts" else rows[rows["group"].str.startswith("chinese_")]
        out = pd.DataFrame({"x": rows["period_start"].astype(float), "x_end": rows["period_end"].astype(float) + 1,
                            "value": rows["value"].astype(float), "unit": rows["unit"],
                            "label": rows["group"].str.replace("_", " ") + ", " + rows["period_start"].astype(str) + "–" + rows["period_end"].astype(str) + " (" + rows["source_id"] + ")",
                            "status": rows["status"], "source_id": rows["source_id"]})
    elif key.startswith("trade|"):
        _, flow, unit = key.split("|", 2)
        rows = trade_annual(trade, flow, unit=unit, actual_only=False)
        out = pd.DataFrame({"x": rows["year"].astype(float) + 0.5, "value": rows["value"].astype(float), "unit": unit,
                            "label": rows["year"].astype(str) + " (" + rows["series"] + ")", "status": rows["status"], "source_id": rows["source_id"]})
        out["x_end"] = out["x"]
    else:
        raise AnalysisError(f"Unknown series {key!r}; the series are {sorted(_FIXED)} and 'trade|<flow>|<unit>'.")
    out = out[_COLS]
    shown = out[(out["x_end"] >= lo) & (out["x"] < hi)]
    if shown.empty:
        years = sorted({int(v) for v in out["x"]})
        raise AnalysisError(f"No figures between {start} and {end} for this series; it has figures starting in {years}. "
                            "Widen the range of years.")
    return shown.sort_values(["x", "x_end", "label"]).reset_index(drop=True)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def describe_rows(rows: pd.DataFrame, start: int, end: int, total: bool = False) -> str:
    """The numbers a figure of :func:`series_rows` shows, as plain text (for ``Explorer.summary``).

    ``total=True`` adds a sum per unit: use it only for figures that add up (loan agreements),
    never for competing counts of the same thing (projects per source, experts, students).

    >>> print(describe_rows(pd.DataFrame({"x": [1950.1], "x_end": [1950.1], "value": [300.0], "unit": ["million US dollars"],
    ...       "label": ["credit_1950_usd"], "status": ["reported"], "source_id": ["westad1998"]}), 1950, 1950))
    1 figure, 1950–1950:
    - credit_1950_usd: 300 million US dollars [reported]
    """
    lines = [f"{len(rows)} figure{'s' if len(rows) != 1 else ''}, {start}–{end}:"]
    lines += [f"- {r.label}: {_num(r.value)} {r.unit} [{r.status}]" for r in rows.itertuples()]
    if total:
        for unit, part in rows.groupby("unit", sort=True):
            lines.append(f"Sum in {unit}: {_num(part['value'].sum())}")
    return "\n".join(lines)


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
