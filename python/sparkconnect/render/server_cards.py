"""Cards that report on the server: status, start, stop and conf."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from sparkconnect._core import ServerInfo, StartResult, Status, StopResult
from sparkconnect.render.display import Card, Row, link, shown_value
from sparkconnect.server import workdir
from sparkconnect.server.profiles import ConfPlan
from sparkconnect.server.remote import Endpoint
from sparkconnect.server.uilink import spark_ui_url

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

CONF_SUMMARY_ITEMS = 3
MERGE_ORDER = "defaults < profile < saved < --conf"


def uptime(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def ui_url(server: ServerInfo, template: str) -> str:
    """`template`: the `SparkConnect.ui_url` option, passed down by whoever holds it."""
    return spark_ui_url(server.ui_port, template)


def ui_row(server: ServerInfo, template: str) -> Row:
    url = ui_url(server, template)
    return Row("Spark UI", url, link(url))


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


def conf_summary(conf: dict[str, str]) -> str:
    if not conf:
        return "Spark defaults"
    items = [f"{k}={shown_value(k, v)}" for k, v in sorted(conf.items())]
    shown = ", ".join(items[:CONF_SUMMARY_ITEMS])
    more = len(items) - CONF_SUMMARY_ITEMS
    return f"{shown}, and {more} more (`%spark conf`)" if more > 0 else shown


def where_files_go(server: ServerInfo) -> list[Row]:
    """Where managed tables live and where the server resolves relative paths (those of
    clients other than notebooks, which resolve their own against their folder)."""
    cwd = workdir.server_cwd(server.pid)
    warehouse = server.conf.get(workdir.WAREHOUSE_KEY) or (
        f"{cwd}/spark-warehouse" if cwd else "spark-warehouse in the server's directory"
    )
    rows = [Row("Tables", f"{warehouse} (the warehouse)")]
    if cwd:
        rows.append(Row("Work dir", f"{cwd} (relative paths of scripts and other clients)"))
    return rows


def status_card(status: Status, ui_template: str, notebook: str | None = None) -> Card:
    """`ui_template`: the `SparkConnect.ui_url` option; `notebook`: this notebook's name, which
    its jobs carry in the Spark UI."""
    server = status.server
    if server is None:
        card = Card(
            "Spark Connect server: stopped", [Row("Log file", status.log_path)], kind="status"
        )
        if status.problem:
            card.note(status.problem, "warn")
        return card.note("`%spark start` (or using `spark`) launches it.")
    rows = [
        Row("URL", masked_url(server)),
        Row("PID", str(server.pid)),
        Row("Uptime", uptime(time.time() - server.started_at)),
        Row("Spark", server.spark_version),
        Row("Master", server.master),
        Row("Attached", notebooks(status.attached)),
        *(
            [Row("Notebook", f"{notebook}, as its jobs are named in the Spark UI")]
            if notebook
            else []
        ),
        # The warehouse has a row of its own.
        Row(
            "Conf",
            conf_summary({k: v for k, v in server.conf.items() if k != workdir.WAREHOUSE_KEY}),
        ),
        *where_files_go(server),
        ui_row(server, ui_template),
        Row("Log file", server.log_path),
    ]
    if server.idle_timeout:
        rows.append(
            Row("Idle stop", f"after {uptime(server.idle_timeout)} with no notebook and no job")
        )
    if server.class_archive:
        rows.append(Row("Archive", f"JVM start-up classes from {server.class_archive}"))
    card = Card(f"Spark Connect server: {status.state}", rows, kind="status")
    if status.problem:
        card.note(status.problem, "warn")
    return card


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


def start_card(
    result: StartResult, seconds: float, conf_differs: bool, plan: ConfPlan, ui_template: str
) -> Card:
    server = result.server
    if result.launched:
        title = f"Spark Connect server started in {seconds:.1f} s; `spark` is ready"
    else:
        title = f"Attached to the running Spark Connect server in {seconds:.2f} s; `spark` is ready"
    rows = [Row("Spark", f"{server.spark_version} on {server.master}"), ui_row(server, ui_template)]
    if plan.profile is not None:
        rows.insert(1, Row("Profile", plan.profile.name))
    card = Card(title, rows, kind="start")
    if conf_differs:
        card.note(
            "The running server was started with a different conf than the one requested; "
            "`%spark conf` shows the difference and `%spark restart` applies it.",
            "warn",
        )
    if not result.launched and plan.env:
        card.note(
            f"The profile's environment ({', '.join(sorted(plan.env))}) applies when a server "
            "is launched; `%spark restart` launches one with it.",
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


def conf_card(status: Status, plan: ConfPlan) -> Card:
    """Every conf item with where it comes from; with a running server, what a restart would
    change."""
    merged = plan.sources()
    requested = plan.requested()
    server = status.server
    rows = []
    if server is None:
        title = "Spark conf for the next start"
        for key, (value, source) in sorted(merged.items()):
            rows.append(Row(key, f"{shown_value(key, value)}  ({source})"))
    else:
        title = "Spark conf in force"
        in_force = server.conf
        for key in sorted(merged.keys() | in_force.keys()):
            now = in_force.get(key)
            then, source = merged.get(key, (None, ""))
            if key not in requested and key not in in_force:
                rows.append(Row(key, f"{shown_value(key, str(then))}  ({source})"))
            elif now == then:
                rows.append(Row(key, f"{shown_value(key, str(now))}  ({source})"))
            else:
                rows.append(
                    Row(
                        key,
                        f"{shown_value(key, now or '(unset)')} now → "
                        f"{shown_value(key, then or '(unset)')} after restart"
                        + (f"  ({source})" if then else ""),
                    )
                )
    if plan.env:
        env = ", ".join(f"{k}={shown_value(k, v)}" for k, v in sorted(plan.env.items()))
        rows.append(
            Row("environment", f"{env}  (profile {plan.profile.name if plan.profile else ''})")
        )
    card = Card(f"{title} (merge order: {MERGE_ORDER})", rows, kind="conf")
    if not plan.user_conf():
        card.note(
            "No conf set: the server runs with Spark's defaults. `%spark conf key=value` sets some."
        )
    if server is not None and server.conf != requested:
        others = len([pid for pid in status.attached if pid != os.getpid()])
        suffix = f" (it also restarts it for {others} other attached notebooks)" if others else ""
        card.note(
            f"The conf differs from the running server's: `%spark restart` applies it{suffix}.",
            "warn",
        )
    return card
