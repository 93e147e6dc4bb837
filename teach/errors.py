"""The teachers' tools' exception root: a :class:`ToolError` is a :class:`helpers.errors.LessonError` too.

The command line (``python -m teach``) prints a ``ToolError``'s message on one line and exits with status 2;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from helpers.errors import LessonError


class ToolError(LessonError):
    """A teacher's or maintainer's command that cannot do what was asked (the message says why and what to do)."""
