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

import functools
import inspect


class LessonError(Exception):
    """An error a helper raises on purpose, with a message a student can act on."""


class PlainMessage:
    """Mixed into an error whose built-in base (``LookupError``, ``KeyError``) would print its message in quotes."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ArgumentError(PlainMessage, LessonError, TypeError):
    """A function called with an argument missing, one it does not take, or a value of a type it cannot use."""


def called_right(func):
    """``func``, with a call that does not fit its signature (an argument missing or unknown) answered by an
    :class:`ArgumentError` that shows how the function is called, instead of Python's bare ``TypeError``.

    Nothing is checked on a call that works: the signature is consulted only after a ``TypeError``.

    >>> @called_right
    ... def card(doc_id: str, *, questions: bool = True): ...
    >>> card()
    Traceback (most recent call last):
    helpers.errors.ArgumentError: card() is missing the argument 'doc_id'. It is called as card(doc_id, *, questions=True).
    """
    signature = inspect.signature(func)
    bare = signature.replace(parameters=[p.replace(annotation=p.empty) for p in signature.parameters.values()], return_annotation=signature.empty)
    shape = f"{func.__name__}{bare}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TypeError as err:
            if isinstance(err, LessonError):
                raise
            try:
                signature.bind(*args, **kwargs)
            except TypeError as wrong:
                raise ArgumentError(f"{func.__name__}() {_plain(wrong)}. It is called as {shape}.") from None
            raise

    wrapper.__wrapped__ = func
    return wrapper


def _plain(err: TypeError) -> str:
    text = str(err)
    missing = text.removeprefix("missing a required argument: ")
    if missing != text:
        return f"is missing the argument {missing}"
    return text
