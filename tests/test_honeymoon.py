"""Lesson 1 (honeymoon): analysis functions on small hand-made tables and on the real data, and the explorer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from helpers import data
from helpers.analysis import AnalysisError
from helpers.analysis import honeymoon as hm

RUB, USD = "million rubles (pre-1961)", "million US dollars"


@pytest.fixture(scope="module")
def tables():
    from helpers.widgets import honeymoon as hw

    return hw.load_tables()


def trade_frame(rows):
    cols = ["year_start", "year_end", "flow", "value", "unit", "series", "status", "source_id", "source_pages"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


TRADE = trade_frame([
    (1950, 1950, "total_turnover", 100.0, RUB, "a", "reported", "s1", "p"),
    (1957, 1957, "total_turnover", 400.0, RUB, "a", "reported", "s1", "p"),
    (1969, 1970, "total_turnover", 50.0, USD, "c", "approximate", "s2", "p"),
    (1960, 1960, "total_turnover", 200.0, USD, "b", "reported", "s2", "p"),
    (1952, 1952, "ussr_share_of_china_total_trade", 53.4, "percent", "a", "reported", "s1", "p"),
])


# --------------------------------------------------------------------------- dates, window, events


def test_year_fraction_and_missing_date():
    assert hm.year_fraction("1954-01-01") == 1954.0
    assert hm.year_fraction("1954-10-01") == pytest.approx(1954.747, abs=1e-3)
    with pytest.raises(AnalysisError, match="The date is missing"):
        hm.year_fraction(pd.NaT)
    with pytest.raises(AnalysisError, match="Could not read 'soon' as a date"):
        hm.year_fraction("soon")


def test_in_window_default_is_the_honeymoon():
    dates = pd.Series(pd.to_datetime(["1954-09-30", "1954-10-01", "1957-12-31", "1958-01-01"]))
    assert hm.in_window(dates).tolist() == [False, True, True, False]
    with pytest.raises(AnalysisError, match=r"The window starts \(1958-01-01\) after it ends \(1954-01-01\): swap the two dates."):
        hm.in_window(dates, ("1958-01-01", "1954-01-01"))


def test_event_counts_fills_quiet_years_and_adds_total():
    ev = pd.DataFrame({"event_id": ["a", "b", "c"], "date": pd.to_datetime(["1953-03-05", "1953-05-15", "1955-05-01"]),
                       "category": ["party", "economy", "military_technology"]})
    table = hm.event_counts(ev, "1953-01-01", "1955-12-31")
    assert table.index.tolist() == [1953, 1954, 1955]
    assert table.columns.tolist() == ["party", "economy", "military_technology", "total"]
    assert table.loc[1954].tolist() == [0, 0, 0, 0]
    assert table["total"].tolist() == [2, 0, 1]


def test_event_counts_real_data_total_matches_rows(tables):
    events = data.load("events")
    table = hm.event_counts(events)
    assert table["total"].sum() == len(hm.events_between(events))
    with pytest.raises(AnalysisError, match="swap the two dates"):
        hm.event_counts(events, "1958-01-01", "1953-01-01")


# --------------------------------------------------------------------------- loans


def test_loans_summed_within_currency_only(tables):
    sums = hm.loans_by_currency(tables["loans"])
    assert sums[USD] == 430.0  # 1950 credit of US$300 million and 1954 credit of US$130 million
    assert sums[RUB] == pytest.approx(4706.3)
    assert "cash_repayments_by_1958" not in set(hm.loan_agreements(tables["loans"])["loan_item"])
    assert hm.loans_by_currency(tables["loans"], "1954-10-01", "1957-12-31").to_dict() == {USD: 130.0, RUB: 824.0}


def test_loans_in_an_empty_window_say_so(tables):
    with pytest.raises(AnalysisError, match="No loan agreements were signed between 1956-01-01 and 1957-12-31"):
        hm.loans_by_currency(tables["loans"], "1956-01-01", "1957-12-31")


def test_loans_by_year_and_peak(tables):
    by_year = hm.loans_by_year(tables["loans"])
    assert by_year.loc[1952] == pytest.approx(1074.0)
    assert hm.peak_year(by_year) == 1950
    with pytest.raises(AnalysisError, match=r"No dated loans in 'yen'; choose one of \['million US dollars', 'million rubles \(pre-1961\)'\]"):
        hm.loans_by_year(tables["loans"], "yen")


def test_military_share_and_unknown_item(tables):
    assert hm.share_of_items(tables["loans"]) == pytest.approx(3178 / 4706.3)
    with pytest.raises(AnalysisError, match=r"called \['tanks_1955'\]"):
        hm.share_of_items(tables["loans"], ["tanks_1955"])


def test_peak_year_ties_and_empty():
    assert hm.peak_year(pd.Series({1951: 5.0, 1950: 5.0, 1952: 1.0})) == 1950
    with pytest.raises(AnalysisError, match="the series is empty"):
        hm.peak_year(pd.Series(dtype=float))


# --------------------------------------------------------------------------- projects and people


def test_projects_by_agreement_keeps_sources_apart(tables):
    rows = hm.projects_by_agreement(tables["projects"])
    assert (rows["unit"] == "projects").all()
    assert sorted(rows.loc[rows["agreement"] == "1950_treaty_credit", "value"]) == [47, 50]
    with pytest.raises(AnalysisError, match="No agreement counts in 'factories'"):
        hm.projects_by_agreement(tables["projects"], unit="factories")


def test_agreed_vs_built_order(tables):
    rows = hm.agreed_vs_built(tables["projects"])
    assert rows["measure"].tolist()[0] == "cumulative_agreed"
    built = rows.loc[rows["measure"] == "actually_constructed", "value"].iloc[0]
    agreed = rows.loc[rows["measure"] == "cumulative_agreed", "value"].max()
    assert agreed - built == 6


def test_sector_shares_refuse_mixed_sources(tables):
    shares = hm.sector_shares(tables["projects"])
    assert shares.sum() == pytest.approx(1.0)
    assert shares["coal"] + shares["electric_power"] == pytest.approx(21 / 47)
    with pytest.raises(AnalysisError, match=r"comes from 2 sources \['garver2016', 'hirata2025'\] that count differently"):
        hm.sector_shares(tables["projects"], "key_projects_by_sector")
    assert hm.sector_shares(tables["projects"], "key_projects_by_sector", "hirata2025")["coal"] == pytest.approx(25 / 74)
    with pytest.raises(AnalysisError, match="No sector breakdown called 'by_colour'"):
        hm.sector_shares(tables["projects"], "by_colour")


def test_people_counts_and_spread(tables):
    experts = hm.people_counts(tables["people"], "soviet_experts_in_china", unit="persons")
    assert experts["period"].tolist()[0] == "1949–1960"
    assert hm.spread(experts["value"]) == pytest.approx(20000 / 5092)
    with pytest.raises(AnalysisError, match="No group called 'pandas'"):
        hm.people_counts(tables["people"], "pandas")
    with pytest.raises(AnalysisError, match="A spread needs at least two counts; got 1."):
        hm.spread(pd.Series([5]))


# --------------------------------------------------------------------------- trade


def test_trade_growth_same_series():
    result = hm.trade_growth(TRADE, "total_turnover", 1950, 1957)
    assert result.factor == 4.0
    assert result.rate == pytest.approx(4 ** (1 / 7) - 1)
    assert (result.unit, result.series) == (RUB, "a")


def test_trade_growth_refuses_mixed_units():
    with pytest.raises(AnalysisError) as err:
        hm.trade_growth(TRADE, "total_turnover", 1950, 1960)
    assert str(err.value) == (
        "Cannot compare 1950 and 1960: the 1950 figure is in 'million rubles (pre-1961)' and the 1960 figure in "
        "'million US dollars'. Different units cannot be divided into a growth factor; find both years in one unit."
    )


def test_trade_growth_missing_year_and_back_to_front():
    with pytest.raises(AnalysisError, match=r"No single-year 'total_turnover' figure for 1955; the years with figures are \[1950, 1957, 1960\]"):
        hm.trade_growth(TRADE, "total_turnover", 1950, 1955)
    with pytest.raises(AnalysisError, match="The start year 1957 must come before the end year 1950."):
        hm.trade_growth(TRADE, "total_turnover", 1957, 1950)
    with pytest.raises(AnalysisError, match="No trade flow called 'tea'"):
        hm.trade_growth(TRADE, "tea", 1950, 1957)


def test_trade_annual_needs_a_unit_when_there_are_several():
    with pytest.raises(AnalysisError, match=r"is given in 2 different units"):
        hm.trade_annual(TRADE, "total_turnover")
    rows = hm.trade_annual(TRADE, "total_turnover", unit=RUB)
    assert rows["year"].tolist() == [1950, 1957]  # the 1969-70 span is not a single year


def test_trade_growth_on_the_real_table_works_on_whatever_rows_exist(tables):
    result = hm.trade_growth(tables["trade"], "total_turnover", 1950, 1957, series="prc_mofcom_history")
    assert result.factor == pytest.approx(5400 / 1400)


# --------------------------------------------------------------------------- explorer rows and widget


def test_series_rows_shapes_and_messages(tables):
    rows = hm.series_rows("experts", start=1955, end=1956, **tables)
    assert (rows["x_end"] > rows["x"]).all()
    with pytest.raises(AnalysisError, match="The start year 1958 is after the end year 1955"):
        hm.series_rows("loans_rubles", start=1958, end=1955, **tables)
    with pytest.raises(AnalysisError, match="No figures between 1962 and 1965 for this series"):
        hm.series_rows("loans_rubles", start=1962, end=1965, **tables)
    with pytest.raises(AnalysisError, match="Unknown series 'gold'"):
        hm.series_rows("gold", **tables)


def test_catalogue_lists_each_trade_flow_and_unit(tables):
    catalogue = hm.series_catalogue(TRADE)
    assert catalogue["Trade: total turnover, million US dollars"] == "trade|total_turnover|million US dollars"
    assert list(catalogue)[0] == "Soviet loan agreements, million rubles (pre-1961)"


def test_explorer_summary_follows_the_controls(tables):
    from helpers.widgets import honeymoon as hw

    explorer = hw.honeymoon_explorer(tables, start=1950, end=1957)
    assert explorer.summary.startswith("9 figures, 1950–1957:")
    assert "Sum in million rubles (pre-1961): 4,706.3" in explorer.summary
    text = explorer.set(start=1954, end=1957)
    assert text.startswith("4 figures, 1954–1957:") and "Sum in million rubles (pre-1961): 836.3" in text
    text = explorer.set(series="Soviet experts in China: competing totals", start=1955, end=1956)
    assert "5,092 persons" in text and "Sum" not in text
    assert explorer.set(start=1958, end=1955) == "Cannot show this: The start year 1958 is after the end year 1955: choose a start before the end."
    assert explorer.set(series="Soviet loan agreements, million US dollars", start=1960, end=1970).startswith("Cannot show this: No figures between 1960 and 1970")


def test_figures_carry_alt_text_and_source(tables):
    from helpers import plots
    from helpers.widgets import honeymoon as hw

    ax, _ = hw.series_figure("projects", tables, 1949, 1960)
    text = plots.describe(ax)
    assert "honeymoon (October 1954 to December 1957) shaded" in text and "Data: data/aided_projects.csv" in text
    ax = hw.agreed_built_figure(tables["projects"])
    assert "actually constructed (boyibo1991_156;zhwiki_156): 150" in plots.describe(ax)


def test_agreed_targets_are_left_out_unless_asked_for():
    trade = pd.concat([TRADE, trade_frame([
        (1949, 1949, "china_exports_to_ussr", 436.0, RUB, "v", "reported", "s1", "p"),
        (1950, 1950, "china_exports_to_ussr", 143.23, USD, "e", "agreed_target", "s2", "p"),
    ])], ignore_index=True)
    with pytest.raises(AnalysisError) as err:
        hm.trade_growth(trade, "china_exports_to_ussr", 1949, 1950)
    assert str(err.value) == ("No single-year 'china_exports_to_ussr' figure for 1950; the years with figures are [1949] "
                              "(agreed targets and forecasts left out: pass actual_only=False to include them).")
    with pytest.raises(AnalysisError, match="the 1949 figure is in 'million rubles \\(pre-1961\\)' and the 1950 figure in 'million US dollars'"):
        hm.trade_growth(trade, "china_exports_to_ussr", 1949, 1950, actual_only=False)
    assert hm.trade_annual(trade, "china_exports_to_ussr")["year"].tolist() == [1949]
    assert "Trade: China's exports to the USSR, million US dollars" in hm.series_catalogue(trade)
