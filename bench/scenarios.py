"""The measurements: each runs real kernels against a real server and returns a Figure.

Times of what a user waits for are measured inside the kernel (perf_counter around the cell's
work), so kernel start-up is not counted for anyone."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

from sparkconnect import _core
from sparkconnect.server import lifecycle
from tests.support.helpers import (
    all_pids,
    cmdline,
    free_port,
    java_servers_of,
    processes_naming,
    wait_until,
)
from tests.support.kernels import Kernel

from .stats import Figure
from .timing import run_timed

SMALL_QUERY = "spark.range(10).count()"
OURS_ATTACH = f"""
get_ipython().run_line_magic("load_ext", "sparkconnect")
get_ipython().run_line_magic("spark", "start")
{SMALL_QUERY}
"""
CLASSIC = f"""
from pyspark.sql import SparkSession
spark = SparkSession.builder.master("local[*]").getOrCreate()
{SMALL_QUERY}
"""
LOCAL_REMOTE = f"""
from pyspark.sql import SparkSession
spark = SparkSession.builder.remote("local[*]").getOrCreate()
{SMALL_QUERY}
"""


@dataclass
class Bench:
    home: Path
    cache: Path
    """XDG_CACHE_HOME of every kernel: where the start-up archive is built and found."""
    runs: int
    notebooks: int
    log_bytes: int
    bare: list[float] = field(default_factory=list)
    """The bare server's launch-to-first-answer samples, measured once, shared by figures."""

    @property
    def env(self) -> dict[str, str]:
        return {"SPARKCONNECT_HOME": str(self.home), "XDG_CACHE_HOME": str(self.cache)}

    @contextmanager
    def kernel(self, cache: Path | None = None) -> Iterator[Kernel]:
        env = self.env if cache is None else {**self.env, "XDG_CACHE_HOME": str(cache)}
        kernel = Kernel(env, quiet=True)
        try:
            yield kernel
        finally:
            kernel.shutdown()

    def bare_samples(self) -> list[float]:
        if not self.bare:
            self.stop_server()
            self.bare = [bare_server_to_first_answer() for _ in range(self.runs)]
        return self.bare

    def stop_server(self) -> None:
        _core.stop(str(self.home), lease_pid=os.getpid(), force=True)

    def ensure_server(self) -> _core.ServerInfo:
        return lifecycle.start({}).server


def rss_mib(pids: list[int]) -> float:
    total_kib = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def java_pids_under(root: int) -> list[int]:
    return [pid for pid in descendants(root) if Path(next(iter(cmdline(pid)), "")).name == "java"]


def load_ext(bench: Bench) -> Figure:
    samples = []
    for _ in range(bench.runs):
        with bench.kernel() as kernel:
            samples.append(
                run_timed(kernel, 'get_ipython().run_line_magic("load_ext", "sparkconnect")')
            )
    return Figure("`%load_ext sparkconnect`, fresh kernel", "s", samples, "≤ 30 ms")


def attach(bench: Bench) -> Figure:
    bench.ensure_server()
    # "Already running" means warm: a fresh server's first query pays its JIT once for everyone.
    with bench.kernel() as kernel:
        run_timed(kernel, OURS_ATTACH)
    ours = []
    for _ in range(bench.runs):
        with bench.kernel() as kernel:
            ours.append(run_timed(kernel, OURS_ATTACH))
    classic = []
    for _ in range(bench.runs):
        with bench.kernel() as kernel:
            classic.append(run_timed(kernel, CLASSIC))
    return Figure(
        "attach: fresh kernel, load + start + small query, server running",
        "s",
        ours,
        "≤ 0.8 s and ≥ 10× faster than classic",
        baseline="classic `getOrCreate()` + query",
        baseline_samples=classic,
    )


def bare_server_to_first_answer() -> float:
    """spark-submit of the server class, timed to its port opening and a first answer (this
    process has pyspark imported already, so the bare figure carries no import cost). A launch
    that dies on its own is not a sample: its log is shown and it is tried once more."""
    for attempt in (1, 2):
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-bare-{os.getpid()}.log"
        try:
            return _bare_once(log)
        except BareServerDied as e:
            print(f"  bare server died (attempt {attempt}): {e}\n{log.read_text()[-2000:]}")
            if attempt == 2:
                raise
        finally:
            log.unlink(missing_ok=True)
    raise AssertionError("unreachable")


class BareServerDied(RuntimeError):
    pass


def _bare_once(log: Path) -> float:
    from pyspark.sql.connect.client.retries import DefaultPolicy
    from pyspark.sql.connect.session import SparkSession

    class UntilExit(DefaultPolicy):  # type: ignore[misc]
        """pyspark's retries, but none once the server has exited (they would last minutes)."""

        def can_retry(self, e: BaseException) -> bool:
            if proc.poll() is not None:
                raise BareServerDied(f"exit status {proc.returncode}") from e
            return bool(super().can_retry(e))

    port, ui_port = free_port(), free_port()
    while ui_port == port:
        ui_port = free_port()
    token = os.urandom(16).hex()
    conf = log.with_suffix(".properties")
    conf.write_text(
        "spark.master=local[*]\nspark.connect.grpc.binding.address=127.0.0.1\n"
        f"spark.connect.grpc.binding.port={port}\nspark.ui.port={ui_port}\n"
    )
    argv = [
        str(Path(lifecycle.spark_home()) / "bin" / "spark-submit"),
        *("--class", "org.apache.spark.sql.connect.service.SparkConnectServer"),
        *("--properties-file", str(conf), "spark-internal"),
    ]
    env = {**os.environ, "SPARK_CONNECT_AUTHENTICATE_TOKEN": token, "SPARK_LOCAL_IP": "127.0.0.1"}
    began = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        try:
            wait_for_port(port, proc)
        except RuntimeError as e:
            raise BareServerDied(str(e)) from None
        session = SparkSession(connection=f"sc://localhost:{port}/;token={token}")
        session.client.set_retry_policies([UntilExit()])
        session.range(10).count()
        elapsed = time.perf_counter() - began
        session.stop()
        return elapsed
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        conf.unlink()


def archives_in(cache: Path) -> list[Path]:
    return list((cache / "sparkconnect" / "cds").glob("*.jsa"))


def kill_builders(cache: Path) -> None:
    """Stops the archive builder of `cache` (and the dump it may start meanwhile)."""
    deadline = time.monotonic() + 10
    while (pids := processes_naming(str(cache))) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)


BARE = "bare `spark-submit` server, launch to first answer"


def cold_starts(bench: Bench, fresh_cache: bool = False) -> list[float]:
    """`runs` cold starts, each in a fresh kernel with no server running. `fresh_cache`: each
    in an empty archive cache (the first start on a machine), its archive builder stopped."""
    samples = []
    for run in range(bench.runs):
        cache = bench.cache.parent / f"first-{run}" if fresh_cache else None
        bench.stop_server()
        with bench.kernel(cache) as kernel:
            samples.append(run_timed(kernel, OURS_ATTACH))
        if cache is not None:
            bench.stop_server()
            kill_builders(cache)
    return samples


def first_cold_start(bench: Bench) -> Figure:
    """The first start ever on a machine: no start-up archive yet."""
    return Figure(
        "first cold start ever: no server, no start-up archive yet",
        "s",
        cold_starts(bench, fresh_cache=True),
        "(once per Java + Spark installation)",
        baseline=BARE,
        baseline_samples=bench.bare_samples(),
    )


def archive_build(bench: Bench) -> Figure:
    """The one-time start-up archive build in the background: from the first server's exit (its
    class list is then complete) to the archive in place. Leaves the archive for what follows."""
    bench.stop_server()
    with bench.kernel() as kernel:
        run_timed(kernel, OURS_ATTACH)
    began = time.perf_counter()
    bench.stop_server()
    wait_until(lambda: archives_in(bench.cache), 900, "the start-up archive is built")
    built = time.perf_counter() - began
    (archive,) = archives_in(bench.cache)
    return Figure(
        "start-up archive: one-time build (background, nice 19)",
        "s",
        [built],
        "(not on any notebook's path)",
        note=f"archive of {archive.stat().st_size / 2**20:.0f} MiB",
    )


def cold_start(bench: Bench) -> Figure:
    """A cold start as users meet it after the first: no server, start-up archive built."""
    assert archives_in(bench.cache), "archive_build runs first"
    return Figure(
        "cold start: no server, load + start + small query",
        "s",
        cold_starts(bench),
        "≤ 0.6× bare server",
        baseline=BARE,
        baseline_samples=bench.bare_samples(),
    )


def local_remote(bench: Bench) -> Figure:
    bench.stop_server()
    ours, theirs = [], []
    for _ in range(bench.runs):
        with bench.kernel() as kernel:
            ours.append(run_timed(kernel, OURS_ATTACH))
        bench.stop_server()
        with bench.kernel() as kernel:
            theirs.append(run_timed(kernel, LOCAL_REMOTE))
            kernel.run("spark.stop()")
    return Figure(
        "cold start vs pyspark's private local server",
        "s",
        ours,
        "(comparison)",
        baseline='`builder.remote("local[*]")` + query',
        baseline_samples=theirs,
    )


def wait_for_port(port: int, proc: subprocess.Popen[bytes] | None = None) -> float:
    """Poll every millisecond; returns the perf_counter time the port first accepted."""
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited before opening its port")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.05):
                return time.perf_counter()
        except OSError:
            time.sleep(0.001)


def readiness(bench: Bench) -> Figure:
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
    return Figure("readiness: port open → start returns", "s", samples, "≤ 50 ms")


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


def status(bench: Bench) -> Figure:
    bench.ensure_server()
    samples = _magic_times("status", 50 * bench.runs)
    return Figure("`%spark status`", "s", samples, "≤ 5 ms")


def logs_on_big_file(bench: Bench) -> Figure:
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
    return Figure(
        "`%spark logs -n 100`", "s", samples, "≤ 10 ms", note=f"log of {size_mib:.0f} MiB"
    )


def memory(bench: Bench) -> Figure:
    bench.stop_server()
    kernels = [Kernel(bench.env, quiet=True) for _ in range(bench.notebooks)]
    try:
        for kernel in kernels:
            run_timed(kernel, OURS_ATTACH)
        ours = rss_mib(java_servers_of(bench.home))
    finally:
        for kernel in kernels:
            kernel.shutdown()
    bench.stop_server()
    kernels = [Kernel(bench.env, quiet=True) for _ in range(bench.notebooks)]
    try:
        for kernel in kernels:
            run_timed(kernel, CLASSIC)
        classic = rss_mib([pid for k in kernels for pid in java_pids_under(k.pid)])
    finally:
        for kernel in kernels:
            kernel.shutdown()
    return Figure(
        f"memory: total RSS of Spark JVMs, {bench.notebooks} notebooks with a session",
        "MiB",
        [ours],
        "≥ 6× less than classic",
        baseline="classic (a JVM per notebook)",
        baseline_samples=[classic],
    )


def _all_at_once(kernels: list[Kernel]) -> float:
    began = time.perf_counter()
    ids = [kernel.submit(OURS_ATTACH) for kernel in kernels]
    for kernel, msg_id in zip(kernels, ids, strict=True):
        if kernel.wait(msg_id) != "ok":
            raise RuntimeError("a concurrent start failed")
    return time.perf_counter() - began


def concurrent_start(bench: Bench) -> Figure:
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
    return Figure(
        f"{bench.notebooks} kernels start at once, cold: all answered",
        "s",
        together,
        "≤ 1.2× one cold start",
        baseline="one kernel, cold",
        baseline_samples=alone,
    )


ALL = [
    load_ext,
    first_cold_start,
    archive_build,
    attach,
    cold_start,
    local_remote,
    readiness,
    status,
    logs_on_big_file,
    memory,
    concurrent_start,
]

__all__ = ["ALL", "Bench", "sys"]
