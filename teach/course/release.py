"""The class copy (``make release``): what students receive, built as its own git repository.

It holds the student editions (as ``notebooks/NN_*.ipynb``), the data, the ``helpers`` package the lessons
import (whole: the teachers' tools live in ``teach``, which the copy does not take), the set-up files, and a README for students. It holds no teacher
edition, no model answer or rubric, and for every exercise the course file grades, no answer in any form:
the answer bank keeps only the kind of answer asked for (see :func:`helpers.exercises.form_only_entry`).

The copy is a separate repository on purpose: a teacher pushes it to a repository of its own (public or
the school's), and nbgitpuller links point there. A branch of this repository would not do: its history
and its other branches still hold the teacher editions, and anyone who can clone a branch can fetch them.

Each release is a new commit on top of the last one, so nbgitpuller can merge it into students' folders
without touching their own work. A release never overwrites changes made by hand inside the class copy
unless given ``force``, and then it first copies them to ``<class copy>.backup-<n>/``.
"""

from __future__ import annotations

from teach.errors import ToolError
from teach.files import write_atomic

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat

from teach.course.config import Course
from teach.editions import ROOT, STUDENT_DIR, EditionError, execute, notebook_text, render, teacher_notebooks
from helpers.exercises import BANK_DIR, answer_forms, answer_hash, fold_text, form_only_entry

#: what of the repository a class copy takes (relative to the repository root)
FILES = ["pyproject.toml", "constraints.txt", "environment.yml"]
FOLDERS = ["data", ".binder"]
#: JupyterLab's plugin that asks every user whether to fetch Jupyter news (disabled wherever students work)
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
GIT_ID = ["-c", "user.name=Class copy", "-c", "user.email=class-copy@localhost", "-c", "commit.gpgsign=false"]

README = """\
# {title}: the lessons

Lessons in Jupyter on Sino-Soviet relations around the Moscow Conference of November 1957.
Open `notebooks/00_start_here.ipynb` first, run it from top to bottom, then go on in order:

{lessons}

Each exercise has a check below it. Practice exercises tell you whether you are right and where to look
again; exercises your teacher grades only tell you whether your answer is of the right kind.

On your own computer you need Python 3.11 or newer (<https://www.python.org/downloads/>). Open a terminal in
this folder and run, once:

**macOS and Linux** (Terminal):

```bash
python3 -m venv .venv
.venv/bin/pip install -c constraints.txt -e .
.venv/bin/jupyter labextension disable --level=sys_prefix "{news}"
```

**Windows** (PowerShell or Command Prompt; when installing Python, tick "Add python.exe to PATH"):

```bat
py -m venv .venv
.venv\\Scripts\\pip install -c constraints.txt -e .
.venv\\Scripts\\jupyter labextension disable --level=sys_prefix "{news}"
```

Then, each time, open the lessons with `.venv/bin/jupyter lab notebooks/00_start_here.ipynb` (Windows:
`.venv\\Scripts\\jupyter lab notebooks\\00_start_here.ipynb`). The third line of the set-up turns off
JupyterLab's question about Jupyter news: the lessons need no internet connection.

The data in `data/` describe their sources in `data/datapackage.json`; `from helpers import cite` and
`print(cite("events"))` print a table's sources.
"""


class ReleaseError(ToolError, RuntimeError):
    """The class copy could not be written (the message says why and what to do)."""


def _git(repo: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", *GIT_ID, *args], cwd=repo, capture_output=True, text=True)
    if check and done.returncode:
        raise ReleaseError(f"git {' '.join(args)} failed in {repo}: {done.stderr.strip()}")
    return done.stdout


def _left_out(course: Course | None) -> set[str]:
    """Exercises the class copy does not have: the extension of every lesson it holds on the core route only."""
    from teach.lesson import read

    out: set[str] = set()
    paths = {a.lesson: a.path for a in course.assignments} if course else {}
    for lesson, route in _routes(course).items():
        if route == "core" and lesson in paths:
            model = read(nbformat.read(paths[lesson], as_version=4), paths[lesson].name)
            out |= {ex.id for ex in model.exercises.values() if ex.route == "extension"}
    return out


def class_bank(course: Course | None, bank_dir: Path = BANK_DIR) -> dict[str, dict]:
    """The answer bank files of the class copy: graded exercises reduced to the kind of answer, and no entry for
    an exercise the copy does not have (the extension of a lesson it holds on the core route only)."""
    graded = course.graded_code_exercises() if course else set()
    mode = course.self_checks if course else "form"
    absent = _left_out(course) - graded
    files = {}
    given = _lesson_numbers(course)
    for path in sorted(bank_dir.glob("*.json")):
        if given is not None and path.stem.rsplit("_", 1)[-1] not in given:
            continue  # a lesson the copy does not hand out: its answers are nowhere in it, so it can be graded later
        bank = json.loads(path.read_text(encoding="utf-8"))
        bank = {qid: spec for qid, spec in bank.items() if qid not in absent}
        if mode != "full":
            for qid in graded & set(bank):
                bank[qid] = form_only_entry(bank[qid]) | ({"self_check": "off"} if mode == "off" else {})
        files[path.name] = bank
    return files


def _lesson_numbers(course: Course | None) -> set[str] | None:
    """The two-digit numbers of the lessons the class copy hands out (None: every lesson)."""
    if course is None or course.lessons is None:
        return None
    stems = set(course.lessons) | {a.lesson for a in course.assignments}
    return {stem[:2] for stem in stems}


NUMBER = re.compile(r"(?<![\w.])[-\u2212]?\d+(?:[.,]\d+)?(?!\w|[.,]\d)")
MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
#: Dates as prose and tables write them: 1954-10-12, 12 October 1954, 12 Oct. 1954, October 12, 1954, 1954.10.12, 1954年10月12日.
DATES = re.compile(
    rf"\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\s+\d{{4}}\b|\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    r"|\b\d{4}\.\d{1,2}\.\d{1,2}\b|\d{4}年\d{1,2}月\d{1,2}日",
    re.I,
)


def _gives_away(text: str, graded: dict[str, dict], memo: dict | None = None) -> list[str]:
    """The graded exercises whose answer ``text`` states: a number (with or without decimals, before a full stop
    or a comma too), a list of numbers, a date in any usual form, a name.

    Found by hashing the text's numbers (and ordered pairs of them, for lists of two), its dates and its phrases of
    up to six words as each exercise's check would, so the answers themselves are never needed. A year counts
    too: where the answer is a year, every year the text names is one a student can try (other whole numbers,
    counts, are looked for only as the numbers of a list: a count is worked out from the figures, and small
    numbers are everywhere).

    ``memo``: verdicts already reached, shared between the texts of one release (a lesson names the same years and
    figures in many cells): (exercise, salt, what was tried) -> whether it is the answer.
    """
    memo = {} if memo is None else memo
    digest = hashlib.sha256(text.encode("utf-8", "replace")).digest()
    keys = {qid: (digest, qid, spec["salt"] + ":" + ",".join(sorted(spec["hashes"]))) for qid, spec in graded.items()}
    known = {qid: _VERDICTS.get(key) for qid, key in keys.items()}
    if all(v is not None for v in known.values()):  # this text was read against these answers before
        return [qid for qid, v in known.items() if v]
    graded = {qid: spec for qid, spec in graded.items() if known[qid] is None}
    earlier = [qid for qid, v in known.items() if v]

    def hit(qid: str, salt: str, accepted: set[str], tried: object, forms) -> bool:
        mark = (qid, salt, tried)
        if mark not in memo:
            memo[mark] = any(answer_hash(salt, qid, form) in accepted for form in forms())
        return memo[mark]

    found = []
    text = text[:200000]
    tokens = [t.replace("\u2212", "-").replace(",", ".") for t in NUMBER.findall(text)][:2000]
    dates = [m.group(0) for m in DATES.finditer(text)][:500]
    words = fold_text(" ".join(re.findall(r"[^\W\d_][\w'’-]*", text[:20000]))).split()
    phrases = {" ".join(words[i : i + n]) for n in range(1, 7) for i in range(len(words) - n + 1)}
    for qid, spec in graded.items():
        kind, salt = spec["kind"], spec["salt"]
        accepted = set(spec["hashes"])
        tries: list[object] = []
        # a name, or a list of one name (one party): hashed in the form check() gives a text of letters only
        prefix = {"text": "", "set": "t:", "sequence": "t:"}.get(kind)
        if prefix is not None and any(hit(qid, salt, accepted, ("name", p), lambda p=p: [prefix + p]) for p in phrases):
            found.append(qid)
            continue
        if kind == "number":
            tries = [float(t) for t in tokens]
        elif kind == "integer":  # years: a count is worked out from the figures, a year is read off the page
            tries = sorted({int(float(t)) for t in tokens if float(t).is_integer() and 1000 <= float(t) <= 2100})
        elif kind == "date":
            tries = list(dict.fromkeys(dates))
        elif kind in ("sequence", "set"):
            numbers = [float(t) for t in tokens[:400]]
            tries = [[a, b] for i, a in enumerate(numbers) for b in numbers[i + 1 : i + 40]]
        def exact(value: object) -> list[str]:
            try:
                return answer_forms(kind, value, spec)[:1]  # the exact form: its tolerance is for students
            except Exception:  # noqa: BLE001 - a token that is not an answer of this kind
                return []

        for value in tries:
            if hit(qid, salt, accepted, (kind, repr(value)), lambda value=value: exact(value)):
                found.append(qid)
                break
    for qid in graded:
        _VERDICTS[keys[qid]] = qid in found
    return sorted(earlier + found, key=list(known).index)


#: (text's digest, exercise, its answer's salt and hashes) -> whether the text states that answer: a release after
#: a refusal, or with nothing new, reads the same texts against the same answers.
_VERDICTS: dict[tuple, bool] = {}


def linked_practice(course: Course | None, bank: dict[str, dict], shipped: set[str] | None = None) -> list[str]:
    """Graded exercises linked (``register(..., linked=...)``) to one whose answer stays checkable as practice.

    One line each: the class copy would keep the practice exercise's hashes, from which the graded answer follows.
    ``shipped``: the exercises whose hashes the class copy keeps (default: every exercise of ``bank``).
    """
    graded = course.graded_code_exercises() if course else set()
    if course and course.self_checks == "full":
        return []
    problems = []
    for qid in sorted(graded & set(bank)):
        for other in bank[qid].get("linked", []):
            if other in bank and other not in graded and "hashes" in bank[other] and (shipped is None or other in shipped):
                problems.append(
                    f"exercise {qid} is graded, but exercise {other}, whose answer gives {qid}'s (or follows from it), stays "
                    f"practice with its self-check: a student could work {qid}'s answer out from {other}'s. Grade both in "
                    f"course.toml, or neither."
                )
    return problems


def _without_answers(raw: bytes, graded: dict[str, dict], name: str, log, refusals: list[str], memo: dict | None = None) -> bytes:
    """A student edition whose stored outputs state no graded answer (such outputs are cleared).

    A text cell that states a graded answer cannot be cleared: one line per such cell goes to ``refusals``.
    """
    if not graded:
        return raw
    doc = json.loads(raw.decode("utf-8"))
    changed = False
    for number, cell in enumerate(doc.get("cells", []), start=1):
        if cell.get("cell_type") == "markdown" and (gives := _gives_away("".join(cell.get("source", "")), graded, memo)):
            refusals.append(
                f"{name}, cell {number}: the lesson's own text states the answer of graded exercise "
                f"{', '.join(gives)}. Keep {'it' if len(gives) == 1 else 'them'} as practice in the course file, "
                "or reword that cell of the teacher edition and run `make editions`."
            )
        kept = []
        for output in cell.get("outputs", []):
            texts = ["".join(output.get("text", ""))] + [
                "".join(v) if isinstance(v, list) else str(v)
                for k, v in output.get("data", {}).items() if k.startswith("text/")
            ]
            gives = sorted({q for t in texts for q in _gives_away(t, graded, memo)})
            if gives:
                log(f"cleared    {name}, cell {number}: its output states the answer of graded exercise {', '.join(gives)}")
                changed = True
            else:
                kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode("utf-8") if changed else raw


def _routes(course: Course | None) -> dict[str, str]:
    """Each assigned lesson's route: "core" when every assignment of it takes the core route, else "full"."""
    routes: dict[str, str] = {}
    for assignment in course.assignments if course else []:
        routes[assignment.lesson] = "full" if routes.get(assignment.lesson) == "full" else assignment.route
    return routes


def _cell_sources(text: str) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source) for c in nbformat.reads(text, as_version=4).cells]


#: Editions run in this process, by what they were run from: a second release (a refusal fixed in course.toml, a
#: release with nothing new) does not run the same notebook again.
_RUN: dict[str, str] = {}


def _inputs_digest(root: Path) -> bytes:
    """What a lesson's outputs depend on besides its cells: the helpers' code, and the data files through the
    sizes and hashes ``data/datapackage.json`` records (``data.load`` refuses a file that differs from its record)."""
    digest = hashlib.sha256()
    paths = [p for p in sorted((root / "helpers").rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    for path in [*paths, root / "data" / "datapackage.json"]:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.digest()


def _current_edition(teacher: Path, student: Path, route: str, log) -> str:
    """The student edition of ``teacher`` on ``route``, as the teacher edition now is (never a stale file).

    The full route reuses ``notebooks/student/`` when its cells are exactly what the teacher edition gives now
    (its outputs are then the ones nbval checks); otherwise, and for the core route, it is built and run here.
    """
    try:
        fresh = render(teacher, student.parent, run=False, route=route)
        stored = student.read_text(encoding="utf-8") if student.exists() else None
        if route == "full" and stored is not None and _cell_sources(stored) == _cell_sources(fresh):
            return stored
        key = hashlib.sha256(fresh.encode("utf-8") + _inputs_digest(teacher.parent.parent)).hexdigest()
        if key in _RUN:
            return _RUN[key]
        why = "core route" if route == "core" else ("no student edition yet" if stored is None else "its student edition was stale")
        log(f"building   {teacher.name} ({why}): running it from a fresh kernel")
        student.parent.mkdir(parents=True, exist_ok=True)
        _RUN[key] = notebook_text(execute(nbformat.reads(fresh, as_version=4), student.parent))
        return _RUN[key]
    except EditionError as err:
        raise ReleaseError(str(err)) from None


def _contents(course: Course | None, root: Path, log=print) -> dict[str, bytes]:
    """Every file of the class copy: relative path -> bytes."""
    out: dict[str, bytes] = {}
    lessons = []
    full = {}
    for path in (root / "helpers" / "answers").glob("*.json"):
        full.update(json.loads(path.read_text(encoding="utf-8")))
    graded = {qid: full[qid] for qid in (course.graded_code_exercises() if course else set()) if qid in full}
    shipped = {qid for entries in class_bank(course, root / "helpers" / "answers").values() for qid, spec in entries.items() if "hashes" in spec}
    if problems := linked_practice(course, full, shipped):
        raise ReleaseError("; ".join(problems))
    routes = _routes(course)
    refusals: list[str] = []  # every cell that gives an answer away, named at once rather than one per attempt
    memo: dict = {}
    for teacher in teacher_notebooks(root / "notebooks"):
        if course is not None and not course.handed_out(teacher.stem):
            continue
        student = (root / "notebooks" / "student" / teacher.name) if root != ROOT else STUDENT_DIR / teacher.name
        text = _current_edition(teacher, student, routes.get(teacher.stem, "full"), log)
        out[f"notebooks/{teacher.name}"] = _without_answers(text.encode("utf-8"), graded, teacher.name, log, refusals, memo)
        lessons.append(f"- `notebooks/{teacher.name}`" + (" (core route)" if routes.get(teacher.stem) == "core" else ""))
    if refusals:
        raise ReleaseError("\n".join(refusals))
    for name in FILES:
        if (root / name).exists():
            out[name] = (root / name).read_bytes()
    for folder in FOLDERS:
        for path in sorted((root / folder).rglob("*")) if (root / folder).is_dir() else []:
            if path.is_file() and "__pycache__" not in path.parts and ".ipynb_checkpoints" not in path.parts:
                out[str(path.relative_to(root))] = path.read_bytes()
    helpers = root / "helpers"
    for path in sorted(helpers.rglob("*")):
        rel = path.relative_to(helpers)
        if not path.is_file() or "__pycache__" in rel.parts or rel.parts[0] == "answers":
            continue
        out[f"helpers/{rel}"] = path.read_bytes()
    for name, bank in class_bank(course, helpers / "answers").items():
        out[f"helpers/answers/{name}"] = (json.dumps(bank, indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    title = "Mao, Khrushchev and the Moscow Conference of 1957"
    out["README.md"] = (README.format(title=title, lessons="\n".join(lessons), news=NEWS_PLUGIN) + _due_dates(course)).encode("utf-8")
    out[".gitignore"] = b".venv/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n"
    return out


def _due_dates(course: Course | None) -> str:
    """The README's section on what counts and when it is due, in the school's time zone."""
    dated = [a for a in course.assignments] if course else []
    if not dated:
        return ""
    from teach.course.late import describe

    lines = ["", "## What counts, and when it is due", ""]
    for a in dated:
        when = f"due {course.due_text(a)}" if a.due else "no due date"
        lines.append(f"- **{a.name}** (`notebooks/{a.path.name}`, exercises {', '.join(dict.fromkeys(p.exercise for p in a.parts))}): {when}")
    lines += ["", describe(course.late) + (" Your teacher may give you an extension." if course.late.active else ""), ""]
    return "\n".join(lines)


def _refuse_published(out: Path, course: Course | None) -> None:
    """Refuse to grade an exercise whose answer an earlier release already gave out (its hash is in the history)."""
    graded = course.graded_code_exercises() if course else set()
    if not graded or not _git(out, "rev-parse", "--verify", "--quiet", "HEAD", check=False).strip():
        return
    published: dict[str, str] = {}
    for commit in _git(out, "log", "--format=%H", "--", "helpers/answers").split():
        for name in _git(out, "ls-tree", "--name-only", commit, "helpers/answers/").split():
            bank = json.loads(_git(out, "show", f"{commit}:{name}") or "{}")
            for qid in graded & {q for q, spec in bank.items() if "hashes" in spec}:
                published.setdefault(qid, commit[:10])
    if published:
        listed = ", ".join(f"{q} (commit {c})" for q, c in sorted(published.items()))
        raise ReleaseError(
            f"the class copy already gave out the answers of {listed} as practice: its history holds their hashes, "
            "which a student can test every year or small count against. Grade other exercises (those of a lesson the "
            "copy has not handed out yet can be added: course.toml's [course] lessons lists the lessons handed out), "
            "or start a new class copy in another folder (and a new class repository) for a class that has not seen them."
        )


def _hand_commits(out: Path) -> list[str]:
    """The commits at the tip of the class copy that no release made (newest first)."""
    if not _git(out, "rev-parse", "--verify", "--quiet", "HEAD", check=False).strip():
        return []
    hand = []
    for line in _git(out, "log", "--format=%H%x09%an%x09%ae").splitlines():
        commit, name, email = line.split("\t")
        if (name, email) == ("Class copy", "class-copy@localhost"):
            break
        hand.append(commit)
    return hand


def _has_parent(out: Path, commit: str) -> bool:
    return bool(_git(out, "rev-parse", "--verify", "--quiet", f"{commit}~1", check=False).strip())


def _backup(out: Path, files: list[str], log) -> Path:
    number = 1
    while (backup := out.with_name(f"{out.name}.backup-{number}")).exists():
        number += 1
    for rel in files:
        source = out / rel.strip('"')
        if source.is_file():
            (backup / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, backup / rel)
    log(f"backed up  {len(files)} changed file(s) to {backup}")
    return backup


def release(out: str | Path, course: Course | None = None, *, force: bool = False, root: Path = ROOT, log=print) -> str:
    """Write the class copy into the git repository ``out`` (created if needed) and commit it.

    Returns the commit id. Refuses (:class:`ReleaseError`) when ``out`` has changes that were not made by a
    release, unless ``force``; then it copies them to a backup folder first.
    """
    out = Path(out).resolve()
    if out.exists() and any(out.iterdir()) and not (out / ".git").exists():
        raise ReleaseError(f"{out} is not empty and is not a class copy (no .git folder): choose another folder.")
    out.mkdir(parents=True, exist_ok=True)
    if not (out / ".git").exists():
        _git(out, "init", "--quiet", "--initial-branch=main")
    dirty = [line[3:] for line in _git(out, "status", "--porcelain", "--untracked-files=all").splitlines()]
    if dirty:
        if not force:
            raise ReleaseError(
                f"{out} has changes that no release made ({', '.join(dirty[:5])}{'...' if len(dirty) > 5 else ''}). "
                "Move them into the teacher editions or course.toml, or run again with --force (they are copied to a backup folder first)."
            )
        _backup(out, dirty, log)
    hand = _hand_commits(out)
    if hand:
        changed = [f for f in _git(out, "diff", "--name-only", f"{hand[-1]}~1" if _has_parent(out, hand[-1]) else hand[-1], "HEAD").splitlines() if f]
        if not force:
            raise ReleaseError(
                f"{out} has {len(hand)} commit(s) made by hand since the last release ({', '.join(h[:10] for h in hand[:3])}), "
                f"changing {', '.join(changed[:5]) or 'nothing'}: a release would overwrite them. Move those changes into the "
                "teacher editions or course.toml, or run again with --force (the changed files are copied to a backup folder first)."
            )
        _backup(out, changed, log)
    _refuse_published(out, course)
    files = _contents(course, root, log)
    tracked = set(_git(out, "ls-files").splitlines())
    for rel in sorted(tracked - set(files)):
        (out / rel).unlink(missing_ok=True)
    for rel, data in files.items():
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            write_atomic(target, data)
    _git(out, "add", "--all")
    if _git(out, "status", "--porcelain"):
        source = _git(root, "rev-parse", "--short", "HEAD", check=False).strip() or "a working tree"
        _git(out, "commit", "--quiet", "-m", f"Class copy of the lessons (from {source})")
        log(f"committed  {out} ({len(files)} files)")
    else:
        log(f"unchanged  {out}")
    return _git(out, "rev-parse", "HEAD").strip()
