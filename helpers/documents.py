"""The documents reader: primary sources of 1950-1963 as cards a student reads closely.

The table ``documents`` (``data/documents.csv``, loaded like any other with ``load("documents")``) holds
one row per **excerpt**: a short passage copied exactly from a named edition, with its original-language
text where a copy of the original was read, its translator, its edition and page, a URL, provenance notes
and a headnote in the collection's own words. Several excerpts of one document share the ``document``
column (so that, say, the "east wind" passage and the nuclear-war passage of one speech can be read on
their own, and the edited and unedited versions of the same passage side by side); the quotation limits
(at most 120 words an excerpt, 300 a document) are checked by document.

>>> from helpers import documents as docs
>>> card = docs.card("moscow_declaration_1957_transition")  # doctest: +SKIP
>>> docs.compare("mao_1957_11_18_edited_war", "mao_1957_11_18_unedited_war")  # doctest: +SKIP
>>> docs.listing(lesson=2)  # doctest: +SKIP

A card shows, in this order: the title, who, when, where and for whom; the headnote; the excerpt with its
lines numbered (continuously, wrapped at :data:`WIDTH` characters, the same on screen, on the website and in
the plain text that nbval compares), and beside it the original in its own script with the right ``lang``
attribute; a simplified "modified" version where one exists, labelled as such and never in place of the
exact one; the translation and edition; the provenance; and the four questions historians ask of a
document (:data:`QUESTIONS`). Everything is also plain text (``str(card)``), which is what a screen reader
gets from the HTML too: headings, a numbered list of lines, and the original marked with its language.
"""

from __future__ import annotations

import difflib
import html
import textwrap
from dataclasses import dataclass

import pandas as pd

from helpers import data
from helpers.analysis import AnalysisError, guard_module
from helpers.errors import PlainMessage

__all__ = [
    "QUESTIONS",
    "WIDTH",
    "DocumentCard",
    "DocumentComparison",
    "UnknownDocumentError",
    "card",
    "compare",
    "event_documents",
    "get",
    "line",
    "lines",
    "listing",
    "table",
]

#: Characters per numbered line of an English excerpt (card, website and plain text alike).
WIDTH = 72

#: The four habits of reading a document, as prompts on every card (Stanford's Reading Like a Historian).
QUESTIONS = {
    "Sourcing": "Who made this document, when, for whom, and why? How might that shape what it says?",
    "Contextualisation": "What was happening at the time? What did the speaker or writer know, and not yet know?",
    "Corroboration": "What do other documents, or the data, say about the same thing? Where do they agree or differ?",
    "Close reading": "Which words are chosen, and what do they suggest? What is left out?",
}

#: BCP 47 tags for the ``lang`` attribute of the original text (screen readers switch voice on it).
LANG_TAGS = {"zh": "zh-Hans", "ru": "ru", "en": "en", "de": "de", "fr": "fr", "pl": "pl", "sq": "sq", "vi": "vi", "ro": "ro"}
LANGUAGE_NAMES = {"zh": "Chinese", "ru": "Russian", "en": "English", "de": "German", "fr": "French", "pl": "Polish", "sq": "Albanian", "vi": "Vietnamese", "ro": "Romanian"}


class UnknownDocumentError(PlainMessage, AnalysisError, LookupError):
    """No excerpt has that id; the message names the closest ids."""

# --------------------------------------------------------------------------- the table


def table() -> pd.DataFrame:
    """The ``documents`` table, validated, as :func:`helpers.data.load` gives it."""
    return data.load("documents")


_text = data.cell_text


def get(doc_id: str) -> pd.Series:
    """The row of one excerpt. An unknown id gets the closest ids, never a KeyError."""
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise AnalysisError(f"A document is named by its id, a text such as 'moscow_declaration_1957_transition'; got {doc_id!r:.60}.")
    docs = table()
    key = doc_id.strip()
    ids = list(docs["doc_id"])
    if key not in ids:
        # a whole document's id is accepted when it has exactly one excerpt
        same = docs[docs["document"] == key]
        if len(same) == 1:
            return same.iloc[0]
        if len(same) > 1:
            raise UnknownDocumentError(f"{key!r} is a document with {len(same)} excerpts; name one: {', '.join(same['doc_id'])}.")
        close = difflib.get_close_matches(key, ids, n=4, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else " docs.listing() lists them all."
        raise UnknownDocumentError(f"No document excerpt is called {key!r}.{hint}")
    return docs.loc[docs["doc_id"] == key].iloc[0]


def lines(doc_id: str, *, modified: bool = False) -> list[str]:
    """The English excerpt as the card numbers it: paragraphs wrapped at :data:`WIDTH` characters.

    ``modified=True`` gives the simplified version's lines (an error if the excerpt has none)."""
    row = get(doc_id)
    text = _text(row["modified_en"] if modified else row["excerpt_en"])
    if modified and not text:
        raise AnalysisError(f"{row['doc_id']!r} has no modified version; the exact excerpt is the one to read.")
    return _wrap(text)


def _wrap(text: str, width: int = WIDTH) -> list[str]:
    out: list[str] = []
    for para in text.replace("\r\n", "\n").split("\n\n"):
        para = " ".join(para.split())
        if para:
            out.extend(textwrap.wrap(para, width=width, break_long_words=False, break_on_hyphens=False))
    return out


def line(doc_id: str, number: int) -> str:
    """The text of line ``number`` (counted from 1, as on the card) of the English excerpt."""
    if isinstance(number, bool) or not isinstance(number, int):
        try:
            number = int(str(number).strip())
        except ValueError:
            raise AnalysisError(f"A line is named by its number, a whole number such as 3; got {number!r:.40}.") from None
    numbered = lines(doc_id)
    if not 1 <= number <= len(numbered):
        raise AnalysisError(f"{doc_id!r} has lines 1 to {len(numbered)}; there is no line {number}.")
    return numbered[number - 1]


def listing(lesson: int | None = None, speaker: str | None = None, kind: str | None = None, year: int | None = None) -> pd.DataFrame:
    """The excerpts, one row each (id, date, author, title, kind, lessons), filtered by any of:
    ``lesson`` (0-5), ``speaker`` (any part of the author's name, case ignored), ``kind`` (e.g. "speech")
    and ``year``. A filter that matches nothing says what there is."""
    docs = table()
    out = docs
    if lesson is not None:
        try:
            number = int(lesson)
        except (TypeError, ValueError):
            raise AnalysisError(f"lesson is a lesson's number, 0 to 5; got {lesson!r:.40}.") from None
        if isinstance(lesson, bool) or not 0 <= number <= 9:
            raise AnalysisError(f"lesson is a lesson's number, 0 to 5; got {lesson!r:.40}.")
        out = out[out["lessons"].map(lambda v: str(number) in _text(v).split(";"))]
    if speaker is not None:
        if not isinstance(speaker, str) or not speaker.strip():
            raise AnalysisError(f"speaker is part of a name, such as 'Mao' or 'Khrushchev'; got {speaker!r:.40}.")
        out = out[out["author"].str.contains(speaker.strip(), case=False, regex=False, na=False)]
    if kind is not None:
        kinds = sorted(set(docs["kind"].dropna()))
        if kind not in kinds:
            raise AnalysisError(f"{kind!r} is not a kind of document in the table; the kinds are {', '.join(kinds)}.")
        out = out[out["kind"] == kind]
    if year is not None:
        try:
            wanted = int(year)
        except (TypeError, ValueError):
            raise AnalysisError(f"year is a year such as 1957; got {year!r:.40}.") from None
        out = out[out["date"].dt.year == wanted]
    columns = ["doc_id", "date", "author", "title", "kind", "lessons"]
    result = out[columns].sort_values(["date", "doc_id"]).reset_index(drop=True)
    result.attrs = {}
    return result


def event_documents(events: pd.DataFrame | None = None) -> dict[str, list[str]]:
    """For each ``event_id`` of the timeline that has documents, the ids of their excerpts (date order).

    Given ``events``, only events in that table are kept (an excerpt naming an event that is not
    there is left out)."""
    docs = table().sort_values(["date", "doc_id"])
    found: dict[str, list[str]] = {}
    for doc_id, event in zip(docs["doc_id"], docs["event_id"]):
        event = _text(event)
        if event:
            found.setdefault(event, []).append(doc_id)
    if events is not None:
        known = set(events["event_id"])
        found = {k: v for k, v in found.items() if k in known}
    return found


# --------------------------------------------------------------------------- rendering


def _date(row: pd.Series) -> str:
    date = row["date"]
    if pd.isna(date):
        return "date unknown"
    precision = _text(row.get("date_precision")) or "day"
    if precision == "year":
        return f"{date:%Y}"
    if precision == "month":
        return f"{date:%B %Y}"
    return f"{date.day} {date:%B %Y}"


def _language(row: pd.Series) -> str:
    code = _text(row["language"])
    return LANGUAGE_NAMES.get(code, code)


def _facts(row: pd.Series) -> list[tuple[str, str]]:
    facts = [("By", _text(row["author"])), ("To", _text(row["audience"])), ("Date", _date(row))]
    if _text(row["place"]):
        facts.append(("Place", _text(row["place"])))
    facts.append(("Kind", f"{_text(row['kind'])}, in {_language(row)}"))
    return [(k, v) for k, v in facts if v]


def _edition_lines(row: pd.Series) -> list[tuple[str, str]]:
    out = [("English text", "; ".join(x for x in (_text(row["translation"]), _text(row["edition"])) if x))]
    if _text(row["excerpt_original"]):
        out.append((f"{_language(row)} text", _text(row["edition_original"]) or _text(row["edition"])))
    out.append(("Read at", _text(row["url"]) + (f" ; {_text(row['url_original'])}" if _text(row["url_original"]) else "")))
    out.append(("Provenance", _text(row["provenance"])))
    return [(k, v) for k, v in out if v]


def _title(row: pd.Series) -> str:
    original = _text(row["title_original"])
    return _text(row["title"]) + (f" ({original})" if original else "")


def _numbered_text(numbered: list[str], start: int = 1) -> list[str]:
    return [f"{n:>3}  {text}" for n, text in enumerate(numbered, start)]


_HIDDEN = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0,0,0,0);border:0"


def _ol(numbered: list[str], label: str) -> str:
    items = "".join(f"<li>{html.escape(t)}</li>" for t in numbered)
    return (
        f'<ol class="doc-lines" aria-label="{html.escape(label, quote=True)}" '
        'style="font-family:Georgia,\'Times New Roman\',serif;line-height:1.45;margin:0.2em 0 0.2em 2.6em;padding:0">'
        f"{items}</ol>"
    )


def _original_paragraphs(row: pd.Series) -> list[str]:
    """The original's paragraphs with their line breaks undone (Chinese is written without spaces)."""
    joiner = "" if _text(row["language"]) == "zh" else " "
    return [joiner.join(p.split()) for p in _text(row["excerpt_original"]).split("\n\n") if p.strip()]


def _original_html(row: pd.Series) -> str:
    tag = LANG_TAGS.get(_text(row["language"]), _text(row["language"]))
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in _original_paragraphs(row))
    return (
        f'<div class="doc-original" lang="{html.escape(tag, quote=True)}" '
        "style=\"font-family:'Noto Serif CJK SC','Noto Sans CJK SC','Source Han Serif SC','Songti SC',serif;line-height:1.6\">"
        f"{paras}</div>"
    )


def _original_plain(row: pd.Series) -> list[str]:
    width = WIDTH // 2 if _text(row["language"]) == "zh" else WIDTH  # a Chinese character is two columns wide
    return ["     " + t for para in _original_paragraphs(row) for t in textwrap.wrap(para, width=width, break_long_words=True)]


@dataclass(frozen=True)
class DocumentCard:
    """One excerpt as a card: ``str(card)`` is the plain text, the notebook shows the HTML (a paper-coloured card with
    its own dark text, legible in light and dark themes alike)."""

    doc_id: str
    questions: bool = True
    modified: bool = False

    @property
    def row(self) -> pd.Series:
        return get(self.doc_id)

    def lines(self) -> list[str]:
        return lines(self.doc_id)

    def __str__(self) -> str:
        row = self.row
        out = [f"DOCUMENT  {_title(row)}", "  " + " | ".join(f"{k}: {v}" for k, v in _facts(row)), ""]
        out += textwrap.wrap(_text(row["headnote"]), WIDTH + 5) + [""]
        out.append(f"Excerpt ({'English' if _text(row['language']) == 'en' else 'English translation'}), lines numbered for reference:")
        out += _numbered_text(self.lines())
        if _text(row["excerpt_original"]):
            out += ["", f"Original ({_language(row)}):"] + _original_plain(row)
        if self.modified and _text(row["modified_en"]):
            out += ["", "Modified version (simplified for reading; these are not the document's own words):"]
            out += _numbered_text(lines(self.doc_id, modified=True))
        out.append("")
        for key, value in _edition_lines(row):
            out += textwrap.wrap(f"{key}: {value}", WIDTH + 5, subsequent_indent="    ", break_long_words=True)
        if self.questions:
            out += ["", "Read it like a historian:"] + [f"  - {k}: {v}" for k, v in QUESTIONS.items()]
        return "\n".join(out)

    def __repr__(self) -> str:  # shown as the cell's plain-text output (what nbval compares)
        return str(self)

    def _repr_html_(self) -> str:
        row = self.row
        title = html.escape(_title(row))
        facts = "".join(f"<span style='margin-right:1em'><b>{html.escape(k)}:</b> {html.escape(v)}</span>" for k, v in _facts(row))
        english = _ol(self.lines(), f"Excerpt, English, {len(self.lines())} numbered lines")
        label = "English" if _text(row["language"]) == "en" else "English translation"
        columns = [f'<div style="flex:1 1 26em;min-width:0"><h4 style="margin:0.3em 0;color:inherit">{label}</h4>{english}</div>']
        if _text(row["excerpt_original"]):
            columns.append(
                f'<div style="flex:1 1 18em;min-width:0"><h4 style="margin:0.3em 0;color:inherit">Original ({html.escape(_language(row))})</h4>{_original_html(row)}</div>'
            )
        if self.modified and _text(row["modified_en"]):
            mod = lines(self.doc_id, modified=True)
            columns.append(
                '<div style="flex:1 1 22em;min-width:0"><h4 style="margin:0.3em 0;color:inherit">Modified version</h4>'
                "<p style='font-size:0.85em;margin:0'><em>Simplified for reading: not the document's own words.</em></p>"
                f"{_ol(mod, 'Modified version, numbered lines')}</div>"
            )
        edition = "".join(f"<li><b>{html.escape(k)}:</b> {_link(v) if k == 'Read at' else html.escape(v)}</li>" for k, v in _edition_lines(row))
        questions = ""
        if self.questions:
            questions = (
                "<details open style='margin-top:0.4em'><summary><b>Read it like a historian</b></summary><ul style='margin:0.2em 0'>"
                + "".join(f"<li><b>{html.escape(k)}:</b> {html.escape(v)}</li>" for k, v in QUESTIONS.items())
                + "</ul></details>"
            )
        return (
            f'<section class="doc-card" lang="en" aria-label="Document: {html.escape(_text(row["title"]), quote=True)}" '
            'style="border:1px solid #bbb;border-left:0.35em solid #8a5a00;padding:0.5em 0.9em;margin:0.4em 0;max-width:62em;'
            'background:#fffdf8;color:#1b1b1b">'
            f"<h3 style='margin:0.1em 0;color:inherit'>{title}</h3>"
            f"<p style='margin:0.2em 0;font-size:0.9em'>{facts}</p>"
            f"<p style='margin:0.4em 0'><em>{html.escape(_text(row['headnote']))}</em></p>"
            f'<div style="display:flex;flex-wrap:wrap;gap:1.2em">{"".join(columns)}</div>'
            f"<ul style='font-size:0.85em;margin:0.4em 0'>{edition}</ul>"
            f"{questions}</section>"
        )


def _link(value: str) -> str:
    parts = [p.strip() for p in value.split(" ; ") if p.strip()]
    return " ; ".join(f'<a href="{html.escape(p, quote=True)}" style="color:#0b4f8a">{html.escape(p)}</a>' if p.startswith("http") else html.escape(p) for p in parts)


def card(doc_id: str, *, questions: bool = True, modified: bool = False) -> DocumentCard:
    """One excerpt as a card (headnote, numbered lines, original beside the translation, provenance,
    and, unless ``questions=False``, the four reading questions). ``modified=True`` adds the simplified
    version beside the exact one, where the table has one."""
    if not isinstance(questions, bool) or not isinstance(modified, bool):
        raise AnalysisError("questions and modified are True or False.")
    row = get(doc_id)  # an unknown id is refused here, with the closest ids
    if modified and not _text(row["modified_en"]):
        raise AnalysisError(f"{row['doc_id']!r} has no modified version; show the exact excerpt (modified=False).")
    return DocumentCard(str(row["doc_id"]), questions, modified)


@dataclass(frozen=True)
class DocumentComparison:
    """Two excerpts side by side: two versions of one passage, a document and its reply, two records."""

    left: str
    right: str

    def __str__(self) -> str:
        out = ["COMPARE TWO DOCUMENTS", ""]
        for side, doc_id in (("A", self.left), ("B", self.right)):
            row = get(doc_id)
            out.append(f"{side}. {_title(row)}")
            out.append("   " + " | ".join(f"{k}: {v}" for k, v in _facts(row)))
            out += textwrap.wrap("English text: " + "; ".join(x for x in (_text(row["translation"]), _text(row["edition"])) if x), WIDTH + 5, initial_indent="   ", subsequent_indent="     ")
            out += _numbered_text(lines(doc_id))
            out.append("")
        out.append("Compare: what does each include that the other leaves out? Which words differ, and why might they?")
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        cols = []
        for side, doc_id in (("A", self.left), ("B", self.right)):
            row = get(doc_id)
            numbered = lines(doc_id)
            facts = "<br>".join(f"<b>{html.escape(k)}:</b> {html.escape(v)}" for k, v in _facts(row))
            source = html.escape("; ".join(x for x in (_text(row["translation"]), _text(row["edition"])) if x))
            cols.append(
                f'<div style="flex:1 1 24em;min-width:0" role="group" aria-label="Document {side}">'
                f"<h4 style='margin:0.2em 0;color:inherit'>{side}. {html.escape(_title(row))}</h4>"
                f"<p style='font-size:0.85em;margin:0.2em 0'>{facts}<br><b>English text:</b> {source}</p>"
                f"{_ol(numbered, f'Document {side}, {len(numbered)} numbered lines')}</div>"
            )
        return (
            '<section class="doc-compare" lang="en" aria-label="Two documents compared" '
            'style="border:1px solid #bbb;border-left:0.35em solid #8a5a00;padding:0.5em 0.9em;margin:0.4em 0;max-width:70em;'
            'background:#fffdf8;color:#1b1b1b">'
            "<h3 style='margin:0.1em 0;color:inherit'>Compare two documents</h3>"
            f'<div style="display:flex;flex-wrap:wrap;gap:1.5em">{"".join(cols)}</div>'
            "<p style='margin:0.4em 0'><em>Compare: what does each include that the other leaves out? Which words differ, and why might they?</em></p>"
            "</section>"
        )


def compare(left: str, right: str) -> DocumentComparison:
    """Two excerpts side by side, each with its lines numbered and its edition named."""
    a, b = get(left), get(right)
    if a["doc_id"] == b["doc_id"]:
        raise AnalysisError(f"compare() needs two different excerpts; both are {a['doc_id']!r}.")
    return DocumentComparison(str(a["doc_id"]), str(b["doc_id"]))


guard_module(globals())  # every public function: a clear AnalysisError for a bad argument
