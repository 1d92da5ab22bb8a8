"""`%spark connect`: a notebook attached to a Spark Connect server it did not start.

The "remote" server is a real one the test starts itself on loopback, in another home with its own
token, as a team's shared driver would be."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import _core
from sparkconnect.errors import ConnectError
from sparkconnect.notebook.lazy import LazySpark
from sparkconnect.server import lifecycle

from .support.helpers import java_servers_of, run

pytestmark = pytest.mark.spark

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
