"""Lesson 3 (the economic race): helpers.analysis.race and helpers.widgets.race."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from helpers import plots
from helpers.analysis import (
    AnalysisError,
    race,
)
from helpers.data import load


@pytest.fixture(scope="module")
def output() -> pd.DataFrame:
    return load("industrial_output")


@pytest.fixture(scope="module")
def targets() -> pd.DataFrame:
    return load("glf_targets")


@pytest.fixture(scope="module")
def steel(output) -> dict[str, pd.Series]:
    return {c: race.steel_series(output, c) for c in ("China", "UK", "USSR", "USA")}


# --------------------------------------------------------------------------- series


def test_steel_series_is_year_indexed_and_sorted(steel):
    china = steel["China"]
    assert china.name == "China" and china.index.name == "year"
    assert china.index.is_monotonic_increasing and china.index.min() == 1949 and china.index.max() == 1980
    assert china.loc[1957] == 5350.0 and steel["UK"].loc[1957] == 22047.0


def test_steel_series_other_series(output):
    claim = race.steel_series(output, "China", "official_claim")
    assert claim.to_dict() == {1958: 11000.0}


@pytest.mark.parametrize(
    "country, series, message",
    [
        ("Japan", None, "No steel figures for 'Japan'. The countries are: China, UK, USA, USSR."),
        ("UK", "official_claim", "No 'official_claim' steel series for UK. Its series are: official."),
    ],
)
def test_steel_series_bad_inputs(output, country, series, message):
    with pytest.raises(AnalysisError) as err:
        race.steel_series(output, country, series)
    assert str(err.value) == message


def test_steel_series_needs_the_right_table(targets):
    with pytest.raises(AnalysisError, match=re.escape("load('industrial_output')")):
        race.steel_series(targets, "China")


def test_steel_series_skips_rows_with_missing_labels(output):
    extra = pd.DataFrame({"country": [None, "China"], "product": ["steel", None], "series": ["official", "revised_official"], "year": [1990, 1991], "value": [1.0, 2.0]})
    padded = pd.concat([output, extra], ignore_index=True)
    assert race.steel_series(padded, "China").equals(race.steel_series(output, "China"))


def test_race_table_and_unknown_pair(output):
    table = race.race_table(output, "China-UK")
    assert list(table.columns) == ["China", "UK"] and len(table) == 32
    with pytest.raises(AnalysisError, match=re.escape("Unknown race 'China-USA'. Choose one of: China-UK, USSR-USA.")):
        race.race_table(output, "China-USA")


def test_pledge_deadline(targets):
    assert race.pledge_deadline(targets) == (1957, 1972)
    with pytest.raises(AnalysisError, match="No steel target set in Moscow"):
        race.pledge_deadline(targets[targets["product"] == "coal"])


# --------------------------------------------------------------------------- growth and crossings


def test_achieved_growth_first_five_year_plan(steel):
    assert race.achieved_growth(steel["China"], 1952, 1957) == pytest.approx(0.31725, abs=1e-5)
    assert race.achieved_growth(steel["UK"], 1952, 1957) == pytest.approx(0.05737, abs=1e-5)


def test_required_rate_reaches_the_target(steel):
    rate = race.required_rate(steel["China"], 1957, 40000, 1972)
    assert 5350 * (1 + rate) ** 15 == pytest.approx(40000)
    assert race.required_rate(steel["China"], 1957, steel["UK"].loc[1957], 1972) == pytest.approx(0.09901, abs=1e-5)


def test_required_rate_year_without_data(steel):
    with pytest.raises(AnalysisError) as err:
        race.required_rate(steel["China"], 1940, 40000, 1972)
    assert str(err.value) == "No China figure for 1940; the series covers 1949-1980."


def test_crossing_years(steel):
    assert race.first_year_ahead(steel["China"], steel["UK"]) == 1975
    assert race.stays_ahead_from(steel["China"], steel["UK"]) == 1977
    assert race.first_year_ahead(steel["USSR"], steel["USA"]) == 1971
    assert race.stays_ahead_from(steel["USSR"], steel["USA"]) == 1974
    assert race.first_year_ahead(steel["China"], steel["UK"], since=1976) == 1977
    assert race.first_year_ahead(steel["UK"], steel["USA"]) is None


def test_stays_ahead_none_when_behind_at_the_end_and_error_without_common_years():
    a, b = pd.Series({1: 3.0, 2: 1.0}), pd.Series({1: 2.0, 2: 2.0})
    assert race.stays_ahead_from(a, b) is None
    assert race.stays_ahead_from(pd.Series({1: 3.0, 2: 3.0}), b) == 1
    with pytest.raises(AnalysisError, match="no year in common"):
        race.stays_ahead_from(pd.Series({5: 1.0}), b)


def test_lead_changes_show_the_flip_back(steel):
    changes = race.lead_changes(steel["China"], steel["UK"])
    assert changes["year"].tolist() == [1975, 1976, 1977]
    assert changes["ahead"].tolist() == ["China", "UK", "China"]
    assert race.lead_changes(steel["USSR"], steel["USA"])["year"].tolist() == [1971, 1973, 1974]


def test_default_rate_and_its_errors(steel):
    assert race.default_rate(steel["China"], 1957) == pytest.approx(0.31725, abs=1e-5)
    with pytest.raises(AnalysisError) as err:
        race.default_rate(steel["China"], 1951)
    assert str(err.value) == "No China figure for 1946, 5 years before 1951; choose a start year from 1954 on."
    with pytest.raises(AnalysisError, match="at least one year"):
        race.default_rate(steel["China"], 1957, window=0)


# --------------------------------------------------------------------------- projection


def test_projection_matches_the_brief_example(output):
    p = race.project_race(output, "China-UK", 1957, 0.19, 0.057, deadline=1972)
    assert p.overtake.year == 1969 and p.overtake.years == 12 and p.actual == 1975
    assert p.summary == "China at 19.0%/yr vs UK at 5.7%/yr from 1957: projected to overtake in 1969 (12 years), deadline 1972; actual first year ahead: 1975"
    assert p.paths.index[0] == 1957 and p.paths.index[-1] == 1980
    assert p.paths.loc[1957, "China"] == 5350.0
    assert p.paths.loc[1958, "UK"] == pytest.approx(22047 * 1.057)
    # the path really crosses in the year the closed form says
    ahead = p.paths[p.paths["China"] > p.paths["UK"]]
    assert int(ahead.index[0]) == p.overtake.year


def test_projection_never_and_already_ahead(output):
    slow = race.project_race(output, "China-UK", 1957, 0.03, 0.057, deadline=1972)
    assert slow.overtake.years is None
    assert "never overtakes (China grows more slowly than the UK)" in slow.summary
    ahead = race.project_race(output, "USSR-USA", 1972, 0.04, 0.01, deadline=1972)
    assert ahead.summary.startswith("USSR at 4.0%/yr vs USA at 1.0%/yr from 1972: already ahead in 1972")


def test_projection_beyond_the_horizon(output):
    p = race.project_race(output, "China-UK", 1957, 0.011, 0.0, deadline=1972)
    assert "does not overtake within 100 years" in p.summary
    assert p.paths.index[-1] == 1980


@pytest.mark.parametrize(
    "chaser_rate, leader_rate, message",
    [
        (0.0, 0.05, "China at 0.0% a year never grows, so it cannot overtake anyone who keeps producing. Give the chaser a growth rate above zero."),
        (-0.05, 0.05, "China at -5.0% a year never grows"),
        (1.5, 0.05, "China at 150% a year is absurd: no steel industry has grown that fast for years on end. Choose a rate up to 100%."),
        (0.1, -0.9, "UK at -90% a year would all but vanish within a few years. Choose a rate above -50%."),
        ("fast", 0.05, "China's growth rate must be a number such as 0.05 for 5% a year, got 'fast'."),
        (float("nan"), 0.05, "China's growth rate is missing (NaN)."),
    ],
)
def test_projection_refuses_bad_rates(output, chaser_rate, leader_rate, message):
    with pytest.raises(AnalysisError) as err:
        race.project_race(output, "China-UK", 1957, chaser_rate, leader_rate)
    assert str(err.value).startswith(message)


def test_projection_start_year_without_data(output):
    with pytest.raises(AnalysisError) as err:
        race.project_race(output, "USSR-USA", 1940, 0.1, 0.05)
    assert str(err.value) == "No steel figures for both USSR and USA in 1940; choose a start year from 1949 to 1980."
    with pytest.raises(AnalysisError, match="(The start year must be|needs) a year such as 1957"):
        race.project_race(output, "USSR-USA", "soon", 0.1, 0.05)


def test_tons_to():
    assert race.tons_to(22047, "long") == pytest.approx(21.6988, abs=1e-4)
    assert race.tons_to(102253, "short") == pytest.approx(112.7146, abs=1e-4)
    assert race.tons_to(1000, "metric") == pytest.approx(1.0)
    with pytest.raises(AnalysisError, match="Unknown ton 'imperial'. Choose one of: metric, long, short."):
        race.tons_to(1, "imperial")


# --------------------------------------------------------------------------- figures and the explorer


def test_race_figure_alt_text_names_the_crossings(output):
    from helpers.widgets import race as wrace

    ax = wrace.race_figure(output, "China-UK", 1957, 1972, show_claim=True)
    text = plots.describe(ax)
    assert "China is first ahead in 1975, falls behind again, and is ahead for good from 1977" in text
    assert "hollow diamond marks the 1958 claim of 11.0 Mt" in text
    assert "Data: data/industrial_output.csv" in text
    matplotlib.pyplot.close(ax.figure)


def test_targets_figure(output, targets):
    from helpers.widgets import race as wrace

    ax = wrace.targets_figure(targets, output)
    text = plots.describe(ax)
    assert "The 1958 target was 10.7" in text and "claimed 1958: 11.0" in text and "1961" not in text.split("Source")[0]
    matplotlib.pyplot.close(ax.figure)
    with pytest.raises(ValueError, match="No steel targets"):
        wrace.targets_figure(targets, output, years=(1970,))


def test_projection_figure_has_a_light_log_axis(output):
    from matplotlib.ticker import NullLocator

    from helpers.widgets import race as wrace

    # China-UK spans more than two powers of ten: a tick at each power; USSR-USA less than one: 1-2-5 ticks.
    for pair, expected in (("China-UK", [1.0, 10.0]), ("USSR-USA", [50.0, 100.0, 200.0, 500.0])):
        projection = race.project_race(output, pair, 1957, 0.1, 0.03, deadline=1972)
        ax = wrace.projection_figure(projection, output)
        assert ax.get_yscale() == "log" and isinstance(ax.yaxis.get_minor_locator(), NullLocator)
        low, high = ax.get_ylim()
        ticks = [float(t) for t in ax.get_yticks() if low <= t <= high]
        assert ticks == expected
        matplotlib.pyplot.close(ax.figure)


def test_explorer_defaults_to_achieved_rates_and_resets_them(output):
    from helpers.widgets import race as wrace

    explorer = wrace.race_explorer(output, deadline=1972)
    assert explorer.summary == "China at 31.7%/yr vs UK at 5.7%/yr from 1957: projected to overtake in 1964 (7 years), deadline 1972; actual first year ahead: 1975"
    explorer.set(chaser_rate=19.0)
    assert explorer.summary.startswith("China at 19.0%/yr vs UK at 5.7%/yr from 1957: projected to overtake in 1969")
    summary = explorer.set(pair="USSR-USA")
    assert summary.startswith("USSR at 8.2%/yr vs USA at 3.9%/yr from 1957: projected to overtake in 1975")
    explorer.set(start_year=1960)
    assert explorer.values()["chaser_rate"] == pytest.approx(7.6)
    matplotlib.pyplot.close("all")


def test_explorer_shows_a_message_for_extreme_rates(output):
    from helpers.widgets import race as wrace

    explorer = wrace.race_explorer(output, deadline=1972)
    assert explorer.set(chaser_rate=0) == (
        "Cannot show this: China at 0.0% a year never grows, so it cannot overtake anyone who keeps producing. Give the chaser a growth rate above zero."
    )
    assert explorer.ax is None
    assert explorer.set(chaser_rate=150).startswith("Cannot show this: China at 150% a year is absurd")
    assert "Cannot show this" in explorer.message.value
    assert explorer.set(chaser_rate=10).startswith("China at 10.0%/yr")
    assert explorer.message.value == ""
    matplotlib.pyplot.close("all")


def test_race_timeline_numbers_the_events_and_refuses_unknown_ids():
    from helpers.widgets import race as wrace

    events = load("events")
    ids = ["mao_in_moscow_china_to_1957", "khrushchev_pledges_to_catch_up_1957", "beidaihe_1958"]
    ax = wrace.race_timeline(events, ids, "test")
    assert [t.get_text() for t in ax.texts] == ["1", "2", "3"]
    assert plots.describe(ax).startswith("Figure: Timeline of 3 events from May 1957 to August 1958")
    matplotlib.pyplot.close(ax.figure)
    with pytest.raises(ValueError, match=re.escape("No events with the ids ['no_such_event'] in this table.")):
        wrace.race_timeline(events, [*ids, "no_such_event"], "test")
