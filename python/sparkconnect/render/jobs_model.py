"""Jobs table rows: operations as the progress reports (render/jobs_ledger.py) and the Spark
UI tell them. The UI's REST API adds what the reports lack: which Spark jobs an operation ran,
their final status, and operations too quick to report progress. A row is one operation (one
query, one `collect()`), which is also what a Cancel interrupts.
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
    if "FAILED" in states:
        return "failed"
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


def _from_ui(operation_id: str, jobs: list[UiJob], now: float, notebook: str = "") -> JobRow:
    stages, tasks, running = _ui_counts(jobs)
    what = next((j.what for j in jobs if j.what), "")
    return JobRow(
        operation_id=operation_id,
        description=f"Spark Connect {what}".strip(),
        cell="",
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
        tasks = sum(t for t, _, _ in op.stages.values())
        done_tasks = sum(c for _, c, _ in op.stages.values())
        stages = f"{sum(d for _, _, d in op.stages.values())}/{len(op.stages)}"
        task_text, running = f"{done_tasks}/{tasks}", op.running_tasks
        if jobs:
            stages, task_text, running = _ui_counts(jobs)
        status = op.outcome or ("running" if op.ended is None else (_ui_status(jobs) or "finished"))
        if status == "running" and _ui_status(jobs) in ("succeeded", "failed"):
            status = _ui_status(jobs) or status  # the end report is still on its way
        seconds = _ui_span(jobs, now) if jobs else None
        if seconds is None:
            seconds = (op.ended or now) - op.first_seen
        rows.append(
            JobRow(
                operation_id=op.operation_id,
                description=op.source or "(no cell: code run outside a cell)",
                cell=f"[{op.cell}]" if op.cell is not None else ("[*]" if op.in_cell else ""),
                stages=stages,
                tasks=task_text,
                running_tasks=running if status == "running" else 0,
                seconds=seconds,
                status=status,
                spark_jobs=sorted(j.job_id for j in jobs),
                started=min([op.first_seen, *(j.submitted for j in jobs if j.submitted)]),
            )
        )
    rows += [_from_ui(operation, jobs, now) for operation, jobs in grouped.items()]
    return _order(rows)[:limit]


def server_rows(
    ui_jobs: list[UiJob], attached: Iterable[Attachment], now: float | None = None
) -> list[JobRow]:
    """Every notebook's operations on the server (for `sparkconnect jobs`), each named by the
    notebook whose session ran it. The warm-up of a fresh server is left out: the user ran none
    of it (the Spark UI names its jobs `sparkconnect warm-up`)."""
    now = time.time() if now is None else now
    names = {a.session_id: a.short for a in attached if a.session_id}
    rows = []
    for operation, jobs in _by_operation(ui_jobs).items():
        if all(job.warm_up for job in jobs):
            continue
        session = jobs[0].session_id or ""
        owner = names.get(session, f"session {session[:8]}" if session else "")
        rows.append(_from_ui(operation, jobs, now, notebook=owner))
    return _order(rows)


def _order(rows: list[JobRow]) -> list[JobRow]:
    """Running first, then the newest."""
    return sorted(rows, key=lambda row: (not row.running, -row.started))
