"""What every scenario uses: the bench's isolated homes, fresh kernels, processes and their
memory, and the bare server as the floor of a launch."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from drive.kernels import Kernel
from drive.procfs import all_pids, cmdline, processes_naming
from drive.waiting import wait_until
from sparkconnect import _core
from sparkconnect.server import lifecycle

from .peers import Peer, peers
from .timing import run_timed


@dataclass
class Bench:
    root: Path
    """The bench's temporary directory: our home, the archive cache, pyspark's reuse files."""
    runs: int
    notebooks: int
    log_bytes: int
    cache: Path | None = None
    """XDG_CACHE_HOME of every kernel, where the start-up archive is built and found; default:
    under `root`, so every run builds its own."""
    peers: dict[str, Peer] = field(default_factory=peers)
    """The headline figures of sparkconnect and each alternative, filled by the scenarios."""

    def __post_init__(self) -> None:
        self.cache = self.cache or self.root / "cache"
        self.reuse_dir.mkdir(parents=True, exist_ok=True)

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def reuse_dir(self) -> Path:
        return self.root / "pyspark-reuse"

    @property
    def env(self) -> dict[str, str]:
        """The environment of the bench and of every kernel it starts (run.py exports it)."""
        return {
            "SPARKCONNECT_HOME": str(self.home),
            "XDG_CACHE_HOME": str(self.cache),
            "SPARK_LOCAL_CONNECT_DISCOVERY": str(self.reuse_dir / "connect-local.json"),
        }

    @contextmanager
    def kernel(self, **env: str) -> Iterator[Kernel]:
        kernel = Kernel({**self.env, **env}, quiet=True)
        try:
            yield kernel
        finally:
            kernel.shutdown()

    def fresh(self, cell: str, after: str | None = None, **env: str) -> float:
        """Seconds `cell` takes in a fresh kernel (measured inside it); `after` runs untimed."""
        with self.kernel(**env) as kernel:
            elapsed = run_timed(kernel, cell)
            if after is not None:
                kernel.run(after)
        return elapsed

    def stop_server(self) -> None:
        _core.stop(str(self.home), lease_pid=os.getpid(), force=True)

    def ensure_server(self) -> _core.ServerInfo:
        return lifecycle.start({}).server

    def need_archive(self) -> None:
        """Scenarios of cold starts as users meet them (after the first on a machine) need the
        start-up archive: build it when an earlier scenario (or an earlier run with the same
        --cache) has not."""
        assert self.cache is not None
        if archives_in(self.cache):
            return
        print("  (building the start-up archive first)", flush=True)
        build_archive(self)


def archives_in(cache: Path) -> list[Path]:
    return list((cache / "sparkconnect" / "cds").glob("*.jsa"))


def build_archive(bench: Bench) -> float:
    """A first server records its classes and answers a query; from its exit (its class list is
    then complete) to the archive in place, in seconds."""
    assert bench.cache is not None
    bench.stop_server()
    with bench.kernel() as kernel:
        run_timed(kernel, "%load_ext sparkconnect\n%spark start\nspark.range(10).count()")
    began = time.perf_counter()
    bench.stop_server()
    wait_until(lambda: archives_in(bench.cache), 900, "the start-up archive is built")
    return time.perf_counter() - began


def kill_builders(cache: Path) -> None:
    """Stops the archive builder of `cache` (and the dump it may start meanwhile)."""
    deadline = time.monotonic() + 10
    while (pids := processes_naming(str(cache))) and time.monotonic() < deadline:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)


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


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name (which may hold spaces): state, parent, …"""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process `pid` has used so far, all its threads."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid in all_pids():
        try:
            parent = int(_stat_fields(pid)[1])
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
