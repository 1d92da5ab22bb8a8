"""A session on a Spark Connect endpoint someone else runs (`%spark connect`): what differs from
a session on the user's own server, which the session binding (`binding.py`) holds either way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparkconnect.errors import ConnectError
from sparkconnect.server import caller
from sparkconnect.server.remote import Endpoint
from sparkconnect.session import pyspark_internals

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession


def check(session: SparkSession, target: Endpoint) -> None:
    """One round trip, so that a refused token, a TLS mismatch or an incompatible server shows up
    now, in words, and within seconds: pyspark's own policy would retry an unreachable endpoint
    for minutes. Raises ConnectError; the session's own retry policy is put back on success."""
    import warnings

    from sparkconnect.session.rpc_errors import refusal

    try:
        with warnings.catch_warnings(), pyspark_internals.few_retries(session.client):
            # pyspark warns RETRIES_EXCEEDED before raising; the error below says it all.
            warnings.simplefilter("ignore")
            session.version  # noqa: B018
    except Exception as err:
        raise ConnectError(
            refusal(err, target.shown, target.host, has_token=";token=" in target.url)
        ) from None


def make_default(session: SparkSession) -> None:
    """Make `session` pyspark's default and active session (opening one fills those slots only
    when they are empty, and a connect empties them only after the endpoint accepted it)."""
    pyspark_internals.make_default(session)


def no_own_server(target: Endpoint) -> ConnectError:
    """A start asked for while attached to `target`."""
    me = caller.current()
    return ConnectError(
        f"{me.me.capitalize()} is attached to {target.shown}; "
        f"{me.command('stop')} detaches it before it can use its own server."
    )
