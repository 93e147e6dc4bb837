"""A trial JupyterHub for a class on this machine: starting and stopping it (``python -m teach hub start | stop``).

``make hub`` = ``setup`` then ``start``: JupyterHub (PyPI) behind configurable-http-proxy (npm), PAM
login with local unix accounts created for the trial students, each student's server started as that
student by LocalProcessSpawner in the students' environment (teach/hub/env.py), listening on 127.0.0.1 only.
If a class copy exists (``make release`` writes ``class-copy/``), the hub serves it read-only to the
students' servers over loopback HTTP (git's smart protocol, through ``git http-backend``) and prints
the nbgitpuller link that clones it. It prints the URL and the trial users and stops cleanly on Ctrl-C
or ``make hub-stop`` (``python -m teach hub stop``), stopping every student's server and the proxy.

Must run as root: it creates unix accounts and starts servers as other users.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import signal
import socket
import stat
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

from teach.hub import HubError, env
from teach.hub.accounts import ensure_users, remove_users  # noqa: F401 - stop() and the tests use them
from teach.hub.gitserver import serve_git

ROOT = env.ROOT
DEFAULT_STATE = ROOT / ".hub" / "run"
#: the state folder the last `make hub` used, so that `make hub-stop` and `remove-users` find it without being told
LAST_STATE = ROOT / ".hub" / "last-state"
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_CLASS_COPY = ROOT / "class-copy"
REPO_NAME = "sino-soviet-1957-class"


# --------------------------------------------------------------------------- helpers


def course_id(course_file: Path = ROOT / "course.toml") -> str:
    try:
        return tomllib.loads(course_file.read_text(encoding="utf-8")).get("course", {}).get("id", "sino-soviet-1957")
    except (OSError, tomllib.TOMLDecodeError):
        return "sino-soviet-1957"


def port_problem(port: int, host: str = "127.0.0.1") -> str | None:
    """Why ``port`` cannot be used on ``host``, or None when it is free."""
    if not 1 <= port <= 65535:
        return f"Port {port} is not a TCP port (1-65535)."
    with socket.socket() as sock:
        try:
            sock.bind((host, port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return f"Port {port} on {host} is already in use by another program. Stop it, or choose another port: make hub HUB_PORT={port + 1}"
            if err.errno == errno.EACCES:
                return f"Port {port} needs special privileges; choose one above 1023: make hub HUB_PORT=8000"
            return f"Port {port} on {host} cannot be used: {err.strerror}."
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pid_alive(pid: int) -> bool:
    """True while ``pid`` runs (a process that has exited but not been reaped by its parent yet does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def link(hub_url: str, repo_url: str) -> str | None:
    """The nbgitpuller link `make link` prints (teach.course link), or None if that command failed."""
    out = subprocess.run(
        [sys.executable, "-m", "teach.course", "link", "--hub", hub_url, "--repo", repo_url], cwd=ROOT, capture_output=True, text=True
    )
    lines = [l for l in out.stdout.splitlines() if l.startswith("http")]
    return lines[-1] if out.returncode == 0 and lines else None


def _wait_for(url: str, proc: subprocess.Popen, timeout: float, log_file: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HubError(f"JupyterHub stopped while starting (exit code {proc.returncode}). The end of its log ({log_file}):\n{_tail(log_file)}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.3)
    raise HubError(f"JupyterHub did not answer at {url} within {timeout:.0f} s. The end of its log ({log_file}):\n{_tail(log_file)}")


def _tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --------------------------------------------------------------------------- commands


def start(args) -> int:
    if os.geteuid() != 0:
        raise HubError(
            "The trial hub creates a unix account per student and starts each student's server as that student, "
            "which needs root: run `sudo make hub` (or use a real hub: see deploy/ and the README)."
        )
    problem = port_problem(args.port)
    if problem:
        raise HubError(problem)
    state = Path(args.state).resolve()
    if (state / "launcher.pid").exists():
        old = int((state / "launcher.pid").read_text().strip() or 0)
        if old and _pid_alive(old):
            raise HubError(f"A trial hub is already running from {state} (process {old}). Stop it first: make hub-stop")
    venv = Path(args.venv).resolve()
    if not env.venv_ready(venv) or not env.PROXY.exists():
        raise HubError("The students' environment or the proxy is missing or out of date: run `make hub-setup` (or `make hub`, which does it).")
    state.mkdir(parents=True, exist_ok=True)
    state.chmod(0o755)  # students' servers read their nbgrader settings below it
    blocked = [p for p in state.parents if not p.stat().st_mode & stat.S_IXOTH]
    if blocked:
        raise HubError(f"The hub's folder {state} is inside {blocked[0]}, which the students' accounts cannot open; choose another: make hub ARGS='--state /srv/sino-soviet-1957-hub'")
    # from here on `make hub-stop` finds this process, and Ctrl-C or `make hub-stop` stops it in order, also while it starts
    (state / "launcher.pid").write_text(f"{os.getpid()}\n")
    stopping: dict = {"asked": False, "proc": None}

    def stop_hub(signum, frame):
        stopping["asked"] = True
        proc = stopping["proc"]
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_hub)
    signal.signal(signal.SIGINT, stop_hub)
    try:
        return _start(args, state, venv, stopping)
    finally:
        (state / "launcher.pid").unlink(missing_ok=True)


def _start(args, state: Path, venv: Path, stopping: dict) -> int:
    (state / "private").mkdir(exist_ok=True)
    (state / "private").chmod(0o700)  # the hub's database and cookie secret
    remember_state(state)
    exchange = Path(args.exchange).resolve()
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777 | stat.S_ISVTX)  # what nbgrader asks of its exchange folder (everyone writes, sticky)
    cid = args.course_id or course_id()
    student_config = state / "student-config"
    student_config.mkdir(exist_ok=True)
    (student_config / "nbgrader_config.py").write_text(
        "# The students' nbgrader settings on the trial hub (written by python -m teach hub start)\n"
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.CourseDirectory.course_id = {cid!r}\n",
        encoding="utf-8",
    )
    for path in (student_config, student_config / "nbgrader_config.py"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    students = [f"{args.prefix}{i}" for i in range(1, args.students + 1)]
    passwords = ensure_users(students, state / "passwords.json")
    repos: dict[str, Path] = {}
    class_copy = Path(args.class_copy).resolve() if args.class_copy else None
    if class_copy and (class_copy / ".git").is_dir():
        repos[args.repo_name] = class_copy
    elif args.class_copy and args.class_copy != str(DEFAULT_CLASS_COPY):
        raise HubError(f"{class_copy} is not a git repository. Write the class copy first: make release (or make release OUT={class_copy})")
    if stopping["asked"]:  # stopped while the accounts were made
        print("The trial hub has stopped.")
        return 0
    git_server, git_url = serve_git(repos) if repos else (None, "")
    settings = {
        "port": args.port, "hub_port": free_port(), "proxy_api_port": free_port(), "state": str(state), "venv": str(venv),
        "proxy": str(env.PROXY), "students": students, "class_folder": args.repo_name, "student_config": str(student_config),
        "service_token": secrets.token_hex(32),
    }
    settings_file = state / "settings.json"
    settings_file.write_text(json.dumps(settings, indent=1) + "\n")
    settings_file.chmod(0o600)
    log_file = state / "jupyterhub.log"
    log = open(log_file, "a")
    proc = stopping["proc"] = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(env.HUB / "jupyterhub_config.py")],
        cwd=state, env=dict(os.environ, SINO_HUB_SETTINGS=str(settings_file)), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    if stopping["asked"]:  # the signal came while JupyterHub was being started
        proc.send_signal(signal.SIGTERM)
    url = f"http://127.0.0.1:{args.port}"
    try:
        try:
            _wait_for(f"{url}/hub/api/", proc, 60, log_file)
        except HubError:
            if stopping["asked"]:  # stopped (Ctrl-C, make hub-stop) while starting
                print("The trial hub has stopped.")
                return 0
            raise
        print(f"\nThe trial hub is running at {url}/  (loopback only; log: {log_file})", flush=True)
        print("Trial students (unix accounts made for this hub; passwords also in " f"{state / 'passwords.json'}):")
        for name, password in passwords.items():
            print(f"  {name:<16} {password}")
        if repos:
            repo_url = f"{git_url}/{args.repo_name}"
            print(f"The class copy {class_copy} is served to the students' servers at {repo_url}")
            print(f"Students' link (nbgitpuller): {link(url, repo_url) or '(make link failed: see python -m teach.course link)'}")
        else:
            print("No class copy yet: write it with `make release`, then restart the hub to get the students' link.")
        print(f"Teacher: nbgrader's exchange is {exchange}; course id {cid!r}. Stop with Ctrl-C or `make hub-stop`.", flush=True)
        while proc.poll() is None:
            time.sleep(0.5)
        if not stopping["asked"]:
            print(f"JupyterHub stopped by itself (exit code {proc.returncode}); the end of its log:\n{_tail(log_file)}", file=sys.stderr)
            return 1
        print("The trial hub has stopped (every student's server and the proxy with it).")
        return 0
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if git_server:
            git_server.shutdown()
        log.close()


def remember_state(state: Path, pointer: Path | None = None) -> None:
    pointer = pointer or LAST_STATE
    pointer.parent.mkdir(parents=True, exist_ok=True)
    pointer.write_text(f"{state}\n", encoding="utf-8")


def resolve_state(given: str | None, pointer: Path | None = None) -> Path:
    """The hub's state folder: the one given, else the one the last `make hub` used, else the default."""
    if given:
        return Path(given).resolve()
    pointer = pointer or LAST_STATE
    if pointer.is_file() and pointer.read_text(encoding="utf-8").strip():
        return Path(pointer.read_text(encoding="utf-8").strip())
    return DEFAULT_STATE


def _read_pid(path: Path) -> int:
    try:
        return int(path.read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def _cmdline(pid: int) -> list[str]:
    try:
        return [a for a in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0") if a]
    except OSError:
        return []


def _student_servers(state: Path) -> dict[int, str]:
    """pid -> account of every student server this hub's environment runs for its trial accounts."""
    import pwd

    try:
        settings = json.loads((state / "settings.json").read_text())
    except (OSError, ValueError):
        return {}
    command = settings.get("venv", "") + "/bin/jupyterhub-singleuser"
    students = set(settings.get("students", []))
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        if command not in _cmdline(pid)[:3]:  # [python, .../bin/jupyterhub-singleuser, ...]
            continue
        try:
            user = pwd.getpwuid(entry.stat().st_uid).pw_name
        except (KeyError, OSError):
            continue
        if user in students:
            found[pid] = user
    return found


def _left_by_students(state: Path, known: set[int]) -> dict[int, str]:
    """pid -> description of what else the hub's trial accounts still run (a kernel whose server was killed, say).

    Never root's processes, whatever the settings say: the trial accounts are made by ``start`` and are never root.
    """
    import pwd

    try:
        students = json.loads((state / "settings.json").read_text()).get("students", [])
    except (OSError, ValueError):
        return {}
    uids = {}
    for name in students:
        try:
            uids[pwd.getpwnam(name).pw_uid] = name
        except KeyError:
            continue
    uids.pop(0, None)
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in known or int(entry.name) == os.getpid():
            continue
        try:
            uid = entry.stat().st_uid
        except OSError:
            continue
        if uid in uids and _pid_alive(int(entry.name)):
            command = " ".join(_cmdline(int(entry.name))[:3])[:80] or "?"
            found[int(entry.name)] = f"a process of {uids[uid]} ({command})"
    return found


def _terminate(pids: dict[int, str], timeout: float) -> list[int]:
    """SIGTERM each pid, wait, SIGKILL what is left; the pids that were signalled."""
    stopped = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            continue
        except PermissionError:
            print(f"Cannot stop {pids[pid]} (process {pid}): it belongs to another account; run as root (sudo make hub-stop).", file=sys.stderr)
            continue
        stopped.append(pid)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_pid_alive(p) for p in stopped):
        time.sleep(0.2)
    killed = False
    for pid in stopped:
        if _pid_alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
                killed = True
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while killed and time.monotonic() < deadline and any(_pid_alive(p) for p in stopped):
        time.sleep(0.1)
    return stopped


def stop(args) -> int:
    """Stop the hub started from the state folder, and whatever of it is left: its proxy, its students' servers.

    Says what it stopped. The launcher (``make hub``) stops JupyterHub, which stops the students' servers and the
    proxy; whatever of them still runs after that (or when the launcher is gone: killed, the terminal closed) is
    found through the hub's own pid files and the students' server processes and stopped one by one, and last
    anything else the trial accounts still run.
    """
    state = resolve_state(getattr(args, "state", None))
    running: dict[int, str] = {}
    launcher = _read_pid(state / "launcher.pid")
    if launcher and _pid_alive(launcher):
        running[launcher] = "the trial hub's launcher (make hub)"
    for name, what in (("jupyterhub.pid", "JupyterHub"), ("proxy.pid", "the proxy (configurable-http-proxy)")):
        other = _read_pid(state / name)
        if other and other not in running and _pid_alive(other):
            running[other] = what
    running.update({p: f"the server of {user}" for p, user in _student_servers(state).items()})
    stopped: list[int] = []
    if launcher in running:  # first the launcher, which stops JupyterHub, which stops the rest in order
        stopped += _terminate({launcher: running[launcher]}, args.timeout)
    (state / "launcher.pid").unlink(missing_ok=True)
    stopped += [p for p in running if p != launcher and not _pid_alive(p)]
    left = {p: what for p, what in running.items() if p not in stopped and _pid_alive(p)}
    left.update({p: f"the server of {user}" for p, user in _student_servers(state).items() if p not in running})
    if left:
        stopped += _terminate(left, args.timeout)
        running.update(left)
    strays = _left_by_students(state, set(running))  # without them `remove-users` could not delete the accounts
    if strays:
        stopped += _terminate(strays, args.timeout)
        running.update(strays)
    if not stopped:
        print(f"No trial hub is running from {state}.")
        return 0
    for pid in stopped:
        print(f"stopped    {running[pid]} (process {pid})")
    still = [f"{running[p]} (process {p})" for p in stopped if _pid_alive(p)]
    if still:
        print(f"Still running: {', '.join(still)}; look at {state / 'jupyterhub.log'}.", file=sys.stderr)
        return 1
    print(f"The trial hub from {state} has stopped.")
    return 0
