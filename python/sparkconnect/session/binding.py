"""This process's own Spark Connect session, and where it is bound: the user's shared server,
or an endpoint someone else runs.

One session per process (per notebook kernel): its temp views and session confs are its own, while
the server and its JVM are shared with every other notebook of the user. What a start uses when
its caller names nothing is in `start_defaults`, the session's retry policy in `retry_policy`, what
differs on a remote endpoint in `remote_endpoint`, pyspark's classic entry points in
`classic_takeover`, the background import of the client in `client_import`.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sparkconnect._core import ServerInfo, StartResult, StopResult
from sparkconnect.errors import ConnectError, SparkConnectError
from sparkconnect.server import lifecycle, profiles
from sparkconnect.server.remote import Endpoint, probe
from sparkconnect.session import (
    cache_release,
    cache_tracking,
    child_env,
    pyspark_internals,
    remote_endpoint,
    warmup,
)
from sparkconnect.session.classic_takeover import ClassicTakeover
from sparkconnect.session.client_import import wait_for_client_import
from sparkconnect.session.labels import with_user
from sparkconnect.session.notices import tell
from sparkconnect.session.retry_policy import SessionRetryPolicy
from sparkconnect.session.start_defaults import START_DEFAULTS

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

    from sparkconnect.session.notebook_session import NotebookSession

PYTHON_KEY = "spark.sql.execution.pyspark.python"
"""Session conf (Spark 3.5+) naming the interpreter of this session's Python UDF workers."""
_SERVER_PYTHON_KEYS = (PYTHON_KEY, "spark.pyspark.python")

RESUMED_NOTE = (
    "`spark.stop()` had ended this notebook's Spark Connect session; continuing in "
    "a fresh one (temp views, cached data and session confs of the old one are gone)."
)


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


def _server_key(info: ServerInfo) -> tuple[int, int]:
    return (info.pid, info.pid_start_time)


class KernelSession:
    """Holds the session; reconnects when the server it was bound to is gone or replaced."""

    def __init__(self) -> None:
        self._session: Any = None
        self._url: str | None = None
        self._ended = False
        """`spark.stop()` ended the held session; its next use resumes it."""
        self._resuming = threading.RLock()
        self._server: ServerInfo | None = None
        """The user's server the session is bound to (None for a remote endpoint)."""
        self._remote: Endpoint | None = None
        self._retry_policy = SessionRetryPolicy()
        self.classic = ClassicTakeover(self.get)
        """pyspark's classic entry points, serving this session once enabled."""
        self.on_connect: list[Callable[[SparkSession], None]] = []
        """Called with every new session (the extension registers its progress handler)."""
        self.on_launch: list[Callable[[Started], None]] = []
        """Called when `get` launched a server (the extension says so in one line)."""

    @property
    def remote(self) -> Endpoint | None:
        """The endpoint someone else runs that the session is on (`%spark connect`), if any."""
        return self._remote

    @property
    def current(self) -> SparkSession | None:
        if self._session is None or self._ended or self._session.is_stopped:
            return None
        return self._session  # type: ignore[no-any-return]

    def location(self, session: object) -> tuple[ServerInfo | None, Endpoint | None]:
        """Where `session` is: the user's server it is bound to, or the remote endpoint; both
        None for a session this process no longer holds (its server was replaced, say)."""
        if session is not self._session:
            return None, None
        return self._server, self._remote

    def plan(
        self, conf: dict[str, str] | None = None, profile: str | None = None
    ) -> profiles.ConfPlan:
        """What a start with these arguments would apply. Raises ProfileError."""
        return lifecycle.plan(conf, profile, fallback=START_DEFAULTS.profile)

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
        warm_up: bool | None = None,
    ) -> Started:
        """Launch or attach (or restart) with the profile, the saved conf and `conf` (or a
        `plan` made by `self.plan` already), and connect. `conf` is saved for later starts once
        the server runs: a bad profile, or a conf that keeps the server from starting (a bad
        master URL, say), changes nothing."""
        if self._remote is not None:
            raise remote_endpoint.no_own_server(self._remote)
        plan = plan or self.plan(conf, profile)
        idle = START_DEFAULTS.launch_idle_timeout(idle_timeout)
        began = time.monotonic()
        # A restart keeps the session open until the core has replaced the server: a restart it
        # refuses (other notebooks attached, no `force`) then leaves this notebook as it was.
        result = lifecycle.start_planned(
            plan, port=port, timeout=timeout, restart=restart, idle_timeout=idle, force=force
        )
        if plan.profile is not None:
            START_DEFAULTS.used_profile(plan.profile.name)
        session = self._bind(result.server)
        if result.launched and (START_DEFAULTS.warm_up if warm_up is None else warm_up):
            warmup.in_background(result.server)
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
        if self._remote is not None and current is not None:
            return current
        held = self._held_ended()
        if held is not None:
            self.resume(held)
            return held
        started = self.start()
        if started.result.launched:
            for callback in self.on_launch:
                callback(started)
        return started.session

    def connect_remote(self, target: Endpoint) -> SparkSession:
        """Attach to an endpoint someone else runs, leaving our own server (and its lease).

        The endpoint's session is checked before anything changes: a refused connect leaves
        this process's session, its server and its lease as they were."""
        probe(target)
        held = self._held_ended()
        if held is not None:
            # spark.stop() ended the held session (and its lease): nothing working to keep, and
            # the same object continues on the endpoint.
            self.close()
        session = self._open(target.url, held)
        try:
            remote_endpoint.check(session, target)
        except ConnectError:
            pyspark_internals.release_on_close(session, False)  # it never got one
            session.shut()
            if held is not None:
                # Ended, as it was: its next use resumes it on our own server.
                held.mark_ended()
                self._session, self._ended = held, True
            raise
        if held is None:
            # Only now, the endpoint's session working, is our own left behind.
            self.close()
            remote_endpoint.make_default(session)
        lifecycle.release()
        self._session, self._url, self._remote = session, target.url, target
        child_env.export(target.url)
        self._connected(session, resumed=held is not None)
        return session

    def session_confs(self, keys: list[str]) -> dict[str, str]:
        """Of `keys`, those this process's session can set by itself (`spark.conf.set`: SQL
        confs such as spark.sql.shuffle.partitions, as opposed to the server's), with the values
        they have in it now. Empty without a session: nothing to ask (and nothing to set)."""
        session = self.current
        if session is None or self._remote is not None:
            return {}
        found = {}
        for key in keys:
            try:
                if session.conf.isModifiable(key):
                    found[key] = str(session.conf.get(key))
            except Exception:  # a key the server does not know, or a session in trouble
                continue
        return found

    def end(self, session: NotebookSession) -> None:
        """`spark.stop()`: end the session on the server and this process's lease, never the
        server itself. The object stays held: its next use (or the builder's, or `spark`'s)
        continues in a fresh session."""
        if session is not self._session or self._ended:
            if not session.ended:
                session.shut()  # an object from before a restart: pyspark's own stop
            return
        remote = self._remote
        self._shut(session, self._url, remote)
        session.mark_ended()
        self._ended = True
        self._url = self._server = None
        child_env.withdraw()
        if remote is None:
            lifecycle.release()

    def resume(self, session: NotebookSession) -> None:
        """An ended session is used again: attach (or launch) as `spark` would, in a fresh
        session for the same object."""
        with self._resuming:
            if not session.ended:
                return  # another thread resumed it meanwhile
            if session is not self._session:
                if self.current is not None:
                    raise SparkConnectError(
                        "This session was stopped with spark.stop(), and this notebook has had "
                        "a new session since: use `spark` (or "
                        "`SparkSession.builder.getOrCreate()`)."
                    )
                self._session, self._ended = session, True
            if self._remote is not None:
                self.connect_remote(self._remote)
            else:
                self.start()

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
        from sparkconnect.session.resilience import unregister

        message = self._retry_policy.server_gone()
        unregister(self._session)
        self._session = self._url = self._server = None
        child_env.withdraw()
        return message

    def close(self) -> None:
        """Release the session on the server, then close the channel."""
        session, url, remote, ended = self._session, self._url, self._remote, self._ended
        self._session = self._url = self._remote = self._server = None
        self._ended = False
        child_env.withdraw()
        if session is None or ended:
            # An ended session was shut already; if it is used again, `resume` adopts it.
            self._retry_policy.retire()
            return
        self._shut(session, url, remote)

    def _shut(self, session: NotebookSession, url: str | None, remote: Endpoint | None) -> None:
        self._retry_policy.retire()
        running = lifecycle.status().server
        if remote is None and (
            running is None or running.connect_url() != url or running.stopped()
        ):
            # The server is gone, was replaced, or is stopped (SIGSTOP): a release would fail
            # or wait forever for an answer. Just close the channel.
            pyspark_internals.release_on_close(session, False)
        elif remote is None and cache_tracking.TRACKER.follows(session):
            # The server's cache outlives sessions: what this one cached goes with it.
            cache_tracking.TRACKER.release(session)
        if cache_tracking.TRACKER.follows(session):
            cache_tracking.TRACKER.detach()
        session.shut()

    def _held_ended(self) -> NotebookSession | None:
        # A pyspark whose session cannot be resumed: a new session object instead.
        return self._session if self._ended and self._session.resumable else None

    def _open(self, url: str, held: NotebookSession | None) -> NotebookSession:
        """A new session object, or `held` (ended by `spark.stop()`) in a fresh session."""
        wait_for_client_import()
        self.classic.enable()
        from sparkconnect.session.notebook_session import NotebookSession

        url = with_user(url)
        if held is not None:
            held.reopen(url)
            return held
        return NotebookSession.open(url, owner=self)

    def _connected(self, session: NotebookSession, resumed: bool) -> None:
        self._ended = False
        for callback in self.on_connect:
            callback(session)
        if resumed:
            tell(RESUMED_NOTE)

    def _bind(self, info: ServerInfo) -> SparkSession:
        url = info.connect_url()
        current = self.current
        if current is not None and self._url == url:
            return current
        held = self._held_ended()
        self.close()
        # Before importing anything that imports pyspark: a session bound outside a cell (the
        # panel's Start) may come while the import of the kernel's start-up still runs.
        wait_for_client_import()
        from sparkconnect.session import local_paths

        session = self._open(url, held)
        self._retry_policy.install(session, info, on_renew=lambda: _own_python(session, info))
        self._session, self._url, self._server = session, url, info
        _own_python(session, info)
        warmup.yield_to(session)
        local_paths.enable(session, _server_key(info))
        cache_tracking.TRACKER.attach(session, info)
        # Releases what killed processes cached, if any (the server's watchdog does too).
        cache_release.in_background(lifecycle.home(), info)
        child_env.export(url)
        self._connected(session, resumed=held is not None)
        return session


def _own_python(session: SparkSession, info: ServerInfo) -> None:
    """Python UDFs of this session run on this process's interpreter, whichever kernel
    launched the server (whose interpreter is the server's default). Only with a local master,
    where that interpreter exists for the workers, and unless the server's conf chose one."""
    if (
        info.python == sys.executable
        or not info.master.startswith("local")
        or any(key in info.conf for key in _SERVER_PYTHON_KEYS)
    ):
        return
    session.conf.set(PYTHON_KEY, sys.executable)


KERNEL_SESSION = KernelSession()
