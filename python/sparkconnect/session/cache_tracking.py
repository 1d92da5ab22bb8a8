"""What this process cached on the shared server, recorded so that it does not outlive it.

With classic PySpark a notebook's cache dies with its driver. On the shared server it would stay
until the server stops (see server/cache_records.py for why and how it is recorded). Here the
session's `persist`/`cache`/`unpersist` and the catalog's `cacheTable`/`uncacheTable`/
`clearCache` keep this process's record up to date, and `release` unpersists what it holds when
the session ends: `spark.stop()`, `%spark stop`, the process's normal exit (a script's end, a
kernel's shutdown or restart). A process killed outright is released by others (cache_release.py).
Data another live process cached too is left alone: the cache is one entry for both.
"""

from __future__ import annotations

import atexit
import base64
import hashlib
import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sparkconnect._core import ServerInfo
from sparkconnect.server import attached_names, cache_records, lifecycle
from sparkconnect.server.cache_records import PLAN, TABLE, Entry, Record
from sparkconnect.session import pyspark_internals as internals
from sparkconnect.session.cache_release import release, server_key

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

log = logging.getLogger(__name__)

EXIT_WAIT = 5.0
"""How long a process's exit waits for its caches to be released (a busy server)."""

_MARK = "_sparkconnect_caches"


def _without_plan_ids(message: Any) -> None:
    """Clear every `plan_id` in a plan proto, in place: two DataFrames of one query differ only
    there (each DataFrame numbers its plan), and they are one entry in the server's cache."""
    for descriptor, value in message.ListFields():
        if descriptor.name == "plan_id":
            message.ClearField(descriptor.name)
        elif descriptor.message_type is not None:
            if descriptor.is_repeated:
                if descriptor.message_type.GetOptions().map_entry:
                    values = value.values()
                    if descriptor.message_type.fields_by_name["value"].message_type is None:
                        continue
                else:
                    values = value
                for item in values:
                    _without_plan_ids(item)
            else:
                _without_plan_ids(value)


def plan_entry(relation: Any) -> Entry:
    plain = type(relation)()
    plain.CopyFrom(relation)
    _without_plan_ids(plain)
    key = hashlib.sha256(plain.SerializeToString(deterministic=True)).hexdigest()
    payload = base64.b64encode(relation.SerializeToString(deterministic=True)).decode()
    return Entry(PLAN, key, payload)


def table_entry(name: str) -> Entry:
    return Entry(TABLE, f"table:{name}", name)


class CacheTracker:
    """This process's record, kept for the session it is attached to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._releasing = False
        """Set while `release` unpersists through the followed session: its own calls are not
        to be noted (the record goes as a whole)."""
        self._session: Any = None
        self._server: tuple[int, int] | None = None
        self._exit_hook = False
        self._start_time: tuple[int, int | None] | None = None
        """(pid, its start time): read from /proc once per process, not on every persist."""

    def attach(self, session: SparkSession, server: ServerInfo) -> None:
        """Follow what `session` (on our user's `server`) caches from now on; nothing with a
        pyspark that lacks what the following needs."""
        client = session.client
        if not internals.usable(internals.CACHE_RELEASE, client, session.catalog):
            return
        _install_catalog_hooks()
        self._session, self._server = session, server_key(server)
        analyze = internals.read(internals.ANALYZE, client)
        if not getattr(analyze, _MARK, False):
            # On the client object: other sessions of the process are not followed.
            internals.write(internals.ANALYZE, client, self._analyzing(session, analyze))

    def detach(self) -> None:
        self._session = self._server = None

    def follows(self, session: object) -> bool:
        return session is not None and session is self._session

    def _analyzing(self, session: Any, analyze: Callable[..., Any]) -> Callable[..., Any]:
        def call(method: str, **kwargs: Any) -> Any:
            result = analyze(method, **kwargs)
            # Recorded once the server did it: a refused persist holds nothing.
            if method in ("persist", "unpersist") and self.follows(session) and not self._releasing:
                try:
                    entry = plan_entry(kwargs["relation"])
                except Exception as err:  # a pyspark that calls this otherwise: not recorded
                    log.debug("could not record this process's cache: %s", err)
                else:
                    self.note(entry, keep=method == "persist")
            return result

        setattr(call, _MARK, True)
        return call

    def _owner(self) -> tuple[str, int, int] | None:
        """(home, pid, start time) that name this process's record; None when /proc cannot
        say when it started."""
        pid = os.getpid()
        if self._start_time is None or self._start_time[0] != pid:  # first call, or a fork
            self._start_time = (pid, cache_records.start_time(pid))
        started = self._start_time[1]
        return None if started is None else (lifecycle.home(), pid, started)

    def note(self, entry: Entry | None, keep: bool) -> None:
        """Add `entry` to the record (`keep`) or drop it; `entry` None with `keep` False drops
        every entry (`clearCache`)."""
        server = self._server
        if server is None:
            return
        try:
            owner = self._owner()
            if owner is None:
                return
            home, me, started = owner
            with self._lock:
                record = cache_records.read_own(home, me, started)
                if record is None or record.server != server:
                    record = Record(me, started, attached_names.process_name(), server)
                record.entries = [
                    e for e in record.entries if entry is not None and e.key != entry.key
                ]
                if keep and entry is not None:
                    record.entries.append(entry)
                cache_records.write(home, record)
                if record.entries and not self._exit_hook:
                    atexit.register(self._at_exit)
                    self._exit_hook = True
        except Exception as err:  # bookkeeping never fails the user's persist
            log.debug("could not record this process's cache: %s", err)

    def release(self, session: Any) -> None:
        """Unpersist what this process cached through `session` (still open, on the server the
        record names), except what other live processes cached too; then drop the record."""
        owner = self._owner()
        if owner is None:
            return
        home, me, started = owner
        with self._lock:
            record = cache_records.read_own(home, me, started)
            if record is None:
                return
            if record.server == self._server:
                kept = cache_records.held_by_others(
                    cache_records.read_all(home), record.server, record
                )
                self._releasing = True
                try:
                    for entry in record.entries:
                        if entry.key in kept:
                            continue
                        try:
                            release(session, entry)
                        except Exception as err:  # a temp view gone already, say
                            log.debug("could not release cached data: %s", err)
                finally:
                    self._releasing = False
            cache_records.remove(home, record)

    def _at_exit(self) -> None:
        """At a normal exit, release through the session if it still works; bounded in time,
        and never against a server that is gone or stopped (no answer would come)."""
        session = self._session
        try:
            if session is None or session.is_stopped:
                return
            running = lifecycle.status().server
        except Exception as err:  # an exit prints no traceback of ours
            log.debug("not releasing this process's cache at exit: %s", err)
            return
        if running is None or server_key(running) != self._server or running.stopped():
            return
        worker = threading.Thread(target=self.release, args=(session,), daemon=True)
        worker.start()
        worker.join(EXIT_WAIT)


TRACKER = CacheTracker()


def _install_catalog_hooks() -> None:
    """Wrap the Connect catalog's cache methods (once per process): they run commands, not the
    analyze calls `attach` follows. Only the tracked session's calls are recorded."""
    from pyspark.sql.connect import catalog

    if getattr(internals.read(internals.CACHE_TABLE, catalog.Catalog), _MARK, False):
        return

    def followed(self: Any) -> bool:
        return TRACKER.follows(internals.read(internals.CATALOG_SESSION, self))

    def cache_table(original: Callable[..., None]) -> Callable[..., None]:
        def cacheTable(self: Any, tableName: str, storageLevel: Any = None) -> None:
            original(self, tableName, storageLevel)
            if followed(self):
                TRACKER.note(table_entry(tableName), keep=True)

        return cacheTable

    def uncache_table(original: Callable[..., None]) -> Callable[..., None]:
        def uncacheTable(self: Any, tableName: str) -> None:
            original(self, tableName)
            if followed(self):
                TRACKER.note(table_entry(tableName), keep=False)

        return uncacheTable

    def clear_cache(original: Callable[..., None]) -> Callable[..., None]:
        def clearCache(self: Any) -> None:
            original(self)
            if followed(self):
                TRACKER.note(None, keep=False)  # the server holds nothing anymore

        return clearCache

    for name, wrapper in (
        (internals.CACHE_TABLE, cache_table),
        (internals.UNCACHE_TABLE, uncache_table),
        (internals.CLEAR_CACHE, clear_cache),
    ):

        def marked(original: Callable[..., None], wrapper: Any = wrapper) -> Callable[..., None]:
            wrapped = wrapper(original)
            wrapped.__doc__ = original.__doc__
            setattr(wrapped, _MARK, True)
            return wrapped  # type: ignore[no-any-return]

        internals.wrap(name, catalog, marked)
