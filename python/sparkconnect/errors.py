"""The exceptions users may see, and how IPython shows them.

The classes live in the Rust core (so the core raises them directly); here they learn to render as
one readable paragraph in IPython and Jupyter instead of a traceback through our own code.
"""

from __future__ import annotations

from sparkconnect._core import ConfError, HomeError, SparkConnectError, StartError

__all__ = [
    "ConfError",
    "ConnectError",
    "HomeError",
    "NoSparkContextError",
    "ProfileError",
    "ServerGoneError",
    "SparkConnectError",
    "StartError",
]


class ProfileError(SparkConnectError, ValueError):
    """The config file cannot be read, or names no such profile, or a profile is malformed."""


class ConnectError(SparkConnectError):
    """A remote Spark Connect endpoint cannot be used: bad URL, no token, nobody answering, or
    the server refused the session."""


class ServerGoneError(SparkConnectError):
    """The server a session was bound to exited, was killed or was replaced; the next use of
    `spark` (or `sparkconnect.session()`) connects again."""


class NoSparkContextError(SparkConnectError):
    """Classic-only code (SparkContext, RDDs) met a Spark Connect session."""

    def __init__(self, what: str = "`spark.sparkContext`") -> None:
        self.headline = f"{what}: Spark Connect has no SparkContext."
        """The error itself; `advice` says what to write instead."""
        self.advice = (
            "`spark.sparkContext`, `SparkContext.getOrCreate()`, `sc.parallelize` and the other "
            "RDD APIs (`df.rdd` too) need a classic Spark driver inside this Python process, and "
            "this notebook's session runs on the shared Spark Connect server instead. Write them "
            "with DataFrames: `spark.createDataFrame(rows)` (a list of tuples or Rows, or a "
            "pandas DataFrame) for `sc.parallelize(rows)`, `spark.range(n)` for `sc.range(n)`, "
            "`spark.read.text(path)` for `sc.textFile(path)`, DataFrame operations, UDFs or "
            "`mapInPandas` for RDD transformations, and `spark.conf.get`/`spark.conf.set` for "
            "`sc.getConf()`."
        )
        super().__init__(f"{self.headline} {self.advice}")


def _render_traceback_(self: BaseException) -> list[str]:
    # IPython calls this instead of formatting a traceback (InteractiveShell.showtraceback); the
    # cell still counts as failed, so "Run All" stops here.
    card = getattr(self, "shown_as_card", None)
    if card:
        # `%spark start` already showed the whole story as a card above (`card` is its title);
        # one line will do.
        return [f"{type(self).__name__}: the {card} (details above)"]
    return [f"{type(self).__name__}: {self}"]


SparkConnectError._render_traceback_ = _render_traceback_  # type: ignore[attr-defined]
