"""helpers.plots: house colours, source lines, alt text, timeline and line charts on real data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers import plots  # noqa: E402
from helpers.data import load  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_country_colours_are_fixed_and_distinct():
    assert set(plots.COUNTRY_COLORS) == {"China", "USSR", "UK", "USA"}
    assert len(set(plots.COUNTRY_COLORS.values())) == 4
    assert set(plots.COUNTRY_COLORS.values()) <= set(plots.OKABE_ITO)


def test_timeline_draws_every_event_in_range_with_alt_text_and_source():
    events = load("events")
    ax = plots.timeline(events, "1953-01-01", "1958-12-31")
    shown = events[(events["date"] >= "1953-01-01") & (events["date"] <= "1958-12-31")]
    dots = sum(len(c.get_offsets()) for c in ax.collections)
    assert dots == len(shown)
    text = plots.describe(ax)
    assert text.startswith(f"Figure: Timeline of {len(shown)} events from ")
    assert "\nSource: " in text
    drawn = [t.get_text() for t in ax.figure.texts]
    assert any(t.startswith("Source: ") for t in drawn)


def test_timeline_bad_inputs():
    events = load("events")
    with pytest.raises(ValueError, match="start .* is after its end"):
        plots.timeline(events, "1958", "1950")
    with pytest.raises(ValueError, match=r"Unknown category \['wars'\]; the categories are"):
        plots.timeline(events, categories=["wars"])
    with pytest.raises(ValueError, match="No events between 1930-01-01 and 1931-01-01"):
        plots.timeline(events, "1930", "1931")


def test_line_chart_uses_country_colours_and_describes_the_data():
    df = pd.DataFrame({"country": ["China", "China", "UK", "UK"], "year": [1952, 1957, 1952, 1957], "value": [1349.0, 5350.0, 16681.0, 22047.0]})
    df.attrs["units"] = {"value": "thousand metric tons"}
    ax = plots.line_chart(df, "year", "value", by="country", title="Steel", source="test source", shade=plots.HONEYMOON)
    colours = {line.get_label(): line.get_color() for line in ax.get_lines()}
    assert colours == {"China": plots.COUNTRY_COLORS["China"], "UK": plots.COUNTRY_COLORS["UK"]}
    assert plots.describe(ax) == (
        "Figure: Line chart, Steel. China: 1,349 in 1952 to 5,350 in 1957; UK: 16,681 in 1952 to 22,047 in 1957 (thousand metric tons).\n"
        "Source: test source"
    )


def test_line_chart_refuses_an_empty_table():
    with pytest.raises(ValueError, match="Nothing to plot for 'Steel': the table is empty"):
        plots.line_chart(pd.DataFrame({"year": [], "value": []}), "year", "value", title="Steel", source="s")


def test_describe_needs_a_finished_figure():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="This figure has no description"):
        plots.describe(ax)


def test_source_note_names_the_works_of_the_rows_shown():
    events = load("events")
    one = events[events["event_id"] == "treaty_1950"]
    bib = load("sources").set_index("source_id")
    note = plots.source_note(one)
    for sid in one["source_id"].iloc[0].split(";"):
        assert str(bib.loc[sid, "author"]) in note
    assert note.endswith("Data: data/events.csv")


def test_chinese_characters_are_kept_in_text_but_not_drawn():
    fig, ax = plt.subplots()
    plots.finish(ax, source="Bo Yibo (薄一波) (2008) 若干重大决策与事件的回顾", alt="x")
    drawn = [t.get_text() for t in fig.texts][0]
    assert drawn == "Source: Bo Yibo (2008)"
    assert "薄一波" in plots.describe(ax)


def test_plot_functions_do_not_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plot functions must not call plt.show()"))
    plots.timeline(load("events"), "1957", "1958")


def test_a_long_source_list_is_cut_in_the_figure_but_printed_in_full():
    fig, ax = plt.subplots()
    long = "; ".join(f"Author {n} (19{n:02d}) A title of some length" for n in range(40))
    plots.finish(ax, source=long, alt="x")
    drawn = fig.texts[0].get_text()
    assert len(drawn.splitlines()) == plots.MAX_SOURCE_LINES
    assert drawn.endswith("(the full list is printed below the figure)")
    assert plots.describe(ax).endswith("Author 39 (1939) A title of some length")
