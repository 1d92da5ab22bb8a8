"""The user's shared server, seen from this process: the inputs the Rust core needs.

The core does the work (lock, state, launch, leases); this module supplies what only Python knows:
where pyspark's Spark lives, which interpreter the server's Python workers must use, and which
process holds the lease.
"""

from __future__ import annotations

import importlib.util
import os
import sys

from . import _core
from ._core import StartResult, Status, StopResult
from .profiles import ConfPlan

DEFAULT_START_TIMEOUT = 120.0


def home() -> str:
    """The per-user home ($SPARKCONNECT_HOME overrides), created 0700 if needed."""
    return _core.resolve_home(None)


def spark_home() -> str:
    """$SPARK_HOME if set, else the Spark that ships inside the pyspark package.

    Found without importing pyspark: importing it costs half a second."""
    explicit = os.environ.get("SPARK_HOME")
    if explicit:
        return explicit
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        raise _core.StartError(
            "pyspark is not installed in this Python environment, so there is no Spark to run. "
            'Install it with `pip install "pyspark[connect]>=4"` (or set SPARK_HOME to a Spark 4 '
            "distribution) and try again."
        )
    return next(iter(spec.submodule_search_locations))


def start(
    conf: dict[str, str],
    port: int | None = None,
    timeout: float = DEFAULT_START_TIMEOUT,
    restart: bool = False,
    env: dict[str, str] | None = None,
) -> StartResult:
    """Attach to the running server or launch one; `restart` replaces a running one. `env` is
    added to a launched server's environment (a profile's)."""
    env = env or {}
    launch = _core.restart if restart else _core.start
    return launch(
        home(),
        lease_pid=os.getpid(),
        # A profile may pick its own Spark and worker Python through its environment.
        spark_home=env.get("SPARK_HOME") or spark_home(),
        python=env.get("PYSPARK_PYTHON") or sys.executable,
        conf=conf,
        port=port,
        timeout=timeout,
        env=env,
    )


def start_planned(
    plan: ConfPlan,
    port: int | None = None,
    timeout: float = DEFAULT_START_TIMEOUT,
    restart: bool = False,
) -> StartResult:
    """Start with everything `plan` layers (profile, saved conf, this start's --conf), saving
    this start's items for later starts first."""
    if plan.line:
        save_pending_conf({**plan.saved, **plan.line})
    return start(plan.requested(), port=port, timeout=timeout, restart=restart, env=plan.env)


def stop(force: bool = False) -> StopResult:
    return _core.stop(home(), lease_pid=os.getpid(), force=force)


def release() -> None:
    """Drop this process's lease without stopping anything."""
    _core.release(home(), lease_pid=os.getpid())


def status() -> Status:
    return _core.status(home())


def pending_conf() -> dict[str, str]:
    return _core.load_conf(home())


def save_pending_conf(conf: dict[str, str]) -> None:
    _core.save_conf(home(), conf)
