"""Cards that report on the server: status, start, stop and conf."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from ._core import ServerInfo, StartResult, Status, StopResult
from .display import Card, Row, link
from .remote import Endpoint

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession


def uptime(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def ui_url(server: ServerInfo) -> str:
    return f"http://localhost:{server.ui_port}/jobs/"


def masked_url(server: ServerInfo) -> str:
    # The token stays out of every output; the client gets it from connect_url() directly.
    return f"sc://localhost:{server.port}/;token=…"


def notebooks(attached: list[int]) -> str:
    me = os.getpid()
    others = [pid for pid in attached if pid != me]
    count = f"{len(attached)} notebook{'s' if len(attached) != 1 else ''}"
    if me in attached:
        return f"{count} (this one and {len(others)} other)" if others else f"{count} (this one)"
    return count


def status_card(status: Status) -> Card:
    server = status.server
    if server is None:
        card = Card("Spark Connect server: stopped", [Row("Log file", status.log_path)])
        if status.problem:
            card.note(status.problem, "warn")
        return card.note("`%spark start` (or using `spark`) launches it.")
    return Card(
        "Spark Connect server: running",
        [
            Row("URL", masked_url(server)),
            Row("PID", str(server.pid)),
            Row("Uptime", uptime(time.time() - server.started_at)),
            Row("Spark", server.spark_version),
            Row("Master", server.master),
            Row("Attached", notebooks(status.attached)),
            Row("Spark UI", ui_url(server), link(ui_url(server))),
            Row("Log file", server.log_path),
        ],
    )


def remote_card(endpoint: Endpoint, session: SparkSession | None) -> Card:
    """Status of a notebook attached to an endpoint someone else runs."""
    if session is None:
        return Card(f"Remote Spark Connect endpoint {endpoint.shown}: session closed")
    return Card(
        "Remote Spark Connect endpoint",
        [
            Row("URL", endpoint.shown),
            Row("Spark", session.version),
            Row("Session", session.session_id),
        ],
    ).note("Attached with `%spark connect`; `%spark stop` detaches (the endpoint keeps running).")


def detached_card(endpoint: Endpoint) -> Card:
    return Card(f"Detached from {endpoint.shown}; the endpoint keeps running")


def start_card(result: StartResult, seconds: float, conf_differs: bool) -> Card:
    server = result.server
    if result.launched:
        title = f"Spark Connect server started in {seconds:.1f} s; `spark` is ready"
    else:
        title = f"Attached to the running Spark Connect server in {seconds:.2f} s; `spark` is ready"
    card = Card(
        title,
        [
            Row("Spark", f"{server.spark_version} on {server.master}"),
            Row("Spark UI", ui_url(server), link(ui_url(server))),
        ],
    )
    if conf_differs:
        card.note(
            "The running server was started with a different conf than the one requested; "
            "`%spark conf` shows the difference and `%spark restart` applies it.",
            "warn",
        )
    return card


def stop_card(result: StopResult) -> Card:
    if not result.was_running:
        return Card("No Spark Connect server was running; nothing to stop")
    if result.stopped:
        return Card("Spark Connect server stopped")
    others = len(result.remaining)
    return Card(
        f"This notebook detached; the server keeps running for {others} other "
        f"notebook{'s' if others != 1 else ''}"
    ).note("`%spark stop --force` stops it for everyone.")


def conf_card(status: Status, pending: dict[str, str]) -> Card:
    server = status.server
    if server is None:
        card = Card(
            "Spark conf for the next start",
            [Row(key, value) for key, value in sorted(pending.items())],
        )
        if not pending:
            card.note("No conf set. Set some with `%spark conf key=value ...`.")
        return card
    in_force = server.conf
    rows = []
    for key in sorted(in_force.keys() | pending.keys()):
        now, then = in_force.get(key), pending.get(key)
        if now == then:
            rows.append(Row(key, str(now)))
        else:
            rows.append(Row(key, f"{now or '(unset)'} now → {then or '(unset)'} after restart"))
    card = Card("Spark conf in force", rows)
    if not rows:
        card.note(
            "No conf set: the server runs with Spark's defaults. `%spark conf key=value` sets some."
        )
    if in_force != pending:
        others = len([pid for pid in status.attached if pid != os.getpid()])
        suffix = f" (it also restarts it for {others} other attached notebooks)" if others else ""
        card.note(
            f"The conf differs from the running server's: `%spark restart` applies it{suffix}.",
            "warn",
        )
    return card
