"""helpers.widgets: the Explorer mechanism and the timeline explorer, driven from Python."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from helpers.analysis import AnalysisError
from helpers.data import load
from helpers.widgets import Explorer, timeline_explorer


def test_timeline_explorer_counts_change_with_the_controls():
    events = load("events")
    explorer = timeline_explorer(events, start=1956, end=1958)
    first = explorer.summary
    n = int(((events["date"].dt.year >= 1956) & (events["date"].dt.year <= 1958)).sum())
    assert first.startswith(f"{n} events, 1956–1958: ")
    second = explorer.set(years=(1959, 1960), categories=("crisis",))
    m = int((events["date"].dt.year.between(1959, 1960) & (events["category"] == "crisis")).sum())
    assert second == f"{m} events, 1959–1960: crisis {m}"
    assert explorer.ax is not None


def test_no_category_gives_a_message_not_a_traceback():
    explorer = timeline_explorer(load("events"))
    summary = explorer.set(categories=())
    assert summary == "Cannot show this: choose at least one category."
    assert "choose at least one category" in explorer.message.value
    assert explorer.ax is None


def test_explorer_shows_analysis_errors_and_recovers():
    import ipywidgets as W

    rate = W.FloatSlider(value=0.05, min=-5, max=50)

    def render(rate):
        if rate > 10:
            raise AnalysisError(f"a rate of {rate:.0%} a year is absurd")
        return None, f"rate {rate:.2f}"

    explorer = Explorer({"rate": rate}, render)
    assert explorer.summary == "rate 0.05"
    assert explorer.set(rate=40) == "Cannot show this: a rate of 4000% a year is absurd"
    assert explorer.set(rate=0.1) == "rate 0.10"
    assert explorer.message.value == ""


def test_set_rejects_unknown_controls():
    explorer = timeline_explorer(load("events"))
    with pytest.raises(KeyError, match=r"No control called \['speed'\]; the controls are \['categories', 'years'\]"):
        explorer.set(speed=3)


def test_a_mouse_change_redraws_too():
    explorer = timeline_explorer(load("events"), start=1950, end=1960)
    before = explorer.summary
    explorer.controls["years"].value = (1957, 1957)  # what the slider does when a student drags it
    assert explorer.summary != before
    assert "1957–1957" in explorer.summary


def test_a_copy_is_driven_and_the_explorer_on_screen_keeps_its_opening_state():
    events = load("events")
    explorer = timeline_explorer(events, start=1956, end=1958)
    opening = explorer.summary
    trial = explorer.copy()
    assert trial is not explorer and trial.summary == opening
    assert trial.set(years=(1959, 1960)) != opening
    assert explorer.summary == opening and explorer.controls["years"].value == (1956, 1958)


def test_an_explorer_displays_its_widget_and_a_still_image_with_alt_text():
    explorer = timeline_explorer(load("events"), start=1956, end=1958)
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    still = bundle["text/html"]
    assert "interactive when you run this notebook in JupyterLab" in still
    assert '<img src="data:image/svg+xml;base64,' in still and ' alt="Timeline of ' in still
    assert explorer.summary in still
    figure = explorer.out.outputs[0]
    assert figure["metadata"]["image/svg+xml"]["alt"].startswith("Timeline of ")
    assert not {"image/png", "image/svg+xml"} & set(figure["data"]), "the frame is sent once, inside the HTML figure"


def test_an_explorers_frame_keeps_its_text_as_text_with_a_fallback_font():
    """A frame is SVG whose labels the browser draws: each font list ends with a generic family, so a reader without
    DejaVu Sans sees a sans-serif face, never the browser's default serif."""
    import base64
    import re

    explorer = timeline_explorer(load("events"), start=1956, end=1958)
    page = explorer.out.outputs[0]["data"]["text/html"]
    svg = base64.b64decode(re.search(r'data:image/svg\+xml;base64,([^"]+)"', page).group(1)).decode("utf-8")
    families = re.findall(r"font-family: ([^;\"]*)", svg)
    assert families and all(f.rstrip().endswith("sans-serif") for f in families), families
    assert "Khrushchev" in svg or "Mao" in svg, "the events' labels are text in the SVG, not outlines"
    assert "<dc:date>" not in svg, "no timestamp in the frame"
