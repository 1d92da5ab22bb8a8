"""At kernel start-up, pre-start the user's server when asked to (server/detached/prestart.py says
how and why in the background).

Only a kernel that loads the extension at start-up (`sparkconnect enable`) pre-starts: a
`%load_ext` in a cell is followed by that cell's own use of Spark, and `autostart` starts the
server in the foreground anyway. A bad setting must not keep the kernel from starting: it is
said in one line, in the output of the notebook's first cell (at start-up no cell is there to
show it), and nothing is launched.
"""

from __future__ import annotations

import subprocess
import threading
import time
from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.errors import ProfileError, SparkConnectError
from sparkconnect.server import caller, lifecycle
from sparkconnect.server.detached import prestart
from sparkconnect.session import warmup
from sparkconnect.session.binding import KERNEL_SESSION
from sparkconnect.session.client_import import wait_for_client_import
from sparkconnect.session.start_defaults import START_DEFAULTS
from sparkconnect.wording import PREFIX

CELL_POLL = 0.05
"""Seconds between two looks at whether a cell still runs (a thread's polling, no cell's)."""
_pending: list[Any] = []
"""The one-shot callback that will say a bad setting, until the first cell ran it."""


def on_load(shell: InteractiveShell, option: bool | None) -> None:
    """`option`: the `SparkConnect.prestart` kernel option (None: the config file decides)."""
    if getattr(shell.displayhook, "exec_result", None) is not None:  # set while a cell runs
        return
    try:
        wanted = prestart.setting() if option is None else option
        if not wanted or not prestart.needed():
            return
        label = caller.current().label
        helper = prestart.launch_in_background(
            by=label,
            profile=START_DEFAULTS.profile,
            idle_timeout=START_DEFAULTS.launch_idle_timeout(),
        )
        if START_DEFAULTS.warm_up:
            threading.Thread(
                target=_warm_up_when_launched,
                args=(shell, helper, caller.prestarted(label)),
                name="sparkconnect-prestart",
                daemon=True,
            ).start()
    except ProfileError as err:
        _say_at_first_cell(shell, f"{PREFIX}no server pre-started: {err}")
    except (OSError, SparkConnectError) as err:  # an unusable home, no fork
        _say_at_first_cell(shell, f"{PREFIX}could not pre-start the server: {err}")


def _warm_up_when_launched(
    shell: InteractiveShell, helper: subprocess.Popen[bytes], launched_by: str
) -> None:
    """Once the helper launched the server, warm it up as after a launch of the kernel's own
    (the warm-up gives way to the notebook's first query). Not when the notebook uses `spark`
    already: a first query that waited for the launch pays the cold server anyway, and a
    warm-up beside it would only slow it down. A cell running when the launch ends may be
    such a query, still attaching: the decision waits for its end."""
    if helper.wait() != prestart.LAUNCHED:
        return
    while shell.displayhook.exec_result is not None:  # set while a cell runs
        time.sleep(CELL_POLL)
    if KERNEL_SESSION.current is not None:
        return
    server = lifecycle.status().server
    if server is None or server.launched_by != launched_by:
        return  # stopped, or replaced, meanwhile
    wait_for_client_import()
    warmup.in_background(server)


def _say_at_first_cell(shell: InteractiveShell, line: str) -> None:
    def say(info: object = None) -> None:
        forget(shell)
        print(line, flush=True)

    _pending.append(say)
    shell.events.register("pre_run_cell", say)


def forget(shell: InteractiveShell) -> None:
    """Drop a line not said yet (the extension is unloaded)."""
    while _pending:
        callback = _pending.pop()
        if callback in shell.events.callbacks["pre_run_cell"]:
            shell.events.unregister("pre_run_cell", callback)
