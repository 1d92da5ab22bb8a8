"""`python -m sparkconnect.server.detached.archive_builder CLASS_LIST PID START_TIME`: builds the
start-up archive (JVM class-data sharing) from the class list the server (PID, START_TIME) is
writing. The core launches it detached and at the lowest CPU priority next to the first server
of a Java and Spark installation; the work itself is in the core (`build_class_archive`)."""

from __future__ import annotations

import logging
import sys

from sparkconnect import _core


def main(argv: list[str]) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    log = logging.getLogger("sparkconnect.archive")
    class_list, pid, start_time = argv
    try:
        archive = _core.build_class_archive(
            class_list, pid=int(pid), pid_start_time=int(start_time)
        )
    except _core.SparkConnectError as e:
        log.warning("no start-up archive: %s", e)
        return 1
    log.info("start-up archive: %s", archive or "nothing to build")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
