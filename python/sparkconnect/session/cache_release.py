"""Releasing what a process cached on the shared server once that process is gone.

A notebook or script that ends cleanly releases its own cache (cache_tracking.py). One that is
killed cannot: here another of our processes replays `unpersist` for it through a fresh Connect
session of its own. The server's idle watchdog runs `python -m sparkconnect.session.cache_release
HOME PID START_TIME` when its check finds a dead process's record (so the watchdog itself never
imports pyspark), and every notebook that attaches sweeps once in the background, so a server
without a watchdog (no idle stop) is cleaned by the next notebook that attaches.

What stays cached: data another live process cached too (the same plan, or the same table).
What cannot be released: a plan that names the dead session's temp views, or local data large
enough that the client uploaded it as an artifact of that session, no longer resolves in a new
session; the server refuses the replay, which is logged and the entry dropped (a later
`spark.catalog.clearCache()` frees it). `CACHE TABLE` run as SQL is not recorded at all.
"""

from __future__ import annotations

import base64
import logging
import sys
import threading
from typing import Any

from sparkconnect import _core
from sparkconnect._core import ServerInfo
from sparkconnect.server import cache_records
from sparkconnect.server.cache_records import PLAN, Entry, Record
from sparkconnect.session import pyspark_internals as internals

log = logging.getLogger(__name__)

_sweeping = threading.Lock()


def release(session: Any, entry: Entry) -> None:
    """Unpersist `entry` through `session` (a pyspark Connect session on the entry's server)."""
    if entry.kind == PLAN:
        from pyspark.sql.connect.proto import Relation

        relation = Relation.FromString(base64.b64decode(entry.payload))
        analyze = internals.read(internals.ANALYZE, session.client)
        analyze(method="unpersist", relation=relation, blocking=False)
    else:
        session.catalog.uncacheTable(entry.payload)


def server_key(server: ServerInfo) -> tuple[int, int]:
    return (server.pid, server.pid_start_time)


def sweep(home: str, server: ServerInfo) -> int:
    """Release what dead processes cached on `server` and drop their records; returns how many
    entries were released. Records of dead processes made on an earlier server are dropped
    without a word: their cache went with its JVM. When the server cannot be reached, records
    stay for the next sweep."""
    if not internals.usable(internals.CACHE_RELEASE):
        return 0  # the records stay, for a process whose pyspark can replay them
    with _sweeping:
        records = cache_records.read_all(home)
        current = server_key(server)
        todo: list[Record] = []
        for record in records:
            if record.alive:
                continue
            if record.server != current:
                cache_records.remove(home, record)
            else:
                todo.append(record)
        if not todo:
            return 0
        return _replay(home, server, records, todo)


def _replay(home: str, server: ServerInfo, records: list[Record], todo: list[Record]) -> int:
    from pyspark.sql.connect.session import SparkSession

    try:
        # A session object of its own, never made the process's default or active one: in a
        # notebook, `spark` stays what it was.
        session = SparkSession(connection=server.connect_url())
        session.version  # noqa: B018 -- one round trip: is the server answering at all?
    except Exception as err:
        log.info("cannot reach the server to release closed processes' caches now: %s", err)
        return 0
    released = 0
    try:
        for record in todo:
            kept = cache_records.held_by_others(records, record.server, record)
            for entry in record.entries:
                if entry.key in kept:
                    continue  # a live process cached the same data: it stays
                try:
                    release(session, entry)
                    released += 1
                except Exception as err:
                    log.info(
                        "could not release a %s cached by %s (it may name that session's temp "
                        "views): %s",
                        "DataFrame" if entry.kind == PLAN else f"table {entry.payload}",
                        record.name,
                        str(err).strip().splitlines()[0] if str(err).strip() else type(err),
                    )
            cache_records.remove(home, record)
            log.info("released what %s had cached", record.name)
    finally:
        session.stop()
    return released


def in_background(home: str, server: ServerInfo) -> None:
    """`sweep` on a daemon thread, when there is anything to sweep (checked here, cheaply)."""
    if not cache_records.has_dead(home):
        return

    def work() -> None:
        try:
            sweep(home, server)
        except Exception as err:  # never a reason for a notebook's attach to fail
            log.debug("cache sweep failed: %s", err)

    threading.Thread(target=work, name="sparkconnect-cache-sweep", daemon=True).start()


def main(argv: list[str]) -> int:
    """`HOME PID START_TIME`: sweep the home's records for that server, if it still runs."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    home, pid, start_time = argv
    server = _core.status(home).server
    if server is None or server_key(server) != (int(pid), int(start_time)):
        return 0  # replaced or stopped meanwhile: its cache went with it
    sweep(home, server)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
