"""The first use of a new server and of a new kernel, as a user meets them.

- A user starts the server (`%spark start`), reads or types for a moment, then runs a small
  aggregate: the server's warm-up in the background should have made that query as quick as on
  a server that has been running for a long time.
- With the extension enabled at kernel start (`sparkconnect enable`), a user opens a notebook,
  reads for a moment, then runs a first cell that uses `spark`: the client import began when the
  kernel started, so only the attach and the query remain.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sparkconnect.session import warmup

from .harness import Bench
from .peers import AGGREGATE, LOAD, OURS, SMALL_QUERY, START, WARM_UP_OFF
from .stats import Figure
from .timing import run_timed

PAUSE = 3.0
"""Seconds between `%spark start` and the query: a user reading the start card, typing."""
AUTOLOAD_PAUSE = 2.0
"""Seconds between the kernel being ready and its first cell."""


def _after_start(bench: Bench, start: str) -> float:
    with bench.kernel() as kernel:
        kernel.run(start)
        time.sleep(PAUSE)
        return run_timed(kernel, AGGREGATE)


def first_query_after_start(bench: Bench) -> list[Figure]:
    """Per round: a cold start with the warm-up, one without it, then a long-warm server."""
    bench.need_archive()
    warmed, unwarmed, warm = [], [], []
    for _ in range(bench.runs):
        bench.stop_server()
        warmed.append(_after_start(bench, f"{LOAD}\n{START}"))
        bench.stop_server()
        unwarmed.append(_after_start(bench, f"{LOAD}\n{WARM_UP_OFF}\n{START}"))
        # Long-warm: a server of its own that ran representative queries many times, but never
        # the measured aggregate, whose generated code would then be cached (a warm server
        # compiles a new query's code too).
        bench.stop_server()
        url = bench.ensure_server().connect_url()
        for _ in range(3):
            warmup.warm(url)
        warm.append(_after_start(bench, f"{LOAD}\n{START}"))
    bench.stop_server()
    name = f"first small aggregate after `%spark start` on a cold server, {PAUSE:.0f} s pause"
    baseline = "the same on a long-warm server"
    return [
        Figure(name, "s", warmed, "≤ 1.3×", baseline=baseline, baseline_samples=warm),
        Figure(
            f"{name}, warm-up off (`SparkConnect.warm_up = False`)",
            "s",
            unwarmed,
            "(what the warm-up saves)",
            baseline=baseline,
            baseline_samples=warm,
        ),
    ]


def _startup_seconds(bench: Bench, **env: str) -> float:
    """Host-side: from starting a kernel process to its answering (jupyter_client's ready)."""
    began = time.perf_counter()
    with bench.kernel(**env):
        return time.perf_counter() - began


def autoload(bench: Bench) -> list[Figure]:
    """Kernels with the extension in their IPython start-up configuration (`sparkconnect
    enable --user` in a fresh IPYTHONDIR), the server running and warm."""
    bench.need_archive()
    enabled, plain = bench.root / "ipython-enabled", bench.root / "ipython-plain"
    plain.mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "sparkconnect", "enable", "--user"],
        env={**os.environ, **bench.env, "IPYTHONDIR": str(enabled)},
        check=True,
        capture_output=True,
    )
    bench.ensure_server()
    bench.fresh(OURS)
    first_cell, with_ext, without = [], [], []
    for _ in range(bench.runs):
        with bench.kernel(IPYTHONDIR=str(enabled)) as kernel:
            time.sleep(AUTOLOAD_PAUSE)
            first_cell.append(run_timed(kernel, SMALL_QUERY))
        with_ext.append(_startup_seconds(bench, IPYTHONDIR=str(enabled)))
        without.append(_startup_seconds(bench, IPYTHONDIR=str(plain)))
    return [
        Figure(
            f"first `spark` cell in an auto-loaded kernel, {AUTOLOAD_PAUSE:.0f} s pause, "
            "server running",
            "s",
            first_cell,
            "≤ 0.35 s",
        ),
        Figure(
            "kernel start to ready, extension auto-loaded",
            "s",
            with_ext,
            "(loading ≤ 30 ms; no JVM)",
            baseline="kernel start to ready, nothing loaded",
            baseline_samples=without,
        ),
    ]
