"""The documents reader: the table's quotation rules, the card in its three forms, the lessons' use of it."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from helpers import documents as docs
from helpers.analysis import AnalysisError
from helpers.data import load

ROOT = Path(__file__).resolve().parent.parent
DOCS = load("documents")
ROWS = [r for _, r in DOCS.iterrows()]
IDS = list(DOCS["doc_id"])
CJK = re.compile(r"[\u3400-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def words(text: str) -> int:
    """Words as a reader counts them: runs of letters or digits (an omission mark [...] is not a word)."""
    return len(re.findall(r"[\w’'-]+", re.sub(r"\[\s*(\.\.\.|…)\s*\]", " ", text or "")))


def text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA else str(value)


# --------------------------------------------------------------------------- the table


def test_enough_documents_across_the_years_and_the_lessons():
    documents = DOCS.groupby("document")
    assert documents.ngroups >= 24, f"{documents.ngroups} documents; at least 24 are wanted"
    with_original = DOCS[DOCS["excerpt_original"].fillna("").str.strip() != ""]["document"].nunique()
    assert with_original >= 8, f"{with_original} documents with the original Chinese or Russian; at least 8 are wanted"
    years = DOCS["date"].dt.year
    assert years.min() <= 1950 and years.max() >= 1963, f"documents run from {years.min()} to {years.max()}"
    for lesson in (1, 2, 3, 4):
        assert len(docs.listing(lesson=lesson)) >= 2, f"lesson {lesson} has fewer than two documents in the table"


@pytest.mark.parametrize("doc_id", IDS)
def test_each_excerpt_keeps_the_quotation_limits(doc_id):
    row = DOCS.set_index("doc_id").loc[doc_id]
    n = words(row["excerpt_en"])
    assert 10 <= n <= 120, f"{doc_id}: the English excerpt has {n} words (at most 120)"
    original = text(row["excerpt_original"])
    if row["language"] == "zh" and original:
        assert CJK.search(original), f"{doc_id}: the original is said to be Chinese but has no Chinese characters"
        assert len(CJK.findall(original)) <= 300, f"{doc_id}: the Chinese excerpt has {len(CJK.findall(original))} characters (at most about 250)"
    if row["language"] == "ru" and original:
        assert CYRILLIC.search(original), f"{doc_id}: the original is said to be Russian but has no Cyrillic letters"
        assert words(original) <= 150, f"{doc_id}: the Russian excerpt has {words(original)} words"
    if original:
        assert text(row["edition_original"]) or text(row["edition"]), f"{doc_id}: the original text names no edition"
    # an omission is marked in brackets; three bare dots would hide a cut
    assert not re.search(r"(?<!\[)\.\.\.(?!\])|(?<!\[)…(?!\])", text(row["excerpt_en"]).replace("[...]", "").replace("[…]", "")) or "..." in text(row["notes"]) or "ellipsis" in text(row["notes"]).lower(), (
        f"{doc_id}: an omission must be marked [...]; a bare ellipsis that the edition prints itself must be said so in notes"
    )


def test_each_document_keeps_the_300_word_limit():
    per_document = DOCS.groupby("document")["excerpt_en"].apply(lambda s: sum(words(t) for t in s))
    over = per_document[per_document > 300]
    assert over.empty, f"documents quoted at more than 300 words: {over.to_dict()}"


@pytest.mark.parametrize("doc_id", IDS)
def test_each_excerpt_names_edition_translation_url_and_provenance(doc_id):
    row = DOCS.set_index("doc_id").loc[doc_id]
    assert text(row["edition"]) and text(row["translation"]) and text(row["provenance"])
    assert text(row["url"]).startswith("http"), f"{doc_id}: no URL to the stored copy"
    assert row["language"] in docs.LANG_TAGS, f"{doc_id}: language {row['language']!r} has no lang tag in helpers.documents.LANG_TAGS"
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text(row["headnote"]).strip()) if s]
    assert 2 <= len(sentences) <= 5, f"{doc_id}: the headnote has {len(sentences)} sentences (2-4 wanted)"
    # the headnote is the collection's own words: no run of eight words copied from the excerpt
    excerpt = " ".join(re.findall(r"\w+", text(row["excerpt_en"]).lower()))
    head = re.findall(r"\w+", text(row["headnote"]).lower())
    copied = [" ".join(head[i : i + 8]) for i in range(len(head) - 7) if " ".join(head[i : i + 8]) in excerpt]
    assert not copied, f"{doc_id}: the headnote copies the excerpt: {copied[0]!r}"
    if text(row["modified_en"]):
        assert text(row["modified_en"]) != text(row["excerpt_en"])


def test_related_and_event_ids_exist():
    events = set(load("events")["event_id"])
    for row in ROWS:
        for other in filter(None, text(row["related"]).split(";")):
            assert other.strip() in IDS, f"{row['doc_id']}: related id {other!r} is not in the table"
        if text(row["event_id"]):
            assert row["event_id"] in events, f"{row['doc_id']}: event {row['event_id']!r} is not in events.csv"


def test_documents_of_one_document_agree_on_who_and_when():
    for name, group in DOCS.groupby("document"):
        for column in ("author", "date", "kind", "language"):
            assert group[column].nunique(dropna=False) == 1, f"document {name}: its excerpts disagree on {column}"


# --------------------------------------------------------------------------- the card


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.items = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "li":
            self.items += 1


def _with_original() -> str:
    row = DOCS[DOCS["excerpt_original"].fillna("").str.len() > 0].iloc[0]
    return str(row["doc_id"])


def test_a_card_in_plain_text_numbers_every_line_and_shows_the_original():
    doc_id = _with_original()
    row = docs.get(doc_id)
    card = docs.card(doc_id)
    plain = str(card)
    numbered = docs.lines(doc_id)
    for n, line in enumerate(numbered, 1):
        assert f"{n:>3}  {line}" in plain
    assert " ".join(numbered) == " ".join(text(row["excerpt_en"]).split()), "the numbered lines are the excerpt, word for word"
    assert "Original (" in plain and "".join(text(row["excerpt_original"]).split())[:10] in plain.replace("\n     ", "")
    for habit in docs.QUESTIONS:
        assert habit in plain
    assert repr(card) == plain
    assert "Read it like a historian" not in str(docs.card(doc_id, questions=False))


def test_a_card_in_html_is_structured_for_a_screen_reader():
    doc_id = _with_original()
    row = docs.get(doc_id)
    page = docs.card(doc_id)._repr_html_()
    outline = _Outline()
    outline.feed(page)
    tags = dict(outline.tags)
    assert outline.tags[0][0] == "section" and outline.tags[0][1]["lang"] == "en" and outline.tags[0][1]["aria-label"].startswith("Document:")
    lists = [a for t, a in outline.tags if t == "ol"]
    assert lists and "numbered lines" in lists[0]["aria-label"]
    langs = [a.get("lang") for t, a in outline.tags if a.get("class") == "doc-original"]
    assert langs == [docs.LANG_TAGS[row["language"]]], "the original carries its language for the screen reader's voice"
    assert "h3" in tags and "<script" not in page


def test_the_card_escapes_what_it_shows():
    doc_id = IDS[0]
    page = docs.card(doc_id)._repr_html_()
    assert "<" not in text(docs.get(doc_id)["excerpt_en"]) or "&lt;" in page


def test_compare_shows_both_excerpts_with_their_editions():
    pair = next((r["doc_id"], text(r["related"]).split(";")[0]) for r in ROWS if text(r["related"]))
    shown = docs.compare(*pair)
    plain, page = str(shown), shown._repr_html_()
    for side, doc_id in zip("AB", pair):
        row = docs.get(doc_id)
        assert f"{side}. {row['title']}" in plain
        assert docs.lines(doc_id)[0] in plain
        assert f'aria-label="Document {side}"' in page
    with pytest.raises(AnalysisError, match="two different excerpts"):
        docs.compare(pair[0], pair[0])


def test_listing_filters_and_refuses_clearly():
    everything = docs.listing()
    assert len(everything) == len(DOCS) and list(everything.columns) == ["doc_id", "date", "author", "title", "kind", "lessons"]
    assert everything["date"].is_monotonic_increasing
    mao = docs.listing(speaker="mao")
    assert len(mao) and mao["author"].str.contains("Mao").all()
    speeches = docs.listing(kind="speech")
    assert (speeches["kind"] == "speech").all()
    with pytest.raises(AnalysisError, match="kinds are"):
        docs.listing(kind="poem")
    with pytest.raises(AnalysisError, match="lesson's number"):
        docs.listing(lesson="two")
    with pytest.raises(AnalysisError, match="part of a name"):
        docs.listing(speaker="")


@pytest.mark.parametrize("bad", ["", "   ", None, 3, ["a"]])
def test_a_bad_id_gets_a_message(bad):
    with pytest.raises(AnalysisError):
        docs.card(bad)


def test_an_unknown_id_names_the_closest():
    target = IDS[0]
    with pytest.raises(docs.UnknownDocumentError, match=re.escape(repr(target))) as err:
        docs.get(target[:-1] + ("x" if not target.endswith("x") else "y"))
    assert isinstance(err.value, LookupError)


def test_line_numbers_are_checked():
    doc_id = IDS[0]
    n = len(docs.lines(doc_id))
    assert docs.line(doc_id, n) == docs.lines(doc_id)[-1]
    assert docs.line(doc_id, "1") == docs.lines(doc_id)[0]
    for bad in (0, n + 1):
        with pytest.raises(AnalysisError, match=f"lines 1 to {n}"):
            docs.line(doc_id, bad)
    with pytest.raises(AnalysisError, match="whole number"):
        docs.line(doc_id, "seven")


def test_modified_versions_are_only_shown_beside_the_exact_text():
    with_modified = DOCS[DOCS["modified_en"].fillna("").str.len() > 0]
    without = DOCS[DOCS["modified_en"].fillna("").str.len() == 0]
    if len(without):
        with pytest.raises(AnalysisError, match="no modified version"):
            docs.card(str(without.iloc[0]["doc_id"]), modified=True)
    for doc_id in with_modified["doc_id"]:
        plain = str(docs.card(doc_id, modified=True))
        assert "Modified version (simplified for reading; these are not the document's own words)" in plain
        assert docs.lines(doc_id)[0] in plain, "the exact excerpt is shown too"


# --------------------------------------------------------------------------- documents meet the data


def test_timeline_marks_the_events_that_have_documents():
    from helpers import plots

    events = load("events")
    marked = docs.event_documents(events)
    assert marked, "no event of the timeline has a document"
    ax = plots.timeline(events, "1949", "1964", documents=True)
    described = plots.describe(ax)
    inside = events[events["event_id"].isin(marked)]
    n = len(inside)
    assert f"{n} event{'s' if n != 1 else ''} with a document in the reader" in described
    squares = [c for c in ax.collections if c.get_label() == "has a document in the reader"]
    assert len(squares) == 1 and len(squares[0].get_offsets()) == n
    plain = plots.describe(plots.timeline(events, "1949", "1964"))
    assert "with a document" not in plain, "without documents=True the timeline is as before"


def test_the_document_explorer_opens_the_document_behind_an_event():
    from helpers.widgets.documents import document_explorer

    events = load("events")
    marked = docs.event_documents(events)
    explorer = document_explorer(events).copy()
    assert explorer.error is None
    last = sorted(marked)[-1]
    summary = explorer.set(event=last)
    assert explorer.error is None
    first = marked[last][0]
    assert f"Showing {first}:" in summary
    cards = [o for o in explorer.out.outputs if "doc-card" in o.get("data", {}).get("text/html", "")]
    assert len(cards) == 1 and docs.lines(first)[0] in cards[0]["data"]["text/plain"]
    if len(marked[last]) > 1:
        assert f"Showing {marked[last][1]}:" in explorer.set(document=marked[last][1])
    bundle = explorer._repr_mimebundle_()
    assert "doc-card" in bundle["text/html"]
    with pytest.raises(AnalysisError):
        document_explorer(events, event="no_such_event")


# --------------------------------------------------------------------------- the lessons


CALL = re.compile(r"docs\.(card|compare|get|line|lines)\(([^)]*)\)")


def _lesson_ids() -> dict[str, set[str]]:
    used: dict[str, set[str]] = {}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            for _, args in CALL.findall("".join(cell["source"])):
                used.setdefault(path.stem, set()).update(re.findall(r"[\"']([a-z0-9_]+)[\"']", args))
    return used


def test_every_document_a_lesson_uses_exists():
    used = _lesson_ids()
    known = set(IDS)
    for lesson, ids in used.items():
        assert ids <= known, f"{lesson} uses documents that are not in the table: {sorted(ids - known)}"


def test_lessons_one_to_four_put_documents_in_students_hands():
    used = _lesson_ids()
    wanted = {"01_honeymoon": 2, "02_moscow_conference": 4, "03_economic_race": 2, "04_after_moscow": 2}
    for lesson, n in wanted.items():
        assert len(used.get(lesson, set())) >= n, f"{lesson} shows {len(used.get(lesson, set()))} documents; at least {n} wanted"
        nb = json.loads((ROOT / "notebooks" / f"{lesson}.ipynb").read_text(encoding="utf-8"))
        habits = [c for c in nb["cells"] if c["cell_type"] == "markdown" and re.match(r"### Exercise \d+\.\d+ \(([^)]*(sourcing|contextuali[sz]ation|corroboration|close reading)[^)]*)\)", "".join(c["source"]), re.I)]
        needed = 4 if lesson.startswith("02") else 2
        assert len(habits) >= needed, f"{lesson} has {len(habits)} document exercises naming their habits; at least {needed} wanted"
