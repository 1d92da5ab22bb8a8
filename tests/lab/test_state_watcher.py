"""The Lab's state watcher on its own (no Jupyter, no JVM; the state it reads is a dict the test
changes): it reads only while a page waits, wakes waiting pages on a change, and ignores what
moves all the time."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from sparkconnect.web import watcher
from sparkconnect.web.watcher import StateWatcher


class Server:
    def __init__(self) -> None:
        self.state: dict[str, Any] = {"state": "stopped", "rows": [], "server_time": 0.0}
        self.reads = 0

    def read(self) -> dict[str, Any]:
        self.reads += 1
        return {**self.state, "server_time": time.time()}


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher, "PERIOD", 0.02)
    monkeypatch.setattr(watcher, "LINGER", 0.2)


def test_a_change_wakes_the_waiting_page_and_reading_stops_without_pages() -> None:
    async def scenario() -> None:
        server = Server()
        state = StateWatcher(server.read)
        version, shown = await state.wait(None)
        assert shown["state"] == "stopped"

        waiting = asyncio.create_task(state.wait(version, timeout=5))
        await asyncio.sleep(0.1)
        assert not waiting.done()
        server.state = {**server.state, "state": "running"}
        began = time.monotonic()
        new_version, shown = await waiting
        assert new_version != version and shown["state"] == "running"
        assert time.monotonic() - began < 0.5

        await asyncio.sleep(0.4)  # past LINGER with no page waiting
        assert not state.watching
        reads = server.reads
        await asyncio.sleep(0.3)
        assert server.reads == reads, "the core was read with no page open"

        # A page that comes back after a change it could not see is told at once.
        server.state = {**server.state, "state": "stopped"}
        again, shown = await state.wait(new_version, timeout=5)
        assert again != new_version and shown["state"] == "stopped"

    asyncio.run(scenario())


def test_uptime_and_memory_alone_are_no_change() -> None:
    async def scenario() -> None:
        server = Server()
        server.state["rows"] = [["Uptime", "1s"], ["Memory", "300 MiB"], ["Spark", "4.3.0"]]
        state = StateWatcher(server.read)
        version, _ = await state.wait(None)
        server.state["rows"] = [["Uptime", "2s"], ["Memory", "301 MiB"], ["Spark", "4.3.0"]]
        same, shown = await state.wait(version, timeout=0.3)
        assert same == version and shown["rows"][0] == ["Uptime", "2s"]
        server.state["rows"] = [["Uptime", "2s"], ["Memory", "301 MiB"], ["Spark", "4.2.0"]]
        changed, _ = await state.wait(version, timeout=2)
        assert changed != version

    asyncio.run(scenario())
