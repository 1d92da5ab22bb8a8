"""The `%spark` command line: subcommands, options, and what each usage error says."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from IPython.core.error import UsageError

from sparkconnect.server import profiles
from sparkconnect.values import (
    LINES,
    LOG_LEVELS,
    CommandParser,
    add_conf_options,
    add_logs_options,
    add_start_options,
    add_stop_options,
)

HELP = f"""\
Manage this user's shared Spark Connect server and this notebook's session (`spark`).

  %spark start [--profile NAME] [--conf KEY=VALUE ...] [--master URL] [--port N]
               [--timeout SECONDS] [--idle-timeout SECONDS | --keep] [--no-warm-up]
      Launch the server, or attach to the one already running, and bind `spark`.
      --conf items (and --master, as spark.master) are saved as the conf for the next
      start once the server runs; --profile applies a profile from the config file (see
      `%spark profiles`). --idle-timeout: a server launched now stops by itself after
      that long with no notebook attached and no job running (default 900, 15 min;
      0 or --keep: never). The gRPC and Spark UI ports of the last server are reused
      when free. A launched server is warmed up in the background (a few small queries
      on a throwaway session) so the first query is quick; --no-warm-up skips that.
      Example:  %spark start --conf spark.sql.shuffle.partitions=8
      Example:  %spark start --master spark://head:7077 --conf spark.executor.memory=4g
      Example:  %spark start --profile bigmem
  %spark stop [--force]
      Release this notebook's session. The server stops when no other notebook is
      attached; --force stops it for everyone.
      Example:  %spark stop --force
  %spark restart [--profile NAME] [--conf KEY=VALUE ...] [--master URL] [--port N]
                 [--timeout SECONDS] [--idle-timeout SECONDS | --keep] [--no-warm-up]
                 [--force]
      Stop the server and start it with the saved conf. With other notebooks attached
      (their sessions end with it), only with --force.
      Example:  %spark restart --conf spark.executor.memory=4g
  %spark connect sc://HOST:PORT[/;use_ssl=true] [--token-env NAME | --token-file PATH]
      Attach this notebook to a Spark Connect server someone else runs (a team
      driver, a managed service) instead of our own. The token comes from the
      variable or file ($SPARKCONNECT_TOKEN by default) and is masked in every
      output. `%spark stop` only detaches.
      Example:  %spark connect sc://spark.example.org:15002 --token-file ~/.spark-token
  %spark status
      State, Spark version, master, uptime, attached notebooks, conf, Spark UI link,
      log file.
  %spark ui
      Just the link to the Spark Web UI (jobs, stages, SQL, executors).
  %spark logs [-n LINES] [--level LEVEL] [--grep TEXT] [-f|--follow [SECONDS]]
      The last lines of the server log (default 50), ERROR and WARN coloured.
      --level WARN keeps WARN and above ({", ".join(LOG_LEVELS)}), and then -n
      counts entries (a stack trace goes with its entry); --grep keeps lines containing
      TEXT (any case); --follow keeps the output live, for SECONDS or until the stop
      button.
      Example:  %spark logs -n 20 --level WARN --grep executor
  %spark conf [KEY=VALUE | KEY ...] [--unset KEY ...] [--reset] [--profile NAME]
      Without arguments: every conf item the next (re)start applies and where it comes
      from, merged in this order, later winning (an overridden value is shown too):
          defaults < profile < saved conf < --conf
      With KEY: just that item. With KEY=VALUE items: save them for the next start;
      they never restart a running server (`%spark restart` applies them to every
      notebook; a session conf such as spark.sql.shuffle.partitions applies to this
      notebook at once with spark.conf.set).
      Example:  %spark conf spark.executor.memory=2g spark.sql.shuffle.partitions=8
      Example:  %spark conf spark.sql.shuffle.partitions
  %spark profiles
      The profiles in the config file ({{config_file}}) and its format.
      Example:  %spark conf --profile bigmem   (what starting with it would apply)
  %spark panel
      A live control panel in the cell's output: state, Start, Stop, Restart, the conf,
      the log, this notebook's jobs (each with a Cancel) and the Spark UI.
      (The same from Python: sparkconnect.panel().)
  %spark jobs
      This notebook's running and recent Spark jobs: cell, stages, tasks, time, status.
  %spark progress [on|off]
      Show or hide the live progress bar of Spark jobs under each cell.
      Example:  %spark progress off
  %spark help
      This text.

  %%spark sql [-o NAME] [-n ROWS]
      Run the cell as one Spark SQL statement on this notebook's session and show the
      result as a table (first ROWS rows, default SparkConnect.max_rows). -o NAME keeps
      the result as the DataFrame variable NAME.
      Example:  %%spark sql -o top -n 5
                SELECT id, id * id AS square FROM range(100) ORDER BY id DESC

Until the server runs, `spark` connects on first use. A DataFrame that ends a cell shows as a
table. Interrupting a cell (the stop button, Ctrl-C) cancels this notebook's Spark jobs.

Options (`%config SparkConnect.<option> = value`, or c.SparkConnect.<option> in
ipython_config.py): default_profile, autostart, progress, progress_summary, max_rows,
start_timeout, idle_timeout, ui_url. `%config SparkConnect` lists them with their help.
Set $SPARKCONNECT_HOME to keep the server's state, lock and logs somewhere other than the
per-user default.
"""
CONFIG_FILE = "{config_file}"
"""Where HELP names the config file: `help_text` puts the path in force there."""
STATIC_CONFIG_FILE = "$XDG_CONFIG_HOME/sparkconnect/config.toml, by default under ~/.config"
"""The same, for `%spark?`, which is written when the module loads, before any environment."""


def help_text() -> str:
    """`%spark help`: HELP naming this process's config file ($SPARKCONNECT_CONFIG, else under
    $XDG_CONFIG_HOME, else under ~/.config), read now, as the profiles are."""
    path = str(profiles.config_path())
    home = str(Path.home())
    if path.startswith(home + "/"):
        path = "~" + path[len(home) :]
    return HELP.replace(CONFIG_FILE, path)


class _HelpShown(Exception):
    """argparse printed help for `-h`; nothing else to do."""


class SparkArgumentParser(CommandParser):
    """argparse that reports mistakes as IPython UsageErrors instead of exiting the kernel."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\nUsage: {self.format_usage().strip()[7:]}  (`%spark help`)")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status:
            raise UsageError(message or "invalid arguments")
        raise _HelpShown


def build_parser() -> SparkArgumentParser:
    parser = SparkArgumentParser(prog="%spark", add_help=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    add_start_options(commands.add_parser("start", help="launch or attach"), restart=False)
    add_stop_options(commands.add_parser("stop", help="detach; stop the server if last"))
    add_start_options(
        commands.add_parser("restart", help="stop and start with the saved conf"), restart=True
    )
    connect = commands.add_parser("connect", help="attach to a server someone else runs")
    connect.add_argument("url", metavar="sc://HOST:PORT")
    token = connect.add_mutually_exclusive_group()
    token.add_argument("--token-env", metavar="NAME", help="read the token from this variable")
    token.add_argument("--token-file", metavar="PATH", help="read the token from this file")
    commands.add_parser("status", help="the server's state")
    commands.add_parser("ui", help="the Spark UI link")
    add_logs_options(commands.add_parser("logs", help="the server log"))
    add_conf_options(commands.add_parser("conf", help="show or set the conf"))
    commands.add_parser("profiles", help="the profiles in the config file")
    commands.add_parser("panel", help="a live control panel")
    commands.add_parser("jobs", help="this notebook's Spark jobs")
    progress = commands.add_parser("progress", help="show or hide job progress bars")
    progress.add_argument("switch", nargs="?", choices=["on", "off"])
    commands.add_parser("help", help="explain every subcommand")
    return parser


def build_sql_parser() -> SparkArgumentParser:
    parser = SparkArgumentParser(prog="%%spark sql", add_help=False)
    parser.add_argument("-o", dest="output", metavar="NAME", help="keep the result as NAME")
    parser.add_argument("-n", dest="rows", type=LINES, metavar="ROWS", help="rows to show")
    return parser


def parse(argv: list[str]) -> argparse.Namespace | None:
    """Parse a `%spark` line already split into words; None when `-h` printed help."""
    if not argv:
        raise UsageError(
            "%spark needs a subcommand, for example `%spark start`; `%spark help` lists them."
        )
    try:
        return build_parser().parse_args(argv)
    except _HelpShown:
        return None


def parse_cell(argv: list[str]) -> argparse.Namespace | None:
    """Parse the first line of a `%%spark` cell (the words after `%%spark`)."""
    if not argv or argv[0] != "sql":
        raise UsageError(
            "%%spark cells run SQL: write `%%spark sql` on the first line (options: -o NAME, "
            "-n ROWS) and the query below it."
        )
    try:
        return build_sql_parser().parse_args(argv[1:])
    except _HelpShown:
        return None
