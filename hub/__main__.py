"""A trial JupyterHub for a class on this machine: ``python -m hub setup | start | stop | remove-users``.

``make hub`` = ``setup`` then ``start``: JupyterHub (PyPI) behind configurable-http-proxy (npm), PAM
login with local unix accounts created for the trial students, each student's server started as that
student by LocalProcessSpawner in the students' environment (hub/env.py), listening on 127.0.0.1 only.
If a class copy exists (``make release`` writes ``class-copy/``), the hub serves it read-only to the
students' servers over loopback HTTP (git's "dumb" protocol, as a static web server would) and prints
the nbgitpuller link that clones it. It prints the URL and the trial users and stops cleanly on Ctrl-C
or ``make hub-stop`` (``python -m hub stop``), stopping every student's server and the proxy.

Must run as root: it creates unix accounts and starts servers as other users.
"""

from __future__ import annotations

import argparse
import errno
import http.server
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.request
from functools import partial
from pathlib import Path

from hub import env

ROOT = env.ROOT
DEFAULT_STATE = ROOT / ".hub" / "run"
DEFAULT_EXCHANGE = Path("/srv/nbgrader/exchange")
DEFAULT_CLASS_COPY = ROOT / "class-copy"
REPO_NAME = "sino-soviet-1957-class"


class HubError(RuntimeError):
    """Something the teacher must fix; the message says what."""


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


def user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def ensure_users(names: list[str], passwords_file: Path, log=print) -> dict[str, str]:
    """Create the trial accounts that do not exist yet, each with a random password kept in ``passwords_file`` (mode 600)."""
    known: dict[str, str] = json.loads(passwords_file.read_text()) if passwords_file.exists() else {}
    for name in names:
        if name in known and user_exists(name):
            continue
        if user_exists(name) and name not in known:
            raise HubError(
                f"A unix account named {name!r} already exists and was not made for this trial hub, so its password is not "
                f"known here. Choose another prefix: make hub PREFIX=class-"
            )
        subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash", "--comment", "trial student (make hub)", name], check=True, capture_output=True)
        password = secrets.token_urlsafe(9)
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True, capture_output=True)
        home = Path(pwd.getpwnam(name).pw_dir)
        home.chmod(0o700)  # one student cannot read another's work
        known[name] = password
        log(f"created the unix account {name}")
    passwords_file.parent.mkdir(parents=True, exist_ok=True)
    passwords_file.write_text(json.dumps(known, indent=1) + "\n")
    passwords_file.chmod(0o600)
    return {name: known[name] for name in names}


def remove_users(passwords_file: Path, log=print) -> list[str]:
    """Delete the accounts this hub created (listed in ``passwords_file``) with their homes."""
    if not passwords_file.exists():
        return []
    removed = []
    for name in json.loads(passwords_file.read_text()):
        if user_exists(name):
            result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
            if result.returncode not in (0, 12):  # 12: the home's mail spool was missing
                raise HubError(f"Could not remove the account {name}: {result.stderr.strip()} (stop the hub first: make hub-stop)")
            removed.append(name)
            log(f"removed the unix account {name} and its home")
    passwords_file.unlink()
    return removed


class _GitHandler(http.server.BaseHTTPRequestHandler):
    """Serves each class copy read-only over git's smart HTTP protocol (``git http-backend``), as a git host would.

    nbgitpuller clones with ``--depth 1``, which git's plain static-file ("dumb") protocol cannot serve.
    Pushing is refused: http-backend enables receive-pack only for authenticated users, and there are none.
    """

    repos: dict[str, Path] = {}

    def do_GET(self):  # noqa: N802 - http.server's naming
        self._backend()

    def do_POST(self):  # noqa: N802
        self._backend()

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().strip() or b"0", 16)
                if not size:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _backend(self) -> None:
        path, _, query = self.path.partition("?")
        name, _, rest = path.lstrip("/").partition("/")
        repo = self.repos.get(name)
        if repo is None:
            self.send_error(404, f"No repository named {name!r} here.")
            return
        body = self._body() if self.command == "POST" else b""
        cgi_env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_PROJECT_ROOT": str(repo / ".git"), "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": "/" + rest, "QUERY_STRING": query, "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""), "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
            "REMOTE_ADDR": self.client_address[0],
        }
        result = subprocess.run(["git", "http-backend"], input=body, env=cgi_env, capture_output=True)
        head, _, payload = result.stdout.partition(b"\r\n\r\n")
        if not _ and b"\n\n" in result.stdout:
            head, _, payload = result.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.split()[0])
            elif key:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # noqa: A002 - quiet
        pass


def serve_git(repos: dict[str, Path]) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve each ``name -> work tree`` read-only at http://127.0.0.1:PORT/name; return the server and its base URL.

    The URL has no ``.git`` ending, so that the folder nbgitpuller clones into is ``name``.
    """
    handler = type("Handler", (_GitHandler,), {"repos": {n: Path(p).resolve() for n, p in repos.items()}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def link(hub_url: str, repo_url: str) -> str | None:
    """The nbgitpuller link `make link` prints (helpers.course link), or None if that command failed."""
    out = subprocess.run(
        [sys.executable, "-m", "helpers.course", "link", "--hub", hub_url, "--repo", repo_url], cwd=ROOT, capture_output=True, text=True
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
    (state / "private").mkdir(exist_ok=True)
    (state / "private").chmod(0o700)  # the hub's database and cookie secret
    exchange = Path(args.exchange).resolve()
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777 | stat.S_ISVTX)  # what nbgrader asks of its exchange folder (everyone writes, sticky)
    cid = args.course_id or course_id()
    student_config = state / "student-config"
    student_config.mkdir(exist_ok=True)
    (student_config / "nbgrader_config.py").write_text(
        "# The students' nbgrader settings on the trial hub (written by python -m hub start)\n"
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(exchange)!r}\n"
        f"c.CourseDirectory.course_id = {cid!r}\n",
        encoding="utf-8",
    )
    for path in (student_config, student_config / "nbgrader_config.py"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    students = [f"{args.prefix}{i}" for i in range(1, args.students + 1)]
    passwords = ensure_users(students, state / "passwords.json")

    git_server = None
    repos: dict[str, Path] = {}
    class_copy = Path(args.class_copy).resolve() if args.class_copy else None
    if class_copy and (class_copy / ".git").is_dir():
        repos[args.repo_name] = class_copy
    elif args.class_copy and args.class_copy != str(DEFAULT_CLASS_COPY):
        raise HubError(f"{class_copy} is not a git repository. Write the class copy first: make release (or make release OUT={class_copy})")
    if repos:
        git_server, git_url = serve_git(repos)

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
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyterhub"), "-f", str(env.HUB / "jupyterhub_config.py")],
        cwd=state, env=dict(os.environ, SINO_HUB_SETTINGS=str(settings_file)), stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    (state / "launcher.pid").write_text(f"{os.getpid()}\n")
    stopping = {"asked": False}

    def stop_hub(signum, frame):  # noqa: ANN001
        stopping["asked"] = True
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_hub)
    signal.signal(signal.SIGINT, stop_hub)
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
            print(f"Students' link (nbgitpuller): {link(url, repo_url) or '(make link failed: see python -m helpers.course link)'}")
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
        (state / "launcher.pid").unlink(missing_ok=True)


def stop(args) -> int:
    state = Path(args.state).resolve()
    pid_file = state / "launcher.pid"
    if not pid_file.exists():
        print(f"No trial hub is running from {state}.")
        return 0
    pid = int(pid_file.read_text().strip() or 0)
    if not pid or not _pid_alive(pid):
        pid_file.unlink(missing_ok=True)
        print(f"No trial hub is running from {state} (removed a stale pid file).")
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline and _pid_alive(pid):
        time.sleep(0.2)
    if _pid_alive(pid):
        print(f"The trial hub (process {pid}) did not stop within {args.timeout:.0f} s; look at {state / 'jupyterhub.log'}.", file=sys.stderr)
        return 1
    print("The trial hub has stopped.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub", description="A trial JupyterHub for a class on this machine.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup", help="create the students' environment and install the proxy").add_argument("--venv", default=str(env.DEFAULT_VENV))
    st = sub.add_parser("start", help="start the hub (stops on Ctrl-C or `python -m hub stop`)")
    st.add_argument("--port", type=int, default=8000)
    st.add_argument("--students", type=int, default=3, help="how many trial students (unix accounts PREFIX1, PREFIX2, ...)")
    st.add_argument("--prefix", default="trial-student")
    st.add_argument("--state", default=str(DEFAULT_STATE), help="the hub's database, log and passwords")
    st.add_argument("--venv", default=str(env.DEFAULT_VENV))
    st.add_argument("--exchange", default=str(DEFAULT_EXCHANGE), help="nbgrader's exchange folder")
    st.add_argument("--course-id", default=None, help="nbgrader course id (default: course.toml's)")
    st.add_argument("--class-copy", default=str(DEFAULT_CLASS_COPY), help="the class copy to serve (a git work tree, from make release)")
    st.add_argument("--repo-name", default=REPO_NAME, help="the class repository's name, which is also the folder nbgitpuller clones into")
    sp = sub.add_parser("stop", help="stop the hub started from --state")
    sp.add_argument("--state", default=str(DEFAULT_STATE))
    sp.add_argument("--timeout", type=float, default=60)
    ru = sub.add_parser("remove-users", help="delete the trial accounts (and their homes) made from --state")
    ru.add_argument("--state", default=str(DEFAULT_STATE))
    args = parser.parse_args(argv)
    try:
        if args.command == "setup":
            env.setup_venv(Path(args.venv))
            env.setup_proxy()
            print(f"Students' environment: {args.venv}; proxy: {env.PROXY}")
            return 0
        if args.command == "start":
            if args.students < 1:
                raise HubError("--students must be 1 or more.")
            return start(args)
        if args.command == "stop":
            return stop(args)
        removed = remove_users(Path(args.state).resolve() / "passwords.json")
        print(f"Removed {len(removed)} trial account(s).")
        return 0
    except (HubError, env.SetupError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
