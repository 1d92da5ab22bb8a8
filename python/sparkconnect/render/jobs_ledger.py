"""This notebook's Spark operations, as the progress reports tell them.

The ledger is fed by the same progress handler that draws the per-cell progress bars (no second
poller): the Connect client calls it with the stages of each running operation every report
interval and once when the operation ends. It is created when the extension loads, so this
module stays small; turning operations into table rows (with the Spark UI's word) is
render/jobs_model.py's job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

KEEP = 50
"""Operations the ledger remembers; older finished ones are dropped."""
DESCRIPTION_WIDTH = 80

if TYPE_CHECKING:
    from typing import Protocol

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
    """Never run: its output existed already (see `Operation.mark_skipped`)."""

    @property
    def active(self) -> bool:
        return self.completed > 0 or self.done


@dataclass
class Operation:
    """One Spark operation as its reports tell it: the one record both the cell's progress line
    and the jobs tables count stages, tasks and time from.

    Stages Spark skips (their output exists already: a shuffle computed by an earlier job, which
    adaptive execution makes the rule for every aggregation) are reported like the others, with
    no task ever done. They are not counted, as the Spark UI lists them apart (and
    server/spark_rest.py leaves them out of its counts too)."""

    operation_id: str
    in_cell: bool
    """A cell was running when the operation reported first: it belongs to that cell."""
    source: str
    """The first line of that cell's code."""
    started: float
    """Unix seconds when it began, at the latest. The client does not report an operation's
    start: in a cell, the start of the cell or the end of the cell's operation before it;
    elsewhere its first report (up to one report interval late)."""
    stages: dict[int, StageState] = field(default_factory=dict)
    """By stage id, in the order reported."""
    running_tasks: int = 0
    ended: float | None = None
    cell: int | None = None
    """The cell's execution count, known when it ends (until then JupyterLab shows [*])."""
    outcome: str | None = None
    """"succeeded", "failed" or "cancelled" once known (from the cell's end or a cancel)."""

    def ran(self) -> list[StageState]:
        """Its stages that run (not skipped)."""
        return [s for s in self.stages.values() if not s.skipped]

    def counts(self) -> tuple[int, int, int, int]:
        """(stages done, stages, tasks done, tasks) of the stages that run."""
        ran = self.ran()
        return (
            sum(s.done for s in ran),
            len(ran),
            sum(s.completed for s in ran),
            sum(s.tasks for s in ran),
        )

    def seconds(self, now: float) -> float:
        return max(0.0, (self.ended or now) - self.started)

    def has_work(self) -> bool:
        """Stages still to run (not a report of what just ended)."""
        return any(not s.done and not s.skipped for s in self.stages.values())

    def note(self, stages: Iterable[Stage], running: int, done: bool) -> None:
        for stage in stages:
            self.stages[stage.stage_id] = StageState(
                stage.num_tasks, stage.num_completed_tasks, stage.num_bytes_read, stage.done
            )
        self.running_tasks = 0 if done else running
        self.mark_skipped()

    def mark_skipped(self) -> None:
        """A stage that never completed a task while a later stage did is skipped: a stage runs
        only after the stages it depends on (which have lower ids), and one that has not run by
        then never will."""
        latest = max((i for i, s in self.stages.items() if s.active), default=None)
        for i, state in self.stages.items():
            state.skipped = latest is not None and i < latest and not state.active

    def complete(self) -> None:
        """It succeeded. The last report can be up to one interval old, so it may show stages
        with tasks still to do: the last stage (its result) ran all of them, and so did every
        stage that had begun; a stage that never began while a later one ran was skipped."""
        last = max(self.stages, default=None)
        for i, state in self.stages.items():
            if i == last or state.active:
                state.completed, state.done, state.skipped = state.tasks, True, False
            else:
                state.skipped = True
        self.running_tasks = 0


def first_line(source: str) -> str:
    """The first line of code of a cell, shortened: what the user recognises a query by."""
    for line in source.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            return line if len(line) <= DESCRIPTION_WIDTH else line[: DESCRIPTION_WIDTH - 1] + "…"
    return ""


class OperationLedger:
    """Operations of this process's session, newest last; safe to use from several threads (the
    client reports from the thread that runs the query, the panel reads from its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._operations: dict[str, Operation] = {}
        self._cell: str | None = None
        """The first line of the running cell; None between cells."""
        self._cell_mark = 0.0
        """When the running cell's next operation began, at the latest: the cell's start, then
        the end of each of its operations."""
        self.version = 0
        """Increases with every change, so readers can tell when to look again."""

    def cell_started(self, source: str) -> None:
        with self._lock:
            self._cell = first_line(source)
            self._cell_mark = time.time()

    def report(
        self, operation_id: str, stages: Iterable[Stage], running: int, done: bool
    ) -> Operation | None:
        """One progress report from the client's handler; a copy of the operation as it stands
        now (None for a quick operation that ends without having reported)."""
        now = time.time()
        stages = list(stages)
        with self._lock:
            in_cell = self._cell is not None
            operation = self._operations.get(operation_id)
            if operation is None and not (done and not stages):
                started = self._cell_mark if in_cell else now
                operation = Operation(operation_id, in_cell, self._cell or "", started=started)
                self._operations[operation_id] = operation
                self._trim()
            if done and in_cell:
                self._cell_mark = now  # the cell's next operation starts after this one
            if operation is None:
                return None  # a quick operation ending: the UI shows it if it ran a job
            operation.note(stages, running, done)
            if done and operation.ended is None:
                operation.ended = now
            self.version += 1
            return _copy(operation)

    def complete(self, operation_ids: Iterable[str]) -> list[Operation]:
        """These operations succeeded (their cell ended well); copies of them, completed."""
        with self._lock:
            found = [self._operations[i] for i in operation_ids if i in self._operations]
            for operation in found:
                operation.complete()
            self.version += 1
            return [_copy(op) for op in found]

    def cell_ended(self, outcome: str, number: int | None) -> None:
        """The running cell (execution count `number`) ended ("done", "cancelled" or "failed"):
        its operations learn its number, and the finished ones without an outcome of their own
        take the cell's."""
        with self._lock:
            self._cell = None
            for operation in self._operations.values():
                if not operation.in_cell:
                    continue
                self.version += 1
                operation.in_cell, operation.cell = False, number
                if operation.ended and not operation.outcome:
                    operation.outcome = "succeeded" if outcome == "done" else outcome
                    if outcome == "done":
                        operation.complete()

    def mark_cancelled(self, operation_id: str) -> None:
        with self._lock:
            operation = self._operations.get(operation_id)
            if operation is not None and not operation.outcome:
                operation.outcome = "cancelled"
                self.version += 1

    def cancelled_in_cell(self) -> bool:
        """Whether an operation of the running cell was cancelled (by the panel's Cancel): its
        cell then ends with pyspark's OPERATION_CANCELED error, which is no failure."""
        with self._lock:
            return any(op.in_cell and op.outcome == "cancelled" for op in self._operations.values())

    def knows(self, operation_id: str) -> bool:
        with self._lock:
            return operation_id in self._operations

    def snapshot(self) -> list[Operation]:
        with self._lock:
            return [_copy(op) for op in self._operations.values()]

    def running(self) -> int:
        with self._lock:
            return sum(1 for op in self._operations.values() if op.ended is None)

    def _trim(self) -> None:
        while len(self._operations) > KEEP:
            done = next((k for k, op in self._operations.items() if op.ended), None)
            if done is None:
                return
            del self._operations[done]


def _copy(operation: Operation) -> Operation:
    return replace(operation, stages={i: replace(s) for i, s in operation.stages.items()})
