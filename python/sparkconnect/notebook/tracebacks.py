"""Short failures: a Spark error or an interrupted Spark call ends the cell in a few lines.

IPython would show the whole Python traceback: through our magics, pyspark, grpc and threading,
then pyspark's text with the query plan and the server's JVM stack, and before all that pyspark
logs the same error as a JSON record on stderr. That is pages for one mistake, and it buries `✖
Spark job cancelled` after a Ctrl-C. Through IPython's custom exception hook (one per shell; we
keep and restore whoever had it), a Spark error shows as its class and message (render/
spark_errors.py), and an interrupt that landed inside a Spark call as the one line
`KeyboardInterrupt`; an operation cancelled on the server (the Spark panel's Cancel) as the one
line `Cancelled`, under the same `✖ Spark job cancelled after N s` summary. The plan and the
JVM stack are one click away in JupyterLab (collapsed below the error); in a terminal the
option `SparkConnect.show_jvm_stack` adds them, and `%tb` shows the full traceback as ever.
Anything else keeps IPython's usual traceback.
"""

from __future__ import annotations

import linecache
import logging
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.errors import NoSparkContextError
from sparkconnect.render.display import colour, publish, show
from sparkconnect.render.notice import Notice
from sparkconnect.render.spark_errors import SparkErrorReport, is_cancelled

# pyspark logs every error that has a query context through these, as JSON on stderr, before
# raising it: the error itself says the same a moment later.
ERROR_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")
SPARK_MODULES = ("pyspark.", "grpc.", "grpc_status.")
CANCELLED_LINE = "Cancelled"
TERMINAL_HINT = "({what}: `%tb`, or for every error `%config SparkConnect.show_jvm_stack = True`)"
"""Where a terminal finds what the short form leaves out; `what` names it (the report's details:
a query plan, a JVM stack trace, a Python worker's traceback)."""


def spark_error_type() -> type[BaseException] | None:
    """pyspark's base exception, once pyspark is imported (never imported from here)."""
    if "pyspark.errors" not in sys.modules:
        return None
    from pyspark.errors import PySparkException

    return PySparkException


def in_spark_call(tb: TracebackType | None) -> bool:
    """Whether the traceback passes through pyspark or grpc: the interrupt landed in a Spark
    call, whose frames say nothing the user can act on."""
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(SPARK_MODULES):
            return True
        tb = tb.tb_next
    return False


def cell_line(tb: TracebackType | None) -> str:
    """`line N: <code>` of the cell that raised, when the cell has more than one line.

    IPython's traceback starts at its own run_code frame; the next one runs the cell."""
    cell = tb.tb_next if tb is not None else None
    if cell is None:
        return ""
    filename = cell.tb_frame.f_code.co_filename
    lines = [line for line in linecache.getlines(filename) if line.strip()]
    if len(lines) < 2:
        return ""
    code = linecache.getline(filename, cell.tb_lineno).strip()
    return f"cell line {cell.tb_lineno}: {code}" if code else ""


class ShortTracebacks:
    """IPython's custom exception handler for Spark errors and interrupted Spark calls."""

    def __init__(self, shell: InteractiveShell, rich: bool, expanded: Callable[[], bool]) -> None:
        self.shell = shell
        self.rich = rich
        self.expanded = expanded
        """Whether to show the plan and JVM stack at once (SparkConnect.show_jvm_stack)."""
        self.installed = False
        self.previous: tuple[tuple[type[BaseException], ...], Any] = ((), None)
        self.silenced: dict[str, bool] = {}

    def install(self) -> None:
        """Take the hook; called again once pyspark is imported, to add its errors."""
        shell: Any = self.shell
        if not self.installed:
            self.previous = (tuple(shell.custom_exceptions), getattr(shell, "CustomTB", None))
            self.installed = True
        types: list[type[BaseException]] = [KeyboardInterrupt, NoSparkContextError]
        spark = spark_error_type()
        if spark is not None:
            types.append(spark)
            self._silence_error_logs()
        types += [t for t in self.previous[0] if t not in types]
        shell.set_custom_exc(tuple(types), self.handle)

    def refresh(self, session: object = None) -> None:
        """A session connected: pyspark is imported now (KernelSession.on_connect)."""
        if self.installed:
            self.install()

    def uninstall(self) -> None:
        if not self.installed:
            return
        shell: Any = self.shell
        types, handler = self.previous
        shell.custom_exceptions = types
        if handler is not None:
            shell.CustomTB = handler
        self.installed = False
        for name, disabled in self.silenced.items():
            logging.getLogger(name).disabled = disabled
        self.silenced = {}

    def _silence_error_logs(self) -> None:
        from pyspark.logger import PySparkLogger

        for name in ERROR_LOGGERS:
            if name not in self.silenced:
                logger = PySparkLogger.getLogger(name)
                self.silenced[name] = logger.disabled
                logger.disabled = True

    # The handler ----------------------------------------------------------------------------------
    def handle(
        self,
        shell: Any,
        etype: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
        tb_offset: int | None = None,
    ) -> list[str] | None:
        try:
            return self._handle(shell, etype, value, tb)
        except Exception:  # never lose the user's error to a bug of ours
            shell.showtraceback((etype, value, tb), running_compiled_code=True)
            return None

    def _handle(
        self, shell: Any, etype: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> list[str] | None:
        # What showtraceback does first: `%tb`, `%debug` and pdb find the error here.
        shell._get_exc_info((etype, value, tb))
        coloured = self.rich or colour_scheme_on(shell)
        spark = spark_error_type()
        if isinstance(value, KeyboardInterrupt) and in_spark_call(tb):
            stb = [colour("KeyboardInterrupt", "error", coloured)]
            shell._showtraceback(etype, value, stb)
            return stb
        if isinstance(value, NoSparkContextError) and self.rich:
            # What to write instead is advice, not the error: a quiet paragraph with its code
            # as code (stderr text would show the backquotes), then the one-line error.
            show(Notice(value.advice))
            stb = [f"{colour(etype.__name__, 'error', coloured)}: {value.headline}"]
            shell._showtraceback(etype, value, stb)
            return stb
        if spark is not None and isinstance(value, spark) and is_cancelled(value):
            # The cell still fails (Run All stops here), but nothing failed: pyspark's
            # UnknownException with the server's OPERATION_CANCELED and its stack would read as
            # a crash, where Kernel > Interrupt shows one quiet line.
            stb = [colour(CANCELLED_LINE, "error", coloured)]
            shell._showtraceback(etype, value, stb)
            return stb
        if spark is not None and isinstance(value, spark):
            report = SparkErrorReport.of(value, where=cell_line(tb))
            expanded = self.expanded()
            hint = "" if self.rich or expanded else TERMINAL_HINT.format(what=report.details_what())
            stb = report.lines(coloured, hint)
            if expanded and not self.rich and report.details:
                stb += ["", report.details]
            shell._showtraceback(etype, value, stb)
            if self.rich and report.details:
                publish(report.details_bundle(expanded))
            if getattr(shell, "call_pdb", False):  # %pdb on: as IPython's own traceback does
                shell.debugger(force=True)
            return stb
        previous_types, previous = self.previous
        if previous is not None and isinstance(value, previous_types):
            return previous(etype, value, tb)  # type: ignore[no-any-return]
        shell.showtraceback((etype, value, tb), running_compiled_code=True)
        return None


def colour_scheme_on(shell: Any) -> bool:
    """A terminal IPython colours its tracebacks unless its scheme is NoColor."""
    return str(getattr(shell, "colors", "NoColor")).lower() != "nocolor"
