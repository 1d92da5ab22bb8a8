"""In a real terminal (a pseudo-terminal): terminal IPython and the `sparkconnect` command colour
log levels; the same commands writing to a pipe stay plain text."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

from sparkconnect import _core

LOG = """\
26/01/02 10:00:00 INFO SparkContext: Running Spark version 4.3.0
26/01/02 10:00:01 WARN NativeCodeLoader: Unable to load native-hadoop library
26/01/02 10:00:03 ERROR Executor: Exception in task 0.0 in stage 0.0
java.lang.ArithmeticException: divide by zero
"""
YELLOW, RED, RESET = "\x1b[33m", "\x1b[31m", "\x1b[0m"


@pytest.fixture
def log(home: Path) -> Path:
    _core.resolve_home(str(home))
    path = home / "server.log"
    path.write_text(LOG)
    return path


def in_terminal(argv: list[str], env: dict[str, str]) -> str:
    """What `argv` writes to a terminal."""
    main, child = pty.openpty()
    process = subprocess.Popen(argv, stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    chunks = []
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        if not ready:
            process.kill()
            raise AssertionError(f"{argv} wrote nothing for 60 s")
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: the process exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(30) == 0, b"".join(chunks)
    return b"".join(chunks).decode()


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return {**env, "SPARKCONNECT_HOME": str(home), "TERM": "xterm"}


def test_terminal_ipython_colours_log_levels(log: Path, home: Path) -> None:
    code = "%load_ext sparkconnect\n%spark logs"
    shown = in_terminal(
        [sys.executable, "-m", "IPython", "--no-banner", "--colors=NoColor", "-c", code],
        environment(home),
    )
    assert f"{YELLOW}26/01/02 10:00:01 WARN NativeCodeLoader" in shown
    assert f"{RED}26/01/02 10:00:03 ERROR Executor" in shown
    assert f"{RED}java.lang.ArithmeticException: divide by zero{RESET}" in shown
    assert "\x1b[" not in shown.split("INFO SparkContext")[1].split("\n")[0]


def test_the_command_colours_in_a_terminal_and_not_in_a_pipe(log: Path, home: Path) -> None:
    argv = [sys.executable, "-m", "sparkconnect", "logs", "-n", "10"]
    assert f"{YELLOW}26/01/02 10:00:01 WARN" in in_terminal(argv, environment(home))
    piped = subprocess.run(argv, env=environment(home), capture_output=True, text=True, check=True)
    assert piped.stdout == LOG
