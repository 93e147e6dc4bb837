"""make site: the Sphinx website of the student editions.

Built once per test session into a temporary folder. Checked without a browser: every lesson page
with its title, figures (with alt text and a caption) and tables; search; contents and previous/next
links; launch links to Binder and to the JupyterHub (nbgitpuller); still images with a note where
the lessons have explorers; a print stylesheet; no asset loaded from another site; and the glossary page, to
which every key term of every lesson links (its key-terms cell, and its first use in the prose). Then, in
Debian's Chromium through Playwright, axe-core (the copy shipped in the PyPI package
axe-playwright-python) checks every page (every rule in the light theme, colour contrast in the dark one): no serious or critical
violation; the rest are printed (and written to tests/screenshots/axe-site.json).
"""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from lab_harness import browser_missing, offline_page, run_axe

from helpers import glossary
from teach.site import SiteError, build_site

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "notebooks" / "student"
LESSONS = sorted(STUDENT.glob("[0-9][0-9]_*.ipynb"))
SHOTS = ROOT / "tests" / "screenshots"
HUB, REPO = "https://hub.example.edu", "https://github.com/example/sino-soviet-1957"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out, repo=REPO, hub=HUB)
    return out


def _title(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return next(line[2:] for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# "))


def test_index_lists_every_lesson_and_search_works_offline(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for path in LESSONS:
        assert f'href="{path.stem}.html"' in index
    assert (site / "search.html").exists()
    searchindex = (site / "searchindex.js").read_text(encoding="utf-8")
    assert "khrushchev" in searchindex.lower() and "honeymoon" in searchindex.lower()


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_page(site, path):
    page = (site / f"{path.stem}.html").read_text(encoding="utf-8")
    title = _title(path)
    assert re.search(r"<h1[^>]*>\s*" + re.escape(html.escape(title.split(":")[0], quote=False)), page), f"{path.stem}: no title"
    nb = nbformat.read(path, as_version=4)
    figures = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "lesson-figure" in str(o.get("data", {}).get("text/html", "")))
    assert figures > 0 and page.count('<figure class="lesson-figure"') >= figures, f"{path.stem}: figures missing"
    alts = re.findall(r'<img src="data:image/(?:png|svg\+xml);base64,[^"]+" alt="([^"]*)"', page)
    assert len(alts) >= figures and all(len(a) > 30 for a in alts), f"{path.stem}: a figure without alt text"
    assert page.count("<figcaption") >= figures
    assert "Traceback (most recent call last)" not in page
    assert "BEGIN SOLUTION" not in page and "Model answer" not in page
    # contents, previous and next
    assert 'class="bd-sidebar-primary' in page and 'class="prev-next-area"' in page
    i = LESSONS.index(path)
    if i + 1 < len(LESSONS):
        assert f'href="{LESSONS[i + 1].stem}.html"' in page
    # launch links: Binder, and the class's JupyterHub through nbgitpuller, to the path the class copy has
    assert f"mybinder.org/v2/gh/example/sino-soviet-1957/main?urlpath=lab/tree/notebooks/{path.name}" in page
    assert f"{HUB}/hub/user-redirect/git-pull?repo=" in page and f"notebooks%2F{path.name}" in page.replace("notebooks/", "notebooks%2F")
    assert "notebooks/student/" not in page and "notebooks%2Fstudent" not in page, "the class copy has no notebooks/student/"
    # the notebook itself to download (the solution-free student edition), and a printable page (PDF)
    assert f'href="_sources/{path.name}"' in page and (site / "_sources" / path.name).read_bytes() == path.read_bytes()
    assert "window.print()" in page
    # light and dark themes, and a print layout
    assert "theme-switch-button" in page
    assert "_static/lessons.css" in page and "@media print" in (site / "_static" / "lessons.css").read_text(encoding="utf-8")


def test_explorers_are_still_images_with_a_note(site):
    page = (site / "00_start_here.html").read_text(encoding="utf-8")
    assert 'class="explorer-still"' in page and "interactive when you run this notebook in JupyterLab" in page
    assert "application/vnd.jupyter.widget-view+json" not in page


def test_tables_are_tables(site):
    page = (site / "01_honeymoon.html").read_text(encoding="utf-8")
    assert page.count('class="lesson-table-wrap"') >= 5


def test_no_page_loads_anything_from_another_site(site):
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        external = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', text)
        external = [u for u in external if not re.search(r'<link\b[^>]*rel="(?:canonical|alternate)"', text)]
        assert not external, f"{page.name} loads {external[:3]}"
        assert "mathjax" not in text.lower() and "require.js" not in text.lower(), page.name
    for css in (site / "_static").rglob("*.css"):
        assert not re.search(r"@import\s+url\((?:https?:)?//|url\((?:https?:)?//", css.read_text(encoding="utf-8", errors="replace")), css.name


TERM_LINK = re.compile(r'<a class="reference internal" href="glossary\.html#([^"]+)"><span class="xref std std-term">([^<]*)</span></a>')


def _plain(text: str) -> str:
    """HTML text as written in the source: entities decoded, Sphinx's curly quotation marks straight again."""
    return html.unescape(text).translate(str.maketrans("‘’“”", "''\"\""))


def _glossary_ids(site: Path) -> dict[str, str]:
    """id -> term of every entry of the glossary page."""
    page = (site / "glossary.html").read_text(encoding="utf-8")
    return {i: _plain(term) for i, term in re.findall(r'<dt id="(term-[^"]+)">(.*?)<a class="headerlink"', page)}


def test_the_glossary_page_has_every_term_of_the_table(site):
    entries = _glossary_ids(site)
    table = glossary.table()
    assert sorted(entries.values()) == sorted(table["term"]), "the glossary page and the glossary table hold other terms"
    page = (site / "glossary.html").read_text(encoding="utf-8")
    for term, definition in zip(table["term"], table["definition"]):
        start = re.split(r"[\"'‘’“”]", definition)[0][:30]  # up to the first quotation mark, which Sphinx curls
        assert start in _plain(page), f"the glossary page lacks the definition of {term!r}"
    assert 'lang="zh-Hans"' in page and 'lang="ru"' in page, "the originals are marked with their language"
    assert 'href="glossary.html"' in (site / "index.html").read_text(encoding="utf-8"), "the index links the glossary"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_key_term_links_to_its_glossary_entry(site, path):
    """Every term of the lesson's key-terms cell is a link to an entry that exists; its first use in the prose too,
    where the lesson's prose uses it."""
    wanted = glossary.key_terms(nbformat.read(path, as_version=4))
    assert wanted, f"{path.stem}: no key terms"
    page = (site / f"{path.stem}.html").read_text(encoding="utf-8")
    cell = re.search(r"<p><strong>Key terms:</strong>(.*?)</p>", page, re.S)
    assert cell, f"{path.stem}: no key-terms paragraph on the page"
    linked = {_plain(text): target for target, text in TERM_LINK.findall(cell.group(1))}
    entries = _glossary_ids(site)
    for term in wanted:
        target = linked.get(_plain(term))
        assert target, f"{path.stem}: the key term {term!r} is not linked (links: {sorted(linked)})"
        assert target in entries, f"{path.stem}: {term!r} links to #{target}, which the glossary page does not have"
        assert glossary.normalise(entries[target]) == glossary.normalise(glossary.get(term)["term"]), f"{path.stem}: {term!r} links to {entries[target]!r}"
    before = page[: cell.start()]
    in_prose = {target for target, _ in TERM_LINK.findall(before)}
    print(f"\n{path.stem}: {len(wanted)} key terms linked, {len(in_prose & set(linked.values()))} also at their first use in the prose")
    assert not re.search(r"\{term\}`|term not in glossary", page), f"{path.stem}: a glossary link was not resolved"


def test_missing_student_editions_give_a_clear_message(tmp_path):
    with pytest.raises(SiteError, match="No student editions in .*: run `make editions` first"):
        build_site(tmp_path / "out", student_dir=tmp_path)


# --------------------------------------------------------------------------- accessibility (axe-core in Chromium)

def _browser_ready() -> str | None:
    missing = browser_missing()
    if missing:
        return missing
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError as err:
        return f"{err.name} is not installed"
    return None


def test_every_site_page_has_no_serious_or_critical_accessibility_violation(site):
    reason = _browser_ready()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the accessibility check cannot run: {reason}.", pytrace=False)
        pytest.skip(reason)
    pages = ["index.html", *(f"{p.stem}.html" for p in LESSONS), "glossary.html", "search.html"]
    report: dict[str, dict[str, list[dict]]] = {}
    with offline_page(1280, 900) as (page, refused):
        for name in pages:
            for theme in ("light", "dark"):
                page.goto((site / name).as_uri())
                # no colour transitions: axe must see the theme's final colours, not a blend on the way
                page.add_style_tag(content="*, *::before, *::after { transition: none !important; animation: none !important; }")
                page.evaluate(f"() => {{ document.documentElement.dataset.theme = '{theme}'; document.documentElement.dataset.mode = '{theme}'; }}")
                # every rule in the light theme; in the dark one, the rule a theme can break: contrast
                report.setdefault(name, {})[theme] = run_axe(page, None if theme == "light" else ["color-contrast"])
    assert not refused, f"site pages asked for addresses outside the site (refused): {sorted(set(refused))[:10]}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "axe-site.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    counts: dict[str, int] = {}
    for themes in report.values():
        for found in themes.values():
            for v in found:
                counts[v["impact"]] = counts.get(v["impact"], 0) + v["nodes"]
    print(f"\naxe-core on {len(pages)} site pages x 2 themes, elements by impact: {counts or 'none'}")
    bad = [(name, theme, v) for name, themes in report.items() for theme, found in themes.items() for v in found if v["impact"] in ("serious", "critical")]
    assert not bad, "serious or critical accessibility violations:\n" + "\n".join(f"{n} ({t}): {v['id']} x{v['nodes']}: {v['help']} e.g. {v['example']}" for n, t, v in bad[:15])
