"""The first use of a new server and of a new kernel, as a user meets them.

- A user starts the server (`%spark start`), reads or types for a moment, then runs a small
  aggregate: the server's warm-up in the background should have made that query as quick as on
  a server that has been running for a long time.
- With the extension enabled at kernel start (`sparkconnect enable`), a user opens a notebook,
  reads for a moment, then runs a first cell that uses `spark`: the client import began when the
  kernel started, so only the attach and the query remain.
- With pre-start on as well (`sparkconnect enable --prestart`) and no server running, a user
  opens a notebook, types for a few seconds, then runs a first Spark cell: the kernel's start-up
  launched the server in the background, so the cell should not pay for the launch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sparkconnect.session import warmup

from .harness import Bench
from .peers import AGGREGATE, LOAD, OURS, SMALL_QUERY, START, WARM_UP_OFF
from .stats import Figure
from .timing import run_timed

PAUSE = 3.0
"""Seconds between `%spark start` and the query: a user reading the start card, typing."""
AUTOLOAD_PAUSE = 2.0
"""Seconds between the kernel being ready and its first cell."""
PRESTART_PAUSE = 5.0
"""Seconds between a pre-starting kernel being ready and its first cell: a user typing."""
LONG_PRESTART_PAUSE = 10.0
"""A longer pause, to show how long the pre-start needs to hide the server's whole cold start
(its start and first query) on this machine."""


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


def _enabled_dir(bench: Bench, name: str, *flags: str) -> Path:
    """An IPYTHONDIR where `sparkconnect enable --user [flags]` ran."""
    path = bench.root / name
    subprocess.run(
        [sys.executable, "-m", "sparkconnect", "enable", "--user", *flags],
        env={**os.environ, **bench.env, "IPYTHONDIR": str(path)},
        check=True,
        capture_output=True,
    )
    return path


def _first_cell_after(bench: Bench, ipython_dir: Path, pause: float) -> float:
    """No server running: a kernel starts, the user types for `pause` seconds, then the first
    Spark cell, timed inside the kernel."""
    bench.stop_server()
    with bench.kernel(IPYTHONDIR=str(ipython_dir)) as kernel:
        time.sleep(pause)
        return run_timed(kernel, SMALL_QUERY)


def prestart(bench: Bench) -> list[Figure]:
    """Auto-loaded kernels with pre-start on and off, no server running at their start: the
    first Spark cell after a pause, and the kernel's own start to ready (the pre-start's
    launch, under way meanwhile, must not slow it)."""
    bench.need_archive()
    on = _enabled_dir(bench, "ipython-prestart", "--prestart")
    off = _enabled_dir(bench, "ipython-no-prestart")
    first_on, first_off, first_on_long, ready_on, ready_off = [], [], [], [], []
    for _ in range(bench.runs):
        first_on.append(_first_cell_after(bench, on, PRESTART_PAUSE))
        first_off.append(_first_cell_after(bench, off, PRESTART_PAUSE))
        first_on_long.append(_first_cell_after(bench, on, LONG_PRESTART_PAUSE))
        bench.stop_server()
        ready_off.append(_startup_seconds(bench, IPYTHONDIR=str(off)))
        ready_on.append(_startup_seconds(bench, IPYTHONDIR=str(on)))
        bench.stop_server()  # waits for the pre-start's launch (the lock), then stops it
    bench.stop_server()
    bench.peers["ours"].prestarted = first_on
    pause = f"{PRESTART_PAUSE:.0f} s pause"
    return [
        Figure(
            f"first `spark` cell of a pre-starting kernel (`enable --prestart`), {pause}, "
            "no server running at its start",
            "s",
            first_on,
            "≤ 1.0 s",
            baseline=f"the same without pre-start (the cell launches the server), {pause}",
            baseline_samples=first_off,
        ),
        Figure(
            "first `spark` cell of a pre-starting kernel, "
            f"{LONG_PRESTART_PAUSE:.0f} s pause, no server running at its start",
            "s",
            first_on_long,
            "≤ 1.0 s",
        ),
        Figure(
            "kernel start to ready, pre-start on (launch under way)",
            "s",
            ready_on,
            "(as fast as without)",
            baseline="kernel start to ready, auto-loaded, pre-start off",
            baseline_samples=ready_off,
        ),
    ]
