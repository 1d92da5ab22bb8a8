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

_CLIENT = "_sparkconnect_client"
_OWNER = "_sparkconnect_owner"
_ENDED = "_sparkconnect_ended"


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
        # Not cls._set_default_and_active_session: it assigns class attributes through `cls`,
        # which would shadow pyspark's slots on this subclass instead of filling them.
        SparkSession._set_default_and_active_session(session)
        return session

    def reopen(self, url: str) -> None:
        """Continue in a fresh session on the server at `url`."""
        client = SparkConnectClient(connection=url)
        self.__dict__[_CLIENT] = client
        self._session_id = client._session_id
        self.release_session_on_close = True
        self.__dict__[_ENDED] = False
        SparkSession._set_default_and_active_session(self)

    # pyspark reads `_client` directly all over the session's methods and from DataFrames; a
    # property is the one place every use passes through.
    @property
    def _client(self) -> SparkConnectClient:
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
        return self.ended or self.__dict__[_CLIENT].is_closed

    def stop(self) -> None:
        self.__dict__[_OWNER].end(self)

    def shut(self) -> None:
        """pyspark's own stop: release the session on the server and close the channel."""
        SparkSession.stop(self)

    def __getattr__(self, name: str) -> Any:
        if name == "sparkContext":
            raise NoSparkContextError()
        return super().__getattr__(name)
