"""helpers.plots: house colours, source lines, alt text, timeline and line charts on real data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from helpers import plots
from helpers.data import load


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
    assert not ax.figure.texts  # the source line is text under the image, not pixels in it


def test_timeline_bad_inputs():
    events = load("events")
    with pytest.raises(ValueError, match="start 1958-01-01 comes after the end 1950-12-31; give the earlier one first"):
        plots.timeline(events, "1958", "1950")
    with pytest.raises(ValueError, match="needs the table itself for events, not its name 'events'"):
        plots.timeline("events")
    with pytest.raises(ValueError, match=r"show\(\) needs the axes a plot function returned"):
        plots.show("events")
    with pytest.raises(ValueError, match=r"table\(\) needs a table \(a pandas DataFrame or Series\), got NoneType"):
        plots.table(None)
    with pytest.raises(ValueError, match=r"Unknown category \['wars'\]; the categories are"):
        plots.timeline(events, categories=["wars"])
    with pytest.raises(ValueError, match="No events between 1930-01-01 and 1931-12-31"):
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
    with pytest.raises(ValueError, match="line_chart\\(\\) got an empty table for df \\(no rows\\)"):
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
        # the note separates works with ';', so co-authors listed with ';' in the bibliography are joined with ','
        assert str(bib.loc[sid, "author"]).replace(";", ",") in note
    assert note.endswith("Data: data/events.csv")


def test_chinese_characters_print_on_figures_with_the_bundled_font(recwarn):
    """The CJK subset draws every Chinese character the data and lessons use: no missing-glyph warning."""
    from matplotlib.font_manager import FontProperties, findfont

    from teach.fonts import characters_used

    assert findfont(FontProperties(family=plots.CJK_FAMILY), fallback_to_default=False) == str(plots.CJK_FONT)
    from fontTools.ttLib import TTFont

    covered = set(chr(c) for c in TTFont(plots.CJK_FONT).getBestCmap())
    missing = sorted(characters_used() - covered)
    assert not missing, f"the figure font lacks {''.join(missing)}: run python -m teach.fonts (needs fonts-noto-cjk)"
    with plt.rc_context(plots.STYLE):
        fig, ax = plt.subplots()
        ax.set_title("毛泽东 Mao Zedong, 大跃进 the Great Leap")
        fig.canvas.draw()
    assert not [w for w in recwarn if "missing from font" in str(w.message)]


def test_show_gives_alt_text_on_the_image_a_figure_element_and_one_short_source_line():
    events = load("events")
    ax = plots.timeline(events, "1957-01-01", "1958-12-31")
    data, metadata = plots.figure_bundle(ax)
    alt = plots.describe(ax).split("\n")[0].removeprefix("Figure: ")
    assert metadata["image/png"]["alt"] == alt
    assert metadata["image/png"]["width"] * plots.SCALE == pytest.approx(int.from_bytes(__import__("base64").b64decode(data["image/png"])[16:20], "big"), abs=2)
    page = data["text/html"]
    assert page.startswith('<figure class="lesson-figure"') and "<figcaption" in page
    assert f'alt="{__import__("html").escape(alt, quote=True)}"' in page
    caption = page.split("<figcaption", 1)[1]
    assert caption.count(";") <= plots.SHORT_SOURCES and "more works" in caption and "plots.sources()" in caption
    assert data["text/plain"].splitlines()[0] == f"Figure: {alt}"
    listed = plots.sources()
    assert listed.count("\n- ") + 1 >= 3 and "data/events.csv" in listed


def test_while_grading_show_gives_the_description_and_no_image(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, **kw: shown.append(data))
    events = load("events")
    ax = plots.timeline(events, "1957-01-01", "1958-12-31")
    expected = plots.describe(ax).split("\n")[0]
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert plots.grading()
    plots.show(ax)
    (data,) = shown
    assert set(data) == {"text/plain", "text/html"}, "no picture is drawn while grading"
    assert data["text/plain"].splitlines()[0] == expected and "not drawn while grading" in data["text/html"]
    assert not plt.fignum_exists(ax.figure.number)
    monkeypatch.delenv("NBGRADER_EXECUTION")
    ax = plots.timeline(events, "1957-01-01", "1958-12-31")
    plots.show(ax)
    assert "image/png" in shown[-1], "students' kernels draw it"


def test_short_source_puts_authored_works_first():
    note = plots.source_note(load("events"))
    first = note.split("; ")[0]
    assert not first.startswith("(") and "n.d." not in first
    assert plots.short_source("A (1); B (2); C (3). Data: d.csv") == "A (1); B (2) and 1 more work. Data: d.csv"


def test_timeline_labels_never_overlap():
    ax = plots.timeline(load("events"), "1953-01-01", "1958-06-30")
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text() and not t.get_text().startswith("honeymoon")]
    assert len(boxes) > 10
    clashes = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert not clashes, f"{len(clashes)} pairs of timeline labels overlap"


def test_year_ticks_are_whole_years():
    df = pd.DataFrame({"year": [1954, 1955, 1956], "value": [1.0, 2.0, 3.0]})
    ax = plots.line_chart(df, "year", "value", title="t", source="s")
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(label.isdigit() for label in labels), labels


def test_plot_functions_do_not_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plot functions must not call plt.show()"))
    plots.timeline(load("events"), "1957", "1958")


def test_table_is_html_with_units_and_the_same_values_as_text(monkeypatch):
    shown = {}
    monkeypatch.setattr("IPython.display.display", lambda data, raw=False, **_: shown.update(data))
    loans = load("soviet_loans")
    part = loans[["date", "amount", "unit", "interest_rate_pct"]].head(3)
    plots.table(part, index=False, caption="Loans")
    assert shown["text/plain"] == part.to_string(index=False)
    page = shown["text/html"]
    assert "<table" in page and "<caption>Loans</caption>" in page
    assert "interest_rate_pct (percent)" in page and "&lt;NA&gt;" not in page
    for value in part["amount"]:
        assert str(value) in page
