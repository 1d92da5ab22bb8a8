"""Start-up hook of the Python processes a notebook starts (`!python job.py`, `subprocess`): the
token of the notebook's Spark Connect server goes to that server and nowhere else.

A notebook with a session exports its server's URL in `SPARK_REMOTE`, without the token (pyspark
quotes `SPARK_REMOTE` in some error messages), and the same URL with the token in
`SPARKCONNECT_CHILD_REMOTE`. pyspark's own token variable, `SPARK_CONNECT_AUTHENTICATE_TOKEN`, is
not used: pyspark's client sends it to every endpoint whose URL has no token of its own, so a
`.remote("sc://localhost:15002")` typed in a script would hand it to whatever listens there.

`_sparkconnect_token_scope.pth`, next to this file, calls `install()` when a process starts with
that variable set (and costs one lookup in `os.environ` when it is not). Once pyspark's Connect
client module is imported, a channel to exactly that endpoint (host and port) whose URL names no
token gets the notebook's token; every other channel is left to pyspark's own rules.

A module of its own, outside the sparkconnect package: importing the package takes about a tenth
of a second, which every Python process a notebook starts (`!pip list` too) would pay.
"""

from __future__ import annotations

import os

from _sparkconnect_import_hook import when_imported

# Only for the type checker: `typing` would cost every such process milliseconds at start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

VARIABLE = "SPARKCONNECT_CHILD_REMOTE"
CLIENT = "pyspark.sql.connect.client.core"
"""Defines `DefaultChannelBuilder` (pyspark 4.0 to 4.3 alike), which turns a URL into a channel. The
names used here are listed in sparkconnect/session/pyspark_internals.py (TOKEN_SCOPE)."""
TOKEN = "token"


def install() -> None:
    """Scope the token of `VARIABLE` to its endpoint in pyspark's client, when it is imported."""
    when_imported(CLIENT, scope)


def scope(module: ModuleType) -> None:
    """Give channels to the endpoint of `VARIABLE` its token. A value that is not a Spark
    Connect URL with a token, or a pyspark without these names, leaves pyspark as it is: a
    start-up hook must never break a process, and without the token our server refuses the
    channel with pyspark's own UNAUTHENTICATED error."""
    try:
        builder_class = module.DefaultChannelBuilder
        # Parsed by pyspark itself, so both endpoints are spelt the same way.
        ours = builder_class(os.environ[VARIABLE])
        endpoint, token = ours.endpoint, ours.get(TOKEN)
        original = builder_class.__init__
        # Called by the patched constructor below, where a missing one would fail every channel.
        builder_class.getDefault, builder_class.set  # noqa: B018
    except Exception:
        return

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if self.endpoint == endpoint and self.getDefault(TOKEN, None) is None:
            # A URL parameter as if it had been typed: pyspark's `token` property prefers it to
            # its environment variable and never sends it as gRPC metadata of its own.
            self.set(TOKEN, token)

    builder_class.__init__ = __init__
