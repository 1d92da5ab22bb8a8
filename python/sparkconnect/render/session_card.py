"""`spark` as a cell's last value: a short card (server, Spark, master, session, Spark UI), as a
classic notebook shows its session's summary, instead of `<NotebookSession at 0x…>`."""

from __future__ import annotations

from typing import Protocol

from sparkconnect._core import ServerInfo
from sparkconnect.render.display import Card, Row
from sparkconnect.render.server_cards import masked_url, ui_row
from sparkconnect.server import caller
from sparkconnect.server.remote import Endpoint


class Described(Protocol):
    """What the card reads of a session (the session layer's NotebookSession)."""

    @property
    def ended(self) -> bool: ...
    @property
    def session_id(self) -> str: ...


def session_card(
    session: Described,
    server: ServerInfo | None,
    remote: Endpoint | None,
    ui_template: str,
) -> Card:
    """`server`: the user's server the session is on; `remote`: the endpoint it is on instead;
    neither: a session this notebook no longer holds. Asks the server nothing (a repr must not
    hang or fail), so the Spark version is the one the server recorded at its start."""
    status = caller.current().command("status")
    if session.ended:
        return Card(
            "Spark Connect session: ended",
            [Row("Session", session.session_id)],
            kind="session",
        ).note("`spark.stop()` ended it; its next use continues in a fresh session.")
    if remote is not None:
        return Card(
            "Spark Connect session",
            [Row("Server", remote.shown), Row("Session", session.session_id)],
            kind="session",
        ).note("On an endpoint someone else runs (`%spark connect`).")
    if server is None:
        return Card(
            "Spark Connect session: not this notebook's any more",
            [Row("Session", session.session_id)],
            kind="session",
        ).note(f"Its server was stopped or replaced; `spark` is the current session ({status}).")
    return Card(
        "Spark Connect session",
        [
            Row("Server", f"{masked_url(server)} (pid {server.pid})"),
            Row("Spark", server.spark_version),
            Row("Master", server.master),
            Row("Session", session.session_id),
            ui_row(server, ui_template),
        ],
        kind="session",
    ).note(f"{status} shows the server's conf, notebooks, log and more.")
