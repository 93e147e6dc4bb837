"""Benchmarks: print a table of timings and write the same figures as JSON (``make bench``).

Not a test: nothing here asserts a target. Read the figures against the targets in the README.

Measured (median and max of ``--runs`` runs unless said otherwise):

- each lesson and edition: wall time to execute from a fresh kernel (kernel start included) and
  the kernel's peak resident memory (VmHWM from /proc), and its time as a ratio to the *floor*, a
  notebook that only imports the lesson stack, run the same way in the same run;
- ``import helpers`` and ``from helpers import data, plots, widgets`` in a fresh interpreter;
- loading every dataset, validation included, in a fresh interpreter (cold cache);
- each lesson and edition as a student runs it: figures drawn ahead of time shown from ``helpers/figures/``
  (``LESSON_FIGURES=off python bench/run.py ...`` measures the lessons drawing every figure);
- each lesson's main widget: control change -> redrawn output, median and 95th percentile over 50 changes
  (here and in the browser every frame is drawn afresh: a student's own choices are never stored);
- each lesson's main widget in a real browser (Chromium driving JupyterLab, the harness of
  tests/test_browser.py): input event -> repainted output, measured in the page, median and 95th
  percentile over ``--browser-changes`` changes; target: median under 150 ms (skipped without Chromium);
- ``make test`` from the existing environment and the part of it spent in nbval (once each, with ``--suite``);
- the set-up from nothing into a new virtual environment (once, with ``--setup``).

Usage: ``python bench/run.py [--runs 3] [--suite] [--setup] [--json bench/results.json]``;
``python bench/run.py --editions --runs 2 --json bench/editions.json`` measures only the floor and the student editions.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
#: The browser latency target per explorer (input -> repainted figure), in milliseconds.
BROWSER_TARGET_MS = 150
#: The goals for a lesson's run: the floor notebook in at most this many seconds, every student edition in at most
#: this many times the floor.
FLOOR_TARGET_S = 1.3
EDITION_TARGET_RATIO = 1.5


def _edition_verdict(ratio: float) -> str:
    """Whether a student edition's time, as a ratio to the floor, meets its goal."""
    return f"{'meets' if ratio <= EDITION_TARGET_RATIO else 'misses'} the {EDITION_TARGET_RATIO}x goal"


def _fresh(code: str, setup: str = "") -> float:
    """Seconds ``code`` takes in a fresh interpreter after ``setup`` (interpreter start and setup excluded)."""
    wrapped = f"{setup}\nimport time as _t\n_s = _t.perf_counter()\n{code}\nprint(_t.perf_counter() - _s)"
    out = subprocess.run([PY, "-c", wrapped], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def _stats(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "max": max(values), "n": len(values)}


def _peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


FLOOR = (
    "import matplotlib, pandas, ipywidgets\n"
    "from helpers import analysis, data, plots, widgets\n"
    "from helpers.exercises import check\n"
    "plots.house_style()"
)


def notebook_run(path: Path, cwd: Path | None = None, drawing: list[float] | None = None) -> tuple[float, float | None]:
    """Execute ``path`` in a fresh kernel (in ``cwd``, default its folder); return (seconds including kernel start, peak kernel RSS in MB).

    Given a list as ``drawing``, append to it the kernel's seconds in the cells that show a picture (a figure, a map)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(cwd or path.parent)}}, store_widget_state=True)
    start = time.perf_counter()
    with client.setup_kernel():
        pid = client.km.provisioner.process.pid if getattr(client.km, "provisioner", None) else None
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = _peak_rss_mb(pid) if pid else None
    if drawing is not None:
        drawing.append(sum(_kernel_seconds(cell) for cell in nb.cells if _shows_picture(cell)))
    return time.perf_counter() - start, peak


def _shows_picture(cell) -> bool:
    return any(key.startswith("image/") for output in cell.get("outputs", []) for key in output.get("data", {}))


def _kernel_seconds(cell) -> float:
    """The kernel's time in one executed cell, from the timestamps nbclient records (execute_input to execute_reply)."""
    from datetime import datetime

    stamps = cell.metadata.get("execution", {})
    begin, end = (datetime.fromisoformat(stamps[k]) for k in ("iopub.execute_input", "shell.execute_reply"))
    return (end - begin).total_seconds()


WIDGETS = {
    "00_start_here": (
        "from helpers.data import load\nfrom helpers.widgets import timeline_explorer\nw = timeline_explorer(load('events'))",
        "w.set(years=(1949 + i % 8, 1960))",
    ),
    "01_honeymoon": (
        "from helpers.widgets import honeymoon as hw\nw = hw.honeymoon_explorer(hw.load_tables(), start=1954, end=1957)",
        "w.set(series=w.controls['series'].options[i % len(w.controls['series'].options)], start=1950, end=1960)",
    ),
    "02_moscow_conference": (
        "from helpers.widgets import conference as cw\nfrom helpers.data import load\nw = cw.debate_explorer(load('debates'))",
        "w.set(issue=w.controls['issue'].options[i % len(w.controls['issue'].options)], period='all')",
    ),
    "03_economic_race": (
        "from helpers.widgets import race as rw\nfrom helpers.data import load\nw = rw.race_explorer(load('industrial_output'), deadline=1972)",
        "w.set(chaser_rate=5.0 + i % 20, leader_rate=3.0)",
    ),
    "04_after_moscow": (
        "from helpers.widgets import split as sw\nfrom helpers.data import load\n"
        "out = load('industrial_output')\n"
        "steel = out[(out['country'] == 'China') & (out['product'] == 'steel') & out['year'].between(1957, 1960)]\n"
        "w = sw.month_stepper(load('events'), load('china_grain_output'), steel, month='1958-07')",
        "w.set(month=f'{1958 + (i // 12) % 3}-{i % 12 + 1:02d}')",
    ),
}


def widget_latency(setup: str, change: str, n: int = 50) -> dict[str, float]:
    code = (
        "import matplotlib\nmatplotlib.use('Agg')\nimport time, json\n" + setup + "\n"
        "times = []\n"
        f"for i in range({n}):\n"
        "    t = time.perf_counter()\n"
        f"    {change}\n"
        "    times.append(time.perf_counter() - t)\n"
        "print(json.dumps(times))"
    )
    # every frame drawn afresh, as for a student's own choice: none from the figures drawn ahead of time
    out = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, env=os.environ | {"LESSON_FIGURES": "off"})
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1]}
    times = sorted(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"median": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "n": len(times)}


def browser_latency(changes: int) -> dict[str, dict]:
    """Per lesson: milliseconds from a control's input event to the repainted output, in Chromium + JupyterLab."""
    sys.path.insert(0, str(ROOT / "tests"))
    import lab_harness as h

    missing = h.browser_missing()
    if missing:
        return {"skipped": {"error": missing}}
    from playwright.sync_api import sync_playwright

    results: dict[str, dict] = {}
    saved = os.environ.get("LESSON_FIGURES")
    os.environ["LESSON_FIGURES"] = "off"  # the lab's kernels draw every frame afresh, as for a student's own choice
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        lab = h.Lab(Path(tmp))
        browser = h.launch(pw)
        try:
            for name in h.NOTEBOOKS:
                if Path(name).stem not in WIDGETS:  # a lesson without an explorer (5, 6): nothing to time
                    continue
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                try:
                    h.open_and_run(page, lab, name)
                    widget = h.main_widget(page)
                    times = sorted(h.measure_change(page, widget, step) for step in range(changes))
                    results[Path(name).stem] = {"median_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))], "n": len(times)}
                except Exception as err:  # noqa: BLE001 - a benchmark reports, it does not stop
                    results[Path(name).stem] = {"error": f"{type(err).__name__}: {str(err).splitlines()[0][:120]}"}
                finally:
                    page.close()
        finally:
            browser.close()
            lab.stop()
            if saved is None:
                os.environ.pop("LESSON_FIGURES", None)
            else:
                os.environ["LESSON_FIGURES"] = saved
    return results


def timed(cmd: list[str], log: str, env: dict | None = None) -> tuple[float, int]:
    """Seconds ``cmd`` took and its exit code; its output goes to ``bench/<log>.log`` (a benchmark reports a failure,
    it does not stop at it)."""
    start = time.perf_counter()
    with open(ROOT / "bench" / f"{log}.log", "w") as out:
        code = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - start, code


def _outcome(code: int, log: str) -> str:
    return "once" if code == 0 else f"once; FAILED (exit {code}): see bench/{log}.log"


def floor_seconds(runs: int) -> tuple[list[float], list[float]]:
    """Seconds and peak kernel RSS of ``runs`` runs of the floor notebook (imports only), from the notebooks' folder."""
    import nbformat

    with tempfile.TemporaryDirectory() as tmp:
        floor_path = Path(tmp) / "floor.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR)]), floor_path)
        runs_ = [notebook_run(floor_path, cwd=ROOT / "notebooks") for _ in range(runs)]
    return [r[0] for r in runs_], [r[1] for r in runs_ if r[1] is not None]


def empty_cells_seconds(path: Path) -> float:
    """Seconds of a notebook with the floor's cell followed by as many empty cells (``pass``) as ``path`` has code
    cells besides its set-up: what a lesson of that many cells costs before any cell does anything."""
    import nbformat

    cells = sum(1 for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        code = [nbformat.v4.new_code_cell(FLOOR)] + [nbformat.v4.new_code_cell("pass") for _ in range(cells - 1)]
        nbformat.write(nbformat.v4.new_notebook(cells=code), empty)
        return notebook_run(empty, cwd=ROOT / "notebooks")[0]


def editions_only(args) -> int:
    """The two speed goals alone: the floor (median of ``--runs``) and every student edition as a ratio to it.

    Floor and editions alternate run by run, so that a machine growing busier shifts both alike. Beside each lesson,
    the floor followed by as many empty cells as the lesson has: the part of the ratio that is the cells' own round
    trips through the kernel, whatever they do; and the lesson's time less the kernel's time in its cells that show a
    picture: the ratio the lesson would have if all its figures and maps cost nothing."""
    floors: list[float] = []
    editions: dict[str, list[float]] = {}
    empties: dict[str, list[float]] = {}
    drawing: dict[str, list[float]] = {}
    paths = sorted((ROOT / "notebooks" / "student").glob("[0-9][0-9]_*.ipynb"))
    floor_seconds(1)  # untimed: the first run after a change also writes the byte-code caches
    for _ in range(args.runs):
        floors += floor_seconds(1)[0]
        for path in paths:
            editions.setdefault(path.name, []).append(notebook_run(path, drawing=drawing.setdefault(path.name, []))[0])
            empties.setdefault(path.name, []).append(empty_cells_seconds(path))
    floor = statistics.median(floors)
    results = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
               "floor_notebook": {"code": FLOOR, "seconds": _stats(floors)}, "student_editions": {}}
    print(f"{'figure':<40}  {'median (s)':>10}  runs / ratio to floor")
    print(f"{'floor (imports only)':<40}  {floor:>10.2f}  {', '.join(f'{s:.2f}' for s in floors)}")
    for name, secs in editions.items():
        empty = statistics.median(empties[name])
        unpictured = [total - pictures for total, pictures in zip(secs, drawing[name])]
        bare = statistics.median(unpictured)
        entry = {"seconds": _stats(secs), "ratio_to_floor": statistics.median(secs) / floor,
                 "same_cells_empty": {"seconds": _stats(empties[name]), "ratio_to_floor": empty / floor},
                 "without_its_pictures_cells": {"seconds": _stats(unpictured), "ratio_to_floor": bare / floor}}
        results["student_editions"][name] = entry
        print(f"{'student/' + name:<40}  {entry['seconds']['median']:>10.2f}  {', '.join(f'{s:.2f}' for s in secs)}  {entry['ratio_to_floor']:.2f}x ({_edition_verdict(entry['ratio_to_floor'])}); "
              f"its cells, empty: {empty / floor:.2f}x; without the cells that show a picture: {bare / floor:.2f}x")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--suite", action="store_true", help="also time make test and its nbval part")
    parser.add_argument("--setup", action="store_true", help="also time the set-up from nothing (a new venv)")
    parser.add_argument("--json", default=str(ROOT / "bench" / "results.json"))
    parser.add_argument("--browser-changes", type=int, default=15, help="widget changes timed per lesson in the browser (0: skip)")
    parser.add_argument("--editions", action="store_true",
                        help="only the floor notebook and the student editions, each as a ratio to the floor (the speed goals)")
    parser.add_argument("--browser", action="store_true", help="only each explorer's latency in the browser")
    args = parser.parse_args()
    if args.editions:
        return editions_only(args)
    if args.browser:
        latencies = browser_latency(args.browser_changes)
        for name, entry in latencies.items():
            print(f"{name:<28} " + (f"median {entry['median_ms']:.0f} ms  p95 {entry['p95_ms']:.0f} ms  (n={entry['n']})" if "median_ms" in entry else entry["error"]))
        Path(args.json).write_text(json.dumps({"browser_latency_ms": latencies}, indent=1) + "\n")
        return 0
    results: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()}}
    rows: list[tuple[str, str, str]] = []

    results["import_helpers"] = _stats([_fresh("import helpers") for _ in range(args.runs)])
    results["import_lesson_modules"] = _stats([_fresh("from helpers import data, plots, widgets, analysis, exercises") for _ in range(args.runs)])
    results["load_every_dataset"] = _stats(
        [_fresh("for n in datasets()['name']: load(n)", setup="from helpers.data import datasets, load") for _ in range(args.runs)]
    )
    rows += [
        ("import helpers", f"{results['import_helpers']['median']:.3f}", f"{results['import_helpers']['max']:.3f}"),
        ("import data, plots, widgets, analysis, exercises", f"{results['import_lesson_modules']['median']:.3f}", f"{results['import_lesson_modules']['max']:.3f}"),
        ("load every dataset (incl. validation, cold cache)", f"{results['load_every_dataset']['median']:.3f}", f"{results['load_every_dataset']['max']:.3f}"),
    ]

    # the floor: a notebook that only imports the lesson stack (each lesson's set-up cell), run the same way;
    # every lesson is also reported as a ratio to it, which a slower or busier machine leaves about the same
    floor_seconds(1)  # untimed: the first run after a change also writes the byte-code caches
    floor_secs, floor_peaks = floor_seconds(args.runs)
    results["floor_notebook"] = {"code": FLOOR, "seconds": _stats(floor_secs), "peak_kernel_rss_mb": max(floor_peaks) if floor_peaks else None}
    floor = results["floor_notebook"]["seconds"]["median"]
    rows.append(("floor: a notebook that only imports the lesson stack", f"{floor:.2f}", f"{max(floor_secs):.2f}  peak {results['floor_notebook']['peak_kernel_rss_mb'] or 0:.0f} MB; "
                 f"{'meets' if floor <= FLOOR_TARGET_S else 'misses'} the {FLOOR_TARGET_S} s goal"))

    results["notebooks"] = {}
    for edition, folder in (("teacher", ROOT / "notebooks"), ("student", ROOT / "notebooks" / "student")):
        for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
            runs = [notebook_run(path) for _ in range(args.runs)]
            secs = [r[0] for r in runs]
            peaks = [r[1] for r in runs if r[1] is not None]
            entry = {"seconds": _stats(secs), "peak_kernel_rss_mb": max(peaks) if peaks else None}
            entry["ratio_to_floor"] = entry["seconds"]["median"] / floor
            results["notebooks"][f"{edition}/{path.name}"] = entry
            rows.append((f"execute {edition}/{path.stem} (kernel start incl.)", f"{entry['seconds']['median']:.2f}",
                         f"{entry['seconds']['max']:.2f}  peak {entry['peak_kernel_rss_mb'] or 0:.0f} MB  {entry['ratio_to_floor']:.1f}x floor"
                         + (f"; {_edition_verdict(entry['ratio_to_floor'])}" if edition == "student" else "")))

    results["widgets"] = {}
    for lesson, (setup, change) in WIDGETS.items():
        entry = widget_latency(setup, change)
        results["widgets"][lesson] = entry
        if "error" in entry:
            rows.append((f"widget {lesson}", "error", entry["error"][:60]))
        else:
            rows.append((f"widget {lesson}: change -> redraw (50)", f"{entry['median'] * 1000:.1f} ms", f"p95 {entry['p95'] * 1000:.1f} ms"))

    if args.browser_changes:
        results["browser_widgets"] = browser_latency(args.browser_changes)
        for lesson, entry in results["browser_widgets"].items():
            if "error" in entry:
                rows.append((f"browser widget {lesson}", "error", entry["error"][:70]))
            else:
                verdict = "meets" if entry["median_ms"] < BROWSER_TARGET_MS else "misses"
                rows.append((f"browser widget {lesson}: input -> repainted ({entry['n']})", f"{entry['median_ms']:.0f} ms",
                             f"p95 {entry['p95_ms']:.0f} ms; {verdict} the {BROWSER_TARGET_MS} ms target"))

    if args.suite:
        results["make_test_seconds"], test_code = timed(["make", "test"], "make-test")
        results["nbval_seconds"], nbval_code = timed(
            [PY, "-m", "pytest", "-q", "-n", "2", "--dist", "loadfile", "--nbval", "notebooks", "--nbval-sanitize-with", "tests/sanitize.cfg", "--nbval-current-env", "-p", "no:cacheprovider"],
            log="nbval",
        )
        results["make_test_exit_code"], results["nbval_exit_code"] = test_code, nbval_code
        rows.append(("make test (existing environment)", f"{results['make_test_seconds']:.1f}", _outcome(test_code, "make-test")))
        rows.append(("  of which nbval over both editions", f"{results['nbval_seconds']:.1f}", _outcome(nbval_code, "nbval")))
    if args.setup:
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, VENV=str(Path(tmp) / "venv"))
            results["setup_from_nothing_seconds"], setup_code = timed(["make", f"VENV={Path(tmp) / 'venv'}", "setup-test"], "setup", env=env)
        rows.append(("set-up from nothing (make setup-test, new venv)", f"{results['setup_from_nothing_seconds']:.1f}", _outcome(setup_code, "setup")))

    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'median (s)':>12}  max / notes")
    for name, med, mx in rows:
        print(f"{name:<{width}}  {med:>12}  {mx}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
