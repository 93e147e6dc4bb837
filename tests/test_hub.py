"""A class on a real JupyterHub: three students in Chromium, nbgitpuller, and nbgrader's exchange.

Starts the trial hub (``python -m teach hub start``: JupyterHub, configurable-http-proxy, PAM accounts made for
the test, LocalProcessSpawner into the students' environment) on a free loopback port, with the class
copy written by ``python -m teach.course release`` served to it over loopback git HTTP. Then:

- three students log in through the hub's login page and open the link ``make link`` prints; nbgitpuller
  clones the class copy; each runs the first lesson, answers an exercise and saves;
- their kernels import ``helpers`` from their own clone, never from the teacher's repository;
- the teacher changes two lessons and commits; the students open the link again: nbgitpuller merges,
  each student's answer is still there and the teacher's change arrived;
- the teacher releases an nbgrader assignment through the exchange; the students fetch and submit it
  through their servers' Assignments API (what the Assignments panel calls); the teacher collects and
  autogrades, and the gradebook tells the students apart;
- bad input: a wrong password, a link to a repository that does not exist, the port already taken:
  each gets a clear message and the hub keeps serving the other students.

Everything started is stopped by its pid at the end (and checked), and the accounts are removed.
Needs root (unix accounts), Chromium and ``make hub-setup``; skipped without them, failing when CI is set.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from teach.course.grading import nbgrader_env  # noqa: E402
from teach.hub import client, env  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "screenshots"  # a failing student's page is saved here
CHROME_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
ASSIGNMENT, LESSON = "lesson01", "01_honeymoon"


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the hub test creates unix accounts and must run as root"
    if not Path(CHROMIUM).exists():
        return f"Chromium (Debian package 'chromium') is not at {CHROMIUM}"
    if not env.venv_ready() or not env.PROXY.exists():
        return "the students' environment or configurable-http-proxy is missing: run `make hub-setup` (needs npm)"
    return None


if _missing():
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the hub test cannot run: {_missing()}", pytrace=False)
    pytest.skip(_missing(), allow_module_level=True)


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _solution_line(name: str, var: str) -> str:
    """The teacher edition's own answer line for ``var`` (what a student who got it right types)."""
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if line.startswith(f"{var} = "):
                return line
    raise AssertionError(f"no line '{var} = ...' in the teacher edition of {name}")


@pytest.fixture(scope="module")
def hub():
    public = Path(tempfile.mkdtemp(prefix="hubtest-"))
    public.chmod(0o755)  # the exchange and the students' nbgrader settings live here
    teacher = public / "teacher"
    teacher.mkdir(mode=0o700)  # the class copy's work tree and the course folder (hidden tests): root only
    class_copy = teacher / "class-copy"
    made = _run([sys.executable, "-m", "teach.course", "release", "--out", str(class_copy)], cwd=ROOT)
    assert made.returncode == 0, made.stderr
    state, exchange = public / "state", public / "exchange"
    prefix = f"ht{secrets.token_hex(2)}-"
    port = _free_port()
    out_path = public / "hub.out"
    out = open(out_path, "w")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "teach", "hub", "start", "--port", str(port), "--students", "3", "--prefix", prefix, "--state", str(state),
         "--exchange", str(exchange), "--class-copy", str(class_copy)],
        cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )
    info = {"launcher": launcher, "state": state, "public": public, "class_copy": class_copy, "exchange": exchange, "port": port,
            "base": f"http://127.0.0.1:{port}", "prefix": prefix, "students": [f"{prefix}{i}" for i in (1, 2, 3)], "out": out_path}
    try:
        deadline = time.monotonic() + 120
        while "Students' link" not in out_path.read_text():
            if launcher.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the trial hub did not start:\n{out_path.read_text()}\n{(state / 'jupyterhub.log').read_text()[-3000:] if (state / 'jupyterhub.log').exists() else ''}")
            time.sleep(0.3)
        text = out_path.read_text()
        info["link"] = re.search(r"Students' link \(nbgitpuller\): (\S+)", text).group(1)
        info["repo"] = re.search(r"is served to the students' servers at (\S+)", text).group(1)
        info["passwords"] = json.loads((state / "passwords.json").read_text())
        info["token"] = json.loads((state / "settings.json").read_text())["service_token"]
        for user in info["students"]:  # render every cell (JupyterLab otherwise renders only those in view)
            home = Path(os.path.expanduser(f"~{user}"))
            settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
            settings.mkdir(parents=True, exist_ok=True)
            (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
            _run(["chown", "-R", f"{user}:{user}", str(home / ".jupyter")])
        yield info
    finally:
        import psutil

        try:
            started = [p.pid for p in psutil.Process(launcher.pid).children(recursive=True)] + [launcher.pid]
        except psutil.Error:
            started = [launcher.pid]
        stop = _run([sys.executable, "-m", "teach", "hub", "stop", "--state", str(state)], cwd=ROOT)
        hub_log = (state / "jupyterhub.log").read_text(errors="replace")[-4000:] if (state / "jupyterhub.log").exists() else ""
        try:
            launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, signal.SIGKILL)
        survivors = [pid for pid in started if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        out.close()
        removed = _run([sys.executable, "-m", "teach", "hub", "remove-users", "--state", str(state)], cwd=ROOT)
        shutil.rmtree(public, ignore_errors=True)
        assert stop.returncode == 0, stop.stdout + stop.stderr + hub_log
        assert not survivors, f"processes still running after `python -m teach hub stop`: {survivors}"
        assert removed.returncode == 0, removed.stderr


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        yield chromium
        chromium.close()


def _login(browser, hub, user: str, password: str):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.goto(f"{hub['base']}/hub/login", wait_until="domcontentloaded")
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    with page.expect_navigation():
        page.click("#login_submit")
    return page


def _notebook_open(page, timeout: float = 180_000) -> None:
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for(timeout=timeout)


def _wait_idle(page) -> None:
    page.wait_for_function(
        """() => {
            const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            return ind && ind.getAttribute('data-status') === 'idle';
        }""",
        timeout=180_000,
    )


def _has_line(path: Path, line: str) -> bool:
    try:
        return any(line in cell.source.splitlines() for cell in nbformat.read(path, as_version=4).cells)
    except Exception:  # noqa: BLE001 - being written
        return False


def _home(user: str) -> Path:
    return Path(os.path.expanduser(f"~{user}"))


def _user_token(hub, user: str) -> str:
    return client.api(hub["base"], hub["token"], "POST", f"/hub/api/users/{user}/tokens", {"note": "hub test", "expires_in": 1800})["token"]


STATE: dict = {}


def test_a_wrong_password_is_refused_with_a_message(hub, browser):
    user = hub["students"][0]
    page = _login(browser, hub, user, "not-" + hub["passwords"][user])
    assert "/hub/login" in page.url
    assert page.locator(".login_error").inner_text(timeout=10_000).strip() == "Invalid username or password"
    page.context.close()


def test_b_three_students_pull_run_answer_and_save(hub, browser):
    folder = hub["repo"].rsplit("/", 1)[-1]
    answer = _solution_line("00_start_here", "answer_0_2")
    pages = {}
    for user in hub["students"]:
        page = _login(browser, hub, user, hub["passwords"][user])
        pages[user] = page
        try:
            _student_session(hub, page, user, folder, answer)
        except Exception:
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / f"hub-{user.split('-')[-1]}-failure.png"))
            raise
    # the three servers run at the same time, each as its own unix user
    for user in hub["students"]:
        model = client.api(hub["base"], hub["token"], "GET", f"/hub/api/users/{user}")
        assert model["servers"][""]["ready"], f"{user}'s server is not running"
    STATE["pages"], STATE["folder"], STATE["answer"] = pages, folder, answer


def _student_session(hub, page, user: str, folder: str, answer: str) -> None:
    """Open the link, run lesson 0, answer exercise 0.2 and save, as the student ``user``."""
    page.goto(hub["link"], wait_until="domcontentloaded")
    _notebook_open(page)
    assert page.url.endswith(f"/user/{user}/lab/tree/{folder}/notebooks/00_start_here.ipynb"), page.url
    # the kernel is connected once the status bar names it idle (Run All before that is lost)
    page.wait_for_function("() => document.body.innerText.includes('(ipykernel) | Idle')", timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        """() => {
            if (document.body.innerText.includes('Traceback (most recent call last)')) return true;
            const prompts = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
        }""",
        timeout=240_000,
    )
    _wait_idle(page)
    text = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").inner_text()
    assert "Traceback (most recent call last)" not in text, f"{user}: an error appeared running the lesson"
    assert "Exercise 0.2: not answered yet" in text
    # answer exercise 0.2: replace the placeholder, run it and its check, save
    cell = page.locator(".jp-CodeCell").filter(has_text="answer_0_2 = ...")
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type(answer)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    _wait_idle(page)
    check = page.locator(".jp-CodeCell").filter(has_text='check("0.2", answer_0_2)').locator(".jp-OutputArea-output")
    assert re.search(r"Exercise 0\.2: (correct|.*the teacher)", check.inner_text(timeout=30_000)), check.inner_text()
    page.keyboard.press("Control+s")
    saved = _home(user) / folder / "notebooks" / "00_start_here.ipynb"
    deadline = time.monotonic() + 30
    while not _has_line(saved, answer) and time.monotonic() < deadline:
        time.sleep(0.3)
    assert _has_line(saved, answer), f"{user}: the answer was not saved to {saved}"
    assert saved.stat().st_uid == _home(user).stat().st_uid, "the clone belongs to the student"


def test_c_kernels_import_the_class_copy_not_the_teachers_answer_bank(hub):
    folder = STATE.get("folder") or pytest.skip("needs the students' clones (test_b)")
    user = hub["students"][0]
    result = client.run_cells(hub["base"], user, _user_token(hub, user), f"{folder}/notebooks/00_start_here.ipynb", [
        "import helpers, helpers.exercises, os, sys\n"
        "print('HELPERS', os.path.realpath(helpers.__file__))\n"
        "print('ROOT_ON_PATH', any(os.path.realpath(p) == %r for p in sys.path))\n"
        "print('PREFIX', sys.prefix)" % str(ROOT),
    ])
    assert not result["errors"], result
    where = re.search(r"HELPERS (\S+)", result["text"]).group(1)
    assert where.startswith(str(_home(user) / folder / "helpers")), f"the student's kernel imported helpers from {where}"
    assert "ROOT_ON_PATH False" in result["text"]
    assert re.search(r"PREFIX (\S+)", result["text"]).group(1) == str(env.DEFAULT_VENV.resolve())


def test_d_teacher_updates_the_lessons_and_nbgitpuller_merges(hub, browser):
    pages = STATE.get("pages") or pytest.skip("needs the students' clones (test_b)")
    folder, answer = STATE["folder"], STATE["answer"]
    note = f"Note from the teacher {secrets.token_hex(3)}: read section 3 before Friday."
    for name in ("00_start_here", "01_honeymoon"):
        path = hub["class_copy"] / "notebooks" / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(note))
        nbformat.write(nb, path)
    git = ["git", "-C", str(hub["class_copy"]), "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org"]
    assert _run(git + ["commit", "-qam", "A note for the class"]).returncode == 0
    for user, page in pages.items():
        page.goto(hub["link"], wait_until="domcontentloaded")
        _notebook_open(page)
        clone = _home(user) / folder / "notebooks"
        mine = nbformat.read(clone / "00_start_here.ipynb", as_version=4)  # still a valid notebook after the merge
        assert _has_line(clone / "00_start_here.ipynb", answer), f"{user}'s answer was lost by the update"
        other = nbformat.read(clone / "01_honeymoon.ipynb", as_version=4)
        assert other.cells[1].source == note, f"{user} did not receive the teacher's change to {LESSON}"
        log = _run(["git", "-c", "safe.directory=*", "-C", str(clone.parent), "log", "--format=%s"]).stdout
        assert "A note for the class" in log
        # where both changed the same notebook, nbgitpuller merges with -Xours: the student's lines win a
        # conflict; the teacher's new cell next to the banner conflicts with nothing the student did, so it arrives
        assert any(c.source == note for c in mine.cells), f"{user} did not receive the teacher's change to the notebook they edited"


def test_e_link_to_a_missing_repository_says_so_and_the_hub_serves_the_others(hub):
    pages = STATE.get("pages") or pytest.skip("needs the students' sessions (test_b)")
    user, other = hub["students"][0], hub["students"][1]
    bad = hub["link"].replace(urllib.parse.quote(hub["repo"], safe=""), urllib.parse.quote(hub["repo"] + "-does-not-exist", safe=""))
    assert bad != hub["link"]
    page = pages[user]
    page.goto(bad, wait_until="domcontentloaded")
    # nbgitpuller's page stops, names the repository it could not reach and offers to go on without it
    page.get_by_text("Remote content unavailable").first.wait_for(timeout=60_000)
    shown = page.locator("body").inner_text()
    assert f"The source content {hub['repo']}-does-not-exist is unavailable" in shown, shown[-1500:]
    assert "Proceed without syncing" in shown
    assert "/lab" not in page.url, "the student was sent on to the lab as if the pull had worked"
    # what nbgitpuller's endpoint streams to that page: it checked the remote (git ls-remote) and stopped
    events = client.pull(hub["base"], user, _user_token(hub, user), hub["repo"] + "-does-not-exist", "missing")
    assert events[-1]["phase"] == "error" and events[-1]["error"]["code"] == "ls_remote", events[-3:]
    assert f"{hub['repo']}-does-not-exist" in json.dumps(events[-1])
    assert not (_home(user) / "missing").exists(), "a failed pull left a folder behind"
    # the other students are still served, and this student's server too
    for name in (other, user):
        status = client.api(hub["base"], _user_token(hub, name), "GET", f"/user/{name}/api/status")
        assert "kernels" in status


def test_f_port_already_taken_gets_a_clear_message(hub):
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    try:
        for port in (held.getsockname()[1], hub["port"]):
            result = _run([sys.executable, "-m", "teach", "hub", "start", "--port", str(port), "--state", str(hub["public"] / f"state-{port}")], cwd=ROOT, timeout=60)
            assert result.returncode == 2
            assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr and "HUB_PORT=" in result.stderr
            assert "Traceback" not in result.stderr
    finally:
        held.close()
    assert client.api(hub["base"], hub["token"], "GET", "/hub/api/")["version"]


def test_g_nbgrader_release_fetch_submit_collect_autograde(hub):
    if not STATE.get("pages"):
        pytest.skip("needs the students' servers (test_b)")
    course = hub["class_copy"].parent / "course"
    built = _run([sys.executable, "-m", "teach.course", "build", "--out", str(course)], cwd=ROOT)
    assert built.returncode == 0, built.stderr
    nbgrader = [str(Path(sys.executable).parent / "nbgrader")]
    exchange = [f"--Exchange.root={hub['exchange']}"]
    env_vars = nbgrader_env()
    for step in (["generate_assignment", ASSIGNMENT, "--force"], ["release_assignment", ASSIGNMENT, "--force", *exchange]):
        done = _run(nbgrader + step, cwd=course, env=env_vars)
        assert done.returncode == 0, done.stdout + done.stderr
    course_id = json.loads(_run([sys.executable, "-c", "import tomllib; print(__import__('json').dumps(tomllib.load(open('course.toml','rb'))['course']['id']))"], cwd=ROOT).stdout)
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{LESSON}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"}
    assert solutions, "the assignment has no autograded answer cells"
    form = {"course_id": course_id, "assignment_id": ASSIGNMENT}
    plan = {hub["students"][0]: list(solutions), hub["students"][1]: [], hub["students"][2]: list(solutions)[: len(solutions) // 2]}
    for user, answered in plan.items():
        token = _user_token(hub, user)
        listing = client.api(hub["base"], token, "GET", f"/user/{user}/assignments?course_id={course_id}")
        assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "released" for a in listing["value"]), listing
        fetched = client.api(hub["base"], token, "POST", f"/user/{user}/assignments/fetch", form)
        assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched" for a in fetched["value"]), fetched
        path = f"{ASSIGNMENT}/{LESSON}.ipynb"
        model = client.api(hub["base"], token, "GET", f"/user/{user}/api/contents/{urllib.parse.quote(path)}?content=1")
        nb = nbformat.from_dict(model["content"])
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answered:
                cell.source = solutions[grade_id]
        client.api(hub["base"], token, "PUT", f"/user/{user}/api/contents/{urllib.parse.quote(path)}", {"type": "notebook", "format": "json", "content": nb})
        submitted = client.api(hub["base"], token, "POST", f"/user/{user}/assignments/submit", form)
        assert "value" in submitted, submitted
    for step in (["collect", ASSIGNMENT, *exchange], ["autograde", ASSIGNMENT, "--force"]):
        done = _run(nbgrader + step, cwd=course, env=env_vars, timeout=600)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=course_id) as gradebook:
        scores = {u: gradebook.find_submission(ASSIGNMENT, u).code_score for u in plan}
        possible = gradebook.find_assignment(ASSIGNMENT).max_code_score
    full, blank, half = (scores[u] for u in plan)
    assert full == possible > 0, scores
    assert blank == 0, scores
    assert 0 < half < possible, scores
    # the submissions came from the students' own accounts, through the exchange's inbound folder
    inbound = hub["exchange"] / course_id / "inbound"
    owners = {p.stat().st_uid for p in inbound.iterdir()}
    assert owners == {_home(u).stat().st_uid for u in plan}
    assert stat.S_IMODE(hub["exchange"].stat().st_mode) & 0o1777 == 0o1777
