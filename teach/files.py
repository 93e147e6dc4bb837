"""Writing files so that a failure leaves the previous state whole.

A notebook, a course file or a class copy's file is written to a temporary file in the same folder, flushed to
disk, then renamed over the old one (a rename within one file system is atomic): a full disk or an interrupted
run leaves either the old file or the new one, never a truncated mix. The error then says what happened.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_atomic(folder / "a.txt", "new")
>>> (folder / "a.txt").read_text()
'new'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from teach.errors import ToolError


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` atomically (see the module docstring); a failure raises :class:`ToolError`."""
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ToolError(f"could not write {path}: {err.strerror or err}. The previous version of the file is unchanged.") from None
