"""The one watcher of the user's server in the Jupyter server process, feeding every open Lab page.

Pages long-poll (`GET state?since=V`): a request whose version is current waits until the state
changes or WAIT seconds pass. Long-polling rides on plain authenticated requests, as every other
call of JupyterLab does (its token header, any proxy in front of JupyterHub), and the state flows
one way, so it needs neither a websocket nor a stream held open through proxies that buffer.

While at least one page waits, the watcher reads the state every PERIOD seconds: the core's
status read (no lock, a few small files and /proc), so a `%spark stop` in a notebook, a
`sparkconnect start` in a terminal, a killed JVM or the idle stop reach the pages within a
fraction of a second. With no page waiting for LINGER seconds it stops reading altogether.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

PERIOD = 0.2
"""Seconds between two state reads while a page is open."""
WAIT = 10.0
"""Seconds a long-poll waits for a change; its answer then refreshes uptime and memory."""
LINGER = 3.0
"""Seconds the watcher goes on after the last page's request, to span the gap between two."""
VOLATILE_ROWS = ("Uptime", "Memory")
"""Rows that change all the time: not a change worth waking the pages for (the page ticks the
uptime itself; memory comes with each WAIT answer)."""


def stable_part(state: dict[str, Any]) -> dict[str, Any]:
    """What a change of state means: everything but the clock and the ever-moving rows."""
    return {
        **{k: v for k, v in state.items() if k not in ("server_time", "summary")},
        "rows": [row for row in state.get("rows", []) if row[0] not in VOLATILE_ROWS],
    }


class StateWatcher:
    def __init__(self, read: Callable[[], dict[str, Any]]) -> None:
        self._read = read
        self.version = 0
        self.state: dict[str, Any] = {}
        self._stable: dict[str, Any] | None = None
        self._changed = asyncio.Event()
        self._waiting = 0
        self._last_request = 0.0
        self._task: asyncio.Task[None] | None = None

    async def wait(self, since: int | None, timeout: float = WAIT) -> tuple[int, dict[str, Any]]:
        """The state once its version differs from `since` (at once when it does already), or
        after `timeout` seconds."""
        self._waiting += 1
        self._last_request = time.monotonic()
        try:
            if self._task_was_idle():
                # Nobody watched: what the pages were last told may be old news.
                self._task = asyncio.get_running_loop().create_task(self._watch())
                await self.refresh()
            if since != self.version:
                return self.version, self.state
            event = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout)
            if not event.is_set():
                await self.refresh()  # fresh uptime and memory for the page
            return self.version, self.state
        finally:
            self._waiting -= 1
            self._last_request = time.monotonic()

    async def refresh(self) -> None:
        """Read the state now; wake the waiting pages if it changed."""
        state = await asyncio.to_thread(self._read)
        self.state = state
        stable = stable_part(state)
        if stable != self._stable:
            self._stable = stable
            self.version += 1
            self._changed.set()
            self._changed = asyncio.Event()

    def _task_was_idle(self) -> bool:
        return self._task is None or self._task.done()

    async def _watch(self) -> None:
        while self._waiting or time.monotonic() - self._last_request < LINGER:
            await asyncio.sleep(PERIOD)
            await self.refresh()

    @property
    def watching(self) -> bool:
        return not self._task_was_idle()
