"""Jobs table rows: operations as the progress reports (render/jobs_ledger.py) and the Spark
UI tell them. A notebook's rows count what its cells' progress summaries count (the ledger);
the UI's REST API adds what the reports lack: which Spark jobs an operation ran, their final
status, and operations too quick to report progress. A row is one operation (one query, one
`collect()`), which is also what a Cancel interrupts.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sparkconnect.render.jobs_ledger import Operation

if TYPE_CHECKING:
    from sparkconnect.server.attached_names import Attachment
    from sparkconnect.server.spark_rest import UiJob


@dataclass(frozen=True)
class JobRow:
    """One operation as a jobs table shows it."""

    operation_id: str
    description: str
    cell: str
    """`[12]`; `[*]` while its cell runs, as JupyterLab shows that cell; "" when not known."""
    stages: str
    """done/total"""
    tasks: str
    running_tasks: int
    seconds: float
    status: str
    """running, succeeded, failed, cancelled or finished (ended, outcome unknown)."""
    spark_jobs: list[int]
    started: float
    """Unix seconds (first report, or the first job's submission)."""
    notebook: str = ""
    """Whose operation it is (`sparkconnect jobs` lists every notebook's)."""

    @property
    def running(self) -> bool:
        return self.status == "running"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _ui_status(jobs: list[UiJob]) -> str | None:
    if not jobs:
        return None
    states = {job.status for job in jobs}
    if "RUNNING" in states:
        return "running"
    # A query that fails has its other jobs cancelled: one failed job makes it failed.
    if "FAILED" in states:
        return "failed"
    if "CANCELLED" in states:
        return "cancelled"
    return "succeeded" if states == {"SUCCEEDED"} else None


def _ui_counts(jobs: list[UiJob]) -> tuple[str, str, int]:
    stages = sum(j.stages for j in jobs)
    done_stages = sum(j.completed_stages for j in jobs)
    tasks = sum(j.tasks for j in jobs)
    return (
        f"{done_stages}/{stages}",
        f"{sum(j.completed_tasks for j in jobs)}/{tasks}",
        sum(j.active_tasks for j in jobs),
    )


def _ui_span(jobs: list[UiJob], now: float) -> float | None:
    starts = [j.submitted for j in jobs if j.submitted]
    if not starts:
        return None
    ends = [j.completed for j in jobs]
    end = now if any(e is None for e in ends) else max(e for e in ends if e)
    return max(0.0, end - min(starts))


def _ui_description(jobs: list[UiJob]) -> str:
    """What an operation does, from its jobs: the code its notebook described it by
    (`<notebook> [<cell>] <code>`, see session/labels.py), a description of the user's own, else
    what its plan does."""
    for job in jobs:
        text = job.description
        if not text or text.startswith("Spark Connect - "):  # Spark Connect's: the plan's text
            continue
        if job.notebook is not None:
            label = job.notebook if job.cell is None else f"{job.notebook} [{job.cell}]"
            text = text.removeprefix(label).strip()
        if text:
            return text
    what = next((j.what for j in jobs if j.what), "")
    return f"Spark Connect {what}".strip()


def _from_ui(operation_id: str, jobs: list[UiJob], now: float, notebook: str = "") -> JobRow:
    stages, tasks, running = _ui_counts(jobs)
    cell = next((j.cell for j in jobs if j.cell is not None), None)
    return JobRow(
        operation_id=operation_id,
        description=_ui_description(jobs),
        cell="" if cell is None else f"[{cell}]",
        stages=stages,
        tasks=tasks,
        running_tasks=running,
        seconds=_ui_span(jobs, now) or 0.0,
        status=_ui_status(jobs) or "finished",
        spark_jobs=sorted(j.job_id for j in jobs),
        started=min((j.submitted for j in jobs if j.submitted), default=now),
        notebook=notebook,
    )


def _by_operation(ui_jobs: Iterable[UiJob]) -> dict[str, list[UiJob]]:
    grouped: dict[str, list[UiJob]] = {}
    for job in ui_jobs:
        if job.operation_id:
            grouped.setdefault(job.operation_id, []).append(job)
    return grouped


def notebook_rows(
    operations: list[Operation],
    ui_jobs: list[UiJob] | None,
    session_id: str | None,
    now: float | None = None,
    limit: int = 20,
) -> list[JobRow]:
    """Rows of this notebook's operations: running first, then the newest. The UI's jobs (None
    when it did not answer) complete the reports and add this session's operations that were
    too quick to report."""
    now = time.time() if now is None else now
    grouped = _by_operation(j for j in ui_jobs or [] if j.session_id == session_id)
    rows = []
    for op in operations:
        jobs = grouped.pop(op.operation_id, [])
        stages_done, stages, tasks_done, tasks = op.counts()
        stage_text, task_text, running = (
            f"{stages_done}/{stages}",
            f"{tasks_done}/{tasks}",
            op.running_tasks,
        )
        if jobs and (not op.stages or (op.ended is not None and not op.outcome)):
            # No report told its stages, or its last one may be stale: the UI knows better.
            stage_text, task_text, running = _ui_counts(jobs)
        status = op.outcome or ("running" if op.ended is None else (_ui_status(jobs) or "finished"))
        if status == "running" and _ui_status(jobs) in ("succeeded", "failed", "cancelled"):
            status = _ui_status(jobs) or status  # the end report is still on its way
        rows.append(
            JobRow(
                operation_id=op.operation_id,
                description=op.source or "(no cell: code run outside a cell)",
                cell=f"[{op.cell}]" if op.cell is not None else ("[*]" if op.in_cell else ""),
                stages=stage_text,
                tasks=task_text,
                running_tasks=running if status == "running" else 0,
                # The time the cell's progress summary counts, not the UI's (which leaves out
                # the planning before the first job).
                seconds=op.seconds(now),
                status=status,
                spark_jobs=sorted(j.job_id for j in jobs),
                started=op.started,
            )
        )
    rows += [_from_ui(operation, jobs, now) for operation, jobs in grouped.items()]
    return _order(rows)[:limit]


def server_rows(
    ui_jobs: list[UiJob], attached: Iterable[Attachment], now: float | None = None
) -> list[JobRow]:
    """Every notebook's operations on the server (for `sparkconnect jobs`), each named by the
    notebook that ran it: the name an attached process gives for its session (as `status` lists
    it), else the name its jobs are tagged with (a session the notebook ended with `spark.stop()`,
    a notebook since closed). The warm-up of a fresh server is left out: the user ran none of it
    (the Spark UI names its jobs `sparkconnect warm-up`)."""
    now = time.time() if now is None else now
    names = {a.session_id: a.short for a in attached if a.session_id}
    rows = []
    for operation, jobs in _by_operation(ui_jobs).items():
        if all(job.warm_up for job in jobs):
            continue
        session = jobs[0].session_id or ""
        owner = (
            names.get(session) or jobs[0].notebook or (f"session {session[:8]}" if session else "")
        )
        rows.append(_from_ui(operation, jobs, now, notebook=owner))
    return _order(rows)


def _order(rows: list[JobRow]) -> list[JobRow]:
    """Running first, then the newest."""
    return sorted(rows, key=lambda row: (not row.running, -row.started))
