"""The state every Lab page shows: the server's shared state (render/server_state.py) plus what
only the Jupyter server knows: an action under way from any page, and the last start from the
Lab that failed (its card stays until the server runs)."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from sparkconnect.errors import SparkConnectError
from sparkconnect.render.server_state import server_state
from sparkconnect.render.start_failure import StartFailure
from sparkconnect.server import lifecycle
from sparkconnect.web import uiproxy

FAILED = "failed to start"
UNKNOWN: dict[str, Any] = {
    "state": "unknown",
    "label": "unknown",
    "attached": [],
    "others": 0,
    "log_path": "",
    "ui_url": "",
    "rows": [],
    "summary": "",
    "started_at": None,
}


class LabState:
    def __init__(self, base_url: str, proxied_ui: bool) -> None:
        self.base_url = base_url
        self.proxied_ui = proxied_ui
        """The Spark UI is served at <base_url>sparkui/ (jupyter-server-proxy is installed)."""
        self.busy = ""
        """The action a page asked for and that runs now ("start", "stop-all", ...), or ""."""
        self.failure: StartFailure | None = None

    def ui_url(self, port: int) -> str:
        if self.proxied_ui:
            return url_path_join(self.base_url, uiproxy.PATH, "jobs/")
        return f"http://localhost:{port}/jobs/"

    def read(self) -> dict[str, Any]:
        try:
            status = lifecycle.status()
            data = server_state(status, lambda server: self.ui_url(server.ui_port))
        except SparkConnectError as err:  # the home cannot be used: say why, in the sidebar
            return {**UNKNOWN, "problem": str(err), "busy": self.busy, "failure": None}
        if status.server is not None:
            self.failure = None  # it runs now, whoever started it
        elif self.failure is not None:
            data.update(state=FAILED, label=FAILED)
        data["busy"] = self.busy
        data["failure"] = (
            None
            if self.failure is None
            else {
                "html": self.failure._repr_html_(),
                "text": self.failure.parts()[0],
                "cause": self.failure.cause,
            }
        )
        return data
