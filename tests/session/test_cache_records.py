"""Cache records without a server: the files, who counts as alive, the status summary, and the
pyspark calls the tracking follows (a client connects lazily: nothing here sends a request)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sparkconnect.server import cache_records
from sparkconnect.server.cache_records import PLAN, TABLE, Entry, Record
from sparkconnect.session.cache_tracking import TRACKER, plan_entry, table_entry

SERVER = (4242, 99)


def me() -> tuple[int, int]:
    started = cache_records.start_time(os.getpid())
    assert started is not None
    return os.getpid(), started


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_records_are_private_files_and_name_their_owners(tmp_path: Path) -> None:
    home = str(tmp_path)
    pid, started = me()
    mine = Record(pid, started, "work/analysis.ipynb", SERVER)
    mine.entries = [Entry(PLAN, "k1", "p1"), Entry(PLAN, "k2", "p2"), table_entry("sales")]
    cache_records.write(home, mine)
    path = cache_records.path_of(home, pid, started)
    assert path.stat().st_mode & 0o777 == 0o600
    assert cache_records.read_own(home, pid, started) == mine

    gone = Record(dead_pid(), 1, "job.py (pid 7)", SERVER, [Entry(PLAN, "k1", "p1")])
    cache_records.write(home, gone)
    # Junk in the directory is skipped, never a failure.
    (cache_records.directory(home) / "junk.json").write_text("{not json")
    assert {r.name for r in cache_records.read_all(home)} == {mine.name, gone.name}
    assert cache_records.has_dead(home)

    assert cache_records.summary(home, SERVER) == (
        "2 DataFrames and 1 table by analysis.ipynb, 1 of closed notebooks or programs, "
        "being released"
    )
    # Another server's records are not this one's cache.
    assert cache_records.summary(home, (1, 1)) is None
    # What the dead owner cached, a live owner holds too: it must stay.
    records = cache_records.read_all(home)
    assert cache_records.held_by_others(records, SERVER, gone) == {"k1", "k2", "table:sales"}
    assert cache_records.held_by_others(records, (1, 1), gone) == set()

    # A record that holds nothing is no file.
    mine.entries = []
    cache_records.write(home, mine)
    assert not path.exists()


def test_a_reused_pid_is_another_owner() -> None:
    pid, started = me()
    assert Record(pid, started, "x", SERVER).alive
    assert not Record(pid, started + 1, "x", SERVER).alive
    assert not Record(dead_pid(), started, "x", SERVER).alive


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Connect session to a port nobody listens on."""
    monkeypatch.setenv("SPARK_CONNECT_MODE_ENABLED", "1")
    from pyspark.sql.connect.session import SparkSession

    made = SparkSession.builder.remote("sc://localhost:1/;token=unused").create()
    yield made
    made.release_session_on_close = False
    made.stop()


def test_persist_and_unpersist_reach_the_client_as_tracking_expects(session: Any) -> None:
    """pyspark's private call the tracking wraps: `client._analyze(method, relation=...)`."""
    calls: list[tuple[str, Any]] = []
    vars(session.client)["_analyze"] = lambda method, **kw: calls.append((method, kw["relation"]))
    df = session.range(5)
    df.cache()
    df.persist()
    df.unpersist()
    assert [m for m, _ in calls] == ["persist", "persist", "unpersist"]
    # Two DataFrames of one query differ in their plan ids only: one entry, as in the server's
    # cache; another query is another entry. The payload is the plan as sent.
    again = session.range(5)._plan.plan(session.client)
    assert again != calls[0][1]
    assert plan_entry(again).key == plan_entry(calls[0][1]).key
    assert plan_entry(session.range(6)._plan.plan(session.client)).key != plan_entry(again).key
    import base64

    from pyspark.sql.connect.proto import Relation

    sent = Relation.FromString(base64.b64decode(plan_entry(again).payload))
    assert sent == again

    # The catalog's cache methods are wrapped where they read their session.
    from pyspark.sql.connect.catalog import Catalog

    assert session.catalog._sparkSession is session
    assert all(callable(getattr(Catalog, n)) for n in ("cacheTable", "uncacheTable", "clearCache"))
    assert not TRACKER.follows(session)
    assert table_entry("t").kind == TABLE
