"""One process of the start storm (run as a script): a stand-in for a notebook kernel.

Each round the parent writes a line on stdin; the worker answers "ready" and blocks reading one
byte from the shared gate pipe (fd in argv[1]). The parent releases all workers at once with a
single write of one byte per worker; each then starts (or attaches), asks the server for its
version, and prints one JSON line. pyspark is imported up front so rounds measure the
lifecycle, not imports."""

from __future__ import annotations

import json
import os
import sys

import pyspark.sql.connect.session  # noqa: F401  (imported once, before the rounds)

from sparkconnect.session.binding import KERNEL_SESSION


def main() -> None:
    gate = int(sys.argv[1])
    for line in sys.stdin:
        if line.strip() != "round":
            break
        print("ready", flush=True)
        os.read(gate, 1)
        try:
            started = KERNEL_SESSION.start()
            # A real, authenticated round trip in this process's own session (an AnalyzePlan
            # call). Running a query would add seconds per round on a cold JVM and test query
            # execution, which the other suites cover, not the lifecycle.
            report = {
                "ok": True,
                "launched": started.result.launched,
                "pid": started.result.server.pid,
                "version": started.session.version,
                "recorded_version": started.result.server.spark_version,
            }
        except Exception as error:
            report = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
