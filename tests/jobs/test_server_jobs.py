"""Whose job is whose in the server-wide jobs table (`sparkconnect jobs`, the Lab's Jobs tab),
from job records as the Spark UI's REST API gives them."""

from __future__ import annotations

from typing import Any

from sparkconnect.render.jobs_model import server_rows
from sparkconnect.server.attached_names import Attachment
from sparkconnect.server.spark_rest import WARM_UP_TAG, UiJob, jobs_of

SESSION = "0b1e4c8a-1111-2222-3333-444455556666"
OTHER = "7f00aa00-1111-2222-3333-444455556666"


def record(job_id: int, session: str, operation: str, *tags: str) -> dict[str, Any]:
    prefix = f"SparkConnect_OperationTag_User_root_Session_{session}"
    return {
        "jobId": job_id,
        "status": "SUCCEEDED",
        "jobTags": [f"{prefix}_Operation_{operation}", *(f"{prefix}_Tag_{t}" for t in tags)],
        "stageIds": [job_id],
        "numTasks": 2,
        "numCompletedTasks": 2,
        "submissionTime": "2026-12-01T09:54:49.379GMT",
        "completionTime": "2026-12-01T09:54:50.379GMT",
    }


def test_jobs_are_named_by_notebook_or_session_and_the_warm_up_is_left_out() -> None:
    found: list[UiJob] = jobs_of(
        [
            record(3, SESSION, "aaaaaaaa-0000-0000-0000-000000000001"),
            record(2, OTHER, "aaaaaaaa-0000-0000-0000-000000000002", WARM_UP_TAG),
            record(1, OTHER, "aaaaaaaa-0000-0000-0000-000000000003"),
        ]
    )
    assert [job.warm_up for job in found] == [False, True, False]
    named = [Attachment(4242, "/home/alice/work/analysis.ipynb", SESSION)]
    owners = {row.operation_id[-1]: row.notebook for row in server_rows(found, named)}
    # The warm-up's jobs are nobody's: left out.
    assert owners == {"1": "analysis.ipynb", "3": f"session {OTHER[:8]}"}


def test_rows_say_the_notebook_cell_code_and_a_cancel_as_the_ui_records_them() -> None:
    # The labels a notebook puts on its session (recorded from a real server), on a session the
    # notebook no longer has (it ran spark.stop() since): still the notebook's.
    labelled = record(5, OTHER, "aaaaaaaa-0000-0000-0000-000000000005", "notebook:sales.ipynb")
    labelled["jobTags"].append(
        f"SparkConnect_SessionTag_User_root_Session_{OTHER}_Tag_cell:17",
    )
    labelled["description"] = "sales.ipynb [17] df.groupBy('k').count().collect()"
    # Cancelled by an interrupt: Spark says FAILED, and why in the killed tasks' reason.
    cancelled = record(6, SESSION, "aaaaaaaa-0000-0000-0000-000000000006")
    cancelled["status"] = "FAILED"
    cancelled["killedTasksSummary"] = {
        "Stage cancelled: [SPARK_JOB_CANCELLED] Job 6 cancelled A job with the same tag "
        f"SparkConnect_OperationTag_User_root_Session_{SESSION}_Operation_x has failed. "
        "SQLSTATE: XXKDA": 2
    }
    failed = record(7, SESSION, "aaaaaaaa-0000-0000-0000-000000000007")
    failed["status"] = "FAILED"
    rows = {
        row.operation_id[-1]: row for row in server_rows(jobs_of([labelled, cancelled, failed]), [])
    }
    assert (rows["5"].notebook, rows["5"].cell, rows["5"].description) == (
        "sales.ipynb",
        "[17]",
        "df.groupBy('k').count().collect()",
    )
    assert (rows["6"].status, rows["7"].status) == ("cancelled", "failed")
    # A job no notebook described: what its plan does.
    assert rows["7"].description == "Spark Connect"
