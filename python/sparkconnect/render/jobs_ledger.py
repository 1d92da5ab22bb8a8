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
from dataclasses import asdict, dataclass, field
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
        done: bool


@dataclass
class Operation:
    operation_id: str
    in_cell: bool
    """A cell was running when the operation reported first: it belongs to that cell."""
    source: str
    """The first line of that cell's code."""
    first_seen: float
    """Unix seconds of the first report (the operation started up to one interval earlier)."""
    stages: dict[int, tuple[int, int, bool]] = field(default_factory=dict)
    """stage id -> (tasks, completed tasks, done)."""
    running_tasks: int = 0
    ended: float | None = None
    cell: int | None = None
    """The cell's execution count, known when it ends (until then JupyterLab shows [*])."""
    outcome: str | None = None
    """"succeeded", "failed" or "cancelled" once known (from the cell's end or a cancel)."""


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
        self.version = 0
        """Increases with every change, so readers can tell when to look again."""

    def cell_started(self, source: str) -> None:
        with self._lock:
            self._cell = first_line(source)

    def report(self, operation_id: str, stages: Iterable[Stage], running: int, done: bool) -> None:
        """One progress report from the client's handler."""
        now = time.time()
        with self._lock:
            operation = self._operations.get(operation_id)
            if operation is None:
                if done and not stages:
                    return  # a quick operation ending: the UI shows it if it ran a job
                in_cell = self._cell is not None
                operation = Operation(operation_id, in_cell, self._cell or "", first_seen=now)
                self._operations[operation_id] = operation
                self._trim()
            for stage in stages:
                operation.stages[stage.stage_id] = (
                    stage.num_tasks,
                    stage.num_completed_tasks,
                    stage.done,
                )
            operation.running_tasks = 0 if done else running
            if done and operation.ended is None:
                operation.ended = now
            self.version += 1

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
                        operation.stages = {
                            sid: (tasks, tasks, True)
                            for sid, (tasks, _, _) in operation.stages.items()
                        }

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
            return [
                Operation(**{**asdict(op), "stages": dict(op.stages)})
                for op in self._operations.values()
            ]

    def running(self) -> int:
        with self._lock:
            return sum(1 for op in self._operations.values() if op.ended is None)

    def _trim(self) -> None:
        while len(self._operations) > KEEP:
            done = next((k for k, op in self._operations.items() if op.ended), None)
            if done is None:
                return
            del self._operations[done]
