"""This process's own Spark Connect session on the user's shared server.

One session per process (per notebook kernel): its temp views and session confs are its own, while
the server and its JVM are shared with every other notebook of the user.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sparkconnect._core import ServerInfo, StartResult, StopResult
from sparkconnect.errors import ConnectError
from sparkconnect.server import lifecycle, profiles
from sparkconnect.server.remote import Endpoint, probe
from sparkconnect.session import warmup

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession


@dataclass
class Started:
    """What a start or restart did, for the caller to report."""

    session: SparkSession
    result: StartResult
    seconds: float
    conf_differs: bool
    plan: profiles.ConfPlan


_client_import: threading.Thread | None = None


def import_client_in_background() -> None:
    """Import the Connect client on a background thread (about a second of pandas, pyarrow,
    grpc and pyspark), so that `%load_ext` returns at once and the first use of `spark` does
    not pay for the import again. A failing import is left for `_connect` to raise where it
    matters."""
    global _client_import
    if _client_import is not None or "pyspark.sql.connect.session" in sys.modules:
        return

    def work() -> None:
        with contextlib.suppress(Exception):
            import pyspark.sql.connect.session  # noqa: F401

    _client_import = threading.Thread(target=work, name="sparkconnect-import", daemon=True)
    _client_import.start()


def wait_for_client_import() -> None:
    """Wait until the background import is done. Whoever imports pyspark (or pandas, pyarrow,
    ...) while it runs must wait first: two threads importing one cyclic package graph from
    different ends can each hold a module the other needs, and Python then breaks the tie by
    handing one of them a partly initialised module (an AttributeError far from the cause)."""
    thread = _client_import
    if thread is not None and thread is not threading.current_thread():
        thread.join()


def _connect(url: str) -> SparkSession:
    # pyspark.sql.functions and friends pick the Connect implementation only when this is set;
    # pyspark's own builder sets it the same way for remote sessions.
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    wait_for_client_import()
    from pyspark.sql.connect.session import SparkSession

    # create(), not getOrCreate(): getOrCreate would hand back a default session bound to a server
    # that may have been restarted since. create() also makes it the default and active session.
    return SparkSession.builder.remote(url).create()


class KernelSession:
    """Holds the session; reconnects when the server it was bound to is gone or replaced."""

    def __init__(self) -> None:
        self._session: Any = None
        self._url: str | None = None
        self.remote: Endpoint | None = None
        """Set while the session is on an endpoint someone else runs (`%spark connect`)."""
        self.profile: str | None = None
        """The profile the next start uses when none is named: the last one used here, else the
        `SparkConnect.default_profile` option."""
        self.on_connect: list[Callable[[SparkSession], None]] = []
        """Called with every new session (the extension registers its progress handler)."""
        self._server: ServerInfo | None = None
        """The user's server the session is bound to (None for a remote endpoint)."""
        self._policy: Any = None
        self._told_gone = False
        self.idle_timeout: float | None = None
        """Idle timeout given to servers this process launches (None: never stop when idle)."""
        self.warm_up = True
        """Whether a server this process launches is warmed up in the background (`warmup`)."""

    @property
    def current(self) -> SparkSession | None:
        if self._session is None or self._session.is_stopped:
            return None
        return self._session  # type: ignore[no-any-return]

    def plan(
        self, conf: dict[str, str] | None = None, profile: str | None = None
    ) -> profiles.ConfPlan:
        """What a start with these arguments would apply. Raises ProfileError."""
        name = profile or self.profile
        chosen = profiles.get(name) if name else None
        return profiles.ConfPlan(chosen, lifecycle.pending_conf(), dict(conf or {}))

    def start(
        self,
        conf: dict[str, str] | None = None,
        port: int | None = None,
        timeout: float = lifecycle.DEFAULT_START_TIMEOUT,
        restart: bool = False,
        profile: str | None = None,
        idle_timeout: float | None = None,
    ) -> Started:
        """Launch or attach (or restart) with the profile, the saved conf and `conf`, and
        connect. `conf` is saved for later starts once the server runs: a bad profile, or a
        conf that keeps the server from starting (a bad master URL, say), changes nothing."""
        if self.remote is not None:
            raise ConnectError(
                f"This notebook is attached to {self.remote.shown}; `%spark stop` detaches it "
                "before it can use its own server."
            )
        plan = self.plan(conf, profile)
        requested = plan.requested()
        idle = idle_timeout if idle_timeout is not None else self.idle_timeout
        began = time.monotonic()
        if restart:
            self.close()
        result = lifecycle.start_planned(
            plan, port=port, timeout=timeout, restart=restart, idle_timeout=idle
        )
        if plan.profile is not None:
            self.profile = plan.profile.name
        session = self._bind(result.server)
        if result.launched and self.warm_up:
            warmup.in_background(result.server)
        return Started(
            session=session,
            result=result,
            seconds=time.monotonic() - began,
            conf_differs=result.server.conf != requested,
            plan=plan,
        )

    def get(self) -> SparkSession:
        """The session, starting or attaching first when needed."""
        current = self.current
        if self.remote is not None and current is not None:
            return current
        return self.start().session

    def connect_remote(self, target: Endpoint) -> SparkSession:
        """Leave our own server (its lease too) and attach to an endpoint someone else runs."""
        probe(target)
        self.close()
        lifecycle.release()
        session = _connect(target.url)
        try:
            # One round trip, so a refused token or an incompatible server shows up here.
            session.version  # noqa: B018
        except Exception as err:
            session.release_session_on_close = False
            session.stop()
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ConnectError(
                f"{target.shown} refused the session: {reason}. If it needs a token, pass it "
                "with --token-file PATH or --token-env NAME."
            ) from None
        self._session, self._url, self.remote = session, target.url, target
        for callback in self.on_connect:
            callback(session)
        return session

    def stop(self, force: bool = False) -> StopResult:
        """Release the session, then the lease; the core stops the server if this was the last
        lease (or `force`)."""
        self.close()
        return lifecycle.stop(force=force)

    def forget_if_server_gone(self) -> str | None:
        """If the user's server this session is bound to no longer runs, forget the session and
        return what to tell the user, once.

        The session object itself is left as it is, not closed: code that still holds it (a
        variable, a DataFrame) then gets ServerGoneError from its retry policy on next use,
        rather than pyspark's "closed channel". Cheap enough to run before every notebook
        cell: it reads /proc, nothing more."""
        bound = self._server
        if self._session is None or bound is None or bound.alive():
            return None
        from sparkconnect.session.resilience import gone_message, unregister

        message = None if self._told_gone else gone_message(bound)
        unregister(self._session)
        self._session = self._url = self._server = self._policy = None
        self._told_gone = False
        return message

    def _mark_told(self, gone: ServerInfo) -> None:
        """Called when a command failed because `gone` is gone: its error says so, and the next
        cell need not say it again."""
        if self._server is not None and self._server.connect_url() == gone.connect_url():
            self._told_gone = True

    def close(self) -> None:
        """Release the session on the server, then close the channel."""
        session, url, remote, policy = self._session, self._url, self.remote, self._policy
        self._session = self._url = self.remote = self._server = self._policy = None
        if policy is not None:
            policy.retire()
        if session is None:
            return
        running = lifecycle.status().server
        if remote is None and (
            running is None or running.connect_url() != url or running.stopped()
        ):
            # The server is gone, was replaced, or is stopped (SIGSTOP): a release would fail
            # or wait forever for an answer. Just close the channel.
            session.release_session_on_close = False
        session.stop()

    def _bind(self, info: ServerInfo) -> SparkSession:
        url = info.connect_url()
        current = self.current
        if current is not None and self._url == url:
            return current
        self.close()
        wait_for_client_import()
        from sparkconnect.session.resilience import protect

        session = _connect(url)
        self._policy = protect(session, info, self._mark_told)
        warmup.yield_to(session)
        self._session, self._url, self._server = session, url, info
        self._told_gone = False
        for callback in self.on_connect:
            callback(session)
        return session


KERNEL_SESSION = KernelSession()
