"""A teacher's path without guesses: the README's commands exist as written, formgrader opens on the course, a later
release may grade a lesson never handed out, the trial hub stops and removes what it made from any state folder, the
website's launch buttons open the class copy's paths, students' JupyterLab asks nothing about news, and repeated
failed logins on the trial hub are slowed.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from argparse import Namespace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def make_dry(*args: str) -> str:
    # --no-print-directory: under another make (make bench runs make test) make would add "Entering directory" lines
    run = subprocess.run(["make", "-n", "-s", "--no-print-directory", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return run.stdout


# --------------------------------------------------------------------------- the README's commands


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"^([A-Za-z][\w-]*):", MAKEFILE, re.M))
    spans = re.findall(r"`([^`\n]+)`", README) + re.findall(r"```\w*\n(.*?)```", README, re.S)
    named = {m for span in spans for m in re.findall(r"(?<![\w/-])make ([a-z][\w-]*)", span)}
    assert named, "the README names make targets"
    assert not named - targets, f"the README names make targets the Makefile lacks: {sorted(named - targets)}"


def test_the_readme_runs_no_bare_nbgrader_command():
    """Every nbgrader command is `make nbgrader ARGS="..."` (or the venv's own nbgrader): no activation is assumed."""
    spans = re.findall(r"`([^`\n]+)`", README) + [l for block in re.findall(r"```\w*\n(.*?)```", README, re.S) for l in block.splitlines()]
    bare = [s for s in spans if re.match(r"\s*(sudo\s+)?(nbgrader|jupyter|jupyterhub|pip|pytest|ruff|python)\s", s)]
    assert not bare, f"commands that need an activated environment: {bare}"


def test_make_passes_nbgrader_commands_to_the_venvs_nbgrader_in_the_course_folder():
    out = make_dry("nbgrader", 'ARGS=generate_assignment lesson01')
    assert "cd course &&" in out and ".venv/bin/nbgrader\" generate_assignment lesson01" in out
    out = make_dry("collect", "ASSIGNMENT=lesson01")
    assert ".venv/bin/nbgrader\" zip_collect lesson01" in out
    out = make_dry("late", "ASSIGNMENT=lesson01")
    assert "-m teach late lesson01 --course-dir course" in out


def test_make_formgrader_serves_the_course_on_loopback_only():
    out = make_dry("formgrader")
    assert "cd course &&" in out and "--ip=127.0.0.1" in out and "--ServerApp.default_url=/formgrader" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_formgrader_opens_on_the_course_without_an_exchange_warning(tmp_path):
    from teach.course.build import build_course
    from teach.course.config import load_course

    (tmp_path / "course.toml").write_text(
        '[course]\nid = "fg"\ntimezone = "Europe/London"\n\n[[assignment]]\nname = "lesson00"\nlesson = "00_start_here"\n'
        'due = 2027-06-04T17:00:00\n[assignment.points]\n"0.3" = 2\n', encoding="utf-8")
    course = tmp_path / "course"
    build_course(load_course(tmp_path / "course.toml"), course, log=lambda *_: None)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", JUPYTER_RUNTIME_DIR=str(tmp_path / "rt"))
    log = open(tmp_path / "lab.log", "w")
    cmd = [str(Path(sys.executable).parent / "jupyter"), "lab", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.root_dir=.",
           "--ServerApp.default_url=/formgrader", "--no-browser", f"--IdentityProvider.token={token}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    server = subprocess.Popen(cmd, cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/formgrader/manage_assignments", headers={"Authorization": f"token {token}"})
                page = urllib.request.urlopen(request, timeout=10).read().decode()
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "lab.log").read_text()[-3000:]
                time.sleep(0.5)
        assert 'id="warning-exchange"' not in page and 'id="warning-course-id"' not in page, "no warning about the exchange"
        assert "Manage Assignments" in page, page[:500]
        request = urllib.request.Request(f"http://127.0.0.1:{port}/formgrader/api/assignments", headers={"Authorization": f"token {token}"})
        api = urllib.request.urlopen(request, timeout=30).read().decode()
        assignment = next(a for a in json.loads(api) if a["name"] == "lesson00")
        assert assignment["display_duedate"].startswith("2027-06-04 17:00:00 BST"), "due dates in the school's time zone"
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert (course / "exchange").is_dir()


# --------------------------------------------------------------------------- a later release


def _course(tmp_path: Path, name: str, body: str):
    from teach.course.config import load_course

    path = tmp_path / f"{name}.toml"
    path.write_text('[course]\nid = "later"\nlessons = ["00_start_here"]\n\n' + body, encoding="utf-8")
    return load_course(path)


LESSON00 = '[[assignment]]\nname = "lesson00"\nlesson = "00_start_here"\n[assignment.points]\n"0.1" = 2\n\n'


def test_a_lesson_never_handed_out_can_be_graded_later_but_not_one_given_as_practice(tmp_path):
    from teach.course.release import ReleaseError, release

    copy = tmp_path / "class-copy"
    release(copy, _course(tmp_path, "first", LESSON00), log=lambda *_: None)
    names = {p.name for p in (copy / "notebooks").iterdir()}
    assert names == {"00_start_here.ipynb"} and {p.name for p in (copy / "helpers" / "answers").iterdir()} == {"lesson_00.json"}
    readme = (copy / "README.md").read_text(encoding="utf-8")
    assert "**lesson00** (`notebooks/00_start_here.ipynb`, exercises 0.1): no due date" in readme
    # lesson 1 was never in the copy: its exercise 1.2 can count now
    later = _course(tmp_path, "later", LESSON00 + '[[assignment]]\nname = "lesson01"\nlesson = "01_honeymoon"\ndue = 2027-02-05T17:00:00\n[assignment.points]\n"1.2" = 1\n')
    release(copy, later, log=lambda *_: None)
    assert (copy / "notebooks" / "01_honeymoon.ipynb").is_file()
    bank = json.loads((copy / "helpers" / "answers" / "lesson_01.json").read_text(encoding="utf-8"))
    assert "hashes" not in bank["1.2"], "the graded exercise's answer is not in the copy"
    assert "due 5 February 2027, 17:00 (Europe/London, GMT)" in (copy / "README.md").read_text(encoding="utf-8")
    # exercise 0.4 was handed out as practice with lesson 0: its answer was checkable, so it cannot count now
    practice = _course(tmp_path, "practice", LESSON00.replace('"0.1" = 2', '"0.1" = 2\n"0.4" = 1'))
    with pytest.raises(ReleaseError, match=r"already gave out the answers of 0\.4 .*a lesson the copy has not handed out yet can be added"):
        release(copy, practice, log=lambda *_: None)


# --------------------------------------------------------------------------- the trial hub


def test_hub_stop_honours_a_state_folder_and_says_what_it_stopped(tmp_path, capsys):
    import pwd

    from teach.hub.launcher import remember_state, resolve_state, stop

    me = pwd.getpwuid(os.getuid()).pw_name  # the account that owns the processes (getpass trusts $USER, which CI may set otherwise)

    state, venv = tmp_path / "my-hub-state", tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    state.mkdir()
    server_script = venv / "bin" / "jupyterhub-singleuser"
    server_script.write_text("import time\ntime.sleep(300)\n")
    (state / "settings.json").write_text(json.dumps({"venv": str(venv), "students": [me]}))
    hub = subprocess.Popen(["sleep", "300"], start_new_session=True)
    proxy = subprocess.Popen(["sleep", "300"], start_new_session=True)
    student = subprocess.Popen([sys.executable, str(server_script)], start_new_session=True)
    for proc in (hub, proxy, student):  # Popen returns once exec began; the new command line shows a moment later
        deadline = time.monotonic() + 10
        while not Path(f"/proc/{proc.pid}/cmdline").read_bytes() and time.monotonic() < deadline:
            time.sleep(0.01)
    (state / "jupyterhub.pid").write_text(f"{hub.pid}\n")
    (state / "proxy.pid").write_text(f"{proxy.pid}\n")
    (state / "launcher.pid").write_text("999999999\n")  # the launcher itself is gone (killed): what it started is not
    pointer = tmp_path / "last-state"
    remember_state(state, pointer)
    assert resolve_state(None, pointer) == state and resolve_state(str(tmp_path / "x"), pointer) == tmp_path / "x"
    try:
        assert stop(Namespace(state=str(state), timeout=10)) == 0
        for proc in (hub, proxy, student):
            proc.wait(timeout=10)
    finally:
        for proc in (hub, proxy, student):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    out = capsys.readouterr().out
    assert f"stopped    JupyterHub (process {hub.pid})" in out
    assert f"stopped    the proxy (configurable-http-proxy) (process {proxy.pid})" in out
    assert f"stopped    the server of {me} (process {student.pid})" in out
    assert f"The trial hub from {state} has stopped." in out
    assert stop(Namespace(state=str(state), timeout=1)) == 0
    assert f"No trial hub is running from {state}." in capsys.readouterr().out


def test_make_hub_stop_and_remove_users_pass_the_state_folder():
    assert '-m teach hub stop --state "/srv/my-hub"' in make_dry("hub-stop", "HUB_STATE=/srv/my-hub")
    assert '-m teach hub remove-users --state "/srv/my-hub"' in make_dry("hub-remove-users", "HUB_STATE=/srv/my-hub")
    assert '--state "/srv/my-hub"' in make_dry("hub", "HUB_STATE=/srv/my-hub").splitlines()[-1]


def test_remove_users_says_where_it_looked(tmp_path):
    from teach.hub.cli import main

    run = subprocess.run([sys.executable, "-m", "teach", "hub", "remove-users", "--state", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and f"No trial accounts recorded in {tmp_path}" in run.stdout
    assert main  # the command line's module imports


def test_repeated_failed_logins_are_slowed():
    from teach.hub.throttle import LoginThrottle

    now = [0.0]
    throttle = LoginThrottle(free=3, longest=30, window=600, clock=lambda: now[0])
    waits = []
    for _ in range(8):
        waits.append(throttle.delay("user:trial-student1", "ip:127.0.0.1"))
        throttle.failed("user:trial-student1", "ip:127.0.0.1")
    assert waits == [0, 0, 0, 2, 4, 8, 16, 30]
    assert throttle.delay("user:trial-student2", "ip:10.0.0.9") == 0, "another student elsewhere is not slowed"
    assert throttle.delay("user:trial-student2", "ip:127.0.0.1") == 30, "the same address trying another account is"
    throttle.succeeded("user:trial-student1")
    now[0] = 601
    assert throttle.delay("user:trial-student1", "ip:127.0.0.1") == 0, "failures are forgotten after the window"
    config = (ROOT / "teach" / "hub" / "jupyterhub_config.py").read_text(encoding="utf-8")
    assert "c.JupyterHub.authenticator_class = throttled(PAMAuthenticator)" in config


# --------------------------------------------------------------------------- what students see


def test_the_websites_launch_buttons_open_the_class_copys_paths():
    conf = (ROOT / "website" / "conf.py").read_text(encoding="utf-8")
    assert '"path_to_docs": os.environ.get("SITE_PATH", "notebooks")' in conf


def test_students_jupyterlab_asks_nothing_about_news():
    from teach.course.release import NEWS_PLUGIN, README
    from teach.hub import env

    assert NEWS_PLUGIN == env.NEWS_PLUGIN == "@jupyterlab/apputils-extension:announcements"
    assert f'"{NEWS_PLUGIN}"' in (ROOT / ".binder" / "postBuild").read_text(encoding="utf-8")
    assert "NEWS_PLUGIN], " in (ROOT / "teach" / "hub" / "env.py").read_text(encoding="utf-8")
    text = README.format(title="T", lessons="", news=NEWS_PLUGIN)
    assert f'.venv/bin/jupyter labextension disable --level=sys_prefix "{NEWS_PLUGIN}"' in text
    # Windows students get their own lines
    assert "py -m venv .venv" in text and ".venv\\Scripts\\pip install -c constraints.txt -e ." in text
    assert f'.venv\\Scripts\\jupyter labextension disable --level=sys_prefix "{NEWS_PLUGIN}"' in text


def test_disabling_the_news_plugin_works_with_this_jupyterlab(tmp_path):
    """The command the class copy's README gives students, run against a throwaway config folder."""
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"))
    jupyter = str(Path(sys.executable).parent / "jupyter")
    run = subprocess.run([jupyter, "labextension", "disable", "--level=user", "@jupyterlab/apputils-extension:announcements"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr
    page = json.loads((tmp_path / "config" / "labconfig" / "page_config.json").read_text())
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True


def test_the_throttle_sits_in_front_of_a_real_jupyterhub_authenticator():
    import asyncio

    from jupyterhub.auth import DummyAuthenticator, PAMAuthenticator

    from teach.hub.throttle import LoginThrottle, throttled

    assert issubclass(throttled(PAMAuthenticator), PAMAuthenticator)
    auth = throttled(DummyAuthenticator)(password="right")
    auth._throttle = LoginThrottle(free=1, longest=0.3)

    async def attempts():
        results, times = [], []
        for password in ("wrong", "wrong", "wrong", "right"):
            start = time.monotonic()
            results.append(await auth.authenticate(None, {"username": "trial-student1", "password": password}))
            times.append(time.monotonic() - start)
        return results, times

    results, times = asyncio.run(attempts())
    assert results[:3] == [None, None, None] and results[3] in ("trial-student1", {"name": "trial-student1"})
    assert times[0] < 0.1 and times[1] >= 0.2 and times[3] >= 0.29, times
    assert auth._throttle.delay("user:trial-student1") == 0, "a good login clears the account's count"
