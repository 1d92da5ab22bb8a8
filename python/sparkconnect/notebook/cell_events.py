"""Following IPython's cell events, and leaving them again on unload."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from IPython.core.interactiveshell import InteractiveShell


def follow(shell: InteractiveShell, **callbacks: Callable[..., Any]) -> None:
    """Registers each callback for its event (`pre_run_cell=…`, `post_run_cell=…`)."""
    for event, callback in callbacks.items():
        shell.events.register(event, callback)


def unfollow(shell: InteractiveShell, **callbacks: Callable[..., Any]) -> None:
    """Unregisters what `follow` registered; a callback already gone is not an error, so an
    unload after a failed load still leaves the shell clean."""
    for event, callback in callbacks.items():
        if callback in shell.events.callbacks[event]:
            shell.events.unregister(event, callback)
