"""Lesson 5's own helper: the map of the Amur-Ussuri border of 1969 (helpers.maps.border_map_1969)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from helpers import data, maps, plots
from helpers.analysis import AnalysisError


@pytest.fixture(scope="module")
def places():
    return data.load("border_places_1969")


def test_every_place_is_drawn_where_its_row_says(places):
    ax = maps.border_map_1969(places)
    try:
        stars = [c for c in ax.collections if len(c.get_offsets()) == len(places)]
        assert stars, "no marker layer with one point per place"
        # the star for Zhenbao lies inside the map window and inside neither country's label
        x, y = stars[-1].get_offsets()[0]
        x0, x1 = ax.get_xlim()
        y0, y1 = ax.get_ylim()
        assert x0 < x < x1 and y0 < y < y1
        described = plots.describe(ax)
        for row in places.itertuples():
            assert row.name in described and f"{row.lat:.2f} N" in described
        assert "today" in described.lower(), "the caption must say that the outlines are today's"
    finally:
        plt.close(ax.figure)


def test_a_place_moved_out_of_the_window_is_still_reported(places):
    """The description is built from the rows, so a wrong coordinate shows up in the text a reviewer reads."""
    moved = places.copy()
    moved.loc[moved.index[0], "lat"] = 10.0
    ax = maps.border_map_1969(moved)
    try:
        assert "10.00 N" in plots.describe(ax)
    finally:
        plt.close(ax.figure)


def test_the_wrong_table_or_an_empty_one_is_refused(places):
    with pytest.raises(AnalysisError, match="border_places_1969"):
        maps.border_map_1969(data.load("events"))
    with pytest.raises(AnalysisError, match="empty"):
        maps.border_map_1969(places.iloc[0:0])


def test_the_zhenbao_row_matches_its_event(places):
    events = set(data.load("events")["event_id"])
    assert set(places["event_id"].dropna()) <= events
