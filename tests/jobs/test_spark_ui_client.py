"""The package's one client of the Spark UI (`ServerInfo.ui_get`, the core's, which the idle
watchdog uses too) and what `spark_rest.jobs` makes of it: requests signed with the server's UI
key, and None for a UI that does not answer, refuses, or is not there.

The UI here is a stand-in that checks the signature as Spark's JWSFilter does (HS256 over the
key recorded for the server, an `exp` in the future); the server a stand-in process."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sparkconnect import _core
from sparkconnect.server import spark_rest
from tests.support.helpers import STATE_RECORD, free_port

KEY = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
JOBS = [{"jobId": 7, "status": "RUNNING", "stageIds": [1], "numTasks": 4}]


def _unpadded(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signed_by_key(header: str) -> bool:
    """Whether `header` is `Bearer <JWS>` signed (HS256) with KEY and not expired."""
    if not header.startswith("Bearer ") or header.count(".") != 2:
        return False
    signing_input, signature = header.removeprefix("Bearer ").rsplit(".", 1)
    expected = hmac.new(_unpadded(KEY), signing_input.encode(), hashlib.sha256).digest()
    claims = json.loads(_unpadded(signing_input.split(".")[1]))
    return hmac.compare_digest(expected, _unpadded(signature)) and claims["exp"] > time.time()


class StandInUi(BaseHTTPRequestHandler):
    """The two REST endpoints `spark_rest.jobs` asks for, behind the UI's lock."""

    def do_GET(self) -> None:
        if not signed_by_key(self.headers.get("Authorization", "")):
            self.send_error(403, "Authorization header is missing.")
            return
        if self.path == "/api/v1/applications":
            body = [{"id": "local-1"}]
        elif self.path == "/api/v1/applications/local-1/jobs":
            body = JOBS  # type: ignore[assignment]
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def stand_in_ui() -> Iterator[int]:
    ui = ThreadingHTTPServer(("127.0.0.1", 0), StandInUi)
    threading.Thread(target=ui.serve_forever, daemon=True).start()
    yield ui.server_address[1]
    ui.shutdown()
    ui.server_close()


@pytest.fixture
def live_pid() -> Iterator[int]:
    """A live process to record as the server: ServerInfo is only given for one that runs."""
    proc = subprocess.Popen(["sleep", "600"], start_new_session=True)
    yield proc.pid
    proc.kill()
    proc.wait()


def recorded(home: Path, pid: int, ui_port: int, ui_key: str | None = KEY) -> _core.ServerInfo:
    _core.resolve_home(str(home))
    start_time = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    state = {**STATE_RECORD, "pid": pid, "pid_start_time": start_time, "ui_port": ui_port}
    if ui_key is not None:
        state["ui_key"] = ui_key
    path = home / "server.json"
    path.write_text(json.dumps(state))
    path.chmod(0o600)
    server = _core.status(str(home)).server
    assert server is not None
    return server


def test_a_signed_request_reads_the_jobs(home: Path, live_pid: int, stand_in_ui: int) -> None:
    server = recorded(home, live_pid, stand_in_ui)
    assert json.loads(server.ui_get("/api/v1/applications", timeout=5)) == [{"id": "local-1"}]
    found = spark_rest.jobs(server)
    assert found is not None
    assert [(job.job_id, job.status, job.tasks) for job in found] == [(7, "RUNNING", 4)]


def test_a_refused_request_raises_and_reads_as_no_answer(
    home: Path, live_pid: int, stand_in_ui: int
) -> None:
    # Signed with another key than the UI's: refused (403), as Spark's filter does.
    other = base64.urlsafe_b64encode(bytes(32)).rstrip(b"=").decode()
    server = recorded(home, live_pid, stand_in_ui, ui_key=other)
    with pytest.raises(OSError, match="status 403"):
        server.ui_get("/api/v1/applications", timeout=5)
    assert spark_rest.jobs(server) is None


def test_no_ui_and_a_silent_ui_read_as_no_answer_within_the_timeout(
    home: Path, live_pid: int
) -> None:
    server = recorded(home, live_pid, free_port())
    with pytest.raises(ConnectionRefusedError):
        server.ui_get("/api/v1/applications", timeout=5)
    assert spark_rest.jobs(server) is None

    # Accepts connections (the backlog does) and never answers, as a hung driver.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        server = recorded(home, live_pid, silent.getsockname()[1])
        began = time.monotonic()
        assert spark_rest.jobs(server, timeout=0.5) is None
        assert time.monotonic() - began < 5


def test_a_path_that_is_not_one_is_refused_before_asking(home: Path, live_pid: int) -> None:
    server = recorded(home, live_pid, free_port())
    for bad in ("api/v1/applications", "/jobs/ HTTP/1.0\r\nX-Injected: 1"):
        with pytest.raises(ValueError, match="begins with /"):
            server.ui_get(bad, timeout=1)
