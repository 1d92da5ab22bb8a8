"""The exceptions users may see, and how IPython shows them.

The classes live in the Rust core (so the core raises them directly); here they learn to render as
one readable paragraph in IPython and Jupyter instead of a traceback through our own code.
"""

from __future__ import annotations

from sparkconnect._core import ConfError, HomeError, SparkConnectError, StartError

__all__ = [
    "ConfError",
    "ConnectError",
    "HomeError",
    "ProfileError",
    "ServerGoneError",
    "SparkConnectError",
    "StartError",
]


class ProfileError(SparkConnectError, ValueError):
    """The config file cannot be read, or names no such profile, or a profile is malformed."""


class ConnectError(SparkConnectError):
    """A remote Spark Connect endpoint cannot be used: bad URL, no token, nobody answering, or
    the server refused the session."""


class ServerGoneError(SparkConnectError):
    """The server a session was bound to exited, was killed or was replaced; the next use of
    `spark` (or `sparkconnect.session()`) connects again."""


def _render_traceback_(self: BaseException) -> list[str]:
    # IPython calls this instead of formatting a traceback (InteractiveShell.showtraceback); the
    # cell still counts as failed, so "Run All" stops here.
    if getattr(self, "shown_as_card", False):
        # `%spark start` already showed the whole story as a card above; one line will do.
        return [f"{type(self).__name__}: the Spark Connect server did not start (details above)"]
    return [f"{type(self).__name__}: {self}"]


SparkConnectError._render_traceback_ = _render_traceback_  # type: ignore[attr-defined]
