"""A real browser opens every student edition in JupyterLab, runs it and moves its main widget.

nbval proves the kernel computes the same outputs; this proves a student sees them render and
respond. It uses Playwright's Python package with Debian's Chromium (no browser download) and
starts its own JupyterLab on a free loopback port with a random token, on a temporary copy of the
student editions (JupyterLab saves notebooks it runs, and the committed editions must not change).

Screenshots go to tests/screenshots/ (printed at the end of `make test`).
Without Chromium the test is skipped on a developer's machine, and fails when CI is set.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STUDENT = ROOT / "notebooks" / "student"
SHOTS = ROOT / "tests" / "screenshots"
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


def _browser_available() -> bool:
    if not Path(CHROMIUM).exists():
        return False
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


if not _browser_available():
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the browser test cannot run: Chromium at {CHROMIUM} or the playwright package is missing.", pytrace=False)
    pytest.skip("Chromium (Debian package 'chromium') or playwright is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    for name in NOTEBOOKS:
        shutil.copy(STUDENT / name, root / name)
    port, token = _free_port(), secrets.token_hex(16)
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
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    else:
        proc.kill()
    if proc.poll() is not None:
        pytest.fail(f"JupyterLab did not start: {(root / 'lab.log').read_text()[-2000:]}")
    yield url, token
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_ARGS)
        yield chromium
        chromium.close()


def _accept_kernel_dialog(page) -> None:
    """JupyterLab may ask which kernel to start; the default (Python 3) is the right one."""
    button = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
    try:
        button.wait_for(timeout=1_500)
    except Exception:  # noqa: BLE001 - no dialog is the usual case
        return
    button.click()


def _wait_idle(page) -> None:
    page.wait_for_function(
        """() => {
            const ind = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook-ExecutionIndicator');
            return ind && ind.getAttribute('data-status') === 'idle';
        }""",
        timeout=120_000,
    )


def _has_output(widget) -> bool:
    area = widget.locator(".jupyter-widgets-output-area, .widget-output").first
    return bool(area.inner_text(timeout=10_000).strip())


def _output_text(widget) -> str:
    """The text a widget shows: its message line and what its Output area holds (the figure's description)."""
    return widget.inner_text(timeout=30_000)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_student_edition_runs_and_its_widget_responds(lab, browser, name):
    url, token = lab
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:  # noqa: SIM105
        page.goto(f"{url}/lab/tree/{name}?reset&token={token}", wait_until="domcontentloaded")
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for(timeout=60_000)
        _accept_kernel_dialog(page)
        _wait_idle(page)
        # clear the stored outputs first, so that everything checked below was computed in this browser
        page.get_by_role("menuitem", name="Edit", exact=True).click()
        page.get_by_role("menuitem", name="Clear Outputs of All Cells", exact=True).click()
        page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output').length === 0", timeout=30_000)
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
        _wait_idle(page)
        text = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").inner_text()
        if "Traceback (most recent call last)" in text:
            start = text.index("Traceback (most recent call last)")
            pytest.fail(f"{name}: an error output appeared in the browser:\n{text[max(0, start - 1500):start + 1500]}")
        assert "Error" not in [el.inner_text() for el in page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all()]
        outputs = "\n".join(page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").all_inner_texts())
        assert re.search(r"Exercise \d+\.\d+: not answered yet", outputs), f"{name}: the exercise checks did not run"
        if os.environ.get("BROWSER_DEBUG"):
            page.screenshot(path=str(SHOTS / "debug.png"), full_page=True)
            (SHOTS / "debug.html").write_text(page.content())
        # the lesson's main widget: the first one in the notebook. A student moves its slider,
        # or, where it has none, picks another entry from its drop-down list.
        widget = page.locator(".jp-OutputArea-output .jupyter-widgets.widget-container").first
        widget.scroll_into_view_if_needed(timeout=30_000)
        before = _output_text(widget)
        assert before.strip() and "Cannot show this" not in before, f"{name}: the widget starts in an error state: {before[:300]}"
        handles = widget.locator(".noUi-handle")
        if handles.count():
            handles.first.focus()
            for _ in range(2):
                page.keyboard.press("ArrowRight" if "04_" in name else "ArrowLeft")
        else:
            dropdown = widget.locator("select").first
            options = dropdown.locator("option").all_inner_texts()
            current = dropdown.evaluate("el => el.options[el.selectedIndex] ? el.options[el.selectedIndex].text : ''")
            dropdown.select_option(label=next(o for o in reversed(options) if o != current))
        # the kernel redraws: wait until it is idle again and the output is filled, then compare
        deadline = time.monotonic() + 60
        after = before
        while time.monotonic() < deadline:
            time.sleep(0.3)
            _wait_idle(page)
            after = _output_text(widget)
            if after != before and _has_output(widget):
                break
        assert after != before, f"{name}: moving the widget did not change what it shows"
        assert _has_output(widget), f"{name}: the widget's output is empty after the change"
        assert "Traceback" not in after
        widget.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{Path(name).stem}.png"), full_page=False)
    except Exception:
        page.screenshot(path=str(SHOTS / f"{Path(name).stem}-failure.png"), full_page=False)
        raise
    finally:
        page.close()
