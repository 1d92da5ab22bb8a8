"""Helpers the tests share: running magics with captured output, running the terminal command, a
free port, a state record. (Processes and kernels, which the benchmarks use too: drive/.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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
