"""Build the lessons' website (``make site``) with Sphinx, myst-nb and sphinx-book-theme, offline.

The pages are the student editions (solution-free) with the outputs they were stored with:
nothing is executed. The site has full-text search, light and dark themes, a contents sidebar,
previous/next links, launch buttons (Binder, and the class's JupyterHub through an nbgitpuller
link), a print layout for each lesson, and still images with a note where the lessons have
explorers. No page loads anything from another site: the theme's fonts and scripts are copied
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
import os
import shutil
import sys
import tempfile
from pathlib import Path

from teach.editions import ROOT, STUDENT_DIR
from teach.errors import ToolError

DEFAULT_OUT = ROOT / "_site"
SOURCE = ROOT / "website"


class SiteError(ToolError):
    """The site cannot be built (the message says why and what to do)."""


def lessons(student_dir: Path = STUDENT_DIR) -> list[Path]:
    return sorted(student_dir.glob("[0-9][0-9]_*.ipynb"))


def build_site(
    out_dir: Path = DEFAULT_OUT,
    student_dir: Path = STUDENT_DIR,
    *,
    repo: str | None = None,
    hub: str | None = None,
    branch: str | None = None,
    quiet: bool = True,
) -> list[Path]:
    """Write the website to ``out_dir``; return the HTML pages written (index and one per lesson)."""
    from sphinx.application import Sphinx

    notebooks = lessons(student_dir)
    if not notebooks:
        raise SiteError(f"No student editions in {student_dir}: run `make editions` first.")
    listed = (SOURCE / "index.md").read_text(encoding="utf-8")
    missing = [p.stem for p in notebooks if f"\n{p.stem}\n" not in listed]
    if missing:
        raise SiteError(f"website/index.md does not list {missing}: add them to its toctree.")
    out_dir = Path(out_dir)
    settings = {"SITE_REPO": repo, "SITE_HUB": hub, "SITE_BRANCH": branch}
    saved = {k: os.environ.get(k) for k in settings}
    with tempfile.TemporaryDirectory(prefix="lessons-site-") as tmp:
        src = Path(tmp) / "src"
        shutil.copytree(SOURCE, src)
        for path in notebooks:
            shutil.copy(path, src / path.name)
        try:
            for key, value in settings.items():
                if value:
                    os.environ[key] = value
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
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        if app.statuscode:
            raise SiteError(f"Sphinx stopped with status {app.statuscode}; see the messages above.")
        shutil.copytree(Path(tmp) / "html", out_dir, dirs_exist_ok=True)
    (out_dir / ".nojekyll").touch()  # served as-is by static hosts that would hide _static/
    return [out_dir / "index.html", *(out_dir / f"{p.stem}.html" for p in notebooks)]


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
