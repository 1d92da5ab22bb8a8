"""A pyspark that lacks one of the listed private names loses only the features that need it,
says so in one line, and works otherwise.

Each name in session/pyspark_internals.py is taken away in turn (deleted from its class or
module; a name pyspark sets in `__init__` is deleted right after it), and every feature is then
put in place through its real call site, as a new session of this package does: the patches
of pyspark's modules, the session, its retry policy, the cache follower, the job labels, the
warm-up, the child processes' token. Then: nothing raised, the features that need the name are
off and every other one is on (each checked by what it does, not by the module's own word), and
the user read one line naming the name, the pyspark version and what is lost.

No server: the session's client points at a port nobody listens on, and nothing here sends a
request that needs an answer (the warm-up's first request fails at once, as it should)."""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest

from sparkconnect.errors import NoSparkContextError
from sparkconnect.session import (
    builder,
    cache_tracking,
    child_env,
    labels,
    local_paths,
    no_context,
    notices,
    warmup,
)
from sparkconnect.session import pyspark_internals as internals
from sparkconnect.session.pyspark_internals import NEEDED_BY, Name
from sparkconnect.session.resilience import RenewingStub, protect

PACKAGE = os.path.dirname(internals.__file__).rpartition(os.sep)[0]
URL = "sc://localhost:1/;token=unused"
CHILD_URL = "sc://localhost:4242/;token=s3cr3t"
PATCHED = (
    internals.BUILDER_GET_OR_CREATE,
    internals.BUILDER_VALIDATE_URLS,
    internals.CONNECT_GET_OR_CREATE,
    internals.ACTIVE,
    internals.CONTEXT_INIT,
    internals.DATAFRAME_RDD,
    internals.SOURCE_INIT,
    internals.SOURCE_PLAN,
    internals.WRITE_COMMAND,
    internals.WRITE_V2_COMMAND,
    internals.WRITE_STREAM_COMMAND,
    internals.CACHE_TABLE,
    internals.UNCACHE_TABLE,
    internals.CLEAR_CACHE,
    internals.CHANNEL_BUILDER_INIT,
    internals.DEFAULT_SESSION,
    internals.ACTIVE_SESSION,
)
"""What the package (or this test) replaces on pyspark's classes: put back after each test."""
PYSPARK_USES_ITSELF = frozenset(
    {
        internals.SET_RETRY_POLICIES,
        internals.GET_RETRY_POLICIES,
        internals.CLIENT_SESSION_ID,
        internals.DEFAULT_SESSION,
        internals.ACTIVE_SESSION,
        internals.RELEASE_ON_CLOSE,
        *internals.TOKEN_SCOPE.names,
    }
)
"""Names pyspark's own code reads while a session is made or closed: deleted, pyspark itself
would break, where a release that renamed them would not. They are hidden from the package
instead, which is how such a release looks to it (test_pyspark_internals_present.py checks that
the package reaches them through pyspark_internals only); the start-up hook of child processes,
which cannot use that module, is given a DefaultChannelBuilder that really lacks the name."""


def _holder(name: Name) -> Any:
    return internals.owner_of(name, importlib.import_module(name.module))


def _keep(patch: pytest.MonkeyPatch, name: Name) -> None:
    """Put `name` back as it is now when the test ends."""
    holder = _holder(name)
    patch.setattr(holder, name.attribute, holder.__dict__[name.attribute])


def _hide(patch: pytest.MonkeyPatch, name: Name) -> None:
    """`name` as missing, to the package, and reaching it anyway an AttributeError."""
    resolve, read, write, wrap = internals._resolve, internals.read, internals.write, internals.wrap

    def hidden(each: Name) -> None:
        if each == name:
            raise AttributeError(f"{name} is taken away")

    def resolve_hidden(each: Name, instances: Any) -> Any:
        return internals._MISSING if each == name else resolve(each, instances)

    def read_hidden(each: Name, holder: object, *default: Any) -> Any:
        if each == name and default:
            return default[0]
        hidden(each)
        return read(each, holder, *default)

    def write_hidden(each: Name, holder: object, value: object) -> None:
        hidden(each)
        write(each, holder, value)

    def wrap_hidden(each: Name, module: Any, wrapper: Any) -> None:
        hidden(each)
        wrap(each, module, wrapper)

    patch.setattr(internals, "_resolve", resolve_hidden)
    patch.setattr(internals, "read", read_hidden)
    patch.setattr(internals, "write", write_hidden)
    patch.setattr(internals, "wrap", wrap_hidden)


def _take_away(patch: pytest.MonkeyPatch, name: Name) -> None:
    if name in PYSPARK_USES_ITSELF:
        _hide(patch, name)
        return
    holder = _holder(name)
    if name.attribute.startswith("__"):
        # Every class has an `__init__`: the one patched goes missing with its class.
        patch.delattr(importlib.import_module(name.module), name.owner)
        return
    # From the class, also when a base class defines it (a property, for some per-instance
    # names in some releases: `SparkConnectClient._stub` in 4.2 and later).
    for klass in getattr(holder, "__mro__", (holder,)):
        if name.attribute in vars(klass):
            patch.delattr(klass, name.attribute)
    if not name.per_instance:
        return
    original = holder.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        vars(self).pop(name.attribute, None)

    patch.setattr(holder, "__init__", init)
    if name == internals.SESSION_CLIENT:
        # A pyspark that keeps its client under another name reads it from there too.
        _keep_client_elsewhere(patch, holder, original)


def _keep_client_elsewhere(patch: pytest.MonkeyPatch, session_class: Any, original: Any) -> None:
    elsewhere = "_client_renamed"

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        from pyspark.sql.connect.client import SparkConnectClient

        original(self, *args, **kwargs)
        client = next(v for v in list(vars(self).values()) if isinstance(v, SparkConnectClient))
        for key in [k for k, v in vars(self).items() if v is client]:
            del vars(self)[key]
        vars(self)[elsewhere] = client

    patch.setattr(session_class, "__init__", init)
    patch.setattr(session_class, "client", property(lambda self: vars(self)[elsewhere]))


class Owner:
    """What the kernel session is to a NotebookSession; never called here."""

    def end(self, session: Any) -> None:
        raise AssertionError("not stopped here")

    def resume(self, session: Any) -> None:
        raise AssertionError("not resumed here")


def _wrapped(name: Name) -> bool:
    """Whether the package's wrapper is in place: a function whose code is the package's."""
    try:
        found = vars(_holder(name)).get(name.attribute)
    except AttributeError:  # the class itself was taken away
        return False
    found = getattr(found, "__func__", found)  # a classmethod
    code = getattr(found, "__code__", None)
    return code is not None and code.co_filename.startswith(PACKAGE)


def _df_rdd_explains(session: Any) -> bool:
    try:
        session.range(1).rdd  # noqa: B018
    except NoSparkContextError:
        return True
    except Exception:
        return False
    return False


def _warm_up_runs() -> bool:
    server = SimpleNamespace(connect_url=lambda: URL, master="local[1]")
    thread = warmup.in_background(server)  # type: ignore[arg-type]
    if thread is None:
        return False
    thread.join(30)  # its first request is refused at once: port 1
    return not thread.is_alive()


def _child_gets_token(patch: pytest.MonkeyPatch, lacking: Name | None) -> bool:
    """The start-up hook of a child process, run in this process: a channel to the notebook's
    endpoint gets the token. `lacking`: one of the hook's names, taken from its class for the
    hook's run; the hook must then leave pyspark as it is (and this process must have said
    so, which the caller checks)."""
    import _sparkconnect_token_scope as hook
    from pyspark.sql.connect.client import core

    patch.setenv(hook.VARIABLE, CHILD_URL)
    builder_class = core.DefaultChannelBuilder
    original_init = builder_class.__init__
    if lacking is None:
        hook.scope(core)
        made = builder_class("sc://localhost:4242/")
        builder_class("sc://elsewhere:15002/")  # any other channel is built as before
        return bool(made.get("token") == "s3cr3t")
    with pytest.MonkeyPatch.context() as inner:
        if lacking.attribute.startswith("__"):
            inner.delattr(core, lacking.owner)
        else:
            for klass in builder_class.__mro__:  # `get`, `set`: its base class's
                if lacking.attribute in vars(klass):
                    inner.delattr(klass, lacking.attribute)
        hook.scope(core)  # raises nothing
    assert builder_class.__init__ is original_init, "the hook patched what it cannot use"
    return False


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    lines: list[str] = []
    notices.present(lambda text, level: lines.append(text))
    internals.forget_lost()
    yield lines
    notices.present(None)
    internals.forget_lost()


@pytest.fixture
def clean_pyspark(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """pyspark's classes as they are now, put back afterwards; the default and active session
    slots empty, so that filling them shows."""
    monkeypatch.setenv("SPARK_CONNECT_MODE_ENABLED", "1")
    import pyspark.core.context
    import pyspark.sql.connect.plan  # noqa: F401
    from pyspark.sql.connect.catalog import Catalog  # noqa: F401
    from pyspark.sql.connect.session import SparkSession

    for name in PATCHED:
        _keep(monkeypatch, name)
    monkeypatch.setattr(SparkSession, "_default_session", None)
    monkeypatch.setattr(SparkSession, "_active_session", threading.local())
    monkeypatch.setattr(builder._process, "active", lambda: True)  # as with the extension loaded
    for variable in (child_env.REMOTE_ENV, child_env.CHILD_ENV):
        monkeypatch.setenv(variable, os.environ.get(variable, ""))
    yield
    cache_tracking.TRACKER.detach()
    labels.LABELS.detach()
    child_env.withdraw()


def _put_every_feature_in_place(
    patch: pytest.MonkeyPatch, lacking: Name | None = None
) -> dict[str, bool]:
    """What a process of this package does with pyspark, from its import to a new session;
    returns whether each feature is then on, judged by what it does."""
    import pyspark  # noqa: F401
    from pyspark.sql import SparkSession as ClassicSession  # noqa: F401
    from pyspark.sql import session as classic
    from pyspark.sql.connect import plan
    from pyspark.sql.connect import session as connect
    from pyspark.sql.connect.client import core

    builder._patch_classic(classic)
    builder._patch_connect(connect)
    no_context.install(lambda: True, lambda session: session is not None)
    local_paths._patch(plan)

    from sparkconnect.session.notebook_session import NotebookSession

    session = NotebookSession.open(URL, owner=Owner())  # type: ignore[arg-type]
    server = SimpleNamespace(pid=1, pid_start_time=1)
    policy = protect(session, server, on_gone=lambda gone: None)  # type: ignore[arg-type]
    cache_tracking.TRACKER.attach(session, server)  # type: ignore[arg-type]
    labels.LABELS.attach(session)
    warmup.yield_to(session)
    child_env.export(CHILD_URL)
    internals.release_on_close(session, False)
    with internals.few_retries(session.client):
        few = session.client.get_retry_policies()
    client = session.client
    build = vars(client).get(internals.EXECUTE_REQUEST.attribute)
    hooks = vars(client).get(internals.SESSION_HOOKS.attribute, [])
    on = {
        "classic-builder": _wrapped(internals.BUILDER_GET_OR_CREATE)
        and builder._takes_over(classic.SparkSession.Builder(), internals.CLASSIC_BUILDER),
        "builder-master": _wrapped(internals.BUILDER_VALIDATE_URLS)
        and builder._takes_over(classic.SparkSession.Builder(), internals.BUILDER_MASTER),
        "connect-builder": _wrapped(internals.CONNECT_GET_OR_CREATE)
        and builder._takes_over(connect.SparkSession.Builder(), internals.CONNECT_BUILDER),
        "active": _wrapped(internals.ACTIVE),
        "no-context": _wrapped(internals.CONTEXT_INIT),
        "no-rdd": _df_rdd_explains(session),
        "local-paths": all(_wrapped(each) for each in internals.LOCAL_PATHS.names),
        "fail-fast": policy is not None
        and client.get_retry_policies() == [policy]
        and few != [policy],
        "renewal": isinstance(getattr(client, "_stub", None), RenewingStub),
        "default-session": vars(connect.SparkSession).get("_default_session") is session,
        "stop-resume": session.resumable,
        "close-without-release": vars(session).get("release_session_on_close") is False,
        "cache-release": cache_tracking.TRACKER.follows(session),
        "job-descriptions": getattr(build, "_sparkconnect_labels", False),
        "warm-up-yield": any(isinstance(hook, warmup._YieldHook) for hook in hooks),
        "warm-up": _warm_up_runs(),
        "child-token": _child_gets_token(patch, lacking) and "child-token" not in internals.lost(),
    }
    # Said from the warm-up's own thread, once it ran (a warm-up that did not run lost it not).
    on["warm-up-release"] = "warm-up-release" not in internals.lost()
    vars(client).pop(internals.ANALYZE.attribute, None)
    internals.release_on_close(session, False)
    session.shut()
    del core
    return on


def _features() -> list[str]:
    return [feature.key for feature in internals.FEATURES]


def test_with_every_name_every_feature_is_on(
    monkeypatch: pytest.MonkeyPatch, clean_pyspark: None, said: list[str]
) -> None:
    on = _put_every_feature_in_place(monkeypatch)
    assert sorted(on) == sorted(_features()), "a feature without a check here, or the reverse"
    assert [key for key, works in on.items() if not works] == [], on
    assert said == []


@pytest.mark.parametrize("name", list(NEEDED_BY), ids=str)
def test_without_it_only_its_features_are_lost_and_said_once(
    name: Name, monkeypatch: pytest.MonkeyPatch, clean_pyspark: None, said: list[str]
) -> None:
    _take_away(monkeypatch, name)
    lacking = name if name in internals.TOKEN_SCOPE.names else None
    on = _put_every_feature_in_place(monkeypatch, lacking)
    # A second session of the same process: nothing said again.
    _put_every_feature_in_place(monkeypatch, lacking)

    needing = {feature.key for feature in NEEDED_BY[name]}
    assert {key for key, works in on.items() if not works} == needing
    assert set(internals.lost()) == needing
    assert len(said) == 1, said
    line = said[0]
    assert f"`{name.path}`" in line and name.module in line
    assert f"pyspark {internals.pyspark_version()} " in line
    for feature in NEEDED_BY[name]:
        assert feature.what in line
    assert "Traceback" not in line
