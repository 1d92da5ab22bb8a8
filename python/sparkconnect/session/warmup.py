"""Warming a freshly launched server up, so that the user's first query does not pay for it.

A new server JVM answers its first query in seconds where later ones take a fraction of one: the
analyzer, optimizer, code generator, shuffle and Arrow paths load and initialise their classes
and the JIT has compiled nothing yet. That cost is paid once per server, by whoever asks first.
Right after a launch the launching process pays it instead, in the background, on a throwaway
session of its own:

- it starts once the server is ready, so readiness is not delayed;
- it holds no lease (leases belong to processes, and the kernel that launched the server holds
  its own anyway), so `status` never counts it and the idle watchdog sees an idle server as soon
  as its jobs are done;
- its session has no progress handler, is tagged `sparkconnect-warmup`, names its jobs
  `sparkconnect warm-up` in the Spark UI (every jobs view of ours leaves them out), and is
  released afterwards; no retries, so a server that goes away ends
  it at once;
- it runs no Python UDF: that would start a Python worker under one notebook's interpreter;
- it gives way to the user: the notebook's first query ends it (the query in flight is
  interrupted, the rest skipped), so a query right after the start does not share the JVM with
  it, and it makes use of the time the user spends reading and typing; its stages have two
  tasks each (Spark schedules jobs first come, first served), so the last one in flight does
  not hold the task slots a user's job needs.

In a kernel (or any process that keeps running, such as the `sparkconnect.start()` API) it is a
thread: the Connect client is imported there already and would cost a detached helper a second
of CPU to import again. The terminal command exits right after starting the server, so it
starts the same work as a detached helper instead (`python -m sparkconnect.session.warmup`).
With a cluster master the warm-up only plans queries (analysis, optimisation, code generation
on the driver) and runs no job: that would ask the cluster for executors.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import sys
import threading
from typing import TYPE_CHECKING, Any

from sparkconnect._core import ServerInfo
from sparkconnect.server import lifecycle
from sparkconnect.server.spark_rest import WARM_UP_DESCRIPTION, WARM_UP_TAG
from sparkconnect.session import pyspark_internals as internals

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

TAG = WARM_UP_TAG

log = logging.getLogger(__name__)

_user_query = threading.Event()
"""Set when the notebook's own session starts a query: warm-ups of this process stop."""
_running: set[Any] = set()
"""Warm-up sessions with a query that may be in flight."""
_lock = threading.Lock()


class _YieldHook:
    """A pyspark session hook (duck-typed: subclassing would import pyspark) on the notebook's
    session: its first query ends the warm-up, which would otherwise compete with it for the
    JVM's CPU (measured: a cold start's first answer 1.43x later with the warm-up running)."""

    def on_execute_plan(self, request: Any) -> Any:
        if not _user_query.is_set():
            _user_query.set()
            with _lock:
                sessions = list(_running)
            for spark in sessions:  # an RPC: not on the notebook's own thread
                threading.Thread(target=_interrupt, args=(spark,), daemon=True).start()
        return request


def _interrupt(spark: Any) -> None:
    with contextlib.suppress(Exception):
        spark.client.interrupt_all()


def yield_to(session: Any) -> None:
    """Warm-ups of this process stop once `session` (the notebook's) runs its first query. A
    pyspark without session hooks (their list is internal) just runs them to the end."""
    client = session.client
    if internals.usable(internals.WARM_UP_YIELD, client):
        internals.read(internals.SESSION_HOOKS, client).append(_YieldHook())


def _run_queries(spark: SparkSession, run_jobs: bool) -> None:
    """What a notebook's first cells typically ask for: SQL text, a range with expressions, an
    aggregate over a shuffle, results over Arrow and as pandas, a `show()` string. Shapes
    differ from one another so each warms its own path, not the generated-code cache of one
    query. No sort: it costs the server another 40 MiB of touched heap for little."""
    # The Connect functions themselves: pyspark.sql.functions would pick them only once the
    # process is in Connect mode, which a detached helper is not.
    from pyspark.sql.connect.functions import builtin as F

    grouped = (
        spark.range(0, 2000, 1, 2)
        .selectExpr("id % 10 AS k", "id * 2 AS v", "cast(id AS string) AS s")
        .where("v >= 0")
        .groupBy("k")
        .agg(F.sum("v").alias("total"), F.max("s").alias("last"), F.count("*").alias("n"))
    )
    sql = spark.sql("SELECT 1 AS one, 'x' AS two, current_date() AS today")
    if not run_jobs:
        for frame in (grouped, sql):
            # Private, typed by nothing; the public explain() would print into a notebook cell.
            explain = internals.read(internals.EXPLAIN_STRING, frame)
            explain(mode="codegen")  # planned, code generated; no job
        return
    # What show() computes, without printing into whichever notebook cell runs meanwhile.
    show = internals.read(internals.SHOW_STRING, spark.range(3).withColumnRenamed("id", "n"))
    for query in (
        grouped.collect,
        sql.collect,
        spark.range(5).toPandas,
        lambda: show(3, 20, False),
    ):
        if _user_query.is_set():
            log.debug("warm-up stopped: the notebook runs its own queries")
            return
        query()


def warm(url: str, run_jobs: bool = True) -> None:
    """Warm the server at `url` up on a session of its own, released afterwards. Best effort:
    any failure (the server stopped meanwhile, say) ends it quietly."""
    try:
        from pyspark.sql.connect.session import SparkSession

        # The constructor, not the builder: the builder would make it the process's default
        # and active session, which belongs to the notebook.
        spark = SparkSession(connection=url)
    except Exception as err:
        log.debug("no warm-up: %s", err)
        return
    with _lock:  # before the first look at _user_query: a query from now on interrupts it
        _running.add(spark)
    try:
        spark.client.set_retry_policies([])
        spark.addTag(TAG)
        # Jobs are scheduled first come, first served: a warm-up job of 200 shuffle tasks
        # would hold the task slots a user's query arriving meanwhile needs. Two tasks per
        # stage load and compile the same code.
        spark.conf.set("spark.sql.shuffle.partitions", "2")
        # The Spark UI describes a Connect job by the start of its plan ("Spark Connect -
        # session_id: ... plan { root {"): unexplained jobs nobody ran. Session confs named
        # spark.* reach the jobs' local properties, where this one is the UI's description.
        # A server that refuses it only shows the plans: no reason to skip the warm-up.
        with contextlib.suppress(Exception):
            spark.conf.set("spark.job.description", WARM_UP_DESCRIPTION)
        _run_queries(spark, run_jobs)
    except Exception as err:
        log.debug("warm-up ended early: %s", err)
    finally:
        with _lock:
            _running.discard(spark)
        # pyspark releases each operation's results on a background thread, and stop()
        # releases the session before waiting for those: a release that arrives after the
        # session's is logged by the server as an ERROR. Let them finish first.
        if internals.usable(internals.WARM_UP_RELEASE, spark.client):
            futures = internals.read(internals.RELEASE_FUTURES, spark.client)
            concurrent.futures.wait(futures, timeout=10)
        # The client's own calls, not stop(): that holds pyspark's process-wide session lock
        # during the release, and a server that stopped answering (SIGSTOP) would then block
        # the notebook's own session calls too.
        try:
            spark.client.release_session()
        except Exception as err:  # a server that is gone cannot release it; nothing to do
            log.debug("warm-up session not released: %s", err)
        with contextlib.suppress(Exception):
            spark.client.close()


def _runs_jobs(server: ServerInfo) -> bool:
    return server.master.startswith("local")


def in_background(server: ServerInfo) -> threading.Thread | None:
    """Warm `server` up on a daemon thread of this process, until the notebook's own session
    (see `yield_to`) runs a query. None with a pyspark that lacks what the warm-up uses."""
    if not internals.usable(internals.WARM_UP):
        return None
    _user_query.clear()
    thread = threading.Thread(
        target=warm,
        args=(server.connect_url(), _runs_jobs(server)),
        name="sparkconnect-warmup",
        daemon=True,
    )
    thread.start()
    return thread


def main(argv: list[str]) -> int:
    """`python -m sparkconnect.session.warmup PID START_TIME`: warm the user's server up if it
    is still the one launched (same pid and start time), then exit."""
    logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s: %(message)s")
    for noisy in ("grpc", "pyspark", "py4j"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    pid, start_time = (int(value) for value in argv)
    server: Any = lifecycle.status().server
    if server is None or (server.pid, server.pid_start_time) != (pid, start_time):
        log.info("no warm-up: the server %d is no longer the one running", pid)
        return 0
    if not internals.usable(internals.WARM_UP):
        return 0
    warm(server.connect_url(), _runs_jobs(server))
    log.info("warm-up done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
