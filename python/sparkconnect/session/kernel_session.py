"""This process's own Spark Connect session on the user's shared server.

One session per process (per notebook kernel): its temp views and session confs are its own, while
the server and its JVM are shared with every other notebook of the user.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sparkconnect._core import ServerInfo, StartResult, StopResult
from sparkconnect.errors import ConnectError
from sparkconnect.server import caller, lifecycle, profiles
from sparkconnect.server.remote import Endpoint, probe

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession


@dataclass
class Started:
    """What a start or restart did, for the caller to report."""

    session: SparkSession
    result: StartResult
    seconds: float
    plan: profiles.ConfPlan
    unmet: dict[str, tuple[str, str]]
    """What the start asked for that the running server it attached to does not have (key ->
    (value there, value asked)); empty after a launch."""


def warm_up() -> None:
    """Import the Connect client on a background thread (half a second of pandas, pyarrow, grpc
    and pyspark), so that `%load_ext` returns at once and the first use of `spark` does not pay
    for the import again. A failing import is left for `_connect` to raise where it matters."""

    def work() -> None:
        with contextlib.suppress(Exception):
            import pyspark.sql.connect.session  # noqa: F401

    threading.Thread(target=work, name="sparkconnect-import", daemon=True).start()


def _connect(url: str) -> SparkSession:
    # pyspark.sql.functions and friends pick the Connect implementation only when this is set;
    # pyspark's own builder sets it the same way for remote sessions.
    os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    from pyspark.sql.connect.session import SparkSession

    # create(), not getOrCreate(): getOrCreate would hand back a default session bound to a server
    # that may have been restarted since. create() also makes it the default and active session
    # when there is none yet.
    return SparkSession.builder.remote(url).create()


def _make_default(session: SparkSession) -> None:
    """Make `session` pyspark's default and active session (create() does only when the slots are
    empty, and a connect fills them only after the old session is closed)."""
    from pyspark.sql.connect.session import SparkSession

    SparkSession._set_default_and_active_session(session)


def _check_endpoint(session: SparkSession, target: Endpoint) -> None:
    """One round trip, so that a refused token, a TLS mismatch or an incompatible server shows up
    now, in words, and within seconds: pyspark's own policy would retry an unreachable endpoint
    for minutes. Raises ConnectError; the session's own retry policy is put back on success."""
    import warnings

    from pyspark.sql.connect.client.retries import DefaultPolicy

    from sparkconnect.session.rpc_errors import refusal

    client = session.client
    policies = client.get_retry_policies()
    client.set_retry_policies([DefaultPolicy(max_retries=2, initial_backoff=100, max_backoff=500)])
    try:
        with warnings.catch_warnings():
            # pyspark warns RETRIES_EXCEEDED before raising; the error below says it all.
            warnings.simplefilter("ignore")
            session.version  # noqa: B018
    except Exception as err:
        raise ConnectError(
            refusal(err, target.shown, target.host, has_token=";token=" in target.url)
        ) from None
    client.set_retry_policies(policies)


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
        self.on_launch: list[Callable[[Started], None]] = []
        """Called when `get` launched a server (the extension says so in one line)."""
        self._server: ServerInfo | None = None
        """The user's server the session is bound to (None for a remote endpoint)."""
        self._policy: Any = None
        self._told_gone = False
        self.idle_timeout: float = lifecycle.DEFAULT_IDLE_TIMEOUT
        """Idle timeout (seconds) given to servers this process launches (0: never stop)."""
        self._issued: weakref.WeakSet[Any] = weakref.WeakSet()
        """Every session this object created, closed ones too (see `issued`)."""
        self.ui_template = ""
        """The `SparkConnect.ui_url` option for the Spark UI links this process shows ("":
        detected). Kept here, below the magics that set it, for the Python API's cards too."""

    @property
    def current(self) -> SparkSession | None:
        if self._session is None or self._session.is_stopped:
            return None
        return self._session  # type: ignore[no-any-return]

    def issued(self, value: object) -> bool:
        """Whether `value` is a session this process's sparkconnect created, even one closed
        since: the notebook's `spark` may still hold it, and unloading or reloading the extension
        must recognise it as its own to remove or replace it."""
        try:
            return value in self._issued
        except TypeError:  # not hashable, so not a session
            return False

    def plan(
        self, conf: dict[str, str] | None = None, profile: str | None = None
    ) -> profiles.ConfPlan:
        """What a start with these arguments would apply. Raises ProfileError."""
        return lifecycle.plan(conf, profile, fallback=self.profile)

    def start(
        self,
        conf: dict[str, str] | None = None,
        port: int | None = None,
        timeout: float = lifecycle.DEFAULT_START_TIMEOUT,
        restart: bool = False,
        profile: str | None = None,
        idle_timeout: float | None = None,
        force: bool = False,
        plan: profiles.ConfPlan | None = None,
    ) -> Started:
        """Launch or attach (or restart) with the profile, the saved conf and `conf` (or a
        `plan` made by `self.plan` already), and connect. `conf` is saved for later starts once
        the server runs: a bad profile, or a conf that keeps the server from starting (a bad
        master URL, say), changes nothing."""
        if self.remote is not None:
            raise ConnectError(
                f"{caller.current().me.capitalize()} is attached to {self.remote.shown}; "
                f"{caller.current().command('stop')} detaches it before it can use its own "
                "server."
            )
        plan = plan or self.plan(conf, profile)
        idle = idle_timeout if idle_timeout is not None else self.idle_timeout
        began = time.monotonic()
        # A restart keeps the session open until the core has replaced the server: a restart it
        # refuses (other notebooks attached, no `force`) then leaves this notebook as it was.
        result = lifecycle.start_planned(
            plan, port=port, timeout=timeout, restart=restart, idle_timeout=idle, force=force
        )
        if plan.profile is not None:
            self.profile = plan.profile.name
        session = self._bind(result.server)
        return Started(
            session=session,
            result=result,
            seconds=time.monotonic() - began,
            plan=plan,
            unmet={} if result.launched else plan.unmet(result.server.conf),
        )

    def get(self) -> SparkSession:
        """The session, starting or attaching first when needed. A server launched here was
        not asked for in so many words: `on_launch` callbacks get to say so."""
        current = self.current
        if self.remote is not None and current is not None:
            return current
        started = self.start()
        if started.result.launched:
            for callback in self.on_launch:
                callback(started)
        return started.session

    def connect_remote(self, target: Endpoint) -> SparkSession:
        """Attach to an endpoint someone else runs, leaving our own server (and its lease).

        The new session is checked before anything changes: a refused connect leaves this
        process's session, its server and its lease as they were."""
        probe(target)
        session = self._create(target.url)
        try:
            _check_endpoint(session, target)
        except ConnectError:
            session.release_session_on_close = False  # it never got one
            session.stop()
            raise
        self.close()
        lifecycle.release()
        _make_default(session)
        self._session, self._url, self.remote = session, target.url, target
        for callback in self.on_connect:
            callback(session)
        return session

    def session_confs(self, keys: list[str]) -> dict[str, str]:
        """Of `keys`, those this process's session can set by itself (`spark.conf.set`: SQL
        confs such as spark.sql.shuffle.partitions, as opposed to the server's), with the values
        they have in it now. Empty without a session: nothing to ask (and nothing to set)."""
        session = self.current
        if session is None or self.remote is not None:
            return {}
        found = {}
        for key in keys:
            try:
                if session.conf.isModifiable(key):
                    found[key] = str(session.conf.get(key))
            except Exception:  # a key the server does not know, or a session in trouble
                continue
        return found

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

        message = None if self._told_gone else gone_message(bound, failed=False)
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

    def _create(self, url: str) -> SparkSession:
        session = _connect(url)
        self._issued.add(session)
        return session

    def _bind(self, info: ServerInfo) -> SparkSession:
        url = info.connect_url()
        current = self.current
        if current is not None and self._url == url:
            return current
        self.close()
        from sparkconnect.session.resilience import protect

        session = self._create(url)
        self._policy = protect(session, info, self._mark_told)
        self._session, self._url, self._server = session, url, info
        self._told_gone = False
        for callback in self.on_connect:
            callback(session)
        return session


KERNEL_SESSION = KernelSession()
