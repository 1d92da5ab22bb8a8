"""Where the server works and keeps managed tables: one persistent directory per user.

A JVM cannot change its working directory, and a launched server used to inherit the folder of
whichever notebook launched it: relative paths that reach the server, and Spark's default
`spark-warehouse/`, then depended on that accident, and managed tables seemed to vanish when the
next server was launched from elsewhere. The server now works in a fixed per-user directory and
its warehouse defaults to a folder in it. It is not the per-user home (often RAM-backed and
cleared at logout, and holding the state, token and leases that a relative write must never
reach), but `$XDG_DATA_HOME/sparkconnect`, else `~/.local/share/sparkconnect`.

Notebooks' own relative paths never depend on it: `session/local_paths.py` resolves them against
the notebook's working directory before they are sent.
"""

from __future__ import annotations

import os
from pathlib import Path

WAREHOUSE_KEY = "spark.sql.warehouse.dir"


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME", "")
    # The XDG spec says to ignore a relative value.
    root = Path(base) if os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "sparkconnect"


def warehouse_dir() -> Path:
    return data_dir() / "spark-warehouse"


def defaults() -> dict[str, str]:
    """Conf a launch applies unless the user's conf sets it."""
    return {WAREHOUSE_KEY: str(warehouse_dir())}


def ensure() -> str:
    """Create the directory (0700: tables may hold private data) and return it."""
    path = data_dir()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(path)


def server_cwd(pid: int) -> str | None:
    """The working directory of a running server, as the kernel sees it (None if unreadable)."""
    try:
        return os.readlink(f"/proc/{pid}/cwd")
    except OSError:
        return None
