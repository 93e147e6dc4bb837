"""The glossary: the key terms of the lessons, each with a definition and a source to check it against.

The table ``glossary`` (``data/glossary.csv``, loaded like any other with ``load("glossary")``) holds one row
per term: a definition of one to three sentences in the collection's own words, the first lesson that uses
the term, the timeline events and document excerpts it belongs to, the Chinese or Russian term where it
helps, and a work of the bibliography (``source_id`` and ``source_pages``) against which a student can check
the definition.

>>> from helpers import glossary
>>> glossary.term("revisionism")  # doctest: +SKIP
>>> glossary.terms(lesson=2)  # doctest: +SKIP

A term is found whatever its capitals, quotation marks or spacing (``term("156 projects")`` finds
``"156 projects"``); an unknown term gets the closest terms in the message, never a KeyError.

Each lesson lists its key terms in one markdown cell tagged ``key-terms``, written
``**Key terms:** term one, term two, ...``; :func:`key_terms` reads that list back, and the tests check
that every listed term has a row here.
"""

from __future__ import annotations

import difflib
import html
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Any

import pandas as pd

from helpers import data
from helpers.analysis import AnalysisError, guard_module
from helpers.errors import PlainMessage

__all__ = ["KEY_TERMS_TAG", "GlossaryCard", "UnknownTermError", "get", "key_terms", "normalise", "table", "term", "terms"]

#: The cell tag that marks a lesson's list of key terms.
KEY_TERMS_TAG = "key-terms"

#: Characters per line of the plain-text card (the same width as the document cards).
WIDTH = 77

_KEY_TERMS = re.compile(r"^\s*\*\*Key terms:\*\*\s*(?P<terms>.+?)\s*$", re.S)


class UnknownTermError(PlainMessage, AnalysisError, LookupError):
    """No term of the glossary has that name; the message names the closest terms."""

# --------------------------------------------------------------------------- the table


def table() -> pd.DataFrame:
    """The ``glossary`` table, validated, as :func:`helpers.data.load` gives it."""
    return data.load("glossary")


_text = data.cell_text


def normalise(name: str) -> str:
    """The form under which terms are compared: case folded, accents and quotation marks dropped, spaces collapsed.

    >>> normalise('"Long Live  Leninism!"')
    'long live leninism!'
    """
    folded = unicodedata.normalize("NFKD", str(name)).casefold()
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = re.sub(r"[\"'“”‘’«»]", "", folded)
    folded = folded.replace("‐", "-").replace("–", "-")
    return " ".join(folded.split())


def get(name: str) -> pd.Series:
    """The row of one term. An unknown term gets the closest terms, never a KeyError."""
    if not isinstance(name, str) or not name.strip():
        raise AnalysisError(f"A term is named by its text, such as 'revisionism' or 'people's commune'; got {name!r:.60}.")
    rows = table()
    keys = {normalise(t): i for i, t in enumerate(rows["term"])}
    wanted = normalise(name)
    if wanted in keys:
        return rows.iloc[keys[wanted]]
    # a plural, or a term given with its original: 'people's communes', '修正主义'
    for candidate in (wanted[:-1] if wanted.endswith("s") else wanted + "s",):
        if candidate in keys:
            return rows.iloc[keys[candidate]]
    for i, original in enumerate(rows["original"]):
        for segment in normalise(_text(original)).split(";"):
            head, _, rest = segment.strip().partition(" ")
            if wanted in (segment.strip(), head, rest.strip()) and wanted:
                return rows.iloc[i]
    close = difflib.get_close_matches(wanted, list(keys), n=4, cutoff=0.6)
    if not close:  # a word of a longer term: 'Leap' for 'Great Leap Forward'
        close = [k for k in keys if wanted and wanted in k][:4]
    by_key = {normalise(t): t for t in rows["term"]}
    hint = f" Did you mean {', '.join(repr(by_key[c]) for c in close)}?" if close else " glossary.terms() lists them all."
    raise UnknownTermError(f"The glossary has no term {name.strip()!r}.{hint}")


def terms(lesson: int | None = None) -> pd.DataFrame:
    """The glossary as a table (term, original, first lesson, definition), in order of first lesson and term.

    ``lesson`` (0-5) keeps the terms that lesson is the first to use."""
    rows = table()
    if lesson is not None:
        if isinstance(lesson, bool):
            raise AnalysisError(f"lesson is a lesson's number, 0 to 5; got {lesson!r}.")
        try:
            number = int(lesson)
        except (TypeError, ValueError):
            raise AnalysisError(f"lesson is a lesson's number, 0 to 5; got {lesson!r:.40}.") from None
        if number != lesson or not 0 <= number <= 5:
            raise AnalysisError(f"lesson is a lesson's number, 0 to 5; got {lesson!r:.40}.")
        rows = rows[rows["first_lesson"] == number]
    out = rows[["term", "original", "first_lesson", "definition"]].copy()
    out["_key"] = out["term"].map(normalise)
    out = out.sort_values(["first_lesson", "_key"]).drop(columns="_key").reset_index(drop=True)
    out.attrs = {}
    return out


def key_terms(cells: Any) -> list[str]:
    """The key terms a lesson lists in its cell tagged ``key-terms`` (in the order written).

    ``cells`` is a notebook (``nbformat`` node or dict) or its list of cells. A lesson without such a cell
    gives an empty list; a tagged cell that is not of the form ``**Key terms:** a, b, c`` is refused."""
    cells = cells.get("cells", []) if isinstance(cells, dict) else cells
    if isinstance(cells, (str, bytes)) or not hasattr(cells, "__iter__"):
        raise AnalysisError(f"key_terms() needs a notebook or its list of cells (nbformat.read(...).cells); got {type(cells).__name__} {cells!r:.40}.")
    found: list[str] = []
    for cell in cells:
        if not isinstance(cell, dict):
            raise AnalysisError(f"key_terms() needs a notebook's cells (dicts with 'cell_type', 'metadata', 'source'); got {type(cell).__name__} {cell!r:.40}.")
        tags = (cell.get("metadata") or {}).get("tags") or []
        if KEY_TERMS_TAG not in tags:
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        match = _KEY_TERMS.match(source)
        if cell.get("cell_type") != "markdown" or not match:
            raise AnalysisError(f"A cell tagged {KEY_TERMS_TAG!r} is one markdown line '**Key terms:** term one, term two, ...'; got {source!r:.80}.")
        found += [t.strip() for t in match.group("terms").rstrip(".").split(",") if t.strip()]
    return found


# --------------------------------------------------------------------------- the card


def _sources(row: pd.Series) -> list[str]:
    bib = data.bibliography()
    ids = [s.strip() for s in _text(row["source_id"]).split(";") if s.strip()]
    pages = _text(row["source_pages"])
    out = []
    for sid in ids:
        if sid in bib.index:
            b = bib.loc[sid]
            year = f"({int(b['year'])})" if pd.notna(b["year"]) else "(n.d.)"
            out.append(f"{b['author']} {year}, {b['title']}")
        else:
            out.append(sid)
    if pages:
        out.append(f"Where to look: {pages}")
    return out


def _related(row: pd.Series) -> list[str]:
    ids = [s.strip() for s in _text(row["related"]).split(";") if s.strip()]
    if not ids:
        return []
    events = data.load("events").set_index("event_id")
    docs = data.load("documents").set_index("doc_id")
    out = []
    for key in ids:
        if key in events.index:
            e = events.loc[key]
            out.append(f"event {key}: {e['title']} ({e['date']:%Y})")
        elif key in docs.index:
            d = docs.loc[key]
            out.append(f"document {key}: {d['title']} ({d['date']:%Y}; read it with docs.card({key!r}))")
        else:
            out.append(key)
    return out


@dataclass(frozen=True)
class GlossaryCard:
    """One term as a card: ``str(card)`` is the plain text, the notebook shows the HTML."""

    name: str

    @property
    def row(self) -> pd.Series:
        return get(self.name)

    def fields(self) -> list[tuple[str, list[str]]]:
        """The card's fields in order, as (label, lines): Original, Definition, First used in, Read with, Check it in, Note
        (the website's glossary page is written from them)."""
        return self._fields()

    def _fields(self) -> list[tuple[str, list[str]]]:
        row = self.row
        fields = [("Definition", [_text(row["definition"])])]
        if _text(row["original"]):
            fields.insert(0, ("Original", [_text(row["original"])]))
        fields.append(("First used in", [f"lesson {int(row['first_lesson'])}"]))
        related = _related(row)
        if related:
            fields.append(("Read with", related))
        fields.append(("Check it in", _sources(row)))
        if _text(row["notes"]):
            fields.append(("Note", [_text(row["notes"])]))
        return fields

    def __str__(self) -> str:
        out = [f"TERM  {_text(self.row['term'])}"]
        for key, values in self._fields():
            if len(values) == 1 and key in ("Original", "Definition", "First used in", "Note"):
                out += textwrap.wrap(f"{key}: {values[0]}", WIDTH, subsequent_indent="    ")
            else:
                out.append(f"{key}:")
                for v in values:
                    out += textwrap.wrap(v, WIDTH, initial_indent="  - ", subsequent_indent="    ")
        return "\n".join(out)

    def __repr__(self) -> str:  # the cell's plain-text output (what nbval compares)
        return str(self)

    def _repr_html_(self) -> str:
        row = self.row
        items = []
        for key, values in self._fields():
            if len(values) == 1 and key != "Read with" and key != "Check it in":
                value = html.escape(values[0])
                if key == "Original":
                    value = _tag_scripts(values[0])
                items.append(f"<dt style='font-weight:bold;margin-top:0.3em'>{html.escape(key)}</dt><dd style='margin:0 0 0 1.2em'>{value}</dd>")
            else:
                lis = "".join(f"<li>{html.escape(v)}</li>" for v in values)
                items.append(f"<dt style='font-weight:bold;margin-top:0.3em'>{html.escape(key)}</dt><dd style='margin:0 0 0 1.2em'><ul style='margin:0;padding-left:1.1em'>{lis}</ul></dd>")
        title = html.escape(_text(row["term"]))
        return (
            f'<section class="glossary-card" lang="en" aria-label="Glossary: {html.escape(_text(row["term"]), quote=True)}" '
            'style="border:1px solid #bbb;border-left:0.35em solid #2f6f4f;padding:0.5em 0.9em;margin:0.4em 0;max-width:62em;'
            'background:#fbfdf9;color:#1b1b1b">'
            f"<h3 style='margin:0.1em 0;color:inherit'>Glossary: {title}</h3>"
            f"<dl style='margin:0.2em 0'>{''.join(items)}</dl></section>"
        )


_SCRIPTS = re.compile(r"(?P<zh>[\u3000-\u303f\u4e00-\u9fff\uff0c]+)|(?P<ru>[\u0400-\u04ff«»][\u0400-\u04ff«»\s()-]*[\u0400-\u04ff«»)])|(?P<ru1>[\u0400-\u04ff])")


def _tag_scripts(original: str) -> str:
    """The original term as HTML, its Chinese in a ``lang="zh-Hans"`` span and its Russian in a ``lang="ru"`` span,
    so that a screen reader switches voice for them and not for the pinyin or the transliteration."""
    out, last = [], 0
    for m in _SCRIPTS.finditer(original):
        out.append(html.escape(original[last : m.start()]))
        lang = "zh-Hans" if m.group("zh") else "ru"
        out.append(f'<span lang="{lang}">{html.escape(m.group(0))}</span>')
        last = m.end()
    out.append(html.escape(original[last:]))
    return "".join(out)


def term(name: str) -> GlossaryCard:
    """One term as a card: the term and its original, the definition, the first lesson that uses it, the events and
    documents to read with it, and the source to check it against. An unknown term is refused with the closest terms."""
    row = get(name)  # refused here, with the closest terms
    return GlossaryCard(str(row["term"]))


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
