"""The `sparkconnect` terminal command (also `python -m sparkconnect`).

Same core, same state as the notebooks: a server started here is the one notebooks attach to, and
the other way round. Exit codes: 0 done, 1 the operation failed, 2 a usage error, 3 `status` found
no server running (as service managers do).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Sequence
from typing import Any

from sparkconnect import _core, autoload
from sparkconnect.errors import SparkConnectError
from sparkconnect.notebook.arguments import line_count, log_level, port_number, positive_seconds
from sparkconnect.render.logview import LogFilter, LogView, follow, read_tail
from sparkconnect.render.server_cards import masked_url, status_card, stop_card, ui_url, uptime
from sparkconnect.server import lifecycle, profiles
from sparkconnect.session import warmup

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_RUNNING = 0, 1, 2, 3


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
            ui_url=ui_url(info),
            spark_version=info.spark_version,
            master=info.master,
            started_at=info.started_at,
            uptime=uptime(time.time() - info.started_at),
            conf=info.conf,
            class_archive=info.class_archive,
        )
    return data


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    print(json.dumps(data, indent=2, sort_keys=True) if args.json else text)


def _start(args: argparse.Namespace) -> int:
    line = _core.parse_conf(args.conf)
    if args.master:
        line["spark.master"] = args.master
    chosen = profiles.get(args.profile) if args.profile else None
    plan = profiles.ConfPlan(chosen, lifecycle.pending_conf(), line)
    began = time.monotonic()
    restart = args.command == "restart"
    result = lifecycle.start_planned(plan, port=args.port, timeout=args.timeout, restart=restart)
    seconds = time.monotonic() - began
    info = result.server
    if result.launched and args.warm_up:
        # This process exits now: a detached helper does what a kernel's thread would.
        warmup.detached(info)
    verb = "started" if result.launched else "already running"
    text = f"Spark Connect server {verb} (pid {info.pid}, {info.master}, {seconds:.1f} s)"
    if info.conf != plan.requested():
        text += "\nIts conf differs from the requested one; `sparkconnect restart` applies it."
    _emit(args, {"launched": result.launched, **status_json(lifecycle.status())}, text)
    return EXIT_OK


def _stop(args: argparse.Namespace) -> int:
    result = lifecycle.stop(force=args.force)
    data = {
        "stopped": result.stopped,
        "was_running": result.was_running,
        "remaining": result.remaining,
    }
    _emit(args, data, repr(stop_card(result)).replace("%spark stop", "sparkconnect stop"))
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    status = lifecycle.status()
    _emit(args, status_json(status), repr(status_card(status)))
    return EXIT_OK if status.state == "running" else EXIT_NOT_RUNNING


def _logs(args: argparse.Namespace) -> int:
    path = lifecycle.status().log_path
    wanted = LogFilter(args.n, args.level, args.grep)
    if args.follow:
        follow(path, wanted, seconds=math.inf, rich=False)
    elif args.json:
        lines = [line.text for line in read_tail(path, wanted).lines]
        _emit(args, {"log_path": path, "lines": lines}, "")
    else:
        print(repr(LogView.of(read_tail(path, wanted), wanted)))
    return EXIT_OK


def _autoload(args: argparse.Namespace) -> int:
    path = autoload.config_file("sys-prefix" if args.sys_prefix else "user")
    who = f"this environment ({sys.prefix})" if args.sys_prefix else "this user"
    if args.command == "enable":
        changed = autoload.enable(path)
        state = "now loads" if changed else "already loaded"
        text = (
            f"Every new kernel of {who} {state} sparkconnect at start ({path}): `spark` "
            "connects on first use, no `%load_ext` needed. Running kernels: restart them."
        )
    else:
        changed = autoload.disable(path)
        text = (
            f"New kernels of {who} no longer load sparkconnect at start ({path})."
            if changed
            else f"sparkconnect was not loaded at start for {who} ({path}); nothing changed."
        )
    _emit(args, {"config_file": str(path), "changed": changed}, text)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sparkconnect",
        description="Manage your shared Spark Connect server (the one your notebooks use).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON for scripts")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser("status", parents=[common], help="state, URL, pid, uptime, notebooks")
    for name, text in (("start", "launch, or report the running one"), ("restart", "restart")):
        start = commands.add_parser(name, parents=[common], help=text)
        start.add_argument("--profile", help="a profile from the sparkconnect config file")
        start.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE")
        start.add_argument("--master", help="spark.master, e.g. local[4] or spark://host:7077")
        start.add_argument("--port", type=port_number, help="gRPC port (default: a free one)")
        start.add_argument(
            "--timeout", type=positive_seconds, default=lifecycle.DEFAULT_START_TIMEOUT
        )
        start.add_argument(
            "--no-warm-up",
            dest="warm_up",
            action="store_false",
            help="do not warm a launched server up in the background",
        )
    stop = commands.add_parser("stop", parents=[common], help="stop unless notebooks use it")
    stop.add_argument("--force", action="store_true", help="stop it even if notebooks use it")
    logs = commands.add_parser("logs", parents=[common], help="the server log")
    logs.add_argument("-n", type=line_count, default=50, metavar="LINES")
    logs.add_argument("--level", type=log_level, help="WARN keeps WARN, ERROR and FATAL")
    logs.add_argument("--grep", metavar="TEXT", help="lines containing TEXT (any case)")
    logs.add_argument("--follow", "-f", action="store_true", help="keep printing new lines")
    for name, text in (
        ("enable", "load sparkconnect in every new kernel (IPython start-up config)"),
        ("disable", "stop loading it in new kernels"),
    ):
        where = commands.add_parser(
            name, parents=[common], help=text
        ).add_mutually_exclusive_group()
        where.add_argument(
            "--user", action="store_true", help="for this user: the IPython profile (default)"
        )
        where.add_argument(
            "--sys-prefix",
            action="store_true",
            help=f"for every user of this Python environment ({sys.prefix}/etc/ipython)",
        )
    return parser


HANDLERS = {
    "start": _start,
    "restart": _start,
    "stop": _stop,
    "status": _status,
    "logs": _logs,
    "enable": _autoload,
    "disable": _autoload,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return HANDLERS[args.command](args)
    except (SparkConnectError, OSError) as err:
        print(f"sparkconnect {args.command}: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"sparkconnect {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
