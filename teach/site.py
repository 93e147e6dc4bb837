"""Build the lessons' website (``make site``) with Sphinx, myst-nb and sphinx-book-theme, offline.

The pages are the student editions (solution-free) with the outputs they were stored with:
nothing is executed. The site has full-text search, light and dark themes, a contents sidebar,
previous/next links, launch buttons (Binder, and the class's JupyterHub through an nbgitpuller
link), a print layout for each lesson, and still images with a note where the lessons have
explorers. A glossary page is written from the ``glossary`` table (one entry per term, as
``glossary.term(...)`` shows it in a notebook), and on each lesson page every key term of the
lesson's key-terms cell, and the first use of each in the lesson's prose, links to its entry
(Sphinx's ``glossary`` directive and ``term`` role; the notebooks themselves are not changed). No page loads anything from another site: the theme's fonts and scripts are copied
into the output, and MathJax and require.js are left out (the lessons use neither).

Usage::

    python -m teach.site [OUTPUT_DIR] [--repo URL] [--hub URL] [--branch NAME]

(``make site REPO=... HUB=...``; default output ``_site/``). The repository and hub URLs go into
the launch buttons; they can also come from ``SITE_REPO``, ``SITE_HUB`` and ``SITE_BRANCH``. REPO is the
class's repository (the class copy, ``make release``), so the buttons open ``notebooks/NN_*.ipynb``, the path
the class copy has (``SITE_PATH`` changes it, e.g. to ``notebooks/student`` for a copy of this repository).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from unittest import mock

from teach.editions import ROOT, STUDENT_DIR
from teach.errors import ToolError

DEFAULT_OUT = ROOT / "_site"
SOURCE = ROOT / "website"
GLOSSARY = "glossary"  # the page's name: glossary.md in the sources, glossary.html in the site


class SiteError(ToolError):
    """The site cannot be built (the message says why and what to do)."""


def lessons(student_dir: Path = STUDENT_DIR) -> list[Path]:
    return sorted(student_dir.glob("[0-9][0-9]_*.ipynb"))


# --------------------------------------------------------------------------- the glossary and its links

GLOSSARY_INTRO = (
    "The key terms of the lessons, each defined in the collection's own words, with the original Chinese or Russian "
    "where it helps, the lesson that first uses it, the events and documents to read with it, and a work in which to "
    "check the definition. In a notebook, `glossary.term(\"revisionism\")` shows the same entry, and "
    "`glossary.terms(lesson=2)` the terms a lesson introduces. Every lesson lists its key terms just before its key "
    "points; on these pages they link here."
)
#: what a term must never be linked inside: code, links, HTML tags, maths, addresses and links made already
_PROTECTED = re.compile(r"\{term\}`[^`]*`|``[^`]*``|`[^`]*`|!?\[[^\]]*\]\([^)]*\)|<[^>]*>|\$[^$]*\$|https?://\S+")
_KEY_TERMS_LINE = re.compile(r"^(\s*\*\*Key terms:\*\*\s*)(.+?)(\.?)\s*$", re.S)


def _escape(text: str) -> str:
    """``text`` with Markdown's special characters escaped, so that MyST shows it as it is."""
    return re.sub(r"([\\`*_{}\[\]<>|$#])", r"\\\1", str(text))


_CODE_IN_CARD = re.compile(r"docs\.card\('[^']*'\)|^(?:event|document) \S+(?=:)")


def _card_line(text: str) -> str:
    """A line of a glossary card as Markdown: ids and ``docs.card(...)`` calls as code, the rest escaped."""
    out, last = [], 0
    for m in _CODE_IN_CARD.finditer(text):
        code = m.group(0)
        if code.startswith(("event ", "document ")):
            kind, _, key = code.partition(" ")
            out += [_escape(text[last:m.start()]), f"{kind} `{key}`"]
        else:
            out += [_escape(text[last:m.start()]), f"`{code}`"]
        last = m.end()
    return "".join(out) + _escape(text[last:])


def glossary_markdown(lesson_stems: list[str]) -> str:
    """The glossary page (MyST Markdown): every term of the ``glossary`` table in Sphinx's ``glossary`` directive."""
    from helpers import glossary

    by_number = {int(stem[:2]): stem for stem in lesson_stems if stem[:2].isdigit()}
    lines = ["# Glossary", "", GLOSSARY_INTRO, "", "```{glossary}", ":sorted:", ""]
    for name in glossary.table()["term"]:
        card = glossary.GlossaryCard(str(name))
        lines.append(_escape(name))
        for label, values in card.fields():
            if label == "Definition":
                body = _escape(values[0])
            elif label == "Original":
                body = f"**Original:** {glossary._tag_scripts(values[0])}"  # Chinese and Russian in spans with their lang
            elif label == "First used in":
                number = int(card.row["first_lesson"])
                stem = by_number.get(number)
                body = f"**First used in:** {{doc}}`lesson {number} <{stem}>`" if stem else f"**First used in:** lesson {number}"
            elif len(values) == 1 and label == "Note":
                body = f"**Note:** {_escape(values[0])}"
            else:
                body = f"**{label}:**\n\n" + "\n".join(f"- {_card_line(v)}" for v in values)
            lines += ["   " + line if line else "" for line in body.splitlines()] + [""]
    lines.append("```")
    return "\n".join(lines) + "\n"


def _term_pattern(written: str) -> re.Pattern:
    """How a key term may appear in prose: its words as written (any apostrophe or dash, a plural ending), the first
    letter in either case (a sentence may start with it), the rest as written; a parenthesis of the term optional."""
    bare = written.strip().strip('"“”')
    forms = [bare]
    short = re.sub(r"\s*\([^)]*\)", "", bare).strip()
    if short and short != bare:
        forms.append(short)
    alternatives = []
    for form in forms:
        body = re.escape(form[1:])
        body = body.replace("\\ ", r"\s+").replace("'", "['’]").replace("\\-", "[-‐–]")
        first = form[0]
        alternatives.append(f"[{re.escape(first.lower())}{re.escape(first.upper())}]{body}" if first.isalpha() else re.escape(first) + body)
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?:s|es)?(?![\w-])")


def _link_first_use(cells: list, written: str, target: str) -> bool:
    """Link the first use of a key term in the lesson's prose (not in headings, code, links or HTML); True if found."""
    pattern = _term_pattern(written)
    for cell in cells:
        lines = cell["source"].split("\n")
        fenced = False
        for number, line in enumerate(lines):
            if line.lstrip().startswith(("```", "~~~")):
                fenced = not fenced
            if fenced or line.lstrip().startswith(("#", "<", "$$", "```", "~~~", "*Sources", "Sources")):
                continue
            last = 0
            for piece in [*_PROTECTED.finditer(line), None]:
                end = piece.start() if piece else len(line)
                m = pattern.search(line, last, end)
                if m:
                    lines[number] = f"{line[:m.start()]}{{term}}`{m.group(0)} <{target}>`{line[m.end():]}"
                    cell["source"] = "\n".join(lines)
                    return True
                last = piece.end() if piece else end
    return False


def link_glossary_terms(path: Path) -> dict[str, str]:
    """Link the key terms of the notebook at ``path`` (a copy: it is rewritten) to the glossary page.

    Each term of the ``key-terms`` cell becomes a ``{term}`` link to its entry, and so does its first use in the
    lesson's prose. Returns {key term as written: the glossary's term}; a key term the glossary lacks is left as text
    (tests/test_glossary.py requires every one to be defined, tests/test_site.py every one to be linked).
    """
    from helpers import glossary

    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    targets: dict[str, str] = {}
    for written in glossary.key_terms(nb):
        try:
            targets[written] = str(glossary.get(written)["term"])
        except LookupError:
            continue
    prose = [c for c in nb["cells"] if c["cell_type"] == "markdown"
             and not {glossary.KEY_TERMS_TAG, "edition-banner"} & set(c.get("metadata", {}).get("tags", []))]
    for written, target in targets.items():
        _link_first_use(prose, written, target)
    for cell in nb["cells"]:
        if glossary.KEY_TERMS_TAG in cell.get("metadata", {}).get("tags", []) and (m := _KEY_TERMS_LINE.match(cell["source"])):
            linked = [f"{{term}}`{w} <{targets[w]}>`" if w in targets else w
                      for w in (t.strip() for t in m.group(2).rstrip(".").split(",")) if w]
            cell["source"] = f"{m.group(1)}{', '.join(linked)}{m.group(3)}"
    path.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return targets


def build_site(
    out_dir: Path = DEFAULT_OUT,
    student_dir: Path = STUDENT_DIR,
    *,
    repo: str | None = None,
    hub: str | None = None,
    branch: str | None = None,
    quiet: bool = True,
) -> list[Path]:
    """Write the website to ``out_dir``; return the HTML pages written (index, one per lesson, the glossary)."""
    from sphinx.application import Sphinx

    notebooks = lessons(student_dir)
    if not notebooks:
        raise SiteError(f"No student editions in {student_dir}: run `make editions` first.")
    listed = (SOURCE / "index.md").read_text(encoding="utf-8")
    missing = [p.stem for p in notebooks if f"\n{p.stem}\n" not in listed]
    if missing:
        raise SiteError(f"website/index.md does not list {missing}: add them to its toctree.")
    out_dir = Path(out_dir)
    settings = {key: value for key, value in {"SITE_REPO": repo, "SITE_HUB": hub, "SITE_BRANCH": branch}.items() if value}
    with tempfile.TemporaryDirectory(prefix="lessons-site-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(SOURCE, src)
        for path in notebooks:
            shutil.copy(path, src / path.name)
            link_glossary_terms(src / path.name)
        (src / f"{GLOSSARY}.md").write_text(glossary_markdown([p.stem for p in notebooks]), encoding="utf-8")
        with mock.patch.dict(os.environ, settings):  # the site's conf.py reads them; the caller's environment is restored
            app = Sphinx(
                srcdir=str(src),
                confdir=str(src),
                outdir=str(Path(tmp) / "html"),  # myst-nb writes a jupyter_execute/ folder beside it: keep that in tmp
                doctreedir=str(Path(tmp) / "doctrees"),
                buildername="html",
                status=None if quiet else sys.stdout,
                warning=sys.stderr,
                freshenv=True,
            )
            app.build()
        if app.statuscode:
            raise SiteError(f"Sphinx stopped with status {app.statuscode}; see the messages above.")
        for path in notebooks:  # the download button offers the student edition itself, without the site's links
            if (Path(tmp) / "html" / "_sources" / path.name).exists():
                shutil.copy(path, Path(tmp) / "html" / "_sources" / path.name)
        shutil.copytree(Path(tmp) / "html", out_dir, dirs_exist_ok=True)
    (out_dir / ".nojekyll").touch()  # served as-is by static hosts that would hide _static/
    return [out_dir / "index.html", *(out_dir / f"{p.stem}.html" for p in notebooks), out_dir / f"{GLOSSARY}.html"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teach.site", description="Build the lessons' website (offline).")
    parser.add_argument("out", nargs="?", default=str(DEFAULT_OUT), help="output folder (default _site/)")
    parser.add_argument("--repo", help="the class copy's repository URL for the launch buttons, e.g. https://github.com/ORG/CLASS-REPO")
    parser.add_argument("--hub", help="JupyterHub URL for the nbgitpuller launch button")
    parser.add_argument("--branch", help="branch the launch buttons open (default main)")
    args = parser.parse_args(argv)
    try:
        pages = build_site(Path(args.out), repo=args.repo, hub=args.hub, branch=args.branch, quiet=False)
    except SiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {len(pages)} pages to {Path(args.out).resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
