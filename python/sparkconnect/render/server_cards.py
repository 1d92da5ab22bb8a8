"""Cards that report on the server: status, start, stop and conf."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING

from sparkconnect._core import ServerInfo, StartResult, Status, StopResult
from sparkconnect.render.display import Card, Row, link, shown_value
from sparkconnect.server import cache_records, caller, lifecycle, workdir
from sparkconnect.server.profiles import ConfPlan
from sparkconnect.server.remote import Endpoint
from sparkconnect.server.uilink import HOW_TO_OPEN, spark_ui_url
from sparkconnect.wording import PREFIX, plural

if TYPE_CHECKING:
    from pyspark.sql.connect.session import SparkSession

CONF_SUMMARY_ITEMS = 3
MERGE_ORDER = "defaults < site < profile < saved < --conf"


def uptime(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"


def ui_url(server: ServerInfo, template: str, absolute: bool = False) -> str:
    """The link to the server's Spark UI, "" when there is none to give (see uilink.py).
    `template`: the `SparkConnect.ui_url` option, passed down by whoever holds it; `absolute`:
    for text, which a terminal shows with no page to be relative to."""
    return spark_ui_url(server.ui_port, template, absolute)


def ui_row(server: ServerInfo, template: str) -> Row:
    url = ui_url(server, template)
    if not url:
        return Row("Spark UI", HOW_TO_OPEN)
    return Row("Spark UI", ui_url(server, template, absolute=True), link(url))


def masked_url(server: ServerInfo) -> str:
    # The token stays out of every output; the client gets it from connect_url() directly.
    return f"sc://localhost:{server.port}/;token=…"


def notebooks(attached: list[int]) -> str:
    me = os.getpid()
    others = len([pid for pid in attached if pid != me])
    count = plural(len(attached), "notebook")
    if me not in attached:
        return count
    return f"{count} (this one and {plural(others, 'other')})" if others else f"{count} (this one)"


def conf_summary(conf: dict[str, str]) -> str:
    if not conf:
        return "Spark defaults"
    items = [f"{k}={shown_value(k, v)}" for k, v in sorted(conf.items())]
    shown = ", ".join(items[:CONF_SUMMARY_ITEMS])
    more = len(items) - CONF_SUMMARY_ITEMS
    return f"{shown}, and {more} more ({caller.current().command('conf')})" if more > 0 else shown


def idle_stop(seconds: float | None) -> str:
    """The "Idle stop" of a server, in words."""
    if not seconds:
        return "never (it runs until stopped)"
    return f"after {uptime(seconds)} with no notebook attached and no job running"


def java_text(server: ServerInfo) -> str:
    """Which Java the server runs on and why, short enough for a narrow pane:
    `25.0.3 (/usr/lib/jvm/temurin-25), the newest installed that Spark 4.3.0 supports`."""
    version = server.java_version or "version unknown"
    if server.java_choice == "java_home":
        return f"{version} (JAVA_HOME)"
    if server.java_choice == "profile":
        return f"{version} (the profile's JAVA_HOME)"
    if server.java_choice == "newest":
        # The installation, not its bin/java: /usr/bin/java is a link into one.
        home = os.path.dirname(os.path.dirname(os.path.realpath(server.java)))
        spark = server.spark_version
        return f"{version} ({home}), the newest installed that Spark {spark} supports"
    if server.java_choice == "path":
        return f"{version} ({server.java}, on PATH)"
    return server.java  # recorded by an older version: only the path is known


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


def cached(server: ServerInfo) -> str | None:
    """What notebooks and programs cached on `server`, and by whom; None: nothing recorded."""
    return cache_records.summary(lifecycle.home(), (server.pid, server.pid_start_time))


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
        me = caller.current()
        using = " (or using `spark`)" if me.kind == caller.NOTEBOOK else ""
        return card.note(f"{me.command('start')}{using} launches it.")
    rows = [
        Row("URL", masked_url(server)),
        Row("PID", str(server.pid)),
        Row("Uptime", uptime(time.time() - server.started_at)),
        *([Row("Origin", said)] if (said := caller.origin(server.launched_by)) else []),
        Row("Spark", server.spark_version),
        Row("Java", java_text(server)),
        Row("Master", server.master),
        Row("Attached", notebooks(status.attached)),
        *([Row("Cached", held)] if (held := cached(server)) else []),
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
        Row("Idle stop", idle_stop(server.idle_timeout)),
    ]
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
    result: StartResult,
    seconds: float,
    plan: ConfPlan,
    unmet: dict[str, tuple[str, str]],
    ui_template: str,
) -> Card:
    """`unmet`: what the start asked for that the server it attached to does not have."""
    server = result.server
    if result.launched:
        title = f"Spark Connect server started in {seconds:.1f} s; `spark` is ready"
    else:
        title = f"Attached to the running Spark Connect server in {seconds:.2f} s; `spark` is ready"
    rows = [Row("Spark", f"{server.spark_version} on {server.master}"), ui_row(server, ui_template)]
    if plan.profile is not None:
        rows.insert(1, Row("Profile", f"{plan.profile.name} ({plan.profile.origin})"))
    card = Card(title, rows, kind="start")
    if unmet:
        card.note(unmet_note(unmet), "warn")
    script = plan.profile.env_script if plan.profile else ""
    if not result.launched and (plan.env or script):
        parts = [", ".join(sorted(plan.env))] if plan.env else []
        parts += ["its env_script"] if script else []
        card.note(
            f"The profile's environment ({' and '.join(parts)}) applies when a server "
            f"is launched; {caller.current().command('restart')} launches one with it.",
        )
    return card


def unmet_note(unmet: dict[str, tuple[str, str]]) -> str:
    """What a start asked for that the running server does not have, and how to get it."""
    items = "; ".join(
        f"{key}: {shown_value(key, now)} there, {shown_value(key, asked)} asked"
        for key, (now, asked) in unmet.items()
    )
    return (
        f"The running server was started without what this start asks ({items}); "
        f"{caller.current().command('restart')} applies it."
    )


def launched_line(server: ServerInfo, seconds: float) -> str:
    """One line for a server launched without a start command (`spark` used after a stop, say):
    a JVM starting is never silent."""
    me = caller.current()
    return (
        f"{PREFIX}launched a Spark Connect server for {me.me} (pid {server.pid}, "
        f"{server.master}, {seconds:.1f} s); {me.command('status')} shows it."
    )


def stop_card(result: StopResult) -> Card:
    if not result.was_running:
        return Card("No Spark Connect server was running; nothing to stop")
    if result.stopped:
        return Card("Spark Connect server stopped")
    me = caller.current()
    others = len(result.remaining)
    if me.kind in (caller.TERMINAL, caller.LAB):
        # Neither holds a lease: every attached process is a notebook elsewhere.
        title = f"Not stopped: {plural(others, 'notebook')} still attached"
    else:
        title = (
            f"{me.me.capitalize()} detached; the server keeps running for "
            f"{plural(others, 'other notebook')}"
        )
    return Card(title).note(f"{me.command('stop --force')} stops it for everyone.")


def _where(
    key: str, source: str, hidden: list[tuple[str, str]], locked: dict[str, str] | None = None
) -> str:
    """`(saved; overrides user profile bigmem: 64)`: a value's layer, and the values it hides;
    `locked by the site` for a key the site configuration locks."""
    if locked and key in locked:
        source += "; locked by the site"
    if hidden:
        source += "; overrides " + ", ".join(f"{s}: {shown_value(key, v)}" for v, s in hidden)
    return f"({source})"


def conf_card(
    status: Status,
    plan: ConfPlan,
    only: list[str] | None = None,
    session_confs: dict[str, str] | None = None,
) -> Card:
    """Every conf item (or the keys in `only`) with where it comes from and what it overrides;
    with a running server, what a restart would change. `session_confs`: of the items that
    differ from the running server's, those this notebook's session can set by itself right now
    (spark.conf.set), with their saved values; and for keys in `only` that no layer sets, the
    session's value."""
    me = caller.current()
    merged, hidden = plan.sources(), plan.overridden()
    requested = plan.requested()
    server = status.server
    in_force = server.conf if server is not None else {}
    session_confs = session_confs or {}
    keys = sorted(merged.keys() | in_force.keys()) if only is None else only
    rows = []
    for key in keys:
        then, source = merged.get(key, (None, ""))
        now = in_force.get(key)
        if then is None and now is None:
            found = session_confs.get(key)
            rows.append(
                Row(
                    key,
                    f"{found}  (this notebook's session)"
                    if found
                    else "not set: Spark's default applies",
                )
            )
        elif server is None or now == then or (key not in requested and now is None):
            value = shown_value(key, str(then or now))
            rows.append(
                Row(key, f"{value}  {_where(key, source, hidden.get(key, []), plan.locked)}")
            )
        else:
            change = f"{shown_value(key, now or '(unset)')} now → "
            change += f"{shown_value(key, then or '(unset)')} after restart"
            if then:
                change += f"  {_where(key, source, hidden.get(key, []), plan.locked)}"
            rows.append(Row(key, change))
    if plan.env and only is None:
        env = ", ".join(f"{k}={shown_value(k, v)}" for k, v in sorted(plan.env.items()))
        rows.append(Row("environment", f"{env}  ({plan.profile.label if plan.profile else ''})"))
    title = "Spark conf for the next start" if server is None else "Spark conf in force"
    card = Card(f"{title} (merge order: {MERGE_ORDER})", rows, kind="conf")
    if plan.site_path is not None and (plan.site or plan.locked) and only is None:
        card.note(f"Site configuration: {plan.site_path}.")
    refused = sorted(k for k in plan.saved if k in plan.locked)
    if refused:
        card.note(
            f"Your saved conf sets {', '.join(refused)}, which the site configuration "
            f"({plan.locked[refused[0]]}) locks: starts refuse it until "
            f"{me.command('conf --unset ' + refused[0])} removes it.",
            "warn",
        )
    if not plan.user_conf() and only is None:
        card.note(
            "No conf set: the server runs with Spark's defaults. "
            f"{me.command('conf key=value')} sets some."
        )
    differing = sorted(
        k for k in in_force.keys() | requested.keys() if in_force.get(k) != requested.get(k)
    )
    if server is None or not differing or (only is not None and not set(only) & set(differing)):
        return card
    now_here = [k for k in differing if k in session_confs and k in requested]
    for key in now_here:
        value = shown_value(key, requested[key])
        card.note(
            f'{key} is a session conf: `spark.conf.set("{key}", "{value}")` applies it to '
            "this notebook now, without a restart."
        )
    others = len([pid for pid in status.attached if pid != os.getpid()])
    # Only a notebook is attached itself: for the terminal and the Lab, every one is "attached".
    attached_word = "other attached notebook" if me.kind == caller.NOTEBOOK else "attached notebook"
    if others:
        restart = (
            f"{me.command('restart --force')} applies it to the server and every notebook "
            f"(ending the sessions of {plural(others, attached_word)})"
        )
    else:
        restart = f"{me.command('restart')} applies it to the server and every notebook"
    card.note(f"The saved conf differs from the running server's: {restart}.", "warn")
    return card
