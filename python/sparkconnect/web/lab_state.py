"""The state every Lab page shows: the server's shared state (render/server_state.py) plus what
only the Jupyter server knows: an action under way from any page, and the last start from the
Lab that failed (its card stays until the server runs)."""

from __future__ import annotations

from typing import Any

from sparkconnect.errors import SparkConnectError
from sparkconnect.render.server_cards import ui_url
from sparkconnect.render.server_state import no_server, server_state
from sparkconnect.render.start_failure import StartFailure
from sparkconnect.server import lifecycle

FAILED = "failed to start"


class LabState:
    def __init__(self) -> None:
        self.busy = ""
        """The action a page asked for and that runs now ("start", "stop-all", ...), or ""."""
        self.failure: dict[str, str] | None = None
        """The card of the last start from the Lab, if it failed (built once, not per read)."""

    def started(self, failure: StartFailure | None) -> None:
        """A start or restart from a page ended: `failure` when it did not start."""
        self.failure = (
            None
            if failure is None
            else {
                "html": failure._repr_html_(),
                "text": failure.parts()[0],
                "cause": failure.cause,
            }
        )

    def read(self) -> dict[str, Any]:
        try:
            status = lifecycle.status()
            # The UI link as the terminal gives it: <base>sparkui/ once web/ set the proxy up.
            data = server_state(status, lambda server: ui_url(server, ""))
        except SparkConnectError as err:  # the home cannot be used: say why, in the sidebar
            return {**no_server("unknown", str(err)), "busy": self.busy, "failure": None}
        if status.server is not None:
            self.failure = None  # it runs now, whoever started it
        elif self.failure is not None:
            data.update(state=FAILED, label=FAILED)
        data.update(busy=self.busy, failure=self.failure)
        return data
