"""Shared fixtures: a tiny, valid data package in a temporary folder that tests can break."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# A figure shown from the store of figures drawn ahead of time (helpers.figure_store) is, in every test and in every
# kernel a test starts (nbval's included), also drawn afresh and compared with the stored one: a store that no longer
# matches what the code draws fails the suite instead of showing students an old picture.
os.environ.setdefault("LESSON_FIGURES", "verify")

TINY_PACKAGE = {
    "name": "tiny",
    "title": "Tiny test package",
    "licenses": [{"name": "CC-BY-4.0"}],
    "resources": [
        {
            "name": "sources",
            "path": "sources.csv",
            "title": "Bibliography",
            "schema": {
                "fields": [
                    {"name": "source_id", "type": "string", "constraints": {"required": True, "unique": True}},
                    {"name": "author", "type": "string", "constraints": {"required": True}},
                    {"name": "title", "type": "string", "constraints": {"required": True}},
                    {"name": "year", "type": "integer"},
                    {"name": "publisher", "type": "string"},
                    {"name": "pages", "type": "string"},
                    {"name": "url", "type": "string"},
                    {"name": "kind", "type": "string", "constraints": {"enum": ["scholarship", "primary"]}},
                    {"name": "notes", "type": "string"},
                ],
                "primaryKey": ["source_id"],
            },
        },
        {
            "name": "steel",
            "path": "steel.csv",
            "title": "Steel output",
            "sources": [{"title": "Test source"}],
            "schema": {
                "fields": [
                    {"name": "country", "type": "string", "constraints": {"required": True, "enum": ["China", "UK"]}},
                    {"name": "year", "type": "integer", "constraints": {"required": True, "minimum": 1949, "maximum": 1980}},
                    {"name": "value", "type": "number", "unit": "thousand metric tons", "constraints": {"required": True, "minimum": 0}},
                    {"name": "date", "type": "date"},
                    {"name": "contested", "type": "boolean"},
                    {"name": "source_id", "type": "string", "constraints": {"required": True}},
                    {"name": "source_pages", "type": "string", "constraints": {"required": True}},
                ],
                "primaryKey": ["country", "year"],
            },
        },
    ],
}

TINY_SOURCES = (
    "source_id,author,title,year,publisher,pages,url,kind,notes\n"
    "alpha2001,A. Author,A Book,2001,Press,,,scholarship,\n"
    "beta2002,B. Author,Another Book,2002,Press,,,scholarship,\n"
)

TINY_STEEL = (
    "country,year,value,date,contested,source_id,source_pages\n"
    "China,1957,5350,1957-12-31,false,alpha2001,p. 1\n"
    "UK,1957,22047,1957-12-31,true,beta2002,table 2\n"
    "China,1958,8000,,false,alpha2001;beta2002,p. 2\n"
)


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A valid tiny package; tests overwrite steel.csv to break it."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "datapackage.json").write_text(json.dumps(TINY_PACKAGE), encoding="utf-8")
    (folder / "sources.csv").write_text(TINY_SOURCES, encoding="utf-8")
    (folder / "steel.csv").write_text(TINY_STEEL, encoding="utf-8")
    return folder


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A copy of the repository's notebooks, helpers and data, for tests that write files."""
    dest = tmp_path / "repo"
    for part in ("notebooks", "data", "helpers"):
        shutil.copytree(ROOT / part, dest / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return dest


# --------------------------------------------------------------------------- SIGTERM, and nbval's kernels on Unix sockets

_SOCKETS: dict[str, str] = {}


def _terminated(signum, frame):
    raise KeyboardInterrupt(f"stopped by signal {signal.Signals(signum).name}")


def _sigterm_as_interrupt() -> None:
    """SIGTERM (what a CI runner's timeout or ``kill`` sends) stops the run as Ctrl-C does.

    By default SIGTERM ends the process at once: no fixture is torn down and no ``atexit`` runs, so a trial hub
    that a test started, its proxy, the students' servers and their unix accounts would outlive the run. Raised as
    KeyboardInterrupt, it takes pytest's own way out: every finalizer, then ``pytest_sessionfinish``.
    """
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)


def pytest_configure(config):
    _sigterm_as_interrupt()
    _nbval_on_unix_sockets()


def _nbval_on_unix_sockets():
    """nbval's kernels talk over Unix sockets in a private folder, as teach.editions.execute's do.

    A TCP kernel picks free ports and binds them a moment later; with two xdist workers starting kernels at once,
    another kernel can take a port in between and the kernel dies before answering ("Kernel died before replying
    to kernel_info"). nbval has no setting for the transport, so its KernelManager is given one here.
    """
    if os.name != "posix":
        return
    try:
        import nbval.kernel
    except ImportError:  # pragma: no cover - nbval is a test dependency
        return
    folder = tempfile.mkdtemp(prefix="nbval-kernels-")
    _SOCKETS["folder"] = folder
    names = itertools.count()
    base = nbval.kernel.KernelManager

    class UnixSocketKernelManager(base):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", os.path.join(folder, f"k{next(names)}"))
            super().__init__(**kwargs)

    nbval.kernel.KernelManager = UnixSocketKernelManager


def pytest_unconfigure(config):
    folder = _SOCKETS.pop("folder", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- order, and the trial hub's last-resort cleanup


def pytest_addoption(parser):
    parser.addoption("--reversed-order", action="store_true", help="run the selected tests in reverse order (no test may rely on an earlier one)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--reversed-order"):
        items.reverse()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """After every fixture's teardown: stop any trial hub tests/test_hub.py started and did not stop (and remove its accounts)."""
    import sys

    module = sys.modules.get("test_hub") or sys.modules.get("tests.test_hub")
    if module is not None:
        module.last_resort_cleanup()
