"""The server's state as the panel's Status tab and header show it (plain data for the widget)."""

from __future__ import annotations

import os
import time
from typing import Any

from sparkconnect._core import Status
from sparkconnect.notebook.progress import human_bytes
from sparkconnect.render.server_cards import masked_url, ui_url, uptime
from sparkconnect.server import attached_names, lifecycle
from sparkconnect.server.process_memory import resident_bytes
from sparkconnect.session.kernel_session import KERNEL_SESSION


def state_label(status: Status) -> str:
    if status.state == "stopped" and status.problem:
        # The core keeps the state of a server whose process went away without a stop, and says
        # why it ignores it: the user did not stop this one.
        return "stopped unexpectedly"
    return status.state


def server_state(status: Status | None = None) -> dict[str, Any]:
    """Everything the Status tab shows; cheap enough to build every second (a few /proc and
    small-file reads)."""
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
    status = status or lifecycle.status()
    server = status.server
    me = os.getpid()
    names = attached_names.names_of(lifecycle.home(), status.attached)
    attached = [{"name": a.short, "title": a.name, "me": a.pid == me} for a in names]
    data: dict[str, Any] = {
        "state": state_label(status),
        "label": state_label(status),
        "session": session is not None,
        "attached": attached,
        "others": sum(1 for a in attached if not a["me"]),
        "problem": status.problem or "",
        "log_path": status.log_path,
        "ui_url": "",
        "rows": [],
    }
    if server is None:
        return data
    memory = resident_bytes(server.pid)
    url = ui_url(server, KERNEL_SESSION.ui_template)
    data.update(
        ui_url=url,
        summary=f"Spark {server.spark_version} · {server.master} · up "
        f"{uptime(time.time() - server.started_at)}",
        rows=[
            ["Spark", server.spark_version],
            ["Master", server.master],
            ["Uptime", uptime(time.time() - server.started_at)],
            ["Memory", f"{human_bytes(memory)} resident (server JVM)" if memory else "unknown"],
            ["URL", masked_url(server)],
            ["PID", str(server.pid)],
            ["Log file", server.log_path],
        ],
    )
    return data
