"""The `%spark` line magic and `%%spark sql` cell magic: one handler per subcommand, options
through traitlets."""

from __future__ import annotations

import argparse
import contextlib
import shlex
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, line_cell_magic, magics_class
from traitlets import Bool, Float, Int, TraitError, Unicode, default, observe, validate

from sparkconnect import _core, api
from sparkconnect.errors import ConfError, ProfileError
from sparkconnect.notebook import attachment, cancel
from sparkconnect.notebook.arguments import (
    CONFIG_FILE,
    HELP,
    STATIC_CONFIG_FILE,
    help_text,
    parse,
    parse_cell,
)
from sparkconnect.notebook.formatters import DataFrameFormatter
from sparkconnect.notebook.jobtags import CellLabels
from sparkconnect.notebook.lazy import LazySpark
from sparkconnect.notebook.panel import close_all, open_panel
from sparkconnect.notebook.progress import CellProgress
from sparkconnect.notebook.sqlmagic import run_sql
from sparkconnect.notebook.tracebacks import ShortTracebacks
from sparkconnect.render.display import Link, show
from sparkconnect.render.logview import LogFilter, follow
from sparkconnect.render.profile_cards import profiles_card
from sparkconnect.render.server_cards import (
    detached_card,
    launched_line,
    start_card,
    stop_card,
    ui_url,
)
from sparkconnect.render.start_failure import StartFailure
from sparkconnect.render.ui_link_option import UI_LINK
from sparkconnect.server import lifecycle, profiles, uilink
from sparkconnect.session import classic_takeover
from sparkconnect.session.binding import KERNEL_SESSION, Started
from sparkconnect.session.start_defaults import START_DEFAULTS

if TYPE_CHECKING:
    from pyspark.sql.connect.shell.progress import ProgressHandler


def _conf_words(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """`%spark conf` words: KEY=VALUE items to save, and KEY words to show."""
    items = [w for w in words if "=" in w]
    keys = [w for w in words if "=" not in w]
    for key in keys:
        if not key or any(c.isspace() or c in "\"'" or not c.isprintable() for c in key):
            raise UsageError(
                f"{key!r} is not a conf key: a key has no spaces or quotes, e.g. "
                "spark.sql.shuffle.partitions (KEY shows it, KEY=VALUE sets it)."
            )
    try:
        return _core.parse_conf(items), keys
    except _core.ConfError as err:
        raise UsageError(str(err)) from None


def in_jupyter_kernel(shell: InteractiveShell) -> bool:
    """A Jupyter kernel renders HTML and updates outputs in place; a terminal IPython does not."""
    return getattr(shell, "kernel", None) is not None


@magics_class
class SparkConnect(Magics):
    """`%spark` and `%%spark sql`; options are settable with `%config SparkConnect.<option> = ...`
    or in ipython_config.py."""

    start_timeout = Float(
        lifecycle.DEFAULT_START_TIMEOUT,
        help="Seconds `%spark start` waits for a new server to accept connections.",
    ).tag(config=True)
    default_profile = Unicode(
        "",
        help="Profile (from the sparkconnect config file, or the site's) that starts use when "
        "no --profile is given. Empty: the site configuration's default_profile, if any.",
    ).tag(config=True)
    autostart = Bool(
        False,
        help="Start (or attach to) the server when the extension loads, instead of on first use.",
    ).tag(config=True)
    prestart = Bool(
        None,
        allow_none=True,
        help="When the kernel loads the extension at start-up (`sparkconnect enable`), launch "
        "the server in the background if none runs, so the first Spark cell finds it up. None: "
        "the `prestart` key of the sparkconnect config file decides (default off). Set by "
        "`sparkconnect enable --prestart`.",
    ).tag(config=True)
    progress = Bool(True, help="Show a live progress bar under cells that run Spark jobs.").tag(
        config=True
    )
    progress_summary = Bool(
        True,
        help="When a cell's Spark jobs finish, leave a one-line summary (True) or remove the "
        "progress bar (False).",
    ).tag(config=True)
    max_rows = Int(
        20, help="Rows shown when a DataFrame ends a cell, and by %%spark sql without -n."
    ).tag(config=True)
    idle_timeout = Float(
        lifecycle.DEFAULT_IDLE_TIMEOUT,
        help="Seconds a server launched from this notebook keeps running with no notebook "
        "attached and no job running, before it stops by itself (the site configuration's "
        "idle_timeout, else 15 minutes); 0 keeps it until "
        "`%spark stop`. `%spark start --idle-timeout S` overrides it for one start.",
    ).tag(config=True)
    show_jvm_stack = Bool(
        False,
        help="Show a Spark error's query plan, JVM stack trace and Python worker traceback "
        "with it: in a terminal after the message, in JupyterLab expanded. False: collapsed in "
        "JupyterLab, `%tb` in a terminal.",
    ).tag(config=True)
    warm_up = Bool(
        True,
        help="Warm a server launched from this notebook up in the background (a few small "
        "queries on a throwaway session), so the first query does not pay for the new JVM's "
        "warm-up.",
    ).tag(config=True)
    ui_url = Unicode(
        "",
        help="Link to the Spark UI, with {port} for its port, e.g. "
        "'/user/alice/proxy/{port}/jobs/'. Empty: detected (JupyterHub prefix, "
        "jupyter-server-proxy, else http://localhost:{port}/jobs/).",
    ).tag(config=True)

    def __init__(self, shell: InteractiveShell, **kwargs: Any) -> None:
        # Before super().__init__: loading the config there already notifies the observers.
        self.rich = in_jupyter_kernel(shell)
        self.progress_bar = CellProgress(shell, rich=self.rich)
        self.formatter = DataFrameFormatter(lambda: self.max_rows)
        self.tracebacks = ShortTracebacks(shell, self.rich, lambda: self.show_jvm_stack)
        self.labels = CellLabels(shell)
        super().__init__(shell=shell, **kwargs)
        self._apply_options()

    # Options ----------------------------------------------------------------------------------
    @default("idle_timeout")
    def _site_idle_timeout(self) -> float:
        # The site configuration's, when it sets one; the user's own config still wins.
        return lifecycle.default_idle_timeout()

    @validate("max_rows")
    def _check_max_rows(self, proposal: dict[str, Any]) -> int:
        if proposal["value"] < 1:
            raise TraitError(f"max_rows must be at least 1, not {proposal['value']}")
        return int(proposal["value"])

    @validate("start_timeout", "idle_timeout")
    def _check_seconds(self, proposal: dict[str, Any]) -> float:
        value = float(proposal["value"])
        name = proposal["trait"].name
        if value < 0 or (name == "start_timeout" and value == 0):
            raise TraitError(f"{name} must be a positive number of seconds, not {value}")
        return value

    @validate("ui_url")
    def _check_ui_url(self, proposal: dict[str, Any]) -> str:
        try:
            return uilink.check_template(str(proposal["value"]))
        except ValueError as err:
            raise TraitError(str(err)) from None

    @observe("progress", "progress_summary", "ui_url", "default_profile", "idle_timeout", "warm_up")
    def _options_changed(self, change: Any) -> None:
        self._apply_options()

    def _apply_options(self) -> None:
        self.progress_bar.enabled = self.progress
        self.progress_bar.keep_summary = self.progress_summary
        # The lazy `spark` starts servers, and the Python API shows status cards, too: these
        # options live below the magics, not here.
        UI_LINK.follow_option(self.ui_url)
        START_DEFAULTS.follow_options(self.idle_timeout, self.warm_up, self.default_profile)

    # Installation -------------------------------------------------------------------------------
    def install(self) -> None:
        """Hooks into the shell: progress bars, cancel on interrupt, DataFrame tables, short
        Spark errors, job labels."""
        self.progress_bar.install()
        cancel.install(self._shell)
        self.formatter.install(self._shell)
        self.tracebacks.install()
        self.labels.install()
        KERNEL_SESSION.on_connect += [self._register_progress, self.tracebacks.refresh]
        KERNEL_SESSION.on_launch.append(_say_launched)
        if KERNEL_SESSION.current is not None:
            self._register_progress(KERNEL_SESSION.current)
        attachment.install()

    def uninstall(self) -> None:
        close_all()
        attachment.uninstall()
        self.progress_bar.uninstall()
        cancel.uninstall(self._shell)
        self.formatter.uninstall(self._shell)
        self.tracebacks.uninstall()
        self.labels.uninstall()
        for callback in (self._register_progress, self.tracebacks.refresh):
            if callback in KERNEL_SESSION.on_connect:
                KERNEL_SESSION.on_connect.remove(callback)
        if _say_launched in KERNEL_SESSION.on_launch:
            KERNEL_SESSION.on_launch.remove(_say_launched)
        session = KERNEL_SESSION.current
        if session is not None:
            with contextlib.suppress(ValueError):  # not registered
                session.removeProgressHandler(self._progress_handler)

    @property
    def _progress_handler(self) -> ProgressHandler:
        # Duck-typed: subclassing pyspark's ProgressHandler would import pyspark on load.
        return cast("ProgressHandler", self.progress_bar)

    def _register_progress(self, session: Any) -> None:
        session.registerProgressHandler(self._progress_handler)

    def start_on_load(self) -> None:
        """`autostart`: a failure is shown, but loading the extension still succeeds."""
        args = parse(["start"])
        assert args is not None
        try:
            self._start(args)
        except _core.StartError:
            pass  # _start showed it as a card
        except (_core.SparkConnectError, UsageError) as err:
            print(f"sparkconnect could not start the server on load: {err}")

    # The magic ----------------------------------------------------------------------------------
    @property
    def _shell(self) -> InteractiveShell:
        assert self.shell is not None, "registered magics always have a shell"
        return self.shell

    @property
    def _namespace(self) -> dict[str, Any]:
        return self._shell.user_ns  # type: ignore[no-any-return]

    @line_cell_magic
    def spark(self, line: str, cell: str | None = None) -> None:
        try:
            argv = shlex.split(line)
        except ValueError as err:
            raise UsageError(f"cannot read the %spark line: {err}") from None
        if cell is not None:
            sql = parse_cell(argv)
            if sql is not None:
                run_sql(cell, sql.output, sql.rows or self.max_rows, self._namespace)
            return
        args = parse(argv)
        if args is None:
            return
        SUBCOMMANDS[args.command](self, args)

    spark.__doc__ = HELP.replace(CONFIG_FILE, STATIC_CONFIG_FILE)

    def _start(self, args: argparse.Namespace, restart: bool = False) -> None:
        conf = dict(args.conf)
        if args.master:
            conf["spark.master"] = args.master
        try:
            plan = KERNEL_SESSION.plan(conf, args.profile)
        except (ProfileError, ConfError) as err:
            raise UsageError(str(err)) from None
        try:
            started = KERNEL_SESSION.start(
                port=args.port,
                timeout=args.timeout or self.start_timeout,
                restart=restart,
                idle_timeout=args.idle_timeout,
                force=getattr(args, "force", False),
                plan=plan,
                warm_up=self.warm_up and args.warm_up,
            )
        except _core.StartError as err:
            failure = StartFailure(str(err), err.cause, plan, args.port, restart)
            show(failure)
            # The card said it all; the cell still fails, so "Run All" stops here.
            err.shown_as_card = failure.title()  # type: ignore[attr-defined]
            raise
        self._bind_spark(started)
        show(
            start_card(
                started.result,
                started.seconds,
                started.plan,
                started.unmet,
                UI_LINK.template,
            )
        )

    def _restart(self, args: argparse.Namespace) -> None:
        self._start(args, restart=True)

    def _connect(self, args: argparse.Namespace) -> None:
        session = api.connect(args.url, token_env=args.token_env, token_file=args.token_file)
        self._namespace["spark"] = session
        show(api.status())

    def _stop(self, args: argparse.Namespace) -> None:
        remote = KERNEL_SESSION.remote
        if remote is not None:
            session = KERNEL_SESSION.current
            api.stop()
            if session is not None and self._namespace.get("spark") is session:
                self._namespace["spark"] = LazySpark(self._shell)
            show(detached_card(remote))
            return
        session = KERNEL_SESSION.current
        result = KERNEL_SESSION.stop(force=args.force)
        namespace = self._namespace
        if session is not None and namespace.get("spark") is session:
            namespace["spark"] = LazySpark(self._shell)
        show(stop_card(result))

    def _status(self, args: argparse.Namespace) -> None:
        show(api.status())

    def _ui(self, args: argparse.Namespace) -> None:
        if KERNEL_SESSION.remote is not None:
            print(
                f"This notebook is attached to {KERNEL_SESSION.remote.shown}; its Spark UI is "
                "wherever its operators publish it."
            )
            return
        running = lifecycle.status().server
        if running is None:
            print("No Spark Connect server is running; `%spark start` launches it.")
            return
        url = ui_url(running, UI_LINK.template)
        if url:
            show(Link(url, "Spark UI", ui_url(running, UI_LINK.template, absolute=True)))
        else:
            print(f"The Spark UI: {uilink.HOW_TO_OPEN}.")

    def _logs(self, args: argparse.Namespace) -> None:
        wanted = LogFilter(args.n, args.level, args.grep)
        path = lifecycle.status().log_path
        if args.follow:
            follow(path, wanted, args.follow, rich=self.rich)
        else:
            show(api.logs(args.n, level=args.level, grep=args.grep))

    def _conf(self, args: argparse.Namespace) -> None:
        items, keys = _conf_words(args.items)
        try:
            card = api.conf(items, args.unset, args.reset, profile=args.profile, show=keys or None)
        except (ProfileError, _core.ConfError) as err:
            raise UsageError(str(err)) from None
        show(card)

    def _profiles(self, args: argparse.Namespace) -> None:
        try:
            show(profiles_card(profiles.config_path(), START_DEFAULTS.profile))
        except ProfileError as err:
            raise UsageError(str(err)) from None

    def _progress(self, args: argparse.Namespace) -> None:
        if args.switch is not None:
            self.progress = args.switch == "on"
        state = "on" if self.progress else "off"
        print(f"Spark job progress bars are {state}.")

    def _panel(self, args: argparse.Namespace) -> None:
        show(open_panel(self._shell, self.progress_bar.ledger, self.rich))

    def _jobs(self, args: argparse.Namespace) -> None:
        from sparkconnect.notebook import jobs  # asks the Spark UI: imported only when used

        show(jobs.table(self.progress_bar.ledger))

    def _help(self, args: argparse.Namespace) -> None:
        print(help_text())

    def _bind_spark(self, started: Started) -> None:
        self._namespace["spark"] = started.session


SUBCOMMANDS: dict[str, Callable[[SparkConnect, argparse.Namespace], None]] = {
    "start": SparkConnect._start,
    "stop": SparkConnect._stop,
    "restart": SparkConnect._restart,
    "connect": SparkConnect._connect,
    "status": SparkConnect._status,
    "ui": SparkConnect._ui,
    "logs": SparkConnect._logs,
    "conf": SparkConnect._conf,
    "profiles": SparkConnect._profiles,
    "progress": SparkConnect._progress,
    "panel": SparkConnect._panel,
    "jobs": SparkConnect._jobs,
    "help": SparkConnect._help,
}
"""The handler of each subcommand the parser accepts (a test keeps both lists the same)."""


def _say_launched(started: Started) -> None:
    """`spark` used with no server running launched one: say so, in one line."""
    print(launched_line(started.result.server, started.seconds), flush=True)


def spark_is_ours(value: Any) -> bool:
    """`spark` holds what the extension put there: the lazy stand-in, or a session it created
    (closed ones too: unloading closes it, and loading again must replace it)."""
    return isinstance(value, LazySpark) or classic_takeover.issued(value)
