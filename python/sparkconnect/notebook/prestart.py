"""At kernel start-up, pre-start the user's server when asked to (server/prestart.py says how and
why in the background).

Only a kernel that loads the extension at start-up (`sparkconnect enable`) pre-starts: a
`%load_ext` in a cell is followed by that cell's own use of Spark, and `autostart` starts the
server in the foreground anyway. A bad setting must not keep the kernel from starting: it is
said in one line, in the output of the notebook's first cell (at start-up no cell is there to
show it), and nothing is launched.
"""

from __future__ import annotations

from typing import Any

from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.errors import ProfileError, SparkConnectError
from sparkconnect.server import caller, lifecycle, prestart
from sparkconnect.session.kernel_session import KERNEL_SESSION

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
        idle = KERNEL_SESSION.idle_timeout
        prestart.launch_in_background(
            by=caller.current().label,
            profile=KERNEL_SESSION.profile,
            idle_timeout=lifecycle.default_idle_timeout() if idle is None else idle,
            warm_up=KERNEL_SESSION.warm_up,
        )
    except ProfileError as err:
        _say_at_first_cell(shell, f"sparkconnect: no server pre-started: {err}")
    except (OSError, SparkConnectError) as err:  # an unusable home, no fork
        _say_at_first_cell(shell, f"sparkconnect: could not pre-start the server: {err}")


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
