"""Every private pyspark name this package relies on, the feature each one serves, and the one
place the package reaches them.

pyspark promises nothing about these names (underscored attributes, the Connect client's own
modules, functions the package wraps), and a release may rename any of them. So each is listed
here once, under the features that need it, and the call sites reach it only through this
module: `usable(feature, ...)` before a feature is put in place, then `read`, `write` and `wrap`.
A name that a pyspark lacks turns off only the features that need it: the user reads one line
naming the feature, the name and the pyspark version (once per process), and `import pyspark`,
`spark` and everything else go on as before. tests/session/test_pyspark_internals_*.py checks the
list against the installed pyspark and takes each name away in turn.

A name is looked up on its class or module, or, for an attribute pyspark sets in `__init__`
(`per_instance`), on an instance the call site hands over. `absent_before` marks a name an older
supported release does not have yet (that release then runs without the feature).

Importing this module imports no pyspark: lookups import the name's module, and only call sites
that have a session (so pyspark is imported already) or that run inside the import of that very
module (the post-import hooks) look names up.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sparkconnect.session.notices import tell

CLIENT = "pyspark.sql.connect.client.core"
RETRIES = "pyspark.sql.connect.client.retries"
SESSION = "pyspark.sql.connect.session"
CLASSIC_SESSION = "pyspark.sql.session"
PLAN = "pyspark.sql.connect.plan"
DATAFRAME = "pyspark.sql.connect.dataframe"
CATALOG = "pyspark.sql.connect.catalog"
CONTEXT = "pyspark.core.context"


@dataclass(frozen=True)
class Name:
    """A pyspark name: `path` is dotted from `module` (`SparkConnectClient._analyze`)."""

    module: str
    path: str
    per_instance: bool = False
    """Set by the class's `__init__`: found on an instance, not on the class."""
    absent_before: str | None = None
    """The first supported pyspark release that has it, when an older one does not."""

    @property
    def owner(self) -> str:
        """The path of the class (or module, when empty) that holds the attribute."""
        return self.path.rpartition(".")[0]

    @property
    def attribute(self) -> str:
        return self.path.rpartition(".")[2]

    def __str__(self) -> str:
        return f"{self.module}.{self.path}"


@dataclass(frozen=True)
class Feature:
    key: str
    what: str
    """What the user goes without when a name is missing: read after 'runs without'."""
    names: tuple[Name, ...]


# The names, one constant each, so that call sites and tests say which they mean.
BUILDER_GET_OR_CREATE = Name(CLASSIC_SESSION, "SparkSession.Builder.getOrCreate")
BUILDER_OPTIONS = Name(CLASSIC_SESSION, "SparkSession.Builder._options", per_instance=True)
BUILDER_VALIDATE_URLS = Name(CLASSIC_SESSION, "SparkSession.Builder._validate_startup_urls")
CONNECT_GET_OR_CREATE = Name(SESSION, "SparkSession.Builder.getOrCreate")
CONNECT_OPTIONS = Name(SESSION, "SparkSession.Builder._options", per_instance=True)
CONNECT_CHANNEL_BUILDER = Name(SESSION, "SparkSession.Builder._channel_builder", per_instance=True)
ACTIVE = Name(SESSION, "SparkSession.active")
CONTEXT_INIT = Name(CONTEXT, "SparkContext.__init__")
DATAFRAME_RDD = Name(DATAFRAME, "DataFrame.rdd")
DATAFRAME_SESSION = Name(DATAFRAME, "DataFrame._session", per_instance=True)
SOURCE_INIT = Name(PLAN, "DataSource.__init__")
SOURCE_PLAN = Name(PLAN, "DataSource.plan")
WRITE_COMMAND = Name(PLAN, "WriteOperation.command")
WRITE_V2_COMMAND = Name(PLAN, "WriteOperationV2.command")
WRITE_STREAM_COMMAND = Name(PLAN, "WriteStreamOperation.command")
DEFAULT_POLICY = Name(RETRIES, "DefaultPolicy")
DEFAULT_POLICY_CAN_RETRY = Name(RETRIES, "DefaultPolicy.can_retry")
SET_RETRY_POLICIES = Name(CLIENT, "SparkConnectClient.set_retry_policies")
GET_RETRY_POLICIES = Name(CLIENT, "SparkConnectClient.get_retry_policies")
CLIENT_SESSION_ID = Name(CLIENT, "SparkConnectClient._session_id", per_instance=True)
CLIENT_SERVER_SESSION_ID = Name(CLIENT, "SparkConnectClient._server_session_id", per_instance=True)
CLIENT_STUB = Name(CLIENT, "SparkConnectClient._stub", per_instance=True)
SESSION_SESSION_ID = Name(SESSION, "SparkSession._session_id", per_instance=True)
SESSION_CLIENT = Name(SESSION, "SparkSession._client", per_instance=True)
RELEASE_ON_CLOSE = Name(SESSION, "SparkSession.release_session_on_close", per_instance=True)
SET_DEFAULT_AND_ACTIVE = Name(SESSION, "SparkSession._set_default_and_active_session")
DEFAULT_SESSION = Name(SESSION, "SparkSession._default_session")
ACTIVE_SESSION = Name(SESSION, "SparkSession._active_session")
ANALYZE = Name(CLIENT, "SparkConnectClient._analyze")
CATALOG_SESSION = Name(CATALOG, "Catalog._sparkSession", per_instance=True)
CACHE_TABLE = Name(CATALOG, "Catalog.cacheTable")
UNCACHE_TABLE = Name(CATALOG, "Catalog.uncacheTable")
CLEAR_CACHE = Name(CATALOG, "Catalog.clearCache")
EXECUTE_REQUEST = Name(CLIENT, "SparkConnectClient._execute_plan_request_with_metadata")
EXPLAIN_STRING = Name(DATAFRAME, "DataFrame._explain_string")
SHOW_STRING = Name(DATAFRAME, "DataFrame._show_string")
SESSION_HOOKS = Name(
    CLIENT, "SparkConnectClient._session_hooks", per_instance=True, absent_before="4.1"
)
RELEASE_FUTURES = Name(
    CLIENT, "SparkConnectClient._release_futures", per_instance=True, absent_before="4.2"
)
CHANNEL_BUILDER_INIT = Name(CLIENT, "DefaultChannelBuilder.__init__")
CHANNEL_ENDPOINT = Name(CLIENT, "DefaultChannelBuilder.endpoint")
CHANNEL_GET = Name(CLIENT, "DefaultChannelBuilder.get")
CHANNEL_GET_DEFAULT = Name(CLIENT, "DefaultChannelBuilder.getDefault")
CHANNEL_SET = Name(CLIENT, "DefaultChannelBuilder.set")

_RETRIES = (DEFAULT_POLICY, DEFAULT_POLICY_CAN_RETRY, SET_RETRY_POLICIES, GET_RETRY_POLICIES)

CLASSIC_BUILDER = Feature(
    "classic-builder",
    "`SparkSession.builder...getOrCreate()` answering with this notebook's session "
    "(it starts pyspark's own session instead)",
    (BUILDER_GET_OR_CREATE, BUILDER_OPTIONS),
)
BUILDER_MASTER = Feature(
    "builder-master",
    "`.master(...)` in a classic builder next to this notebook's session (pyspark may refuse it)",
    (BUILDER_VALIDATE_URLS, BUILDER_OPTIONS),
)
CONNECT_BUILDER = Feature(
    "connect-builder",
    "the Connect builder's `getOrCreate()` answering with this notebook's session",
    (CONNECT_GET_OR_CREATE, CONNECT_OPTIONS, CONNECT_CHANNEL_BUILDER),
)
ACTIVE_OR_OURS = Feature(
    "active",
    "`SparkSession.active()` answering with this notebook's session before one was made",
    (ACTIVE,),
)
NO_CONTEXT = Feature(
    "no-context",
    "the explanation for `SparkContext(...)`: a classic driver would start inside the kernel",
    (CONTEXT_INIT,),
)
NO_RDD = Feature("no-rdd", "the explanation for `df.rdd`", (DATAFRAME_RDD, DATAFRAME_SESSION))
LOCAL_PATHS = Feature(
    "local-paths",
    "relative paths in readers and writers meaning the notebook's directory (the server "
    "resolves them against its own)",
    (SOURCE_INIT, SOURCE_PLAN, WRITE_COMMAND, WRITE_V2_COMMAND, WRITE_STREAM_COMMAND),
)
FAIL_FAST = Feature(
    "fail-fast",
    "quick failures: a server that is gone, or an endpoint that refuses `%spark connect`, is "
    "reported after pyspark's own retries (minutes) instead of at once",
    _RETRIES,
)
RENEWAL = Feature(
    "renewal",
    "renewal: when the server has closed this notebook's session, commands fail instead of "
    "continuing in a fresh session",
    (*_RETRIES, CLIENT_SESSION_ID, CLIENT_SERVER_SESSION_ID, CLIENT_STUB, SESSION_SESSION_ID),
)
DEFAULT_SLOT = Feature(
    "default-session",
    "this notebook's session as pyspark's default and active one "
    "(`SparkSession.getActiveSession()`)",
    (SET_DEFAULT_AND_ACTIVE, DEFAULT_SESSION, ACTIVE_SESSION),
)
STOP_RESUME = Feature(
    "stop-resume",
    "`spark` after `spark.stop()`: the stopped object stays stopped (`%spark start` or the "
    "builder gives a new session)",
    (SESSION_CLIENT, SESSION_SESSION_ID, CLIENT_SESSION_ID),
)
CLOSE_WITHOUT_RELEASE = Feature(
    "close-without-release",
    "closing a session without asking a server that is gone or stopped to release it (closing "
    "may wait for that server)",
    (RELEASE_ON_CLOSE,),
)
CACHE_RELEASE = Feature(
    "cache-release",
    "releasing what this process cached on the shared server when its session ends",
    (ANALYZE, CATALOG_SESSION, CACHE_TABLE, UNCACHE_TABLE, CLEAR_CACHE),
)
JOB_LABELS = Feature(
    "job-descriptions",
    "Spark UI job descriptions naming the notebook and cell (the tags still do)",
    (EXECUTE_REQUEST,),
)
WARM_UP = Feature(
    "warm-up",
    "warming a newly launched server up (the first query pays for it)",
    (EXPLAIN_STRING, SHOW_STRING, SET_RETRY_POLICIES),
)
WARM_UP_YIELD = Feature(
    "warm-up-yield",
    "a warm-up that gives way to the notebook's first query (it runs to its end)",
    (SESSION_HOOKS,),
)
WARM_UP_RELEASE = Feature(
    "warm-up-release",
    "a warm-up that lets its results be released before its session (the server may log an "
    "ERROR about a late release)",
    (RELEASE_FUTURES,),
)
TOKEN_SCOPE = Feature(
    "child-token",
    "the server's token for the Python processes this notebook starts (`!python job.py`): "
    "their sessions are refused",
    (CHANNEL_BUILDER_INIT, CHANNEL_ENDPOINT, CHANNEL_GET, CHANNEL_GET_DEFAULT, CHANNEL_SET),
)

FEATURES: tuple[Feature, ...] = (
    CLASSIC_BUILDER,
    BUILDER_MASTER,
    CONNECT_BUILDER,
    ACTIVE_OR_OURS,
    NO_CONTEXT,
    NO_RDD,
    LOCAL_PATHS,
    FAIL_FAST,
    RENEWAL,
    DEFAULT_SLOT,
    STOP_RESUME,
    CLOSE_WITHOUT_RELEASE,
    CACHE_RELEASE,
    JOB_LABELS,
    WARM_UP,
    WARM_UP_YIELD,
    WARM_UP_RELEASE,
    TOKEN_SCOPE,
)


def _needed_by() -> dict[Name, tuple[Feature, ...]]:
    found: dict[Name, list[Feature]] = {}
    for feature in FEATURES:
        for name in feature.names:
            found.setdefault(name, []).append(feature)
    return {name: tuple(features) for name, features in found.items()}


NEEDED_BY: dict[Name, tuple[Feature, ...]] = _needed_by()
"""Every name, with the features that need it."""

_MISSING = object()
_lock = threading.Lock()
_lost: dict[str, Name] = {}
"""Feature key -> the missing name that turned it off (and was said)."""


def pyspark_version() -> str:
    module = sys.modules.get("pyspark")
    version = getattr(module, "__version__", None)
    if version is None:
        try:
            from importlib.metadata import version as installed

            version = installed("pyspark")
        except Exception:
            version = "(version unknown)"
    return str(version)


def _resolve(name: Name, instances: Iterable[object]) -> Any:
    """The object `name` names, or _MISSING. Never raises: a module that fails to import counts
    as missing too."""
    try:
        module = _module(name.module)
    except Exception:
        return _MISSING
    holder: Any = module
    for part in name.owner.split(".") if name.owner else ():
        holder = getattr(holder, part, _MISSING)
        if holder is _MISSING:
            return _MISSING
    if name.per_instance:
        instance = next((i for i in instances if isinstance(i, holder)), _MISSING)
        if instance is _MISSING:
            return None  # nothing to look on here: the caller checks it where it has one
        # Statically: a class's `__getattr__` may answer any name (a DataFrame's gives a
        # column); a property (such as the client's `_stub` in newer releases) is then asked.
        found = inspect.getattr_static(instance, name.attribute, _MISSING)
        if found is _MISSING or name.attribute in getattr(instance, "__dict__", {}):
            return found
        holder = instance
    try:
        return getattr(holder, name.attribute, _MISSING)
    except Exception:  # a property that fails on this object: as good as missing
        return _MISSING


def missing(feature: Feature, *instances: object) -> list[Name]:
    """The names of `feature` that this pyspark lacks; per-instance names only where an
    instance of their class is among `instances`."""
    return [name for name in feature.names if _resolve(name, instances) is _MISSING]


def usable(feature: Feature, *instances: object) -> bool:
    """Whether `feature` can be put in place. A missing name turns off every feature that needs
    it, and the user reads one line saying so (the first time in this process)."""
    if feature.key in _lost:
        return False
    gone = missing(feature, *instances)
    if not gone:
        return True
    with _lock:
        new = [name for name in gone if name not in _lost.values()]
        features = [each for name in new for each in NEEDED_BY[name] if each.key not in _lost]
        for name in new:
            for each in NEEDED_BY[name]:
                _lost.setdefault(each.key, name)
    if features:
        names = ", ".join(f"`{name.path}` ({name.module})" for name in new)
        whats = "; and without ".join(dict.fromkeys(each.what for each in features))
        tell(
            f"pyspark {pyspark_version()} has no {names}, so this process runs without "
            f"{whats}. Everything else works.",
            level="warn",
        )
    return False


def lost() -> dict[str, Name]:
    """The features turned off in this process, each with the missing name that said so."""
    return dict(_lost)


def forget_lost() -> None:
    """Start over (tests): every feature is checked, and said, again."""
    with _lock:
        _lost.clear()


def read(name: Name, holder: object, default: Any = _MISSING) -> Any:
    """`name`'s attribute on `holder` (an instance, a class or a module); `default`, when given,
    where `holder` has none (AttributeError otherwise)."""
    if default is _MISSING:
        return getattr(holder, name.attribute)
    return getattr(holder, name.attribute, default)


def write(name: Name, holder: object, value: object) -> None:
    setattr(holder, name.attribute, value)


def owner_of(name: Name, module: Any) -> Any:
    """The class (or module) in `module` that holds `name`'s attribute."""
    holder = module
    for part in name.owner.split(".") if name.owner else ():
        holder = getattr(holder, part)
    return holder


def wrap(name: Name, module: Any, wrapper: Callable[[Callable[..., Any]], Any]) -> None:
    """Replace `name` (a function or a classmethod of a class in `module`) by
    `wrapper(original)`. A classmethod's function is wrapped and stays a classmethod."""
    holder = owner_of(name, module)
    original = holder.__dict__.get(name.attribute) or getattr(holder, name.attribute)
    if isinstance(original, classmethod):
        setattr(holder, name.attribute, classmethod(wrapper(original.__func__)))
    else:
        setattr(holder, name.attribute, wrapper(original))


# What the call sites do with the names, by intent ------------------------------------------------
def make_default(session: object) -> None:
    """Make `session` pyspark's default and active Connect session. On the base class: through
    a subclass, pyspark's class attributes would be shadowed instead of filled."""
    if usable(DEFAULT_SLOT):
        fill = read(SET_DEFAULT_AND_ACTIVE, owner_of(SET_DEFAULT_AND_ACTIVE, _module(SESSION)))
        fill(session)


def release_on_close(session: object, release: bool) -> None:
    """Whether closing `session` asks its server to release it first (not when that server is
    gone or stopped: the request would wait for an answer that never comes)."""
    if release or usable(CLOSE_WITHOUT_RELEASE, session):
        write(RELEASE_ON_CLOSE, session, release)


@contextlib.contextmanager
def few_retries(client: Any) -> Iterator[None]:
    """Within the block, `client` retries a failed request twice, within a second, instead of
    pyspark's minutes; its own policies afterwards."""
    if not usable(FAIL_FAST, client):
        yield
        return
    policies = client.get_retry_policies()
    policy = read(DEFAULT_POLICY, _module(RETRIES))
    client.set_retry_policies([policy(max_retries=2, initial_backoff=100, max_backoff=500)])
    try:
        yield
    finally:
        client.set_retry_policies(policies)


def _module(name: str) -> Any:
    return sys.modules.get(name) or importlib.import_module(name)
