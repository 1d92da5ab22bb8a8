"""Idle shutdown: with an idle timeout, the server stops by itself once no kernel is attached
(leases of dead kernels are pruned) and no job runs for that long; never while a kernel is
attached, never under a running job. Its watchdog process goes with it."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

import sparkconnect
from drive.procfs import java_servers_of
from drive.waiting import wait_until
from sparkconnect import _core
from tests.support.processes import gone, python, server, watchdogs_of
from tests.support.spark_ui import app_api

pytestmark = pytest.mark.jvm

IDLE = 2.0
# Generous bound on how long the stop may take once idle: a check interval, the lock, and the
# JVM's own shutdown, on a busy two-core machine.
STOP_BOUND = IDLE + 30


def assert_fully_stopped(home: Path, pid: int) -> None:
    wait_until(lambda: gone(pid), STOP_BOUND, "the idle server stops")
    wait_until(lambda: not watchdogs_of(home), 10, "its watchdog exits")
    assert _core.status(str(home)).state == "stopped"
    assert not (home / "server.json").exists()
    assert not java_servers_of(home)


def test_never_while_a_kernel_is_attached_then_stops_once_it_died(home: Path) -> None:
    kernel = python(
        f"""
        import sys, sparkconnect
        spark = sparkconnect.start(idle_timeout={IDLE})
        spark.sql("SELECT 1").collect()
        print("attached", flush=True)
        sys.stdin.read()
        """,
        home,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert kernel.stdout is not None
        assert kernel.stdout.readline().strip() == "attached"
        pid = server(home).pid
        assert server(home).idle_timeout == IDLE
        assert len(watchdogs_of(home)) == 1
        # Three idle timeouts with the kernel attached: the watchdog checked about fifteen times
        # and must have left the server alone.
        time.sleep(3 * IDLE)
        assert server(home).pid == pid
        assert _core.status(str(home)).attached == [kernel.pid]

        kernel.send_signal(signal.SIGKILL)
        kernel.wait()
        assert_fully_stopped(home, pid)
        # The dead kernel's lease was pruned, not left behind.
        assert not list((home / "leases").iterdir())
    finally:
        if kernel.poll() is None:
            kernel.kill()
            kernel.wait()


def running_jobs(info: _core.ServerInfo) -> int | None:
    """Running jobs, as the Spark UI's REST API lists them, asked through the client the
    watchdog uses (the core's); None while the UI is too busy to answer."""
    try:
        return len(app_api(info, "jobs?status=running", timeout=5))
    except (OSError, ValueError, IndexError):
        return None


def test_a_running_job_keeps_it_until_the_job_is_done(home: Path) -> None:
    spark = sparkconnect.start(idle_timeout=IDLE)
    info = server(home)

    from pyspark.sql.functions import udf

    # No type hints: pyspark would try to read a pandas UDF type from them, and warn.
    @udf("long")
    def slow(x):  # type: ignore[no-untyped-def]
        import time

        time.sleep(3 * IDLE)
        return x + 1

    rows: list[object] = []
    job = threading.Thread(target=lambda: rows.extend(spark.range(1).select(slow("id")).collect()))
    job.start()
    try:
        wait_until(lambda: running_jobs(info) == 1, 60, "the job runs")
        # Detach this process: from now on only the job keeps the server busy.
        _core.release(str(home), lease_pid=os.getpid())
        released = time.monotonic()
        job.join(120)
        assert not job.is_alive()
        assert [tuple(r) for r in rows] == [(1,)], "the job finished on a server that stayed up"  # type: ignore[call-overload]
        assert time.monotonic() - released > IDLE, "the job outlasted the idle timeout"
    finally:
        job.join(120)
    assert_fully_stopped(home, info.pid)
