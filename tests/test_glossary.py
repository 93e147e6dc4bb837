"""The glossary: enough terms, every link and source real, every key term of every lesson defined, clear refusals."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers import glossary
from helpers.analysis import AnalysisError
from helpers.data import bibliography, load

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REQUIRED = [
    "revisionism", "dogmatism", "Cominform", "Comintern", "Presidium", "people's commune", "Great Leap Forward",
    "Hundred Flowers", "Anti-Rightist Campaign", "peaceful coexistence", "peaceful transition", "paper tiger",
    "east wind and west wind", "Geary-Khamis dollars", "old and new rubles", "joint-stock companies", "156 projects",
    "Soviet experts", "socialist camp", "de-Stalinisation", "secret speech", "Anti-Party Group", "Sputnik",
    "Lushan Plenum", "backyard furnaces",
]


def test_the_glossary_has_at_least_40_terms_and_the_ones_every_lesson_needs():
    table = load("glossary")
    assert len(table) >= 40
    for name in REQUIRED:
        assert glossary.get(name)["definition"]


def test_terms_are_unique_once_case_and_quotation_marks_are_folded():
    keys = load("glossary")["term"].map(glossary.normalise)
    assert keys.is_unique, f"terms that differ only in case or quotation marks: {sorted(keys[keys.duplicated()])}"


def test_every_related_id_is_an_event_or_a_document():
    events = set(load("events")["event_id"])
    docs = set(load("documents")["doc_id"])
    unknown = []
    for term, related in zip(*(load("glossary")[c] for c in ("term", "related"))):
        for key in str(related).split(";") if isinstance(related, str) else []:
            if key.strip() not in events | docs:
                unknown.append(f"{term}: {key}")
    assert not unknown, f"related ids that are neither an event nor a document: {unknown}"


def test_every_term_names_a_source_in_the_bibliography_and_where_to_look():
    bib = set(bibliography().index)
    table = load("glossary")
    for term, ids, pages in zip(table["term"], table["source_id"], table["source_pages"]):
        missing = [s for s in str(ids).split(";") if s.strip() not in bib]
        assert not missing, f"{term}: {missing} not in sources.csv"
        assert str(pages).strip(), f"{term}: no source_pages"


def test_definitions_are_one_to_three_sentences():
    for term, definition in zip(*(load("glossary")[c] for c in ("term", "definition"))):
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", definition.strip()) if s]
        assert 1 <= len(sentences) <= 3, f"{term}: {len(sentences)} sentences"


def test_first_lesson_is_a_lesson_of_the_course():
    assert load("glossary")["first_lesson"].between(0, 5).all()


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_every_key_term_a_lesson_lists_is_in_the_glossary(path):
    listed = glossary.key_terms(nbformat.read(path, as_version=4))
    missing = []
    for name in listed:
        try:
            glossary.get(name)
        except glossary.UnknownTermError as err:
            missing.append(str(err))
    assert not missing, f"{path.name} lists key terms the glossary does not define:\n" + "\n".join(missing)


@pytest.mark.parametrize("path", [p for p in LESSONS if int(p.name[:2]) <= 4], ids=lambda p: p.stem)
def test_lessons_0_to_4_list_5_to_12_key_terms_in_one_cell_before_key_points(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [i for i, c in enumerate(nb.cells) if glossary.KEY_TERMS_TAG in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged {glossary.KEY_TERMS_TAG!r}"
    following = nb.cells[tagged[0] + 1].source
    assert following.lstrip().startswith("## Key points"), f"{path.name}: the key-terms cell is not just before '## Key points'"
    assert 5 <= len(glossary.key_terms(nb)) <= 12


def test_a_key_term_missing_from_the_glossary_is_caught():
    """The check above can fail: a lesson that lists an undefined term is named with the closest terms."""
    cell = nbformat.v4.new_markdown_cell("**Key terms:** revisionism, revisionsm, Great Leap Forward")
    cell.metadata["tags"] = [glossary.KEY_TERMS_TAG]
    names = glossary.key_terms([cell])
    assert names == ["revisionism", "revisionsm", "Great Leap Forward"]
    with pytest.raises(glossary.UnknownTermError, match="revisionism"):
        [glossary.get(n) for n in names]


def test_a_key_terms_cell_in_the_wrong_form_is_refused():
    cell = nbformat.v4.new_markdown_cell("Key terms: revisionism")
    cell.metadata["tags"] = [glossary.KEY_TERMS_TAG]
    with pytest.raises(AnalysisError, match=r"\*\*Key terms:\*\*"):
        glossary.key_terms([cell])


def test_an_unknown_term_is_refused_with_the_closest_terms():
    with pytest.raises(glossary.UnknownTermError) as err:
        glossary.term("revisionsm")
    assert "revisionism" in str(err.value) and "no term 'revisionsm'" in str(err.value)
    assert isinstance(err.value, AnalysisError) and isinstance(err.value, LookupError)
    with pytest.raises(glossary.UnknownTermError, match="Great Leap Forward"):
        glossary.term("Leap")
    with pytest.raises(glossary.UnknownTermError, match=r"glossary\.terms\(\)"):
        glossary.term("zzzz qqqq")
    for bad in ("", "   ", None, 3):
        with pytest.raises(AnalysisError):
            glossary.term(bad)


def test_a_term_is_found_whatever_its_case_quotes_plural_or_original():
    assert glossary.get("156 projects")["term"] == '"156 projects"'
    assert glossary.get("PEOPLE'S COMMUNES")["term"] == "people's commune"
    assert glossary.get("修正主义")["term"] == "revisionism"
    assert glossary.get("xiuzhengzhuyi")["term"] == "revisionism"


def test_the_card_gives_term_original_definition_lesson_links_and_source_in_text_and_html():
    card = glossary.term("people's commune")
    text = str(card)
    assert text.startswith("TERM  people's commune")
    for part in ("人民公社", "Definition:", "First used in: lesson 4", "Read with:", "event beidaihe_1958", "Check it in:", "Where to look:"):
        assert part in text, part
    page = card._repr_html_()
    assert 'aria-label="Glossary: people&#x27;s commune"' in page
    assert '<span lang="zh-Hans">人民公社</span> renmin gongshe' in page
    assert "<dl" in page and "Where to look" in page
    assert repr(card) == text


def test_the_terms_table_is_filtered_by_lesson_and_refuses_a_bad_lesson():
    all_terms = glossary.terms()
    assert list(all_terms.columns) == ["term", "original", "first_lesson", "definition"]
    assert all_terms["first_lesson"].is_monotonic_increasing
    two = glossary.terms(lesson=2)
    assert len(two) and (two["first_lesson"] == 2).all()
    for bad in (True, 6, -1, 2.5, "two"):
        with pytest.raises(AnalysisError):
            glossary.terms(lesson=bad)
