"""`sparkconnect ui`: the Spark UI for a browser on this machine, without Jupyter.

The UI answers only requests signed with its server's key (see uilink.ui_headers), which a
browser cannot make. This forwarder listens on 127.0.0.1 and signs what it passes on. Every local
user shares loopback, so the forwarder has a lock of its own: a random secret in the address it
prints. The first visit to that address trades the secret for an HttpOnly cookie and redirects
to the UI's jobs page; every later request must carry the cookie, and anything else gets 403. So
the address works in the user's browser, and another local user who finds the port gets nowhere.

The forwarder serves the UI at its root, as a direct connection would: Spark's page scripts and
redirects then work unchanged. The server is looked up on every request, so the address keeps
working across restarts of the server until the forwarder ends (Ctrl-C).
"""

from __future__ import annotations

import hmac
import http.client
import secrets
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from sparkconnect.server import uilink

if TYPE_CHECKING:
    from sparkconnect._core import ServerInfo

COOKIE = "sparkconnect_ui"
LOGIN = "/sparkconnect-login/"
"""The path of the address the forwarder prints: LOGIN + secret."""
TIMEOUT = 60.0
"""Seconds one request to the UI may take (a busy driver renders slowly)."""
# Per hop, never passed on (RFC 9110 7.6.1); the body is re-sent whole, so its framing too.
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
}
# The browser's credentials are for the forwarder (the cookie), not for Spark; Spark gets ours.
NOT_FORWARDED = HOP_BY_HOP | {"cookie", "authorization", "host"}
REFUSED = (
    "This address serves one user's Spark UI. Open the address that `sparkconnect ui` printed "
    "(it carries a secret); a restarted `sparkconnect ui` prints a new one."
)
NO_SERVER = "No Spark Connect server is running: `sparkconnect start` launches it; then reload."


class UiForwarder(ThreadingHTTPServer):
    """Serves the UI of `find()`'s server on 127.0.0.1:`port` (0: a free one)."""

    daemon_threads = True

    def __init__(self, find: Callable[[], ServerInfo | None], port: int = 0) -> None:
        self.find = find
        self.secret = secrets.token_urlsafe(32)
        super().__init__(("127.0.0.1", port), _Handler)

    @property
    def url(self) -> str:
        """The address to open: it logs the browser in."""
        return f"http://127.0.0.1:{self.server_address[1]}{LOGIN}{self.secret}"

    def admits(self, cookie_header: str | None) -> bool:
        for part in (cookie_header or "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and hmac.compare_digest(value, self.secret):
                return True
        return False


class _Handler(BaseHTTPRequestHandler):
    server: UiForwarder
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        # Request lines include the login path with the secret: never written anywhere.
        pass

    def do_GET(self) -> None:
        self._handle()

    def do_HEAD(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        if self.path.startswith(LOGIN):
            self._login(self.path[len(LOGIN) :])
        elif not self.server.admits(self.headers.get("Cookie")):
            self._answer(403, REFUSED)
        else:
            server = self.server.find()
            if server is None:
                self._answer(503, NO_SERVER)
            else:
                self._forward(server)

    def _login(self, secret: str) -> None:
        if not hmac.compare_digest(secret, self.server.secret):
            self._answer(403, REFUSED)
            return
        self.send_response(303)
        self.send_header(
            "Set-Cookie", f"{COOKIE}={self.server.secret}; HttpOnly; SameSite=Strict; Path=/"
        )
        self.send_header("Location", "/jobs/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self, status: int, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _forward(self, server: ServerInfo) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in NOT_FORWARDED}
        # Spark builds absolute redirects from the Host it was asked for: ours keeps them here.
        headers["Host"] = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        headers.update(uilink.ui_headers(server))
        upstream = http.client.HTTPConnection("127.0.0.1", server.ui_port, timeout=TIMEOUT)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        except OSError as err:
            self._answer(502, f"The Spark UI did not answer ({err}).")
            return
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() == "location":
                value = _local(value, server.ui_port)
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _local(location: str, ui_port: int) -> str:
    """A redirect that names the UI's own port, made relative so the browser stays here."""
    parts = urlsplit(location)
    if parts.port == ui_port:
        return parts._replace(scheme="", netloc="").geturl()
    return location
