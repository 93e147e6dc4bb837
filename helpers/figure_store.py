"""Figures drawn ahead of time: a lesson's figure is shown from ``helpers/figures/`` when it is provably the same.

Drawing a lesson figure (laying out and rasterising its text, compressing the image) takes 0.1 to 0.3 s, most of a
lesson's running time; an explorer's opening view takes as long. The figures a lesson draws from the shipped data with its given code are the same in every
student's kernel, so ``python -m teach execute`` keeps each one it draws in ``helpers/figures/`` (PNG files named by
their key, listed with their sha256 in ``index.json``), and :func:`helpers.plots.show` shows the stored image instead
of drawing it again when, and only when, all of this holds:

* the figure was made by one call of a figure function (``plots.timeline``, ``maps.conference_map``, a lesson's
  ``series_figure``...), marked :func:`stored`, into new axes (no ``ax=`` given) and from the shipped data (no
  ``data_dir=``); the key is made from the function, every argument (tables by their content) and
* the *stamp*: every file of ``helpers/`` that draws (its code and fonts; not the answer bank), the data package's recorded hashes and the versions of the
  drawing libraries, so that any change to what draws, or to the data drawn, makes a different key;
* matplotlib's own settings (``rcParams``), the drawing's scale and cropping are as they were;
* nothing on the figure changed after the call: matplotlib marks a figure *stale* at any change to any of its parts
  (a title set, a line added, a limit moved), and the store is used only while it is not;
* the stored file is whole: its sha256 is the one in the index.

Anything else (a student's own call, a figure changed after it was made, a file altered) is simply drawn, as it
always was. ``LESSON_FIGURES`` chooses the mode: ``use`` (the default), ``off`` (always draw), ``verify`` (draw every
figure, and stop with :class:`FigureStoreError` if a stored one differs from the drawing: the test suite runs in this
mode) and ``record`` (draw, and write each keyed figure into the folder named by ``LESSON_FIGURES_RECORD``; used by
``make editions``, which then updates the store: see :mod:`teach.figures`).

>>> import os
>>> mode() in {"use", "off", "verify", "record"}
True
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from helpers.errors import LessonError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["FigureStoreError", "STORE_DIR", "INDEX", "mode", "stored", "lookup", "after_drawing", "stamp"]

#: Where the stored figures live (inside the students' package, so the class copy carries them).
STORE_DIR = Path(__file__).resolve().parent / "figures"
#: The store's index: each key's sha256, size and the lessons that draw it.
INDEX = "index.json"
#: The libraries whose version is part of the stamp: a new version may draw differently.
LIBRARIES = ("matplotlib", "pillow", "numpy", "pandas", "geopandas", "shapely", "pyproj")
MODES = ("use", "off", "verify", "record")


class FigureStoreError(LessonError):
    """A stored figure differs from a fresh drawing of the same call (found in ``verify`` mode)."""


#: The key of each figure made by one call of a stored figure function, and not yet changed.
_CALLS: WeakKeyDictionary[Figure, bytes] = WeakKeyDictionary()
_DEPTH = [0]
_STAMP: list[bytes] = []
_INDEX: list[dict] = []


def mode() -> str:
    """The store's mode, from ``LESSON_FIGURES`` (``use`` when unset); an unknown value is refused clearly."""
    value = os.environ.get("LESSON_FIGURES", "use").strip().lower() or "use"
    if value not in MODES:
        raise FigureStoreError(f"LESSON_FIGURES is {value!r}; it can be one of {', '.join(MODES)} (unset means use).")
    return value


def stored(func):
    """Mark ``func`` as a figure function: the figure one call of it makes can be shown from the store.

    Only the outermost call counts (a lesson's figure function that calls ``plots.timeline`` is one figure).
    """
    signature = inspect.signature(func)
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        _DEPTH[0] += 1
        try:
            result = func(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
        if _DEPTH[0] == 0:
            _remember(name, signature, args, kwargs, result)
        return result

    return wrapper


def _remember(name: str, signature: inspect.Signature, args: tuple, kwargs: dict, result) -> None:
    ax = result[0] if isinstance(result, tuple) and result else result
    fig = getattr(ax, "figure", None)
    if fig is None:
        return
    try:
        bound = signature.bind(*args, **kwargs).arguments
    except TypeError:
        return
    if bound.get("ax") is not None or bound.get("data_dir") is not None:
        return  # drawn into axes that already held something, or from other data: not the shipped figure
    try:
        call = pickle.dumps((name, args, sorted(kwargs.items())), protocol=5)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):  # a lambda, an open file: simply drawn
        return
    _CALLS[fig] = hashlib.blake2b(call, digest_size=20).digest()
    fig.stale = False  # from here on, any change to the figure or its parts marks it stale again


def stamp() -> bytes:
    """A digest of everything a stored figure depends on besides its call: helpers' files, the data, the libraries."""
    if not _STAMP:
        from importlib import metadata

        from helpers.data import DATA_DIR

        digest = hashlib.blake2b(digest_size=20)
        root = Path(__file__).resolve().parent
        for path in sorted(p for p in root.rglob("*") if p.is_file() and _draws(p.relative_to(root))):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
        package = Path(DATA_DIR) / "datapackage.json"
        digest.update(package.read_bytes() if package.exists() else b"no data package")
        for library in LIBRARIES:
            try:
                digest.update(f"{library}={metadata.version(library)};".encode())
            except metadata.PackageNotFoundError:
                digest.update(f"{library}=none;".encode())
        _STAMP.append(digest.digest())
    return _STAMP[0]


def _draws(rel: Path) -> bool:
    """Whether a file of helpers/ can change a drawing: its code and fonts; not the store itself, not the answer bank
    (which a class copy replaces with its own), not byte-code, not a stray file an editor or the desktop left."""
    return rel.suffix in (".py", ".otf", ".ttf") and rel.parts[0] not in ("figures", "answers") and "__pycache__" not in rel.parts


def _key(fig: Figure, scale: float, tight: bool = True) -> str | None:
    call = _CALLS.get(fig)
    if call is None or fig.stale:
        return None
    import matplotlib

    settings = repr(sorted(dict.items(matplotlib.rcParams))).encode()
    digest = hashlib.blake2b(call + stamp() + settings + repr((float(scale), bool(tight))).encode(), digest_size=20)
    return digest.hexdigest()


def _index() -> dict:
    if not _INDEX:
        try:
            _INDEX.append(json.loads((STORE_DIR / INDEX).read_text(encoding="utf-8")).get("figures", {}))
        except (OSError, ValueError, AttributeError):
            _INDEX.append({})
    return _INDEX[0]


def lookup(fig: Figure, scale: float, tight: bool = True) -> tuple[str | None, bytes | None]:
    """``(name, stored image)`` for ``fig`` drawn at ``scale``, cropped (a PNG) or not (an SVG frame): the name
    (``KEY.png`` or ``KEY.svg``) is None if the figure cannot be stored, the image None if nothing whole is stored
    under that name (or the mode is ``off`` or ``record``)."""
    current = mode()
    if current == "off":
        return None, None
    key = _key(fig, scale, tight)
    if key is None:
        return None, None
    name = f"{key}.png" if tight else f"{key}.svg"
    if current == "record":
        return name, None
    entry = _index().get(name)
    if not entry:
        return name, None
    try:
        image = (STORE_DIR / name).read_bytes()
    except OSError:
        return name, None
    if hashlib.sha256(image).hexdigest() != entry.get("sha256"):
        return name, None  # altered or truncated: drawn instead
    return name, image


def after_drawing(name: str | None, image: bytes, stored_image: bytes | None) -> None:
    """What follows a fresh drawing: in ``verify`` mode, compare it with the stored one; in ``record`` mode, keep it."""
    if name is None:
        return
    current = mode()
    if current == "verify" and stored_image is not None and stored_image != image:
        raise FigureStoreError(
            f"The stored figure helpers/figures/{name} differs from a fresh drawing of the same call: the drawing "
            "changed without the store being rebuilt. Run `make editions` and commit helpers/figures/."
        )
    if current == "record":
        folder = os.environ.get("LESSON_FIGURES_RECORD")
        if not folder:
            raise FigureStoreError("LESSON_FIGURES=record needs LESSON_FIGURES_RECORD, the folder to write the figures in.")
        target = Path(folder) / name
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(image)
        os.replace(temporary, target)
