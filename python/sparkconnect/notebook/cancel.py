"""Interrupt means cancel: stopping a cell also stops its Spark work on the server.

Without this, Ctrl-C (or JupyterLab's stop button) only stops the notebook waiting: the job goes
on running on the shared server, holding its cores. The pyspark client cancels the one operation
it was waiting on when the interrupt lands inside that wait; after every interrupted cell we also
cancel everything still running in this notebook's session (and only this one: other notebooks
have sessions of their own), which covers interrupts that land elsewhere (in Python code between
two actions, in a DataFrame's display) and work the cell started in other threads.
"""

from __future__ import annotations

import logging
import threading

from IPython.core.interactiveshell import ExecutionResult, InteractiveShell

from sparkconnect.notebook.cell_events import follow, unfollow
from sparkconnect.session.binding import KERNEL_SESSION

CANCEL_WAIT = 5.0
"""Seconds the cell's end waits for the server to confirm; the cancel goes on in the background
if the server is slow (or gone, when the client would retry for long)."""

log = logging.getLogger(__name__)


def cancel_session_operations() -> list[str]:
    """Interrupt every operation of this notebook's session; their ids."""
    session = KERNEL_SESSION.current
    if session is None:
        return []
    return session.interruptAll()


def _cancel_in_background() -> None:
    outcome: list[str] = []

    def cancel() -> None:
        try:
            outcome.extend(cancel_session_operations())
        except Exception as err:  # the cell already failed; a failed cancel must not add noise
            log.debug("could not cancel this notebook's Spark operations: %s", err)

    worker = threading.Thread(target=cancel, name="sparkconnect-cancel", daemon=True)
    worker.start()
    worker.join(CANCEL_WAIT)
    if outcome:
        log.info("cancelled %d Spark operation(s) of this notebook", len(outcome))


def after_cell(result: ExecutionResult) -> None:
    if isinstance(result.error_in_exec, KeyboardInterrupt):
        _cancel_in_background()


def install(shell: InteractiveShell) -> None:
    follow(shell, post_run_cell=after_cell)


def uninstall(shell: InteractiveShell) -> None:
    unfollow(shell, post_run_cell=after_cell)
