"""A command typed in a JupyterLab terminal, as a user types it there: the terminal is opened
through Jupyter's REST API and driven over its websocket, and its shell inherits the Jupyter
server's environment."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.request

from tornado.websocket import websocket_connect

from .jupyterlab import JupyterLab

DONE = "__sparkconnect_test_done__"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def in_lab_terminal(lab: JupyterLab, command: str, seconds: float = 120) -> str:
    """What `command` writes in a new JupyterLab terminal (escape codes removed)."""
    name = _terminals(lab, "POST")["name"]
    try:
        return asyncio.run(_drive(lab, name, command, seconds))
    finally:
        _terminals(lab, "DELETE", name)


def _terminals(lab: JupyterLab, method: str, name: str = "") -> dict[str, str]:
    """Jupyter's own terminals API (beside ours, which lab_api.call speaks to)."""
    request = urllib.request.Request(
        f"{lab.url}/api/terminals{'/' + name if name else ''}",
        data=b"{}" if method == "POST" else None,
        headers={"Authorization": f"token {lab.token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        return json.loads(body) if body else {}


async def _drive(lab: JupyterLab, name: str, command: str, seconds: float) -> str:
    url = lab.url.replace("http://", "ws://") + f"/terminals/websocket/{name}?token={lab.token}"
    socket = await websocket_connect(url)
    # The marker is split in the command so that only its output, not its echo, matches.
    half = len(DONE) // 2
    socket.write_message(json.dumps(["stdin", f"{command}; echo '{DONE[:half]}''{DONE[half:]}'\r"]))
    written = ""
    deadline = time.monotonic() + seconds
    while DONE not in written:
        left = deadline - time.monotonic()
        assert left > 0, f"{command!r} did not finish in the terminal: {written!r}"
        message = await asyncio.wait_for(socket.read_message(), left)
        assert message is not None, f"the terminal closed: {written!r}"
        kind, *content = json.loads(message)
        if kind == "stdout":
            written += content[0]
    socket.close()
    return _ANSI.sub("", written).replace("\r", "")
