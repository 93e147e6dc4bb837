"""The browser harness shared by tests/test_browser.py and bench/run.py (``make bench``).

It starts a JupyterLab on a free loopback port with a random token, on a temporary folder holding a
copy of the student editions; Playwright drives Debian's Chromium (no browser download) to open a
lesson, clear its outputs, run all its cells, find the lesson's main widget and change it as a
student does (a slider's handle moved with the arrow keys, or another entry picked from a list).

:func:`measure_change` times one change *inside the page*: from the input event on the control to
the first animation frame after the explorer's output area shows something new (the figure, its
text), that is input -> kernel -> repainted figure, as a student waits for it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "notebooks" / "student"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NOTEBOOKS = sorted(p.name for p in STUDENT.glob("[0-9][0-9]_*.ipynb"))
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def browser_missing() -> str | None:
    """Why the browser harness cannot run here, or None."""
    if not Path(CHROMIUM).exists():
        return f"Chromium is missing at {CHROMIUM} (Debian package 'chromium')"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Lab:
    """A JupyterLab serving a copy of the student editions from ``root``; stop it with :meth:`stop`.

    ``notebooks`` (file name -> notebook text) serves those notebooks instead, e.g. the core-route editions.
    """

    def __init__(self, root: Path, notebooks: dict[str, str] | None = None):
        self.root = root
        if notebooks is None:
            for name in NOTEBOOKS:
                shutil.copy(STUDENT / name, root / name)
        else:
            for name, text in notebooks.items():
                (root / name).write_text(text, encoding="utf-8")
        port, self.token = _free_port(), secrets.token_hex(16)
        config = root / ".jupyter-config"
        settings = config / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
        settings.mkdir(parents=True)
        # render every cell (JupyterLab 4 otherwise renders only the cells in view), so the page holds all outputs
        (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}', encoding="utf-8")
        news = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8")
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(root / ".jupyter-runtime"))
        cmd = [
            sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log = open(root / "lab.log", "w")
        self.proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.5)
        if self.proc.poll() is not None or time.monotonic() >= deadline:
            log = (root / "lab.log").read_text()[-2000:]
            self.stop()
            raise RuntimeError(f"JupyterLab did not start: {log}")

    def shut_down_kernels(self) -> None:
        """Shut down every kernel this JupyterLab runs (a lesson done: its kernel's memory back for the next)."""
        import json

        with urllib.request.urlopen(f"{self.url}/api/kernels?token={self.token}", timeout=10) as answer:
            kernels = json.load(answer)
        for kernel in kernels:
            request = urllib.request.Request(f"{self.url}/api/kernels/{kernel['id']}?token={self.token}", method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)


@contextmanager
def chromium():
    """The Debian Chromium, headless, started with Playwright and closed at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def offline_page(width: int = 1280, height: int = 900):
    """A Chromium page that refuses every request outside ``file://``; yields ``(page, refused)``, the list of the
    refused addresses (a page meant to work offline leaves it empty)."""
    refused: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": height})

        def refuse(route):
            refused.append(route.request.url)
            route.abort()

        page.route(lambda url: not url.startswith("file://"), refuse)
        yield page, refused


def _accept_kernel_dialog(page) -> None:
    """JupyterLab may ask which kernel to start; the default (Python 3) is the right one."""
    button = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    try:
        button.wait_for(timeout=1_500)
    except Exception:  # noqa: BLE001 - no dialog is the usual case
        return
    button.click()


def wait_idle(page) -> None:
    page.wait_for_function(
        f"""() => {{
            const ind = document.querySelector('{PANEL} .jp-Notebook-ExecutionIndicator');
            return ind && ind.getAttribute('data-status') === 'idle';
        }}""",
        timeout=120_000,
    )


def open_and_run(page, lab: Lab, name: str) -> None:
    """Open ``name``, clear every stored output, run all cells and wait until all have run."""
    page.goto(f"{lab.url}/lab/tree/{name}?reset&token={lab.token}", wait_until="domcontentloaded")
    page.locator(f"{PANEL} .jp-Cell").first.wait_for(timeout=60_000)
    _accept_kernel_dialog(page)
    wait_idle(page)
    # clear the stored outputs first, so that everything checked afterwards was computed in this browser
    page.get_by_role("menuitem", name="Edit", exact=True).click()
    page.get_by_role("menuitem", name="Clear Outputs of All Cells", exact=True).click()
    page.wait_for_function(f"() => document.querySelectorAll('{PANEL} .jp-OutputArea-output').length === 0", timeout=30_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    _accept_kernel_dialog(page)
    # every code cell has run when each shows a number in its prompt, and the kernel is idle again
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
            if (document.body.innerText.includes('Traceback (most recent call last)')) return true;  // stopped by an error
            return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p));
        }""",
        timeout=240_000,
    )
    wait_idle(page)


def main_widget(page):
    """The lesson's main widget: the first one in the notebook."""
    widget = page.locator(".jp-OutputArea-output .jupyter-widgets.widget-container").first
    widget.scroll_into_view_if_needed(timeout=30_000)
    return widget


def output_area(widget):
    return widget.locator(".jupyter-widgets-output-area, .widget-output").first


def change(page, widget, step: int) -> None:
    """Change the widget as a student does: its first slider's handle by the arrow keys, else another list entry.

    ``step`` alternates the direction (even: back, odd: forward), so that repeated changes stay in range.
    """
    handles = widget.locator(".noUi-handle")
    if handles.count():
        handles.first.focus()
        page.keyboard.press("ArrowLeft" if step % 2 == 0 else "ArrowRight")
    else:
        dropdown = widget.locator("select").first
        options = dropdown.locator("option").all_inner_texts()
        current = dropdown.evaluate("el => el.options[el.selectedIndex] ? el.options[el.selectedIndex].text : ''")
        dropdown.select_option(label=next(o for o in reversed(options) if o != current))


_ARM = """(root) => {
    const area = root.querySelector('.jupyter-widgets-output-area, .widget-output');
    const snap = () => area.innerText + '|' + [...area.querySelectorAll('img')].map(i => i.src.length + ':' + i.src.slice(-64)).join(',');
    const state = {t0: null, ms: null, before: snap()};
    window.__latency = state;
    const start = () => { if (state.t0 === null) state.t0 = performance.now(); };
    for (const type of ['keydown', 'change', 'input']) root.addEventListener(type, start, {capture: true, once: true});
    const observer = new MutationObserver(() => {
        if (state.t0 === null || state.ms !== null) return;
        const now = snap();
        if (now !== state.before && area.querySelector('img, pre, .jp-OutputArea-output')) {
            observer.disconnect();
            // the new picture decoded (PNG or SVG alike), then two frames: it is on the screen
            const images = [...area.querySelectorAll('img')].map(i => i.decode().catch(() => null));
            Promise.all(images).then(() => requestAnimationFrame(() => requestAnimationFrame(() => { state.ms = performance.now() - state.t0; })));
        }
    });
    observer.observe(area, {subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['src']});
}"""


def measure_change(page, widget, step: int, timeout_ms: int = 30_000) -> float:
    """Milliseconds from the input event to the repainted output, measured in the page."""
    widget.evaluate(_ARM)
    change(page, widget, step)
    page.wait_for_function("() => window.__latency && window.__latency.ms !== null", timeout=timeout_ms)
    ms = page.evaluate("() => window.__latency.ms")
    wait_idle(page)
    return float(ms)


# --------------------------------------------------------------------------- accessibility


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


def run_axe(page, rules: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the page loaded in ``page`` (all its rules: WCAG 2.x A and AA and best
    practices; or only ``rules``, e.g. ``["color-contrast"]``)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    options = {"resultTypes": ["violations"], **({"runOnly": rules} if rules else {})}
    result = page.evaluate("async (options) => await axe.run(document, options)", options)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": len(v["nodes"]),
             "example": v["nodes"][0]["html"][:160] if v["nodes"] else ""} for v in result["violations"]]
