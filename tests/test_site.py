"""make site: every lesson page has its title, its figures, a navigation, and no error output."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from helpers.site import build_site

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "notebooks" / "student"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out


def test_index_links_every_lesson(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    for path in sorted(STUDENT.glob("[0-9][0-9]_*.ipynb")):
        assert f'href="{path.stem}.html"' in index


@pytest.mark.parametrize("path", sorted(STUDENT.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.stem)
def test_lesson_page(site, path):
    page = (site / f"{path.stem}.html").read_text(encoding="utf-8")
    nb = nbformat.read(path, as_version=4)
    title = next(line[2:] for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines() if line.startswith("# "))
    assert re.search(r"<h1[^>]*>\s*" + re.escape(title.split(":")[0]), page), f"{path.stem}: no title"
    n_figures = sum(1 for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert n_figures > 0 and page.count("<img") >= n_figures, f"{path.stem}: figures missing"
    assert "Traceback (most recent call last)" not in page and "jp-OutputArea-output" in page
    assert 'class="lesson-nav"' in page and 'href="index.html"' in page
    assert "BEGIN SOLUTION" not in page and "Model answer" not in page
