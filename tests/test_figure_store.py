"""helpers.figure_store and teach.figures: figures drawn ahead of time, shown only when provably the same.

The store is checked three ways: a stored figure is used only for the same call, unchanged since (each way it can
differ is tried here); every stored figure equals a fresh drawing (the suite runs in ``verify`` mode, see
conftest.py); and the store holds exactly what the student editions draw, found by running them here.
"""

from __future__ import annotations

import hashlib
import io
import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import nbformat
import pytest
from nbclient import NotebookClient

from helpers import figure_store, plots
from helpers.data import load
from teach import editions, figures

STORE = figure_store.STORE_DIR


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _png_of(colour: str) -> bytes:
    """A small valid PNG of one colour: a stand-in that no drawing would produce."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, format="PNG")
    return buf.getvalue()


def _timeline(events, **extra):
    return plots.timeline(events, "1953-01-01", "1958-12-31", labels=False, **extra)


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A store of its own holding one figure, the timeline of 1953-1958, under a stand-in image.

    Recorded as ``teach editions`` records (``record`` mode, then :func:`teach.figures.update`); the stand-in
    replaces the drawing afterwards (with its sha256 in the index), so a figure shown from the store is told apart
    from one drawn afresh.
    """
    events = load("events")
    recorded = tmp_path / "recorded"
    recorded.mkdir()
    folder = tmp_path / "store"
    folder.mkdir()
    monkeypatch.setattr(figure_store, "STORE_DIR", folder)
    monkeypatch.setattr(figure_store, "_INDEX", [])
    monkeypatch.setenv("LESSON_FIGURES", "record")
    monkeypatch.setenv("LESSON_FIGURES_RECORD", str(recorded))
    drawn = plots.figure_bundle(_timeline(events))[0]["image/png"]
    assert [p.suffix for p in recorded.iterdir()] == [".png"], "one keyed figure recorded"
    assert figures.update("lesson", recorded, store=folder) == (1, 0)
    key = next(folder.glob("*.png")).name
    stand_in = _png_of("magenta")
    (folder / key).write_bytes(stand_in)
    index = json.loads((folder / figure_store.INDEX).read_text())
    index["figures"][key]["sha256"] = hashlib.sha256(stand_in).hexdigest()
    (folder / figure_store.INDEX).write_text(json.dumps(index))
    monkeypatch.setenv("LESSON_FIGURES", "use")
    return {"events": events, "key": key, "stand_in": stand_in, "drawn": drawn, "folder": folder}


def _shown(ax) -> bytes:
    import base64

    return base64.b64decode(plots.figure_bundle(ax)[0]["image/png"])


def test_the_same_call_unchanged_is_shown_from_the_store(store):
    assert _shown(_timeline(store["events"])) == store["stand_in"]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda ax: ax.set_title("My own title"), id="title set"),
        pytest.param(lambda ax: ax.axvline(0.5), id="line added"),
        pytest.param(lambda ax: ax.set_xlim(ax.get_xlim()[0], ax.get_xlim()[1] + 100), id="limit moved"),
        pytest.param(lambda ax: ax.collections[0].set_color("red"), id="a part recoloured"),
        pytest.param(lambda ax: ax.figure.set_size_inches(4, 3), id="figure resized"),
        pytest.param(lambda ax: matplotlib.rcParams.__setitem__("savefig.facecolor", "yellow"), id="a setting changed"),
    ],
)
def test_a_figure_changed_after_the_call_is_drawn_afresh(store, change):
    ax = _timeline(store["events"])
    with matplotlib.rc_context():
        change(ax)
        shown = _shown(ax)
    assert shown != store["stand_in"] and shown[:8] == b"\x89PNG\r\n\x1a\n"


def test_another_call_or_other_data_is_drawn_afresh(store):
    events = store["events"]
    assert _shown(_timeline(events, title="Another title")) != store["stand_in"]
    fewer = events.iloc[:-1]
    assert _shown(_timeline(fewer)) != store["stand_in"]
    edited = events.copy()
    edited.loc[edited.index[0], "title"] = "A title a student changed"
    assert _shown(_timeline(edited)) != store["stand_in"]
    ax = plots.new_axes()
    ax.plot([0, 1], [0, 1])  # axes that already hold something: never the stored figure
    from helpers.widgets import race

    assert _shown(race.race_figure(load("industrial_output"), "China-UK", 1957, 1972, ax=ax)) != store["stand_in"]


def test_an_altered_stored_file_is_not_shown(store):
    (store["folder"] / store["key"]).write_bytes(store["stand_in"][:-12])  # truncated
    assert _shown(_timeline(store["events"])) == plots.base64.b64decode(store["drawn"])


def test_off_draws_every_figure_and_an_unknown_mode_is_named(store, monkeypatch):
    monkeypatch.setenv("LESSON_FIGURES", "off")
    assert _shown(_timeline(store["events"])) == plots.base64.b64decode(store["drawn"])
    monkeypatch.setenv("LESSON_FIGURES", "sometimes")
    with pytest.raises(figure_store.FigureStoreError, match="LESSON_FIGURES is 'sometimes'; it can be one of use, off, verify, record"):
        _shown(_timeline(store["events"]))


def test_verify_stops_at_a_stored_figure_that_differs_from_its_drawing(store, monkeypatch):
    monkeypatch.setenv("LESSON_FIGURES", "verify")
    with pytest.raises(figure_store.FigureStoreError, match=f"helpers/figures/{store['key']} differs from a fresh drawing"):
        _shown(_timeline(store["events"]))


def test_the_stamp_follows_the_data_and_the_code_but_not_the_answer_bank(tmp_path, monkeypatch):
    from pathlib import Path

    import helpers.data

    before = figure_store.stamp()
    assert not figure_store._draws(Path("answers/lesson01.json")) and not figure_store._draws(Path("figures/index.json"))
    assert not figure_store._draws(Path("analysis/.DS_Store")) and not figure_store._draws(Path("__pycache__/plots.cpython-311.pyc"))
    assert figure_store._draws(Path("plots.py")) and figure_store._draws(Path("fonts/NotoSansSC-subset.otf"))
    package = json.loads((helpers.data.DATA_DIR / "datapackage.json").read_text(encoding="utf-8"))
    package["resources"][0]["hash"] = "sha256:" + "0" * 64
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    monkeypatch.setattr(helpers.data, "DATA_DIR", tmp_path)
    monkeypatch.setattr(figure_store, "_STAMP", [])
    assert figure_store.stamp() != before


def test_update_keeps_each_lessons_figures_and_deletes_what_no_lesson_draws(tmp_path):
    folder, one, two = tmp_path / "store", tmp_path / "one", tmp_path / "two"
    for f in (folder, one, two):
        f.mkdir()
    (one / "aaa.png").write_bytes(_png_of("red"))
    (one / "bbb.png").write_bytes(_png_of("blue"))
    (two / "bbb.png").write_bytes(_png_of("blue"))
    assert figures.update("01_x", one, store=folder) == (2, 0)
    assert figures.update("02_y", two, store=folder) == (1, 0)
    index = figures.read_index(folder)
    assert index["figures"]["bbb.png"]["lessons"] == ["01_x", "02_y"]
    assert index["figures"]["aaa.png"]["sha256"] == hashlib.sha256(_png_of("red")).hexdigest()
    (one / "aaa.png").unlink()
    assert figures.update("01_x", one, store=folder) == (1, 1)
    assert sorted(p.name for p in folder.iterdir()) == ["bbb.png", "index.json"]
    assert figures.keep_only({"01_x"}, folder) == 0 and figures.read_index(folder)["figures"]["bbb.png"]["lessons"] == ["01_x"]
    assert figures.keep_only(set(), folder) == 1 and sorted(p.name for p in folder.iterdir()) == ["index.json"]


def test_building_other_lessons_never_touches_the_store(tmp_path, monkeypatch):
    """The store belongs to this repository's lessons: editions built from another folder leave it as it is."""
    teacher_dir = tmp_path / "notebooks"
    teacher_dir.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("from helpers import plots")]), teacher_dir / "09_other.ipynb")
    before = {p.name: p.read_bytes() for p in STORE.iterdir()}
    try:
        assert editions.build(teacher_dir, teacher_dir / "student", log=lambda *_: None, store=STORE) == 0
        after = {p.name: p.read_bytes() for p in STORE.iterdir()}
    finally:  # put the store back as it was, whatever happened
        for p in STORE.iterdir():
            if p.name not in before:
                p.unlink()
        for name, raw in before.items():
            if not (STORE / name).exists() or (STORE / name).read_bytes() != raw:
                (STORE / name).write_bytes(raw)
    assert after == before


# --------------------------------------------------------------------------- the store in the repository


def test_the_store_is_whole_and_drawn_under_the_current_stamp():
    index = figures.read_index(STORE)
    assert set(index["lessons"]) == {p.stem for p in editions.teacher_notebooks()}
    stale = [name for name, entry in index["lessons"].items() if entry["stamp"] != figure_store.stamp().hex()]
    assert not stale, f"helpers/ or the data changed since these lessons' figures were stored: {stale}; run make editions"
    files = {p.name for p in STORE.iterdir() if p.suffix in figures.SUFFIXES}
    assert files == set(index["figures"]), "every stored file is in the index, and only those"
    for key, entry in index["figures"].items():
        assert hashlib.sha256((STORE / key).read_bytes()).hexdigest() == entry["sha256"], key


@pytest.fixture(scope="module")
def drawn_by_student_editions(tmp_path_factory):
    """The keyed figures each student edition draws, found by running it here in ``record`` mode."""
    drawn = {}
    for path in sorted(editions.STUDENT_DIR.glob("[0-9][0-9]_*.ipynb")):
        folder = tmp_path_factory.mktemp(path.stem)
        with pytest.MonkeyPatch.context() as env:  # set before the kernel starts, which inherits it
            env.setenv("LESSON_FIGURES", "record")
            env.setenv("LESSON_FIGURES_RECORD", str(folder))
            with editions.kernel_sockets() as km:
                NotebookClient(nbformat.read(path, as_version=4), km=km, timeout=300,
                               resources={"metadata": {"path": str(path.parent)}}).execute()
        drawn[path.stem] = {p.name: p.read_bytes() for p in folder.iterdir()}
    return drawn


def test_the_store_holds_exactly_what_the_student_editions_draw(drawn_by_student_editions):
    """Nothing a solution draws, and nothing stale: each lesson's stored figures are the ones its student edition
    (which holds no solution) draws when run, byte for byte."""
    index = figures.read_index(STORE)
    for lesson, pictures in drawn_by_student_editions.items():
        assert sorted(pictures) == index["lessons"][lesson]["figures"], lesson
        for name, image in pictures.items():
            assert (STORE / name).read_bytes() == image, (lesson, name)
    assert sum(map(len, drawn_by_student_editions.values())) >= 20, "the lessons' figures are stored"
