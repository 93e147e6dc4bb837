"""Hostile submissions graded for real (`make grade`: nbgrader, the bubblewrap sandbox, a temporary course).

A class of one honest student, one classmate graded earlier, and a dozen submissions that try to cheat or to
harm: patching the grader, swapping modules, a lying ``__eq__``, reading the course and the teacher's files,
writing the gradebook, classmates' folders and the configuration, reaching the teacher's network, killing the
grader, leaving a daemon, flooding memory, output and processes, sleeping, editing the test cells and forging
nbgrader metadata. For each: no marks gained, nothing secret in its outputs or its feedback, classmates' grades
and files and the teacher's files unchanged, no process left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest
from course_kit import nbgrader, new_course

from teach.course.grading import autograde
from teach.course.sandbox import unavailable

ROOT = Path(__file__).resolve().parent.parent
LESSON = "00_start_here.ipynb"
TOKEN = "hostile-daemon-7f3a"
COURSE_FILE = """\
[course]
id = "hostile-course"
self_checks = "form"
timeout = 8
notebook_timeout = 240
memory_mb = 2048

[[assignment]]
name = "lesson00"
lesson = "00_start_here"
route = "core"
[assignment.points]
"0.1" = 1
"0.2" = 1
"0.3" = 1
"0.4" = 1
"""
QIDS = ("0.1", "0.2", "0.3", "0.4")

# CI installs bubblewrap (.ci/run), so there these tests always run; elsewhere they say why they cannot
pytestmark = pytest.mark.skipif(bool(unavailable()) and not os.environ.get("CI"), reason=f"no sandbox on this machine: {unavailable()}")


def cheats(course: Path, port: int) -> dict[str, str]:
    """Student id -> code put at the end of the first answer cell (every answer is otherwise left unanswered)."""
    repo = str(ROOT)
    return {
        "patcher": (
            "import helpers.exercises as E, helpers.exercises.verdicts as V, helpers.exercises.handout as H\n"
            "E.grade = V.grade = lambda *a, **k: None\n"
            "E.judge = V.judge = lambda q, a, s: ([], True)\n"
            "H.plain = lambda v: 'right'\n"
        ),
        "swapper": (
            "import sys, types\n"
            "fake = types.ModuleType('helpers.exercises.handout')\n"
            "from IPython.display import display\n"
            "fake.hand_out = lambda q, n: display({'application/x.sino-soviet.answer+json': {'qid': q, 'value': {'forms': ['*']}}}, raw=True)\n"
            "sys.modules['helpers.exercises.handout'] = fake\n"
            "sys.modules['helpers.exercises'].grade = lambda *a, **k: None\n"
        ),
        "liar": (
            "class Anything:\n"
            "    def __eq__(self, other): return True\n"
            "    def __hash__(self): return 0\n"
            "    def __str__(self): return '1957'\n"
            "answer_0_1 = answer_0_2 = answer_0_3 = answer_0_4 = Anything()\n"
        ),
        "reader": (
            "import glob, os\n"
            f"for pattern in [{str(course)!r} + '/**', '../**', '/work/**/answers/*.json', {repo!r} + '/helpers/answers/*.json',\n"
            "                '/root/**', '/home/**/*.db', '/proc/1/root/**', 'helpers/answers/*.json']:\n"
            "    for path in glob.glob(pattern, recursive=True)[:200]:\n"
            "        try:\n"
            "            print(path, open(path, errors='replace').read()[:3000])\n"
            "        except Exception as err:\n"
            "            print(path, type(err).__name__)\n"
        ),
        "writer": (
            "import os\n"
            f"for path in [{str(course / 'gradebook.db')!r}, {str(course / 'nbgrader_config.py')!r},\n"
            f"             {str(course / 'submitted' / 'victim' / 'lesson00' / LESSON)!r}, {repo + '/helpers/exercises/__init__.py'!r},\n"
            "             '../gradebook.db', os.path.expanduser('~/.bashrc')]:\n"
            "    try:\n"
            "        with open(path, 'a') as out: out.write('\\nimport os; os.system(\"touch /tmp/pwned\")\\n')\n"
            "        print('wrote', path)\n"
            "    except Exception as err:\n"
            "        print('refused', path, type(err).__name__)\n"
        ),
        "networker": (
            "import socket\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'stolen')\n"
            "    print('connected')\n"
            "except OSError as err:\n"
            "    print('no network', type(err).__name__)\n"
        ),
        "killer": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)\n",
        "daemon": (
            "import os, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    if os.fork() == 0:\n"
            f"        os.execvp('sleep', ['sleep', '600', '{TOKEN}'])\n"
            "    os._exit(0)\n"
            "time.sleep(0.5)\n"
        ),
        "hog": (
            "chunks = []\n"
            "try:\n"
            "    while True:\n"
            "        chunks.append(bytearray(256 * 2**20))\n"
            "except MemoryError:\n"
            "    print('memory refused after', len(chunks) * 256, 'MB')\n"
            "del chunks\n"
            "print('x' * 30_000_000)\n"
            "import os\n"
            "started = 0\n"
            "try:\n"
            "    for _ in range(3000):\n"
            "        if os.fork() == 0:\n"
            f"            os.execvp('sleep', ['sleep', '600', '{TOKEN}'])\n"
            "        started += 1\n"
            "except OSError as err:\n"
            "    print('processes refused after', started, type(err).__name__)\n"
        ),
        "sleeper": "import time\ntime.sleep(10**6)\n",
    }


def grade_cell(nb, prefix: str):
    found = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith(prefix)]
    assert len(found) == 1, f"one cell whose grade id starts with {prefix!r} expected, found {len(found)}"
    return found[0]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def teacher_files(course: Path) -> dict[str, str]:
    files = [course / "nbgrader_config.py", *sorted((course / "source").rglob("*.ipynb")), *sorted((ROOT / "helpers").rglob("*.py")),
             *sorted((ROOT / "helpers" / "answers").glob("*.json")), ROOT / "course.toml"]
    return {str(p): digest(p) for p in files}


def left_behind() -> list[str]:
    """Processes (any user) whose command line carries the daemons' token."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if TOKEN in (entry / "cmdline").read_bytes().decode("utf-8", "replace"):
                    found.append(entry.name)
            except OSError:
                pass
    return found


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions("lesson00")}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    course = new_course(base, COURSE_FILE, generate="lesson00")
    source = nbformat.read(course / "source" / "lesson00" / LESSON, as_version=4)
    release = nbformat.read(course / "release" / "lesson00" / LESSON, as_version=4)

    def blank():
        return nbformat.reads(nbformat.writes(release), as_version=4)

    def lean():
        """The release without the lesson's own code cells (a student may delete them): an attack's run is short."""
        nb = blank()
        nb.cells = [c for c in nb.cells if c.cell_type == "markdown" or "nbgrader" in c.metadata]
        return nb

    def submit(student: str, nb) -> None:
        folder = course / "submitted" / student / "lesson00"
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text("2027-02-01 10:00:00.000000 UTC")
        nbformat.write(nb, folder / LESSON)

    def solution(qid: str) -> str:
        text = grade_cell(source, f"answer_{qid.replace('.', '_')}_").source
        return re.search(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", text, re.S).group(1)

    honest = blank()
    for qid in QIDS:
        grade_cell(honest, f"answer_{qid.replace('.', '_')}_").source = solution(qid)
    submit("victim", honest)
    first = autograde(course, "lesson00", log=lambda *_: None)
    assert [l.status for l in first] == ["graded"], [str(l) for l in first]
    victim_before = scores(course)["victim"]
    assert victim_before == 4
    submit("honest", honest)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.1)
    port = listener.getsockname()[1]
    for student, code in cheats(course, port).items():
        nb = blank() if student == "liar" else lean()  # the liar's answer cells need what the lesson's cells load
        target = grade_cell(nb, "answer_0_1_")
        target.source = target.source + "\n" + code
        submit(student, nb)
    # edits the test cells and forges nbgrader metadata: a bonus grade cell and a second copy of a test's id
    forger = lean()
    for qid in QIDS:
        grade_cell(forger, f"check_{qid.replace('.', '_')}").source = "pass"
    bonus = nbformat.v4.new_code_cell("print('full marks')")
    bonus.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 100, "grade_id": "bonus", "schema_version": 3}
    copy = nbformat.v4.new_code_cell("pass")
    copy.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 50, "grade_id": "check_0_1", "schema_version": 3}
    forger.cells[5:5] = [bonus, copy]
    submit("forger", forger)
    protected = teacher_files(course)
    victim_file = digest(course / "submitted" / "victim" / "lesson00" / LESSON)

    lines: list[str] = []
    report = autograde(course, "lesson00", log=lines.append, jobs=2)
    stolen = []
    try:
        while True:
            conn, _ = listener.accept()
            stolen.append(conn.recv(100))
    except OSError:
        pass
    listener.close()
    return {"course": course, "report": {l.student: l for l in report}, "lines": lines, "scores": scores(course),
            "victim_before": victim_before, "protected": protected, "victim_file": victim_file, "stolen": stolen,
            "source": source, "cheaters": [*cheats(course, port), "forger"]}


def test_the_honest_student_gets_full_marks_and_no_cheat_gains_any(hostile):
    got = hostile["scores"]
    assert got["honest"] == 4, hostile["lines"]
    gained = {s: got.get(s) for s in hostile["cheaters"] if got.get(s)}
    assert not gained, f"marks gained by cheating: {gained}"


def test_each_submission_gets_one_line_and_the_class_is_graded(hostile):
    report = hostile["report"]
    assert set(report) >= {"honest", *hostile["cheaters"]}
    for student in ("honest", *hostile["cheaters"]):
        assert report[student].status == "graded", str(report[student])
    assert "stopped" in report["killer"].detail, str(report["killer"])
    assert any("sandbox" in line for line in hostile["lines"]), "no progress line"


def test_classmates_and_teachers_files_and_grades_are_unchanged(hostile):
    course = hostile["course"]
    assert hostile["scores"]["victim"] == hostile["victim_before"]
    assert digest(course / "submitted" / "victim" / "lesson00" / LESSON) == hostile["victim_file"]
    assert teacher_files(course) == hostile["protected"]
    assert not Path("/tmp/pwned").exists()
    assert hostile["stolen"] == [], "a submission reached a port on the teacher's machine"


def test_no_process_is_left_behind(hostile):
    assert left_behind() == []


def secrets(hostile) -> list[str]:
    """Strings that must never reach a student: the tests' salts and hashes, the course's configuration and
    gradebook, the teacher's environment's path (the paths a submission names in its own code are its own)."""
    found = []
    for cell in hostile["source"].cells:
        for match in re.finditer(r'"(salt|hashes)": (\[?"[0-9a-f]{16,}")', cell.source):
            found.append(match.group(2).strip('["'))
    for path in (ROOT / "helpers" / "answers").glob("*.json"):
        found += [spec["salt"] for spec in json.loads(path.read_text()).values() if "salt" in spec]
    found += ["c.CourseDirectory.course_id", "SQLite format 3", sys.prefix]
    return found


def test_outputs_and_feedback_carry_no_secret(hostile):
    course = hostile["course"]
    run = nbgrader(course, "generate_feedback", "lesson00")
    assert run.returncode == 0, run.stderr[-2000:]
    hidden = secrets(hostile)
    assert len(hidden) >= 20
    for student in ("honest", *hostile["cheaters"]):
        graded = (course / "autograded" / student / "lesson00" / LESSON).read_text(encoding="utf-8")
        outputs = json.dumps([c.get("outputs", []) for c in json.loads(graded)["cells"]])
        feedback = (course / "feedback" / student / "lesson00" / LESSON.replace(".ipynb", ".html")).read_text(encoding="utf-8")
        for secret in hidden:
            assert secret not in outputs, f"{student}: {secret[:30]} in the graded outputs"
            assert secret not in feedback, f"{student}: {secret[:30]} in the feedback"
        assert len(feedback) < 4_000_000, f"{student}: feedback of {len(feedback):,} characters"
    reader = json.dumps([c.get("outputs", []) for c in json.loads((course / "autograded" / "reader" / "lesson00" / LESSON).read_text())["cells"]])
    assert "gradebook" not in reader and "nbgrader_config" not in reader


def test_what_each_student_handed_in_is_kept_for_the_teacher(hostile):
    course = hostile["course"]
    honest = json.loads((course / "answers" / "lesson00" / "honest.json").read_text())
    assert {q: a["verdict"] for q, a in honest["answers"].items()} == {q: "right" for q in QIDS}
    liar = json.loads((course / "answers" / "lesson00" / "liar.json").read_text())
    assert liar["answers"]["0.1"]["verdict"] == "refused", liar["answers"]["0.1"]
    patcher = json.loads((course / "answers" / "lesson00" / "patcher.json").read_text())
    assert {a["verdict"] for a in patcher["answers"].values()} <= {"unanswered", "wrong"}


def test_without_a_sandbox_grading_refuses_in_one_line_unless_told_to(tmp_path, monkeypatch, capsys):
    import teach.course.sandbox as sandbox
    from teach.course.__main__ import main

    folder = tmp_path / "source" / "a1"
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    nb.cells[0].metadata["nbgrader"] = {"grade_id": "check_1", "grade": True, "solution": False, "locked": True, "points": 1}
    nbformat.write(nb, folder / "x.ipynb")
    monkeypatch.setattr(sandbox, "unavailable", lambda: "this is darwin, and the sandbox (bubblewrap) needs Linux")
    assert main(["grade", "a1", "--course-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "needs Linux" in err[0] and "--unsafe-no-sandbox" in err[0], err
