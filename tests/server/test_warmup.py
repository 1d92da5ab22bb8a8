"""The background warm-up of a freshly launched server, against a real server and real kernels:
it runs (its jobs carry the warm-up tag), out of sight (no lease, no progress in the notebook,
none of the notebook's own jobs), cleans up after itself (its session is released, nothing left
in the log above INFO), lets the idle watchdog stop the server afterwards, can be switched off,
and also follows a start from the terminal command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drive.kernels import Kernel
from drive.procfs import cmdline, processes_naming
from drive.waiting import wait_until
from sparkconnect import _core
from sparkconnect.session.warmup import TAG
from tests.support.spark_ui import Job, jobs

pytestmark = pytest.mark.jvm

# The warm-up's release is read from the server's INFO lines about sessions, which its default
# log settings leave out: these servers log everything.
ALL_LOGS = "--conf spark.log.level=INFO"
_SESSION_OF_TAG = re.compile(rf"_Session_([0-9a-f-]+)_Tag_{TAG}$")


def warmup_session(job: Job) -> str | None:
    """The session id of a warm-up job, None for anyone else's."""
    for tag in job.tags:
        found = _SESSION_OF_TAG.search(tag)
        if found:
            return found.group(1)
    return None


def all_jobs(home: Path) -> list[Job]:
    """The server's jobs; a driver too busy to answer in time is asked again."""
    answer: list[Job] = []

    def answered() -> bool:
        try:
            answer[:] = jobs(home)
        except OSError:
            return False
        return True

    wait_until(answered, 120, "the Spark UI lists the jobs")
    return answer


def released(home: Path, session_id: str) -> bool:
    log = (home / "server.log").read_text(errors="replace")
    return (
        re.search(rf"Closing session with userId: .* and sessionId: {session_id}", log) is not None
    )


def warmed_up(home: Path) -> set[str]:
    """Waits until warm-up jobs ran and their session was released; returns its session ids."""
    found: set[str] = set()

    def done() -> bool:
        listed = all_jobs(home)
        found.clear()
        found.update(s for job in listed if (s := warmup_session(job)) is not None)
        running = [job for job in listed if job.status == "RUNNING" and warmup_session(job)]
        return bool(found) and not running and all(released(home, s) for s in found)

    wait_until(done, 120, "the warm-up has run and released its session")
    return found


def problems_in_log(home: Path) -> list[str]:
    lines = (home / "server.log").read_text(errors="replace").splitlines()
    return [line for line in lines if _core.line_level(line) in ("WARN", "ERROR", "FATAL")]


def helpers_of(info: _core.ServerInfo) -> list[int]:
    return [
        pid
        for pid in processes_naming("sparkconnect.session.warmup")
        if str(info.pid) in cmdline(pid)
    ]


def server(home: Path) -> _core.ServerInfo:
    info = _core.status(str(home)).server
    assert info is not None
    return info


def test_a_notebook_launch_warms_the_server_up_out_of_sight(home: Path) -> None:
    kernel = Kernel({"SPARKCONNECT_HOME": str(home)})
    try:
        started = kernel.run(f"%load_ext sparkconnect\n%spark start --idle-timeout 3 {ALL_LOGS}")
        assert started.status == "ok", started.text
        warnings_before = problems_in_log(home)
        # While the warm-up runs: the notebook's next cell shows no progress of it.
        pause = kernel.run("import time; time.sleep(1.5)")
        assert not [o for o in pause.outputs if "sparkconnect" in o.data.get("text/html", "")]
        mine = kernel.run("print(spark.session_id)").text.strip()

        sessions = warmed_up(home)
        assert mine not in sessions
        # Named as ours in the Spark UI, not by the start of a plan.
        warm_ups = [job for job in all_jobs(home) if warmup_session(job)]
        assert warm_ups and {job.description for job in warm_ups} == {"sparkconnect warm-up"}
        assert not [job for job in all_jobs(home) if job.of_session(mine)], "ran as the notebook"
        assert _core.status(str(home)).attached == [kernel.pid], "counted as a notebook"
        assert problems_in_log(home) == warnings_before

        # Switched off, a restart launches a server that nobody warms up.
        assert kernel.run("%config SparkConnect.warm_up = False").status == "ok"
        restarted = kernel.run("%spark restart --idle-timeout 3\nspark.range(3).count()")
        assert restarted.status == "ok", restarted.text
        time.sleep(2)
        listed = all_jobs(home)
        assert listed, "the notebook's own query ran"
        assert not [job for job in listed if warmup_session(job)], "warmed up though off"
        pid = server(home).pid
    finally:
        kernel.shutdown()
    # Nothing of the warm-up keeps the server busy: the idle watchdog stops it.
    wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 60, "the idle server stops")


def test_a_terminal_start_warms_the_server_up_from_a_helper(home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sparkconnect", "start", *ALL_LOGS.split()],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert done.returncode == 0, done.stderr
    info = server(home)
    warmed_up(home)
    wait_until(lambda: not helpers_of(info), 60, "the helper exits")
    assert _core.status(str(home)).attached == []
    assert "warm-up done" in (home / "warmup.log").read_text()

    no_warm_up = subprocess.run(
        [sys.executable, "-m", "sparkconnect", "restart", "--no-warm-up"],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert no_warm_up.returncode == 0, no_warm_up.stderr
    assert not helpers_of(server(home))
