"""`python -m sparkconnect.server.watchdog HOME PID START_TIME IDLE_TIMEOUT`: the idle watchdog
of one Spark Connect server. The core launches it next to a server that has an idle timeout; the
loop itself is in the core (`watch_idle`). It exits when its server is gone, whoever stopped it."""

from __future__ import annotations

import logging
import sys

from sparkconnect import _core


def main(argv: list[str]) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    home, pid, start_time, idle_timeout = argv
    end = _core.watch_idle(
        home, pid=int(pid), pid_start_time=int(start_time), idle_timeout=float(idle_timeout)
    )
    logging.getLogger("sparkconnect.watchdog").info("watchdog done: %s", end)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
