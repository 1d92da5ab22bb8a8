"""The one check of conf values: what Spark would accept for the keys the completion list knows.

Every place that saves a conf (`%spark conf`, `sparkconnect conf`, the panel, the Lab sidebar)
and every start asks `problem(key, value)`, so a value Spark would refuse (a memory of "lots", a
partition count of "abc") is refused where it is typed, before it can be saved or stop a running
server. Keys outside this table pass: Spark stays the judge of those. The rules follow Spark's own
parsers (JavaUtils.byteStringAs, timeStringAs, ConfigBuilder's checks), kept a little stricter
where Spark would accept a value only to fail later (a memory of 0).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

_SIZE = re.compile(r"(\d+)(b|[kmgtp]b?)?", re.IGNORECASE)
_DURATION = re.compile(r"\d+(us|ms|s|m|min|h|d)?", re.IGNORECASE)
_BOOLEANS = ("true", "false")

Rule = Callable[[str], str]
"""A value's problem ("" when fine), worded to follow "KEY=VALUE "."""


def _size(positive: bool = True, negative: bool = False) -> Rule:
    """`negative`: a negative size means "never" (Spark's bytesConf reads a leading minus)."""

    def rule(value: str) -> str:
        text = value.strip()
        if negative and text.startswith("-"):
            text = text[1:]
        found = _SIZE.fullmatch(text)
        if found is None:
            return "is not a size: write a number with a unit, e.g. 4g (b, k, m, g, t or p)."
        if positive and int(found.group(1)) == 0:
            return "must be a size of more than 0, e.g. 4g."
        return ""

    return rule


def _count(least: int | None) -> Rule:
    """`least`: the smallest count Spark accepts (None: any whole number, as where zero or less
    means "no limit")."""

    def rule(value: str) -> str:
        try:
            number = int(value.strip())
        except ValueError:
            return "is not a whole number: write one such as 8."
        return "" if least is None or number >= least else f"must be at least {least}."

    return rule


def _fraction(value: str) -> str:
    try:
        number = float(value.strip())
    except ValueError:
        return "is not a number: write a fraction between 0 and 1, e.g. 0.6."
    return "" if 0 < number <= 1 else "must be more than 0 and at most 1, e.g. 0.6."


def _boolean(value: str) -> str:
    return "" if value.strip().lower() in _BOOLEANS else "is not a boolean: write true or false."


def _duration(value: str) -> str:
    if _DURATION.fullmatch(value.strip()):
        return ""
    return "is not a duration: write a number with a unit, e.g. 120s (ms, s, m, h or d)."


def _one_of(*choices: str) -> Rule:
    def rule(value: str) -> str:
        if value.strip().lower() in {c.lower() for c in choices}:
            return ""
        return f"is not one of {', '.join(choices)}."

    return rule


RULES: Mapping[str, Rule] = {
    # Sizes
    "spark.driver.memory": _size(),
    "spark.driver.maxResultSize": _size(positive=False),
    "spark.executor.memory": _size(),
    "spark.executor.memoryOverhead": _size(),
    "spark.memory.offHeap.size": _size(positive=False),
    "spark.kryoserializer.buffer.max": _size(),
    "spark.python.worker.memory": _size(),
    "spark.connect.grpc.maxInboundMessageSize": _size(),
    "spark.sql.files.maxPartitionBytes": _size(),
    "spark.sql.autoBroadcastJoinThreshold": _size(positive=False, negative=True),
    # Counts
    "spark.driver.cores": _count(1),
    "spark.executor.cores": _count(1),
    "spark.executor.instances": _count(0),
    "spark.cores.max": _count(1),
    "spark.default.parallelism": _count(1),
    "spark.dynamicAllocation.minExecutors": _count(0),
    "spark.dynamicAllocation.maxExecutors": _count(1),
    "spark.task.cpus": _count(1),
    "spark.task.maxFailures": _count(1),
    "spark.ui.retainedJobs": _count(1),
    "spark.sql.shuffle.partitions": _count(1),
    "spark.sql.execution.arrow.maxRecordsPerBatch": _count(None),
    "spark.sql.repl.eagerEval.maxNumRows": _count(None),
    "spark.sql.debug.maxToStringFields": _count(None),
    # Fractions
    "spark.memory.fraction": _fraction,
    # Booleans
    **{
        key: _boolean
        for key in (
            "spark.dynamicAllocation.enabled",
            "spark.memory.offHeap.enabled",
            "spark.eventLog.enabled",
            "spark.ui.enabled",
            "spark.ui.killEnabled",
            "spark.speculation",
            "spark.sql.adaptive.enabled",
            "spark.sql.adaptive.coalescePartitions.enabled",
            "spark.sql.adaptive.skewJoin.enabled",
            "spark.sql.ansi.enabled",
            "spark.sql.caseSensitive",
            "spark.sql.files.ignoreCorruptFiles",
            "spark.sql.execution.arrow.pyspark.enabled",
            "spark.sql.repl.eagerEval.enabled",
            "spark.sql.cbo.enabled",
            "spark.sql.execution.pythonUDF.arrow.enabled",
        )
    },
    # Durations
    "spark.network.timeout": _duration,
    "spark.connect.progress.reportInterval": _duration,
    "spark.connect.session.manager.defaultSessionTimeout": _duration,
    "spark.sql.broadcastTimeout": _duration,
    # Enumerations
    "spark.scheduler.mode": _one_of("FIFO", "FAIR"),
    "spark.sql.catalogImplementation": _one_of("in-memory", "hive"),
    "spark.sql.sources.partitionOverwriteMode": _one_of("static", "dynamic"),
    "spark.sql.legacy.timeParserPolicy": _one_of("EXCEPTION", "CORRECTED", "LEGACY"),
    "spark.sql.parquet.compression.codec": _one_of(
        "none", "uncompressed", "snappy", "gzip", "lzo", "brotli", "lz4", "lz4_raw", "zstd"
    ),
}


def problem(key: str, value: str) -> str:
    """What is wrong with `value` for `key`, as one sentence naming both ("" when nothing is, or
    when the key is not one we know)."""
    rule = RULES.get(key)
    said = rule(value) if rule is not None else ""
    return f"{key}={value} {said}" if said else ""


def problems(conf: Mapping[str, str]) -> dict[str, str]:
    """The keys of `conf` whose values `problem` refuses, with what it says, sorted by key."""
    return {key: said for key in sorted(conf) if (said := problem(key, conf[key]))}
