"""sparkconnect next to the alternatives a user weighs it against (peers.py): cold start and
attach to a first answer, and memory for several notebooks, measured in the same run.

Within each round the alternatives take turns, so a change in the machine's load during the run
hits all of them alike."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from drive.kernels import Kernel
from drive.procfs import java_servers_of

from .harness import Bench, bare_server_to_first_answer, descendants, java_pids_under, rss_mib
from .peers import (
    AGGREGATE,
    CLASSIC,
    CLIENT_IMPORT,
    LOCAL_REMOTE,
    OURS,
    OURS_WARM_UP_OFF,
    REUSE,
    SMALL_QUERY,
    reuse_available,
    reuse_server_pid,
    stop_reuse_server,
)
from .stats import Figure
from .timing import run_timed

COLD = "cold start: fresh kernel, no server, to the first answer"
ATTACH = "attach: fresh kernel, server running, load + start + small query"


def _reuse_figure(
    bench: Bench, name: str, ours: list[float], theirs: list[float], target: str, unit: str = "s"
) -> Figure:
    peer = bench.peers["reuse"]
    return Figure(
        name,
        unit,
        ours,
        target,
        baseline=peer.label if theirs else f"{peer.label}: {peer.note}",
        baseline_samples=theirs,
    )


def cold_start(bench: Bench) -> list[Figure]:
    """Fresh process, no server running, to its first answer. Ours maps the start-up archive
    (every start after the first on a machine)."""
    bench.need_archive()
    peers = bench.peers
    unwarmed = []
    for _ in range(bench.runs):
        bench.stop_server()
        peers["ours"].cold.append(bench.fresh(OURS))
        bench.stop_server()
        unwarmed.append(bench.fresh(OURS_WARM_UP_OFF))
        if reuse_available():
            stop_reuse_server()
            peers["reuse"].cold.append(bench.fresh(REUSE))
        peers["classic"].cold.append(bench.fresh(CLASSIC))
        # stop() ends the private server with its session.
        peers["local"].cold.append(bench.fresh(LOCAL_REMOTE, after="spark.stop()"))
        peers["bare"].cold.append(bare_server_to_first_answer())
    bench.stop_server()
    stop_reuse_server()
    ours = peers["ours"].cold
    return [
        Figure(
            COLD,
            "s",
            ours,
            "≤ 0.6× bare server",
            baseline="bare `spark-submit` server, launch to first answer",
            baseline_samples=peers["bare"].cold,
        ),
        _reuse_figure(bench, f"{COLD}, vs pyspark reuse", ours, peers["reuse"].cold, "≤ 0.45×"),
        Figure(
            f"{COLD}, vs classic",
            "s",
            ours,
            "≤ 0.45×",
            baseline="classic `getOrCreate()` + query",
            baseline_samples=peers["classic"].cold,
        ),
        Figure(
            f"{COLD}, vs pyspark's private server",
            "s",
            ours,
            "(comparison)",
            baseline='`builder.remote("local[*]")` + query',
            baseline_samples=peers["local"].cold,
        ),
        Figure(
            f"{COLD}, warm-up on (the query follows the start at once)",
            "s",
            ours,
            "≤ 1.05× (the warm-up costs it nothing)",
            baseline="the same, warm-up off",
            baseline_samples=unwarmed,
        ),
    ]


def attach(bench: Bench) -> list[Figure]:
    """Fresh process, the server running (and warm: a new server's first query pays for its
    warm-up once, for everyone), to its first answer; and the Connect client import alone, the
    floor of any attach."""
    bench.need_archive()
    peers = bench.peers
    bench.ensure_server()
    bench.fresh(OURS)
    # pyspark's reuse server runs in the process group of the kernel that started it, and a
    # kernel killed the hard way takes its group along: that kernel stays open meanwhile.
    owner = Kernel(bench.env, quiet=True) if reuse_available() else None
    imports = []
    try:
        if owner is not None:
            run_timed(owner, REUSE)
            for _ in range(2):  # as warm as ours after its own warm-up
                run_timed(owner, SMALL_QUERY)
        for _ in range(bench.runs):
            peers["ours"].attach.append(bench.fresh(OURS))
            if owner is not None:
                peers["reuse"].attach.append(bench.fresh(REUSE))
            imports.append(bench.fresh(CLIENT_IMPORT))
    finally:
        if owner is not None:
            owner.shutdown()
        stop_reuse_server()
    ours = peers["ours"].attach
    beyond = [a - i for a, i in zip(ours, imports, strict=True)]
    return [
        _reuse_figure(bench, f"{ATTACH}, vs pyspark reuse", ours, peers["reuse"].attach, "< 1×"),
        Figure(
            ATTACH,
            "s",
            ours,
            "≥ 10× faster than classic",
            baseline="classic `getOrCreate()` + query",
            baseline_samples=peers["classic"].attached,
        ),
        Figure(
            "attach − client import (each attach minus the import measured next to it)",
            "s",
            beyond,
            "≤ 0.25 s",
            baseline=f"`{CLIENT_IMPORT}` alone, fresh kernel",
            baseline_samples=imports,
            note=f"attach median {statistics.median(ours):.3f} s, "
            f"import median {statistics.median(imports):.3f} s",
            compare=False,
        ),
    ]


def _memory_with(
    bench: Bench, cell: str, jvms: Callable[[list[Kernel]], list[int]]
) -> tuple[float, float]:
    """RSS once every notebook holds a session (after `cell`), then once each also ran a small
    aggregate: a JVM's resident heap grows with the first queries it runs, whoever runs them."""
    kernels = [Kernel(bench.env, quiet=True) for _ in range(bench.notebooks)]
    try:
        for kernel in kernels:
            run_timed(kernel, cell)
        with_sessions = rss_mib(jvms(kernels))
        for kernel in kernels:
            run_timed(kernel, AGGREGATE)
        return with_sessions, rss_mib(jvms(kernels))
    finally:
        for kernel in kernels:
            kernel.shutdown()


def _reuse_jvms(_: list[Kernel]) -> list[int]:
    pid = reuse_server_pid()
    return [] if pid is None else [pid, *descendants(pid)]


def memory(bench: Bench) -> list[Figure]:
    """Total RSS of all Spark JVMs while `notebooks` notebooks each hold a session."""
    peers = bench.peers
    bench.stop_server()
    ours, ours_used = _memory_with(bench, OURS, lambda _: java_servers_of(bench.home))
    bench.stop_server()
    reuse: list[float] = []
    reuse_used: list[float] = []
    if reuse_available():
        stop_reuse_server()
        with_sessions, used = _memory_with(bench, REUSE, _reuse_jvms)
        reuse, reuse_used = [with_sessions], [used]
        stop_reuse_server()
    classic, classic_used = _memory_with(
        bench, CLASSIC, lambda kernels: [p for k in kernels for p in java_pids_under(k.pid)]
    )
    peers["ours"].memory_mib = ours
    peers["reuse"].memory_mib = reuse[0] if reuse else None
    peers["classic"].memory_mib = classic
    name = f"memory: total RSS of Spark JVMs, {bench.notebooks} notebooks with a session"
    used = f"{name} that each ran a small aggregate"
    return [
        _reuse_figure(bench, f"{name}, vs pyspark reuse", [ours], reuse, "≤ 1×", unit="MiB"),
        _reuse_figure(bench, f"{used}, vs pyspark reuse", [ours_used], reuse_used, "≤ 1×", "MiB"),
        Figure(
            name,
            "MiB",
            [ours],
            "≥ 6× less than classic",
            baseline="classic (a JVM per notebook)",
            baseline_samples=[classic],
        ),
        Figure(
            used,
            "MiB",
            [ours_used],
            "≥ 6× less than classic",
            baseline="classic (a JVM per notebook)",
            baseline_samples=[classic_used],
        ),
    ]
