"""The course data package: valid against the Frictionless standard, complete, every row sourced."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers.data import BIBLIOGRAPHY, bibliography, datasets, load, sync_sources

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
NAMES = [r["name"] for r in PACKAGE["resources"] if "schema" in r]  # the tables
FILES = [r for r in PACKAGE["resources"] if "schema" not in r]  # the boundary files in data/boundaries/
TABLES = [n for n in NAMES if n != BIBLIOGRAPHY]


def test_frictionless_validates_the_whole_package():
    from frictionless import validate

    report = validate(str(DATA / "datapackage.json"))
    problems = report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    assert report.valid, f"frictionless found: {problems[:10]}"


def test_every_csv_is_described_and_every_description_has_a_file():
    described = {r["path"] for r in PACKAGE["resources"] if r["path"].endswith(".csv")}
    on_disk = {p.name for p in DATA.glob("*.csv")}
    assert on_disk - described == set(), f"CSV files not described in datapackage.json: {sorted(on_disk - described)}"
    assert described - on_disk == set(), f"described but missing: {sorted(described - on_disk)}"


@pytest.mark.parametrize("name", NAMES)
def test_every_resource_loads_with_title_licence_and_sources(name):
    df = load(name)
    assert len(df) > 0
    assert df.attrs["title"]
    assert df.attrs["licenses"], f"{name} has no licence"
    assert df.attrs["sources"], f"{name} has no sources in datapackage.json"


@pytest.mark.parametrize("name", TABLES)
def test_every_row_names_its_source_and_page(name):
    df = load(name)
    assert {"source_id", "source_pages"} <= set(df.columns), f"{name} needs source_id and source_pages columns"
    assert df["source_id"].notna().all() and df["source_pages"].notna().all()


@pytest.mark.parametrize("name", TABLES)
def test_numbers_have_units(name):
    resource = next(r for r in PACKAGE["resources"] if r["name"] == name)
    columns = {f["name"] for f in resource["schema"]["fields"]}
    for field in resource["schema"]["fields"]:
        if field["type"] == "number":
            assert field.get("unit") or "unit" in columns, f"{name}.{field['name']} is a number without a unit"


@pytest.mark.parametrize("name", TABLES)
def test_contested_rows_explain_the_alternative(name):
    df = load(name)
    flagged = df.iloc[0:0]
    if "contested" in df.columns:
        flagged = df[df["contested"].fillna(False)]
    elif "status" in df.columns:
        flagged = df[df["status"].astype("string").str.contains("contested", na=False)]
    if len(flagged):
        assert "notes" in df.columns
        missing = flagged[flagged["notes"].isna()]
        assert missing.empty, f"{name}: contested rows without a note on the alternative: rows {list(missing.index + 1)}"


def test_resource_sources_are_in_sync_with_the_rows():
    assert sync_sources(write=False) == [], "run: python -m helpers.data sync"


def test_every_bibliography_entry_is_cited_somewhere():
    """A work in sources.csv is cited by a data row, or by its id in a lesson (its Sources section)."""
    used = set()
    for name in TABLES:
        for cell in load(name)["source_id"].dropna():
            used.update(s.strip() for s in str(cell).split(";"))
    import nbformat

    lessons = " ".join(
        cell.source for path in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") for cell in nbformat.read(path, as_version=4).cells
    )
    unused = sorted(sid for sid in set(bibliography().index) - used if f'"{sid}"' not in lessons and f"'{sid}'" not in lessons)
    assert not unused, f"sources.csv lists works that no row and no lesson cites: {unused}"


def test_every_bibliography_entry_has_an_author_and_a_year_or_says_it_is_undated():
    """Each work names an author or issuing body, and a year of publication; a work that carries no date says so.

    A year is never guessed: an undated web page is cited as (n.d.), the usual convention, and its notes open with
    "Undated:" and say why (no date on the page, a wiki page with no dated revision, an unidentified print edition).
    """
    bib = bibliography()
    placeholders = bib.index[bib["author"].fillna("").str.strip().str.match(r"^$|^\(")].tolist()
    assert not placeholders, f"entries whose author is empty or a bracketed placeholder (name the author or issuing body): {placeholders}"
    undated = bib[bib["year"].isna()]
    unexplained = undated.index[~undated["notes"].fillna("").str.startswith("Undated: ")].tolist()
    assert not unexplained, f"entries without a year whose notes do not open with 'Undated: <why>': {unexplained}"
    dated_but_flagged = bib.index[bib["year"].notna() & bib["notes"].fillna("").str.startswith("Undated")].tolist()
    assert not dated_but_flagged, f"entries with a year whose notes still call them undated: {dated_but_flagged}"


def test_every_reference_work_says_what_it_is_kept_for():
    """Encyclopedias, wikis, web pages and press reports stay in the bibliography only for a stated purpose."""
    bib = bibliography()
    ref = bib[bib["kind"] == "reference"]
    silent = ref.index[~ref["notes"].fillna("").str.contains(r"\bkept\b", case=False)].tolist()
    assert not silent, f"reference works whose notes do not say what they are kept for: {silent}"


def test_no_row_rests_on_a_reference_work_without_saying_why():
    """A row whose only sources are reference works (encyclopedias, wikis, web pages, press) says so in its notes.

    Scholarship and primary sources come first; a reference work stays only where nothing better was found, and the
    row's notes say so in those words ("reference work"), so that a reader of the table is warned where the row is.
    The map's outline rows are the exception: they rest on the boundary data sets, tested above.
    """
    bib = bibliography()
    kind = bib["kind"].to_dict()
    silent = []
    for name in TABLES:
        df = load(name)
        if name == "map_1957_states":  # outlines come from the boundary data sets; their licences and hashes are tested above
            continue
        for i, row in df.iterrows():
            ids = [s.strip() for s in str(row["source_id"]).split(";") if s.strip()]
            if ids and all(kind[s] == "reference" for s in ids):
                notes = row.get("notes")
                if not (isinstance(notes, str) and re.search(r"reference work", notes, re.I)):
                    silent.append(f"{name} row {i + 2}: {ids}")
    assert not silent, "rows resting only on reference works, with no note saying so:\n" + "\n".join(silent)


def test_events_timeline_has_at_least_40_sourced_events_1949_1972():
    events = load("events")
    assert len(events) >= 40
    assert events["date"].dt.year.between(1949, 1972).all()
    assert (events["date"].dt.year <= 1960).sum() >= 40  # lessons 0-4
    assert events["event_id"].is_unique


def test_datasets_lists_every_resource():
    assert datasets()["name"].tolist() == NAMES


@pytest.mark.parametrize("resource", FILES, ids=[r["name"] for r in FILES])
def test_every_boundary_file_has_licence_sources_and_a_matching_hash(resource):
    import hashlib

    path = DATA / resource["path"]
    assert path.exists(), f"{resource['path']} is described but missing"
    body = path.read_bytes()
    assert resource["bytes"] == len(body)
    assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest(), f"{resource['path']} differs from the file described"
    assert resource["licenses"] and resource["sources"] and resource["title"]


def test_every_boundary_file_on_disk_is_described():
    described = {r["path"] for r in FILES}
    on_disk = {f"boundaries/{p.name}" for p in (DATA / "boundaries").glob("*.json")}
    assert on_disk == described


def test_a_boundary_file_is_not_loaded_as_a_table():
    from helpers.data import DataValidationError

    with pytest.raises(DataValidationError, match="helpers.maps"):
        load(FILES[0]["name"])


def test_readme_table_gives_each_dataset_its_true_row_count():
    """The README's table of datasets says how many rows each has; a count left behind after an edit is caught here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\| `(\w+)` \|.*\| (\d+) \|$", readme, re.M)}
    assert set(stated) == set(NAMES), f"datasets missing from the README table or unknown to the package: {set(stated) ^ set(NAMES)}"
    wrong = {name: (n, len(load(name))) for name, n in stated.items() if n != len(load(name))}
    assert not wrong, f"README row counts (stated, actual): {wrong}"


#: Rows resting on reference works only, as ``python -m helpers.data reference-only`` counts them. Lower it when a
#: row gains a scholarly or primary source; a new reference-only row fails this test until the ceiling is raised on
#: purpose (and the row's notes say "reference work", as the test above asks).
REFERENCE_ONLY_CEILING = 5


def test_reference_only_rows_are_counted_and_do_not_grow():
    from helpers.data import reference_only_rows

    rows = reference_only_rows()
    kind = bibliography()["kind"].to_dict()
    recount = 0
    for name in TABLES:
        if name == "map_1957_states":
            continue
        for cell in load(name)["source_id"].dropna():
            ids = [s.strip() for s in str(cell).split(";") if s.strip()]
            recount += bool(ids) and all(kind[s] == "reference" for s in ids)
    assert len(rows) == recount
    assert set(rows.columns) == {"table", "line", "key", "source_id"}
    assert len(rows) <= REFERENCE_ONLY_CEILING, (
        f"{len(rows)} rows rest on reference works only (ceiling {REFERENCE_ONLY_CEILING}):\n{rows.to_string(index=False)}"
    )
