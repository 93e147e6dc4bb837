"""Every public function of helpers outside the analysis (plots, maps, documents, glossary, data, dates, exercises,
the widgets' figures and explorers),
every kind of odd argument (tests/inputs_sweep.py: wrong types, None, empty tables, NaN, reversed ranges, negative
and zero counts, impossible coordinates, missing years, unknown names, an argument left out): a result, or one
clear message from the package's root (helpers.errors.LessonError). The test fails on any raw exception, on an
empty figure and on a drawing of an impossible value. Every variant runs, none is sampled."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import inputs_sweep as sweep
import pytest

CALLS = sweep.helper_calls()


def test_every_right_call_works():
    wrong = [(call, sweep.helper_outcome(call)) for call in CALLS]
    sweep.close_figures()
    assert not [(c, o) for c, o in wrong if o[0] != "ok"]
    modules = {call.func.__module__.split(".")[1] for call in CALLS}
    assert {"plots", "maps", "documents", "glossary", "data", "dates", "exercises", "widgets"} <= modules


@pytest.mark.parametrize("module", ["plots", "maps", "documents", "glossary", "data", "dates", "exercises", "widgets"])
def test_every_odd_argument_gets_a_result_or_one_clear_message(module):
    tried, problems = 0, []
    for call in CALLS:
        if call.func.__module__.split(".")[1] != module:
            continue
        for variant, kind in sweep.helper_variants(call):
            if kind in sweep.EQUIVALENT:
                continue
            tried += 1
            problem = sweep.helper_judge(variant, kind)
            sweep.close_figures()
            if problem:
                problems.append(f"{variant!r}: {problem}")
    assert tried >= 10
    assert not problems, f"{len(problems)} of {tried}:\n" + "\n".join(problems)


def test_a_map_refuses_an_impossible_count_or_place():
    from helpers import data, maps
    from helpers.analysis import AnalysisError

    regions = data.load("aided_projects_by_region")
    for count in (-5, 0):
        changed = regions.copy()
        changed.loc[changed.index[0], "value"] = count
        with pytest.raises(AnalysisError, match=rf"the count for Northeast in the list 'designed_by_early_1952' is {count}"):
            maps.aided_projects_map(changed, "designed_by_early_1952")
    places = data.load("border_places_1969")
    places.loc[places.index[0], "lat"] = 200.0
    with pytest.raises(AnalysisError, match="has the latitude 200.0, which is no place on Earth"):
        maps.border_map_1969(places)
    sweep.close_figures()


def test_a_call_missing_its_argument_says_how_the_function_is_called():
    from helpers import data, documents
    from helpers.errors import ArgumentError, LessonError

    with pytest.raises(ArgumentError, match=r"^load\(\) is missing the argument 'name'. It is called as load\(name, data_dir=None\).$"):
        data.load()
    with pytest.raises(LessonError, match=r"missing a required argument: 'number'. It is called as line\(doc_id: 'str', number: 'int'\)"):
        documents.line("treaty_1950_preamble")
