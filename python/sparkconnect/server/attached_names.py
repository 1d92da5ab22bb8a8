"""Names of the processes attached to the server, kept next to the core's leases.

The core's leases (`<home>/leases/<pid>`) say which processes are attached, by pid; a pid means
nothing to a user. Each attached notebook also writes `<home>/notebooks/<pid>`: the name a
person knows it by (the notebook's path when a Jupyter server started the kernel) and its Spark
Connect session id, so that the panel can list notebooks by name and `sparkconnect jobs` can tell
whose job is whose. The core never reads these files. They are shown only for pids the core
reports as live lease holders (a lease carries the process start time, which tells a live
notebook from a reused pid), and a file whose process is gone is removed by the next reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sparkconnect import _core

SESSION_NAME_ENV = "JPY_SESSION_NAME"
"""Set by Jupyter servers (JupyterLab, Notebook) on the kernels they start: the notebook path."""


@dataclass(frozen=True)
class Attachment:
    pid: int
    name: str
    """What to call the process: a notebook path, a kernel id, or a program and its pid."""
    session_id: str | None = None
    """The process's Spark Connect session on the server (None before it connected)."""

    @property
    def short(self) -> str:
        """The last part of a path (a notebook's file name); the name itself otherwise."""
        return self.name.rstrip("/").rsplit("/", 1)[-1] or self.name


def _dir(home: str) -> Path:
    return Path(home) / "notebooks"


def process_name(pid: int | None = None, argv: list[str] | None = None) -> str:
    """The name this process is known by: the notebook path a Jupyter server gave its kernel,
    else the kernel id from the connection file on ipykernel's command line, else the program
    and pid."""
    pid = os.getpid() if pid is None else pid
    notebook = os.environ.get(SESSION_NAME_ENV)
    if notebook:
        return notebook
    argv = sys.argv if argv is None else argv
    for word in argv:
        file = word.rsplit("/", 1)[-1]
        if file.startswith("kernel-") and file.endswith(".json"):
            return f"kernel {file[len('kernel-') : -len('.json')]}"
    program = argv[0].rsplit("/", 1)[-1] if argv and argv[0] else "python"
    if program == "-c":  # `python -c CODE`: sys.argv[0] is the option itself
        program = "python -c"
    return f"{program} (pid {pid})"


def register(home: str, pid: int, name: str, session_id: str | None) -> None:
    """Record `pid`'s name (and session), replacing what it had; written atomically, 0600."""
    directory = _dir(home)
    directory.mkdir(mode=0o700, exist_ok=True)
    record = json.dumps({"name": name, "session_id": session_id})
    _core.atomic_write(directory / str(pid), record)


def forget(home: str, pid: int) -> None:
    with contextlib.suppress(OSError):
        (_dir(home) / str(pid)).unlink()


def read(home: str) -> dict[int, Attachment]:
    """Every recorded name by pid; records of processes that are gone are removed."""
    found: dict[int, Attachment] = {}
    try:
        entries = list(_dir(home).iterdir())
    except OSError:
        return found
    for path in entries:
        if not path.name.isdigit():
            continue  # a temporary file being written
        pid = int(path.name)
        if not Path(f"/proc/{pid}").exists():
            forget(home, pid)
            continue
        try:
            record = json.loads(path.read_text())
            name = str(record["name"])
            session = record.get("session_id")
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a record we cannot read is just not shown
        found[pid] = Attachment(pid, name, str(session) if session else None)
    return found


def names_of(home: str, pids: list[int]) -> list[Attachment]:
    """One Attachment per pid, in the same order; unnamed ones (a terminal `sparkconnect start`,
    say) are called by their pid."""
    known = read(home)
    return [known.get(pid, Attachment(pid, f"process {pid}")) for pid in pids]
