"""The Spark UI's REST API on loopback: which Spark jobs run on the server, and for whom.

Spark Connect tags every job with the operation that ran it
(`SparkConnect_OperationTag_User_<user>_Session_<session>_Operation_<operation>`), so the jobs of
one notebook's session, and of one operation, can be told apart. The UI answers from the driver
JVM; a busy driver can be slow, so every call is bounded in time and a UI that does not answer
(disabled, still starting, stopped) reads as None rather than an error.

The requests themselves go through the core's one client of the UI (`ServerInfo.ui_get`, the
core's spark_ui.rs), which the idle watchdog uses too: it signs them with the server's UI key
(Spark's JWSFilter, see the core's uiauth.rs), which never leaves the core, and bounds them in
time. What the answers mean is read here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sparkconnect._core import ServerInfo

TIMEOUT = 3.0
"""Seconds one request may take. A fresh server's UI takes over a second for its first answers
(the JVM warming up), a warm one tens of milliseconds."""

WARM_UP_TAG = "sparkconnect-warmup"
"""The Spark job tag of every warm-up operation: Spark Connect adds it to its jobs' tags, after
the session's own (`..._Tag_sparkconnect-warmup`)."""
WARM_UP_DESCRIPTION = "sparkconnect warm-up"
"""What the Spark UI shows as the description of every warm-up job (instead of the start of its
plan in protobuf text, which reads like anyone's query)."""
_TAG = re.compile(r"_Session_(?P<session>[0-9a-fA-F-]+)_Operation_(?P<operation>[0-9a-fA-F-]+)$")
# The tags a notebook puts on its session (session/labels.py): Spark Connect passes them on to
# every job as `..._Session_<session>_Tag_<tag>`.
_LABEL = re.compile(r"_Session_[0-9a-fA-F-]+_Tag_(?P<key>notebook|cell):(?P<value>.*)$")
_CANCELLED = "[SPARK_JOB_CANCELLED]"
"""How the reason Spark gives the tasks it kills when their job is cancelled begins (after
"Stage cancelled: "); the job itself only says FAILED."""
# The description Spark Connect gives a job is the start of its plan in protobuf text format:
# `... plan {\n  root {\n    common {\n ... }\n    project {`. The first relation under the
# root (skipping `common`) names what the query does.
_PLAN_ROOT = re.compile(r"root \{\s*(?:common \{[^}]*\}\s*)?(?P<relation>\w+) \{")
_COMMAND = re.compile(r"command \{\s*(?P<command>\w+) \{")


@dataclass(frozen=True)
class UiJob:
    """One Spark job as the UI reports it."""

    job_id: int
    status: str
    """RUNNING, SUCCEEDED, FAILED, UNKNOWN, or CANCELLED: failed because it was cancelled (an
    interrupt, the panel's Cancel), told by the reason of the tasks it had running."""
    session_id: str | None
    operation_id: str | None
    what: str
    """What the job's plan does ("project", "sql", ...), from its description; "" if unknown."""
    submitted: float | None
    """Unix seconds."""
    completed: float | None
    stages: int
    """Stages it runs: a stage Spark skips (its output exists already, computed by an earlier
    job) is not counted, as the progress reports do not count it (notebook/progress.py)."""
    completed_stages: int
    tasks: int
    """Tasks of the stages it runs."""
    completed_tasks: int
    active_tasks: int
    warm_up: bool = False
    """Run by a warm-up of a fresh server (tagged WARM_UP_TAG), not by a notebook."""
    notebook: str | None = None
    """The notebook whose session ran it, from its `notebook:` tag."""
    cell: int | None = None
    """The number of the cell that ran it, from its `cell:` tag."""
    description: str = ""
    """Its description in the Spark UI (`<notebook> [<cell>] <code>` when a notebook named it)."""


def _time(text: object) -> float | None:
    # "2026-12-01T09:54:49.379GMT"
    if not isinstance(text, str) or not text.endswith("GMT"):
        return None
    try:
        return datetime.fromisoformat(text[:-3] + "+00:00").timestamp()
    except ValueError:
        return None


def _what(description: str) -> str:
    found = _COMMAND.search(description) or _PLAN_ROOT.search(description)
    return found.group(1) if found else ""


def jobs_of(records: list[dict[str, Any]]) -> list[UiJob]:
    """The jobs of an answer of the UI's `/jobs` endpoint."""
    return [_job(item) for item in records]


def _status(raw: dict[str, Any]) -> str:
    status = str(raw.get("status", "UNKNOWN"))
    killed = raw.get("killedTasksSummary") or {}
    if status == "FAILED" and any(_CANCELLED in str(reason) for reason in killed):
        return "CANCELLED"
    return status


def _job(raw: dict[str, Any]) -> UiJob:
    session = operation = None
    labels: dict[str, str] = {}
    tags = [str(tag) for tag in raw.get("jobTags") or []]
    for tag in tags:
        found = _TAG.search(tag)
        if found:
            session, operation = found["session"], found["operation"]
        label = _LABEL.search(tag)
        if label:
            labels[label["key"]] = label["value"]
    cell = labels.get("cell", "")
    return UiJob(
        job_id=int(raw["jobId"]),
        status=_status(raw),
        session_id=session,
        operation_id=operation,
        # The name keeps the start of the plan when a description was set.
        what=_what(str(raw.get("name") or raw.get("description") or "")),
        submitted=_time(raw.get("submissionTime")),
        completed=_time(raw.get("completionTime")),
        stages=len(raw.get("stageIds") or []) - int(raw.get("numSkippedStages", 0)),
        completed_stages=int(raw.get("numCompletedStages", 0)),
        tasks=int(raw.get("numTasks", 0)) - int(raw.get("numSkippedTasks", 0)),
        completed_tasks=int(raw.get("numCompletedTasks", 0)),
        active_tasks=int(raw.get("numActiveTasks", 0)),
        warm_up=any(tag.endswith(WARM_UP_TAG) for tag in tags),
        notebook=labels.get("notebook"),
        cell=int(cell) if cell.isdigit() else None,
        description=str(raw.get("description") or ""),
    )


def _get(server: ServerInfo, path: str, timeout: float) -> Any:
    return json.loads(server.ui_get(path, timeout=timeout))


def jobs(server: ServerInfo, timeout: float = TIMEOUT) -> list[UiJob] | None:
    """Every job the server's UI remembers (newest first); None when the UI does not answer."""
    base = "/api/v1/applications"
    try:
        applications = _get(server, base, timeout)
        if not applications:
            return None
        return jobs_of(_get(server, f"{base}/{applications[0]['id']}/jobs", timeout))
    # OSError: no answer (ui_get); the others: an answer that is not the UI's job list.
    except (OSError, ValueError, KeyError, TypeError):
        return None
