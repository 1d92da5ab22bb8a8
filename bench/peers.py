"""The alternatives a user weighs sparkconnect against, each as what a fresh notebook runs to its
first answer, and how to find and stop the server it leaves behind.

- pyspark's own server reuse (pyspark 4.3+, `spark.local.connect.reuse`): one long-lived local
  Connect server per user, started by the first process that asks and found by later ones
  through a discovery file. The bench points that file into its own temporary directory
  (`SPARK_LOCAL_CONNECT_DISCOVERY`), so it never meets the user's own server.
- classic PySpark: a JVM driver in every notebook.
- pyspark's private local Connect server (`builder.remote("local[*]")`): a server per process,
  on the fixed port 15002, so a second notebook cannot have one at the same time.
- the bare server: `spark-submit` of the Connect server class, timed from this process.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

SMALL_QUERY = "spark.range(10).count()"
AGGREGATE = 'spark.range(10**6).selectExpr("id % 7 AS k").groupBy("k").count().collect()'
"""A user's small aggregate; its shape is none of the warm-up's own queries."""
LOAD = 'get_ipython().run_line_magic("load_ext", "sparkconnect")'
START = 'get_ipython().run_line_magic("spark", "start")'
WARM_UP_OFF = 'get_ipython().run_line_magic("config", "SparkConnect.warm_up = False")'
OURS = f"{LOAD}\n{START}\n{SMALL_QUERY}"
OURS_WARM_UP_OFF = f"{LOAD}\n{WARM_UP_OFF}\n{START}\n{SMALL_QUERY}"
REUSE = f"""
from pyspark.sql import SparkSession
spark = (
    SparkSession.builder.remote("local[*]")
    .config("spark.local.connect.reuse", "true")
    .getOrCreate()
)
{SMALL_QUERY}
"""
CLASSIC = f"""
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[*]").getOrCreate()
{SMALL_QUERY}
"""
LOCAL_REMOTE = f"""
from pyspark.sql import SparkSession
spark = SparkSession.builder.remote("local[*]").getOrCreate()
{SMALL_QUERY}
"""
CLIENT_IMPORT = "import pyspark.sql.connect.session"
"""What every Connect client pays first, alone: the floor of an attach."""


@dataclass
class Peer:
    """One alternative's headline figures, as the comparison table and chart show them."""

    key: str
    short: str
    """For the chart's axis."""
    label: str
    cold: list[float] = field(default_factory=list)
    """Fresh process, no server running, to its first answer (seconds)."""
    attach: list[float] = field(default_factory=list)
    """Fresh process, a server running, to its first answer (seconds)."""
    prestarted: list[float] = field(default_factory=list)
    """A kernel's first Spark cell, typed some seconds after the kernel started, no server
    running before: only ours can start one meanwhile (`enable --prestart`)."""
    memory_mib: float | None = None
    """Total RSS of the Spark JVMs while the bench's notebooks each hold a session."""
    note: str = ""
    """Why a figure is missing (e.g. the peer cannot share a server)."""
    shares: bool = True
    """False: every notebook starts its own JVM, so attaching is a cold start."""

    @property
    def attached(self) -> list[float]:
        """What a notebook waits for when a server runs already."""
        return self.attach if self.shares else self.cold

    @property
    def first_cell(self) -> list[float]:
        """What a notebook's first Spark cell waits for when no server ran at its start: a
        peer starts nothing before the cell asks, so its cold start."""
        return self.prestarted or self.cold


def peers() -> dict[str, Peer]:
    reuse_note = "" if reuse_available() else f"not in pyspark {version('pyspark')}"
    return {
        "ours": Peer("ours", "sparkconnect", "sparkconnect"),
        "reuse": Peer(
            "reuse",
            "pyspark reuse",
            "pyspark reuse (`spark.local.connect.reuse`)",
            note=reuse_note,
        ),
        "classic": Peer(
            "classic",
            "classic",
            "classic PySpark (a JVM per notebook)",
            note="no sharing: attach = cold",
            shares=False,
        ),
        "local": Peer(
            "local",
            'remote("local[*]")',
            'pyspark `remote("local[*]")` (a server per process)',
            note="no sharing: attach = cold; a second notebook fails (port 15002 taken)",
            shares=False,
        ),
        "bare": Peer(
            "bare",
            "bare server",
            "bare `spark-submit` server (timed from a process with pyspark imported)",
        ),
    }


def reuse_available() -> bool:
    return importlib.util.find_spec("pyspark.sql.connect.local_server") is not None


def reuse_discovery(directory: Path) -> Path:
    return directory / "connect-local.json"


def reuse_server_pid() -> int | None:
    """The pid pyspark recorded for its reuse server (spark-daemon.sh's pid file: the JVM)."""
    path = os.environ.get("SPARK_LOCAL_CONNECT_DISCOVERY")
    if path is None:
        return None
    try:
        return int(json.loads(Path(path).read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def stop_reuse_server() -> None:
    """Stop pyspark's reuse server the way its docs say, then wait until the JVM is gone (its
    --stop only sends SIGTERM), so the next cold start really is one."""
    if not reuse_available():
        return
    from pyspark.sql.connect.local_server import stop_local_connect_server

    pid = reuse_server_pid()
    stop_local_connect_server()
    if pid is None:
        return
    deadline = time.monotonic() + 30
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
