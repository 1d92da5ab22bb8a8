"""Typed boundary to the Rust core.

The core owns everything that touches processes, files, sockets and time: the per-user home, the
lock, the state file, launching and stopping the Spark Connect server, leases of attached kernels,
the pending conf and the server log. Every function takes the home directory explicitly (see
`resolve_home`), so tests and users can run isolated servers side by side.

Blocking calls release the GIL and check for signals, so Ctrl-C interrupts them.
"""

import os
from typing import final

__version__: str
PORTS: tuple[int, int]
"""The ports a user may name (`--port`, `spark.ui.port`), both ends included."""
DEFAULT_CONF: dict[str, str]
"""The conf a launched server runs with unless the user's conf overrides it (spark.master,
spark.connect.progress.reportInterval). Keys the core always sets itself (binding address, ports,
token) are not in it."""

class SparkConnectError(Exception):
    """Base class of every error the core raises. The message is one paragraph a user can act on."""

class HomeError(SparkConnectError):
    """The per-user home cannot be used: owned by someone else, group/other-writable, not a
    directory, or not creatable."""

class ConfError(SparkConnectError, ValueError):
    """A conf item is malformed (not `key=value`, empty key or value, whitespace in the key,
    control characters), or a port number is out of range."""

class StartError(SparkConnectError):
    """The server could not be started: Java or SPARK_HOME missing, the port is taken, or the
    process exited / did not open its port in time. The message says what happened and quotes the
    last lines of the server log when there is one; `cause` says which of these it was."""

    cause: str
    """"environment" (refused before launching; the message says how to fix it),
    "port-in-use", "bad-master", "java", "no-connect", "exited" (for another reason, usually a
    conf the server rejects), "timeout", or "not-answering" (a recorded server is stopped or
    hung)."""

@final
class ServerInfo:
    """What the state file records about a running server (read-only)."""

    pid: int
    """Process id of the server (leader of its own process group)."""
    pid_start_time: int
    """Start time of `pid` (clock ticks since boot, from /proc): tells the server from an
    unrelated process that got the same pid later."""
    port: int
    """gRPC port, bound on 127.0.0.1."""
    ui_port: int
    """Spark Web UI port (on 127.0.0.1; every request needs `ui_authorization()`)."""
    token: str
    """Authentication token. Never print it; `connect_url` embeds it for the client."""
    master: str
    """The value of spark.master the server runs with."""
    spark_home: str
    spark_version: str
    java: str
    """Path of the java executable the server runs on."""
    java_version: str | None
    """The `JAVA_VERSION` of that java's installation (e.g. "25.0.3"); None when its `release`
    file does not say, or for a server recorded by an older version."""
    java_choice: str | None
    """Why the server runs on that java: "java_home" (JAVA_HOME in the environment), "profile"
    (the profile's JAVA_HOME), "newest" (none was named: the newest installed Java that the
    Spark version supports) or "path" (the java on PATH); None for a server recorded by an
    older version."""
    python: str
    """Interpreter the server's Python workers use (PYSPARK_PYTHON)."""
    conf: dict[str, str]
    """The user conf the server was launched with (what `%spark conf` calls 'in force'); keys the
    core sets itself (binding address, ports) are not included."""
    log_path: str
    started_at: float
    """Launch time, Unix seconds."""
    idle_timeout: float | None
    """Seconds without attached kernels or running jobs after which the server's watchdog stops
    it; None: never."""

    class_archive: str | None
    """The start-up archive (JVM class-data sharing) the server maps; None when it has none
    (the first server of a Java and Spark installation records the classes for one)."""
    launched_by: str | None
    """Who launched it, as the launcher said (`start(launched_by=...)`), e.g. "notebook
    analysis.ipynb" or "the terminal"; None when not said."""
    launch_path: str | None
    """How the server was launched: "spark-submit", or "direct" (the `java` command an earlier
    spark-submit launch of the same installation, conf and environment computed, run without
    the scripts and their launcher JVM); None for a server recorded by an older version."""

    def connect_url(self) -> str:
        """`sc://localhost:PORT/;token=TOKEN` (the host must be literally `localhost`)."""
    def ui_authorization(self) -> str | None:
        """The `Authorization` header value for one request to the server's Spark UI: `Bearer
        <JWS>` (HS256, signed with the server's own UI key, expires after a few minutes). The UI
        answers 403 to requests without it. None for a server recorded before the UI was locked.
        Never print it."""

    def ui_get(self, path: str, *, timeout: float) -> str:
        """The body of the server's Spark UI's answer to a `GET` of `path` (e.g.
        `/api/v1/applications`), signed with the server's UI key: the package's one client of
        the UI, which the idle watchdog uses too. Connecting and each read may take `timeout`
        seconds. Raises ConnectionRefusedError when nothing listens (the UI is off), OSError
        when it did not answer in time or answered with another status than 200."""

    def alive(self) -> bool:
        """Whether this server's process still runs (same pid and start time, not a zombie).
        Reads /proc only: microseconds, never blocks."""

    def stopped(self) -> bool:
        """Whether its process is stopped (SIGSTOP or a debugger) and so answers nothing."""

@final
class Status:
    state: str
    """"running" (process alive, same start time as recorded), "starting" (launched, not yet
    accepting connections) or "stopped"."""
    server: ServerInfo | None
    """Set when state is "running" or "starting"."""
    attached: list[int]
    """Pids of live processes holding a lease, sorted. Leases of dead pids are pruned."""
    problem: str | None
    """Why a state file was ignored (corrupt, unknown schema version, server process gone), or
    what is wrong with a live server (its process is stopped; its launcher died mid-start), else
    None."""
    log_path: str
    """The server log path (may not exist yet)."""

@final
class StartResult:
    server: ServerInfo
    launched: bool
    """True when this call launched the server, False when it attached to a running one."""

@final
class StopResult:
    stopped: bool
    """True when this call stopped the server process."""
    was_running: bool
    """False when no server was running (nothing to do)."""
    remaining: list[int]
    """Pids of other live lease holders when the server was left running for them."""

@final
class LogLine:
    """One line of the server log."""

    level: str | None
    """The level of the log entry the line belongs to ("TRACE", "DEBUG", "INFO", "WARN",
    "ERROR" or "FATAL"): continuation lines (stack traces, printed plans) carry their header's
    level. None for lines before the first header."""
    text: str

@final
class LogExcerpt:
    """Lines read from the server log, and where a later read continues."""

    path: str
    lines: list[LogLine]
    """Oldest first."""
    end: int
    """Byte offset where reading stopped; `read_log_since` continues from there."""
    file_id: int
    """The log file's inode: a restart replaces the log, and a later read then starts over."""
    last_level: str | None
    """The level in force at `end`, for continuation lines that come after it."""
    scanned: int
    """Bytes read to produce this excerpt."""
    truncated: bool
    """There is more than this excerpt covers: a backwards search stopped after `max_scan` bytes
    without finding `n` lines, or a forward read stopped after `max_bytes`."""

def resolve_home(path: str | None = None) -> str:
    """Return the per-user home, creating it with mode 0700 if needed.

    `path` wins when given; else `$SPARKCONNECT_HOME`; else `$XDG_RUNTIME_DIR/sparkconnect`; else
    `~/.sparkconnect`. Raises HomeError for a home owned by another user, writable by group or
    others, or not a directory."""

def parse_conf(items: list[str]) -> dict[str, str]:
    """Parse `key=value` items (the value may contain `=`). Raises ConfError naming the bad item."""

def status(home: str) -> Status:
    """Read the state without taking the lock. Never raises for a corrupt state file: it is reported
    in `Status.problem`."""

def start(
    home: str,
    *,
    lease_pid: int,
    spark_home: str,
    python: str,
    conf: dict[str, str],
    port: int | None = None,
    timeout: float = 120.0,
    env: dict[str, str] | None = None,
    idle_timeout: float | None = None,
    restart: bool = False,
    force: bool = False,
    grace: float = 10.0,
    launched_by: str | None = None,
    work_dir: str | None = None,
    log_preamble: str | None = None,
) -> StartResult:
    """Attach to the running server or launch one, under the lock, and register a lease for
    `lease_pid`. With `restart`, stop the running server first (leases are kept; SIGKILL after
    `grace` seconds) and launch a new one, under the lock in one step; while processes other
    than `lease_pid` hold leases, only with `force` (else SparkConnectError says how many).

    A launch runs `$SPARK_HOME/bin/spark-submit --class
    org.apache.spark.sql.connect.service.SparkConnectServer` in its own session, with the token in
    its environment and the conf in a 0600 properties file; it returns once the gRPC port accepts
    connections. `port=None` picks a free port. `env` adds environment variables to a launched
    server's (a `JAVA_HOME` there also picks its Java); the variables the core sets itself (the
    token, PYSPARK_PYTHON, SPARK_HOME, JAVA_HOME, SPARK_LOCAL_IP) win. `work_dir` is a launched
    server's working directory (an existing directory; without it the server works in the
    caller's). `log_preamble` is written at the top of a launched server's fresh log, before the
    server's own output (a profile's set-up script's output). An attach ignores `env`,
    `work_dir` and `log_preamble`.
    The server's conf defaults to `spark.master=local[*]` and
    `spark.connect.progress.reportInterval=500ms`; `conf` overrides both. Raises StartError, or
    ConfError for a malformed conf item or environment variable name.

    A server recorded as starting whose launcher died is adopted; server processes of this home
    that no state records are stopped first. An attach checks that the server answers at the
    HTTP/2 level (a stopped or hung server is an error, not a hang). `idle_timeout` (seconds;
    None or 0: never) starts a watchdog that stops a server launched now once no lease holder
    lives and no job runs for that long. `launched_by` is recorded with a server launched now
    (`ServerInfo.launched_by`)."""

def stop(home: str, *, lease_pid: int, force: bool = False, grace: float = 10.0) -> StopResult:
    """Release the lease of `lease_pid`; stop the server when no other live lease remains, or when
    `force`. Stopping sends SIGTERM to the server's process group, waits `grace` seconds, then
    SIGKILL, and removes the state file."""

def release(home: str, *, lease_pid: int) -> None:
    """Drop the lease of `lease_pid` without stopping anything."""

def load_conf(home: str) -> dict[str, str]:
    """The pending conf: what the next start applies. Empty if never set."""

def save_conf(home: str, conf: dict[str, str]) -> None:
    """Replace the pending conf (written atomically, mode 0600)."""

def line_level(line: str) -> str | None:
    """The level a log line names when it starts a log entry (`26/01/02 10:00:00 WARN Foo: x`,
    `WARNING: x`, Spark's JSON layout), else None: a continuation line (stack trace, plan)."""

def line_levels(lines: list[str]) -> list[str | None]:
    """The level of each of `lines`, consecutive lines of a log: a header's own, and its entry's
    for the lines after it (None before the first header, and after the JVM's one-line
    `WARNING:` entries)."""

def read_log_tail(
    path: str,
    n: int,
    *,
    level: str | None = None,
    grep: str | None = None,
    max_scan: int = 67108864,
) -> LogExcerpt:
    """The last `n` lines of a log that pass the filters, oldest first.

    `level` keeps entries of that level and above (continuation lines go with their entry), and
    then, without `grep`, `n` counts entries, each kept whole; `grep` keeps lines containing that
    text, compared case-insensitively. The file is read
    backwards in growing chunks until `n` lines are found, so the cost depends on how far back
    they are, not on the file's size; the search gives up after `max_scan` bytes (see
    `LogExcerpt.truncated`). Missing file: an empty excerpt. ValueError for an unknown level."""

def read_log_since(
    after: LogExcerpt,
    *,
    level: str | None = None,
    grep: str | None = None,
    max_bytes: int = 16777216,
) -> LogExcerpt:
    """The complete lines appended to `after.path` since `after` was read, that pass the
    filters. A line still being written comes whole with a later call. When the log was replaced
    (the server restarted), reading starts at the new log's beginning."""

def build_class_archive(class_list: str, *, pid: int, pid_start_time: int) -> str | None:
    """The start-up archive builder (run by `python -m
    sparkconnect.server.detached.archive_builder`): waits until the class list of server (`pid`,
    `pid_start_time`) is complete, then dumps the archive. Returns its path, or None when there
    was nothing to do; raises StartError when the dump failed."""

def watch_idle(home: str, *, pid: int, pid_start_time: int, idle_timeout: float) -> str:
    """The idle watchdog loop of one server (run by `python -m
    sparkconnect.server.detached.watchdog`): returns "stopped-idle" after stopping the server for
    idleness, "server-gone" when it went away otherwise."""

def atomic_write(path: str | os.PathLike[str], text: str, *, mode: int = 0o600) -> None:
    """Replace the file at `path` with `text` atomically: a temporary file beside it, written and
    flushed to disk, then renamed over it; a reader sees the old content or the new, never part
    of it. The file gets exactly `mode` (default 0600: private). The core's one atomic writer,
    which writes the state, leases and conf files too. SparkConnectError, naming the file, when
    it cannot be written."""
