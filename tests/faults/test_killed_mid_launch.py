"""A kernel SIGKILLed while it holds the lock, mid-launch: the next start proceeds at once and
adopts the half-started server, or stops it; never two servers, never an orphan JVM."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

import sparkconnect
from drive.procfs import java_servers_of
from drive.waiting import wait_until
from sparkconnect import _core
from tests.support.processes import gone, lock_is_free, python, server

pytestmark = pytest.mark.jvm


@pytest.fixture
def launcher_killed_mid_launch(home: Path) -> Iterator[int]:
    """A notebook process that starts the server and is SIGKILLed while the server is still
    starting (recorded, port not open yet), i.e. while it holds the lock. Yields the pid of
    the half-started server."""
    proc = python("import sparkconnect; sparkconnect.start()", home)
    try:
        wait_until(
            lambda: _core.status(str(home)).state == "starting", 60, "the launch is recorded"
        )
        assert not lock_is_free(home), "the launcher should hold the lock while it launches"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        half_started = server(home)
        # A JVM takes seconds to open its port: it is still starting when its launcher dies.
        assert _core.status(str(home)).state == "starting"
        yield half_started.pid
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_next_start_adopts_the_half_started_server(
    launcher_killed_mid_launch: int, home: Path
) -> None:
    half_started = launcher_killed_mid_launch
    # The kernel released the dead holder's flock: nobody has to wait for it.
    assert lock_is_free(home)
    status = _core.status(str(home))
    assert status.problem is not None and "notebook that is gone" in status.problem

    spark = sparkconnect.start()

    assert server(home).pid == half_started
    assert _core.status(str(home)).state == "running"
    assert java_servers_of(home) == [half_started]
    assert spark.sql("SELECT 7").collect()[0][0] == 7


def test_an_unrecorded_half_started_server_is_stopped_not_orphaned(
    launcher_killed_mid_launch: int, home: Path
) -> None:
    # A kill between spawning the JVM and writing the state (a window of microseconds that a
    # test cannot hit by timing) leaves a JVM no state records. Removing the state recreates
    # exactly that situation.
    stray = launcher_killed_mid_launch
    (home / "server.json").unlink()

    spark = sparkconnect.start()

    wait_until(lambda: gone(stray), 15, "the stray JVM is gone")
    new = server(home).pid
    assert new != stray
    assert java_servers_of(home) == [new]
    assert spark.sql("SELECT 8").collect()[0][0] == 8


def test_stop_force_also_stops_an_unrecorded_server(
    launcher_killed_mid_launch: int, home: Path
) -> None:
    stray = launcher_killed_mid_launch
    (home / "server.json").unlink()
    _core.stop(str(home), lease_pid=os.getpid(), force=True)
    wait_until(lambda: gone(stray), 15, "the stray JVM is gone")
    assert not java_servers_of(home)
