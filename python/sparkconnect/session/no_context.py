"""Classic-only APIs (SparkContext, RDDs) explain themselves in one paragraph.

Without this, `SparkContext.getOrCreate()` would quietly start a classic driver JVM inside the
kernel (seconds, half a gigabyte, and none of the notebook's tables), and `df.rdd` would raise
pyspark's terse NOT_IMPLEMENTED. `spark.sparkContext` is answered by the session itself
(`notebook_session.NotebookSession`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from _sparkconnect_import_hook import when_imported

from sparkconnect.errors import NoSparkContextError
from sparkconnect.session import pyspark_internals as internals


def install(active: Callable[[], bool], ours: Callable[[Any], bool]) -> None:
    """`active()`: whether this process uses our sessions now (the extension is loaded or the
    API was used); `ours(session)`: whether a session is one this package created."""

    def patch_context(module: Any) -> None:
        if not internals.usable(internals.NO_CONTEXT):
            return

        def wrapper(original: Any) -> Any:
            def init(self: Any, *args: Any, **kwargs: Any) -> None:
                # pyspark's own `remote("local")` mode starts its server through a classic
                # context and says so with SPARK_LOCAL_REMOTE; that one is not the user's code.
                if active() and "SPARK_LOCAL_REMOTE" not in os.environ:
                    raise NoSparkContextError("`SparkContext(...)` / `SparkContext.getOrCreate()`")
                original(self, *args, **kwargs)

            return init

        internals.wrap(internals.CONTEXT_INIT, module, wrapper)

    def patch_dataframe(module: Any) -> None:
        # A client-only pyspark has no `rdd` at all: that one says so as well.
        if not internals.usable(internals.NO_RDD):
            return
        original = internals.read(internals.DATAFRAME_RDD, module.DataFrame)

        def rdd(self: Any) -> Any:
            if internals.usable(internals.NO_RDD, self) and ours(
                internals.read(internals.DATAFRAME_SESSION, self)
            ):
                raise NoSparkContextError("`df.rdd`")
            return original.__get__(self)

        internals.write(
            internals.DATAFRAME_RDD, module.DataFrame, property(rdd, doc=original.__doc__)
        )

    when_imported(internals.CONTEXT, patch_context)
    when_imported(internals.DATAFRAME, patch_dataframe)
