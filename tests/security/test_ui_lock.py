"""The Spark UI of a real server opens only for its owner: Spark's JWSFilter with the server's own
key refuses everyone else; the key stays out of argv, logs and outputs; `sparkconnect ui` serves
the UI to the owner's browser behind a secret of its own."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.cookiejar
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from IPython.core.interactiveshell import InteractiveShell

import sparkconnect
from drive.procfs import all_pids, cmdline
from sparkconnect import _core
from tests.support.helpers import cli, run
from tests.support.spark_ui import app_api, page

pytestmark = pytest.mark.jvm

# A filter of the user's own, which must keep working beside ours: Spark's YARN proxy filter,
# told that loopback is the proxy, lets loopback requests through.
USER_FILTER = "org.apache.spark.deploy.yarn.AmIpFilter"
USER_FILTER_CONF = {
    "spark.ui.filters": USER_FILTER,
    f"spark.{USER_FILTER}.param.PROXY_HOSTS": "127.0.0.1",
    f"spark.{USER_FILTER}.param.PROXY_URI_BASES": "http://127.0.0.1:1",
}


@pytest.fixture(scope="module")
def server(module_home: Path) -> Iterator[_core.ServerInfo]:
    spark = sparkconnect.start(conf=USER_FILTER_CONF)
    assert spark.range(100).count() == 100  # a job for the UI to list
    info = _core.status(str(module_home)).server
    assert info is not None
    yield info
    sparkconnect.stop(force=True)


def ui_key(home: Path) -> str:
    return str(json.loads((home / "server.json").read_text())["ui_key"])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jws(key: str, exp: float) -> str:
    """An HS256 JWS made here, independently of the core's signer."""
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    claims = b64(json.dumps({"exp": int(exp)}).encode())
    secret = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    signature = hmac.new(secret, f"{header}.{claims}".encode(), hashlib.sha256).digest()
    return f"{header}.{claims}.{b64(signature)}"


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_the_ui_refuses_requests_without_the_servers_signature(
    server: _core.ServerInfo, module_home: Path
) -> None:
    key = ui_key(module_home)
    other_key = b64(os.urandom(32))
    later = time.time() + 300
    for path in ("/jobs/", "/api/v1/applications", "/connect/"):
        url = f"http://127.0.0.1:{server.ui_port}{path}"
        assert status_of(url) == 403, path
        assert status_of(url, {"Authorization": "token abc"}) == 403, path
        assert status_of(url, {"Authorization": f"Bearer {jws(other_key, later)}"}) == 403
        # The right key, but expired: our signatures are short-lived, and Spark checks `exp`.
        expired = jws(key, time.time() - 60)
        assert status_of(url, {"Authorization": f"Bearer {expired}"}) == 403, path
        # The right key: the UI answers (so the refusals above were the signature's doing).
        assert status_of(url, {"Authorization": f"Bearer {jws(key, later)}"}) == 200, path
        assert status_of(url, {"Authorization": server.ui_authorization() or ""}) == 200


def test_the_users_own_ui_filter_runs_beside_ours(server: _core.ServerInfo) -> None:
    spark = dict(app_api(server, "environment")["sparkProperties"])
    assert spark["spark.ui.filters"] == f"org.apache.spark.ui.JWSFilter,{USER_FILTER}"
    # Spark redacts the key on its Environment page (its default spark.redaction.regex).
    assert spark["spark.org.apache.spark.ui.JWSFilter.param.secretKey"] == "*********(redacted)"
    assert "Spark Jobs" in page(server, "/jobs/")


def test_the_key_is_private(
    server: _core.ServerInfo, module_home: Path, shell: InteractiveShell
) -> None:
    key = ui_key(module_home)
    assert len(base64.urlsafe_b64decode(key + "=")) == 32  # 256 bits, as HS256 requires
    for name in ("server.json", "server.properties"):
        assert stat.S_IMODE((module_home / name).stat().st_mode) == 0o600, name
    for pid in all_pids():
        assert not any(key in arg for arg in cmdline(pid)), f"UI key in argv of {pid}"
    ps = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True).stdout
    assert key not in ps
    assert key not in Path(server.log_path).read_text(errors="replace")
    assert key not in repr(server) and not hasattr(server, "ui_key")
    shown: list[str] = []
    for line in ("%spark status", "%spark conf", "%spark ui"):
        result = run(shell, line)
        assert result.error is None, result.shown
        shown += [result.shown, *result.htmls]
    for args in (("status",), ("status", "--json"), ("conf",), ("jobs",)):
        done = cli(*args)
        shown += [done.stdout, done.stderr]
    assert not any(key in text for text in shown)


def test_the_jobs_view_still_lists_jobs(server: _core.ServerInfo) -> None:
    done = cli("jobs", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["jobs"], done.stdout


class Forwarder:
    """`sparkconnect ui` running in a subprocess, and the address it printed."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sparkconnect", "ui"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=os.environ.copy(),
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/\S+", first)
        assert found, first
        self.url = found.group(0)
        self.base = self.url.split("/sparkconnect-login/")[0]


@pytest.fixture
def forwarder(server: _core.ServerInfo) -> Iterator[Forwarder]:
    running = Forwarder()
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()


def test_the_terminal_forwarder_serves_the_owner_only(
    forwarder: Forwarder, server: _core.ServerInfo
) -> None:
    # Without the secret (another local user who found the port): refused, every path.
    for path in ("/jobs/", "/api/v1/applications", "/sparkconnect-login/guess"):
        assert status_of(forwarder.base + path) == 403, path
    # A forged cookie is refused too.
    assert status_of(forwarder.base + "/jobs/", {"Cookie": "sparkconnect_ui=guess"}) == 403

    # The printed address: the secret becomes an HttpOnly cookie, and the UI is there.
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(forwarder.url, timeout=60) as landed:
        assert landed.url == forwarder.base + "/jobs/"
        assert "Spark Jobs" in landed.read().decode()
    (cookie,) = list(jar)
    assert cookie.has_nonstandard_attr("HttpOnly")
    # Spark's own root redirect stays on the forwarder.
    with browser.open(forwarder.base + "/", timeout=60) as root:
        assert root.url == forwarder.base + "/jobs/"
    with browser.open(forwarder.base + "/api/v1/applications", timeout=60) as api:
        apps: Any = json.load(api)
        assert apps[0]["name"] == "sparkconnect"
    with browser.open(forwarder.base + "/connect/", timeout=60) as connect:
        assert connect.status == 200

    # Ctrl-C ends it.
    forwarder.proc.send_signal(signal.SIGINT)
    assert forwarder.proc.wait(timeout=30) == 0
    assert forwarder.url not in (forwarder.proc.stderr.read() if forwarder.proc.stderr else "")


def test_the_forwarder_without_a_server_says_how_to_start_one(home: Path) -> None:
    done = cli("ui")  # in a fresh home, where no server runs
    assert done.returncode == 3
    assert "`sparkconnect start` launches it" in done.stderr
    assert "Traceback" not in done.stderr
