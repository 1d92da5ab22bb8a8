"""Processes around a server: notebook-like Python processes, the lock, the recorded server,
whether a pid is gone, idle watchdogs (fault and bad-input tests)."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from drive.procfs import all_pids, cmdline
from sparkconnect import _core


def python(code: str, home: Path, **kwargs: object) -> subprocess.Popen[str]:
    """A separate Python process (a stand-in for a notebook kernel) using `home`."""
    env = {**os.environ, "SPARKCONNECT_HOME": str(home)}
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-c", textwrap.dedent(code)], env=env, text=True, **kwargs
    )


def lock_is_free(home: Path) -> bool:
    """Whether nobody holds the lifecycle lock right now (one non-blocking try)."""
    with open(home / "server.lock", "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(lock, fcntl.LOCK_UN)
        return True


def server(home: Path) -> _core.ServerInfo:
    info = _core.status(str(home)).server
    assert info is not None, _core.status(str(home)).problem
    return info


def gone(pid: int) -> bool:
    """True when `pid` no longer runs (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def watchdogs_of(home: Path) -> list[int]:
    """Pids of idle watchdogs running for `home`."""
    return [
        pid
        for pid in all_pids()
        if "sparkconnect.server.detached.watchdog" in cmdline(pid) and str(home) in cmdline(pid)
    ]
