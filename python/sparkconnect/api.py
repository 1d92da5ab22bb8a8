"""The Python API for scripts and tests; the magics use it too."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sparkconnect._core import StopResult
from sparkconnect.render.display import Card
from sparkconnect.render.logview import LogFilter, LogView, read_tail
from sparkconnect.render.server_cards import conf_card, remote_card, status_card
from sparkconnect.render.spark_errors import SparkErrorReport
from sparkconnect.render.ui_link_option import UI_LINK
from sparkconnect.server import lifecycle
from sparkconnect.server.remote import endpoint
from sparkconnect.session.binding import KERNEL_SESSION
from sparkconnect.session.labels import LABELS

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession


def session() -> SparkSession:
    """This process's Spark Connect session, launching or attaching to the server if needed."""
    return KERNEL_SESSION.get()


def start(
    conf: dict[str, str] | None = None,
    port: int | None = None,
    timeout: float = lifecycle.DEFAULT_START_TIMEOUT,
    profile: str | None = None,
    idle_timeout: float | None = None,
) -> SparkSession:
    """Launch the user's server (or attach to it) and return this process's session.

    `profile` names a profile of the config file (its conf and environment apply under the saved
    conf). `conf` items are saved as the conf for the next start once the server runs; a running
    server whose conf differs is left as is (`restart` applies it). `idle_timeout` (seconds)
    makes a server launched now stop by itself after that long with no process attached and no
    job running (default: `SparkConnect.idle_timeout` in a notebook, else 15 minutes; 0:
    never)."""
    return KERNEL_SESSION.start(
        conf=conf, port=port, timeout=timeout, profile=profile, idle_timeout=idle_timeout
    ).session


def restart(
    conf: dict[str, str] | None = None,
    port: int | None = None,
    timeout: float = lifecycle.DEFAULT_START_TIMEOUT,
    profile: str | None = None,
    idle_timeout: float | None = None,
    force: bool = False,
) -> SparkSession:
    """Stop the server and start it again with the saved conf plus `conf`. With other processes
    attached (their sessions would end), only when `force`: else SparkConnectError says how
    many."""
    return KERNEL_SESSION.start(
        conf=conf,
        port=port,
        timeout=timeout,
        restart=True,
        profile=profile,
        idle_timeout=idle_timeout,
        force=force,
    ).session


def connect(url: str, token_env: str | None = None, token_file: str | None = None) -> SparkSession:
    """Attach this process to a Spark Connect endpoint someone else runs (sc://HOST:PORT...).

    The token comes from the URL, the environment variable `token_env`, the file `token_file`, or
    else $SPARKCONNECT_TOKEN."""
    return KERNEL_SESSION.connect_remote(endpoint(url, token_env, token_file))


def stop(force: bool = False) -> StopResult | None:
    """Release this process's session; stop the server if nobody else is attached (or `force`).

    Attached to a remote endpoint, only detaches (and returns None): we never stop what we did not
    start."""
    if KERNEL_SESSION.remote is not None:
        KERNEL_SESSION.close()
        return None
    return KERNEL_SESSION.stop(force=force)


def conf(
    items: dict[str, str] | None = None,
    unset: list[str] | tuple[str, ...] = (),
    reset: bool = False,
    profile: str | None = None,
    show: list[str] | None = None,
) -> Card:
    """Change the saved conf (the conf the next start applies), then show it: every item with
    where it comes from (default, profile, saved) and, with a running server, what a restart
    would change. `reset` forgets every saved item first, `unset` some, and `items` are saved
    over them; `profile` shows what starting with that profile would apply; `show` limits the
    card to those keys. Never restarts anything. Raises ConfError for an `unset` key that is
    not saved, ProfileError for a bad profile."""
    plan = KERNEL_SESSION.plan(profile=profile)
    lifecycle.change_saved_conf(plan, items or {}, unset, reset)
    state = lifecycle.status()
    running = state.server.conf if state.server is not None else {}
    requested = plan.requested()
    differing = [k for k in requested.keys() | running.keys() if requested.get(k) != running.get(k)]
    asked = sorted(set(differing) | set(show or []))
    return conf_card(state, plan, only=show, session_confs=KERNEL_SESSION.session_confs(asked))


def status() -> Card:
    """The server's state as a card (text in a terminal, HTML in Jupyter)."""
    if KERNEL_SESSION.remote is not None:
        return remote_card(KERNEL_SESSION.remote, KERNEL_SESSION.current)
    return status_card(lifecycle.status(), UI_LINK.template, LABELS.notebook)


def logs(n: int = 50, level: str | None = None, grep: str | None = None) -> LogView:
    """The last `n` lines of the server log; `level` keeps that level and above (WARN keeps WARN,
    ERROR and FATAL), `grep` keeps lines containing the text (any case)."""
    wanted = LogFilter(n, level, grep)
    return LogView.of(read_tail(lifecycle.status().log_path, wanted), wanted)


@dataclass
class SessionConfResult:
    ok: bool
    text: str
    applied: dict[str, str] = field(default_factory=dict)

    def _repr_json_(self) -> dict[str, Any]:
        # How the Lab sidebar reads it: the kernel's reply to its request for this expression.
        return asdict(self)

    def __repr__(self) -> str:
        return self.text


_CODES = re.compile(r"^\[[A-Z0-9_.]+\]\s*|\s*SQLSTATE: \w+;?$")
"""Spark's error class and SQLSTATE around its sentence: codes for programs, not for the row's
reader."""


def apply_session_conf(items: dict[str, str]) -> SessionConfResult:
    """Set runtime confs on this process's session now: what the conf editor's "now" rows do
    (the panel's, and the Lab sidebar's for the current notebook). Stops at the first key Spark
    refuses (a static conf, a bad value), keeping those set before it."""
    if not items:
        return SessionConfResult(True, "Nothing changed.")
    session = KERNEL_SESSION.current
    if session is None:
        return SessionConfResult(
            False,
            f"{', '.join(sorted(items))} apply to this notebook's session, and it has none yet: "
            "Start first (or save them for the server with the row's badge).",
        )
    applied: dict[str, str] = {}
    for key, value in items.items():
        try:
            session.conf.set(key, value)
        except Exception as err:  # Spark refuses static keys and bad values: say which
            said = _CODES.sub("", SparkErrorReport.of(err).message).strip()
            return SessionConfResult(False, f"{key}={value} was not applied: {said}", applied)
        applied[key] = value
    return SessionConfResult(
        True, f"Applied to this notebook's session: {', '.join(sorted(applied))}.", applied
    )
