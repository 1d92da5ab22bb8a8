"""`SparkSession.builder...getOrCreate()` returns this notebook's session.

Notebooks written for classic PySpark begin with `SparkSession.builder.appName(..)
.master(..).config(k, v).getOrCreate()`. In a process that uses our sessions (the extension is
loaded, or `sparkconnect.session()` was called) the builder, `SparkSession.active()` and the
builder's Connect twin launch or attach like `spark` does and hand back the same session object:
in the notebook, in imported modules and in `%run` scripts alike. Builders that name a server of
their own (`.remote(url)`, a channel builder) keep pyspark's behaviour.

The builder's confs then apply to this notebook's session only. Confs only a server start can
apply (driver memory, master, jars, static SQL confs) are not dropped silently: one line names
them and says how to apply them. `spark.app.name` names a classic application; the shared
server is one application for every notebook, so it is ignored.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _sparkconnect_import_hook import when_imported

from sparkconnect.server import caller
from sparkconnect.session import pyspark_internals as internals
from sparkconnect.session.notices import tell

IGNORED = frozenset({"spark.app.name", "spark.remote", "spark.api.mode"})
# A running server accepts these without complaint, yet only reads them when it starts (the
# others of their kind are refused with CANNOT_MODIFY_CONFIG, which `apply_conf` catches).
START_ONLY = frozenset({"spark.master", "spark.local.dir", "spark.default.parallelism"})
START_ONLY_PREFIXES = ("spark.executorEnv.",)
_REFUSED_AS_START_ONLY = ("CANNOT_MODIFY_CONFIG", "CANNOT_MODIFY_STATIC_CONFIG")


@dataclass
class _Process:
    """What the patches need to know of this process: given to `install` by the session
    binding, which this module does not import (the binding is the one that installs it)."""

    active: Callable[[], bool]
    """Whether this process uses our sessions now."""
    session: Callable[[], Any]
    """This process's session, started or attached first when needed."""


_process = _Process(active=lambda: False, session=lambda: None)


def _condition(error: BaseException) -> str:
    for method in ("getCondition", "getErrorClass"):
        found = getattr(error, method, None)
        if callable(found):
            return str(found() or "")
    return ""


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def apply_conf(session: Any, options: dict[str, str]) -> None:
    """Set the builder's confs on `session`; report, in one line each, those only a server
    start applies and those the server refused."""
    start_only: list[str] = []
    refused: list[str] = []
    for key, value in options.items():
        if key in IGNORED:
            continue
        if session.conf.get(key, None) == value:
            continue  # already so: `.master("local[*]")` on a local[*] server, a re-run cell
        if key in START_ONLY or key.startswith(START_ONLY_PREFIXES):
            start_only.append(key)
            continue
        try:
            session.conf.set(key, value)
        except Exception as err:
            if _condition(err) in _REFUSED_AS_START_ONLY:
                start_only.append(key)
            else:
                refused.append(f"{key} ({_first_line(err)})")
    if start_only:
        them = "it" if len(start_only) == 1 else "them"
        command = caller.current().command
        tell(
            f"{', '.join(f'`{key}`' for key in start_only)} only "
            f"take{'s' if len(start_only) == 1 else ''} effect when the shared Spark Connect "
            f"server starts, so this notebook's session runs without {them}. To apply {them} "
            f"for every notebook: {command('conf KEY=VALUE ...')} then {command('restart')} "
            "(with `--force` when other notebooks are attached: a restart cuts them off; from "
            f"Python: `sparkconnect.restart(conf={{...}})`), or a profile ({command('profiles')})."
        )
    if refused:
        tell(f"the server refused {'; '.join(refused)}.", level="warn")


def notebook_session(options: dict[str, str]) -> Any:
    session = _process.session()
    apply_conf(session, options)
    return session


def _options(builder: Any) -> dict[str, str]:
    # The same attribute on the classic builder and the Connect one.
    return dict(internals.read(internals.BUILDER_OPTIONS, builder, {}))


def _takes_over(builder: Any, feature: internals.Feature) -> bool:
    if not _process.active() or not internals.usable(feature, builder):
        return False
    # Only the Connect builder has a channel builder: a session for a server of the user's own.
    return (
        "spark.remote" not in _options(builder)
        and internals.read(internals.CONNECT_CHANNEL_BUILDER, builder, None) is None
    )


def _patch_builder(module: Any, name: internals.Name, feature: internals.Feature) -> None:
    def wrapper(original: Any) -> Any:
        @functools.wraps(original)
        def get_or_create(self: Any) -> Any:
            if not _takes_over(self, feature):
                return original(self)
            return notebook_session(_options(self))

        return get_or_create

    internals.wrap(name, module, wrapper)


def _patch_classic(module: Any) -> None:
    if internals.usable(internals.CLASSIC_BUILDER):
        _patch_builder(module, internals.BUILDER_GET_OR_CREATE, internals.CLASSIC_BUILDER)
    if not internals.usable(internals.BUILDER_MASTER):
        return

    def wrapper(validate: Any) -> Any:
        @functools.wraps(validate)
        def validate_startup_urls(self: Any) -> None:
            # `.master(...)` next to the SPARK_REMOTE we export is no conflict: the master is
            # reported by `apply_conf` like the other start-only confs.
            if not _takes_over(self, internals.BUILDER_MASTER):
                validate(self)

        return validate_startup_urls

    internals.wrap(internals.BUILDER_VALIDATE_URLS, module, wrapper)


def _patch_connect(module: Any) -> None:
    if internals.usable(internals.CONNECT_BUILDER):
        _patch_builder(module, internals.CONNECT_GET_OR_CREATE, internals.CONNECT_BUILDER)
    if not internals.usable(internals.ACTIVE_OR_OURS):
        return

    def wrapper(active: Any) -> Any:
        @functools.wraps(active)
        def active_or_ours(cls: Any) -> Any:
            try:
                return active(cls)
            except Exception as err:
                # Where classic PySpark would have had a session since the builder ran, ours
                # is started or attached (the extension defines `spark` for the notebook).
                if _process.active() and _condition(err) == "NO_ACTIVE_OR_DEFAULT_SESSION":
                    return _process.session()
                raise

        return active_or_ours

    internals.wrap(internals.ACTIVE, module, wrapper)


def install(active: Callable[[], bool], session: Callable[[], Any]) -> None:
    _process.active, _process.session = active, session
    when_imported("pyspark.sql.session", _patch_classic)
    when_imported("pyspark.sql.connect.session", _patch_connect)
