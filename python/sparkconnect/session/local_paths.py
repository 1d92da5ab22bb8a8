"""Relative paths in readers and writers mean the notebook's working directory.

With classic PySpark the driver runs in the notebook's process, so `spark.read.csv("data.csv")`
reads the file next to the notebook. On the shared server the JVM resolves a relative path
against its own working directory, and would silently read another notebook's file. So the
client resolves relative paths itself, at the one depth every reader and writer goes through:
where the Connect client turns them into plan messages (`pyspark.sql.connect.plan`: `DataSource`
for `spark.read...` and `spark.readStream...`, `WriteOperation` for `df.write...`,
`WriteOperationV2` for `df.writeTo(...)`, `WriteStreamOperation` for `df.writeStream...`). These
classes and their message fields are the same in pyspark 4.0, 4.1 and 4.3.

- Only sessions this package created and marked (`enable`): never a session the user built for
  another server, nor one attached to an endpoint someone else runs (`%spark connect`).
- Only when the server's default file system is the local one. Classic PySpark on a cluster
  whose default file system is HDFS reads `data.csv` from the user's HDFS home, and so does the
  server: the server is asked once how it qualifies a relative path (`resolves_locally`).
- A path with a scheme (`hdfs:`, `s3a:`, `file:`) or an absolute one is left untouched.
- A reader's paths are resolved when it is called (like `open()`: a DataFrame keeps reading the
  same files after `%cd`); a writer's when it runs.
- With a cluster master, executors on other machines see the resolved `file:` path only where
  that directory is on a shared file system.

SQL text (`SELECT * FROM csv.\\`data.csv\\``, `LOCATION 'x'`) is not rewritten: the server
resolves those against its own working directory.
"""

from __future__ import annotations

import os
import re
import threading
import uuid
from collections.abc import Callable, MutableMapping
from typing import Any

from _sparkconnect_import_hook import when_imported

from sparkconnect.errors import SparkConnectError
from sparkconnect.session import pyspark_internals as internals

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# Options naming a path, compared without case as Spark compares option names.
PATH_OPTIONS = frozenset({"path", "checkpointlocation"})
_MARK = "_sparkconnect_paths"
_CWD = "_sparkconnect_cwd"

_probing = threading.local()
"""`active` while this thread asks the server how it qualifies paths (`resolves_locally`)."""
_verdicts: dict[object, bool] = {}
"""Server identity -> whether it resolves relative paths on the local file system."""


def resolve(path: str, cwd: str) -> str:
    """`path` against `cwd` when it is a relative local path; anything else unchanged."""
    if not path or path.startswith("/") or _SCHEME.match(path):
        return path
    return os.path.normpath(os.path.join(cwd, path))


def resolves_locally(session: Any) -> bool:
    """Ask the server how it qualifies a relative path: the error for a file that does not exist
    names the qualified path (`file:/...` on the local file system, `hdfs://...` on a cluster's).
    One round trip, once per server.

    Nothing of it reaches the user's server log: two paths, not one (for a single path Spark
    first looks for a streaming sink's metadata directory there and, the path missing, logs a
    WARN with a FileNotFoundException stack: FileStreamSink.hasMetadata); run as a query, not
    analysed (the server logs an analysis request's error at ERROR with its stack, a query's at
    INFO, which its default log settings leave out: src/log_settings.rs)."""
    probe = f"__sparkconnect_probe_{uuid.uuid4().hex}__"
    _probing.active = True  # the probe's own paths must reach the server as written
    try:
        session.read.text([probe, f"{probe}2"]).limit(0).collect()
    except SparkConnectError:
        raise  # the server is gone: the caller's own request says so
    except Exception as err:
        parameters = getattr(err, "getMessageParameters", lambda: None)() or {}
        return str(parameters.get("path", "")).startswith("file:")
    finally:
        _probing.active = False
    return False


def enable(session: Any, server: object) -> None:
    """Resolve relative paths for this session's plans, when `server` (an identity: its pid and
    start time) resolves them locally."""

    def decide() -> bool:
        if server not in _verdicts:
            _verdicts[server] = resolves_locally(session)
        return _verdicts[server]

    setattr(session.client, _MARK, decide)


def _cwd_for(client: Any, cwd: str | None) -> str | None:
    decide: Callable[[], bool] | None = getattr(client, _MARK, None)
    if decide is None or getattr(_probing, "active", False) or not decide():
        return None
    return cwd or os.getcwd()


def _rewrite_options(options: MutableMapping[str, str], cwd: str) -> None:
    for key in list(options):
        if key.lower() in PATH_OPTIONS:
            options[key] = resolve(options[key], cwd)


def _patch(module: Any) -> None:
    # All or nothing: reading relative paths from the notebook's directory while writing them
    # to the server's would be worse than either.
    if not internals.usable(internals.LOCAL_PATHS):
        return

    def source_init(original: Callable[..., None]) -> Callable[..., None]:
        def init(self: Any, *args: Any, **kwargs: Any) -> None:
            original(self, *args, **kwargs)
            setattr(self, _CWD, os.getcwd())

        return init

    def source_plan(original: Callable[..., Any]) -> Callable[..., Any]:
        def plan(self: Any, session: Any) -> Any:
            relation = original(self, session)
            cwd = _cwd_for(session, getattr(self, _CWD, None))
            if cwd is not None:
                read = relation.read.data_source
                resolved = [resolve(path, cwd) for path in read.paths]
                del read.paths[:]
                read.paths.extend(resolved)
                _rewrite_options(read.options, cwd)
            return relation

        return plan

    internals.wrap(internals.SOURCE_INIT, module, source_init)
    internals.wrap(internals.SOURCE_PLAN, module, source_plan)

    def writer(name: internals.Name, field: str, oneof: str | None) -> None:
        def wrapper(command_of: Callable[..., Any]) -> Callable[..., Any]:
            def command(self: Any, session: Any) -> Any:
                message = command_of(self, session)
                cwd = _cwd_for(session, None)
                if cwd is not None:
                    write = getattr(message, field)
                    if oneof is not None and write.WhichOneof(oneof) == "path":
                        write.path = resolve(write.path, cwd)
                    _rewrite_options(write.options, cwd)
                return message

            return command

        internals.wrap(name, module, wrapper)

    writer(internals.WRITE_COMMAND, "write_operation", "save_type")
    writer(internals.WRITE_V2_COMMAND, "write_operation_v2", None)
    writer(internals.WRITE_STREAM_COMMAND, "write_stream_operation_start", "sink_destination")


def install() -> None:
    when_imported(internals.PLAN, _patch)
