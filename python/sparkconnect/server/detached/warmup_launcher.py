"""Starts the warm-up of a freshly launched server as a detached helper process.

The terminal command exits right after a start, so it cannot warm the server up on a thread as a
kernel does; the helper (`python -m sparkconnect.session.warmup`, see that module) does it
instead. Launching it is process work, which is why it lives here and not with the warm-up
itself: the terminal command imports neither sessions nor pyspark."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sparkconnect._core import ServerInfo
from sparkconnect.server import detached as detached_helper
from sparkconnect.server import lifecycle

WARMUP_MODULE = "sparkconnect.session.warmup"


def detached(server: ServerInfo) -> subprocess.Popen[bytes]:
    """Warm `server` up from a helper that outlives this process; it logs to `warmup.log` in
    the home."""
    return detached_helper.python_module(
        WARMUP_MODULE,
        [str(server.pid), str(server.pid_start_time)],
        Path(lifecycle.home()) / "warmup.log",
        append=False,
    )
