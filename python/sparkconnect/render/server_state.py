"""The server's state as plain data for the two live views: the `%spark panel` widget and the
JupyterLab sidebar. Both draw it with the same view (panel.js); each adds what only it knows
(the panel its notebook's session, the Lab a start failure it saw)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sparkconnect._core import ServerInfo, Status
from sparkconnect.render.display import human_bytes
from sparkconnect.render.server_cards import cached, java_text, masked_url, uptime
from sparkconnect.server import attached_names, lifecycle
from sparkconnect.server.process_memory import resident_bytes

STOPPED_UNEXPECTEDLY = "stopped unexpectedly"


def state_label(status: Status) -> str:
    if status.state == "stopped" and status.problem:
        # The core keeps the state of a server whose process went away without a stop, and says
        # why it ignores it: the user did not stop this one.
        return STOPPED_UNEXPECTEDLY
    return status.state


def no_server(label: str, problem: str = "", log_path: str = "") -> dict[str, Any]:
    """The state with no server to describe (stopped, or unknown when the home is unusable)."""
    return {
        "state": label,
        "label": label,
        "attached": [],
        "others": 0,
        "problem": problem,
        "log_path": log_path,
        "ui_url": "",
        "rows": [],
        "summary": "",
        "started_at": None,
        "server_time": time.time(),
    }


def server_state(
    status: Status, ui_url: Callable[[ServerInfo], str], me: int | None = None
) -> dict[str, Any]:
    """Everything the Status tab shows; cheap enough to build several times a second (a few
    /proc and small-file reads). `me`: the pid of the viewing notebook's kernel, if any."""
    server = status.server
    names = attached_names.names_of(lifecycle.home(), status.attached)
    # `title`: the notebook's path as its kernel knows it, which the Lab opens on a click.
    attached = [{"name": a.short, "title": a.name, "me": a.pid == me} for a in names]
    data = no_server(state_label(status), status.problem or "", status.log_path)
    data.update(attached=attached, others=sum(1 for a in attached if not a["me"]))
    if server is None:
        return data
    memory = resident_bytes(server.pid)
    data.update(
        ui_url=ui_url(server),
        started_at=server.started_at,
        spark_version=server.spark_version,
        master=server.master,
        summary=f"Spark {server.spark_version} · {server.master} · up "
        f"{uptime(time.time() - server.started_at)}",
        rows=[
            ["Spark", server.spark_version],
            ["Java", java_text(server)],
            ["Master", server.master],
            ["Uptime", uptime(time.time() - server.started_at)],
            ["Memory", f"{human_bytes(memory)} resident (server JVM)" if memory else "unknown"],
            ["URL", masked_url(server)],
            ["PID", str(server.pid)],
            ["Log file", server.log_path],
        ],
    )
    held = cached(server)
    if held:
        data["rows"].insert(4, ["Cached", held])  # after Uptime
    return data
