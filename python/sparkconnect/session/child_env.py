"""Scripts the notebook runs (`!python job.py`, `subprocess`, `%run`) reach the same server.

pyspark's convention: with `SPARK_REMOTE` in the environment, `SparkSession.builder.getOrCreate()`
creates a Spark Connect session on that server instead of starting a driver of its own. While
this process has a session, its server's URL is exported there, so child processes inherit it and
each gets a session of its own on the shared server.

`SPARK_REMOTE` has no token: pyspark quotes it in some error messages, and a token must never be
printed. Nor does pyspark's own `SPARK_CONNECT_AUTHENTICATE_TOKEN` get it: pyspark's client sends
that variable to any endpoint whose URL has no token, so a hand-typed `.remote(url)` in the
notebook or a script would hand our token to whoever listens at `url`. The URL with the token goes
in `CHILD_ENV` instead, which only the start-up hook this package installs reads
(`_sparkconnect_token_scope`, run from a `.pth` file in every Python of this environment): in a
child process it gives pyspark the token for channels to exactly that endpoint. A Python without
this package is refused by the server (pyspark's UNAUTHENTICATED error).

Both are withdrawn (the user's own values restored) when the session ends.
"""

from __future__ import annotations

import os

from sparkconnect.server.remote import split_token
from sparkconnect.session import pyspark_internals as internals

REMOTE_ENV = "SPARK_REMOTE"
CHILD_ENV = "SPARKCONNECT_CHILD_REMOTE"
"""The URL with its token, for the start-up hook of child processes (its name is repeated in
wheel-data/purelib/_sparkconnect_token_scope.pth and .py, which cannot import this module)."""

_before: dict[str, str | None] | None = None
"""The user's own values, kept while ours are exported."""


def export(url: str) -> None:
    global _before
    bare, token = split_token(url)
    if _before is None:
        _before = {name: os.environ.get(name) for name in (REMOTE_ENV, CHILD_ENV)}
    os.environ[REMOTE_ENV] = bare
    if token is None:
        os.environ.pop(CHILD_ENV, None)
    else:
        os.environ[CHILD_ENV] = url
        # The hook of the child processes checks the same names, with the same pyspark, and
        # without them leaves pyspark as it is: it cannot say so, this process does.
        internals.usable(internals.TOKEN_SCOPE)


def withdraw() -> None:
    global _before
    if _before is None:
        return
    for name, value in _before.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _before = None
