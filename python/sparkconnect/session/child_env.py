"""Scripts the notebook runs (`!python job.py`, `subprocess`, `%run`) reach the same server.

pyspark's convention: with `SPARK_REMOTE` in the environment, `SparkSession.builder.getOrCreate()`
creates a Spark Connect session on that server instead of starting a driver of its own. While
this process has a session, its server's URL is exported there, so child processes inherit it and
each gets a session of its own on the shared server.

The token goes in `SPARK_CONNECT_AUTHENTICATE_TOKEN`, which pyspark's client reads when the URL
has none (Spark 4.0 and later), not in the URL: pyspark quotes `SPARK_REMOTE` in some of its
error messages, and a token must never be printed. Both are withdrawn (the user's own values
restored) when the session ends, so a later attach to another endpoint never sends this token.
"""

from __future__ import annotations

import os

from sparkconnect.server.remote import split_token

REMOTE_ENV = "SPARK_REMOTE"
TOKEN_ENV = "SPARK_CONNECT_AUTHENTICATE_TOKEN"

_before: dict[str, str | None] | None = None
"""The user's own values, kept while ours are exported."""


def export(url: str) -> None:
    global _before
    bare, token = split_token(url)
    if _before is None:
        _before = {name: os.environ.get(name) for name in (REMOTE_ENV, TOKEN_ENV)}
    os.environ[REMOTE_ENV] = bare
    if token is None:
        os.environ.pop(TOKEN_ENV, None)
    else:
        os.environ[TOKEN_ENV] = token


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
