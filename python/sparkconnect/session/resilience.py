"""How a notebook's session copes with its server: fail fast when the server is gone, and
continue in a fresh session when the server has closed ours.

pyspark's default retry policy retries UNAVAILABLE for about ten minutes, so a notebook whose
server died would hang that long on its next command. We know better: the state file and /proc
say at once whether the server process still runs. `ServerAwarePolicy` keeps pyspark's policy
while the server lives and raises `ServerGoneError` as soon as it does not.

A server closes a session after `spark.connect.session.manager.defaultSessionTimeout` without
use (or when it is released); every later request fails with INVALID_HANDLE.SESSION_CLOSED or
SESSION_NOT_FOUND. The policy then moves the client to a new session id and lets pyspark retry
the request; `RenewingStub` stamps the retried request with that id. The user sees one note.

This module imports pyspark (its grpc), and so is only imported once a session is created. The
pyspark names it needs are looked up when a session is protected (pyspark_internals.py): without
them the session works as pyspark's own, without the fast failure or the renewal.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import uuid
from collections.abc import Callable
from typing import Any

import grpc
from grpc_status import rpc_status

from sparkconnect._core import ServerInfo
from sparkconnect.errors import ServerGoneError
from sparkconnect.server import lifecycle as user_server
from sparkconnect.session import pyspark_internals as internals
from sparkconnect.session.notices import tell

SESSION_GONE = ("INVALID_HANDLE.SESSION_CLOSED", "INVALID_HANDLE.SESSION_NOT_FOUND")
# Clean-up calls: when they find the session gone there is nothing to renew it for (pyspark
# sends ReleaseExecute from a background thread after operations, and after a release).
CLEANUP_RPCS = frozenset({"ReleaseExecute", "ReleaseSession"})
_NO_RENEW = "_sparkconnect_no_renew"

RENEWED_NOTE = (
    "the Spark Connect server had closed this notebook's session ({reason}: "
    "unused for longer than `spark.connect.session.manager.defaultSessionTimeout`, or released); "
    "continuing in a fresh session. Temp views, cached data and session confs set before are "
    "gone."
)


def error_class(error: BaseException) -> str | None:
    """The Spark error class a gRPC error carries (ErrorInfo metadata), if any."""
    if not isinstance(error, grpc.RpcError):
        return None
    try:
        status = rpc_status.from_call(error)
    except Exception:  # a malformed status is no reason to fail the caller's request
        status = None
    if status is not None:
        from google.rpc import error_details_pb2

        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                found = info.metadata.get("errorClass")
                if found:
                    return str(found)
    text = str(error)
    return next((name for name in SESSION_GONE if name in text), None)


def replacement(gone: ServerInfo) -> ServerInfo | None:
    """The server that now runs in place of `gone`, if another one does."""
    running = user_server.status().server
    if running is None or running.connect_url() == gone.connect_url():
        return None
    return running


def gone_message(server: ServerInfo, failed: bool) -> str:
    """What to tell the user when the server `server` is gone. `failed`: a command has just
    failed for it (run the cell again); else the notice before a cell that is about to run
    anyway (`spark` reconnects when the cell uses it, and says so if that launches a server).
    Who stopped a server is not recorded; who launched its replacement is."""
    replaced_by = replacement(server)
    if replaced_by is not None:
        by = f", launched by {replaced_by.launched_by}" if replaced_by.launched_by else ""
        what = f"was replaced by a new one (pid {replaced_by.pid}{by})"
    else:
        what = f"is no longer running: it was stopped or it exited (its log: {server.log_path})"
    if failed:
        then = (
            "Run the cell again: `spark` connects to a running server on its next use (from "
            "Python: `sparkconnect.session()`)."
        )
    else:
        then = "`spark` connects to a running server on its next use."
    return (
        f"The Spark Connect server this notebook used (pid {server.pid}, port {server.port}) "
        f"{what}. {then} Temp views and session confs of the old session are lost."
    )


class ServerAware:
    """pyspark's default retry policy, bounded by the life of our server process: mixed into
    pyspark's `DefaultPolicy` by `policy_class` (a class statement naming it would fail to import
    with a pyspark that lacks it)."""

    def __init__(
        self,
        server: ServerInfo,
        session: Any,
        on_gone: Callable[[ServerInfo], None],
        on_renew: Callable[[], None] | None = None,
        renews: bool = True,
    ) -> None:
        super().__init__()
        self._renews = renews
        """Whether this pyspark has what renewal replaces (pyspark_internals.RENEWAL)."""
        self._server = server
        self._session = session
        self._on_gone = on_gone
        self._on_renew = on_renew
        self._renewed_from: set[str] = set()
        self._renewed_for: BaseException | None = None
        self._retired = False

    def retire(self) -> None:
        """The session is being closed on purpose: never renew it again."""
        self._retired = True

    def can_retry(self, e: BaseException) -> bool:
        if isinstance(e, grpc.RpcError):
            found = error_class(e)
            if found in SESSION_GONE and self._server.alive():
                if self._retired or not self._renews or getattr(e, _NO_RENEW, False):
                    return False
                # pyspark asks twice about one error (accept it, then pick a wait).
                if e is self._renewed_for:
                    return True
                return self._renew(e, found)
            if not self._server.alive():
                # pyspark would retry for minutes against a closed port. Raised here, inside its
                # retry loop, this replaces the gRPC error the caller would otherwise see.
                self._on_gone(self._server)
                raise ServerGoneError(gone_message(self._server, failed=True)) from None
        return bool(super().can_retry(e))  # type: ignore[misc]

    def _renew(self, error: BaseException, reason: str | None) -> bool:
        client = self._session.client
        old = internals.read(internals.CLIENT_SESSION_ID, client)
        if old in self._renewed_from:
            return False  # the fresh session failed the same way: give up, show the error
        self._renewed_from.add(old)
        self._renewed_for = error
        new = str(uuid.uuid4())
        internals.write(internals.CLIENT_SESSION_ID, client, new)
        internals.write(internals.CLIENT_SERVER_SESSION_ID, client, None)
        internals.write(internals.SESSION_SESSION_ID, self._session, new)
        tell(RENEWED_NOTE.format(reason=reason))
        if self._on_renew is not None:
            # Settings the process itself made (not the user's) are put back in the new session
            # before the failed request is retried in it.
            with contextlib.suppress(Exception):
                self._on_renew()
        return True


class RenewingStub:
    """Wraps the client's gRPC stub: requests still carrying a session id that was renewed are
    re-stamped with the client's current one before they are sent (pyspark builds a request
    once and re-sends the same object on retry)."""

    def __init__(self, client: Any, stub: Any) -> None:
        self._client = client
        self._stub = stub

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._stub, name)

        def call(request: Any, *args: Any, **kwargs: Any) -> Any:
            self._restamp(request)
            if name not in CLEANUP_RPCS:
                return method(request, *args, **kwargs)
            try:
                return method(request, *args, **kwargs)
            except grpc.RpcError as error:
                setattr(error, _NO_RENEW, True)
                raise

        return call

    def _restamp(self, request: Any) -> None:
        current = internals.read(internals.CLIENT_SESSION_ID, self._client)
        stamped = getattr(request, "session_id", None)
        if not isinstance(stamped, str) or stamped == current:
            return
        request.session_id = current
        try:
            if internals.read(
                internals.CLIENT_SERVER_SESSION_ID, self._client
            ) is None and request.HasField("client_observed_server_side_session_id"):
                request.ClearField("client_observed_server_side_session_id")
        except ValueError:  # a request type without that field
            pass


@functools.cache
def policy_class() -> type[ServerAware]:
    """`ServerAware` on pyspark's `DefaultPolicy` (call only once `FAIL_FAST` is usable)."""
    base = internals.read(internals.DEFAULT_POLICY, importlib.import_module(internals.RETRIES))
    return type("ServerAwarePolicy", (ServerAware, base), {})


def unregister(session: Any) -> None:
    """Removes a session from pyspark's default and active slots without closing it. pyspark
    fills those slots only when they are empty and empties them only in `stop()`; a forgotten
    session left there would be picked up by code that asks for the active session (creating a
    UDF does), and fail against its dead server."""
    if not internals.usable(internals.DEFAULT_SLOT):
        return
    from pyspark.sql.connect.session import SparkSession

    if internals.read(internals.DEFAULT_SESSION, SparkSession) is session:
        internals.write(internals.DEFAULT_SESSION, SparkSession, None)
    active = internals.read(internals.ACTIVE_SESSION, SparkSession)
    if active is not None and getattr(active, "session", None) is session:
        active.session = None


def protect(
    session: Any,
    server: ServerInfo,
    on_gone: Callable[[ServerInfo], None],
    on_renew: Callable[[], None] | None = None,
) -> ServerAware | None:
    """Installs the policy and the stub on a new session's client; `on_renew` runs in each
    fresh session the policy moves to. None, and pyspark's own policy stays, with a pyspark
    that lacks what the policy builds on."""
    client = session.client
    if not internals.usable(internals.FAIL_FAST, client):
        return None
    renews = internals.usable(internals.RENEWAL, client, session)
    policy = policy_class()(server, session, on_gone, on_renew, renews=renews)
    client.set_retry_policies([policy])
    if renews:
        stub = internals.read(internals.CLIENT_STUB, client)
        internals.write(internals.CLIENT_STUB, client, RenewingStub(client, stub))
    return policy
