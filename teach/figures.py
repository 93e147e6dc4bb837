"""Maintainers: keep the store of figures drawn ahead of time (``helpers/figures/``) in step with the student editions.

``python -m teach editions`` (``make editions``) runs every student edition in ``record`` mode (see
:mod:`helpers.figure_store`): each figure its given code draws is written, under its key, to a folder of the run's
own; :func:`update` then makes that lesson's part of the store exactly those figures. The store holds only what a
student edition draws, never a figure drawn by a solution: a student's class copy ships it whole.

``helpers/figures/index.json`` records, for each lesson, the stamp it was drawn under and its figures' files
(``KEY.png``, ``KEY.svg``), and for each file its sha256, size and lessons. A figure no lesson draws any more is deleted.

>>> sorted(read_index(Path("/nonexistent")))
['figures', 'format', 'lessons']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from unittest import mock

from helpers import figure_store
from teach.files import write_atomic

FORMAT = 1
#: What the store holds: lesson figures (PNG) and explorers' opening views (SVG).
SUFFIXES = (".png", ".svg")


@contextlib.contextmanager
def recording():
    """While inside, kernels started from this process draw every figure and write each keyed one to the folder yielded."""
    with tempfile.TemporaryDirectory(prefix="figures-") as folder, mock.patch.dict(os.environ, LESSON_FIGURES="record", LESSON_FIGURES_RECORD=folder):
        yield Path(folder)


def read_index(store: Path = figure_store.STORE_DIR) -> dict:
    """The store's index, or an empty one if there is none yet."""
    path = store / figure_store.INDEX
    if not path.exists():
        return {"format": FORMAT, "lessons": {}, "figures": {}}
    index = json.loads(path.read_text(encoding="utf-8"))
    index.setdefault("lessons", {})
    index.setdefault("figures", {})
    return index


def update(lesson: str, recorded: Path, store: Path = figure_store.STORE_DIR) -> tuple[int, int]:
    """Make ``lesson``'s part of the store the figures in ``recorded``; return (figures for the lesson, files deleted)."""
    index = read_index(store)
    keys = sorted(p.name for p in recorded.iterdir() if p.suffix in SUFFIXES)
    for key in keys:
        image = (recorded / key).read_bytes()
        target = store / key
        if not target.exists() or target.read_bytes() != image:
            write_atomic(target, image)
    index["lessons"][lesson] = {"stamp": figure_store.stamp().hex(), "figures": keys}
    return len(keys), _write(index, store)


def keep_only(lessons: set[str], store: Path = figure_store.STORE_DIR) -> int:
    """Forget the figures of lessons that no longer exist (not in ``lessons``); return the files deleted."""
    index = read_index(store)
    index["lessons"] = {name: entry for name, entry in index["lessons"].items() if name in lessons}
    return _write(index, store)


def _write(index: dict, store: Path) -> int:
    """Rebuild the figures' records from the lessons' lists, delete unlisted files, write the index; return the deletions."""
    figures: dict[str, dict] = {}
    for name, entry in sorted(index["lessons"].items()):
        for key in entry["figures"]:
            path = store / key
            if not path.exists():
                continue
            record = figures.setdefault(key, {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "bytes": path.stat().st_size, "lessons": []})
            record["lessons"].append(name)
    deleted = 0
    for path in store.iterdir():
        if path.suffix in SUFFIXES and path.name not in figures:
            path.unlink()
            deleted += 1
    index = {"format": FORMAT, "lessons": dict(sorted(index["lessons"].items())), "figures": dict(sorted(figures.items()))}
    write_atomic(store / figure_store.INDEX, json.dumps(index, indent=1, sort_keys=True) + "\n")
    return deleted
