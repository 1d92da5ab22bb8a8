"""One shared Spark Connect server per user, and a Spark Connect session in every notebook.

In a notebook: `%load_ext sparkconnect`, then `%spark start` (or just use `spark`). From Python:

    import sparkconnect
    spark = sparkconnect.start(conf={"spark.sql.shuffle.partitions": "8"})
    sparkconnect.status()
    sparkconnect.stop()
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkconnect import _core
from sparkconnect.api import (
    apply_session_conf,
    conf,
    connect,
    logs,
    restart,
    session,
    start,
    status,
    stop,
)
from sparkconnect.errors import (
    ConfError,
    ConnectError,
    HomeError,
    NoSparkContextError,
    ProfileError,
    ServerGoneError,
    SparkConnectError,
    StartError,
)

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__version__ = _core.__version__
__all__ = [
    "ConfError",
    "ConnectError",
    "HomeError",
    "NoSparkContextError",
    "ProfileError",
    "ServerGoneError",
    "SparkConnectError",
    "StartError",
    "apply_session_conf",
    "conf",
    "connect",
    "load_ipython_extension",
    "logs",
    "panel",
    "restart",
    "session",
    "start",
    "status",
    "stop",
    "unload_ipython_extension",
]


def load_ipython_extension(ipython: InteractiveShell) -> None:
    from sparkconnect.notebook.extension import load

    load(ipython)


def panel() -> object:
    """The live control panel: in Jupyter a widget (end a cell with it to show it), elsewhere the
    status card with a note. Loads the extension into IPython first when needed."""
    from sparkconnect.notebook.extension import panel_for_api

    return panel_for_api()


def unload_ipython_extension(ipython: InteractiveShell) -> None:
    from sparkconnect.notebook.extension import unload

    unload(ipython)
