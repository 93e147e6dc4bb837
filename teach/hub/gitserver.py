"""A read-only git server on loopback for the class copy: git's smart HTTP protocol through ``git http-backend``.

The students' servers clone the class copy from it with nbgitpuller, as they would from the class's own repository.
"""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
from pathlib import Path


class _GitHandler(http.server.BaseHTTPRequestHandler):
    """Serves each class copy read-only over git's smart HTTP protocol (``git http-backend``), as a git host would.

    nbgitpuller clones with ``--depth 1``, which git's plain static-file ("dumb") protocol cannot serve.
    Pushing is refused: http-backend enables receive-pack only for authenticated users, and there are none.
    """

    repos: dict[str, Path] = {}

    def do_GET(self):
        self._backend()

    def do_POST(self):
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

    def log_message(self, format, *args):
        pass


def serve_git(repos: dict[str, Path]) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve each ``name -> work tree`` read-only at http://127.0.0.1:PORT/name; return the server and its base URL.

    The URL has no ``.git`` ending, so that the folder nbgitpuller clones into is ``name``.
    """
    handler = type("Handler", (_GitHandler,), {"repos": {n: Path(p).resolve() for n, p in repos.items()}})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


