"""Lesson 3, the economic race: steel series, pledge arithmetic, crossings and projections.

Pure functions (no plotting, no widgets, no I/O). They take the tables that
``helpers.data.load`` returns and build on the generic growth functions of
:mod:`helpers.analysis` (``cagr``, ``required_growth``, ``growth_between``,
``first_year_exceeds``, ``years_to_overtake``).

>>> import pandas as pd
>>> chaser = pd.Series([1.0, 2.0, 4.0, 3.0, 8.0], index=range(1960, 1965))
>>> leader = pd.Series([3.0, 3.0, 3.0, 3.5, 3.5], index=range(1960, 1965))
>>> first_year_ahead(chaser, leader), stays_ahead_from(chaser, leader)
(1962, 1964)
>>> round(achieved_growth(chaser, 1960, 1962), 4)
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from helpers.analysis import (
    AnalysisError,
    Overtake,
    first_year_exceeds,
    growth_between,
    guard_module,
    plain,
    required_growth,
    years_to_overtake,
)

__all__ = [
    "PAIRS",
    "DEFAULT_SERIES",
    "MIN_RATE",
    "MAX_SIM_RATE",
    "steel_series",
    "race_table",
    "pledge_deadline",
    "required_rate",
    "achieved_growth",
    "first_year_ahead",
    "stays_ahead_from",
    "lead_changes",
    "default_rate",
    "Projection",
    "project_race",
    "tons_to",
    "TON_KG",
]

#: The two races of 1957: chaser first, leader second.
PAIRS: dict[str, tuple[str, str]] = {"China-UK": ("China", "UK"), "USSR-USA": ("USSR", "USA")}

#: The series used for each country's line: China's is the post-1979 revised official series.
DEFAULT_SERIES: dict[str, str] = {"China": "revised_official", "USSR": "official", "UK": "official", "USA": "official"}

#: The simulator refuses rates outside this range (fractions per year): a fall of half or more
#: every year, or more than doubling every year, is not a race any economy has run for long.
MIN_RATE = -0.5
MAX_SIM_RATE = 1.0

#: Kilograms in one ton of each kind (definitions, not historical figures).
TON_KG: dict[str, float] = {"metric": 1000.0, "long": 1016.0469088, "short": 907.18474}


# --------------------------------------------------------------------------- series


def steel_series(output: pd.DataFrame, country: str, series: str | None = None) -> pd.Series:
    """A country's steel output as a Series indexed by year (thousand metric tons).

    Parameters
    ----------
    output : DataFrame
        ``load("industrial_output")``.
    country : str
        "China", "USSR", "UK" or "USA".
    series : str, optional
        Which series: by default ``revised_official`` for China and ``official`` for the others
        (see :data:`DEFAULT_SERIES`). China's 1958 claim is ``official_claim``.

    Examples
    --------
    >>> from helpers.data import load
    >>> int(steel_series(load("industrial_output"), "UK").loc[1957])
    22047
    """
    needed = {"country", "product", "series", "year", "value"}
    if not isinstance(output, pd.DataFrame) or not needed <= set(output.columns):
        raise AnalysisError("steel_series needs the industrial_output table: pass load('industrial_output').")
    # Masks on a plain view: pandas copies the table's metadata (``attrs``) into every
    # intermediate frame, which made this function, called at every redraw of the
    # simulator, several times slower than the work itself.
    frame = plain(output)

    def matches(column: str, value: str):
        return frame[column].eq(value).to_numpy(dtype=bool, na_value=False)

    steel = matches("product", "steel")
    countries = sorted({c for c in frame["country"].to_numpy(dtype=object)[steel] if isinstance(c, str)})
    if country not in countries:
        raise AnalysisError(f"No steel figures for '{country}'. The countries are: {', '.join(countries)}.")
    rows = steel & matches("country", country)
    label = series if series is not None else DEFAULT_SERIES.get(country, "official")
    have = sorted({s for s in frame["series"].to_numpy(dtype=object)[rows] if isinstance(s, str)})
    if label not in have:
        raise AnalysisError(f"No '{label}' steel series for {country}. Its series are: {', '.join(have)}.")
    rows &= matches("series", label)
    years = frame["year"].to_numpy(dtype=object)[rows].astype(int)
    values = frame["value"].to_numpy(dtype=object)[rows].astype(float)
    result = pd.Series(values, index=years, name=country)
    result.index.name = "year"
    return result.sort_index()


def race_table(output: pd.DataFrame, pair: str) -> pd.DataFrame:
    """Both sides of a race in one table: a column per country, one row per year present in both.

    >>> from helpers.data import load
    >>> race_table(load("industrial_output"), "USSR-USA").loc[1957].tolist()
    [51176.0, 102253.0]
    """
    chaser, leader = _pair(pair)
    table = pd.concat([steel_series(output, chaser), steel_series(output, leader)], axis=1, join="inner")
    return table.sort_index()


def _pair(pair: str) -> tuple[str, str]:
    if pair not in PAIRS:
        raise AnalysisError(f"Unknown race '{pair}'. Choose one of: {', '.join(PAIRS)}.")
    return PAIRS[pair]


def pledge_deadline(targets: pd.DataFrame) -> tuple[int, int]:
    """The year of Mao's Moscow pledge and its deadline, read from ``load("glf_targets")``.

    It is the steel target Mao set in his speech in Moscow: ``(year set, target year)``.

    >>> from helpers.data import load
    >>> pledge_deadline(load("glf_targets"))
    (1957, 1972)
    """
    rows = targets[(targets["product"] == "steel") & targets["set_by"].str.contains("Moscow", na=False)]
    if rows.empty:
        raise AnalysisError("No steel target set in Moscow in this table: pass load('glf_targets').")
    row = rows.sort_values("set_when").iloc[0]
    return int(pd.Timestamp(row["set_when"]).year), int(row["target_year"])


# --------------------------------------------------------------------------- growth and crossings


def _value(series: pd.Series, year: int) -> float:
    if year not in series.index:
        have = f"{int(series.index.min())}-{int(series.index.max())}" if len(series) else "no years"
        raise AnalysisError(f"No {series.name or ''} figure for {year}; the series covers {have}.".replace("No  ", "No "))
    return float(series.loc[year])


def required_rate(series: pd.Series, start_year: int, target: float, deadline: int) -> float:
    """Growth a year (fraction) needed to go from the ``start_year`` figure to ``target`` by ``deadline``.

    >>> s = pd.Series({1960: 100.0})
    >>> round(required_rate(s, 1960, 200, 1970), 4)
    0.0718
    """
    return required_growth(_value(series, start_year), target, deadline - start_year)


def achieved_growth(series: pd.Series, start: int, end: int) -> float:
    """Compound growth a year (fraction) actually achieved between two years of ``series``.

    >>> round(achieved_growth(pd.Series({1950: 100.0, 1955: 200.0}), 1950, 1955), 4)
    0.1487
    """
    return growth_between(series, start, end)


def first_year_ahead(chaser: pd.Series, leader: pd.Series, since: int | None = None) -> int | None:
    """The first year (from ``since`` on, if given) in which ``chaser`` is above ``leader``; None if never.

    >>> first_year_ahead(pd.Series({1: 1.0, 2: 3.0, 3: 1.0}), pd.Series({1: 2.0, 2: 2.0, 3: 2.0}))
    2
    """
    if since is not None:
        chaser = chaser[chaser.index >= since]
    return first_year_exceeds(chaser, leader)


def stays_ahead_from(chaser: pd.Series, leader: pd.Series) -> int | None:
    """The year from which ``chaser`` is above ``leader`` in every later year of the data; None if not ahead at the end.

    >>> a, b = pd.Series({1: 3.0, 2: 1.0, 3: 3.0, 4: 4.0}), pd.Series({1: 2.0, 2: 2.0, 3: 2.0, 4: 2.0})
    >>> stays_ahead_from(a, b)
    3
    """
    both = pd.concat([chaser.rename("a"), leader.rename("b")], axis=1, join="inner").dropna().sort_index()
    if both.empty:
        raise AnalysisError("The two series have no year in common.")
    ahead = (both["a"] > both["b"]).to_numpy()
    if not ahead[-1]:
        return None
    start = len(ahead) - 1
    while start > 0 and ahead[start - 1]:
        start -= 1
    return int(both.index[start])


def lead_changes(chaser: pd.Series, leader: pd.Series) -> pd.DataFrame:
    """Every year in which the lead changed hands: ``year``, ``ahead`` (who leads from then), both values.

    >>> a, b = pd.Series({1: 1.0, 2: 3.0, 3: 1.0}, name="A"), pd.Series({1: 2.0, 2: 2.0, 3: 2.0}, name="B")
    >>> lead_changes(a, b)["ahead"].tolist()
    ['A', 'B']
    """
    a_name, b_name = chaser.name or "chaser", leader.name or "leader"
    both = pd.concat([chaser.rename("a"), leader.rename("b")], axis=1, join="inner").dropna().sort_index()
    ahead = both["a"] > both["b"]
    changed = ahead.ne(ahead.shift()) & ahead.shift().notna()
    rows = both[changed]
    return pd.DataFrame(
        {
            "year": rows.index.astype(int),
            "ahead": [a_name if flag else b_name for flag in ahead[changed]],
            str(a_name): rows["a"].to_numpy(),
            str(b_name): rows["b"].to_numpy(),
        }
    ).reset_index(drop=True)


def default_rate(series: pd.Series, start_year: int, window: int = 5) -> float:
    """The growth a year actually achieved in the ``window`` years before ``start_year``.

    >>> round(default_rate(pd.Series({1950: 100.0, 1955: 200.0}), 1955), 4)
    0.1487
    """
    if window <= 0:
        raise AnalysisError(f"The window must be at least one year, got {window}.")
    first = start_year - window
    if first not in series.index:
        lo = int(series.index.min()) if len(series) else None
        raise AnalysisError(
            f"No {series.name or ''} figure for {first}, {window} years before {start_year}; "
            f"choose a start year from {lo + window if lo is not None else '?'} on.".replace("No  ", "No ")
        )
    return achieved_growth(series, first, start_year)


# --------------------------------------------------------------------------- projection


def _sim_rate(who: str, rate: float, *, must_grow: bool) -> float:
    try:
        value = float(rate)
    except (TypeError, ValueError):
        raise AnalysisError(f"{who}'s growth rate must be a number such as 0.05 for 5% a year, got {rate!r}.") from None
    if math.isnan(value):
        raise AnalysisError(f"{who}'s growth rate is missing (NaN).")
    if value > MAX_SIM_RATE:
        raise AnalysisError(
            f"{who} at {value:.0%} a year is absurd: no steel industry has grown that fast for years on end. "
            f"Choose a rate up to {MAX_SIM_RATE:.0%}."
        )
    if value < MIN_RATE:
        raise AnalysisError(f"{who} at {value:.0%} a year would all but vanish within a few years. Choose a rate above {MIN_RATE:.0%}.")
    if must_grow and value <= 0:
        raise AnalysisError(
            f"{who} at {value:.1%} a year never grows, so it cannot overtake anyone who keeps producing. "
            "Give the chaser a growth rate above zero."
        )
    return value


def _the(country: str) -> str:
    return f"the {country}" if country in ("UK", "USA", "USSR") else country


@dataclass(frozen=True)
class Projection:
    """The result of :func:`project_race`.

    ``paths`` is a DataFrame indexed by year (from the start year to ``end_year``) with one column
    per country; ``overtake`` is the :class:`helpers.analysis.Overtake` of the projection;
    ``actual`` is the first year from the start year on in which the chaser really was ahead.
    """

    pair: str
    chaser: str
    leader: str
    start_year: int
    chaser_rate: float
    leader_rate: float
    paths: pd.DataFrame
    overtake: Overtake
    deadline: int | None
    actual: int | None

    @property
    def summary(self) -> str:
        """One line: the rates, the projected crossing, the deadline and what really happened."""
        head = f"{self.chaser} at {self.chaser_rate:.1%}/yr vs {self.leader} at {self.leader_rate:.1%}/yr from {self.start_year}: "
        o = self.overtake
        if o.years == 0:
            body = f"already ahead in {self.start_year}"
        elif o.years is None and o.reason.startswith("never"):
            pace = "no faster than" if self.chaser_rate == self.leader_rate else "more slowly than"
            body = f"never overtakes ({_the(self.chaser)} grows {pace} {_the(self.leader)})"
        elif o.years is None:
            body = f"does not overtake within {self.paths.attrs.get('horizon', '')} years".replace("within  years", "in time")
        else:
            body = f"projected to overtake in {o.year} ({o.years} year{'s' if o.years != 1 else ''})"
        if self.deadline is not None:
            body += f", deadline {self.deadline}"
        actual = self.actual if self.actual is not None else f"not ahead by {self.paths.attrs.get('data_end', 'the end of the data')}"
        body += f"; actual first year ahead: {actual}"
        return head + body


def project_race(
    output: pd.DataFrame,
    pair: str,
    start_year: int,
    chaser_rate: float,
    leader_rate: float,
    *,
    deadline: int | None = None,
    horizon: int = 100,
    end_year: int | None = None,
) -> Projection:
    """Project both sides of a race from ``start_year`` at constant growth rates.

    Parameters
    ----------
    output : DataFrame
        ``load("industrial_output")``.
    pair : str
        "China-UK" or "USSR-USA" (chaser first).
    start_year : int
        The year whose real output both paths start from; it must be in the data for both.
    chaser_rate, leader_rate : float
        Growth a year as fractions (0.05 = 5%). The chaser's must be above zero; both must lie
        between :data:`MIN_RATE` and :data:`MAX_SIM_RATE`.
    deadline : int, optional
        The pledge's deadline, reported in the summary.
    horizon : int
        Look this many years ahead for a crossing at most.
    end_year : int, optional
        Last year of the projected paths; by default the later of the deadline, the crossing
        and the last year of data, and never more than ``horizon`` years after the start.

    Examples
    --------
    >>> from helpers.data import load
    >>> p = project_race(load("industrial_output"), "China-UK", 1957, 0.19, 0.057, deadline=1972)
    >>> p.overtake.year, p.actual
    (1969, 1975)
    """
    chaser_name, leader_name = _pair(pair)
    table = race_table(output, pair)
    try:
        start = int(start_year)
    except (TypeError, ValueError):
        raise AnalysisError(f"The start year must be a year such as 1957, got {start_year!r}.") from None
    if start not in table.index:
        raise AnalysisError(
            f"No steel figures for both {chaser_name} and {leader_name} in {start}; "
            f"choose a start year from {int(table.index.min())} to {int(table.index.max())}."
        )
    g = _sim_rate(chaser_name, chaser_rate, must_grow=True)
    h = _sim_rate(leader_name, leader_rate, must_grow=False)
    a0, b0 = float(table.loc[start, chaser_name]), float(table.loc[start, leader_name])
    overtake = years_to_overtake(a0, g, b0, h, start_year=start, horizon=horizon)
    data_end = int(table.index.max())
    if end_year is None:
        candidates = [data_end, deadline or start, overtake.year or start]
        end_year = min(max(*candidates, start + 10), start + horizon)
    if end_year <= start:
        raise AnalysisError(f"The projection must end after its start year {start}, not in {end_year}.")
    years = pd.Index(range(start, end_year + 1), name="year")
    t = years - start
    paths = pd.DataFrame({chaser_name: a0 * (1 + g) ** t, leader_name: b0 * (1 + h) ** t}, index=years)
    paths.attrs["data_end"] = data_end
    paths.attrs["horizon"] = horizon
    actual = first_year_ahead(table[chaser_name], table[leader_name], since=start)
    return Projection(pair, chaser_name, leader_name, start, g, h, paths, overtake, deadline, actual)


# --------------------------------------------------------------------------- units


def tons_to(value_kt: float, unit: str) -> float:
    """Convert thousand metric tons to million tons of another kind ("long", "short" or "metric").

    >>> round(tons_to(1000, "long"), 3)
    0.984
    """
    if isinstance(value_kt, float) and math.isnan(value_kt):
        raise AnalysisError("The tonnage is missing (NaN): there is no figure for that year in the data.")
    if unit not in TON_KG:
        raise AnalysisError(f"Unknown ton '{unit}'. Choose one of: {', '.join(TON_KG)}.")
    return float(value_kt) * 1000 * 1000 / TON_KG[unit] / 1e6


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
