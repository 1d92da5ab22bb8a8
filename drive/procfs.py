"""Processes as /proc shows them: their command lines and parents, and the Spark Connect server
JVMs among them."""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


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


def processes_naming(text: str) -> list[int]:
    """Pids of live processes with `text` in their argv (e.g. a directory only they use)."""
    return [pid for pid in all_pids() if any(text in arg for arg in cmdline(pid))]


def kill_processes_naming(text: str) -> None:
    """SIGKILL what still runs with `text` in its argv (start-up archive builders of a cache)."""
    for pid in processes_naming(text):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
