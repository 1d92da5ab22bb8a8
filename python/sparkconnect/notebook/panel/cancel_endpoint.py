"""Cancel while the kernel is busy: a tiny HTTP endpoint on loopback, reached through Jupyter's
proxy.

A widget's messages go to the kernel on its shell channel, which serves one request at a time:
while a cell runs, a Cancel click sent that way would wait for the very cell it means to stop.
So the panel also listens on 127.0.0.1 (a thread with a tiny HTTP server), and the browser posts
the cancel to it through jupyter-server-proxy (`<base>proxy/<port>/cancel`), the way the Spark
UI link reaches the UI. The proxy admits only the Jupyter server's own users; the endpoint also
wants the panel's secret (256 random bits, held by the panel's model), so that no other local
user, and no page that tricks the browser into posting, can cancel anything. It does one thing:
cancel one operation of this notebook's session. It lives and dies with the panel.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_BODY = 4096

log = logging.getLogger(__name__)


class CancelEndpoint:
    def __init__(self, cancel: Callable[[str], tuple[bool, str]]) -> None:
        """`cancel(operation id)` says whether it cancelled, and what happened."""
        self.secret = secrets.token_urlsafe(32)
        self._cancel = cancel
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's naming
                self._answer(*endpoint.handle(self.path, self._body()))

            def do_GET(self) -> None:
                self._answer(405, False, "POST a JSON {secret, operation} to /cancel.")

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(min(length, MAX_BODY + 1))

            def _answer(self, status: int, ok: bool, message: str) -> None:
                body = json.dumps({"ok": ok, "message": message}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                log.debug("cancel endpoint: " + format, *args)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.5},
            name="sparkconnect-panel-cancel",
            daemon=True,
        )
        self._thread.start()

    def handle(self, path: str, body: bytes) -> tuple[int, bool, str]:
        """(HTTP status, cancelled, what to tell the user)."""
        if path.split("?", 1)[0].rstrip("/") != "/cancel":
            return 404, False, "Only /cancel is here."
        if len(body) > MAX_BODY:
            return 413, False, "Request too large."
        try:
            request = json.loads(body)
            secret, operation = str(request["secret"]), str(request["operation"])
        except (ValueError, KeyError, TypeError):
            return 400, False, "Send JSON with the panel's secret and an operation id."
        if not hmac.compare_digest(secret.encode(), self.secret.encode()):
            return 403, False, "Wrong secret: this panel was closed or replaced; show a new one."
        done, message = self._cancel(operation)
        return 200, done, message

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(10)
