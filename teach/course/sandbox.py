"""Running one student's notebook where it can reach nothing of the teacher's (bubblewrap), with limits.

The threat: a submission is code the teacher runs. Without a sandbox it runs with the teacher's rights, so it
can read the answers, edit the gradebook or other students' work, or leave a process behind. Here each
submission runs in its own `bubblewrap <https://github.com/containers/bubblewrap>`_ sandbox (Linux
namespaces, no daemon, no root needed):

* its files: a private in-memory folder (``/home/student``, at most ``disk_mb``) holding only the notebook
  to run, with the class copy's ``helpers/`` and ``data/`` read-only beside it (answer bank without the graded
  answers); the Python environment and the system's libraries read-only; nothing else of the machine: no
  course folder, gradebook, other submissions, teacher's repository or home;
* no network (a private loopback only), no new user namespaces, no capabilities, a new session (no terminal);
* limits: memory per process (``memory_mb``), processes, file size, the record it hands back (``record_mb``),
  seconds per cell and per notebook; when the run ends or is stopped, every process it started ends too (the
  sandbox's process namespace dies with it).

The graded test cells that run inside only hand the answers out (:mod:`helpers.exercises.handout`); they are
judged by the caller, outside. Where bubblewrap cannot run, :func:`unavailable` says why; the teacher may then
choose to run without a sandbox (``unsafe=True``), which keeps the judging outside the kernel but not the rest.
"""

from __future__ import annotations

import compileall
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from teach.errors import ToolError

ROOT = Path(__file__).resolve().parents[2]
HOME = "/home/student"
NOTEBOOK = "submission.ipynb"


class SandboxError(ToolError, RuntimeError):
    """No sandbox can be had here (the message says why and what to do)."""


@dataclass(frozen=True)
class Limits:
    """What one submission's run may use (``course.toml``'s ``[course]`` table sets the first two)."""

    cell_seconds: int = 60
    notebook_seconds: int = 600
    memory_mb: int = 3072
    processes: int = 200
    file_mb: int = 64
    disk_mb: int = 256
    record_mb: int = 16


@dataclass
class Run:
    """What came back from one run: the executed notebook (as a dict) or why there is none."""

    notebook: dict | None
    reason: str = ""
    seconds: float = 0.0


@cache
def unavailable() -> str | None:
    """Why no bubblewrap sandbox can run on this machine, or None when it can."""
    if not sys.platform.startswith("linux"):
        return f"this is {sys.platform}, and the sandbox (bubblewrap) needs Linux: grade on a Linux machine or the school's hub"
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return "bubblewrap is not installed: install it (Debian/Ubuntu: sudo apt-get install bubblewrap)"
    probe = subprocess.run(
        [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"],
        capture_output=True, text=True, timeout=60,
    )
    if probe.returncode != 0:
        why = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bubblewrap cannot make a sandbox here ({why}): the kernel must allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
    return None


def class_files(dest: Path, graded: set[str], *, helpers_dir: Path = ROOT / "helpers", data_dir: Path = ROOT / "data") -> Path:
    """Write the class copy's ``helpers/`` and ``data/`` into ``dest``: the answer bank keeps no graded answer.

    ``graded`` are the exercises graded anywhere in the course; their bank entries are reduced to the kind of
    answer (as in the class copy). Returns ``dest``.
    """
    from helpers.exercises import form_only_entry

    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    shutil.copytree(helpers_dir, dest / "helpers", ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "answers"))
    (dest / "helpers" / "answers").mkdir()
    for path in sorted((helpers_dir / "answers").glob("*.json")):
        bank = json.loads(path.read_text(encoding="utf-8"))
        for qid in graded & set(bank):
            bank[qid] = form_only_entry(bank[qid])
        (dest / "helpers" / "answers" / path.name).write_text(json.dumps(bank, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    shutil.copytree(data_dir, dest / "data", ignore=ignore)
    # matplotlib's font list, built once here so that each run does not rebuild it
    subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=dict(os.environ, MPLCONFIGDIR=str(dest / "matplotlib")),
                   capture_output=True, timeout=300, check=False)
    # byte-compiled once here, not by every run (the runs may not write into helpers/)
    compileall.compile_dir(str(dest / "helpers"), quiet=1, workers=1)
    for path in [dest, *dest.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return dest


def _system_mounts() -> list[str]:
    """Read-only views of the system's programs and libraries (merged-/usr symlinks kept as symlinks)."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        path = Path(top)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), top]
        elif path.is_dir():
            args += ["--ro-bind", top, top]
    for name in ("ld.so.cache", "fonts", "localtime", "alternatives", "mime.types", "matplotlibrc"):
        if (Path("/etc") / name).exists():
            args += ["--ro-bind", f"/etc/{name}", f"/etc/{name}"]
    return args


#: Where the students' environment (a venv) appears inside: not the teacher's own path, so that no output shows it.
ENV = "/opt/env"


def _python(sandboxed: bool) -> str:
    """The Python that runs the notebook: this interpreter, seen from inside the sandbox or not."""
    if sandboxed and sys.prefix != sys.base_prefix:
        return str(ENV / Path(sys.executable).relative_to(sys.prefix)) if Path(sys.executable).is_relative_to(sys.prefix) else sys.executable
    return sys.executable


def _python_mounts() -> list[str]:
    """The students' Python environment (this interpreter's venv, at /opt/env) and the Python it is built on, read-only."""
    args: list[str] = []
    if not sys.base_prefix.startswith("/usr"):
        args += ["--ro-bind", sys.base_prefix, sys.base_prefix]
    if sys.prefix != sys.base_prefix:
        args += ["--ro-bind", sys.prefix, ENV]
    return args


def _env(limits: Limits, sandboxed: bool = True) -> dict[str, str]:
    return {
        "HOME": HOME, "USER": "student", "LANG": "C.UTF-8", "PYTHONPATH": HOME, "PYTHONDONTWRITEBYTECODE": "1",
        "PATH": f"{Path(_python(sandboxed)).parent}:/usr/local/bin:/usr/bin:/bin",
        "MPLCONFIGDIR": "/tmp/matplotlib", "MPLBACKEND": "agg", "JUPYTER_PLATFORM_DIRS": "1",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "NBGRADER_EXECUTION": "autograde", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


#: The Python run inside: execute the notebook with nbclient (the kernel cannot inherit the record's pipe), then
#: hand the record out on the pipe. A cell over its time is interrupted and the run goes on with the next.
RUNNER = """\
import json, os, sys
sys.modules["rfc3987_syntax"] = None  # jsonschema's optional IRI checker builds a grammar for a second on import; unused here
fd, seconds = int(sys.argv[1]), int(sys.argv[2])
os.set_inheritable(fd, False)
import nbformat
from nbclient import NotebookClient
nb = nbformat.read("submission.ipynb", as_version=4)
client = NotebookClient(nb, timeout=seconds, allow_errors=True, interrupt_on_timeout=True, kernel_name="python3",
                        extra_arguments=["--HistoryManager.hist_file=:memory:"], resources={"metadata": {"path": os.getcwd()}})
try:
    client.execute()
except Exception as err:
    nb.metadata["run_error"] = type(err).__name__ + ": " + str(err)[:300]
with os.fdopen(fd, "wb") as out:
    out.write(nbformat.writes(nb).encode("utf-8"))
"""


def _argv(limits: Limits, out_fd: int, sandboxed: bool = True) -> list[str]:
    return [_python(sandboxed), "-c", RUNNER, str(out_fd), str(limits.cell_seconds)]


def command(limits: Limits, files: Path, in_fd: int, out_fd: int) -> list[str]:
    """The bubblewrap command line for one run (``files``: from :func:`class_files`)."""
    args = [shutil.which("bwrap") or "bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]
    args += _system_mounts() + _python_mounts()
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(limits.disk_mb * 2**20), "--tmpfs", "/tmp"]
    args += ["--size", str(limits.disk_mb * 2**20), "--tmpfs", HOME]
    args += ["--ro-bind", str(files / "helpers"), f"{HOME}/helpers", "--ro-bind", str(files / "data"), f"{HOME}/data"]
    for fonts in sorted((files / "matplotlib").glob("fontlist-*.json")):
        args += ["--ro-bind", str(fonts), f"/tmp/matplotlib/{fonts.name}"]
    args += ["--file", str(in_fd), f"{HOME}/{NOTEBOOK}", "--chdir", HOME, "--clearenv"]
    for key, value in _env(limits).items():
        args += ["--setenv", key, value]
    args += ["--unshare-user", "--disable-userns"]
    return args + ["--", *_argv(limits, out_fd)]


def _own_processes() -> int:
    uid = os.getuid()
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count


def _limiter(limits: Limits, processes_now: int):
    def apply() -> None:
        memory = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        size = limits.file_mb * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        procs = processes_now + limits.processes
        resource.setrlimit(resource.RLIMIT_NPROC, (procs, procs))

    return apply


def run(notebook: dict, files: Path, limits: Limits = Limits(), *, unsafe: bool = False) -> Run:
    """Execute ``notebook`` (nbformat dict) in a sandbox with ``files``; return the executed notebook or why not.

    ``unsafe``: no sandbox (the teacher accepted the risk): the same run in a temporary folder with the same limits,
    but with the teacher's rights and view of the machine.
    """
    import time

    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grading-") as tmp:
        source = Path(tmp) / NOTEBOOK
        source.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
        read_end, write_end = os.pipe()
        with open(source, "rb") as given:
            if unsafe:
                work = Path(tmp) / "home"
                work.mkdir()
                shutil.copy(source, work / NOTEBOOK)
                for name in ("helpers", "data"):
                    (work / name).symlink_to(files / name)
                env = _env(limits, sandboxed=False) | {"HOME": str(work), "PYTHONPATH": str(work)}
                env["MPLCONFIGDIR"] = str(files / "matplotlib")
                argv, cwd, pass_fds = _argv(limits, write_end, sandboxed=False), str(work), (write_end,)
            else:
                argv = command(limits, files, given.fileno(), write_end)
                env, cwd, pass_fds = {"PATH": "/usr/bin:/bin"}, "/", (given.fileno(), write_end)
            proc = subprocess.Popen(
                argv, cwd=cwd, env=env, pass_fds=pass_fds, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, start_new_session=True, preexec_fn=_limiter(limits, _own_processes()),
            )
        os.close(write_end)
        chunks: list[bytes] = []
        size = [0]
        cap = limits.record_mb * 2**20

        def drain() -> None:
            with os.fdopen(read_end, "rb") as pipe:
                while block := pipe.read(1 << 16):
                    if size[0] <= cap:
                        chunks.append(block)
                    size[0] += len(block)

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        stopped = ""
        try:
            proc.wait(timeout=limits.notebook_seconds)
        except subprocess.TimeoutExpired:
            stopped = f"the notebook ran longer than {limits.notebook_seconds} s in all and was stopped"
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        reader.join(timeout=10)
        seconds = time.monotonic() - start
        if stopped:
            return Run(None, stopped, seconds)
        if size[0] > cap:
            return Run(None, f"its run handed back more than {limits.record_mb} MB of output", seconds)
        raw = b"".join(chunks)
        if not raw.strip():
            why = err.strip().splitlines()[-1] if err.strip() else f"exit status {proc.returncode}"
            return Run(None, f"the notebook's run ended without a record (its code may have stopped the run: {why[:160]})", seconds)
        try:
            record = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return Run(None, "the notebook's run handed back something that is not a notebook", seconds)
        if not isinstance(record, dict) or not isinstance(record.get("cells"), list):
            return Run(None, "the notebook's run handed back something that is not a notebook", seconds)
        return Run(record, "", seconds)
