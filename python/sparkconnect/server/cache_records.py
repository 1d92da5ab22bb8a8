"""Who cached what on the shared server: one record per process that cached through our session.

The server's cache (Spark's CacheManager) belongs to the JVM, not to a Connect session: a
session's release, `spark.stop()` included, leaves everything it cached in place, and Spark
Connect 4.x has nothing that ties a cached plan to the session that cached it. With a shared
server, every notebook and script that cached and went away would leave its data in the driver's
memory for good. So each process records here, as it caches, the plan it asked the server to
keep (the Connect plan, serialised, which another process can send again: the CacheManager finds
an entry by the plan's result, not by who sent it), and whoever notices that the process is gone
replays `unpersist` for it (see session/cache_release.py).

A record is `<home>/caches/<pid>-<start time>.json`, 0600, written atomically: the pid and its
start time (from /proc, as the core's leases have it: a reused pid is another owner), the name
the process is known by, the server it cached on (pid and start time: a record made on a server
since replaced means nothing), and its entries. Reads import nothing and cost a directory listing
and a few small files, so status views can show them.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkconnect import _core

PLAN, TABLE = "plan", "table"


@dataclass(frozen=True)
class Entry:
    kind: str
    """PLAN (a DataFrame's `cache()` or `persist()`) or TABLE (`spark.catalog.cacheTable`)."""
    key: str
    """What makes two entries the same cached data: a digest of the plan without its plan ids
    (which differ between two DataFrames of one query), or the table's name."""
    payload: str
    """The plan (base64 of its serialised proto) or the table name: what a replay sends."""

    def as_json(self) -> dict[str, str]:
        return {"kind": self.kind, "key": self.key, "payload": self.payload}


@dataclass
class Record:
    pid: int
    start_time: int
    name: str
    server: tuple[int, int]
    """(pid, start time) of the server the entries were cached on."""
    entries: list[Entry] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return start_time(self.pid) == self.start_time

    @property
    def short_name(self) -> str:
        """The last part of a notebook's path; a script's own name stays whole."""
        return self.name.rstrip("/").rsplit("/", 1)[-1] or self.name

    def counts(self) -> tuple[int, int]:
        """(DataFrames, tables) it holds."""
        plans = sum(1 for e in self.entries if e.kind == PLAN)
        return plans, len(self.entries) - plans


def start_time(pid: int) -> int | None:
    """The start time of a live `pid` (clock ticks since boot, field 22 of /proc/PID/stat, as the
    core reads it); None when it is gone or a zombie (a killed kernel its parent did not reap)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: fields follow the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def directory(home: str) -> Path:
    return Path(home) / "caches"


def path_of(home: str, pid: int, started: int) -> Path:
    return directory(home) / f"{pid}-{started}.json"


def write(home: str, record: Record) -> None:
    """Replace the record's file (created 0600, renamed into place); none when it holds nothing."""
    target = path_of(home, record.pid, record.start_time)
    if not record.entries:
        remove(home, record)
        return
    folder = directory(home)
    folder.mkdir(mode=0o700, exist_ok=True)
    body = json.dumps(
        {
            "pid": record.pid,
            "start_time": record.start_time,
            "name": record.name,
            "server": list(record.server),
            "entries": [e.as_json() for e in record.entries],
        }
    )
    _core.atomic_write(target, body)


def remove(home: str, record: Record) -> None:
    with contextlib.suppress(OSError):
        path_of(home, record.pid, record.start_time).unlink()


def _parse(raw: dict[str, Any]) -> Record:
    server = raw["server"]
    return Record(
        pid=int(raw["pid"]),
        start_time=int(raw["start_time"]),
        name=str(raw["name"]),
        server=(int(server[0]), int(server[1])),
        entries=[
            Entry(str(e["kind"]), str(e["key"]), str(e["payload"]))
            for e in raw["entries"]
            if e.get("kind") in (PLAN, TABLE)
        ],
    )


def read_all(home: str) -> list[Record]:
    """Every readable record, the dead owners' too (sweeping them is the sweeper's job); a file
    that is not a record is skipped, never a reason to fail."""
    try:
        paths = sorted(directory(home).glob("*.json"))
    except OSError:
        return []
    found = []
    for path in paths:
        try:
            found.append(_parse(json.loads(path.read_text())))
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            continue
    return found


def read_own(home: str, pid: int, started: int) -> Record | None:
    try:
        return _parse(json.loads(path_of(home, pid, started).read_text()))
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None


def has_dead(home: str) -> bool:
    """Whether a record of a process that is gone waits: a few small reads, nothing imported."""
    return any(not record.alive for record in read_all(home))


def held_by_others(records: list[Record], server: tuple[int, int], but: Record) -> set[str]:
    """Keys that live owners other than `but` hold on `server`: their data stays cached."""
    return {
        e.key
        for r in records
        if r.alive and r.server == server and (r.pid, r.start_time) != (but.pid, but.start_time)
        for e in r.entries
    }


def summary(home: str, server: tuple[int, int]) -> str | None:
    """ "2 DataFrames by analysis.ipynb, 1 table by job.py (pid 41)" for the live owners' entries
    on `server`, plus what dead owners left for the sweeper; None when nothing is recorded."""
    parts = []
    left = 0
    for record in read_all(home):
        if record.server != server or not record.entries:
            continue
        if not record.alive:
            left += len(record.entries)
            continue
        plans, tables = record.counts()
        what = [
            f"{n} {word}{'' if n == 1 else 's'}"
            for n, word in ((plans, "DataFrame"), (tables, "table"))
            if n
        ]
        parts.append(f"{' and '.join(what)} by {record.short_name}")
    if left:
        parts.append(f"{left} of closed notebooks or programs, being released")
    return ", ".join(parts) or None
