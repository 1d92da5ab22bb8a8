"""The user's shared server, seen from this process: the inputs the Rust core needs.

The core does the work (lock, state, launch, leases); this module supplies what only Python knows:
where pyspark's Spark lives, which interpreter the server's Python workers must use, and which
process holds the lease.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from sparkconnect import _core
from sparkconnect._core import ConfError, StartResult, Status, StopResult
from sparkconnect.server import caller, conf_values, env_script, site_config, workdir
from sparkconnect.server.profile_format import USER, Profile
from sparkconnect.server.profiles import ConfPlan

DEFAULT_START_TIMEOUT = 120.0
DEFAULT_IDLE_TIMEOUT = 15 * 60.0
"""Seconds a launched server keeps running with no process attached and no job running before
its watchdog stops it. A server nobody uses (JupyterLab shut down, the notebooks closed) would
otherwise hold its JVM's memory forever; a quarter of an hour spares a user who closes a
notebook and opens another a relaunch. `sparkconnect start --keep` (or 0) keeps a server for
good."""
MIN_PYSPARK = (4, 0)
_PYSPARK_HINT = 'Upgrade it with `pip install -U "pyspark[connect]>=4"` and restart the kernel.'


def home() -> str:
    """The per-user home ($SPARKCONNECT_HOME overrides), created 0700 if needed."""
    return _core.resolve_home(None)


def _pyspark_dir() -> Path | None:
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def check_pyspark() -> None:
    """Refuse a pyspark older than 4.0: its Connect client has no token authentication, and the
    Spark inside it no Connect server. Read from pyspark/version.py, without importing pyspark
    (half a second)."""
    location = _pyspark_dir()
    if location is None:
        return  # spark_home() explains a missing pyspark
    try:
        text = (location / "version.py").read_text()
    except OSError:
        return
    found = re.search(r"""__version__[^=]*=\s*["']([^"']+)["']""", text)
    if found is None:
        return
    version = found.group(1)
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    if numbers < MIN_PYSPARK:
        raise _core.StartError(
            f"pyspark {version} is installed in this Python environment ({location}), but "
            "sparkconnect needs pyspark 4.0 or newer (its Spark Connect client with token "
            f"authentication). {_PYSPARK_HINT}"
        )


def spark_home() -> str:
    """$SPARK_HOME if set, else the Spark that ships inside the pyspark package.

    Found without importing pyspark: importing it costs half a second."""
    explicit = os.environ.get("SPARK_HOME")
    if explicit:
        return explicit
    location = _pyspark_dir()
    if location is None:
        raise _core.StartError(
            "pyspark is not installed in this Python environment, so there is no Spark to run. "
            'Install it with `pip install "pyspark[connect]>=4"` (or set SPARK_HOME to a Spark 4 '
            "distribution) and try again."
        )
    return str(location)


def default_idle_timeout() -> float:
    """The site configuration's idle timeout, else ours."""
    return site_config.safe_idle_timeout(DEFAULT_IDLE_TIMEOUT)


def start(
    conf: dict[str, str],
    port: int | None = None,
    timeout: float = DEFAULT_START_TIMEOUT,
    restart: bool = False,
    env: dict[str, str] | None = None,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    force: bool = False,
    profile: Profile | None = None,
) -> StartResult:
    """Attach to the running server or launch one; `restart` replaces a running one (with other
    processes attached, only with `force`). `env` is added to a launched server's environment (a
    profile's). `idle_timeout` (seconds; 0: never) makes a server launched now stop by itself
    once unused that long. The server records who launched it (`caller`). The env_script of
    `profile`, if it has one, runs first when a server is to be launched (StartError when it
    fails); its variables go over `env`, its output to the top of the server log."""
    check_pyspark()
    env = env or {}
    preamble = None
    if profile is not None and profile.env_script and (restart or status().state != "running"):
        # A server that stopped between this look and the core's lock is launched without the
        # script; a server started meanwhile by someone else makes it run for nothing. Both are
        # rare, and neither harms.
        ran = env_script.run(profile.env_script, {**os.environ, **env}, profile.label)
        env = {**env, **ran.env}
        preamble = ran.log_text(profile.env_script, profile.label)
    return _core.start(
        home(),
        lease_pid=os.getpid(),
        # A profile may pick its own Spark and worker Python through its environment.
        spark_home=env.get("SPARK_HOME") or spark_home(),
        python=env.get("PYSPARK_PYTHON") or sys.executable,
        conf=conf,
        port=port,
        timeout=timeout,
        env=env,
        idle_timeout=idle_timeout,
        restart=restart,
        force=force,
        launched_by=caller.current().label,
        # Created only here: a start is what needs it, and reads (`%spark conf`) must not.
        work_dir=workdir.ensure(),
        log_preamble=preamble,
    )


def start_planned(
    plan: ConfPlan,
    port: int | None = None,
    timeout: float = DEFAULT_START_TIMEOUT,
    restart: bool = False,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    force: bool = False,
) -> StartResult:
    """Start with everything `plan` layers (profile, saved conf, this start's --conf), then save
    this start's items for later starts: only once the server runs, so a conf that keeps it
    from starting (a bad master URL, say) does not replace the saved one. A locked key in the
    saved conf (saved before the site locked it) refuses the start (ConfError); a value Spark
    would refuse refuses it too (StartError, cause "bad-conf"), before a restart stops anything."""
    refuse_bad_values(plan, restart)
    for key in sorted(plan.saved):
        site_config.refuse_locked(
            plan.locked,
            {key: plan.saved[key]},
            "your saved conf",
            f"{caller.current().command(f'conf --unset {key}')} removes it from yours.",
        )
    result = start(
        plan.requested(),
        port=port,
        timeout=timeout,
        restart=restart,
        env=plan.env,
        idle_timeout=idle_timeout,
        force=force,
        profile=plan.profile,
    )
    if plan.line:
        save_pending_conf({**plan.saved, **plan.line})
    return result


BAD_CONF = "bad-conf"
"""StartError.cause of a start refused for a conf value Spark would refuse."""


def refuse_bad_values(plan: ConfPlan, restart: bool) -> None:
    """Refuse a launch whose conf holds a value `conf_values` knows Spark would refuse: the new
    server would not start, and a restart would first have stopped the one that runs. Attaching
    to a running server launches nothing, so it is let through."""
    bad = conf_values.problems(plan.requested())
    if not bad:
        return
    running = status().state == "running"
    if running and not restart:
        return
    kept = " The running server was not stopped." if running else ""
    error = _core.StartError(
        f"The server was not {'restarted' if running else 'started'}: "
        f"{' '.join(bad.values())}{kept}"
    )
    error.cause = BAD_CONF
    raise error


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


def plan(
    conf: dict[str, str] | None = None, profile: str | None = None, fallback: str | None = None
) -> ConfPlan:
    """What a start with these arguments would apply: `profile` (else the `fallback` profile,
    a notebook's last one or its default_profile option, else the site's default_profile), the
    site's conf, the saved conf and `conf`. Raises ProfileError for a bad config file or an
    unknown profile, ConfError for a key the site locks in `conf` or a user profile."""
    site = site_config.load()
    name = profile or fallback or site.default_profile
    chosen = site_config.find(name, site) if name else None
    line = dict(conf or {})
    site.check_unlocked(line, "this start's line (--conf, --master)", "Start without it.")
    if chosen is not None and chosen.origin == USER:
        site.check_unlocked(
            chosen.conf,
            f"your profile {chosen.name} ({chosen.path})",
            "Remove it from that profile.",
        )
    return ConfPlan(
        chosen,
        pending_conf(),
        line,
        profile_named=profile is not None,
        site=site.conf,
        locked=site.lock_owners(),
        site_path=site.path,
    )


def change_saved_conf(
    plan: ConfPlan, items: dict[str, str], unset: Sequence[str] = (), reset: bool = False
) -> None:
    """`reset` forgets every saved item, `unset` some, and `items` are saved over them; `plan`
    then holds the new saved conf. Nothing changes when an `unset` key is not saved (ConfError)."""
    site_config.refuse_locked(
        plan.locked, items, f"{caller.current().command('conf')}", "Your saved conf is unchanged."
    )
    for said in conf_values.problems(items).values():
        raise ConfError(f"{said} Your saved conf is unchanged.")
    pending = {} if reset else dict(plan.saved)
    for key in unset:
        if pending.pop(key, None) is None:
            raise ConfError(
                f"`{key}` is not in the saved conf; {caller.current().command('conf')} lists it."
            )
    pending.update(items)
    if reset or unset or items:
        save_pending_conf(pending)
    plan.saved = pending
