"""Corrupting the state of a running server leaves no orphan: the next start stops the
unrecorded JVM before launching. (The state files of no server: tests/server/test_state_file.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from drive.waiting import wait_until
from tests.support.helpers import run
from tests.support.processes import gone, server


@pytest.mark.jvm
def test_start_over_a_corrupted_running_state_leaves_one_server(
    shell: InteractiveShell, home: Path
) -> None:
    assert run(shell, "%spark start").error is None
    first = server(home).pid
    (home / "server.json").write_bytes(b"{ truncated")

    result = run(shell, "%spark start")
    assert result.error is None, result.shown
    wait_until(lambda: gone(first), 15, "the unrecorded server is stopped")
    assert java_servers_of(home) == [server(home).pid]
    assert shell.ev("spark.sql('SELECT 9').collect()[0][0]") == 9
