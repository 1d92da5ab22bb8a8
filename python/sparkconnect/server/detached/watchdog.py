"""`python -m sparkconnect.server.detached.watchdog HOME PID START_TIME IDLE_TIMEOUT`: the idle
watchdog of one Spark Connect server. The core launches it next to a server that has an idle
timeout; the loop itself is in the core (`watch_idle`). It exits when its server is gone, whoever
stopped it.

Beside that loop, a thread looks for what processes killed outright had cached on the server
(server/cache_records.py), as often as the idle loop checks for use, and runs the helper that
releases it (`python -m sparkconnect.session.cache_release`, which imports pyspark: this
process never does, so it stays small and starts fast)."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time

from sparkconnect import _core
from sparkconnect.server import cache_records

log = logging.getLogger("sparkconnect.watchdog")


def check_interval(idle_timeout: float) -> float:
    """The core's idle check interval (idle.rs `check_interval`): a fifth of the timeout, within
    0.2 s and 5 s. A short idle timeout (as tests use) makes dead processes' caches go quickly."""
    return min(max(idle_timeout / 5, 0.2), 5.0)


RELEASE_MODULE = "sparkconnect.session.cache_release"
RELEASE_TIMEOUT = 120.0
"""Bound on one release run (a busy server answers slowly; a hung one not at all)."""
RETRY_AFTER = 60.0


def sweep_caches(home: str, pid: int, start_time: int, every: float) -> None:
    """Until the process ends: when a dead process's cache record waits, release it on the
    server (`pid`, `start_time`). Most rounds read one small directory and find nothing."""
    left: set[tuple[int, int]] = set()
    """Dead owners a release run left behind (the server did not answer): retried only after
    RETRY_AFTER, not every round, each run costing a Python start and a pyspark import."""
    last_run = 0.0
    while True:
        time.sleep(every)
        try:
            dead = {(r.pid, r.start_time) for r in cache_records.read_all(home) if not r.alive}
            if not dead or (dead <= left and time.monotonic() - last_run < RETRY_AFTER):
                continue
            last_run = time.monotonic()
            # Output goes to the watchdog's own log, where this process writes too.
            subprocess.run(
                [sys.executable, "-m", RELEASE_MODULE, home, str(pid), str(start_time)],
                stdin=subprocess.DEVNULL,
                timeout=RELEASE_TIMEOUT,
                check=False,
            )
            left = {(r.pid, r.start_time) for r in cache_records.read_all(home) if not r.alive}
        except Exception as err:  # the idle loop must go on whatever happens here
            log.warning("could not release closed processes' caches: %s", err)


def main(argv: list[str]) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    home, pid, start_time, idle_timeout = argv
    threading.Thread(
        target=sweep_caches,
        args=(home, int(pid), int(start_time), check_interval(float(idle_timeout))),
        name="sparkconnect-cache-sweep",
        daemon=True,
    ).start()
    end = _core.watch_idle(
        home, pid=int(pid), pid_start_time=int(start_time), idle_timeout=float(idle_timeout)
    )
    log.info("watchdog done: %s", end)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
