"""`%spark connect`: a notebook attached to a Spark Connect server it did not start.

The "remote" server is a real one the test starts itself on loopback, in another home with its own
token, as a team's shared driver would be."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.errors import ConnectError
from sparkconnect.notebook.lazy import LazySpark
from sparkconnect.server import lifecycle
from sparkconnect.session.child_env import CHILD_ENV
from tests.support.fake_endpoint import fake_endpoint
from tests.support.helpers import run

pytestmark = pytest.mark.jvm

# The endpoint's server must not count this test process as attached (detaching here must not stop
# it), so its lease belongs to a process that outlives the test: pid 1.
LEASE_OF_THE_OTHER_TEAM = 1


@pytest.fixture(scope="module")
def endpoint_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_core.ServerInfo]:
    home = str(tmp_path_factory.mktemp("remote") / "home")
    _core.resolve_home(home)
    result = _core.start(
        home,
        lease_pid=LEASE_OF_THE_OTHER_TEAM,
        spark_home=lifecycle.spark_home(),
        python=sys.executable,
        conf={},
    )
    yield result.server
    _core.stop(home, lease_pid=LEASE_OF_THE_OTHER_TEAM, force=True)


@pytest.fixture
def token_file(tmp_path: Path, endpoint_server: _core.ServerInfo) -> Path:
    path = tmp_path / "token"
    path.write_text(endpoint_server.token + "\n")
    path.chmod(0o600)
    return path


def test_connect_query_status_and_detach(
    shell: InteractiveShell, home: Path, endpoint_server: _core.ServerInfo, token_file: Path
) -> None:
    url = f"sc://localhost:{endpoint_server.port}"
    connected = run(shell, f"%spark connect {url} --token-file {token_file}")
    assert connected.error is None, connected.shown
    assert "Remote Spark Connect endpoint" in connected.texts[0]
    assert endpoint_server.spark_version in connected.texts[0]
    assert shell.ev("spark.range(7).count()") == 7

    status = run(shell, "%spark status")
    assert f"{url}/;token=…" in status.texts[0]
    everything = "\n".join([connected.shown, status.shown, *connected.htmls, *status.htmls])
    assert endpoint_server.token not in everything

    # Our own server is not involved: nothing launched in this notebook's home.
    assert not java_servers_of(home)
    refused = run(shell, "%spark start")
    assert isinstance(refused.error, ConnectError)
    assert "`%spark stop` detaches it" in str(refused.error)

    detached = run(shell, "%spark stop")
    assert "Detached from" in detached.texts[0] and "keeps running" in detached.texts[0]
    assert isinstance(shell.user_ns["spark"], LazySpark)
    assert Path(f"/proc/{endpoint_server.pid}").exists()
    assert _core.status(str(Path(endpoint_server.log_path).parent)).state == "running"


def test_token_from_an_environment_variable(
    shell: InteractiveShell,
    home: Path,
    endpoint_server: _core.ServerInfo,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEAM_SPARK_TOKEN", endpoint_server.token)
    result = run(
        shell, f"%spark connect sc://localhost:{endpoint_server.port} --token-env TEAM_SPARK_TOKEN"
    )
    assert result.error is None, result.shown
    assert shell.ev("spark.range(3).count()") == 3
    run(shell, "%spark stop")


def test_wrong_token_is_refused_clearly(
    shell: InteractiveShell, home: Path, endpoint_server: _core.ServerInfo, tmp_path: Path
) -> None:
    wrong = tmp_path / "wrong"
    wrong.write_text("not-the-token")
    result = run(
        shell, f"%spark connect sc://localhost:{endpoint_server.port} --token-file {wrong}"
    )
    assert isinstance(result.error, ConnectError)
    assert "refused the session" in str(result.error)
    assert "Traceback" not in result.shown
    assert isinstance(shell.user_ns["spark"], LazySpark)


def test_a_refused_connect_changes_nothing_and_says_why(
    shell: InteractiveShell, endpoint_server: _core.ServerInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This notebook's own server is the endpoint's (same home): attached, with a working session.
    monkeypatch.setenv("SPARKCONNECT_HOME", str(Path(endpoint_server.log_path).parent))
    monkeypatch.delenv("SPARKCONNECT_TOKEN", raising=False)
    assert run(shell, "%spark start").error is None
    session = shell.user_ns["spark"]

    refused = run(shell, f"%spark connect sc://localhost:{endpoint_server.port}")
    assert isinstance(refused.error, ConnectError), refused.shown
    message = str(refused.error)
    assert message == (
        f"sc://localhost:{endpoint_server.port}/ refused the session: it requires an "
        "authentication token and no token was given (the server said: No authentication "
        "token provided). Pass the right one with --token-file PATH or --token-env NAME."
    )
    assert "Traceback" not in refused.shown and "RETRIES_EXCEEDED" not in refused.shown
    # Nothing changed: the same session works, this notebook still holds its lease, and child
    # processes still get its server (the endpoint never got that token: the connect without
    # one was refused, though it is the same server).
    assert shell.user_ns["spark"] is session
    assert os.environ.get(CHILD_ENV) == endpoint_server.connect_url()
    assert shell.ev("spark.range(4).count()") == 4
    assert os.getpid() in _core.status(str(Path(endpoint_server.log_path).parent)).attached
    assert "Spark Connect server: running" in run(shell, "%spark status").texts[0]
    assert "keeps running" in run(shell, "%spark stop").texts[0]


@pytest.mark.timeout(120)
def test_tls_to_a_plain_server_is_named_and_quick(
    shell: InteractiveShell, home: Path, endpoint_server: _core.ServerInfo, token_file: Path
) -> None:
    # With a token and a host other than `localhost`, pyspark speaks TLS; our server does not.
    url = f"sc://127.0.0.1:{endpoint_server.port}"
    began = time.monotonic()
    refused = run(shell, f"%spark connect {url} --token-file {token_file}")
    assert time.monotonic() - began < 30
    assert isinstance(refused.error, ConnectError), refused.shown
    assert str(refused.error).startswith(f"The TLS handshake with {url}/;token=… failed: ")
    assert "the server does not speak TLS on that port" in str(refused.error)
    assert endpoint_server.token not in refused.shown
    assert isinstance(shell.user_ns["spark"], LazySpark)


def test_a_server_of_another_protocol_is_named(shell: InteractiveShell, home: Path) -> None:
    # A gRPC server with no Spark Connect service answers every call UNIMPLEMENTED, as a server
    # of an incompatible Spark version does for a call it lacks.
    with fake_endpoint() as other:
        refused = run(shell, f"%spark connect {other.url}")
    assert isinstance(refused.error, ConnectError), refused.shown
    message = str(refused.error)
    assert "does not speak this client's Spark Connect protocol" in message
    assert "(the server said: Method not found!)" in message
    assert isinstance(shell.user_ns["spark"], LazySpark)
