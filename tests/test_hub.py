"""A class on a real JupyterHub: three students in Chromium, nbgitpuller, and nbgrader's exchange.

Starts the trial hub (``python -m teach hub start``: JupyterHub, configurable-http-proxy, PAM accounts made for
the test, LocalProcessSpawner into the students' environment) on a free loopback port, with the class
copy written by ``python -m teach.course release`` served to it over loopback git HTTP. Then:

- three students log in through the hub's login page and open the link ``make link`` prints; nbgitpuller
  clones the class copy; each runs the first lesson, answers an exercise and saves;
- their kernels import ``helpers`` from their own clone, never from the teacher's repository;
- the teacher changes two lessons and commits; the students pull again (nbgitpuller's endpoint, which the link's
  page calls): nbgitpuller merges, each student's answer is still there and the teacher's change arrived;
- the teacher releases an nbgrader assignment through the exchange; the students fetch and submit it
  through their servers' Assignments API (what the Assignments panel calls); the teacher collects and
  autogrades, and the gradebook tells the students apart;
- bad input: a wrong password, a link to a repository that does not exist, the port already taken:
  each gets a clear message and the hub keeps serving the other students;
- repeated wrong passwords slow the login page; the students' JupyterLab asks nothing about news;
- ``python -m teach hub stop --state`` stops the hub, its proxy, the students' servers and what else the
  students' accounts run, and says so; ``remove-users --state`` removes the accounts.

Every test sets up what it needs (a running server, a pulled clone) itself, so any one of them runs alone and in
any order (``--reversed-order`` in tests/conftest.py). They share one hub, started when the first of them needs
it and restarted only if the hub-stop test stopped it before another test. Whatever ends the run (a failure,
``-x``, Ctrl-C), nothing is left: the fixture stops the hub and removes its accounts with the project's own
``hub stop --state`` and ``remove-users --state``, and an ``atexit`` / ``pytest_sessionfinish`` cleanup does
the same for any hub still recorded. The first test proves it on a run of its own, interrupted with Ctrl-C.
Needs root (unix accounts), Chromium and ``make hub-setup``; skipped without them, failing when CI is set.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import functools
import http.client
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
import lab_harness  # noqa: E402 - tests/ is on the path

from teach.course.grading import nbgrader_env  # noqa: E402
from teach.hub import client, env  # noqa: E402

SHOTS = ROOT / "tests" / "screenshots"  # a failing student's page is saved here
ASSIGNMENT, LESSON = "lesson01", "01_honeymoon"
# set by the interrupted-run test for the run it starts: the accounts' prefix, and a class copy to clone instead of releasing one
PREFIX_VARIABLE, CLASS_COPY_VARIABLE = "SINO_HUB_TEST_PREFIX", "SINO_HUB_TEST_CLASS_COPY"
LAST_STATE = ROOT / ".hub" / "last-state"  # `make hub` records its state folder here; the tests put back what was there


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "the hub test creates unix accounts and must run as root"
    if lab_harness.browser_missing():
        return lab_harness.browser_missing()
    if not env.venv_ready() or not env.PROXY.exists():
        return "the students' environment or configurable-http-proxy is missing: run `make hub-setup` (needs npm)"
    return None


if _missing():
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the hub test cannot run: {_missing()}", pytrace=False)
    pytest.skip(_missing(), allow_module_level=True)


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def _teach(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``python -m teach ARGS`` in a session of its own, so that a Ctrl-C in the terminal does not stop it halfway."""
    return subprocess.run([sys.executable, "-m", "teach", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, start_new_session=True)


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


# --------------------------------------------------------------------------- cleaning up, whatever happens

#: the state folders of the hubs this process started and has not yet stopped and removed the accounts of
LIVE: set[Path] = set()
#: the tests' folders not yet removed
FOLDERS: set[Path] = set()
LAST_STATE_BEFORE = LAST_STATE.read_text(encoding="utf-8") if LAST_STATE.exists() else None
STARTED = []  # a hub was started by this process (which then changed LAST_STATE)


def last_resort_cleanup() -> None:
    """Stop every hub this process started and remove its accounts, with the project's own commands; then its folders.

    The fixtures do this themselves; this runs at the end of the session (tests/conftest.py) and at exit, for a hub
    whose fixture was cut short (a second Ctrl-C during its cleanup, say).
    """
    for state in sorted(LIVE):
        _teach("hub", "stop", "--state", str(state), "--timeout", "30")
        if _teach("hub", "remove-users", "--state", str(state)).returncode == 0:
            LIVE.discard(state)
    for folder in sorted(FOLDERS):
        if not any(state.is_relative_to(folder) for state in LIVE):  # else its state is all that is known of a hub left
            shutil.rmtree(folder, ignore_errors=True)
            FOLDERS.discard(folder)
    _put_back_last_state()


def _put_back_last_state() -> None:
    if not STARTED:
        return
    if LAST_STATE_BEFORE is None:
        LAST_STATE.unlink(missing_ok=True)
    else:
        LAST_STATE.write_text(LAST_STATE_BEFORE, encoding="utf-8")


atexit.register(last_resort_cleanup)


@contextlib.contextmanager
def _ctrl_c_waits():
    """A Ctrl-C or SIGTERM during the block takes effect after it (a cleanup must not stop halfway and leave accounts behind)."""
    caught = []
    try:
        old = {sig: signal.signal(sig, lambda *_: caught.append(True)) for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals cannot be handled here anyway
        yield
        return
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if caught:
        raise KeyboardInterrupt


class Workspace:
    """A public folder for the hubs' state and exchange, and the class copy in a folder only root can open."""

    def __init__(self):
        self.public = Path(tempfile.mkdtemp(prefix="hubtest-"))
        FOLDERS.add(self.public)
        self.public.chmod(0o755)  # the exchange and the students' nbgrader settings live here
        teacher = self.public / "teacher"
        teacher.mkdir(mode=0o700)  # the class copy's work tree and the course folder (hidden tests): root only
        self.class_copy = teacher / "class-copy"
        given = os.environ.get(CLASS_COPY_VARIABLE)
        try:
            if given:
                made = _run(["git", "clone", "-q", given, str(self.class_copy)])
            else:
                # its kernels' files in a folder of the workspace, which goes whatever stops the release
                scratch = self.public / "tmp"
                scratch.mkdir()
                made = _run([sys.executable, "-m", "teach.course", "release", "--out", str(self.class_copy)], cwd=ROOT, env=dict(os.environ, TMPDIR=str(scratch)))
            assert made.returncode == 0, made.stderr
        except BaseException:  # Ctrl-C or a failure: no fixture teardown will remove the folder
            shutil.rmtree(self.public, ignore_errors=True)
            FOLDERS.discard(self.public)
            raise


class TrialHub:
    """``python -m teach hub start`` on a free port with four trial students: three for the class, one for the throttle."""

    def __init__(self, workspace: Workspace):
        self.workspace, self.class_copy, self.exchange = workspace, workspace.class_copy, workspace.public / "exchange"
        self.prefix = os.environ.get(PREFIX_VARIABLE) or f"ht{secrets.token_hex(2)}-"
        self.launcher: subprocess.Popen | None = None
        self.starts = 0

    @property
    def running(self) -> bool:
        return self.launcher is not None and self.launcher.poll() is None

    def start(self) -> None:
        self.starts += 1
        self.state, self.port = self.workspace.public / f"state{self.starts}", _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.students = [f"{self.prefix}{i}" for i in (1, 2, 3)]
        self.throttled = f"{self.prefix}4"  # the account the throttle test locks out for a moment
        self.tokens: dict[str, str] = {}
        out_path = self.workspace.public / f"hub{self.starts}.out"
        LIVE.add(self.state)
        STARTED.append(self.state)
        with open(out_path, "w") as out:
            self.launcher = subprocess.Popen(
                [sys.executable, "-m", "teach", "hub", "start", "--port", str(self.port), "--students", "4", "--prefix", self.prefix,
                 "--state", str(self.state), "--exchange", str(self.exchange), "--class-copy", str(self.class_copy)],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + 120
        while "Students' link" not in out_path.read_text():
            if self.launcher.poll() is not None or time.monotonic() > deadline:
                log = self.state / "jupyterhub.log"
                pytest.fail(f"the trial hub did not start:\n{out_path.read_text()}\n{log.read_text()[-3000:] if log.exists() else ''}")
            time.sleep(0.3)
        text = out_path.read_text()
        self.link = re.search(r"Students' link \(nbgitpuller\): (\S+)", text).group(1)
        self.repo = re.search(r"is served to the students' servers at (\S+)", text).group(1)
        self.folder = self.repo.rsplit("/", 1)[-1]
        self.passwords = json.loads((self.state / "passwords.json").read_text())
        self.token = json.loads((self.state / "settings.json").read_text())["service_token"]
        for user in self.students:  # render every cell (JupyterLab otherwise renders only those in view)
            home = _home(user)
            settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
            settings.mkdir(parents=True, exist_ok=True)
            (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
            _run(["chown", "-R", f"{user}:{user}", str(home / ".jupyter")])

    def stopped(self, accounts_removed: bool) -> None:
        """The hub-stop test stopped this hub (and removed its accounts) itself."""
        self.launcher.wait(timeout=60)
        self.launcher = None
        if accounts_removed:
            LIVE.discard(self.state)

    def shutdown(self) -> list[str]:
        """Stop this hub with ``hub stop --state`` and remove its accounts with ``remove-users --state``; what went wrong."""
        import psutil

        if self.launcher is None:
            return []
        problems = []
        try:
            started = [p.pid for p in psutil.Process(self.launcher.pid).children(recursive=True)] + [self.launcher.pid]
        except psutil.Error:
            started = [self.launcher.pid]
        stop = _teach("hub", "stop", "--state", str(self.state))
        if stop.returncode:
            log = self.state / "jupyterhub.log"
            problems.append(f"`hub stop` failed: {stop.stdout}{stop.stderr}{log.read_text(errors='replace')[-4000:] if log.exists() else ''}")
        try:
            self.launcher.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.launcher.pid, signal.SIGKILL)
            self.launcher.wait()
            problems.append("the launcher did not stop")
        survivors = [pid for pid in started if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        if survivors:
            problems.append(f"processes still running after `python -m teach hub stop`: {survivors}")
        removed = _teach("hub", "remove-users", "--state", str(self.state))
        if removed.returncode:
            problems.append(f"`hub remove-users` failed: {removed.stderr}")
        else:
            LIVE.discard(self.state)
        self.launcher = None
        return problems


@pytest.fixture(scope="module")
def workspace():
    made = Workspace()
    yield made
    if not any(state.is_relative_to(made.public) for state in LIVE):  # else the last-resort cleanup still needs its state
        shutil.rmtree(made.public, ignore_errors=True)
        FOLDERS.discard(made.public)
    _put_back_last_state()


@pytest.fixture(scope="module")
def trial_hub(workspace):
    made = TrialHub(workspace)
    problems = []
    try:
        yield made
    finally:
        with _ctrl_c_waits():
            problems = made.shutdown()
    assert not problems, "\n".join(problems)


@pytest.fixture
def hub(trial_hub):
    """The shared trial hub, running (started the first time, restarted if a test stopped it)."""
    if not trial_hub.running:
        trial_hub.start()
    return trial_hub


@pytest.fixture(scope="module")
def browser():
    with lab_harness.chromium() as chromium:
        yield chromium


# --------------------------------------------------------------------------- what a test needs, made by the test itself


def _home(user: str) -> Path:
    return Path(os.path.expanduser(f"~{user}"))


def _user_token(hub, user: str) -> str:
    return client.api(hub.base, hub.token, "POST", f"/hub/api/users/{user}/tokens", {"note": "hub test", "expires_in": 1800})["token"]


def _server(hub, user: str) -> str:
    """``user``'s server running (started through the hub's REST API unless it runs); a token of ``user``'s."""
    model = client.api(hub.base, hub.token, "GET", f"/hub/api/users/{user}")
    server = (model.get("servers") or {}).get("")
    if not server:
        try:
            client.api(hub.base, hub.token, "POST", f"/hub/api/users/{user}/server")
        except urllib.error.HTTPError as err:
            if err.code != 400:  # 400: it was started in the meantime
                raise
    if not (server and server.get("ready")):
        client.wait_ready(hub.base, hub.token, user)
    if user not in hub.tokens:
        hub.tokens[user] = _user_token(hub, user)
    return hub.tokens[user]


def _pulled(hub, user: str) -> str:
    """``user``'s server running, with the class copy cloned or brought up to date in ~/FOLDER; a token of ``user``'s."""
    token = _server(hub, user)
    events = client.pull(hub.base, user, token, hub.repo, hub.folder)
    assert events and events[-1]["phase"] == "finished", events[-3:]
    return token


def _login(browser, hub, user: str, password: str):
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    page.goto(f"{hub.base}/hub/login", wait_until="domcontentloaded")
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


# --------------------------------------------------------------------------- an interrupted run leaves nothing


def _accounts(prefix: str) -> dict[str, int]:
    """Name -> uid of the unix accounts whose names start with ``prefix``, read from /etc/passwd itself."""
    lines = Path("/etc/passwd").read_text().splitlines()
    return {f[0]: int(f[2]) for f in (line.split(":") for line in lines) if f[0].startswith(prefix)}


def _processes(folder: Path, uids: set[int]) -> dict[int, str]:
    """pid -> command line of every process that names ``folder`` (command line, working folder, environment) or
    runs as one of ``uids``, read from /proc itself."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":  # exited, not yet reaped
                continue
            if entry.stat().st_uid not in uids:
                named = str(folder).encode()
                cwd = os.readlink(entry / "cwd")
                if not (named in (entry / "cmdline").read_bytes() or named in (entry / "environ").read_bytes() or cwd.startswith(str(folder))):
                    continue
            found[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError):  # gone meanwhile
            continue
    return found


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_0_an_interrupted_run_leaves_no_hub_process_and_no_account(workspace, tmp_path, stop):
    """Ctrl-C (SIGINT) or a runner's SIGTERM on a run of one hub test, once its hub and a student's server are up:
    nothing of that hub is left (tests/conftest.py turns SIGTERM into the same orderly stop as Ctrl-C)."""
    outer = Path(tempfile.mkdtemp(prefix="hubtest-interrupted-"))
    outer.chmod(0o755)  # the run's own folders go in here; the students' accounts must reach them
    prefix = f"hi{secrets.token_hex(2)}-"
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    run_env.update({"TMPDIR": str(outer), PREFIX_VARIABLE: prefix, CLASS_COPY_VARIABLE: str(workspace.class_copy)})
    log_path = tmp_path / "interrupted-run.log"
    uids: set[int] = set()
    with open(log_path, "w") as log:
        run = subprocess.Popen(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", "-q", "-x",
             f"{Path(__file__).relative_to(ROOT)}::test_c_kernels_import_the_class_copy_not_the_teachers_answer_bank"],
            cwd=ROOT, env=run_env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 240
        while True:
            uids |= set(_accounts(prefix).values())
            seen = _processes(outer, uids)
            if any("jupyterhub-singleuser" in cmd for cmd in seen.values()):
                break
            assert run.poll() is None, f"the run ended before a student's server started:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"no student's server started within 240 s:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.3)
        os.killpg(run.pid, getattr(signal, stop))  # what Ctrl-C in its terminal, or a CI runner's timeout, does
        run.wait(timeout=240)
        output = log_path.read_text()
        left_processes = _processes(outer, uids)
        left_accounts = _accounts(prefix)
        left_homes = [p for p in Path("/home").glob(f"{prefix}*")]
        left_files = [str(p) for p in outer.iterdir()]
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
        for state in outer.glob("hubtest-*/state*"):  # whatever the run left, so that this test leaves nothing either
            _teach("hub", "stop", "--state", str(state), "--timeout", "30")
            _teach("hub", "remove-users", "--state", str(state))
        shutil.rmtree(outer, ignore_errors=True)
    assert run.returncode == 2 and "KeyboardInterrupt" in output, f"the run was not interrupted by {stop} (exit code {run.returncode}):\n{output[-3000:]}"
    kinds = " ".join(seen.values())
    assert "bin/jupyterhub -f" in kinds and "configurable-http-proxy" in kinds and "jupyterhub-singleuser" in kinds, seen
    assert not left_processes, f"still running after the interrupted run ended: {left_processes}"
    assert not left_accounts and not left_homes, f"trial accounts left: {left_accounts} {left_homes}"
    assert not left_files, f"files left: {left_files}"


# --------------------------------------------------------------------------- the class


def test_a_wrong_password_is_refused_with_a_message(hub, browser):
    user = hub.students[0]
    page = _login(browser, hub, user, "not-" + hub.passwords[user])
    assert "/hub/login" in page.url
    assert page.locator(".login_error").inner_text(timeout=10_000).strip() == "Invalid username or password"
    page.context.close()


def test_b_three_students_pull_run_answer_and_save(hub, browser):
    answer = _solution_line("00_start_here", "answer_0_2")
    for user in hub.students:  # a first visit: no clone yet, whatever other tests pulled before
        shutil.rmtree(_home(user) / hub.folder, ignore_errors=True)
    pages = {}
    try:
        for user in hub.students:
            pages[user] = _login(browser, hub, user, hub.passwords[user])
        # the three open the link together: their servers start, clone and open the lesson side by side
        for page in pages.values():
            page.goto(hub.link, wait_until="commit")
        for user, page in pages.items():
            _run_all(page, user, hub.folder)
        for user, page in pages.items():
            _answer_and_save(page, user, hub.folder, answer)
    except Exception:
        SHOTS.mkdir(parents=True, exist_ok=True)
        for user, page in pages.items():
            page.screenshot(path=str(SHOTS / f"hub-{user.split('-')[-1]}-failure.png"))
        raise
    finally:
        for page in pages.values():
            page.context.close()
    # the three servers run at the same time, each as its own unix user
    for user in hub.students:
        model = client.api(hub.base, hub.token, "GET", f"/hub/api/users/{user}")
        assert model["servers"][""]["ready"], f"{user}'s server is not running"


def _run_all(page, user: str, folder: str) -> None:
    """The link opened lesson 0 in ``user``'s lab: Run All once its kernel is connected."""
    _notebook_open(page)
    assert page.url.endswith(f"/user/{user}/lab/tree/{folder}/notebooks/00_start_here.ipynb"), page.url
    # the kernel is connected once the status bar names it idle (Run All before that is lost)
    page.wait_for_function("() => document.body.innerText.includes('(ipykernel) | Idle')", timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _answer_and_save(page, user: str, folder: str, answer: str) -> None:
    """Once every cell has run: answer exercise 0.2, run it and its check, save, as the student ``user``."""
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
    user = hub.students[0]
    token = _pulled(hub, user)
    result = client.run_cells(hub.base, user, token, f"{hub.folder}/notebooks/00_start_here.ipynb", [
        "import helpers, helpers.exercises, os, sys\n"
        "print('HELPERS', os.path.realpath(helpers.__file__))\n"
        "print('ROOT_ON_PATH', any(os.path.realpath(p) == %r for p in sys.path))\n"
        "print('PREFIX', sys.prefix)" % str(ROOT),
    ])
    assert not result["errors"], result
    where = re.search(r"HELPERS (\S+)", result["text"]).group(1)
    assert where.startswith(str(_home(user) / hub.folder / "helpers")), f"the student's kernel imported helpers from {where}"
    assert "ROOT_ON_PATH False" in result["text"]
    assert re.search(r"PREFIX (\S+)", result["text"]).group(1) == str(env.DEFAULT_VENV.resolve())


def _save_answer(hub, user: str, token: str, answer: str) -> None:
    """``user`` answers exercise 0.2 in their clone of lesson 0 and saves (the lab's save: the contents API)."""
    path = urllib.parse.quote(f"{hub.folder}/notebooks/00_start_here.ipynb")
    model = client.api(hub.base, token, "GET", f"/user/{user}/api/contents/{path}?content=1")
    nb = nbformat.from_dict(model["content"])
    var = answer.split(" = ")[0]
    for cell in nb.cells:
        if cell.cell_type == "code" and any(line.startswith(f"{var} = ") for line in cell.source.splitlines()):
            cell.source = "\n".join(answer if line.startswith(f"{var} = ") else line for line in cell.source.splitlines())
    client.api(hub.base, token, "PUT", f"/user/{user}/api/contents/{path}", {"type": "notebook", "format": "json", "content": nb})


def test_d_teacher_updates_the_lessons_and_nbgitpuller_merges(hub):
    answer = _solution_line("00_start_here", "answer_0_2")
    tokens = {}
    for user in hub.students:  # each student has a clone and has answered in it
        tokens[user] = _pulled(hub, user)
        _save_answer(hub, user, tokens[user], answer)
        assert _has_line(_home(user) / hub.folder / "notebooks" / "00_start_here.ipynb", answer)
    note = f"Note from the teacher {secrets.token_hex(3)}: read section 3 before Friday."
    for name in ("00_start_here", "01_honeymoon"):
        path = hub.class_copy / "notebooks" / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(note))
        nbformat.write(nb, path)
    git = ["git", "-C", str(hub.class_copy), "-c", "user.name=Teacher", "-c", "user.email=teacher@example.org"]
    assert _run(git + ["commit", "-qam", "A note for the class"]).returncode == 0
    for user, token in tokens.items():
        events = client.pull(hub.base, user, token, hub.repo, hub.folder)  # what opening the link again does
        assert events[-1]["phase"] == "finished", events[-3:]
        clone = _home(user) / hub.folder / "notebooks"
        mine = nbformat.read(clone / "00_start_here.ipynb", as_version=4)  # still a valid notebook after the merge
        assert _has_line(clone / "00_start_here.ipynb", answer), f"{user}'s answer was lost by the update"
        other = nbformat.read(clone / "01_honeymoon.ipynb", as_version=4)
        assert other.cells[1].source == note, f"{user} did not receive the teacher's change to {LESSON}"
        log = _run(["git", "-c", "safe.directory=*", "-C", str(clone.parent), "log", "--format=%s"]).stdout
        assert "A note for the class" in log
        # where both changed the same notebook, nbgitpuller merges with -Xours: the student's lines win a
        # conflict; the teacher's new cell next to the banner conflicts with nothing the student did, so it arrives
        assert any(c.source == note for c in mine.cells), f"{user} did not receive the teacher's change to the notebook they edited"


def test_e_link_to_a_missing_repository_says_so_and_the_hub_serves_the_others(hub, browser):
    user, other = hub.students[0], hub.students[1]
    tokens = {name: _server(hub, name) for name in (user, other)}
    bad = hub.link.replace(urllib.parse.quote(hub.repo, safe=""), urllib.parse.quote(hub.repo + "-does-not-exist", safe=""))
    assert bad != hub.link
    page = _login(browser, hub, user, hub.passwords[user])
    try:
        page.goto(bad, wait_until="domcontentloaded")
        # nbgitpuller's page stops, names the repository it could not reach and offers to go on without it
        page.get_by_text("Remote content unavailable").first.wait_for(timeout=60_000)
        shown = page.locator("body").inner_text()
        url = page.url
    finally:
        page.context.close()
    assert f"The source content {hub.repo}-does-not-exist is unavailable" in shown, shown[-1500:]
    assert "Proceed without syncing" in shown
    assert "/lab" not in url, "the student was sent on to the lab as if the pull had worked"
    # what nbgitpuller's endpoint streams to that page: it checked the remote (git ls-remote) and stopped
    events = client.pull(hub.base, user, tokens[user], hub.repo + "-does-not-exist", "missing")
    assert events[-1]["phase"] == "error" and events[-1]["error"]["code"] == "ls_remote", events[-3:]
    assert f"{hub.repo}-does-not-exist" in json.dumps(events[-1])
    assert not (_home(user) / "missing").exists(), "a failed pull left a folder behind"
    # the other students are still served, and this student's server too
    for name in (other, user):
        status = client.api(hub.base, tokens[name], "GET", f"/user/{name}/api/status")
        assert "kernels" in status


def test_f_port_already_taken_gets_a_clear_message(hub):
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    try:
        for port in (held.getsockname()[1], hub.port):
            result = _run([sys.executable, "-m", "teach", "hub", "start", "--port", str(port), "--state", str(hub.workspace.public / f"state-{port}")], cwd=ROOT, timeout=60)
            assert result.returncode == 2
            assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr and "HUB_PORT=" in result.stderr
            assert "Traceback" not in result.stderr
    finally:
        held.close()
    assert client.api(hub.base, hub.token, "GET", "/hub/api/")["version"]


def test_g_nbgrader_release_fetch_submit_collect_autograde(hub):
    course = hub.class_copy.parent / "course"
    built = _run([sys.executable, "-m", "teach.course", "build", "--out", str(course)], cwd=ROOT)
    assert built.returncode == 0, built.stderr
    nbgrader = [str(Path(sys.executable).parent / "nbgrader")]
    exchange = [f"--Exchange.root={hub.exchange}"]
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
    plan = {hub.students[0]: list(solutions), hub.students[1]: [], hub.students[2]: list(solutions)[: len(solutions) // 2]}
    for user, answered in plan.items():
        token = _server(hub, user)
        listing = client.api(hub.base, token, "GET", f"/user/{user}/assignments?course_id={course_id}")
        assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "released" for a in listing["value"]), listing
        fetched = client.api(hub.base, token, "POST", f"/user/{user}/assignments/fetch", form)
        assert any(a["assignment_id"] == ASSIGNMENT and a["status"] == "fetched" for a in fetched["value"]), fetched
        path = f"{ASSIGNMENT}/{LESSON}.ipynb"
        model = client.api(hub.base, token, "GET", f"/user/{user}/api/contents/{urllib.parse.quote(path)}?content=1")
        nb = nbformat.from_dict(model["content"])
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answered:
                cell.source = solutions[grade_id]
        client.api(hub.base, token, "PUT", f"/user/{user}/api/contents/{urllib.parse.quote(path)}", {"type": "notebook", "format": "json", "content": nb})
        submitted = client.api(hub.base, token, "POST", f"/user/{user}/assignments/submit", form)
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
    inbound = hub.exchange / course_id / "inbound"
    owners = {p.stat().st_uid for p in inbound.iterdir() if p.name.split("+")[0] in plan}
    assert owners == {_home(u).stat().st_uid for u in plan}
    assert stat.S_IMODE(hub.exchange.stat().st_mode) & 0o1777 == 0o1777


# --------------------------------------------------------------------------- the hub's own defences and settings


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _FromAddress(urllib.request.HTTPHandler):
    """Connections from another loopback address: the hub sees another client (JupyterHub reads the proxy's X-Forwarded-For)."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


def _log_in_over_http(hub, user: str, password: str, address: str) -> tuple[float, int, str]:
    """The login page's form, posted from ``address``: (seconds the POST took, HTTP status, page)."""
    opener = urllib.request.build_opener(_FromAddress(address), _NoRedirect(), urllib.request.HTTPCookieProcessor())
    page = opener.open(f"{hub.base}/hub/login", timeout=60).read().decode()
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"_xsrf": xsrf, "username": user, "password": password}).encode()
    started = time.monotonic()
    try:
        with opener.open(f"{hub.base}/hub/login", data=form, timeout=120) as resp:
            status, body = resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:  # the redirect after a good login, or a refusal
        status, body = err.code, err.read().decode(errors="replace")
    return time.monotonic() - started, status, body


def test_h_repeated_wrong_passwords_slow_the_login_page(hub):
    """Three wrong passwords for one account: its next login, even with the right password, waits first."""
    from teach.hub.throttle import FREE

    user, password = hub.throttled, hub.passwords[hub.throttled]
    address = "127.0.0.2"  # an address of its own: the other tests' logins from 127.0.0.1 are not slowed
    fresh, status, _ = _log_in_over_http(hub, user, password, address)
    assert status == 302, "a good login goes on to the student's server"
    with concurrent.futures.ThreadPoolExecutor(FREE) as pool:  # the free failures, at once (PAM takes seconds to refuse)
        wrong = list(pool.map(lambda _: _log_in_over_http(hub, user, "not-" + password, address), range(FREE)))
    assert all(status == 403 and "Invalid username or password" in body for _, status, body in wrong), [(t, s) for t, s, _ in wrong]
    slowed, status, _ = _log_in_over_http(hub, user, password, address)
    assert status == 302, "the right password still logs in after the wait"
    assert slowed >= 2.0 and slowed > fresh + 1.5, f"the login after {FREE} failures took {slowed:.2f} s, a fresh one {fresh:.2f} s"
    log = (hub.state / "jupyterhub.log").read_text(errors="replace")
    assert f"Login for '{user}' from {address} waits 2 s after repeated failed logins" in log
    # the good login cleared the account's count: from another address it is quick again
    again, status, _ = _log_in_over_http(hub, user, password, "127.0.0.3")
    assert status == 302 and again < slowed - 1.5, (again, slowed)


def test_i_students_jupyterlab_has_news_turned_off(hub):
    user = hub.students[1]
    token = _server(hub, user)
    request = urllib.request.Request(f"{hub.base}/user/{user}/lab", headers={"Authorization": f"token {token}"})
    page = urllib.request.urlopen(request, timeout=60).read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S).group(1))
    assert env.NEWS_PLUGIN in config["disabledExtensions"], "the lab's news question is a disabled plugin in the page the student gets"
    settings = client.api(hub.base, token, "GET", f"/user/{user}/lab/api/settings/@jupyterlab/apputils-extension:notification")
    # JupyterLab's own defaults are "none" (ask) and true: the environment's overrides.json makes them "false" and false,
    # and the student has set nothing else
    effective = {name: field.get("default") for name, field in settings["schema"]["properties"].items()} | settings["settings"]
    assert effective["fetchNews"] == "false" and effective["checkForUpdates"] is False, effective
    assert client.api(hub.base, token, "GET", f"/user/{user}/lab/api/update") == {"notification": None}, "the server checks for no update"


# --------------------------------------------------------------------------- stopping the hub (last: later tests would start it again)


def test_z_hub_stop_and_remove_users_with_the_hubs_state_folder(hub):
    user = hub.students[2]
    _server(hub, user)
    uids = set(_accounts(hub.prefix).values())
    running = _processes(hub.state, uids)  # what runs for this hub, read from /proc: launcher, JupyterHub, proxy, servers
    jupyterhub = [p for p, cmd in running.items() if "bin/jupyterhub -f" in cmd]
    proxy = [p for p, cmd in running.items() if "configurable-http-proxy" in cmd]
    server = [p for p, cmd in running.items() if "jupyterhub-singleuser" in cmd and Path(f"/proc/{p}").stat().st_uid == _accounts(hub.prefix)[user]]
    assert len(jupyterhub) == 1 and len(proxy) == 1 and len(server) == 1, running
    # and a process the student left outside their server (a kernel whose server was killed, say)
    uid = _accounts(hub.prefix)[hub.students[0]]
    stray = subprocess.Popen(["sleep", "600"], user=uid, group=uid, cwd="/", start_new_session=True)
    try:
        done = _teach("hub", "stop", "--state", str(hub.state))
        stray.wait(timeout=10)
    finally:
        if stray.poll() is None:
            stray.kill()
            stray.wait()
    said = f"{done.stdout}{done.stderr}\n(running before: {running})"
    assert done.returncode == 0, said
    assert f"stopped    the trial hub's launcher (make hub) (process {hub.launcher.pid})" in done.stdout, said
    assert f"stopped    JupyterHub (process {jupyterhub[0]})" in done.stdout, said
    assert f"stopped    the proxy (configurable-http-proxy) (process {proxy[0]})" in done.stdout, said
    assert f"stopped    the server of {user} (process {server[0]})" in done.stdout, said
    assert f"stopped    a process of {hub.students[0]} (sleep 600) (process {stray.pid})" in done.stdout, said
    assert f"The trial hub from {hub.state} has stopped." in done.stdout, said
    assert hub.launcher.wait(timeout=60) == 0
    left = _processes(hub.state, uids)
    assert not left, f"processes of the hub still run: {left}\n{said}"
    names = sorted(hub.passwords)
    removed = _teach("hub", "remove-users", "--state", str(hub.state))
    hub.stopped(accounts_removed=removed.returncode == 0)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert f"Removed {len(names)} trial account(s) made from {hub.state}: {', '.join(names)}." in removed.stdout
    assert not _accounts(hub.prefix), "accounts left in /etc/passwd"
    assert not [p for p in Path("/home").glob(f"{hub.prefix}*")], "home folders left"
