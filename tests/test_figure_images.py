"""Figure regression: figures whose pixels matter are compared with stored images, with a tolerance.

nbval compares every figure's description and data, not its pixels; these three are drawn and
compared pixel by pixel (matplotlib's ``compare_images``, RMS tolerance): the timeline's label
placement on a crowded, fixed set of events; Chinese characters drawn by the bundled font; and the
steel race (Correlates of War data, which do not change). When a change to a figure is intended,
look at the new image, then store it: ``UPDATE_BASELINES=1 pytest tests/test_figure_images.py``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.testing.compare import compare_images

from helpers import plots
from helpers.data import load

BASELINE = Path(__file__).resolve().parent / "baseline"
TOLERANCE = 3.0  # RMS difference per pixel, on 0-255


def crowded_timeline():
    titles = [
        "Moscow Declaration signed", "Peace Manifesto signed", "Mao speaks on the paper tiger", "Sputnik 2 launched",
        "Twelve-party meeting opens", "Wider meeting of 64 parties", "Gomułka speaks", "Mao leaves Moscow",
        "Defence accord signed", "Khrushchev pledges to catch up",
    ]
    dates = pd.to_datetime(["1957-11-16", "1957-11-19", "1957-11-18", "1957-11-03", "1957-11-14", "1957-11-16",
                            "1957-11-17", "1957-11-21", "1957-10-15", "1957-05-22"])
    cats = ["party", "party", "party", "military_technology", "party", "party", "party", "diplomacy", "military_technology", "economy"]
    return pd.DataFrame({"date": dates, "category": cats, "title": titles, "contested": [False, False, True] + [False] * 7, "source_id": "none"})


def figures():
    yield "timeline-crowded", lambda: plots.timeline(crowded_timeline(), "1957-05-01", "1957-12-31", title="Crowded weeks, 1957")
    cjk = pd.DataFrame({"country": ["China", "China", "USSR", "USSR"], "year": [1957, 1958, 1957, 1958], "value": [5.35, 8.0, 51.2, 54.9]})
    yield "line-chart-chinese", lambda: plots.line_chart(cjk, "year", "value", by="country", title="毛泽东 Mao Zedong and 大跃进, the Great Leap", ylabel="million metric tons", source="s")
    from helpers.widgets import race

    yield "race-china-uk", lambda: race.race_figure(load("industrial_output"), "China-UK", 1957, 1972, show_claim=True)


@pytest.mark.parametrize("name, draw", list(figures()), ids=lambda v: v if isinstance(v, str) else "")
def test_figure_matches_its_baseline(name, draw, tmp_path):
    ax = draw()
    actual = tmp_path / f"{name}.png"
    actual.write_bytes(plots._png(ax.figure, 1.0, tight=True))
    plt.close(ax.figure)
    expected = BASELINE / f"{name}.png"
    if os.environ.get("UPDATE_BASELINES") or not expected.exists():
        BASELINE.mkdir(exist_ok=True)
        shutil.copy(actual, expected)
        if not os.environ.get("UPDATE_BASELINES"):
            pytest.fail(f"No baseline for {name}: stored {expected}; look at it, commit it, and run again.")
        return
    diff = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert diff is None, f"{name} differs from its baseline: {diff}"
