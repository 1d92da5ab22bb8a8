"""Live Spark job progress in the output of the cell that runs the job.

The Spark Connect client calls a registered handler with the stages of the running operation
every `spark.connect.progress.reportInterval` (the core sets 500 ms), when a stage ends, and
once more when the operation ends. In JupyterLab the bar is one HTML output updated in place
through a display handle; in a terminal it is one text line rewritten with a carriage return. A
cell that runs several operations keeps one output, and ends with a summary line (or nothing,
when `SparkConnect.progress_summary` is off). An operation shows a bar only once it has run for
SHOW_AFTER with work still to do, and a cell without a bar gets no summary either: quick queries
show nothing.

The bar and the summary count from the same records as the jobs tables (the ledger, see
render/jobs_ledger.py): the stages that ran (not those Spark skips), and each operation's time.
"""

from __future__ import annotations

import html
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

from sparkconnect.notebook.cell_events import follow, unfollow
from sparkconnect.render.display import colour, html_output, human_bytes, publish
from sparkconnect.render.jobs_ledger import Operation, OperationLedger
from sparkconnect.render.spark_errors import is_cancelled
from sparkconnect.wording import plural

if TYPE_CHECKING:
    from sparkconnect.render.jobs_ledger import Stage

REDRAW_EVERY = 0.2
"""Seconds between two redraws of a running bar, whatever the report interval."""
SHOW_AFTER = 0.5
"""Seconds an operation runs before its bar appears."""
BAR_WIDTH = 24
"""Characters of the text bar."""


@dataclass
class CellRun:
    """Progress of the Spark operations of one cell. What it counts is the ledger's (the same
    records the jobs tables show): copies of the cell's operations as the ledger last gave them."""

    thread: int
    """Only operations run by the cell's own thread report here (not background threads)."""
    operations: dict[str, Operation] = field(default_factory=dict)
    """The cell's operations that reported progress, in order."""
    current: str | None = None
    handle: Any = None
    last_draw: float = 0.0
    text_shown: bool = False
    shown: bool = False
    """A bar was drawn; only then does the cell end with a summary."""

    def update(self, operation: Operation) -> None:
        self.operations[operation.operation_id] = operation
        self.current = operation.operation_id

    def _current(self) -> Operation | None:
        return self.operations.get(self.current or "")

    def has_work(self) -> bool:
        """The current operation still has stages to run (not a report of what just ended)."""
        operation = self._current()
        return operation is not None and operation.has_work()

    @property
    def seen(self) -> bool:
        return any(op.stages for op in self.operations.values())

    def seconds(self) -> float:
        """The Spark time of the cell: its operations' times, as the jobs tables show them."""
        now = time.time()
        return sum(op.seconds(now) for op in self.operations.values())

    def counts(self, running: bool = True) -> tuple[float, list[str]]:
        """(fraction of the current operation's tasks done, what to say about it). `running`:
        the tasks running now are worth saying (not once the operation was cancelled)."""
        operation = self._current()
        if operation is None:
            return 0.0, []
        stages_done, stages, completed, tasks = operation.counts()
        parts = [f"stages {stages_done}/{stages}", f"tasks {completed}/{tasks}"]
        if operation.running_tasks and running:
            parts.append(f"{operation.running_tasks} running")
        parts.append(f"{human_bytes(self.bytes_read())} read")
        return (completed / tasks if tasks else 0.0), parts

    def running_line(self) -> tuple[float, str]:
        fraction, parts = self.counts()
        operation = self._current()
        seconds = operation.seconds(time.time()) if operation else 0.0
        return fraction, " · ".join([*parts, f"{seconds:.1f} s"])

    def bytes_read(self) -> int:
        return sum(s.bytes_read for op in self.operations.values() for s in op.stages.values())

    def summary(self, outcome: str) -> str:
        stages = [s for op in self.operations.values() for s in op.ran()]
        queries = len(self.operations)
        counts = [
            plural(queries, "query", "queries") if queries > 1 else "",
            plural(len(stages), "stage"),
            plural(sum(s.tasks for s in stages), "task"),
            f"{human_bytes(self.bytes_read())} read",
        ]
        what = " · ".join(c for c in counts if c)
        if outcome == "done":
            return f"Spark: {what} in {self.seconds():.1f} s"
        _, where = self.counts(running=False)
        return f"Spark job {outcome} after {self.seconds():.1f} s ({' · '.join(where)})"


_OUTCOME_MARK = {"done": ("✔", "success"), "cancelled": ("✖", "error"), "failed": ("✖", "error")}


def running_bundle(run: CellRun) -> dict[str, str]:
    fraction, text = run.running_line()
    filled = round(fraction * BAR_WIDTH)
    plain = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {fraction:4.0%} · {text}"
    # One line, also in a narrow pane: the track gives way first, then the "Spark:" prefix
    # (sparkconnect-wide), and only then is the text cut (its full form is the tooltip).
    page = html_output(
        "progress",
        "<div class='sparkconnect-progress-row'>"
        "<div class='sparkconnect-progress-track'>"
        f"<div class='sparkconnect-progress-fill' style='width:{fraction:.1%}'></div></div>"
        f"<span class='sparkconnect-progress-text' title='Spark: {html.escape(text)}'>"
        f"<span class='sparkconnect-wide'>Spark: </span>{html.escape(text)}</span></div>",
        " data-state='running'",
    )
    return {"text/plain": plain, "text/html": page}


def final_bundle(run: CellRun, outcome: str) -> dict[str, str]:
    mark, level = _OUTCOME_MARK[outcome]
    text = run.summary(outcome)
    page = html_output(
        f"progress sparkconnect-progress-{outcome}",
        f"<div class='sparkconnect-{level}'>{mark} {html.escape(text)}</div>",
        f" data-state='{outcome}'",
    )
    return {"text/plain": f"{mark} {text}", "text/html": page}


EMPTY_BUNDLE = {"text/plain": "", "text/html": ""}


class CellProgress:
    """Turns the client's progress reports into one output per cell.

    `rich` selects the JupyterLab form (a display handle) over the terminal form (a text line).
    """

    def __init__(self, shell: InteractiveShell, rich: bool) -> None:
        self.shell = shell
        self.rich = rich
        self.enabled = True
        self.keep_summary = True
        self.run: CellRun | None = None
        self._line_width = 0
        self.ledger = OperationLedger()
        """Every operation's reports, for the jobs table and the panel: one source for both."""

    # IPython events -------------------------------------------------------------------------
    def install(self) -> None:
        follow(self.shell, pre_run_cell=self.pre_run_cell, post_run_cell=self.post_run_cell)
        if not self.rich:
            # A terminal prints `Out[n]:` from the displayhook, before post_run_cell: the
            # summary must come first. IPython's DisplayHook calls `self.start_displayhook()`
            # before the prompt, and has no event there; an instance attribute wraps it.
            hook = self.shell.displayhook
            original = hook.start_displayhook

            def start_displayhook() -> None:
                self.finish("done")
                original()  # type: ignore[no-untyped-call]

            start_displayhook.wrapped_by_sparkconnect = True  # type: ignore[attr-defined]
            hook.start_displayhook = start_displayhook  # type: ignore[method-assign]

    def uninstall(self) -> None:
        unfollow(self.shell, pre_run_cell=self.pre_run_cell, post_run_cell=self.post_run_cell)
        hook = self.shell.displayhook
        if getattr(hook.__dict__.get("start_displayhook"), "wrapped_by_sparkconnect", False):
            del hook.start_displayhook

    def pre_run_cell(self, info: object = None) -> None:
        self.run = CellRun(thread=threading.get_ident())
        self.ledger.cell_started(getattr(info, "raw_cell", "") or "")

    def post_run_cell(self, result: ExecutionResult) -> None:
        error = result.error_in_exec
        if isinstance(error, KeyboardInterrupt) or (
            error is not None and (self.ledger.cancelled_in_cell() or is_cancelled(error))
        ):
            outcome = "cancelled"
        elif error is not None and type(error).__module__.startswith("pyspark"):
            outcome = "failed"
        else:
            outcome = "done"
        self.ledger.cell_ended(outcome, result.execution_count)
        self.finish(outcome)

    def finish(self, outcome: str) -> None:
        """The cell's Spark work ended (`outcome`: done, cancelled or failed): its bar becomes
        the summary. A cell that showed no bar gets none."""
        run, self.run = self.run, None
        if run is None or not run.shown:
            return
        if outcome == "done":
            for operation in self.ledger.complete(run.operations):
                run.update(operation)
        self._draw_final(run, outcome)

    # The client's progress handler ------------------------------------------------------------
    def __call__(
        self,
        stages: Iterable[Stage] | None,
        inflight_tasks: int,
        operation_id: str | None,
        done: bool,
    ) -> None:
        operation = self.ledger.report(operation_id or "", stages or [], inflight_tasks, done)
        run = self.run
        if not self.enabled or run is None or threading.get_ident() != run.thread:
            return
        if done:
            # Called on success, failure and interrupt alike; the cell's end tells them apart.
            if operation is not None and operation.operation_id in run.operations:
                run.update(operation)
            if not self.rich and run.text_shown:
                # The operation's own output (a show(), say) comes next: leave a clean line.
                self._write_line("")
                run.text_shown = False
            return
        if operation is None:
            return
        run.update(operation)
        due = operation.seconds(time.time()) >= SHOW_AFTER and run.has_work()
        if run.seen and (run.shown or due):
            self._draw_running(run)

    # Drawing ----------------------------------------------------------------------------------
    def _draw_running(self, run: CellRun) -> None:
        now = time.monotonic()
        if now - run.last_draw < REDRAW_EVERY:
            return
        run.last_draw = now
        run.shown = True
        bundle = running_bundle(run)
        if not self.rich:
            self._write_line(bundle["text/plain"])
            run.text_shown = True
        elif run.handle is None:
            run.handle = publish(bundle)
        else:
            run.handle.update(bundle, raw=True)

    def _draw_final(self, run: CellRun, outcome: str) -> None:
        bundle = final_bundle(run, outcome)
        keep = self.keep_summary or outcome != "done"
        if self.rich:
            if run.handle is None:
                run.handle = publish(bundle if keep else EMPTY_BUNDLE)
            else:
                run.handle.update(bundle if keep else EMPTY_BUNDLE, raw=True)
        else:
            if run.text_shown:
                self._write_line("")
            if keep:
                sys.stdout.write(colour(bundle["text/plain"], _OUTCOME_MARK[outcome][1]) + "\n")
                sys.stdout.flush()

    def _write_line(self, text: str) -> None:
        """Rewrite the terminal's current line: carriage return, padded over the previous text;
        an empty text clears it."""
        sys.stdout.write("\r" + text.ljust(self._line_width) + ("\r" if not text else ""))
        sys.stdout.flush()
        self._line_width = len(text)
