"""The server's state as the panel's Status tab and header show it: the shared state (see
render/server_state.py) seen from this notebook, or the remote endpoint it is attached to."""

from __future__ import annotations

import os
from typing import Any

from sparkconnect._core import Status
from sparkconnect.render.server_cards import ui_url
from sparkconnect.render.server_state import server_state as shared_state
from sparkconnect.render.ui_link_option import UI_LINK
from sparkconnect.server import lifecycle
from sparkconnect.session.binding import KERNEL_SESSION


def server_state(status: Status | None = None) -> dict[str, Any]:
    remote = KERNEL_SESSION.remote
    session = KERNEL_SESSION.current
    if remote is not None:
        return {
            "state": "remote",
            "label": f"attached to {remote.shown}",
            "session": session is not None,
            "attached": [],
            "others": 0,
            "rows": [["Endpoint", remote.shown], ["Spark", session.version if session else ""]],
            "ui_url": "",
            "log_path": "",
            "problem": "",
        }
    template = UI_LINK.template
    data = shared_state(
        status or lifecycle.status(), lambda server: ui_url(server, template), me=os.getpid()
    )
    data["session"] = session is not None
    return data
