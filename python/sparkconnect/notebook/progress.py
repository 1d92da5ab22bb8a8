"""Live Spark job progress in the output of the cell that runs the job.

The Spark Connect client calls a registered handler with the stages of the running operation
every `spark.connect.progress.reportInterval` (the core sets 500 ms), when a stage ends, and
once more when the operation ends. In JupyterLab the bar is one HTML output updated in place
through a display handle; in a terminal it is one text line rewritten with a carriage return. A
cell that runs several operations keeps one output, and ends with a summary line (or nothing,
when `SparkConnect.progress_summary` is off). An operation shows a bar only once it has run for
SHOW_AFTER with work still to do, and a cell without a bar gets no summary either: quick queries
show nothing.

Stages Spark skips (their output exists already: a shuffle computed by an earlier job, which
adaptive execution makes the rule for every aggregation) are reported like the others, with no
task ever done. They are counted neither in the bar nor in the summary, as the Spark UI lists
them apart.
"""

from __future__ import annotations

import html
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

from sparkconnect.notebook.cell_events import follow, unfollow
from sparkconnect.render.display import colour, html_output, human_bytes, publish
from sparkconnect.render.jobs_ledger import OperationLedger
from sparkconnect.render.spark_errors import is_cancelled

REDRAW_EVERY = 0.2
"""Seconds between two redraws of a running bar, whatever the report interval."""
SHOW_AFTER = 0.5
"""Seconds an operation runs before its bar appears."""
BAR_WIDTH = 24
"""Characters of the text bar."""


class Stage(Protocol):
    """What the client reports per stage (pyspark's StageInfo)."""

    stage_id: int
    num_tasks: int
    num_completed_tasks: int
    num_bytes_read: int
    done: bool


@dataclass
class StageState:
    tasks: int
    completed: int
    bytes_read: int
    done: bool
    skipped: bool = False
    """Never run: its output existed already (see `CellRun.mark_skipped`)."""


@dataclass
class CellRun:
    """Progress of the Spark operations of one cell."""

    started: float
    thread: int
    """Only operations run by the cell's own thread report here (not background threads)."""
    stages: dict[int, StageState] = field(default_factory=dict)
    operations: dict[str, list[int]] = field(default_factory=dict)
    """Stage ids per operation that reported progress, in order."""
    current: str | None = None
    running_tasks: int = 0
    handle: Any = None
    last_draw: float = 0.0
    text_shown: bool = False
    op_started: float = 0.0
    """When the current operation began, at the latest: the cell's start, or the end of the
    operation before it (the client does not report an operation's start)."""
    shown: bool = False
    """A bar was drawn; only then does the cell end with a summary."""

    def __post_init__(self) -> None:
        self.op_started = self.op_started or self.started

    def update(self, operation: str, stages: Iterable[Stage], running: int) -> None:
        ids = self.operations.setdefault(operation, [])
        for stage in stages:
            if stage.stage_id not in ids:
                ids.append(stage.stage_id)
            self.stages[stage.stage_id] = StageState(
                stage.num_tasks, stage.num_completed_tasks, stage.num_bytes_read, stage.done
            )
        self.current = operation
        self.running_tasks = running
        self.mark_skipped(operation)

    def mark_skipped(self, operation: str) -> None:
        """A stage that never completed a task while a later stage of the same operation did is
        skipped: a stage runs only after the stages it depends on (which have lower ids), and
        one that has not run by then never will."""
        latest_active = max(
            (i for i in self.operations.get(operation, []) if self._active(self.stages[i])),
            default=None,
        )
        for i in self.operations.get(operation, []):
            state = self.stages[i]
            state.skipped = (
                latest_active is not None and i < latest_active and not self._active(state)
            )

    @staticmethod
    def _active(state: StageState) -> bool:
        return state.completed > 0 or state.done

    def complete(self) -> None:
        """The cell's operations succeeded. The last report can be up to one interval old, so
        it may show stages with tasks still to do: the last stage of each operation (its result)
        ran all of them, and so did every stage that had begun; a stage that never began while
        a later one ran was skipped."""
        for ids in self.operations.values():
            for i in ids:
                state = self.stages[i]
                if i == max(ids) or self._active(state):
                    state.completed, state.done, state.skipped = state.tasks, True, False
                else:
                    state.skipped = True
        self.running_tasks = 0

    def has_work(self) -> bool:
        """The current operation still has stages to run (not a report of what just ended)."""
        ids = self.operations.get(self.current or "", [])
        return any(not self.stages[i].done and not self.stages[i].skipped for i in ids)

    @property
    def seen(self) -> bool:
        return any(self.operations.values())

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def counts(self, running: bool = True) -> tuple[float, list[str]]:
        """(fraction of the current operation's tasks done, what to say about it). `running`:
        the tasks running now are worth saying (not once the operation was cancelled)."""
        ids = self.operations.get(self.current or "", [])
        stages = [self.stages[i] for i in ids if not self.stages[i].skipped]
        tasks = sum(s.tasks for s in stages)
        completed = sum(s.completed for s in stages)
        parts = [
            f"stages {sum(s.done for s in stages)}/{len(stages)}",
            f"tasks {completed}/{tasks}",
        ]
        if self.running_tasks and running:
            parts.append(f"{self.running_tasks} running")
        parts.append(f"{human_bytes(self.bytes_read())} read")
        return (completed / tasks if tasks else 0.0), parts

    def running_line(self) -> tuple[float, str]:
        fraction, parts = self.counts()
        return fraction, " · ".join([*parts, f"{self.elapsed():.1f} s"])

    def bytes_read(self) -> int:
        return sum(s.bytes_read for s in self.stages.values())

    def summary(self, outcome: str) -> str:
        stages = [s for s in self.stages.values() if not s.skipped]
        counts = [
            plural(len(self.operations), "query", "queries") if len(self.operations) > 1 else "",
            plural(len(stages), "stage"),
            plural(sum(s.tasks for s in stages), "task"),
            f"{human_bytes(self.bytes_read())} read",
        ]
        what = " · ".join(c for c in counts if c)
        if outcome == "done":
            return f"Spark: {what} in {self.elapsed():.1f} s"
        _, where = self.counts(running=False)
        return f"Spark job {outcome} after {self.elapsed():.1f} s ({' · '.join(where)})"


def plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else (words or word + 's')}"


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
        self.run = CellRun(started=time.monotonic(), thread=threading.get_ident())
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
            run.complete()
        self._draw_final(run, outcome)

    # The client's progress handler ------------------------------------------------------------
    def __call__(
        self,
        stages: Iterable[Stage] | None,
        inflight_tasks: int,
        operation_id: str | None,
        done: bool,
    ) -> None:
        stages = list(stages or [])
        operation = operation_id or ""
        self.ledger.report(operation, stages, inflight_tasks, done)
        run = self.run
        if not self.enabled or run is None or threading.get_ident() != run.thread:
            return
        if done:
            # Called on success, failure and interrupt alike; the cell's end tells them apart.
            run.op_started = time.monotonic()  # the next operation starts after this one
            if not self.rich and run.text_shown:
                # The operation's own output (a show(), say) comes next: leave a clean line.
                self._write_line("")
                run.text_shown = False
            return
        run.update(operation, stages, inflight_tasks)
        due = time.monotonic() - run.op_started >= SHOW_AFTER and run.has_work()
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
