"""The background import of the Connect client (about a second of pandas, pyarrow, grpc and
pyspark), so that `%load_ext` returns at once and the first use of `spark` does not pay for the
import again."""

from __future__ import annotations

import contextlib
import sys
import threading

_client_import: threading.Thread | None = None


def import_client_in_background() -> None:
    """Begin the import on a background thread, unless it ran already. A failing import is left
    for the first session to raise where it matters."""
    global _client_import
    if _client_import is not None or "pyspark.sql.connect.session" in sys.modules:
        return

    def work() -> None:
        with contextlib.suppress(Exception):
            import pyspark.sql.connect.session  # noqa: F401

    _client_import = threading.Thread(target=work, name="sparkconnect-import", daemon=True)
    _client_import.start()


def wait_for_client_import() -> None:
    """Wait until the background import is done. Whoever imports pyspark (or pandas, pyarrow,
    ...) while it runs must wait first: two threads importing one cyclic package graph from
    different ends can each hold a module the other needs, and Python then breaks the tie by
    handing one of them a partly initialised module (an AttributeError far from the cause)."""
    thread = _client_import
    if thread is not None and thread is not threading.current_thread():
        thread.join()
