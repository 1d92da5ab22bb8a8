"""Starting a helper process that outlives the one starting it (the warm-up, the pre-start)."""

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
