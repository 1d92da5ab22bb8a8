"""The session object a notebook gets: `stop()` ends the session, not the object.

Classic notebooks end with `spark.stop()`, and code keeps the session in variables and modules.
With classic PySpark a later `getOrCreate()` simply starts over. A plain Connect session object
stays dead instead: every later use fails with [NO_ACTIVE_SESSION]. Here `stop()` ends the
session on the server and, through the owner, the notebook's lease (never the shared server);
the next use of the same object continues in a fresh session, so `spark`, the builder and every
variable that holds the session keep working.

This module imports pyspark, so it is imported only once a session is made.
"""

from __future__ import annotations

from typing import Any, Protocol

from pyspark.sql.connect.client import SparkConnectClient
from pyspark.sql.connect.session import SparkSession

from sparkconnect.errors import NoSparkContextError
from sparkconnect.session import pyspark_internals as internals

_CLIENT = "_sparkconnect_client"
_OWNER = "_sparkconnect_owner"
_ENDED = "_sparkconnect_ended"
_RESUMABLE = "_sparkconnect_resumable"


class Owner(Protocol):
    def end(self, session: NotebookSession) -> None:
        """`stop()` was called."""

    def resume(self, session: NotebookSession) -> None:
        """An ended session is used again: `reopen` it (or raise why it cannot be)."""


class NotebookSession(SparkSession):
    """A Connect session whose `stop()` and next use go through its owner."""

    @classmethod
    def open(cls, url: str, owner: Owner) -> NotebookSession:
        session = cls(connection=url)
        session.__dict__[_OWNER] = owner
        # pyspark's constructor stored its client through the `_client` property below; one
        # that keeps it elsewhere makes a session that stays stopped once stopped, like its own.
        session.__dict__[_RESUMABLE] = internals.usable(
            internals.STOP_RESUME, session, session.client
        )
        internals.make_default(session)
        return session

    @property
    def resumable(self) -> bool:
        """Whether its next use after `stop()` can continue in a fresh session (`reopen`)."""
        return bool(self.__dict__.get(_RESUMABLE))

    def reopen(self, url: str) -> None:
        """Continue in a fresh session on the server at `url`."""
        client = SparkConnectClient(connection=url)
        self.__dict__[_CLIENT] = client
        internals.write(
            internals.SESSION_SESSION_ID, self, internals.read(internals.CLIENT_SESSION_ID, client)
        )
        internals.release_on_close(self, True)
        self.__dict__[_ENDED] = False
        internals.make_default(self)

    # pyspark reads `_client` directly all over the session's methods and from DataFrames; a
    # property is the one place every use passes through.
    @property
    def _client(self) -> SparkConnectClient:
        if _CLIENT not in self.__dict__:
            # A pyspark that never set it (see `open`).
            raise AttributeError(internals.SESSION_CLIENT.attribute)
        if self.__dict__.get(_ENDED):
            self.__dict__[_OWNER].resume(self)
        client: SparkConnectClient = self.__dict__[_CLIENT]
        return client

    @_client.setter
    def _client(self, client: SparkConnectClient) -> None:
        self.__dict__[_CLIENT] = client

    @property
    def ended(self) -> bool:
        """`stop()` ended it and it was not used since."""
        return bool(self.__dict__.get(_ENDED))

    def mark_ended(self) -> None:
        self.__dict__[_ENDED] = True

    @property
    def is_stopped(self) -> bool:
        # Asked by pyspark's getActiveSession and by our own checks: must not resume.
        return self.ended or bool(self.client.is_closed)

    def stop(self) -> None:
        self.__dict__[_OWNER].end(self)

    def shut(self) -> None:
        """pyspark's own stop: release the session on the server and close the channel."""
        SparkSession.stop(self)

    def __getattr__(self, name: str) -> Any:
        if name == "sparkContext":
            raise NoSparkContextError()
        return super().__getattr__(name)
