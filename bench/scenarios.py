"""The measurements of sparkconnect on its own: each runs real kernels against a real server and
returns Figures. The comparisons with the alternatives are in comparison.py, the first use of a
new server or kernel in first_use.py.

Times of what a user waits for are measured inside the kernel (perf_counter around the cell's
work), so kernel start-up is not counted for anyone."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from drive.kernels import Kernel
from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.server import lifecycle

from .harness import (
    Bench,
    archives_in,
    build_archive,
    free_port,
    kill_builders,
    wait_for_port,
)
from .peers import OURS
from .stats import Figure

BARE = "bare `spark-submit` server, launch to first answer"


def load_ext(bench: Bench) -> list[Figure]:
    samples = [
        bench.fresh('get_ipython().run_line_magic("load_ext", "sparkconnect")')
        for _ in range(bench.runs)
    ]
    return [Figure("`%load_ext sparkconnect`, fresh kernel", "s", samples, "≤ 30 ms")]


def first_cold_start(bench: Bench) -> list[Figure]:
    """The first start ever on a machine: each in an empty archive cache, its builder stopped."""
    samples = []
    for run in range(bench.runs):
        cache = bench.root / f"first-{run}"
        bench.stop_server()
        samples.append(bench.fresh(OURS, XDG_CACHE_HOME=str(cache)))
        bench.stop_server()
        kill_builders(cache)
    return [
        Figure(
            "first cold start ever: no server, no start-up archive yet",
            "s",
            samples,
            "(once per Java + Spark installation)",
            baseline=BARE,
            # The same list the cold-start comparison fills later in the run (bare starts are
            # measured there, alternating with the others).
            baseline_samples=bench.peers["bare"].cold,
        )
    ]


def archive_build(bench: Bench) -> list[Figure]:
    """The one-time start-up archive build in the background. Leaves the archive for what
    follows."""
    assert bench.cache is not None
    for archive in archives_in(bench.cache):
        archive.unlink()
    built = build_archive(bench)
    (archive,) = archives_in(bench.cache)
    return [
        Figure(
            "start-up archive: one-time build (background, nice 19)",
            "s",
            [built],
            "(not on any notebook's path)",
            note=f"archive of {archive.stat().st_size / 2**20:.0f} MiB",
        )
    ]


def readiness(bench: Bench) -> list[Figure]:
    samples = []
    for _ in range(bench.runs):
        bench.stop_server()
        port = free_port()
        opened: list[float] = []

        def watch(port: int = port, opened: list[float] = opened) -> None:
            opened.append(wait_for_port(port))

        poller = threading.Thread(target=watch, daemon=True)
        poller.start()
        lifecycle.start({}, port=port)
        returned = time.perf_counter()
        poller.join(timeout=10)
        samples.append(max(0.0, returned - opened[0]))
    bench.stop_server()
    return [Figure("readiness: port open → start returns", "s", samples, "≤ 50 ms")]


def _magic_times(line: str, calls: int) -> list[float]:
    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("sparkconnect")
    samples = []
    for _ in range(calls):
        with capture_output():
            began = time.perf_counter()
            shell.run_line_magic("spark", line)
            samples.append(time.perf_counter() - began)
    return samples


def status(bench: Bench) -> list[Figure]:
    bench.ensure_server()
    samples = _magic_times("status", 50 * bench.runs)
    return [Figure("`%spark status`", "s", samples, "≤ 5 ms")]


def logs_on_big_file(bench: Bench) -> list[Figure]:
    bench.stop_server()
    log = Path(_core.status(str(bench.home)).log_path)
    line = b"26/11/24 12:00:00 INFO DAGScheduler: Job 42 finished: count at <stdin>:1, took 0.1 s\n"
    block = line * (4 * 2**20 // len(line))
    with open(log, "wb") as out:
        for _ in range(max(1, bench.log_bytes // len(block))):
            out.write(block)
    size_mib = log.stat().st_size / 2**20
    samples = _magic_times("logs -n 100", 10 * bench.runs)
    log.unlink()
    return [
        Figure("`%spark logs -n 100`", "s", samples, "≤ 10 ms", note=f"log of {size_mib:.0f} MiB")
    ]


def _all_at_once(kernels: list[Kernel]) -> float:
    began = time.perf_counter()
    ids = [kernel.submit(OURS) for kernel in kernels]
    for kernel, msg_id in zip(kernels, ids, strict=True):
        if kernel.wait(msg_id) != "ok":
            raise RuntimeError("a concurrent start failed")
    return time.perf_counter() - began


def concurrent_start(bench: Bench) -> list[Figure]:
    bench.need_archive()
    alone, together = [], []
    for _ in range(bench.runs):
        bench.stop_server()
        single = [Kernel(bench.env, quiet=True)]
        try:
            alone.append(_all_at_once(single))
        finally:
            single[0].shutdown()
        bench.stop_server()
        kernels = [Kernel(bench.env, quiet=True) for _ in range(bench.notebooks)]
        try:
            together.append(_all_at_once(kernels))
            assert len(java_servers_of(bench.home)) == 1, "concurrent starts made several servers"
        finally:
            for kernel in kernels:
                kernel.shutdown()
    bench.stop_server()
    return [
        Figure(
            f"{bench.notebooks} kernels start at once, cold: all answered",
            "s",
            together,
            "≤ 1.2× one cold start",
            baseline="one kernel, cold",
            baseline_samples=alone,
        )
    ]
