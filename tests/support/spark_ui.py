"""The Spark UI's REST API, to see from outside which jobs run on the server and for whom.

The UI answers only signed requests: these go through `ServerInfo.ui_get`, the package's one
client of the UI (the core's, which signs), so a test that reads the UI also checks that our
signature is accepted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparkconnect import _core


@dataclass
class Job:
    job_id: int
    status: str
    tags: list[str]
    description: str = ""
    """What the UI's job list shows in its Description column."""

    def of_session(self, session_id: str) -> bool:
        # Spark Connect tags each job with its operation: ..._Session_<id>_Operation_<id>.
        return any(f"_Session_{session_id}_" in tag for tag in self.tags)


def running(home: Path) -> _core.ServerInfo:
    server = _core.status(str(home)).server
    assert server is not None
    return server


TIMEOUT = 30
"""Seconds a UI request may take: a new server's first ones load and compile the UI's classes,
which on two busy cores (two test workers) has taken over 10 s."""


def page(server: _core.ServerInfo, path: str, timeout: float = TIMEOUT) -> str:
    """The text at `path` (e.g. `/jobs/`) of `server`'s UI, asked with its key. OSError when it
    does not answer."""
    return server.ui_get(path, timeout=timeout)


def get(server: _core.ServerInfo, path: str, timeout: float = TIMEOUT) -> Any:
    """The JSON at `path` (e.g. `/api/v1/applications`) of `server`'s UI."""
    return json.loads(page(server, path, timeout))


def app_api(server: _core.ServerInfo, path: str, timeout: float = TIMEOUT) -> Any:
    """The JSON at `/api/v1/applications/<the application>/<path>`."""
    base = "/api/v1/applications"
    app = get(server, base, timeout)[0]["id"]
    return get(server, f"{base}/{app}/{path}", timeout)


def jobs(home: Path) -> list[Job]:
    return [
        Job(j["jobId"], j["status"], j.get("jobTags", []), j.get("description", ""))
        for j in app_api(running(home), "jobs")
    ]


def running_jobs_of(home: Path, session_id: str) -> list[Job]:
    return [j for j in jobs(home) if j.status == "RUNNING" and j.of_session(session_id)]
