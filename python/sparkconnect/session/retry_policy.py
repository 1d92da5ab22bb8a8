"""The retry policy of the session bound to the user's server, and what it already told.

`resilience.ServerAwarePolicy` goes on every such session: it fails fast with ServerGoneError
when the server is gone, and renews a session the server closed. It is retired when the session
is let go on purpose (never renewed again); when the server is gone, it stays on the forgotten
session object, so code that still holds it gets ServerGoneError on its next use. A command
failing for a gone server says so in its error: the notice before the next cell is then left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparkconnect._core import ServerInfo


class SessionRetryPolicy:
    def __init__(self) -> None:
        self._policy: Any = None
        self._server: ServerInfo | None = None
        """The server of the policy installed last, until its session is let go."""
        self._told_gone = False

    def install(self, session: Any, server: ServerInfo, on_renew: Callable[[], None]) -> None:
        """Put the policy on `session`, bound to `server`; `on_renew` runs in each fresh session
        it moves to."""
        from sparkconnect.session.resilience import protect

        self._policy = protect(session, server, self._mark_told, on_renew=on_renew)
        self._server = server
        self._told_gone = False

    def retire(self) -> None:
        """The session is let go on purpose: its policy never renews it again."""
        policy, self._policy, self._server = self._policy, None, None
        if policy is not None:
            policy.retire()

    def server_gone(self) -> str | None:
        """The server is gone and its session forgotten: what to tell the user before the next
        cell, unless a command's error said it already."""
        from sparkconnect.session.resilience import gone_message

        server = self._server
        told = self._told_gone
        self._policy = self._server = None
        self._told_gone = False
        return None if told or server is None else gone_message(server, failed=False)

    def _mark_told(self, gone: ServerInfo) -> None:
        """Called when a command failed because `gone` is gone: its error says so, and the next
        cell need not say it again."""
        if self._server is not None and self._server.connect_url() == gone.connect_url():
            self._told_gone = True
