"""The panel's background thread, and when it may work.

It refreshes the panel a couple of times a second, but only while someone looks: a view of the
panel is shown in a tab that is not hidden. The front end says so (`presence` messages when a view
appears, every few seconds while its tab is visible, and when the tab is hidden or the view goes).
Messages from the front end wait while the kernel runs a cell, so during a cell the last word of
a visible view holds; after it, a view that stopped saying so is taken as gone (a closed browser
tab says nothing). When nobody looks the thread waits on an event: no reads, no messages, no
wake-ups.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

PERIOD = 0.5
"""Seconds between refreshes while the panel is watched."""
STALE = 15.0
"""Seconds after the last presence message (with no cell running) when a view counts as gone;
views say they are there every 5 s."""

log = logging.getLogger(__name__)


class Presence:
    def __init__(self) -> None:
        self._views: dict[str, tuple[bool, float]] = {}
        self._lock = threading.Lock()
        self._cell_running = False
        self.changed = threading.Event()

    @property
    def cell_running(self) -> bool:
        return self._cell_running

    @cell_running.setter
    def cell_running(self, running: bool) -> None:
        # A cell keeps views that were visible when it started watched: wake the thread.
        self._cell_running = running
        self.changed.set()

    def seen(self, view: str, visible: bool) -> None:
        with self._lock:
            self._views[view] = (visible, time.monotonic())
        self.changed.set()

    def gone(self, view: str) -> None:
        with self._lock:
            self._views.pop(view, None)
        self.changed.set()

    def watched(self) -> bool:
        now = time.monotonic()
        with self._lock:
            return any(
                visible and (self._cell_running or now - seen < STALE)
                for visible, seen in self._views.values()
            )


class Refresher:
    def __init__(self, tick: Callable[[], None], presence: Presence) -> None:
        self._tick = tick
        self._presence = presence
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="sparkconnect-panel", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            if not self._presence.watched():
                self._presence.changed.wait()
                self._presence.changed.clear()
                continue
            try:
                self._tick()
            except Exception:  # a failed refresh must not end the panel's updates for good
                log.debug("panel refresh failed", exc_info=True)
            self._stop.wait(PERIOD)

    def stop(self) -> None:
        self._stop.set()
        self._presence.changed.set()
        if self.thread.is_alive() and self.thread is not threading.current_thread():
            self.thread.join(10)
