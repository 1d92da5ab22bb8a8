"""Processes that run detached from whoever starts them (their own session, their own log, and
they outlive it), each `python -m sparkconnect.server.detached.<name>`:

- watchdog: the idle watchdog of one server, started by the core next to a server that has an
  idle timeout (the core's idle.rs);
- archive_builder: builds the start-up archive, started by the core next to the first server
  of a Java and Spark installation (the core's archive.rs);
- prestart: launches the user's server in the background, started by a kernel's start-up.

warmup_launcher starts the warm-up process, which imports pyspark and so lives with the sessions
(`python -m sparkconnect.session.warmup`), as does the cache release the watchdog starts
(`python -m sparkconnect.session.cache_release`). Here, under server/, none of them imports
IPython or pyspark (pyproject.toml's contracts): each stays small and starts fast.

`python_module` below is how the Python side starts one (the core has its own,
`process::spawn_helper`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def python_module(
    module: str, args: list[str], log: Path, *, append: bool
) -> subprocess.Popen[bytes]:
    """`python -m module args...` on this interpreter, in its own session (a kernel restart's
    signal to the kernel's process group does not reach it), with stdout and stderr in `log`
    (0600; `append`: several helpers may write there, else each run starts it afresh)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(log, flags, 0o600)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", module, *args],
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=fd,
            start_new_session=True,
        )
    finally:
        os.close(fd)
