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
from sparkconnect.errors import ConnectError, SparkConnectError
from sparkconnect.server import caller, lifecycle, profiles
from sparkconnect.server.remote import Endpoint, probe
from sparkconnect.session import cache_release, cache_tracking, child_env, warmup
from sparkconnect.session.labels import with_user
from sparkconnect.session.notices import tell

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


_client_import: threading.Thread | None = None


def import_client_in_background() -> None:
    """Import the Connect client on a background thread (about a second of pandas, pyarrow,
    grpc and pyspark), so that `%load_ext` returns at once and the first use of `spark` does
    not pay for the import again. A failing import is left for `_open` to raise where it
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


def _server_key(info: ServerInfo) -> tuple[int, int]:
    return (info.pid, info.pid_start_time)


def _make_default(session: SparkSession) -> None:
    """Make `session` pyspark's default and active session (opening one fills those slots only
    when they are empty, and a connect empties them only after the endpoint accepted it)."""
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
        self._ended = False
        """`spark.stop()` ended the held session; its next use resumes it."""
        self._resuming = threading.RLock()
        self._patched = False
        self.enabled = False
        """This process uses our sessions (the extension is loaded, or the API made one): the
        classic builder, `SparkContext` and friends answer for them (see `enable`)."""
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
        self.idle_timeout: float | None = None
        """Idle timeout (seconds) given to servers this process launches (0: never stop); None:
        the site configuration's, else 15 minutes."""
        self.warm_up = True
        """Whether a server this process launches is warmed up in the background (`warmup`)."""
        self.ui_template = ""
        """The `SparkConnect.ui_url` option for the Spark UI links this process shows ("":
        detected). Kept here, below the magics that set it, for the Python API's cards too."""

    def enable(self) -> None:
        """Make pyspark's classic entry points serve this process's session: the builder and
        `SparkSession.active()` return it, relative paths mean this process's working
        directory, `SparkContext` and `df.rdd` explain what to write instead. Each patch is
        applied when pyspark's module is imported (or now), so this imports nothing itself."""
        if self.enabled:
            return
        self.enabled = True
        # pyspark.sql.functions, udf and friends pick the Connect implementation only when this
        # is set (pyspark's own builder sets it the same way for remote sessions); set now, a
        # UDF defined before the session exists is a Connect UDF too.
        os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
        if not self._patched:
            from sparkconnect.session import builder, local_paths, no_context

            builder.install()
            local_paths.install()
            no_context.install(lambda: self.enabled, self._created_here)
            self._patched = True

    def _created_here(self, session: object) -> bool:
        from sparkconnect.session.notebook_session import NotebookSession

        return isinstance(session, NotebookSession)

    def issued(self, value: object) -> bool:
        """Whether `value` is a session this process's sparkconnect made, even one closed
        since: the notebook's `spark` may still hold it, and unloading or loading the extension
        again must recognise it as its own to remove or replace it. Imports nothing: with no
        session module loaded yet, no such session exists."""
        return "sparkconnect.session.notebook_session" in sys.modules and self._created_here(value)

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
        return self._server, self.remote

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
        warm_up: bool | None = None,
    ) -> Started:
        """Launch or attach (or restart) with the profile, the saved conf and `conf` (or a
        `plan` made by `self.plan` already), and connect. `conf` is saved for later starts once
        the server runs: a bad profile, or a conf that keeps the server from starting (a bad
        master URL, say), changes nothing."""
        if self.remote is not None:
            me = caller.current()
            raise ConnectError(
                f"{me.me.capitalize()} is attached to {self.remote.shown}; "
                f"{me.command('stop')} detaches it before it can use its own server."
            )
        plan = plan or self.plan(conf, profile)
        idle = idle_timeout if idle_timeout is not None else self.idle_timeout
        if idle is None:
            idle = lifecycle.default_idle_timeout()
        began = time.monotonic()
        # A restart keeps the session open until the core has replaced the server: a restart it
        # refuses (other notebooks attached, no `force`) then leaves this notebook as it was.
        result = lifecycle.start_planned(
            plan, port=port, timeout=timeout, restart=restart, idle_timeout=idle, force=force
        )
        if plan.profile is not None:
            self.profile = plan.profile.name
        session = self._bind(result.server)
        if result.launched and (self.warm_up if warm_up is None else warm_up):
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
        if self.remote is not None and current is not None:
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
            _check_endpoint(session, target)
        except ConnectError:
            session.release_session_on_close = False  # it never got one
            session.shut()
            if held is not None:
                # Ended, as it was: its next use resumes it on our own server.
                held.mark_ended()
                self._session, self._ended = held, True
            raise
        if held is None:
            # Only now, the endpoint's session working, is our own left behind.
            self.close()
            _make_default(session)
        lifecycle.release()
        self._session, self._url, self.remote = session, target.url, target
        child_env.export(target.url)
        self._connected(session, resumed=held is not None)
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

    def end(self, session: NotebookSession) -> None:
        """`spark.stop()`: end the session on the server and this process's lease, never the
        server itself. The object stays held: its next use (or the builder's, or `spark`'s)
        continues in a fresh session."""
        if session is not self._session or self._ended:
            if not session.ended:
                session.shut()  # an object from before a restart: pyspark's own stop
            return
        remote = self.remote
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
            if self.remote is not None:
                self.connect_remote(self.remote)
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
        from sparkconnect.session.resilience import gone_message, unregister

        message = None if self._told_gone else gone_message(bound, failed=False)
        unregister(self._session)
        self._session = self._url = self._server = self._policy = None
        self._told_gone = False
        child_env.withdraw()
        return message

    def _mark_told(self, gone: ServerInfo) -> None:
        """Called when a command failed because `gone` is gone: its error says so, and the next
        cell need not say it again."""
        if self._server is not None and self._server.connect_url() == gone.connect_url():
            self._told_gone = True

    def close(self) -> None:
        """Release the session on the server, then close the channel."""
        session, url, remote, ended = self._session, self._url, self.remote, self._ended
        self._session = self._url = self.remote = self._server = None
        self._ended = False
        child_env.withdraw()
        if session is None or ended:
            # An ended session was shut already; if it is used again, `resume` adopts it.
            self._retire_policy()
            return
        self._shut(session, url, remote)

    def _retire_policy(self) -> None:
        policy, self._policy = self._policy, None
        if policy is not None:
            policy.retire()

    def _shut(self, session: NotebookSession, url: str | None, remote: Endpoint | None) -> None:
        self._retire_policy()
        running = lifecycle.status().server
        if remote is None and (
            running is None or running.connect_url() != url or running.stopped()
        ):
            # The server is gone, was replaced, or is stopped (SIGSTOP): a release would fail
            # or wait forever for an answer. Just close the channel.
            session.release_session_on_close = False
        elif remote is None and cache_tracking.TRACKER.follows(session):
            # The server's cache outlives sessions: what this one cached goes with it.
            cache_tracking.TRACKER.release(session)
        if cache_tracking.TRACKER.follows(session):
            cache_tracking.TRACKER.detach()
        session.shut()

    def _held_ended(self) -> NotebookSession | None:
        return self._session if self._ended else None

    def _open(self, url: str, held: NotebookSession | None) -> NotebookSession:
        """A new session object, or `held` (ended by `spark.stop()`) in a fresh session."""
        wait_for_client_import()
        self.enable()
        from sparkconnect.session.notebook_session import NotebookSession

        url = with_user(url)
        if held is not None:
            held.reopen(url)
            return held
        return NotebookSession.open(url, owner=self)

    def _connected(self, session: NotebookSession, resumed: bool) -> None:
        self._ended = False
        self._told_gone = False
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
        from sparkconnect.session.resilience import protect

        session = self._open(url, held)
        self._policy = protect(
            session, info, self._mark_told, on_renew=lambda: _own_python(session, info)
        )
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
