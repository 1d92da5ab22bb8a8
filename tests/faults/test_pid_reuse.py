"""Pid reuse: a state file whose pid now belongs to an unrelated live process (its start time
differs from the recorded one) is recognised as stale, and that process is never signalled."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect import _core
from tests.support.helpers import STATE_RECORD, run
from tests.support.processes import server

pytestmark = pytest.mark.jvm


def start_time(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


@pytest.fixture
def unrelated() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is not ours to stop, in its own process group like a server."""
    proc = subprocess.Popen(["sleep", "600"], start_new_session=True)
    yield proc
    proc.kill()
    proc.wait()


def record_dead_server_with_pid(home: Path, pid: int) -> None:
    """The state a server leaves when it died and its pid went to another process: the pid
    matches, the recorded start time (the dead server's) does not."""
    _core.resolve_home(str(home))
    state = {
        **STATE_RECORD,
        "pid": pid,
        "pid_start_time": start_time(pid) - 1,
        "log_path": str(home / "server.log"),
    }
    path = home / "server.json"
    path.write_text(json.dumps(state))
    path.chmod(0o600)


def test_status_stop_and_restart_never_signal_a_reused_pid(
    shell: InteractiveShell, home: Path, unrelated: subprocess.Popen[bytes]
) -> None:
    record_dead_server_with_pid(home, unrelated.pid)

    status = run(shell, "%spark status")
    assert "Spark Connect server: stopped" in status.texts[0]
    assert "no longer running" in status.texts[0]

    stopped = run(shell, "%spark stop --force")
    assert "No Spark Connect server was running" in stopped.texts[0]
    assert unrelated.poll() is None
    assert not (home / "server.json").exists()

    record_dead_server_with_pid(home, unrelated.pid)
    restarted = run(shell, "%spark restart")
    assert restarted.error is None, restarted.shown
    assert server(home).pid != unrelated.pid
    assert run(shell, "%spark stop").error is None
    assert unrelated.poll() is None, "the unrelated process was signalled"
