"""Helpers the tests share: running magics with captured output, running the terminal command,
finding server JVMs and other processes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

STATE_RECORD: dict[str, Any] = {
    "schema": 1,
    "pid": 4242,
    "pid_start_time": 1,
    "port": 15002,
    "ui_port": 4040,
    "token": "0" * 64,
    "master": "local[*]",
    "spark_home": "/nonexistent",
    "spark_version": "4.0.1",
    "java": "/usr/bin/java",
    "python": "/usr/bin/python3",
    "conf": {},
    "log_path": "/nonexistent/server.log",
    "started_at": 1.0,
}
"""A well-formed `server.json` (schema 1) of a server that does not run; tests override fields."""


@dataclass
class CellRun:
    """A cell run on the real shell: its error and everything it showed."""

    error: BaseException | None
    stdout: str
    stderr: str
    texts: list[str]
    """text/plain of every rich output (display() calls)."""
    htmls: list[str]

    @property
    def shown(self) -> str:
        return "\n".join([self.stdout, self.stderr, *self.texts])


def run(shell: InteractiveShell, cell: str) -> CellRun:
    with capture_output() as captured:
        result = shell.run_cell(cell, store_history=False)
    outputs = captured.outputs
    return CellRun(
        error=result.error_in_exec or result.error_before_exec,
        stdout=captured.stdout,
        stderr=captured.stderr,
        texts=[o.data.get("text/plain", "") for o in outputs],
        htmls=[o.data.get("text/html", "") for o in outputs],
    )


def cli(
    *args: str, home: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The `sparkconnect` terminal command in a subprocess, with this process's environment
    (and `home` as its SPARKCONNECT_HOME, when given; `env` on top)."""
    env = {**os.environ, **(env or {})}
    if home is not None:
        env["SPARKCONNECT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "sparkconnect", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def free_port() -> int:
    """A TCP port free on loopback right now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def all_pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (in parentheses) may hold spaces: the fields after it are plain.
    return int(stat.rsplit(")", 1)[1].split()[1])


def java_servers_of(home: Path) -> list[int]:
    """Pids of Spark Connect server JVMs launched for `home` (their argv names its properties
    file). A child of one of them is not another: when a JVM starts a process (a Python worker,
    say), the fork shows the JVM's own argv for a moment, until it runs the new program."""
    marker = str(home)
    found = [
        pid
        for pid in all_pids()
        if any(arg.endswith("java") for arg in cmdline(pid)[:1])
        and "org.apache.spark.sql.connect.service.SparkConnectServer" in cmdline(pid)
        and any(marker in arg for arg in cmdline(pid))
    ]
    return [pid for pid in found if parent_pid(pid) not in found]


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Polls `condition` every 20 ms; fails the test (naming `what`) after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(0.02)


def processes_naming(text: str) -> list[int]:
    """Pids of live processes with `text` in their argv (e.g. a directory only they use)."""
    return [pid for pid in all_pids() if any(text in arg for arg in cmdline(pid))]


def kill_processes_naming(text: str) -> None:
    """SIGKILL what still runs with `text` in its argv (start-up archive builders of a cache)."""
    for pid in processes_naming(text):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
