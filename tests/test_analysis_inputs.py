"""Every public analysis function, every kind of odd argument (tests/inputs_sweep.py): a right result or one
clear AnalysisError, never a raw traceback and never a silent wrong result. Hypothesis draws the variants
(and generated years, rates, names and dates on top), so each run covers the whole class, not a list of examples."""

from __future__ import annotations

import math
import re

import inputs_sweep as sweep
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inputs_sweep import examples

from helpers.analysis import AnalysisError, race, read_date, years_to_overtake
from helpers.analysis import conference as cf
from helpers.analysis import honeymoon as hm

RIGHT = sweep.right_calls()
RESULTS = {id(call): sweep.outcome(call) for call in RIGHT}
VARIANTS = [(call, variant, kind) for call in RIGHT for variant, kind in sweep.variants(call)]
SWEEP = settings(max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_every_right_call_works():
    failed = [(call, RESULTS[id(call)]) for call in RIGHT if RESULTS[id(call)][0] != "ok"]
    assert not failed
    assert len(RIGHT) >= 70 and len(VARIANTS) >= 1000  # the sweep covers every public function


@SWEEP
@given(st.sampled_from(VARIANTS))
def test_an_odd_argument_gets_the_right_result_or_one_clear_error(case):
    call, variant, kind = case
    problem = sweep.judge(variant, kind, RESULTS[id(call)][1])
    assert problem is None, f"{variant!r}: {problem}"


# generated values on top of the fixed variants

@settings(max_examples=examples(150), deadline=None)
@given(st.sampled_from([c for c in RIGHT if c.func.__name__ in ("growth_between", "achieved_growth", "trade_growth", "undated_in_year",
                                                              "claim_ratio", "default_rate", "series_rows", "year_indicators")]),
       st.one_of(st.integers(-3000, 3000), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=6), st.none(), st.booleans()),
       st.data())
def test_any_year_is_read_or_refused(call, year, data):
    import inspect

    signature = inspect.signature(call.func)
    bound = signature.bind(*call.args, **call.kwargs)
    names = [n for n in bound.arguments if n in sweep.YEARS]
    name = data.draw(st.sampled_from(names))
    bound.arguments[name] = year
    status, result = sweep.outcome(sweep.Call(call.func, bound.args, bound.kwargs))
    assert status != "raw", result
    if status == "ok":  # only a whole number (or its text) may be taken as a year
        assert isinstance(year, (int, float, str)) and not isinstance(year, bool)
        assert float(str(year).strip()).is_integer()


@settings(max_examples=examples(200), deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1000, 1000), st.text(max_size=6)),
       st.sampled_from(["chaser", "leader"]))
def test_any_rate_is_read_or_refused_and_a_rate_above_100_percent_is_ambiguous(rate, who):
    rates = {"chaser_rate": 0.10, "leader_rate": 0.02} | {f"{who}_rate": rate}
    try:
        result = years_to_overtake(10, rates["chaser_rate"], 20, rates["leader_rate"])
    except AnalysisError as err:
        if isinstance(rate, (int, float)) and not isinstance(rate, bool) and 1 < rate < math.inf:
            assert "Rates are fractions" in str(err)
        return
    number = float(rate.strip().rstrip("%")) / (100 if rate.strip().endswith("%") else 1) if isinstance(rate, str) else rate
    assert -1 < number <= 1 and isinstance(result, tuple)


@settings(max_examples=examples(200), deadline=None)
@given(st.one_of(st.dates(), st.integers(), st.text(max_size=12), st.floats(), st.none(), st.booleans(),
                 st.builds(lambda d: d.strftime("%d/%m/%Y"), st.dates()), st.builds(lambda d: d.strftime("%Y-%m"), st.dates())))
def test_any_date_is_read_or_refused(value):
    try:
        stamp = read_date(value)
    except AnalysisError as err:
        assert len(str(err)) > 20
        return
    assert isinstance(stamp, pd.Timestamp) and not pd.isna(stamp)
    if isinstance(value, str) and re.fullmatch(r"\s*\d+/\d+/\d+\s*", value):
        day, month, _ = map(int, value.split("/"))
        assert (stamp.day, stamp.month) == (day, month) and (day > 12 or day == month)  # never read with day and month swapped


# --------------------------------------------------------------------------- the named cases

@pytest.fixture(scope="module")
def events():
    return sweep.T("events")


def test_a_rate_in_percent_is_refused_not_read_as_500_percent():
    with pytest.raises(AnalysisError, match=r"The chaser's growth rate is 5, which as a fraction means 500% a year.*write 0.05"):
        years_to_overtake(10, 5, 20, 0.02)
    assert years_to_overtake(10, "10%", 20, "2%") == years_to_overtake(10, 0.10, 20, 0.02)


def test_year_strings_mean_the_whole_year(events):
    whole = hm.events_between(events, "1956-01-01", "1956-12-31")
    assert len(whole) > 0
    for start, end in (("1956", "1956"), (1956, 1956), ("1956", "1956-12")):
        assert hm.events_between(events, start, end).equals(whole)
    assert hm.event_counts(events, "1956", "1956").equals(hm.event_counts(events, "1956-01-01", "1956-12-31"))
    assert race.achieved_growth(sweep.steel()["China"], "1952", "1957") == race.achieved_growth(sweep.steel()["China"], 1952, 1957)


def test_reversed_ranges_are_refused(events):
    with pytest.raises(AnalysisError, match="after it ends"):
        hm.events_between(events, "1957", "1956")
    with pytest.raises(AnalysisError, match="start year 1957 must come before the end year 1950"):
        hm.trade_growth(sweep.T("sino_soviet_trade"), "total_turnover", 1957, 1950)


def test_a_tables_name_or_the_wrong_table_is_refused_with_what_to_pass(events):
    with pytest.raises(AnalysisError, match=r"needs the table itself for events, not its name 'events': load it first, events = data.load\('events'\)"):
        hm.events_between("events", "1956", "1956")
    with pytest.raises(AnalysisError, match=r"needs the soviet_loans table for loans, but was given the events table"):
        hm.loans_by_year(events)
    with pytest.raises(AnalysisError, match=r"needs the whole table for debates, but got one column \('issue'\)"):
        cf.issue_counts(sweep.T("debates")["issue"])


def test_a_missing_argument_says_how_the_function_is_called():
    with pytest.raises(AnalysisError, match=r"missing a required argument: 'end'. It is called as growth_between\(series: 'pd.Series', start: 'int', end: 'int'\)"):
        from helpers.analysis import growth_between

        growth_between(sweep.steel()["China"], 1952)


@settings(max_examples=examples(300), deadline=None)
@given(st.one_of(st.text(max_size=14), st.builds(lambda d: d.strftime("%B %Y"), st.dates()), st.builds(lambda d: d.strftime("%Y-%m"), st.dates())))
def test_any_text_is_read_as_a_month_or_refused(text):
    from helpers.analysis import split

    try:
        month = split.to_month(text)
    except AnalysisError as err:
        assert "month" in str(err)
        return
    assert isinstance(month, pd.Period) and month.freqstr == "M"


@settings(max_examples=examples(300), deadline=None)
@given(st.floats(0.1, 1e5), st.floats(0.1, 1e5), st.floats(-0.5, 1.0), st.floats(-0.5, 1.0))
def test_the_closed_form_overtaking_year_is_the_year_by_year_count(a, b, g, h):
    """No silent wrong year: the formula agrees with counting year by year, whatever the outputs and rates."""
    from hypothesis import assume

    result = years_to_overtake(a, g, b, h, horizon=200)
    if a > b:
        assert result.years == 0
        return
    speed = math.log1p(g) - math.log1p(h)  # rates closer than float precision count as equal
    if speed <= 0:
        assert result.years is None and result.reason.startswith("never")
        return
    t = math.log(b / a) / speed
    if not t < 200:  # beyond the horizon, however slowly the gap closes (even an infinite count)
        assert result.years is None and result.reason.startswith("not within 200 years")
        return
    assume(abs(t - round(t)) > 1e-6)  # an exact tie is decided by rounding, either way
    years = next((n for n in range(0, 202) if a * (1 + g) ** n > b * (1 + h) ** n), None)
    if years is None or years > 200:
        assert result.years is None and result.reason.startswith("not within 200 years")
    else:
        assert result.years == years


NUMERIC = [c for c in RIGHT if c.func.__name__ in ("cagr", "required_growth", "years_to_overtake", "percent_change", "tons_to", "spread")]
any_number = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**20, 10**20), st.sampled_from([0, -0.0, 1e-320, 1e308]))


@settings(max_examples=examples(400), deadline=None)
@given(st.sampled_from(NUMERIC), st.data())
def test_any_number_gives_a_finite_result_or_a_clear_refusal(call, data):
    """Arithmetic never hands back NaN or infinity as if it were an answer, and never overflows into a traceback."""
    args = [data.draw(any_number) if isinstance(a, (int, float)) and not isinstance(a, bool) else a for a in call.args]
    status, result = sweep.outcome(sweep.Call(call.func, tuple(args), call.kwargs))
    assert status != "raw", f"{call.func.__name__}{tuple(args)}: {result}"
    if status == "ok":
        values = [v for v in (result if isinstance(result, tuple) else (result,)) if isinstance(v, float)]
        assert all(math.isfinite(v) for v in values), f"{call.func.__name__}{tuple(args)} = {result}"


def test_a_date_without_a_year_is_refused_not_given_this_year():
    with pytest.raises(AnalysisError, match="gives no year"):
        read_date("Oct 12")
