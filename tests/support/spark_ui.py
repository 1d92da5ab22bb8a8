"""The Spark UI's REST API, to see from outside which jobs run on the server and for whom."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sparkconnect import _core


@dataclass
class Job:
    job_id: int
    status: str
    tags: list[str]

    def of_session(self, session_id: str) -> bool:
        # Spark Connect tags each job with its operation: ..._Session_<id>_Operation_<id>.
        return any(f"_Session_{session_id}_" in tag for tag in self.tags)


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def jobs(home: Path) -> list[Job]:
    server = _core.status(str(home)).server
    assert server is not None
    base = f"http://127.0.0.1:{server.ui_port}/api/v1/applications"
    app = _get(base)[0]["id"]
    return [Job(j["jobId"], j["status"], j.get("jobTags", [])) for j in _get(f"{base}/{app}/jobs")]


def running_jobs_of(home: Path, session_id: str) -> list[Job]:
    return [j for j in jobs(home) if j.status == "RUNNING" and j.of_session(session_id)]
