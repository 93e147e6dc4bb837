"""The package's one exception root.

Every error the lessons' helpers raise on purpose (a dataset that does not exist, a value a function cannot
take, an unknown document, a control set to a value it does not offer) is a :class:`LessonError`, and keeps
the built-in class it always had (``ValueError``, ``LookupError``, ``KeyError``) as a second base, so code
that caught those still works. Its message says what was wrong and what to do; it never needs a traceback.

>>> from helpers.analysis import AnalysisError
>>> from helpers.data import UnknownDatasetError
>>> issubclass(AnalysisError, LessonError) and issubclass(UnknownDatasetError, LessonError)
True
>>> issubclass(AnalysisError, ValueError)
True
"""

from __future__ import annotations


class LessonError(Exception):
    """An error a helper raises on purpose, with a message a student can act on."""


class PlainMessage:
    """Mixed into an error whose built-in base (``LookupError``, ``KeyError``) would print its message in quotes."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
