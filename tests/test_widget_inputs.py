"""Every lesson explorer driven with every kind of value (Hypothesis): a value inside a control's choices
redraws without an unexpected error, a value outside them raises one ControlValueError naming the choices and
changes nothing, and a text box cleared or mistyped shows a message instead of a stale figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import ipywidgets as W
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inputs_sweep import examples

from helpers import data
from helpers.widgets import ControlValueError, timeline_explorer
from helpers.widgets import conference as wc
from helpers.widgets import honeymoon as wh
from helpers.widgets import race as wr
from helpers.widgets import split as ws

MAKERS = {
    "timeline": lambda: timeline_explorer(data.load("events")),
    "debates": lambda: wc.debate_explorer(data.load("debates")),
    "honeymoon": lambda: wh.honeymoon_explorer(wh.load_tables()),
    "race": lambda: wr.race_explorer(data.load("industrial_output")),
    "months": lambda: ws.month_stepper(data.load("events"), data.load("china_grain_output"), data.load("industrial_output")),
}
_MADE: dict = {}


def explorer(name):
    if name not in _MADE:
        _MADE[name] = MAKERS[name]()
    return _MADE[name]


def values_for(control) -> st.SearchStrategy:
    """Right values and odd ones for one control."""
    odd = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True), st.text(max_size=12))
    options = getattr(control, "options", None)
    if options is not None:
        choices = [o[1] if isinstance(o, tuple) else o for o in options]
        labels = [o[0] if isinstance(o, tuple) else o for o in options]
        if isinstance(control, W.SelectMultiple):
            return st.one_of(st.lists(st.sampled_from(choices), min_size=1, unique=True).map(tuple), st.lists(odd, max_size=2), odd)
        return st.one_of(st.sampled_from(choices), st.sampled_from(labels), odd)
    if hasattr(control, "min") and isinstance(control.value, tuple):
        lo, hi = control.min, control.max
        inside = st.integers(lo, hi) if isinstance(lo, int) else st.floats(lo, hi)
        return st.one_of(st.tuples(inside, inside), st.tuples(st.integers(lo - 50, hi + 50), st.integers(lo - 50, hi + 50)), odd)
    if hasattr(control, "min"):
        lo, hi = control.min, control.max
        inside = st.integers(lo, hi) if isinstance(control.value, int) else st.floats(lo, hi)
        return st.one_of(inside, st.floats(lo - 100, hi + 100), odd)
    return st.one_of(st.sampled_from(["1958-07", "July 1958", "Jul 1958", "1959-13", "", " ", "1956-01", "1961-02", "soon"]), odd)


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_any_value_redraws_or_is_refused_with_the_choices(name):
    ex = explorer(name)

    @settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.sampled_from(sorted(ex.controls)).flatmap(lambda c: st.tuples(st.just(c), values_for(ex.controls[c]))))
    def drive(case):
        control, value = case
        before = ex.values()
        try:
            summary = ex.set(**{control: value})
        except ControlValueError as err:
            assert str(err) and ex.values() == before, "a refused value must change nothing"
            return
        assert ex.error is None, f"{name}.set({control}={value!r}): {ex.error!r}"
        assert summary == ex.summary and summary
        if summary.startswith("Cannot show this"):
            assert ex.ax is None and all(o.get("output_type") == "stream" for o in ex.out.outputs)  # no stale figure left on screen

    drive()


def test_clearing_the_month_box_shows_a_message_not_the_old_figure():
    ex = explorer("months")
    ex.set(month="1959-03")
    assert any(o.get("output_type") == "display_data" for o in ex.out.outputs)
    ex.controls["month"].value = ""  # what a student does by deleting the text
    assert ex.error is None
    assert ex.summary.startswith("Cannot show this: No month given")
    assert [o.get("output_type") for o in ex.out.outputs] == ["stream"]
    assert ex.set(month="1959-04").startswith("April 1959")


def test_a_value_outside_the_choices_names_them():
    ex = explorer("race")
    before = ex.values()
    with pytest.raises(ControlValueError, match=r"'China-France' is not one of the choices for pair: 'China-UK', 'USSR-USA'."):
        ex.set(pair="China-France")
    with pytest.raises(ControlValueError, match=r"2100 is outside the range of start_year: from \d+ to \d+"):
        ex.set(start_year=2100)  # a slider would silently move it to its end
    with pytest.raises(ControlValueError, match="is outside the range"):
        ex.set(pair="USSR-USA", start_year=1900)  # checked before anything is set
    assert ex.values() == before


import inputs_sweep as sweep  # noqa: E402

FIGURES = sweep.figure_calls()
FIGURE_RESULTS = {id(c): sweep.outcome(c) for c in FIGURES}
FIGURE_VARIANTS = [(c, v, k) for c in FIGURES for v, k in sweep.variants(c) if k not in sweep.EQUIVALENT]
sweep.close_figures()


def test_every_figure_function_draws():
    assert all(FIGURE_RESULTS[id(c)][0] == "ok" for c in FIGURES), [(c, FIGURE_RESULTS[id(c)]) for c in FIGURES if FIGURE_RESULTS[id(c)][0] != "ok"]


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(FIGURE_VARIANTS))
def test_a_figure_given_an_odd_argument_draws_or_refuses_clearly(case):
    call, variant, kind = case
    try:
        problem = sweep.judge(variant, kind, None)
    finally:
        sweep.close_figures()
    assert problem is None, f"{variant!r}: {problem}"


@pytest.mark.parametrize("make, args", [
    (wr.race_explorer, ("industrial_output",)), (timeline_explorer, (None,)), (wc.debate_explorer, ("debates",)),
    (wh.honeymoon_explorer, (None,)), (ws.month_stepper, ("events", "china_grain_output", "industrial_output")),
], ids=lambda v: getattr(v, "__name__", None) or "args")
def test_an_explorer_given_a_name_or_none_for_a_table_says_what_to_pass(make, args):
    from helpers.analysis import AnalysisError

    with pytest.raises(AnalysisError, match=r"needs (the table itself|a table|a dict of tables)"):
        make(*args)


def test_a_figure_given_a_range_back_to_front_is_refused():
    from helpers.analysis import AnalysisError

    with pytest.raises(AnalysisError, match=r"race_figure\(\): the pledge year 1972 comes after the deadline 1957"):
        wr.race_figure(data.load("industrial_output"), "China-UK", 1972, 1957)  # drew a figure without a word before
    with pytest.raises(AnalysisError, match=r"chronology_figure\(\): the start 1957-12-31 comes after the end 1957-06-01"):
        wc.chronology_figure(data.load("events"), "1957-12-31", "1957-06-01")
