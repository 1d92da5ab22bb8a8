"""Well-known Spark conf keys, and where a conf item takes effect.

Two places: the server (read when the JVM starts: memory, cores, master, static SQL settings,
anything outside `spark.sql.`), and a session (the runtime SQL confs, which a notebook can change
for itself at any time with `spark.conf.set`). The panel offers these keys as completions and
marks each conf row with where it applies; Spark itself stays the judge (a runtime set of a
static key fails with CANNOT_MODIFY_CONFIG, and the panel shows that error).
"""

from __future__ import annotations

from typing import Literal

Applies = Literal["session", "server"]

SERVER_KEYS = {
    "spark.master": "where executors run: local[N], spark://HOST:7077, yarn, k8s://URL",
    "spark.driver.memory": "heap of the server JVM (the driver), e.g. 4g",
    "spark.driver.cores": "cores of the driver (cluster deploy modes)",
    "spark.driver.maxResultSize": "largest result collect() may bring back, e.g. 2g",
    "spark.driver.extraJavaOptions": "JVM options of the server",
    "spark.driver.extraClassPath": "extra jars or directories on the server's class path",
    "spark.driver.host": "address executors use to reach the driver",
    "spark.driver.bindAddress": "address the driver binds",
    "spark.driver.port": "the driver's RPC port",
    "spark.executor.memory": "heap of each executor, e.g. 4g",
    "spark.executor.cores": "cores of each executor",
    "spark.executor.instances": "executors to start (YARN, Kubernetes)",
    "spark.executor.memoryOverhead": "memory beyond the heap per executor",
    "spark.executor.extraJavaOptions": "JVM options of the executors",
    "spark.executor.extraClassPath": "extra class path entries of the executors",
    "spark.cores.max": "cores the application takes on a standalone cluster",
    "spark.default.parallelism": "partitions of RDD operations without a count",
    "spark.dynamicAllocation.enabled": "grow and shrink the executors with the load",
    "spark.dynamicAllocation.minExecutors": "fewest executors with dynamic allocation",
    "spark.dynamicAllocation.maxExecutors": "most executors with dynamic allocation",
    "spark.memory.fraction": "share of the heap for execution and storage",
    "spark.memory.offHeap.enabled": "use off-heap memory",
    "spark.memory.offHeap.size": "off-heap memory per executor",
    "spark.jars": "jars for the driver and executors (comma-separated)",
    "spark.jars.packages": "Maven coordinates of jars to fetch (group:artifact:version)",
    "spark.jars.repositories": "extra Maven repositories for spark.jars.packages",
    "spark.files": "files to place in each executor's working directory",
    "spark.local.dir": "scratch space for shuffle and spills",
    "spark.serializer": "serializer of shuffled data (e.g. Kryo's)",
    "spark.kryoserializer.buffer.max": "largest object Kryo may serialize",
    "spark.network.timeout": "default timeout of network interactions",
    "spark.eventLog.enabled": "write an event log for the history server",
    "spark.eventLog.dir": "where event logs go",
    "spark.ui.enabled": "run the Spark UI",
    "spark.ui.port": "the Spark UI's port",
    "spark.ui.killEnabled": "allow killing jobs and stages from the UI",
    "spark.ui.retainedJobs": "jobs the UI remembers",
    "spark.scheduler.mode": "FIFO or FAIR scheduling between jobs",
    "spark.speculation": "re-launch slow tasks",
    "spark.task.cpus": "cores each task takes",
    "spark.task.maxFailures": "failures of one task before the job fails",
    "spark.pyspark.python": "Python of the Python workers",
    "spark.python.worker.memory": "memory a Python worker uses before spilling",
    "spark.hadoop.fs.s3a.endpoint": "S3 endpoint (hadoop-aws)",
    "spark.kubernetes.container.image": "executor image on Kubernetes",
    "spark.kubernetes.namespace": "Kubernetes namespace of the executors",
    "spark.yarn.queue": "YARN queue",
    "spark.connect.grpc.maxInboundMessageSize": "largest message the Connect server accepts",
    "spark.connect.progress.reportInterval": "how often the server reports job progress",
    "spark.connect.session.manager.defaultSessionTimeout": "idle time before a session closes",
    "spark.sql.warehouse.dir": "where managed tables live (static)",
    "spark.sql.catalogImplementation": "in-memory or hive (static)",
    "spark.sql.extensions": "session extensions such as Delta's (static)",
}

SESSION_KEYS = {
    "spark.sql.shuffle.partitions": "partitions of shuffles in joins and aggregations",
    "spark.sql.adaptive.enabled": "adaptive query execution",
    "spark.sql.adaptive.coalescePartitions.enabled": "merge small shuffle partitions",
    "spark.sql.adaptive.skewJoin.enabled": "split skewed join partitions",
    "spark.sql.autoBroadcastJoinThreshold": "largest table to broadcast in a join (-1: never)",
    "spark.sql.session.timeZone": "time zone of timestamps, e.g. UTC",
    "spark.sql.ansi.enabled": "ANSI SQL semantics (errors instead of nulls)",
    "spark.sql.caseSensitive": "case-sensitive column names",
    "spark.sql.files.maxPartitionBytes": "largest file split read as one partition",
    "spark.sql.files.ignoreCorruptFiles": "skip unreadable files",
    "spark.sql.sources.partitionOverwriteMode": "static or dynamic partition overwrite",
    "spark.sql.parquet.compression.codec": "snappy, zstd, gzip, ...",
    "spark.sql.execution.arrow.pyspark.enabled": "Arrow for toPandas and createDataFrame",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "rows per Arrow batch",
    "spark.sql.execution.pyspark.python": "Python of this session's Python UDF workers",
    "spark.sql.repl.eagerEval.enabled": "evaluate DataFrames eagerly in notebooks",
    "spark.sql.repl.eagerEval.maxNumRows": "rows shown by eager evaluation",
    "spark.sql.debug.maxToStringFields": "fields shown in plans",
    "spark.sql.legacy.timeParserPolicy": "EXCEPTION, CORRECTED or LEGACY",
    "spark.sql.broadcastTimeout": "seconds to wait for a broadcast",
    "spark.sql.cbo.enabled": "cost-based optimizer",
    "spark.sql.execution.pythonUDF.arrow.enabled": "Arrow-optimized Python UDFs",
}

STATIC_SQL = frozenset(
    {
        # Spark's StaticSQLConf: read once when the server starts; a session cannot change them.
        "spark.sql.warehouse.dir",
        "spark.sql.catalogImplementation",
        "spark.sql.extensions",
        "spark.sql.globalTempDatabase",
        "spark.sql.queryExecutionListeners",
        "spark.sql.streaming.streamingQueryListeners",
        "spark.sql.ui.retainedExecutions",
        "spark.sql.broadcastExchange.maxThreadThreshold",
        "spark.sql.subquery.maxThreadThreshold",
        "spark.sql.event.truncate.length",
        "spark.sql.filesourceTableRelationCacheSize",
        "spark.sql.codegen.cache.maxEntries",
        "spark.sql.codegen.comments",
        "spark.sql.debug",
        "spark.sql.hive.thriftServer.singleSession",
        "spark.sql.sources.schemaStringLengthThreshold",
        "spark.sql.defaultUrlStreamHandlerFactory.enabled",
        "spark.sql.legacy.sessionInitWithConfigDefaults",
        "spark.sql.streaming.ui.enabled",
        "spark.sql.streaming.ui.retainedProgressUpdates",
        "spark.sql.streaming.ui.retainedQueries",
        "spark.sql.metadataCacheTTLSeconds",
    }
)
STATIC_SQL_PREFIXES = ("spark.sql.hive.metastore.",)


def applies(key: str) -> Applies:
    """Where setting `key` can take effect: `session` for runtime SQL confs, else `server`."""
    if not key.startswith("spark.sql.") or key in STATIC_SQL:
        return "server"
    return "server" if key.startswith(STATIC_SQL_PREFIXES) else "session"


def known() -> list[tuple[str, str]]:
    """(key, what it does) for completion, sorted by key."""
    return sorted({**SERVER_KEYS, **SESSION_KEYS}.items())
