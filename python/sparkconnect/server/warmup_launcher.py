"""Starts the warm-up of a freshly launched server as a detached helper process.

The terminal command exits right after a start, so it cannot warm the server up on a thread as a
kernel does; the helper (`python -m sparkconnect.session.warmup`, see that module) does it
instead. Launching it is process work, which is why it lives here and not with the warm-up
itself: the terminal command imports neither sessions nor pyspark."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sparkconnect._core import ServerInfo
from sparkconnect.server import lifecycle

WARMUP_MODULE = "sparkconnect.session.warmup"


def detached(server: ServerInfo) -> subprocess.Popen[bytes]:
    """Warm `server` up from a helper that outlives this process; it logs to `warmup.log` in
    the home."""
    log_path = Path(lifecycle.home()) / "warmup.log"
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        return subprocess.Popen(
            [sys.executable, "-m", WARMUP_MODULE, str(server.pid), str(server.pid_start_time)],
            stdin=subprocess.DEVNULL,
            stdout=fd,
            stderr=fd,
            start_new_session=True,
        )
    finally:
        os.close(fd)
