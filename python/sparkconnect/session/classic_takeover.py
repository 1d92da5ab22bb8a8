"""pyspark's classic entry points serve this process's session.

From the moment this process uses our sessions (the extension is loaded, or the Python API made
one) until the extension is unloaded: the classic builder and `SparkSession.active()` return the
process's session, relative paths mean this process's working directory, and `SparkContext` and
`df.rdd` explain what to write instead. Each patch is applied when pyspark's module is imported
(or now), so nothing here imports pyspark.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from sparkconnect.session import builder, local_paths, no_context

SESSION_MODULE = "sparkconnect.session.notebook_session"


class ClassicTakeover:
    def __init__(self, session: Callable[[], Any]) -> None:
        """`session()`: this process's session, started or attached first when needed."""
        self._session = session
        self._on = False
        self._patched = False

    @property
    def on(self) -> bool:
        """This process uses our sessions: the classic entry points answer for them."""
        return self._on

    def enable(self) -> None:
        if self._on:
            return
        self._on = True
        # pyspark.sql.functions, udf and friends pick the Connect implementation only when this
        # is set (pyspark's own builder sets it the same way for remote sessions); set now, a
        # UDF defined before the session exists is a Connect UDF too.
        os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
        if not self._patched:
            builder.install(lambda: self._on, self._session)
            local_paths.install()
            no_context.install(lambda: self._on, created_here)
            self._patched = True

    def disable(self) -> None:
        """The extension is unloaded: the builder, `SparkSession.active()`, `SparkContext` and
        `df.rdd` behave as pyspark's own again (the patches stay, and defer to them)."""
        self._on = False


def created_here(session: object) -> bool:
    from sparkconnect.session.notebook_session import NotebookSession

    return isinstance(session, NotebookSession)


def issued(value: object) -> bool:
    """Whether `value` is a session this process's sparkconnect made, even one closed since: the
    notebook's `spark` may still hold it, and unloading or loading the extension again must
    recognise it as its own to remove or replace it. Imports nothing: with no session module
    loaded yet, no such session exists."""
    return SESSION_MODULE in sys.modules and created_here(value)
