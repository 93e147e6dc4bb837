"""Teacher edition -> student edition, and the nbgitpuller link for a class.

The teacher editions in ``notebooks/`` are the source. ``python -m teach.editions``
(``make editions``) writes a student edition of each into ``notebooks/student/``:

* a cell tagged ``solution`` becomes a placeholder that still runs;
* inside any code cell, the lines between ``# BEGIN SOLUTION`` and ``# END SOLUTION``
  become a placeholder (the markers survive a cell being copied or split);
* a cell tagged ``teacher-only`` (model answers, rubrics, notes) is removed;
* the placeholder assigns ``...`` to every ``answer...`` name the solution assigned,
  so the self-check below it says "not answered yet" instead of failing;
* the result is executed from a fresh kernel, so the stored outputs are exactly what a
  student sees before answering, and no output of a solution can survive.

It never overwrites a student edition that someone edited (its content no longer
matches what the builder last wrote, as recorded in ``notebooks/student/.editions.json``)
unless given ``--force``, and then it first copies the edited file into ``notebooks/student/.backups/``.
Keeping an edited file is the builder doing its job, so it says so and exits 0. A second run with nothing
changed writes nothing. Anything that looks like a solution marker or a teacher tag but is not exactly one
(``# begin solution``, ``# BEGIN SOLUTIONS``, the tag ``teacher_only``), and a marker in a markdown or raw
cell, stops the build with the cell's number, because the builder would otherwise pass it through.

Usage::

    python -m teach.editions            # build every student edition
    python -m teach.editions --check    # exit 1 if any edition is STALE (teacher changed) or EDITED (no writes)
    python -m teach.editions --force    # overwrite edited student editions, keeping a copy in .backups/
    python -m teach.editions link --hub https://hub.example.edu \\
        --repo https://github.com/ORG/REPO --branch main
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urlencode

import nbformat

from teach import figures
from teach.files import write_atomic
from teach.lesson import (  # noqa: F401 - the markers and tags are part of this module's interface too
    BEGIN,
    END,
    EXTENSION_TAG,
    SOLUTION_TAG,
    TEACHER_TAG,
    LessonModelError,
    looks_like_marker,
    placeholder,
    read,
    strip_solutions,
)

ROOT = Path(__file__).resolve().parent.parent
TEACHER_DIR = ROOT / "notebooks"
STUDENT_DIR = TEACHER_DIR / "student"
MANIFEST = ".editions.json"

BACKUP_DIR = ".backups"  # under notebooks/student/: what --force replaced
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
EXEC_TIMEOUT = 300  # seconds per cell; a lesson cell takes well under one

BANNER = (
    "> **Your copy of the lesson.** Run the cells from top to bottom (menu *Run → Run All Cells*), then answer "
    "each exercise where it says `...` or *Write your answer here*; the cell under it tells you whether you are right. "
    "Your changes are kept: a new version of the lessons never replaces a notebook you have worked in."
)

#: The teacher edition's heading names its edition; the student edition says its own.
EDITION_LINE = re.compile(r"\b(Teacher edition|Edition: teacher)\b")
_STUDENT_WORDS = {"Teacher edition": "Student edition", "Edition: teacher": "Edition: student"}


#: A teacher notebook that cannot be turned into a student edition (the message says why): the lesson model's error.
EditionError = LessonModelError


# --------------------------------------------------------------------------- transforming


@dataclass
class Removed:
    """What the transformation took out of a teacher notebook (for the leak test)."""

    lines: list[str]
    outputs: list[str]


def _output_text(cell) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if "text" in out:
            texts.append("".join(out["text"]))
        for mime, value in out.get("data", {}).items():
            if mime.startswith("text/"):
                texts.append("".join(value) if isinstance(value, list) else str(value))
    return texts


def student_notebook(teacher: nbformat.NotebookNode, name: str, route: str = "full") -> tuple[nbformat.NotebookNode, Removed]:
    """The student edition of ``teacher`` on ``route`` ("full" or "core"; unexecuted) and what was removed from it.

    It works from the lesson model (:func:`teach.lesson.read`), which refuses anything that looks like a role
    but is not exactly one, so no solution passes unnoticed.
    """
    lesson = read(copy.deepcopy(teacher), name)
    nb = lesson.nb
    cells = []
    removed = Removed([], [])
    for cell in lesson.cells:
        node = cell.node
        where = f"notebooks/{name}, cell {cell.index + 1}"
        if cell.role == "model" or cell.route not in (("core",) if route == "core" else ("core", "extension")):
            if cell.role == "model":
                removed.lines.extend(node.source.splitlines())
                removed.outputs.extend(_output_text(node))
            continue
        if node.cell_type == "code":
            tags = cell.tags
            if cell.role == "solution":
                if SOLUTION_TAG in tags:
                    took = node.source.splitlines()
                    new_source = "\n".join(placeholder(took, ""))
                else:
                    new_source, took = strip_solutions(node.source, where)
                removed.lines.extend(took)
                removed.outputs.extend(_output_text(node))
                node.source = new_source
                node.metadata["tags"] = [t for t in tags if t != SOLUTION_TAG] + (["answer"] if "answer" not in tags else [])
            node.outputs = []
            node.execution_count = None
        cells.append(node)
    for node in cells:  # the first heading that names the edition
        if node.cell_type == "markdown" and EDITION_LINE.search(node.source):
            node.source = EDITION_LINE.sub(lambda m: _STUDENT_WORDS[m.group(1)], node.source, count=1)
            break
    banner = nbformat.v4.new_markdown_cell(BANNER)
    banner.id = "student-edition-banner"
    banner.metadata["tags"] = ["edition-banner"]
    nb.cells = [banner, *cells]
    return nb, removed


# --------------------------------------------------------------------------- executing and writing


@contextlib.contextmanager
def kernel_sockets(kernel_name: str = "python3"):
    """A kernel manager whose kernel talks over Unix sockets in a private folder (POSIX), else None (nbclient's default).

    A TCP kernel picks free ports and binds them a moment later; when several kernels start at once (the test
    suite runs two workers, each starting kernels) another process can take a port in between and the kernel
    dies before it answers. Sockets in a folder of their own cannot collide, and nothing listens on the network.
    """
    if os.name != "posix":
        yield None
        return
    from jupyter_client.manager import AsyncKernelManager

    with tempfile.TemporaryDirectory(prefix="kernel-") as folder:
        yield AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(folder, "k"))


def execute(nb: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in a fresh kernel in ``cwd``: no timing, no widget state stored.

    Widget views are dropped from the stored outputs: their model ids are random, so they would
    change on every run, and without the kernel that made them they cannot render anyway. An
    explorer's output keeps its still image (HTML), which is what a reader without a kernel sees.
    (nbclient must still track widget state while running, or capturing ``Output`` widgets fail.)
    """
    from nbclient import NotebookClient

    with kernel_sockets() as km:
        client = NotebookClient(
            nb,
            km=km,
            timeout=EXEC_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
            record_timing=False,
            store_widget_state=True,
        )
        client.execute()
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = _coalesce([o for o in (_without_widget(o) for o in cell.outputs) if o is not None])
    return nb


def _without_widget(output):
    """An output without its live widget view: kept if it also holds a still image (HTML), else dropped."""
    data = output.get("data", {})
    if WIDGET_VIEW not in data:
        return output
    if "text/html" not in data:
        return None
    del data[WIDGET_VIEW]
    return output


def _coalesce(outputs: list) -> list:
    """Join consecutive stdout (or stderr) chunks: how a kernel splits a stream varies from run to run."""
    merged: list = []
    for out in outputs:
        if out.get("output_type") == "stream" and merged and merged[-1].get("output_type") == "stream" and merged[-1].get("name") == out.get("name"):
            merged[-1]["text"] = "".join(merged[-1]["text"]) + "".join(out["text"])
        else:
            merged.append(out)
    return merged


def notebook_text(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def teacher_notebooks(teacher_dir: Path = TEACHER_DIR) -> list[Path]:
    return sorted(p for p in teacher_dir.glob("[0-9][0-9]_*.ipynb"))


def render(teacher_path: Path, student_dir: Path = STUDENT_DIR, run: bool = True, route: str = "full") -> str:
    """The text of the student edition of ``teacher_path`` on ``route``, executed unless ``run`` is False."""
    try:
        teacher = nbformat.read(teacher_path, as_version=4)
    except (OSError, ValueError) as err:
        raise EditionError(f"notebooks/{teacher_path.name} cannot be read as a notebook: {err}") from None
    nb, _ = student_notebook(teacher, teacher_path.name, route)
    if run:
        student_dir.mkdir(parents=True, exist_ok=True)
        nb = execute(nb, student_dir)
    return notebook_text(nb)


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _load_manifest(student_dir: Path) -> dict[str, str]:
    path = student_dir / MANIFEST
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def unknown_names(names: list[str] | None, teacher_dir: Path = TEACHER_DIR) -> str | None:
    """A message naming the notebooks asked for that do not exist (and the ones that do), or None."""
    known = teacher_notebooks(teacher_dir)
    missing = [n for n in names or [] if not any(n in (p.name, p.stem) for p in known)]
    if not missing:
        return None
    return (f"no teacher notebook called {', '.join(map(repr, missing))} in {_rel(teacher_dir)}; "
            f"the notebooks are: {', '.join(p.name for p in known) or '(none)'}.")


def backup(target: Path, student_dir: Path) -> Path:
    """Copy ``target`` into ``student_dir/.backups/`` under a name with the UTC time; return the copy's path."""
    folder = student_dir / BACKUP_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    copy_path = folder / f"{target.stem}.{stamp}{target.suffix}"
    n = 1
    while copy_path.exists():
        n += 1
        copy_path = folder / f"{target.stem}.{stamp}-{n}{target.suffix}"
    shutil.copy2(target, copy_path)
    return copy_path


def build(
    teacher_dir: Path = TEACHER_DIR,
    student_dir: Path = STUDENT_DIR,
    *,
    force: bool = False,
    check_only: bool = False,
    run: bool = True,
    names: list[str] | None = None,
    log=print,
    store: Path | None = None,
) -> int:
    """Write every student edition; return the exit status.

    Writing: 0, also when an edited edition was kept (that is the builder doing its job; it says so).
    ``force`` replaces edited editions, first copying each into ``notebooks/student/.backups/``.
    ``check_only`` writes nothing and returns 1 if any edition differs from what the builder would write,
    saying which of two things happened: STALE (the teacher edition changed since the student edition was
    built) or EDITED (someone changed the student edition; EDITED+STALE when both).
    ``store``: the folder of figures drawn ahead of time (``helpers/figures/``, as ``make editions`` passes it) to
    make, lesson by lesson, exactly the figures each executed student edition draws (:mod:`teach.figures`).
    """
    unknown = unknown_names(names, teacher_dir)
    if unknown:
        raise EditionError(unknown)
    student_dir.mkdir(parents=True, exist_ok=True)
    if store is not None and Path(teacher_dir).resolve() != Path(store).resolve().parent.parent / "notebooks":
        store = None  # the store belongs to the lessons of its own repository (helpers/figures -> notebooks/), no others
    manifest = _load_manifest(student_dir)
    status = 0
    kept = 0
    for teacher_path in teacher_notebooks(teacher_dir):
        if names and teacher_path.name not in names and teacher_path.stem not in names:
            continue
        target = student_dir / teacher_path.name
        if store is not None and run and not check_only:
            with figures.recording() as drawn:
                new_text = render(teacher_path, student_dir, run=run)
                count, deleted = figures.update(teacher_path.stem, drawn, store=store)
            log(f"figures    {count} stored for {teacher_path.stem}" + (f", {deleted} no longer drawn deleted" if deleted else ""))
        else:
            new_text = render(teacher_path, student_dir, run=run)
        old_text = target.read_text(encoding="utf-8") if target.exists() else None
        if old_text == new_text:
            manifest[target.name] = _digest(new_text)
            log(f"unchanged  {_rel(target)}")
            continue
        last = manifest.get(target.name)
        edited = old_text is not None and last != _digest(old_text)
        source_changed = last != _digest(new_text)
        if check_only:
            status = 1
            if old_text is None:
                log(f"MISSING    {_rel(target)}: there is no student edition of {teacher_path.name} yet; run make editions.")
            elif edited and source_changed and last is not None:
                log(f"EDITED+STALE {_rel(target)}: someone changed this student edition, and the teacher edition {teacher_path.name} "
                    "changed too. make editions keeps the edited copy; --force replaces it (keeping a backup).")
            elif edited:
                log(f"EDITED     {_rel(target)}: someone changed this student edition since the builder wrote it "
                    f"(the teacher edition {teacher_path.name} did not change). make editions keeps it.")
            else:
                log(f"STALE      {_rel(target)}: the teacher edition {teacher_path.name} changed since this student edition was built; "
                    "run make editions.")
            continue
        if edited and not force:
            kept += 1
            why = "" if source_changed else " (and the teacher edition has not changed since, so there is nothing new for it)"
            log(
                f"KEPT       {_rel(target)}: it was edited since the builder last wrote it, so it was not overwritten{why}. "
                "To replace it anyway, run again with --force: the edited copy is then kept in "
                f"{_rel(student_dir / BACKUP_DIR)}/."
            )
            continue
        saved = backup(target, student_dir) if edited else None
        write_atomic(target, new_text)
        manifest[target.name] = _digest(new_text)
        log(f"wrote      {_rel(target)}" + (f" (the edited copy it replaced is in {_rel(saved)})" if saved else ""))
    if store is not None and run and not check_only and not names:
        figures.keep_only({p.stem for p in teacher_notebooks(teacher_dir)}, store)
    if not check_only:
        write_atomic(student_dir / MANIFEST, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
        if kept:
            log(f"Done: {kept} edited student edition(s) kept as they were; nothing was lost.")
    return status


# --------------------------------------------------------------------------- nbgitpuller


def nbgitpuller_link(hub: str, repo: str, branch: str = "main", path: str = "notebooks/student/00_start_here.ipynb", app: str = "lab") -> str:
    """The link that clones (or updates) ``repo`` into each student's home on ``hub`` and opens ``path``.

    >>> nbgitpuller_link("https://hub.example.edu", "https://github.com/org/sino-soviet-1957")
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Forg%2Fsino-soviet-1957&urlpath=lab%2Ftree%2Fsino-soviet-1957%2Fnotebooks%2Fstudent%2F00_start_here.ipynb&branch=main'
    """
    for label, url in (("hub", hub), ("repo", repo)):
        if not re.match(r"^https?://[^\s/]+", url or ""):
            raise ValueError(f"--{label} must be a full URL starting with https://, got {url!r}")
    name = repo.rstrip("/").rsplit("/", 1)[-1]
    folder = name.removesuffix(".git")
    urlpath = f"{app}/tree/{folder}/{path.lstrip('/')}"
    fields = {"repo": repo, "urlpath": urlpath, "branch": branch}
    if folder != name:  # nbgitpuller would clone into NAME.git: say where, so that urlpath finds the lesson
        fields["targetpath"] = folder
    query = urlencode(fields, quote_via=quote, safe="")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "link":
        parser = argparse.ArgumentParser(prog="python -m teach.editions link", description="Print the nbgitpuller link for a class.")
        parser.add_argument("--hub", required=True, help="the JupyterHub's URL, e.g. https://hub.example.edu")
        parser.add_argument("--repo", required=True, help="this repository's URL")
        parser.add_argument("--branch", default="main")
        parser.add_argument("--path", default="notebooks/student/00_start_here.ipynb", help="notebook or folder to open")
        parser.add_argument("--app", default="lab", choices=["lab", "tree"])
        args = parser.parse_args(argv[1:])
        try:
            print(nbgitpuller_link(args.hub, args.repo, args.branch, args.path, args.app))
        except ValueError as err:
            parser.error(str(err))
        return 0
    parser = argparse.ArgumentParser(prog="python -m teach.editions", description="Write the student editions from the teacher editions.")
    parser.add_argument("names", nargs="*", help="only these notebooks (e.g. 01_honeymoon.ipynb)")
    parser.add_argument("--force", action="store_true", help="overwrite student editions that were edited (a copy goes to notebooks/student/.backups/)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if any edition is STALE (teacher edition changed) or EDITED")
    args = parser.parse_args(argv)
    try:
        return build(force=args.force, check_only=args.check, names=args.names or None, store=figures.figure_store.STORE_DIR)
    except EditionError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
