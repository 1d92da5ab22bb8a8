"""The server is killed (SIGKILL, and separately SIGTERM) under an attached notebook: status says
it is gone, the next `%spark start` or use of `spark` relaunches it, and the notebook is told
once, with no clean-up by hand. A command on a session of the dead server fails at once with
a clear error instead of pyspark's minutes of retries."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from drive.waiting import wait_until
from sparkconnect import ServerGoneError
from sparkconnect.notebook.lazy import LazySpark
from tests.support.helpers import run
from tests.support.processes import gone, server

pytestmark = pytest.mark.jvm

GONE = "is no longer running: it was stopped or it exited"


@pytest.fixture(autouse=True)
def forget_held(shell: InteractiveShell) -> Iterator[None]:
    """The shell outlives the test: drop the session it kept, as a notebook closing would."""
    yield
    shell.user_ns.pop("held", None)


def kill_server(shell: InteractiveShell, home: Path, sig: signal.Signals) -> int:
    """Starts a server from the notebook (keeping a reference to its session in `held`),
    kills it with `sig` and waits until it has exited."""
    result = run(shell, "%spark start")
    assert result.error is None, result.shown
    shell.run_cell("held = spark", store_history=False)
    pid = server(home).pid
    os.kill(pid, sig)
    wait_until(lambda: gone(pid), 30, f"the server exits on {sig.name}")
    return pid


# pyspark's default policy would retry a dead server for about ten minutes; this bound makes a
# regression fail instead of hang.
@pytest.mark.timeout(180)
def test_after_sigkill_status_says_gone_and_using_spark_relaunches(
    shell: InteractiveShell, home: Path
) -> None:
    old = kill_server(shell, home, signal.SIGKILL)

    status = run(shell, "%spark status")
    assert "Spark Connect server: stopped" in status.texts[0]
    assert "no longer running" in status.texts[0]
    assert GONE in status.stdout, "the first cell after the death tells the notebook"
    # A notice of what will happen, not an instruction the cell then ignores.
    assert "run the cell again" not in status.stdout.lower()
    assert isinstance(shell.user_ns["spark"], LazySpark)

    # A session object kept from before fails at once, and says what happened.
    stale = run(shell, "held.sql('SELECT 1').collect()")
    assert isinstance(stale.error, ServerGoneError), stale.shown
    assert GONE in str(stale.error) and "Run the cell again" in str(stale.error)
    assert "Traceback" not in stale.shown

    # Using `spark` relaunches the server; the notebook was told already, not again.
    used = run(shell, "answer = spark.sql('SELECT 3').collect()[0][0]")
    assert used.error is None, used.shown
    assert shell.user_ns["answer"] == 3
    assert GONE not in used.shown
    # The launch it caused says so, in one line.
    launched = [line for line in used.stdout.splitlines() if "launched a Spark Connect" in line]
    assert len(launched) == 1, used.stdout
    # pyspark's active session (what creating a UDF uses) is the new one, not the dead one.
    assert shell.ev("type(spark).getActiveSession() is spark")
    new = server(home).pid
    assert new != old
    assert java_servers_of(home) == [new]


@pytest.mark.timeout(180)
def test_after_sigterm_the_next_cell_is_told_once_and_spark_start_relaunches(
    shell: InteractiveShell, home: Path
) -> None:
    old = kill_server(shell, home, signal.SIGTERM)

    told = run(shell, "1 + 1")
    assert GONE in told.stdout
    assert GONE not in run(shell, "2 + 2").shown
    status = run(shell, "%spark status")
    assert "Spark Connect server: stopped" in status.texts[0]
    assert "no longer running" in status.texts[0]

    # A command on the old session, made before anyone relaunched, fails fast and clearly too.
    stale = run(shell, "held.range(1).count()")
    assert isinstance(stale.error, ServerGoneError), stale.shown

    started = run(shell, "%spark start")
    assert started.error is None, started.shown
    assert "Spark Connect server started" in started.texts[0]
    assert shell.ev("spark.sql('SELECT 4').collect()[0][0]") == 4
    assert server(home).pid != old
    assert len(java_servers_of(home)) == 1
