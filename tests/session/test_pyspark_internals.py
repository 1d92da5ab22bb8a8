"""The private pyspark attributes that session renewal and server-gone detection rely on
(session/resilience.py, session/remote_endpoint.py), and the channel builder the start-up hook of
child processes patches (wheel-data/purelib/_sparkconnect_token_scope.py).

pyspark does not promise them. At run time `protect` only installs the renewal when they are
there, so that a session still works with a pyspark that renamed one, and renewal quietly stops.
This test is where such a rename shows, loudly, naming what moved. A client connects lazily, so no
server is needed: nothing here sends a request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sparkconnect.session.resilience import RenewingStub, protect, unregister

pytestmark = pytest.mark.compat

CLIENT_ATTRIBUTES = ("_session_id", "_server_session_id", "_stub")
"""Read and replaced on the client when a closed session is renewed."""


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Connect session made as the session binding makes one, to a port nobody listens on."""
    monkeypatch.setenv("SPARK_CONNECT_MODE_ENABLED", "1")
    from pyspark.sql.connect.session import SparkSession

    made = SparkSession.builder.remote("sc://localhost:1/;token=unused").create()
    yield made
    made.release_session_on_close = False  # nothing to release: it never reached a server
    made.stop()


def test_the_client_has_what_renewal_replaces(session: Any) -> None:
    client = session.client
    missing = [name for name in CLIENT_ATTRIBUTES if not hasattr(client, name)]
    assert not missing, f"pyspark's SparkConnectClient no longer has {missing}"
    assert session._session_id == client._session_id
    assert callable(client.set_retry_policies)


def test_the_retry_policy_base_class_and_its_hook() -> None:
    from pyspark.sql.connect.client.retries import DefaultPolicy

    assert callable(DefaultPolicy().can_retry)


def test_protect_installs_renewal_and_renewal_moves_the_session(session: Any) -> None:
    from pyspark.sql.connect.proto import ExecutePlanRequest

    # The server record is only consulted when a request fails; none does here.
    policy = protect(session, server=None, on_gone=lambda gone: None)
    client = session.client
    assert isinstance(client._stub, RenewingStub), "renewal turned itself off"

    old = client._session_id
    client._server_session_id = "server-side-id"
    assert policy._renew(RuntimeError("closed"), "INVALID_HANDLE.SESSION_CLOSED")
    assert client._session_id != old
    assert session._session_id == client._session_id
    assert client._server_session_id is None

    # A request built before the renewal and sent again on retry is re-stamped.
    request = ExecutePlanRequest(
        session_id=old, client_observed_server_side_session_id="server-side-id"
    )
    client._stub._restamp(request)
    assert request.session_id == client._session_id
    assert not request.HasField("client_observed_server_side_session_id")


def test_a_forgotten_session_leaves_the_default_and_active_slots(session: Any) -> None:
    from pyspark.sql.connect.session import SparkSession

    assert SparkSession._default_session is session
    assert SparkSession._active_session.session is session
    unregister(session)
    assert SparkSession._default_session is None
    assert SparkSession._active_session.session is None


def test_the_channel_builder_the_token_scope_patches(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyspark.sql.connect.client import core
    from pyspark.sql.connect.client.core import DefaultChannelBuilder, SparkConnectClient

    # The client builds its channel with the module's DefaultChannelBuilder, looked up at call
    # time: a patched __init__ applies to every session made from a URL.
    client = SparkConnectClient("sc://localhost:1/")
    assert type(client._builder) is core.DefaultChannelBuilder
    client.close()

    monkeypatch.setenv("SPARK_CONNECT_AUTHENTICATE_TOKEN", "from-env")
    builder = DefaultChannelBuilder("sc://localhost:1/")
    assert builder.endpoint == "localhost:1"
    assert builder.getDefault("token", None) is None
    assert builder.token == "from-env", "pyspark no longer reads its token variable"
    builder.set("token", "param")
    assert builder.get("token") == "param"
    assert builder.token == "param", "a token parameter no longer wins over the variable"
    assert "param" not in str(list(builder.metadata()))
