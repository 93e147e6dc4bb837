"""The students' environment of the trial hub, and the hub's proxy: ``python -m teach hub setup``.

Students' servers run in their own virtual environment (``.hub/venv`` by default), never in the
teacher's ``.venv``: it holds the pinned lesson stack, nbgitpuller, nbgrader's student extensions and
jupyterhub-singleuser, and *not* this repository's ``helpers`` package (whose answer bank is the
teacher's). A student's kernels import ``helpers`` from the class copy that nbgitpuller cloned into
their home (PYTHONPATH, set by the hub's spawner).

The proxy is the npm package configurable-http-proxy, pinned in hub/package-lock.json and installed
with ``npm ci`` into teach/hub/node_modules.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

from teach.errors import ToolError

ROOT = Path(__file__).resolve().parents[2]
HUB = ROOT / "teach" / "hub"
# where the students' environment lives; every student's account must be able to reach it
DEFAULT_VENV = Path(os.environ.get("HUB_VENV") or ROOT / ".hub" / "venv")
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
STAMP = ".sino-soviet-hub-env"
LAYOUT = 2  # raise when setup_venv writes something new into the environment
# nbgrader's extensions a student needs (the Assignments panel, Validate); the teacher's ones are disabled
TEACHER_LAB_EXTENSIONS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list"]
TEACHER_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
# JupyterLab's plugin that asks every student whether to fetch "official Jupyter news": a class needs no such question
NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"


class SetupError(ToolError, RuntimeError):
    """A step of the set-up failed; the message says what to do."""


def requirements() -> list[str]:
    """What the students' environment installs: the lesson stack and the class tools (pyproject.toml)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return list(project["dependencies"]) + list(project["optional-dependencies"]["class"])


def _others_can_run(path: Path) -> bool:
    """True when a user who is neither owner nor in the group can execute ``path`` (every folder above it too)."""
    path = path.resolve()
    try:
        if not path.stat().st_mode & stat.S_IXOTH:
            return False
        return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.parents)
    except OSError:
        return False


def student_python() -> str:
    """A Python 3.11+ that the students' unix accounts can run (a pyenv under /root cannot be)."""
    candidates = [Path(sys._base_executable)]
    for folder in ("/usr/local/bin", "/usr/bin"):
        for minor in (11, 12, 13, 14):
            candidates.append(Path(folder) / f"python3.{minor}")
    for candidate in candidates:
        if not candidate.exists() or not _others_can_run(candidate):
            continue
        check = subprocess.run([str(candidate), "-c", "import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))"], capture_output=True)
        if check.returncode == 0:
            return str(candidate)
    raise SetupError(
        "No Python 3.11 or newer that the students' accounts can run was found "
        f"(tried {', '.join(str(c) for c in candidates[:3])}, ...). Install one for all users, "
        "e.g. `apt-get install python3 python3-venv` (Debian 12 ships 3.11)."
    )


def _digest() -> str:
    text = json.dumps([requirements(), (ROOT / "constraints.txt").read_text(encoding="utf-8"), TEACHER_LAB_EXTENSIONS, TEACHER_SERVER_EXTENSIONS, LAYOUT])
    return hashlib.sha256(text.encode()).hexdigest()


def venv_ready(venv: Path = DEFAULT_VENV) -> bool:
    stamp = venv / STAMP
    return stamp.exists() and stamp.read_text().strip() == _digest()


def _run(cmd: list[str], what: str, **kwargs) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise SetupError(f"{what} failed ({' '.join(cmd[:4])} ...):\n{tail}")


def _write_student_config(venv: Path) -> None:
    """Settings every student server reads from its environment (sys-prefix config, not anyone's home)."""
    etc = venv / "etc" / "jupyter"
    (etc / "jupyter_server_config.d").mkdir(parents=True, exist_ok=True)
    # the lab's news and update checks would reach for the internet; a class does not need them
    settings = venv / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(
        json.dumps({"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False}}, indent=1) + "\n",
        encoding="utf-8",
    )
    (etc / "jupyter_server_config.d" / "sino-soviet-hub.json").write_text(
        json.dumps({"LabApp": {"check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}}, indent=1) + "\n", encoding="utf-8"
    )


def setup_venv(venv: Path = DEFAULT_VENV, log=print) -> Path:
    """Create (or bring up to date) the students' environment; idempotent, quick when nothing changed."""
    venv = Path(venv)
    if venv_ready(venv):
        return venv
    python = student_python()
    blocked = [p for p in venv.resolve().parents if p.exists() and not p.stat().st_mode & stat.S_IXOTH]
    if blocked:
        raise SetupError(
            f"The students' environment would be at {venv}, inside {blocked[0]}, which other accounts cannot open "
            f"(mode {stat.S_IMODE(blocked[0].stat().st_mode):o}). Put it where every student can reach it: "
            "HUB_VENV=/opt/sino-soviet-1957-hub/venv make hub"
        )
    if not (venv / "bin" / "python").exists():
        log(f"creating the students' environment in {venv} (with {python})")
        venv.parent.mkdir(parents=True, exist_ok=True)
        _run([python, "-m", "venv", str(venv)], "Creating the students' virtual environment")
    log("installing the pinned lesson stack, nbgitpuller, nbgrader and jupyterhub-singleuser into it (a few minutes the first time)")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "install", "--quiet", "-c", str(ROOT / "constraints.txt")]
    _run(pip + requirements(), "Installing the students' environment")
    jupyter = str(venv / "bin" / "jupyter")
    for ext in TEACHER_LAB_EXTENSIONS:
        _run([jupyter, "labextension", "disable", "--level=sys_prefix", ext], f"Disabling the teacher's extension {ext}")
    _run([jupyter, "labextension", "disable", "--level=sys_prefix", NEWS_PLUGIN], "Disabling JupyterLab's news question")
    for ext in TEACHER_SERVER_EXTENSIONS:
        _run([jupyter, "server", "extension", "disable", "--sys-prefix", ext], f"Disabling the teacher's extension {ext}")
    _write_student_config(venv)
    for path in [venv, *venv.rglob("*")]:  # readable by every student, writable by nobody but its owner
        if not path.is_symlink():
            mode = path.stat().st_mode
            path.chmod((mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | ((stat.S_IXGRP | stat.S_IXOTH) if mode & stat.S_IXUSR or path.is_dir() else 0)) & ~0o022)
    (venv / STAMP).write_text(_digest() + "\n")
    return venv


def setup_proxy(log=print) -> Path:
    """Install configurable-http-proxy exactly as hub/package-lock.json pins it."""
    if PROXY.exists():
        return PROXY
    npm = shutil.which("npm")
    if not npm:
        raise SetupError("The hub's proxy is the npm package configurable-http-proxy, and npm is not installed. Install Node.js and npm (Debian: `apt-get install nodejs npm`), then run `make hub-setup` again.")
    node = shutil.which("node") or shutil.which("nodejs")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else ""
    major = int(version.lstrip("v").split(".")[0]) if version[1:2].isdigit() else 0
    if major < 20:
        raise SetupError(f"configurable-http-proxy 5.3 needs Node.js 20 or newer; this machine has {version or 'no node'}. Install a newer Node.js (e.g. from NodeSource), then run `make hub-setup` again.")
    log("installing configurable-http-proxy (teach/hub/package-lock.json) into teach/hub/node_modules")
    _run([npm, "ci", "--no-audit", "--no-fund", "--prefix", str(HUB)], "npm ci (configurable-http-proxy)", env=dict(os.environ, npm_config_update_notifier="false"))
    if not PROXY.exists():
        raise SetupError(f"npm ci finished but {PROXY} is missing.")
    return PROXY
