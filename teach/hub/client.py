"""Talking to the hub and to a student's server over HTTP, as a browser's lab does (tests and bench).

Only the hub's REST API, nbgitpuller's endpoint and Jupyter's kernel websocket: no shortcut around them.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path


def api(base: str, token: str, method: str, path: str, body: dict | None = None, timeout: float = 60):
    """One JSON request to the hub (``/hub/api/...``) or through it to a server (``/user/NAME/api/...``)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        text = resp.read().decode()
    return json.loads(text) if text.strip() else None


def wait_ready(base: str, token: str, user: str, timeout: float = 300) -> None:
    """Wait until ``user``'s default server is ready (the hub's user model says so)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = api(base, token, "GET", f"/hub/api/users/{user}")
        server = (model.get("servers") or {}).get("")
        if server and server.get("ready"):
            return
        time.sleep(0.5)
    raise TimeoutError(f"{user}'s server did not start within {timeout:.0f} s")


def pull(base: str, user: str, token: str, repo: str, folder: str, branch: str = "main") -> list[dict]:
    """nbgitpuller's own endpoint (what the link's page calls): clone or update ``repo`` into ~/folder; its events."""
    query = urllib.parse.urlencode({"repo": repo, "branch": branch, "targetpath": folder})
    req = urllib.request.Request(f"{base}/user/{user}/git-pull/api?{query}", headers={"Authorization": f"token {token}"})
    events = []
    with urllib.request.urlopen(req, timeout=300) as resp:
        for raw in resp:
            line = raw.decode(errors="replace").strip()
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
                if events[-1].get("phase") in ("finished", "error"):
                    break
    return events


def run_cells(base: str, user: str, token: str, path: str, cells: list[str], timeout: float = 600) -> dict:
    """Run ``cells`` in a new kernel of ``user``'s server (a session on ``path``, so the kernel starts in its folder).

    Returns the seconds taken (kernel start included), the text of every stream and result output, and the
    errors (name: value) in order; stops at the first error, as Run All does.
    """
    import websocket  # websocket-client

    started = time.perf_counter()
    errors: list[str] = []
    texts: list[str] = []
    session = api(base, token, "POST", f"/user/{user}/api/sessions", {"path": path, "type": "notebook", "name": Path(path).name, "kernel": {"name": "python3"}})
    ws_url = base.replace("http://", "ws://") + f"/user/{user}/api/kernels/{session['kernel']['id']}/channels"
    ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=timeout)
    sid = uuid.uuid4().hex
    try:
        for code in cells:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({
                "header": {"msg_id": msg_id, "username": user, "session": sid, "msg_type": "execute_request", "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
            }))
            replied = idle = False
            while not (replied and idle):
                msg = json.loads(ws.recv())
                if msg.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind, content = msg["msg_type"], msg["content"]
                if kind == "error":
                    errors.append(f"{content['ename']}: {content['evalue']}"[:300])
                elif kind == "stream":
                    texts.append(content["text"])
                elif kind in ("execute_result", "display_data"):
                    texts.append(content.get("data", {}).get("text/plain", ""))
                elif kind == "execute_reply":
                    replied = True
                elif kind == "status" and content["execution_state"] == "idle":
                    idle = True
            if errors:
                break
    finally:
        ws.close()
        try:
            api(base, token, "DELETE", f"/user/{user}/api/sessions/{session['id']}")
        except OSError:
            pass
    return {"seconds": time.perf_counter() - started, "errors": errors, "text": "".join(texts)}
