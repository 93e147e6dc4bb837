"""helpers.analysis: growth, races and counts, including the edge cases."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers.analysis import (
    AnalysisError,
    Overtake,
    cagr,
    count_by,
    first_year_exceeds,
    growth_between,
    required_growth,
    series_between,
    years_to_overtake,
)


def test_cagr_doubling_in_ten_years():
    assert cagr(100, 200, 10) == pytest.approx(2 ** 0.1 - 1)


def test_cagr_decline_is_negative():
    assert cagr(200, 100, 1) == pytest.approx(-0.5)


@pytest.mark.parametrize(
    "args, message",
    [
        ((0, 10, 5), "The start value must be above zero for a growth rate, got 0."),
        ((10, -1, 5), "The end value must be above zero for a growth rate, got -1."),
        ((10, 20, 0), "The number of years must be above zero, got 0: the end must come after the start."),
        ((10, 20, "five"), "The number of years must be a number, got 'five'."),
        ((math.nan, 20, 5), "The start value is missing (NaN): there is no figure for that year in the data."),
        (("a lot", 20, 5), "The start value must be a number, got 'a lot'."),
    ],
)
def test_cagr_bad_inputs(args, message):
    with pytest.raises(AnalysisError) as err:
        cagr(*args)
    assert str(err.value) == message


def test_required_growth_reaches_the_target():
    rate = required_growth(5.35, 20.0, 15)
    assert 5.35 * (1 + rate) ** 15 == pytest.approx(20.0)


def test_overtake_closed_form_matches_a_year_by_year_count():
    a, g, b, h = 5.35, 0.19, 22.0, 0.03
    years = 0
    while a * (1 + g) ** years <= b * (1 + h) ** years:
        years += 1
    assert years_to_overtake(a, g, b, h, start_year=1957) == Overtake(years, 1957 + years, f"overtakes after {years} years")
    assert years_to_overtake(10, 1.0, 15, 0.0).reason == "overtakes after 1 year"


def test_overtake_already_ahead():
    assert years_to_overtake(30, 0.01, 20, 0.05) == Overtake(0, None, "already ahead at the start")


@pytest.mark.parametrize(
    "g, h, reason",
    [
        (0.03, 0.03, "never: the chaser grows no faster than the leader, so the gap never closes"),
        (0.0, 0.05, "never: the chaser grows more slowly than the leader, so the gap never closes"),
        (-0.1, 0.0, "never: the chaser grows more slowly than the leader, so the gap never closes"),
    ],
)
def test_overtake_never(g, h, reason):
    assert years_to_overtake(10, g, 20, h) == Overtake(None, None, reason)


def test_overtake_beyond_horizon_says_how_long_it_would_take():
    result = years_to_overtake(1, 0.0001, 1000, 0.0, horizon=200)
    assert result.years is None
    assert result.reason.startswith("not within 200 years (it would take about ")


@pytest.mark.parametrize(
    "rate, message",
    [
        (-1.0, "The chaser's growth rate is -100% a year: output cannot fall by 100% or more in a year."),
        (50.0, "The chaser's growth rate is 50, which as a fraction means 5000% a year. Rates are fractions: if you mean 50% a year, "
               "write 0.5 (or '50%'); rates above 100% a year are refused."),
        (math.nan, "The chaser's growth rate is missing (NaN)."),
        ("fast", "The chaser's growth rate must be a number such as 0.05 for 5% a year, got 'fast'."),
    ],
)
def test_overtake_refuses_absurd_rates(rate, message):
    with pytest.raises(AnalysisError) as err:
        years_to_overtake(10, rate, 20, 0.02)
    assert str(err.value) == message


def test_first_year_exceeds_uses_common_years_only():
    a = pd.Series({1960: 5.0, 1961: 9.0, 1962: 12.0, 1963: 15.0})
    b = pd.Series({1961: 10.0, 1962: 11.0})
    assert first_year_exceeds(a, b) == 1962
    assert first_year_exceeds(b, a) == 1961
    assert first_year_exceeds(pd.Series({1960: 1.0}), pd.Series({1960: 2.0})) is None


def test_growth_between_names_missing_years():
    s = pd.Series({1952: 1.35, 1957: 5.35})
    assert growth_between(s, 1952, 1957) == pytest.approx((5.35 / 1.35) ** 0.2 - 1)
    with pytest.raises(AnalysisError, match=r"No figure for \[1950\]; the series covers 1952-1957."):
        growth_between(s, 1950, 1957)


def test_series_between_and_count_by():
    df = pd.DataFrame({"year": [1950, 1955, 1960], "category": ["a", "b", "a"]})
    assert series_between(df, 1951, 1960)["year"].tolist() == [1955, 1960]
    with pytest.raises(AnalysisError, match="The start year 1960 is after the end year 1950."):
        series_between(df, 1960, 1950)
    assert count_by(df, "category").to_dict() == {"a": 2, "b": 1}
    with pytest.raises(AnalysisError, match=r"There is no column 'kind'; the columns are \['year', 'category'\]."):
        count_by(df, "kind")


def test_keep_only_filters_or_names_the_choices():
    from helpers.analysis import keep_only

    df = pd.DataFrame({"unit": ["rubles", "dollars", None, "rubles"], "v": [1, 2, 3, 4]})
    assert keep_only(df, "unit", "rubles", "x {values}")["v"].tolist() == [1, 4]
    with pytest.raises(AnalysisError) as err:
        keep_only(df, "unit", "yuan", f"No loans in {'yuan'!r}; choose one of {{values}}.")
    assert str(err.value) == "No loans in 'yuan'; choose one of ['dollars', 'rubles']."
