"""Tells the other notebooks (their panels, `sparkconnect jobs`) what this one is called.

Every time this process connects a session to the user's server, it records its name and session
id next to its lease (see server/attached_names.py). A remote endpoint has no leases of ours.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from sparkconnect._core import SparkConnectError
from sparkconnect.server import lifecycle
from sparkconnect.session.binding import KERNEL_SESSION

log = logging.getLogger(__name__)


def on_connect(session: Any) -> None:
    if KERNEL_SESSION.remote is not None:
        return
    # Imported here, not when the extension loads: a connect costs far more anyway.
    from sparkconnect.server import attached_names

    try:
        attached_names.register(
            lifecycle.home(), os.getpid(), attached_names.process_name(), session.session_id
        )
    except (OSError, SparkConnectError) as err:
        # A name is a courtesy to the other notebooks: never a reason for a start to fail.
        log.debug("could not record this notebook's name: %s", err)


def install() -> None:
    KERNEL_SESSION.on_connect.append(on_connect)
    if KERNEL_SESSION.current is not None:
        on_connect(KERNEL_SESSION.current)


def uninstall() -> None:
    if on_connect in KERNEL_SESSION.on_connect:
        KERNEL_SESSION.on_connect.remove(on_connect)
