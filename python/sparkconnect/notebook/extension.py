"""`%load_ext sparkconnect` and `%unload_ext sparkconnect`; `sparkconnect.panel()`, which loads
the extension first."""

from __future__ import annotations

import copy
from typing import Any

from IPython.core.interactiveshell import InteractiveShell
from traitlets import TraitError

from sparkconnect.notebook import prestart
from sparkconnect.notebook.cell_events import follow, unfollow
from sparkconnect.notebook.lazy import LazySpark
from sparkconnect.notebook.magics import SparkConnect, spark_is_ours
from sparkconnect.notebook.panel import open_panel, text_fallback
from sparkconnect.render.notice import show_notice
from sparkconnect.server import caller, lifecycle
from sparkconnect.session import notices
from sparkconnect.session.binding import KERNEL_SESSION
from sparkconnect.session.client_import import import_client_in_background, wait_for_client_import
from sparkconnect.session.start_defaults import START_DEFAULTS
from sparkconnect.wording import PREFIX


def _magics(shell: InteractiveShell) -> SparkConnect:
    try:
        return SparkConnect(shell=shell, config=shell.config)
    except TraitError as err:
        # A bad value in ipython_config.py (or an earlier refused %config) must not keep the
        # extension from loading.
        print(f"{PREFIX}ignoring the SparkConnect options, one is invalid: {err}")
        config = copy.deepcopy(shell.config)
        config.pop("SparkConnect", None)
        return SparkConnect(shell=shell, config=config)


class ServerWatch:
    """Runs before every cell: when the server `spark` is bound to has died or was replaced,
    `spark` goes back to connecting on first use, and the notebook is told once. Costs one read
    of /proc, so cells that do not use Spark do not notice it."""

    def __init__(self, shell: InteractiveShell) -> None:
        self.shell = shell

    def __call__(self, info: Any = None) -> None:
        # A cell may import what the background import is importing (pyspark, pandas, ...):
        # only once it is done (see wait_for_client_import). Later cells find it done.
        wait_for_client_import()
        bound = KERNEL_SESSION.current
        message = KERNEL_SESSION.forget_if_server_gone()
        if KERNEL_SESSION.current is bound:
            return
        if bound is not None and self.shell.user_ns.get("spark") is bound:
            self.shell.user_ns["spark"] = LazySpark(self.shell)
        if message:
            # A notice, not an error: the cell runs on, and connects again if it uses `spark`.
            print(message, flush=True)


def _watchers(shell: InteractiveShell) -> list[Any]:
    return [cb for cb in shell.events.callbacks["pre_run_cell"] if isinstance(cb, ServerWatch)]


def load(shell: InteractiveShell) -> None:
    caller.use(caller.NOTEBOOK)
    # Before anything can import pyspark: classic builder code and friends then answer with
    # this notebook's session (the patches apply as pyspark's modules are imported).
    KERNEL_SESSION.classic.enable()
    notices.present(show_notice)
    if not _watchers(shell):
        shell.events.register("pre_run_cell", ServerWatch(shell))
    magics = _magics(shell)
    shell.register_magics(magics)
    # Registered so `%config SparkConnect.<option> = ...` reaches this instance.
    shell.configurables.append(magics)  # type: ignore[arg-type]
    magics.install()
    namespace = shell.user_ns
    if "spark" not in namespace or spark_is_ours(namespace["spark"]):
        namespace["spark"] = KERNEL_SESSION.current or LazySpark(shell)
    if magics.autostart and KERNEL_SESSION.current is None:
        magics.start_on_load()
    else:
        prestart.on_load(shell, magics.prestart)
        # Last, so the import thread does not compete with the work above for the GIL.
        _import_client_soon(shell)


def _import_client_soon(shell: InteractiveShell) -> None:
    """Begin the background client import: at once when the kernel loads the extension at start-up
    (no cell runs), after the cell when a cell loads it. In that cell the lines after `%load_ext`
    (`from pyspark.sql import functions`, `%spark start`) import the same cyclic packages from
    the other end, and two threads doing so can leave one with a partly initialised module."""
    if getattr(shell.displayhook, "exec_result", None) is None:  # set while a cell runs
        import_client_in_background()
        return

    def after_the_loading_cell(result: object = None) -> None:
        unfollow(shell, post_run_cell=after_the_loading_cell)
        if KERNEL_SESSION.classic.on:  # not unloaded meanwhile
            import_client_in_background()

    follow(shell, post_run_cell=after_the_loading_cell)


def unload(shell: InteractiveShell) -> None:
    """Remove what `load` added and this notebook's session and lease; the server keeps running
    for other notebooks (`%spark stop` is the way to stop it)."""
    for watcher in _watchers(shell):
        shell.events.unregister("pre_run_cell", watcher)
    prestart.forget(shell)
    for magics in [c for c in shell.configurables if isinstance(c, SparkConnect)]:
        magics.uninstall()
    KERNEL_SESSION.close()
    KERNEL_SESSION.classic.disable()
    START_DEFAULTS.forget_profile()
    notices.present(None)
    lifecycle.release()
    for kind in ("line", "cell"):
        shell.magics_manager.magics[kind].pop("spark", None)
    shell.configurables[:] = [c for c in shell.configurables if not isinstance(c, SparkConnect)]
    if spark_is_ours(shell.user_ns.get("spark")):
        del shell.user_ns["spark"]


def panel_for_api() -> Any:
    """`sparkconnect.panel()`: the panel of the IPython this runs in, with the extension loaded
    (its hooks feed the panel); the text card outside IPython."""
    from IPython.core.getipython import get_ipython

    shell: InteractiveShell | None = get_ipython()
    if shell is None:
        return text_fallback("The live panel needs IPython in a Jupyter front end.")
    manager = shell.extension_manager
    assert manager is not None, "an InteractiveShell always has an extension manager"
    manager.load_extension("sparkconnect")
    magics = next(c for c in shell.configurables if isinstance(c, SparkConnect))
    return open_panel(shell, magics.progress_bar.ledger, magics.rich)
