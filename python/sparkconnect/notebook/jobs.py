"""This notebook's Spark jobs (`%spark jobs`, the panel's Jobs tab) and cancelling one of them.

The rows come from the ledger the progress handler feeds, completed by the Spark UI's REST API on
loopback (see render/jobs_model.py). Cancelling interrupts exactly one Spark Connect operation of
this notebook's session (`interruptOperation`): other operations of the notebook, and other
notebooks' sessions, go on.
"""

from __future__ import annotations

from sparkconnect.render.jobs_ledger import OperationLedger
from sparkconnect.render.jobs_model import JobRow, notebook_rows
from sparkconnect.render.jobs_table import JobsTable
from sparkconnect.server import lifecycle, spark_rest
from sparkconnect.server.spark_rest import UiJob
from sparkconnect.session.binding import KERNEL_SESSION


def ask_ui() -> tuple[list[UiJob] | None, list[str]]:
    """The jobs the server's Spark UI reports (None when it cannot be asked or did not answer),
    and notes saying why not."""
    if KERNEL_SESSION.remote is not None:
        return None, [
            "Attached to a remote endpoint: jobs come from the progress reports only (its Spark "
            "UI is not reachable from here)."
        ]
    server = lifecycle.status().server
    if server is None:
        return None, []
    found = spark_rest.jobs(server)
    if found is None:
        return None, ["The Spark UI did not answer: jobs come from the progress reports only."]
    return found, []


def rows(ledger: OperationLedger, ui_jobs: list[UiJob] | None) -> list[JobRow]:
    session = KERNEL_SESSION.current
    session_id = session.session_id if session is not None else None
    return notebook_rows(ledger.snapshot(), ui_jobs, session_id)


def table(ledger: OperationLedger) -> JobsTable:
    ui_jobs, notes = ask_ui()
    return JobsTable(rows(ledger, ui_jobs), notes=notes)


def cancel(ledger: OperationLedger, operation_id: str) -> tuple[bool, str]:
    """Interrupt one operation of this notebook's session: whether it was, and what happened in
    one sentence. Safe to call from any thread: the Connect client sends the interrupt on its
    own RPC."""
    session = KERNEL_SESSION.current
    if session is None:
        return False, "This notebook has no Spark session: nothing to cancel."
    if not ledger.knows(operation_id) and operation_id not in _ui_operations(session.session_id):
        return False, "Not an operation of this notebook: not cancelled."
    try:
        interrupted = session.interruptOperation(operation_id)
    except Exception as err:  # the server may be gone or busy; say so in the panel
        reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return False, f"Could not cancel it: {reason}"
    if operation_id not in interrupted:
        return False, "It had already finished."
    ledger.mark_cancelled(operation_id)
    return True, "Cancelled."


def _ui_operations(session_id: str) -> set[str]:
    server = lifecycle.status().server
    jobs = spark_rest.jobs(server) if server is not None else None
    return {j.operation_id for j in jobs or [] if j.session_id == session_id and j.operation_id}
