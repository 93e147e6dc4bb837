"""The nbgrader preprocessors this course adds to autograding (named in nbgrader_config.py).

When a student copies a graded cell, nbgrader's own ``DeduplicateIds`` takes the grade id off the copy but
leaves the rest of its nbgrader metadata, and ``OverwriteCells`` then stops with a ``KeyError`` on it (with
``add_missing_cells`` on), so the whole submission is not graded. This drops the leftover metadata: the
copy becomes an ordinary cell and only the first copy counts, as nbgrader intends.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer, Unicode


class DropOrphanGradeMetadata(NbGraderPreprocessor):
    """Remove nbgrader metadata that has no grade id (left on copies of graded cells)."""

    def preprocess_cell(self, cell, resources, index):
        meta = cell.get("metadata", {})
        if "nbgrader" in meta and "grade_id" not in meta["nbgrader"]:
            self.log.warning("Cell %d copies a graded cell: it is graded as an ordinary cell (the first copy counts)", index + 1)
            del meta["nbgrader"]
        return cell, resources


class DropUnknownGradeCells(NbGraderPreprocessor):
    """Take nbgrader's metadata off any cell whose grade id the assignment's source does not have.

    A student can write metadata by hand: a "grade cell" of their own (``"points": 100``) would otherwise stop
    nbgrader ("could not grade it") or, worse, be scored. Such a cell becomes an ordinary one; the cells of the
    source, restored by ``OverwriteCells``, are the only ones graded.
    """

    def preprocess(self, nb, resources):
        from nbgrader.coursedir import CourseDirectory

        info = resources["nbgrader"]
        source = Path(CourseDirectory(config=self.config).root) / "source" / info["assignment"] / f"{info['notebook']}.ipynb"
        known = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nbformat.read(source, as_version=4).cells} - {None}
        for index, cell in enumerate(nb.cells):
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if "nbgrader" in cell.get("metadata", {}) and gid not in known:
                self.log.warning("Cell %d claims to be graded cell %r, which this assignment does not have: graded as an ordinary cell", index + 1, gid)
                del cell.metadata["nbgrader"]
        return nb, resources


class ShortenTestErrors(NbGraderPreprocessor):
    """In feedback, show a failed test as its one-line message, not as a traceback.

    A traceback prints the lines of code around the failure, and in a test cell those are the hidden test
    with the exercise's hashes: a student who had them could try every year or small count against them and
    pass the answer on. The message of :func:`helpers.exercises.grade` never contains the answer.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade") and cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


# --------------------------------------------------------------------------- sandboxed execution

HIDDEN_TEST = re.compile(
    r"### BEGIN HIDDEN TESTS\n.*?_grade\((?P<qid>'[^'\n]+'|\"[^\"\n]+\"), (?P<name>[A-Za-z_]\w*), (?P<spec>\{.*\})\)\n### END HIDDEN TESTS",
    re.S,
)

#: Runs done ahead of nbgrader (in parallel, by ``make grade``): key of the sandbox notebook -> its runs (one per
#: submission with that key: identical notebooks, blank ones for instance, are each run once).
PRERUN: dict[str, list] = {}


def tests_of(source_nb) -> dict[str, tuple[str, str, dict]]:
    """The autograded tests of a (trusted) nbgrader source notebook: grade id -> (exercise, answer name, bank entry)."""
    found = {}
    for cell in source_nb.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution") and (m := HIDDEN_TEST.search(cell.source)):
            found[meta["grade_id"]] = (ast.literal_eval(m["qid"]), m["name"], json.loads(m["spec"]))
    return found


def sandbox_notebook(nb, tests: dict[str, tuple[str, str, dict]]) -> dict:
    """The notebook that runs in the sandbox: every test's hidden part replaced by handing the answer out."""
    out = json.loads(json.dumps(nb))
    for cell in out["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") == "code":
            cell["outputs"], cell["execution_count"] = [], None
        if gid in tests:
            qid, name, _ = tests[gid]
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            visible = source.split("### BEGIN HIDDEN TESTS", 1)[0].rstrip()
            cell["source"] = (visible + "\n" if visible else "") + (
                f"from helpers.exercises.handout import hand_out as _hand_out\n_hand_out({qid!r}, {name!r})"
            )
    return out


def run_key(notebook: dict) -> str:
    """What a run depends on: the cells' kinds and sources, in order."""
    cells = [(c.get("cell_type"), c.get("source")) for c in notebook.get("cells", [])]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def _bounded(output: dict, room: int) -> tuple[dict | None, int]:
    """``output`` cut to at most ``room`` characters of text (images over the room are dropped); its size."""
    out = {k: v for k, v in output.items() if k in ("output_type", "name", "text", "data", "metadata", "ename", "evalue", "traceback", "execution_count")}
    # a notebook file splits text into lines; nbgrader reads it joined
    if isinstance(out.get("text"), list):
        out["text"] = "".join(map(str, out["text"]))
    if isinstance(out.get("data"), dict):
        out["data"] = {k: "".join(map(str, v)) if isinstance(v, list) and k.startswith(("text/", "image/svg")) else v for k, v in out["data"].items()}
    if out.get("output_type") not in ("stream", "display_data", "execute_result", "error"):
        return None, 0
    size = len(json.dumps(out, ensure_ascii=False))
    if size <= room:
        return out, size
    kind = out.get("output_type")
    note = f"\n... [output cut: {size:,} characters, more than grading keeps]\n"
    if kind == "stream":
        text = "".join(out.get("text", ""))
        out["text"] = text[: max(room - 200, 0)] + note
    elif kind == "error":
        out["traceback"] = [str(out.get("ename", ""))[:200] + ": " + str(out.get("evalue", ""))[:max(room - 400, 0)]]
        out["evalue"] = str(out.get("evalue", ""))[:max(room - 400, 0)]
    else:
        plain_text = out.get("data", {}).get("text/plain", "")
        plain_text = "".join(plain_text) if isinstance(plain_text, list) else str(plain_text)
        out["data"] = {"text/plain": plain_text[: max(room - 200, 0)] + note}
        out["metadata"] = {}
    return out, len(json.dumps(out, ensure_ascii=False))


class SandboxedExecute(NbGraderPreprocessor):
    """nbgrader's ``Execute``, replaced: the notebook runs in a sandbox and the answers are judged out here.

    The sandbox (:mod:`teach.course.sandbox`) sees the notebook with each autograded test cell's hidden part
    replaced by :func:`helpers.exercises.handout.hand_out`; the tests' hashes stay in this process, which judges
    each handed-out value with :func:`helpers.exercises.grade` and writes the test cell's outputs itself: an error
    for a wrong or missing answer, a line for a right one (nbgrader's ``SaveAutoGrades`` then scores them as
    usual). The other cells keep what the run printed, each output and the whole notebook size-limited. What was
    handed out and judged is kept for the teacher in ``answers/<assignment>/<student>.json``.
    """

    cell_seconds = Integer(60, help="seconds a cell may run").tag(config=True)
    notebook_seconds = Integer(900, help="seconds a whole notebook may run").tag(config=True)
    memory_mb = Integer(3072, help="memory a process of the run may use (MB)").tag(config=True)
    unsafe = Bool(False, help="run without the sandbox (the teacher accepted the risk)").tag(config=True)
    class_files = Unicode("", help="the class copy's helpers/ and data/ for the sandbox (default: .grading/class-files)").tag(config=True)
    max_output_chars = Integer(20_000, help="characters an output keeps").tag(config=True)
    max_notebook_chars = Integer(2_000_000, help="characters of output a notebook keeps").tag(config=True)

    def limits(self):
        from teach.course.sandbox import Limits

        return Limits(cell_seconds=self.cell_seconds, notebook_seconds=self.notebook_seconds, memory_mb=self.memory_mb)

    def preprocess(self, nb, resources):
        from nbgrader.coursedir import CourseDirectory

        from teach.course.sandbox import run

        info = resources["nbgrader"]
        root = Path(CourseDirectory(config=self.config).root)
        source = nbformat.read(root / "source" / info["assignment"] / f"{info['notebook']}.ipynb", as_version=4)
        tests = tests_of(source)
        box = sandbox_notebook(nb, tests)
        key = run_key(box)
        done = PRERUN.get(key)
        result = done.pop() if done else None
        if done == []:
            del PRERUN[key]
        if result is None:
            files = Path(self.class_files) if self.class_files else root / ".grading" / "class-files"
            if not (files / "helpers").is_dir():
                from teach.course.sandbox import class_files

                class_files(files, graded_everywhere(root))
            result = run(box, files, self.limits(), unsafe=self.unsafe)
        record = result.notebook
        if record is not None and len(record.get("cells", [])) != len(nb.cells):
            record, result.reason = None, "the notebook's run handed back a record that does not match the notebook"
        answers: dict[str, dict] = {}
        room = self.max_notebook_chars
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            ran = record["cells"][index] if record else {}
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            outputs, handed = [], []
            for output in ran.get("outputs", []) if isinstance(ran, dict) else []:
                if not isinstance(output, dict):
                    continue
                data = output.get("data") if isinstance(output.get("data"), dict) else {}
                if HANDOUT_MIME in data:
                    handed.append(data[HANDOUT_MIME])
                    continue
                kept, size = _bounded(output, min(self.max_output_chars, room))
                if kept is not None and room > 0:
                    outputs.append(nbformat.from_dict(kept))
                    room -= size
            cell.execution_count = ran.get("execution_count") if isinstance(ran.get("execution_count"), int) else None
            if gid in tests:
                qid, _, spec = tests[gid]
                verdict = judge_handout(qid, spec, handed, result.reason)
                answers[qid] = verdict
                outputs.append(_verdict_output(verdict))
            elif cell.metadata.get("nbgrader", {}).get("grade") and not cell.metadata.get("nbgrader", {}).get("solution"):
                outputs = [nbformat.v4.new_output("error", ename="NotATest", evalue="this cell is not a test of this assignment", traceback=["NotATest: this cell is not a test of this assignment"])]
            cell.outputs = outputs
        _write_answers(root, info, answers, result)
        return nb, resources


from helpers.exercises.handout import MIME as HANDOUT_MIME  # noqa: E402 - beside the code that reads it


def graded_everywhere(root: Path) -> set[str]:
    """Every exercise any assignment of the course folder grades automatically (from the source notebooks)."""
    graded = set()
    for path in sorted((root / "source").glob("*/*.ipynb")):
        graded |= {qid for qid, _, _ in tests_of(nbformat.read(path, as_version=4)).values()}
    return graded


def _from_plain(value):
    """A handed-out value back as what the comparison reads (a table or Series rebuilt with pandas)."""
    if isinstance(value, dict) and "table" in value:
        import pandas as pd

        t = value["table"]
        return pd.DataFrame(t["data"], columns=t["columns"], index=t["index"])
    if isinstance(value, dict) and "series" in value:
        import pandas as pd

        s = value["series"]
        return pd.Series(s["data"], index=s["index"])
    return value


def judge_handout(qid: str, spec: dict, handed: list, stopped: str) -> dict:
    """The verdict on what the run handed out for ``qid`` (the last hand-out for it counts)."""
    from helpers.exercises import grade

    mine = [h for h in handed if isinstance(h, dict) and h.get("qid") == qid]
    if not mine:
        why = f"no answer was handed in ({stopped})" if stopped else "no answer was handed in (the cell did not run to its end)"
        return {"given": None, "verdict": "unanswered", "message": f"Exercise {qid}: {why}."}
    last = mine[-1]
    if "unreadable" in last:
        return {"given": None, "verdict": "refused", "message": f"Exercise {qid}: the answer could not be read ({str(last['unreadable'])[:80]})."}
    value = last.get("value")
    if last.get("missing") or value == {"missing": True}:
        return {"given": None, "verdict": "unanswered", "message": f"Exercise {qid}: not answered."}
    try:
        grade(qid, _from_plain(value), spec)
    except AssertionError as why:
        return {"given": value, "verdict": "wrong", "message": str(why)[:300]}
    except Exception as err:  # noqa: BLE001 - an odd value is a wrong answer, never a crash of the grader
        return {"given": value, "verdict": "wrong", "message": f"Exercise {qid}: could not read this answer ({type(err).__name__})."}
    return {"given": value, "verdict": "right", "message": f"Exercise {qid}: right."}


def _verdict_output(verdict: dict):
    if verdict["verdict"] == "right":
        return nbformat.v4.new_output("stream", name="stdout", text=verdict["message"] + "\n")
    return nbformat.v4.new_output("error", ename="NotRight", evalue=verdict["message"], traceback=[f"NotRight: {verdict['message']}"])


def _write_answers(root: Path, info: dict, answers: dict, result) -> None:
    from teach.files import write_atomic

    path = root / "answers" / info["assignment"] / f"{info['student']}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    notebooks = old.get("notebooks", {}) | {info["notebook"]: {"run": "ok" if result.notebook is not None else "stopped", "reason": result.reason, "seconds": round(result.seconds, 1)}}
    doc = {"assignment": info["assignment"], "student": info["student"], "answers": old.get("answers", {}) | answers, "notebooks": notebooks}
    write_atomic(path, json.dumps(doc, indent=1, ensure_ascii=False, default=str) + "\n")
