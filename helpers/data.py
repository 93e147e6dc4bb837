"""Load the course datasets: typed, validated, and carrying their sources.

Every table lives in ``data/<name>.csv`` and is described in ``data/datapackage.json``
(the Frictionless Data Package standard). ``load(name)`` reads the CSV, gives each
column the type its schema names, checks the schema's rules, and attaches the
metadata (title, units, sources, licence) to ``df.attrs``.

Examples
--------
>>> from helpers.data import load, datasets, cite
>>> events = load("events")
>>> events.attrs["title"]
'Timeline of Sino-Soviet relations, 1949-1960'
>>> print(cite("events"))  # doctest: +SKIP

Why not call the ``frictionless`` validator on every load? It is the reference
validator and the test suite runs it over the whole package
(``tests/test_data_package.py``), but it costs far more per call than a lesson
should wait. ``load`` applies the same Table Schema rules (types, required,
enum, minimum/maximum, pattern, unique, primary key, foreign keys to the
bibliography) with vectorised pandas checks, and reports the first broken rule
with file, row and column.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from helpers.errors import ArgumentError, LessonError, PlainMessage, called_right

__all__ = [
    "DATA_DIR",
    "cell_text",
    "DataValidationError",
    "DataChangedError",
    "UnknownDatasetError",
    "cite",
    "datasets",
    "load",
    "bibliography",
    "verify",
]

#: Folder holding the CSV files and ``datapackage.json``. Set the environment
#: variable ``SINO_SOVIET_DATA`` to use another copy (the tests do).
DATA_DIR = Path(os.environ.get("SINO_SOVIET_DATA", Path(__file__).resolve().parent.parent / "data"))

BIBLIOGRAPHY = "sources"  # the resource that lists every source cited


def cell_text(value: Any) -> str:
    """A table cell as text: "" for a missing value (None, NaN, pandas' NA), else ``str(value)``.

    >>> cell_text(float("nan")), cell_text(None), cell_text(1957)
    ('', '', '1957')
    """
    return "" if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)) else str(value)


class UnknownDatasetError(PlainMessage, LessonError, LookupError):
    """Raised by :func:`load` and :func:`cite` for a name that is not in the package."""

class DataValidationError(LessonError, ValueError):
    """A data file breaks its schema. The message names file, row, column and rule."""


class MissingPackageError(PlainMessage, LessonError, FileNotFoundError):
    """No ``datapackage.json`` where the data should be."""


class DataChangedError(DataValidationError):
    """A data file (a table or a boundary file) differs from the file recorded in datapackage.json (its ``hash``)."""


# --------------------------------------------------------------------------- package


def _data_dir(data_dir: str | Path | None) -> Path:
    return Path(data_dir) if data_dir is not None else DATA_DIR


def _package(data_dir: Path) -> dict[str, Any]:
    path = data_dir / "datapackage.json"
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise MissingPackageError(
            f"No data package at {path}. Run the lessons from a clone of the repository, "
            "or set SINO_SOVIET_DATA to the folder that holds datapackage.json."
        ) from None
    return _read_package(path, mtime)


@lru_cache(maxsize=8)
def _read_package(path: Path, mtime_ns: int) -> dict[str, Any]:
    # mtime_ns is part of the cache key, so an edited datapackage.json is read again.
    text = path.read_text(encoding="utf-8")
    try:
        package = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataValidationError(f"{path}: not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    _check_package(package, path)
    return package


#: The Table Schema field types ``load`` reads (https://specs.frictionlessdata.io/table-schema/#types-and-formats).
FIELD_TYPES = ("string", "integer", "number", "boolean", "date")
_OTHER_TYPES = ("datetime", "time", "year", "yearmonth", "duration", "geopoint", "geojson", "object", "array", "any")


def _check_package(package: Any, path: Path) -> None:
    """Refuse a datapackage.json whose shape ``load`` cannot follow, naming the resource and field."""
    where = _show(path)
    if not isinstance(package, dict) or not isinstance(package.get("resources", []), list):
        raise DataValidationError(f"{where}: expected an object with a list of \"resources\" (the Data Package standard).")
    for number, resource in enumerate(package.get("resources", []), start=1):
        if not isinstance(resource, dict) or not isinstance(resource.get("name"), str) or not isinstance(resource.get("path"), str):
            raise DataValidationError(f"{where}, resource {number}: every resource needs a \"name\" and a \"path\" (both text).")
        schema = resource.get("schema")
        if schema is None:
            continue
        fields = schema.get("fields") if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not fields:
            raise DataValidationError(f"{where}, resource '{resource['name']}': the schema needs a non-empty list of \"fields\".")
        for field in fields:
            name = field.get("name") if isinstance(field, dict) else None
            if not isinstance(name, str):
                raise DataValidationError(f"{where}, resource '{resource['name']}': every field needs a \"name\" (text), got {field!r}.")
            ftype = field.get("type", "string")
            at = f"{where}, resource '{resource['name']}', field '{name}'"
            if ftype not in FIELD_TYPES:
                if ftype in _OTHER_TYPES:
                    raise DataValidationError(f"{at}: type {ftype!r} is a Table Schema type these lessons do not read; use one of {list(FIELD_TYPES)}.")
                close = difflib.get_close_matches(str(ftype), FIELD_TYPES + _OTHER_TYPES, n=1, cutoff=0.6)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise DataValidationError(f"{at}: {ftype!r} is not a Table Schema type.{hint} The types are {list(FIELD_TYPES)}.")
            cons = field.get("constraints", {})
            if not isinstance(cons, dict):
                raise DataValidationError(f"{at}: \"constraints\" must be an object, got {cons!r}.")
            for key in ("minimum", "maximum"):
                if key in cons:
                    limit = cons[key]
                    ok = (isinstance(limit, (int, float)) and not isinstance(limit, bool)) if ftype in ("integer", "number") else ftype == "date" and isinstance(limit, str)
                    if not ok:
                        raise DataValidationError(f"{at}: the {key} {limit!r} does not fit a field of type {ftype}.")
            if "enum" in cons and not isinstance(cons["enum"], list):
                raise DataValidationError(f"{at}: the enum constraint must be a list of the allowed values, got {cons['enum']!r}.")


def _resources(data_dir: Path) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in _package(data_dir).get("resources", [])}


def _resource(name: str, data_dir: Path) -> dict[str, Any]:
    resources = _resources(data_dir)
    if not isinstance(name, str):
        raise ArgumentError(f"A dataset name is a string such as 'events'; got {type(name).__name__} {name!r:.60}.")
    if name in resources:
        return resources[name]
    valid = sorted(resources)
    close = difflib.get_close_matches(name.strip().lower().replace(" ", "_").replace("-", "_"), valid, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise UnknownDatasetError(f"There is no dataset called '{name}'.{hint} The datasets are: {', '.join(valid)}.")


def datasets(data_dir: str | Path | None = None) -> pd.DataFrame:
    """List the datasets: name, title and number of columns, in package order.

    >>> datasets().columns.tolist()
    ['name', 'title', 'description']
    """
    rows = [
        {"name": r["name"], "title": r.get("title", ""), "description": r.get("description", "")}
        for r in _package(_data_dir(data_dir)).get("resources", [])
        if "schema" in r  # the boundary files (data/boundaries/) are read by helpers.maps, not as tables
    ]
    return pd.DataFrame(rows, columns=["name", "title", "description"])


# --------------------------------------------------------------------------- loading


def load(name: str, data_dir: str | Path | None = None) -> pd.DataFrame:
    """Return dataset ``name`` as a typed, validated DataFrame with metadata in ``df.attrs``.

    ``df.attrs`` holds ``name``, ``title``, ``description``, ``units`` (column -> unit),
    ``sources`` (the resource's sources), ``licenses`` and ``path``. The formatted citation is
    ``cite(name)``: it is not copied into ``attrs``, because pandas copies ``attrs`` along with
    every operation on the frame, and a long text there slows every step of a lesson. For the same
    reason ``sources`` and ``licenses`` are read-only lists (:class:`SharedList`) that every table made
    from this one shares instead of copying.

    Raises
    ------
    UnknownDatasetError
        ``name`` is not in the package; the message lists the valid names and the closest one.
    DataValidationError
        the file breaks its schema; the message names the file, row, column and rule.
    """
    ddir = _data_dir(data_dir)
    resource = _resource(name, ddir)
    if "schema" not in resource:
        raise DataValidationError(
            f"'{name}' is a boundary file ({resource.get('format', 'not a table')}, data/{resource['path']}), not a table: "
            "read it with helpers.maps, e.g. maps.boundaries('" + name + "')."
        )
    df = _cached(name, ddir).copy()
    df.attrs = _attrs(resource, ddir)
    return df


@lru_cache(maxsize=64)
def _load_validated(name: str, path: Path, mtime_ns: int, ddir: Path) -> pd.DataFrame:
    # mtime_ns is part of the cache key, so an edited file is read again.
    resource = _resources(ddir)[name]
    raw = _read_csv(path)
    df = _apply_schema(raw, resource.get("schema", {}), path)
    if name != BIBLIOGRAPHY and "source_id" in df.columns and BIBLIOGRAPHY in _resources(ddir):
        _check_source_ids(df, path, ddir)
    return df


def _cached(name: str, ddir: Path) -> pd.DataFrame:
    resource = _resources(ddir)[name]
    path = ddir / resource["path"]
    mtime = _checked(resource, path, ddir)
    return _load_validated(name, path, mtime, ddir)


# --------------------------------------------------------------------------- recorded hashes

#: (path, recorded hash) -> (mtime, size) of the file when its hash last matched: each file is hashed once per
#: process, and again only when it changes on disk.
_VERIFIED: dict[tuple[Path, str], tuple[int, int]] = {}


def _digest(path: Path, algorithm: str = "sha256") -> str:
    return hashlib.new(algorithm, path.read_bytes()).hexdigest()


def _shown_in_repo(path: Path, ddir: Path) -> str:
    """``data/boundaries/x.json``: the path from the repository's root, as ``git checkout`` takes it."""
    try:
        return f"{ddir.name}/{path.relative_to(ddir).as_posix()}"
    except ValueError:
        return str(path)


def _checked(resource: dict[str, Any], path: Path, ddir: Path) -> int:
    """The file's mtime (ns), once its bytes are known to be the ones recorded in the resource's ``hash``.

    A resource without a ``hash`` is not checked (a package being written, the tests' small packages)."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise DataValidationError(f"{_show(path)}: the file is missing, but datapackage.json describes it.") from None
    recorded = resource.get("hash")
    if not isinstance(recorded, str) or not recorded:
        return stat.st_mtime_ns
    key, seen = (path, recorded), (stat.st_mtime_ns, stat.st_size)
    if _VERIFIED.get(key) == seen:
        return stat.st_mtime_ns
    algorithm, _, expected = recorded.rpartition(":")
    algorithm = algorithm or "md5"  # the Data Package standard's default when the hash names no algorithm
    try:
        actual = _digest(path, algorithm)
    except ValueError:
        raise DataValidationError(f"datapackage.json: {resource['name']!r} records its hash as {recorded!r}, "
                                  f"and {algorithm!r} is not a hash algorithm; run python -m helpers.data sync.") from None
    if actual != expected:
        where = _shown_in_repo(path, ddir)
        size = resource.get("bytes")
        how = ("now empty" if stat.st_size == 0 else f"{stat.st_size:,} bytes, recorded {size:,}"
               if isinstance(size, int) and size != stat.st_size else "same size, different content")
        raise DataChangedError(
            f"{where} has changed since it was recorded (truncated? edited? {how}): restore it with git checkout {where}, "
            "or run python -m helpers.data sync if you changed it on purpose."
        )
    _VERIFIED[key] = seen
    return stat.st_mtime_ns


def verify(name: str, data_dir: str | Path | None = None) -> Path:
    """The path of resource ``name`` (a table or a boundary file), once its bytes match the hash recorded in
    datapackage.json; a :class:`DataChangedError` saying how to restore it if not.

    Hashed once per file per process, and again when the file's modification time or size changes.
    """
    ddir = _data_dir(data_dir)
    resource = _resource(name, ddir)
    path = ddir / resource["path"]
    _checked(resource, path, ddir)
    return path


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
        if not isinstance(raw.index, pd.RangeIndex) or raw.isna().any().any():
            _check_row_lengths(path)  # pandas would shift a long row's cells into an index, or fill a short one
        return raw
    except FileNotFoundError:
        raise DataValidationError(f"{_show(path)}: the file is missing, but datapackage.json describes it.") from None
    except UnicodeDecodeError as err:
        raise DataValidationError(f"{_show(path)}: not UTF-8 text ({err.reason} at byte {err.start}).") from None
    except pd.errors.EmptyDataError:
        raise DataValidationError(f"{_show(path)}: the file is empty; it should start with a header line naming the columns.") from None
    except pd.errors.ParserError as err:
        raise DataValidationError(f"{_show(path)}: not a well-formed CSV file ({err}).") from None


def _check_row_lengths(path: Path) -> None:
    """Refuse a row with more or fewer cells than the header, naming its line."""
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        for row in reader:
            if row and len(row) != len(header):
                raise DataValidationError(
                    f"{_show(path)}, line {reader.line_num}: {len(row)} cells, but the header has {len(header)} columns "
                    "(a missing or extra comma? a text with a comma needs double quotes)."
                )


def _show(path: Path) -> str:
    """The path as a student would find it: relative to the repository."""
    try:
        return str(path.relative_to(path.parents[1]))
    except (ValueError, IndexError):
        return str(path)


def _fail(path: Path, index: Any, column: str, rule: str) -> DataValidationError:
    row = int(index) + 1  # data row, 1-based; the header is line 1 of the file
    return DataValidationError(f"{_show(path)}, row {row} (line {row + 1} of the file), column '{column}': {rule}")


def _first_bad(mask: pd.Series) -> Any | None:
    bad = mask[mask]
    return None if bad.empty else bad.index[0]


def _apply_schema(raw: pd.DataFrame, schema: dict[str, Any], path: Path) -> pd.DataFrame:
    fields = schema.get("fields", [])
    names = [f["name"] for f in fields]
    missing = [n for n in names if n not in raw.columns]
    extra = [c for c in raw.columns if c not in names]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {missing}")
        if extra:
            parts.append(f"column(s) {extra} not described in datapackage.json")
        raise DataValidationError(f"{_show(path)}, header (line 1): {'; '.join(parts)}.")
    if raw.empty:
        raise DataValidationError(f"{_show(path)}: the file has a header line but no rows of data.")
    out = {}
    for field in fields:
        out[field["name"]] = _typed_column(raw[field["name"]], field, path)
    df = pd.DataFrame(out, index=raw.index)
    pk = schema.get("primaryKey")
    if pk:
        pk = [pk] if isinstance(pk, str) else list(pk)
        dup = df.duplicated(subset=pk, keep="first")
        idx = _first_bad(dup)
        if idx is not None:
            key = ", ".join(f"{c}={df.at[idx, c]}" for c in pk)
            first = df.index[(df[pk] == df.loc[idx, pk]).all(axis=1)][0]
            raise _fail(path, idx, "+".join(pk), f"duplicate primary key ({key}); the same key is already in row {int(first) + 1}.")
    return df


_TRUE = {"true", "True", "TRUE", "yes", "1"}
_FALSE = {"false", "False", "FALSE", "no", "0"}


def _typed_column(col: pd.Series, field: dict[str, Any], path: Path) -> pd.Series:
    name, ftype = field["name"], field.get("type", "string")
    cons = field.get("constraints", {})
    text = col.str.strip()
    empty = text == ""
    if cons.get("required"):
        idx = _first_bad(empty)
        if idx is not None:
            raise _fail(path, idx, name, "a value is required here but the cell is empty.")
    present = ~empty
    if ftype == "integer":
        values = pd.to_numeric(text.where(present), errors="coerce")
        bad = present & (values.isna() | (values % 1 != 0))
        idx = _first_bad(bad)
        if idx is not None:
            raise _fail(path, idx, name, f"{col[idx]!r} is not a whole number (the schema says type integer).")
        typed = values.astype("Int64")
    elif ftype == "number":
        values = pd.to_numeric(text.where(present), errors="coerce")
        idx = _first_bad(present & values.isna())
        if idx is not None:
            raise _fail(path, idx, name, f"{col[idx]!r} is not a number (the schema says type number; write 1234.5, no units or separators).")
        typed = values.astype("Float64")
    elif ftype == "date":
        values = pd.to_datetime(text.where(present), format="%Y-%m-%d", errors="coerce")
        idx = _first_bad(present & values.isna())
        if idx is not None:
            raise _fail(path, idx, name, f"{col[idx]!r} is not a date in the form YYYY-MM-DD (the schema says type date).")
        typed = values
    elif ftype == "boolean":
        known = text.isin(_TRUE | _FALSE)
        idx = _first_bad(present & ~known)
        if idx is not None:
            raise _fail(path, idx, name, f"{col[idx]!r} is not true or false (the schema says type boolean).")
        typed = text.map(lambda v: True if v in _TRUE else (False if v in _FALSE else pd.NA)).astype("boolean")
    else:
        typed = col.where(present, pd.NA).astype("string")
    # constraints on the typed values
    if "enum" in cons:
        allowed = cons["enum"]
        check = typed.astype("string") if ftype != "string" else typed
        bad = present & ~check.isin([str(a) for a in allowed])
        idx = _first_bad(bad)
        if idx is not None:
            raise _fail(path, idx, name, f"{col[idx]!r} is not one of the allowed values {allowed}.")
    for key, op, word in (("minimum", "lt", "below the minimum"), ("maximum", "gt", "above the maximum")):
        if key in cons:
            limit = cons[key]
            if ftype == "date":
                limit = pd.Timestamp(limit)
            bad = present & getattr(typed, op)(limit).fillna(False).astype(bool)
            idx = _first_bad(bad)
            if idx is not None:
                raise _fail(path, idx, name, f"{col[idx]!r} is {word} {cons[key]!r} allowed by the schema.")
    if "pattern" in cons:
        bad = present & ~text.str.fullmatch(cons["pattern"]).fillna(False).astype(bool)
        idx = _first_bad(bad)
        if idx is not None:
            raise _fail(path, idx, name, f"{col[idx]!r} does not match the pattern {cons['pattern']!r}.")
    if cons.get("unique"):
        idx = _first_bad(present & typed.duplicated(keep="first"))
        if idx is not None:
            raise _fail(path, idx, name, f"{col[idx]!r} appears twice, but values in this column must be unique.")
    return typed


def _source_ids(ddir: Path) -> frozenset[str]:
    return frozenset(_cached(BIBLIOGRAPHY, ddir)["source_id"].dropna())


def _check_source_ids(df: pd.DataFrame, path: Path, ddir: Path) -> None:
    known = _source_ids(ddir)
    for idx, cell in df["source_id"].items():
        if pd.isna(cell):
            continue
        for sid in str(cell).split(";"):
            if sid.strip() not in known:
                raise _fail(path, idx, "source_id", f"{sid.strip()!r} is not an id in data/sources.csv (the bibliography); add the source there first.")


# --------------------------------------------------------------------------- metadata


def _read_only(*_args: Any, **_kwargs: Any) -> None:
    raise ArgumentError(
        "A table's sources and licences (df.attrs) are read-only: they are the data package's own record. "
        "Copy them to change them, e.g. sources = [dict(s) for s in df.attrs['sources']]."
    )


class SharedList(list):
    """A read-only list that pandas shares between a table and every table made from it.

    pandas deep-copies a table's ``attrs`` into the result of every operation (each filter, each column taken): the
    timeline's 157 sources made a filter of ``events`` three times slower than the filter itself. A list that cannot
    change needs no copy, so :func:`copy.deepcopy` gives back the same one. It compares equal to a plain list, and
    JSON writes it as one.
    """

    __slots__ = ()
    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only

    def __deepcopy__(self, memo: dict) -> SharedList:
        return self

    def __reduce__(self):
        return (SharedList, (list(self),))


class SharedRecord(dict):
    """A read-only mapping, for the records inside a :class:`SharedList` (one source, one licence)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = clear = pop = popitem = setdefault = update = _read_only

    def __deepcopy__(self, memo: dict) -> SharedRecord:
        return self

    def __reduce__(self):
        return (SharedRecord, (dict(self),))


def _shared(records: list) -> SharedList:
    return SharedList(SharedRecord(r) if isinstance(r, dict) else r for r in records)


def _attrs(resource: dict[str, Any], ddir: Path) -> dict[str, Any]:
    fields = resource.get("schema", {}).get("fields", [])
    return {
        "name": resource["name"],
        "title": resource.get("title", resource["name"]),
        "description": resource.get("description", ""),
        "units": {f["name"]: f["unit"] for f in fields if f.get("unit")},
        "sources": _shared(resource.get("sources", [])),
        "licenses": _shared(resource.get("licenses", _package(ddir).get("licenses", []))),
        "path": f"data/{resource['path']}",
    }


def bibliography(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The bibliography (``data/sources.csv``) indexed by ``source_id``."""
    return load(BIBLIOGRAPHY, data_dir).set_index("source_id")


def _format_source(row: pd.Series) -> str:
    parts = [str(row["author"])]
    parts.append(f"({row['year']})" if pd.notna(row["year"]) else "(n.d.)")
    title = str(row["title"])
    parts.append(f"{title}.")
    if pd.notna(row.get("publisher")):
        parts.append(f"{row['publisher']}.")
    if pd.notna(row.get("pages")):
        parts.append(f"{row['pages']}.")
    if pd.notna(row.get("url")):
        parts.append(str(row["url"]))
    return " ".join(parts)


def cite(name: str, data_dir: str | Path | None = None) -> str:
    """A formatted citation for dataset ``name``: the table, then every source it draws on.

    >>> print(cite("events").splitlines()[0])  # doctest: +SKIP
    Timeline of Sino-Soviet relations, 1949-1960. In: Sino-Soviet Relations 1957 (course data package), data/events.csv. Licence: CC-BY-4.0.
    """
    ddir = _data_dir(data_dir)
    resource = _resource(name, ddir)
    pkg = _package(ddir)
    licences = resource.get("licenses", pkg.get("licenses", []))
    lic = ", ".join(lic.get("name", "") for lic in licences) or "see datapackage.json"
    lines = [
        f"{resource.get('title', name)}. In: {pkg.get('title', 'course data package')}, data/{resource['path']}. Licence: {lic}."
    ]
    ids: list[str] = []
    if name != BIBLIOGRAPHY and BIBLIOGRAPHY in _resources(ddir) and "schema" in resource:
        df = _cached(name, ddir)
        if "source_id" in df.columns:
            for cell in df["source_id"].dropna():
                for sid in str(cell).split(";"):
                    if sid.strip() not in ids:
                        ids.append(sid.strip())
    if ids:
        bib = bibliography(ddir)
        lines.append("Sources:")
        lines.extend(f"- {_format_source(bib.loc[sid])}" for sid in sorted(ids))
    else:
        lines.extend(f"- {s.get('title', '')}" for s in resource.get("sources", []))
    return "\n".join(lines)


def units(df: pd.DataFrame) -> dict[str, str]:
    """The units of a loaded dataset's columns (from ``df.attrs``)."""
    if not isinstance(df, pd.DataFrame):
        raise ArgumentError(f"units() needs a table loaded with load(...), such as units(load('events')); got {type(df).__name__} {df!r:.40}.")
    return dict(df.attrs.get("units", {}))


# --------------------------------------------------------------------------- maintenance


def resource_sources(name: str, data_dir: str | Path | None = None) -> list[dict[str, str]]:
    """The Frictionless ``sources`` list a resource should carry: one entry per source its rows cite."""
    ddir = _data_dir(data_dir)
    _resource(name, ddir)  # an unknown name: the usual message with the valid names
    df = _cached(name, ddir)
    bib = bibliography(ddir)
    ids = sorted({sid.strip() for cell in df["source_id"].dropna() for sid in str(cell).split(";")})
    out = []
    for sid in ids:
        entry = {"title": _format_source(bib.loc[sid]), "source_id": sid}
        if pd.notna(bib.loc[sid, "url"]):
            entry["path"] = str(bib.loc[sid, "url"])
        out.append(entry)
    return out


def sync_sources(data_dir: str | Path | None = None, write: bool = True) -> list[str]:
    """Rewrite every resource's ``sources`` in datapackage.json from the rows' ``source_id``s.

    Returns the names of the resources whose ``sources`` changed (empty when in sync).
    ``python -m helpers.data sync`` runs it; the data tests check that it has nothing to do.
    """
    ddir = _data_dir(data_dir)
    path = ddir / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    changed = []
    for resource in pkg["resources"]:
        if resource["name"] == BIBLIOGRAPHY or "source_id" not in {f["name"] for f in resource.get("schema", {}).get("fields", [])}:
            continue
        wanted = resource_sources(resource["name"], ddir)
        if resource.get("sources") != wanted:
            resource["sources"] = wanted
            changed.append(resource["name"])
    if changed and write:
        _write_package(path, pkg)
    return changed


#: Tables whose rows rest on a data set rather than a text: the map's outline recipe cites the boundary files.
OUTLINE_TABLES = ("map_1957_states",)


def reference_only_rows(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Every row, in every table, whose sources are all reference works (``kind == "reference"`` in the bibliography).

    A row with one scholarly, primary or statistical source beside the reference work is not counted. The map's
    outline rows (``OUTLINE_TABLES``) are left out: they rest on the boundary data sets, not on a text.
    Returns one row per hit: ``table``, ``line`` (the line in the CSV file, header = 1), ``key`` (the row's first
    column) and ``source_id``. ``python -m helpers.data reference-only`` prints it with the count per table.
    """
    ddir = _data_dir(data_dir)
    kind = bibliography(ddir)["kind"].to_dict()
    hits = []
    for name, resource in _resources(ddir).items():
        fields = [f["name"] for f in resource.get("schema", {}).get("fields", [])]
        if name == BIBLIOGRAPHY or name in OUTLINE_TABLES or "source_id" not in fields:
            continue
        df = _cached(name, ddir)
        for i, (idx, cell) in enumerate(df["source_id"].items()):
            ids = [s.strip() for s in str(cell).split(";") if s.strip()] if pd.notna(cell) else []
            if ids and all(kind.get(s) == "reference" for s in ids):
                hits.append({"table": name, "line": i + 2, "key": cell_text(df.iloc[i, 0]), "source_id": ";".join(ids)})
    return pd.DataFrame(hits, columns=["table", "line", "key", "source_id"])


def sync_hashes(data_dir: str | Path | None = None, write: bool = True) -> list[str]:
    """Record every resource's ``bytes`` and ``hash`` (sha256) in datapackage.json, from the files as they are.

    Returns the names of the resources whose record changed (empty when in sync). Run it (``python -m helpers.data
    sync``) after changing a data file on purpose: :func:`load` and the maps refuse a file that differs from its record.
    """
    ddir = _data_dir(data_dir)
    path = ddir / "datapackage.json"
    pkg = json.loads(path.read_text(encoding="utf-8"))
    changed = []
    for resource in pkg["resources"]:
        file = ddir / resource["path"]
        if not file.exists():
            raise DataValidationError(f"{_shown_in_repo(file, ddir)} is missing, but datapackage.json describes it as {resource['name']!r}.")
        record = {"bytes": file.stat().st_size, "hash": "sha256:" + _digest(file)}
        if any(resource.get(k) != v for k, v in record.items()):
            resource.update(record)
            changed.append(resource["name"])
    if changed and write:
        _write_package(path, pkg)
    return changed


def _write_package(path: Path, pkg: dict[str, Any]) -> None:
    """datapackage.json written whole or not at all (a temporary file, then a rename)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(pkg, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


def sync(data_dir: str | Path | None = None, write: bool = True) -> list[str]:
    """Bring datapackage.json up to date with the files: every resource's hash and size, then its sources.

    Returns what changed, as 'name: hash' and 'name: sources' (empty when in sync)."""
    hashes = sync_hashes(data_dir, write)
    if hashes and not write:  # the sources are read from the files, which are refused until their hashes are recorded
        return [f"{n}: hash" for n in hashes]
    return [f"{n}: hash" for n in hashes] + [f"{n}: sources" for n in sync_sources(data_dir, write)]


for _name in ("cite", "datasets", "load", "bibliography", "verify", "units", "cell_text"):
    globals()[_name] = called_right(globals()[_name])  # a call missing its argument: how the function is called

if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["sync"]:
        names = sync()
        print("updated " + ", ".join(names) if names else "datapackage.json already in sync (hashes and sources)")
    elif sys.argv[1:] == ["reference-only"]:
        rows = reference_only_rows()
        with pd.option_context("display.max_rows", None, "display.width", 200, "display.max_colwidth", 60):
            print(rows.to_string(index=False) if len(rows) else "no row rests on reference works only")
            print()
            print(rows.groupby("table").size().rename("rows").to_string() if len(rows) else "")
        print(f"\nrows resting on reference works only: {len(rows)}")
    else:
        print(datasets().to_string(index=False))
