"""Start storm: 16 processes call start at the same moment, 20 rounds. Every round exactly one
server JVM is launched, and all 16 get a working session, with no error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.procfs import java_servers_of
from drive.waiting import wait_until
from sparkconnect import _core

pytestmark = pytest.mark.jvm

WORKERS = 16
ROUNDS = 20
WORKER = Path(__file__).with_name("storm_worker.py")
# Twenty JVM launches dominate this test's time: on top of the cheaper JVM of every test
# (tests/conftest.py), the Spark UI's web server is not started; nothing here needs it.
STORM_CONF = {"spark.ui.enabled": "false"}


@pytest.fixture
def workers(home: Path) -> Iterator[tuple[list[subprocess.Popen[str]], int]]:
    """16 long-lived worker processes sharing one gate pipe (read end passed by fd)."""
    gate_read, gate_write = os.pipe()
    env = {**os.environ, "SPARKCONNECT_HOME": str(home), "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), str(gate_read)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            pass_fds=(gate_read,),
        )
        for _ in range(WORKERS)
    ]
    os.close(gate_read)
    yield procs, gate_write
    os.close(gate_write)
    for proc in procs:
        proc.kill()
        proc.wait()


def test_sixteen_simultaneous_starts_get_one_server(
    workers: tuple[list[subprocess.Popen[str]], int], home: Path
) -> None:
    procs, gate = workers
    _core.save_conf(str(home), STORM_CONF)
    for round_no in range(ROUNDS):
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("round\n")
            proc.stdin.flush()
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        # The barrier: one write releases every worker blocked on the gate.
        os.write(gate, b"x" * WORKERS)
        reports = [json.loads(proc.stdout.readline()) for proc in procs]  # type: ignore[union-attr]

        failures = [r["error"] for r in reports if not r["ok"]]
        assert not failures, f"round {round_no}: {failures}"
        assert all(r["version"] == r["recorded_version"] for r in reports), reports
        assert sum(r["launched"] for r in reports) == 1, f"round {round_no}: {reports}"
        pids = {r["pid"] for r in reports}
        assert len(pids) == 1, f"round {round_no}: several servers {pids}"
        assert java_servers_of(home) == list(pids)
        assert sorted(_core.status(str(home)).attached) == sorted(p.pid for p in procs)

        # Next round starts from nothing again: stop the server for everyone.
        stopped = _core.stop(str(home), lease_pid=os.getpid(), force=True, grace=10.0)
        assert stopped.stopped
        wait_until(lambda: not java_servers_of(home), 30, "the round's JVM is gone")
