"""Build a static HTML site of the lessons (``make site``), fully offline.

Each student edition (solution-free, with the outputs the builder stored) becomes one page
through nbconvert's ``lab`` template, with a navigation bar (contents, previous, next) and an
index page. Nothing is downloaded at build time; images are embedded in the pages.
The student editions are used, not the teacher ones, so that a public site never shows
solutions or model answers.

Usage: ``python -m helpers.site [OUTPUT_DIR]`` (default ``_site/``).
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import nbformat

from helpers.editions import ROOT, STUDENT_DIR

DEFAULT_OUT = ROOT / "_site"

NAV_CSS = """
<style>
nav.lesson-nav { font-family: system-ui, sans-serif; padding: 0.6em 1em; background: #f3f3f3;
  border-bottom: 1px solid #ccc; display: flex; gap: 1.5em; }
nav.lesson-nav a { color: #0b5394; text-decoration: none; }
nav.lesson-nav a:hover { text-decoration: underline; }
</style>
"""


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def _nav(pages: list[tuple[str, str]], index: int | None) -> str:
    links = ['<a href="index.html">Contents</a>']
    if index is not None:
        if index > 0:
            links.append(f'<a href="{pages[index - 1][0]}" rel="prev">&larr; {html.escape(pages[index - 1][1])}</a>')
        if index + 1 < len(pages):
            links.append(f'<a href="{pages[index + 1][0]}" rel="next">{html.escape(pages[index + 1][1])} &rarr;</a>')
    return f'<nav class="lesson-nav" aria-label="Lessons">{" ".join(links)}</nav>'


def build_site(out_dir: Path = DEFAULT_OUT, student_dir: Path = STUDENT_DIR) -> list[Path]:
    """Write one HTML page per lesson and an index; return the paths written."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    notebooks = sorted(student_dir.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"No student editions in {student_dir}: run `make editions` first.")
    out_dir.mkdir(parents=True, exist_ok=True)
    loaded = [(p, nbformat.read(p, as_version=4)) for p in notebooks]
    pages = [(p.stem + ".html", _title(nb, p.stem)) for p, nb in loaded]
    written = []
    for number, (path, nb) in enumerate(loaded):
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": pages[number][1]}})
        head_end = body.index("</head>")
        body = body[:head_end] + NAV_CSS + body[head_end:]
        open_body = body.index(">", body.index("<body")) + 1
        body = body[:open_body] + _nav(pages, number) + body[open_body:]
        target = out_dir / pages[number][0]
        target.write_text(body, encoding="utf-8")
        written.append(target)
    items = "\n".join(f'<li><a href="{href}">{html.escape(title)}</a></li>' for href, title in pages)
    index = (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Mao, Khrushchev and the Moscow Conference of 1957</title>"
        f"{NAV_CSS}</head><body>{_nav(pages, None)}<main style=\"font-family: system-ui, sans-serif; max-width: 50em; margin: 2em auto;\">"
        "<h1>Mao, Khrushchev and the Moscow Conference of 1957</h1>"
        "<p>Lesson notebooks on Sino-Soviet relations, 1954&ndash;1960 (student editions, with their outputs). "
        "To run them and do the exercises, open the repository in JupyterLab: see its README.</p>"
        f"<ol start=\"0\">{items}</ol></main></body></html>\n"
    )
    (out_dir / "index.html").write_text(index, encoding="utf-8")
    written.append(out_dir / "index.html")
    return written


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = Path(argv[0]) if argv else DEFAULT_OUT
    for path in build_site(out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
