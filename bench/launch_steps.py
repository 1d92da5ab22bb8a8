"""A cold start cut into its steps, to see where the time goes (archive built, no server).

Method: this process calls `lifecycle.start` (the package and pyspark's client already
imported), while a watcher thread polls /proc and the server log about every millisecond:

- our code: the call → the spawn (the state's `started_at`, taken by the core just before it);
- scripts: spark-submit and spark-class (bash, load-spark-env.sh), i.e. the spawn → the server
  JVM's exec (the spawned pid's /proc/<pid>/exe turns into `java`), less the launcher JVM;
- launcher JVM: first → last sight of the `org.apache.spark.launcher.Main` JVM under the
  spawned pid (a grandchild: spark-class runs it in a process substitution);
- after the exec, the server log's lines (second-grained stamps are not used: the watcher notes
  when each line appears): `SparkContext: Running Spark version` (JVM and SparkSubmit up),
  `BlockManager: Initialized BlockManager` (the SparkContext's last start-up line), then
  `SparkConnectService: start GRPC service` (the Spark session and Connect plugin made);
- → gRPC port open (a connect on the port succeeds);
- port open → start returns (readiness seen by the core, the state written);
- first query: `range(10).count()` over a new Connect session (a cold server's JVM warm-up);
- the server JVM's CPU time (all its threads: JIT compilers, collector) when the start returns
  and after the first query: on two cores, the work any scheme must fit in before a cheap first
  answer (what pre-start can hide behind a user's pause).

Each round runs one start through spark-submit (the recorded command removed first) and one
direct start (the command that start recorded), so both see the same load.

The polling costs a little CPU on a 2-core machine (a sleep of 1 ms between polls); it runs the
same way for both launch paths, so it does not favour either. A direct launch (`launch_path`
"direct": the recorded `java` command, no scripts, no launcher) shows 0 for the launcher, and as
"scripts" only the spawn's fork and exec plus the watcher's lag (it learns the pid from the state
file, written right after the spawn): the resolution of that step, a few tens of milliseconds.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from sparkconnect.server import lifecycle

from .harness import Bench, cpu_seconds, free_port
from .stats import Figure

LAUNCHER = "org.apache.spark.launcher.Main"
# Server log lines that end the steps after the exec, in the order the server writes them.
MARKERS = {
    "context_starting": "SparkContext: Running Spark version",
    "context_up": "BlockManager: Initialized BlockManager",
    "grpc_starting": "SparkConnectService: start GRPC service",
}
POLL = 0.001


def _exe(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                text = Path(f"/proc/{pid}/task/{task}/children").read_text()
                found.extend(int(c) for c in text.split())
    return found


def _is_launcher(pid: int) -> bool:
    try:
        return LAUNCHER.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@dataclass
class Timeline:
    """Wall-clock times (time.time()) of what the watcher saw."""

    launcher_first: float | None = None
    launcher_last: float | None = None
    exec_java: float | None = None
    marks: dict[str, float] = field(default_factory=dict)
    port_open: float | None = None
    seen: set[int] = field(default_factory=set)


def _watch_scripts(pid: int, timeline: Timeline, now: float) -> None:
    if Path(_exe(pid)).name == "java":
        timeline.exec_java = now
        return
    todo = _children(pid)
    while todo:
        child = todo.pop()
        if child not in timeline.seen and _is_launcher(child):
            timeline.seen.add(child)
            timeline.launcher_first = timeline.launcher_first or now
        if child in timeline.seen:
            timeline.launcher_last = now
        todo.extend(_children(child))


def _watch(home: Path, port: int, timeline: Timeline, stop: threading.Event) -> None:
    state = home / "server.json"
    pid = 0
    while not stop.is_set() and not pid:
        with contextlib.suppress(OSError, ValueError, KeyError):
            pid = int(json.loads(state.read_text())["pid"])
        time.sleep(POLL)
    log = home / "server.log"
    offset = 0
    while not stop.is_set() and timeline.port_open is None:
        now = time.time()
        if timeline.exec_java is None:
            _watch_scripts(pid, timeline, now)
            time.sleep(POLL)
            continue
        with contextlib.suppress(OSError), log.open("rb") as f:
            f.seek(offset)
            chunk = f.read()
            # Only whole lines count: a line still being written is read on the next round.
            whole = chunk[: chunk.rfind(b"\n") + 1]
            offset += len(whole)
            for name, marker in MARKERS.items():
                if name not in timeline.marks and marker.encode() in whole:
                    timeline.marks[name] = now
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.05):
            timeline.port_open = time.time()
        time.sleep(POLL)


STEPS = [
    "our code: call → spawn",
    "spark-submit/spark-class scripts",
    "launcher JVM",
    "server JVM exec → SparkContext starts",
    "SparkContext starts → up (BlockManager)",
    "SparkContext up → Connect service starts",
    "Connect service starts → gRPC port open",
    "port open → start returns",
    "first query (`range(10).count()`)",
    "total: call → first answer",
]
CPU_STEPS = [
    "server JVM CPU time, start returned",
    "server JVM CPU time, first query answered",
]


def _one(bench: Bench) -> tuple[list[float], str]:
    from pyspark.sql.connect.session import SparkSession

    bench.stop_server()
    port = free_port()
    timeline, stop = Timeline(), threading.Event()
    watcher = threading.Thread(target=_watch, args=(bench.home, port, timeline, stop), daemon=True)
    watcher.start()
    began = time.time()
    try:
        server = lifecycle.start({}, port=port).server
    finally:
        returned = time.time()
        stop.set()
        watcher.join(timeout=5)
    cpu_ready = cpu_seconds(server.pid)
    session = SparkSession(connection=server.connect_url())
    query_began = time.time()
    session.range(10).count()
    answered = time.time()
    cpu_answered = cpu_seconds(server.pid)
    session.stop()
    bench.stop_server()
    spawn = server.started_at
    exec_java = timeline.exec_java or spawn
    if timeline.launcher_first is not None and timeline.launcher_last is not None:
        launcher = timeline.launcher_last - timeline.launcher_first
    else:
        launcher = 0.0
    port_open = timeline.port_open or returned
    # Each mark's time, a missing one counted as the previous one's (its step then shows 0).
    marks, previous = [], exec_java
    for name in MARKERS:
        previous = timeline.marks.get(name, previous)
        marks.append(previous)
    ends = [*marks, port_open]
    steps = [
        spawn - began,
        max(0.0, exec_java - spawn - launcher),
        launcher,
        *(end - start for start, end in zip([exec_java, *marks], ends, strict=True)),
        returned - port_open,
        answered - query_began,
        answered - began,
        cpu_ready,
        cpu_answered,
    ]
    return steps, server.launch_path or "spark-submit"


def _forget_launch_commands(bench: Bench) -> None:
    """Makes the next start go through spark-submit (it records the command again)."""
    assert bench.cache is not None
    for entry in (bench.cache / "sparkconnect" / "launch").glob("*.json"):
        entry.unlink()


def launch_steps(bench: Bench) -> list[Figure]:
    """A cold start step by step, through spark-submit and directly, alternating (see the
    module's docstring for how each step is measured)."""
    bench.need_archive()
    # A first start in this home settles what the next ones find; it is not a sample.
    bench.stop_server()
    lifecycle.start({})
    by_path: dict[str, list[list[float]]] = {
        path: [[] for _ in STEPS + CPU_STEPS] for path in ("spark-submit", "direct")
    }
    for _ in range(bench.runs):
        for forced in (True, False):
            if forced:
                _forget_launch_commands(bench)
            steps, path = _one(bench)
            for column, value in zip(by_path[path], steps, strict=True):
                column.append(value)
    direct, submit = by_path["direct"], by_path["spark-submit"]
    return [
        Figure(
            f"cold start step: {name}",
            "s",
            ours or [float("nan")],
            "—",
            baseline="the same through spark-submit",
            baseline_samples=theirs,
            note=f"{len(ours)} direct launches, {len(theirs)} through spark-submit, alternating",
        )
        for name, ours, theirs in zip(STEPS + CPU_STEPS, direct, submit, strict=True)
    ]
