"""Lesson 4: helpers.analysis.split and the month-by-month explorer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from helpers import data
from helpers.analysis import AnalysisError
from helpers.analysis import split as S


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return data.load("events")


@pytest.fixture(scope="module")
def grain() -> pd.DataFrame:
    return data.load("china_grain_output")


@pytest.fixture(scope="module")
def steel() -> pd.DataFrame:
    return data.load("industrial_output")


@pytest.fixture(scope="module")
def withdrawal() -> pd.DataFrame:
    return data.load("split_withdrawal_1960")


def tiny_events() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "event_id": ["radio", "fleet", "shelling", "note", "sed", "conf"],
            "date": pd.to_datetime(["1958-01-01", "1958-07-21", "1958-08-23", "1960-07-16", "1960-07-18", "1960-11-01"]),
            "date_precision": ["year", "day", "day", "day", "day", "month"],
            "category": ["military_technology", "diplomacy", "crisis", "economy", "diplomacy", "party"],
            "title": ["Radio", "Fleet", "Shelling", "Note", "Letter", "Conference"],
            "contested": [False, True, False, True, False, True],
        }
    )


# --------------------------------------------------------------------------- months


@pytest.mark.parametrize("text", ["1960-07", "July 1960", "Jul 1960", " 1960-07 ", "1960-07-16"])
def test_to_month_reads_usual_forms(text):
    assert S.to_month(text) == pd.Period("1960-07", "M")


def test_to_month_accepts_timestamps_and_periods():
    assert S.to_month(pd.Timestamp("1958-08-23")) == pd.Period("1958-08", "M")
    assert S.to_month(pd.Period("1958-08-23", "D")) == pd.Period("1958-08", "M")


@pytest.mark.parametrize("bad, message", [("July", "Could not read 'July' as a month"), (1960, "A month is text such as '1960-07'")])
def test_to_month_refuses_with_a_message(bad, message):
    with pytest.raises(AnalysisError, match=message):
        S.to_month(bad)


def test_lesson_months_and_window():
    months = S.lesson_months()
    assert str(months[0]) == "1957-11" and str(months[-1]) == "1960-12" and len(months) == 38
    with pytest.raises(AnalysisError, match="The start month December 1960 is after the end month November 1957"):
        S.lesson_months("1960-12", "1957-11")
    assert S.month_in_range("1959-06") == pd.Period("1959-06", "M")
    with pytest.raises(AnalysisError, match="March 1962 is outside this lesson's months \\(November 1957 to December 1960\\)"):
        S.month_in_range("1962-03")


# --------------------------------------------------------------------------- events


def test_latest_date_follows_precision():
    latest = S.latest_date(tiny_events())
    assert latest.tolist()[0] == pd.Timestamp("1958-12-31")
    assert latest.tolist()[1] == pd.Timestamp("1958-07-21")
    assert latest.tolist()[5] == pd.Timestamp("1960-11-30")


def test_events_in_month_leaves_out_year_only_dates():
    ev = tiny_events()
    assert S.events_in_month(ev, "1960-07")["event_id"].tolist() == ["note", "sed"]
    assert S.events_in_month(ev, "1958-01").empty  # the radio proposal is dated only to 1958
    assert S.undated_in_year(ev, 1958)["event_id"].tolist() == ["radio"]


def test_cumulative_counts_count_only_what_certainly_happened():
    ev = tiny_events()
    early = S.cumulative_counts(ev, "1958-08", since="1958-01")
    assert early.to_dict() == {"diplomacy": 1, "party": 0, "economy": 0, "military_technology": 0, "crisis": 1}
    late = S.cumulative_counts(ev, "1958-12", since="1958-01")
    assert late["military_technology"] == 1  # known by the end of its year
    assert S.cumulative_counts(ev, "1960-11")["party"] == 1
    with pytest.raises(AnalysisError, match="The count starts in July 1960, after June 1960"):
        S.cumulative_counts(ev, "1960-06", since="1960-07")


def test_cumulative_counts_need_the_events_table():
    with pytest.raises(AnalysisError, match="needs the column\\(s\\) \\['date_precision', 'category'\\]"):
        S.cumulative_counts(pd.DataFrame({"date": []}), "1960-07")


def test_cumulative_table_matches_cumulative_counts(events):
    table = S.cumulative_table(events)
    assert len(table) == 38
    for month in ["1957-11", "1958-12", "1959-09", "1960-07", "1960-12"]:
        assert table.loc[pd.Period(month, "M")].to_dict() == S.cumulative_counts(events, month).to_dict()
    later = S.cumulative_table(events, "1959-01", "1959-12", since="1958-01")
    assert later.loc[pd.Period("1959-09", "M")].to_dict() == S.cumulative_counts(events, "1959-09", since="1958-01").to_dict()
    assert S.cumulative_table(tiny_events(), "1958-08", "1958-12", since="1958-01").loc[pd.Period("1958-12", "M"), "military_technology"] == 1
    with pytest.raises(AnalysisError, match="The count starts in July 1960, after June 1960"):
        S.cumulative_table(events, "1960-06", "1960-08", since="1960-07")


def test_analysis_leaves_the_loaded_table_alone(events):
    before = dict(events.attrs)
    S.cumulative_counts(events, "1960-07")
    S.month_summary(events, "1960-07")
    assert events.attrs == before and events.attrs  # the metadata stays on the caller's table


def test_monthly_counts_shape(events):
    table = S.monthly_counts(events)
    assert len(table) == 38 and list(table.columns[:2]) == ["diplomacy", "party"]
    assert table.loc[pd.Period("1960-07", "M")].sum() == len(S.events_in_month(events, "1960-07"))


def test_days_between_and_its_refusals():
    ev = tiny_events()
    assert S.days_between(ev, "note", "sed") == 2
    assert S.days_between(ev, "sed", "note") == -2
    with pytest.raises(AnalysisError, match="dated only to the month"):
        S.days_between(ev, "note", "conf")
    with pytest.raises(AnalysisError, match="There is no event with event_id 'notes'. Did you mean 'note'?"):
        S.days_between(ev, "notes", "sed")


def test_days_between_on_the_data(events):
    assert S.days_between(events, "experts_note_1960", "chen_yi_warning_1960") == 19


def test_month_summary(events):
    text = S.month_summary(events, "1960-07")
    assert text.startswith("July 1960: 2 events (16 Jul: Soviet note recalling all experts [date contested]; 18 Jul:")
    assert "since November 1957" in text
    assert "no events" in S.month_summary(events, "1960-01")
    with pytest.raises(AnalysisError, match="outside this lesson's months"):
        S.month_summary(events, "1957-10")


# --------------------------------------------------------------------------- claims and ranges


def test_grain_claims_vs_revised(grain):
    assert S.claim_ratio(grain, 1958) == pytest.approx(1.875)
    assert S.claim_ratio(grain, 1960, claim="official_statement_reported") == pytest.approx(200 / 143.5)
    table = S.grain_table(grain)
    assert S.percent_change(table.at[1958, "revised_official"], table.at[1960, "revised_official"]) == pytest.approx(-28.25)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"year": 1962}, "No grain figure for 1962; the table has 1957, 1958, 1959, 1960"),
        ({"year": 1957}, "There is no 'revised_official' figure for 1957"),
        ({"year": 1958, "claim": "claims"}, "There is no series 'claims'"),
    ],
)
def test_claim_ratio_refusals(grain, kwargs, message):
    with pytest.raises(AnalysisError, match=message):
        S.claim_ratio(grain, **kwargs)


@pytest.mark.parametrize("old, new, message", [(0, 5, "starting figure is 0"), ("x", 1, "needs two numbers"), (float("nan"), 1, "missing")])
def test_percent_change_refusals(old, new, message):
    with pytest.raises(AnalysisError, match=message):
        S.percent_change(old, new)


def test_count_range_never_averages(withdrawal):
    r = S.count_range(withdrawal, "scitech_projects_cancelled")
    assert (r.low, r.high, r.spread, r.n) == (257, 257, 0, 2)
    assert r.by_source == {"taubman1996": 257.0, "zhangwentian_nianpu;taubman1996": 257.0}
    wide = S.count_range(withdrawal, ["experts_recalled", "experts_in_china_at_recall", "experts_in_china_us_estimate_high"])
    assert (wide.low, wide.high) == (1390, 3000)
    assert "khrushchev1960 (experts_in_china_at_recall) 1,500" in wide.describe()


def test_count_range_refusals(withdrawal):
    with pytest.raises(AnalysisError, match="No measure called \\['contract_cancelled'\\]. Did you mean 'contracts_cancelled'?"):
        S.count_range(withdrawal, "contract_cancelled")
    with pytest.raises(AnalysisError, match="Name at least one measure"):
        S.count_range(withdrawal, [])


def test_year_indicators(grain, steel):
    rows = S.year_indicators(grain, steel, 1958)
    assert set(rows["indicator"]) == {"grain", "steel"}
    assert rows.loc[(rows["indicator"] == "grain") & (rows["series"] == "official_claim"), "value"].item() == 375
    assert S.year_indicators(grain, steel, 1940).empty


# --------------------------------------------------------------------------- widget


def test_month_stepper_steps_and_explains(events, grain, steel):
    from helpers.widgets.split import month_stepper

    explorer = month_stepper(events, grain, steel, month="1958-07")
    assert explorer.summary.startswith("July 1958: 3 events")  # Yudin, NASA, Khrushchev in Beijing
    text = explorer.set(month="1960-07")
    # 3 crises by July 1960: Jinmen, Longju, Kongka (China's public scaling-down of Aug 1959 is filed under economy)
    assert text.startswith("July 1960: 2 events") and "by then 3 crisis events" in text
    assert "grain revised official 143.5 Mt" in text
    assert explorer.slider.value == 32  # the slider follows the typed month
    explorer.slider.value = 0  # moving the slider redraws for that month
    assert explorer.summary.startswith("November 1957:")
    bad = explorer.set(month="1962-03")
    assert bad == "Cannot show this: March 1962 is outside this lesson's months (November 1957 to December 1960); choose a month in that range."
    assert explorer.ax is None
    assert explorer.set(month="July").startswith("Cannot show this: Could not read 'July' as a month")
    assert explorer.set(month="September 1959").startswith("September 1959: 5 events")


def test_month_stepper_reuses_its_figure(events, grain, steel):

    from helpers import plots
    from helpers.widgets.split import month_stepper

    explorer = month_stepper(events, grain, steel, month="1958-07")
    figure = explorer.ax.figure
    explorer.set(month="1960-07")
    assert explorer.ax.figure is figure  # recoloured, not drawn again
    assert not figure.texts  # the source goes under the image as text, nothing piles up in the figure
    assert "months after July 1960 are grey" in plots.describe(explorer.ax)
    explorer.set(month="1962-03")
    assert explorer.set(month="1959-08").startswith("August 1959:") and explorer.ax.figure is figure
    for i in range(24):  # its speed is measured by bench/run.py (widget response times), not asserted here
        assert explorer.set(month=f"{1958 + i // 12}-{i % 12 + 1:02d}") and explorer.ax.figure is figure


def test_claims_figure_draws_every_grain_series_once_and_one_colour_per_series(grain, steel):
    """Each figure in the grain table is a bar of its value; a series has the same colour in both panels."""
    from matplotlib.colors import to_hex

    from helpers.widgets import split as SW

    ax = SW.claims_figure(grain, steel)
    left, right = ax.figure.axes[:2]
    heights = sorted(round(p.get_height(), 3) for p in left.patches)
    assert heights == sorted(round(float(v), 3) for v in grain["value"]), "one bar per row of the grain table"
    labels = {t.get_text() for t in left.get_legend().get_texts()}
    assert {"official claim", "official revision 1959", "US intelligence estimate", "revised official"} <= labels
    colour = {}
    for panel in (left, right):
        for handle, text in zip(panel.get_legend().legend_handles, panel.get_legend().get_texts()):
            colour.setdefault(text.get_text(), set()).add(to_hex(handle.get_facecolor()))
    assert all(len(c) == 1 for c in colour.values()), f"a series drawn in two colours: {colour}"
    for bar in left.patches:  # no bar hides under the legend: the tallest stays below the legend's lowest line
        assert bar.get_height() < left.get_ylim()[1] * 0.62
