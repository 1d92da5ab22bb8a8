"""The `sparkconnect` terminal command (also `python -m sparkconnect`).

Same core, same state as the notebooks: a server started here is the one notebooks attach to, and
the other way round. Exit codes: 0 done, 1 the operation failed (`stop` included, when it kept the
server running for the notebooks attached), 2 a usage error, 3 `status` found no server running
(as service managers do), 141 the reader of the output went away (`sparkconnect status | head -1`:
the status a shell reports for a tool that SIGPIPE ended).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from typing import Any

from sparkconnect import _core, autoload
from sparkconnect.errors import ConfError, ProfileError, SparkConnectError
from sparkconnect.render.jobs_table import server_jobs
from sparkconnect.render.logview import LogFilter, LogView, follow, read_tail
from sparkconnect.render.server_cards import (
    cached,
    conf_card,
    masked_url,
    status_card,
    stop_card,
    ui_url,
    unmet_note,
    uptime,
)
from sparkconnect.render.start_failure import StartFailure
from sparkconnect.server import caller, lifecycle, profiles
from sparkconnect.server.detached import prestart, warmup_launcher
from sparkconnect.server.ui_forwarder import UiForwarder
from sparkconnect.values import (
    CommandParser,
    add_conf_options,
    add_logs_options,
    add_start_options,
    add_stop_options,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_RUNNING = 0, 1, 2, 3
EXIT_READER_GONE = 128 + signal.SIGPIPE
UI_TEMPLATE = ""
"""A terminal has no `SparkConnect.ui_url` option: the Spark UI link is detected."""


def status_json(status: _core.Status) -> dict[str, Any]:
    info = status.server
    data: dict[str, Any] = {
        "state": status.state,
        "attached": status.attached,
        "log_path": status.log_path,
        "problem": status.problem,
    }
    if info is not None:
        data.update(
            pid=info.pid,
            url=masked_url(info),
            port=info.port,
            ui_port=info.ui_port,
            ui_url=ui_url(info, UI_TEMPLATE, absolute=True),
            spark_version=info.spark_version,
            java=info.java,
            java_version=info.java_version,
            java_choice=info.java_choice,
            master=info.master,
            started_at=info.started_at,
            uptime=uptime(time.time() - info.started_at),
            conf=info.conf,
            class_archive=info.class_archive,
            idle_timeout=info.idle_timeout,
            launched_by=info.launched_by,
            cached=cached(info),
        )
    return data


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, indent=2, sort_keys=True) if args.json else text)


def _start(args: argparse.Namespace) -> int:
    line = dict(args.conf)
    if args.master:
        line["spark.master"] = args.master
    plan = lifecycle.plan(line, args.profile)
    began = time.monotonic()
    restart = args.command == "restart"
    idle = lifecycle.default_idle_timeout() if args.idle_timeout is None else args.idle_timeout
    try:
        result = lifecycle.start_planned(
            plan,
            port=args.port,
            timeout=args.timeout,
            restart=restart,
            idle_timeout=idle,
            force=getattr(args, "force", False),
        )
    except _core.StartError as err:
        print(repr(StartFailure(str(err), err.cause, plan, args.port, restart)), file=sys.stderr)
        return EXIT_FAILED
    seconds = time.monotonic() - began
    info = result.server
    if result.launched and args.warm_up:
        # This process exits now: a detached helper does what a kernel's thread would.
        warmup_launcher.detached(info)
    verb = "started" if result.launched else "already running"
    text = f"Spark Connect server {verb} (pid {info.pid}, {info.master}, {seconds:.1f} s)"
    unmet = {} if result.launched else plan.unmet(info.conf)
    if unmet:
        text += "\n" + unmet_note(unmet)
    _emit(args, {"launched": result.launched, **status_json(lifecycle.status())}, text)
    return EXIT_OK


def _stop(args: argparse.Namespace) -> int:
    result = lifecycle.stop(force=args.force)
    data = {
        "stopped": result.stopped,
        "was_running": result.was_running,
        "remaining": result.remaining,
    }
    _emit(args, data, repr(stop_card(result)))
    # Kept running for the notebooks attached: a script that stops the server must see it did not.
    return EXIT_FAILED if result.was_running and not result.stopped else EXIT_OK


def _status(args: argparse.Namespace) -> int:
    status = lifecycle.status()
    _emit(args, status_json(status), repr(status_card(status, UI_TEMPLATE)))
    return EXIT_OK if status.state == "running" else EXIT_NOT_RUNNING


def _conf(args: argparse.Namespace) -> int:
    items = _core.parse_conf([word for word in args.items if "=" in word])
    keys = [word for word in args.items if "=" not in word]
    plan = lifecycle.plan(profile=args.profile)
    lifecycle.change_saved_conf(plan, items, args.unset, args.reset)
    print(repr(conf_card(lifecycle.status(), plan, only=keys or None)))
    return EXIT_OK


def _logs(args: argparse.Namespace) -> int:
    path = lifecycle.status().log_path
    wanted = LogFilter(args.n, args.level, args.grep)
    if args.follow:
        follow(path, wanted, seconds=args.follow, rich=False)
    elif args.json:
        lines = [line.text for line in read_tail(path, wanted).lines]
        _emit(args, {"log_path": path, "lines": lines}, "")
    else:
        print(repr(LogView.of(read_tail(path, wanted), wanted)))
    return EXIT_OK


def _autoload(args: argparse.Namespace) -> int:
    path = autoload.config_file("sys-prefix" if args.sys_prefix else "user")
    who = f"this environment ({sys.prefix})" if args.sys_prefix else "this user"
    data: dict[str, Any] = {"config_file": str(path)}
    if args.command == "enable":
        had_prestart = autoload.prestarts(path)
        changed = autoload.enable(path, prestart=args.prestart)
        state = "now loads" if changed else "already loaded"
        if args.prestart:
            then = (
                "and launches your server in the background when none runs, so the first "
                "Spark cell finds it up"
            )
        else:
            then = "`spark` connects on first use, no `%load_ext` needed"
        text = f"Every new kernel of {who} {state} sparkconnect at start ({path}): {then}."
        if had_prestart and not args.prestart:
            text += " Pre-start is off again" + _config_file_prestart() + "."
        text += " Running kernels: restart them."
        data["prestart"] = args.prestart
    else:
        changed = autoload.disable(path)
        text = (
            f"New kernels of {who} no longer load sparkconnect at start ({path})."
            if changed
            else f"sparkconnect was not loaded at start for {who} ({path}); nothing changed."
        )
    _emit(args, {**data, "changed": changed}, text)
    return EXIT_OK


def _config_file_prestart() -> str:
    """What the user's config file still says about pre-start, after the kernel option went."""
    try:
        on = prestart.setting()
    except ProfileError as err:
        return f" (and the config file cannot turn it on: {err})"
    if on:
        return (
            f" in the kernel config, but `prestart = true` in {profiles.config_path()} keeps it on"
        )
    return ""


def _jobs(args: argparse.Namespace) -> int:
    table, running = server_jobs()
    data = {"jobs": [row.as_dict() for row in table.rows], "notes": table.notes}
    _emit(args, data, repr(table))
    return EXIT_OK if running else EXIT_NOT_RUNNING


def _ui(args: argparse.Namespace) -> int:
    if lifecycle.status().server is None:
        print(
            "No Spark Connect server is running, so there is no Spark UI to open: "
            "`sparkconnect start` launches it.",
            file=sys.stderr,
        )
        return EXIT_NOT_RUNNING
    forwarder = UiForwarder(lambda: lifecycle.status().server)
    print(
        f"The Spark UI of your server: {forwarder.url}\n"
        "Open it in a browser on this machine. The address carries a secret: it is yours alone, "
        "do not share it (in JupyterLab, its sparkui/ address works too). Ctrl-C ends it.",
        flush=True,
    )
    with forwarder, contextlib.suppress(KeyboardInterrupt):
        forwarder.serve_forever()
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = CommandParser(
        prog="sparkconnect",
        description="Manage your shared Spark Connect server (the one your notebooks use).",
    )
    parser.add_argument("--version", action="version", version=f"sparkconnect {_core.__version__}")
    common = CommandParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON for scripts")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser("status", parents=[common], help="state, URL, pid, uptime, notebooks")
    for name, text in (
        ("start", "launch, or report the running one"),
        (
            "restart",
            "stop the server and launch it again with the saved conf; refused while other "
            "notebooks use it, unless --force",
        ),
    ):
        add_start_options(
            commands.add_parser(name, parents=[common], help=text), restart=name == "restart"
        )
    add_stop_options(
        commands.add_parser("stop", parents=[common], help="stop unless notebooks use it")
    )
    add_conf_options(commands.add_parser("conf", help="show or set the conf of the next start"))
    add_logs_options(commands.add_parser("logs", parents=[common], help="the server log"))
    commands.add_parser("jobs", parents=[common], help="every notebook's Spark jobs")
    # No --port: the address changes with each run anyway (its secret does).
    commands.add_parser(
        "ui", help="serve the Spark UI to this machine's browser, on a private address"
    )
    for name, text in (
        ("enable", "load sparkconnect in every new kernel (IPython start-up config)"),
        ("disable", "stop loading it in new kernels"),
    ):
        command = commands.add_parser(name, parents=[common], help=text)
        where = command.add_mutually_exclusive_group()
        where.add_argument(
            "--user", action="store_true", help="for this user: the IPython profile (default)"
        )
        where.add_argument(
            "--sys-prefix",
            action="store_true",
            help=f"for every user of this Python environment ({sys.prefix}/etc/ipython)",
        )
        if name == "enable":
            command.add_argument(
                "--prestart",
                action="store_true",
                help="also launch the server in the background when a kernel starts and none "
                "runs (enable without it turns that off again)",
            )
    return parser


HANDLERS = {
    "start": _start,
    "restart": _start,
    "stop": _stop,
    "status": _status,
    "conf": _conf,
    "logs": _logs,
    "jobs": _jobs,
    "ui": _ui,
    "enable": _autoload,
    "disable": _autoload,
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        try:
            return _run(argv)
        finally:
            # Within reach of the handler below: the rest of the output (or all of it, when it
            # went to a pipe in one buffer) is written here, or at exit, beyond every handler.
            sys.stdout.flush()
    except BrokenPipeError:
        return _reader_gone()


def _reader_gone() -> int:
    """The reader of the output went away (`sparkconnect jobs | head -2`): end quietly, as a Unix
    tool that SIGPIPE ends. Python ignores SIGPIPE (restoring it would also end `sparkconnect ui`
    when a browser drops a connection), so the write raised instead; what is still buffered goes
    to /dev/null, or the flush at exit would raise again and print its own complaint."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(devnull, stream.fileno())
    os.close(devnull)
    return EXIT_READER_GONE


def _run(argv: Sequence[str] | None) -> int:
    caller.use(caller.TERMINAL)
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "timeout", "absent") is None:
        args.timeout = lifecycle.DEFAULT_START_TIMEOUT
    try:
        return HANDLERS[args.command](args)
    except (ProfileError, ConfError) as err:
        # What was typed is wrong (an unknown profile, a conf item): a usage error, as argparse's.
        print(f"sparkconnect {args.command}: {err}", file=sys.stderr)
        return EXIT_USAGE
    except SparkConnectError as err:
        print(f"sparkconnect {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"sparkconnect {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
