"""Writes are atomic: a full disk leaves the previous file whole and says so (teach/files.py)."""

from __future__ import annotations

import errno
import os

import pytest

from teach.errors import ToolError
from teach.files import write_atomic


def test_a_full_disk_leaves_the_previous_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "01_honeymoon.ipynb"
    target.write_text("the previous notebook", encoding="utf-8")
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ToolError, match="No space left on device. The previous version of the file is unchanged"):
        write_atomic(target, "a new notebook " * 1000)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert target.read_text(encoding="utf-8") == "the previous notebook"
    assert [p.name for p in tmp_path.iterdir()] == ["01_honeymoon.ipynb"]  # no temporary file left behind


def test_the_mode_of_the_replaced_file_is_kept(tmp_path):
    target = tmp_path / "course.toml"
    target.write_text("x", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, "y")
    assert (target.read_text(), target.stat().st_mode & 0o777) == ("y", 0o640)
