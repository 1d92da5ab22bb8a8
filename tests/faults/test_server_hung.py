"""A hung server (SIGSTOP): status and start do not hang; they answer with a clear message, and
`%spark restart` replaces it. A server stopped while it starts makes the start time out with a
message naming the cause, and nothing is left running."""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

import sparkconnect
from drive.procfs import java_servers_of
from drive.waiting import wait_until
from sparkconnect import StartError, _core
from tests.support.helpers import run
from tests.support.processes import gone, server

pytestmark = pytest.mark.jvm

STOPPED = "is stopped (SIGSTOP or a debugger)"


@pytest.fixture
def stopped_server(shell: InteractiveShell, home: Path) -> Iterator[int]:
    """A running server, then SIGSTOPped; resumed (if still there) afterwards for clean-up."""
    assert run(shell, "%spark start").error is None
    pid = server(home).pid
    os.kill(pid, signal.SIGSTOP)
    # The signal stops the JVM's threads a moment after kill() returns.
    wait_until(lambda: server(home).stopped(), 10, "the server process is stopped")
    yield pid
    if not gone(pid):
        os.kill(pid, signal.SIGCONT)


# Bounds a regression that hangs (a TCP connect to a stopped server succeeds, then waits).
@pytest.mark.timeout(120)
def test_status_and_start_answer_and_restart_replaces_it(
    shell: InteractiveShell, home: Path, stopped_server: int
) -> None:
    status = run(shell, "%spark status")
    assert status.error is None
    assert STOPPED in status.texts[0]
    assert f"kill -CONT {stopped_server}" in status.texts[0]

    again = run(shell, "%spark start")
    assert isinstance(again.error, StartError), again.shown
    assert STOPPED in str(again.error) and again.error.cause == "not-answering"
    assert "`%spark restart --force` replaces it" in again.texts[0]
    assert "Traceback" not in again.shown
    assert server(home).pid == stopped_server, "a failed attach changes nothing"

    restarted = run(shell, "%spark restart")
    assert restarted.error is None, restarted.shown
    assert gone(stopped_server)
    assert shell.ev("spark.sql('SELECT 6').collect()[0][0]") == 6
    assert java_servers_of(home) == [server(home).pid]


@pytest.mark.timeout(120)
def test_a_server_stopped_while_starting_times_out_clearly(home: Path) -> None:
    outcome: list[BaseException | None] = []

    def start() -> None:
        try:
            sparkconnect.start(timeout=10)
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    starter = threading.Thread(target=start)
    starter.start()
    wait_until(lambda: _core.status(str(home)).state == "starting", 60, "the launch begins")
    pid = server(home).pid
    os.kill(pid, signal.SIGSTOP)
    starter.join(60)
    assert not starter.is_alive(), "the start must time out, not hang"

    error = outcome[0]
    assert isinstance(error, StartError), error
    assert re.search(r"did not open port \d+ within 10 s", str(error))
    assert "was stopped (SIGSTOP or a debugger)" in str(error)
    wait_until(lambda: gone(pid), 15, "the stopped server is gone")
    assert not java_servers_of(home)
    assert _core.status(str(home)).state == "stopped"
