"""`spark` before the server is running: a stand-in that connects on first use."""

from __future__ import annotations

from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.session.binding import KERNEL_SESSION
from sparkconnect.session.client_import import wait_for_client_import


class LazySpark:
    """Stands in for the session until first use, then starts or attaches to the user's server,
    connects, and replaces itself in the notebook's namespace with the real session."""

    __slots__ = ("_shell",)

    def __init__(self, shell: InteractiveShell) -> None:
        object.__setattr__(self, "_shell", shell)

    def materialize(self) -> Any:
        session = KERNEL_SESSION.get()
        namespace = self._shell.user_ns
        if namespace.get("spark") is self:
            namespace["spark"] = session
        return session

    def __getattr__(self, name: str) -> Any:
        # IPython's display machinery and introspection probe for optional hooks; answering them
        # must not launch a JVM. Everything else is real use.
        if name.startswith(("__", "_repr_", "_ipython_")):
            raise AttributeError(name)
        return getattr(self.materialize(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.materialize(), name, value)

    def __dir__(self) -> list[str]:
        wait_for_client_import()  # completion may come while the background import runs
        from pyspark.sql.connect.session import SparkSession

        return dir(SparkSession)

    def __repr__(self) -> str:
        return "<spark: Spark Connect session, connects on first use; `%spark start` connects now>"
