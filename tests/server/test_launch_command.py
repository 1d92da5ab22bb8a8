"""The recorded launch command, end to end with real servers: a spark-submit launch records the
server JVM's `java` command, the next cold start in the home runs it directly, and anything that
could change that command (the conf, the Java, the Spark installation) or a recorded command
that no longer starts a server sends the start back through spark-submit, which records anew."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from sparkconnect import _core, api
from sparkconnect.server import lifecycle

pytestmark = pytest.mark.jvm

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
# A CDS option of the user's own turns the start-up archive off: without it, the archive's
# first record, build and first use would change the command between these starts too.
NO_ARCHIVE = {"spark.driver.extraJavaOptions": "-Xshare:auto"}


def started(conf: dict[str, str] | None = None) -> _core.ServerInfo:
    """Starts the home's server, checks that it answers a query, stops it; returns its record."""
    assert api.start(conf).range(5).count() == 5
    server = _core.status(os.environ["SPARKCONNECT_HOME"]).server
    assert server is not None
    api.stop()
    return server


def entry_of(home: Path, cache: Path) -> dict[str, object]:
    """The recorded command of `home` (its argv names the home's properties file)."""
    properties = str(home / "server.properties")
    found = []
    for path in (cache / "sparkconnect" / "launch").glob("*.json"):
        entry = json.loads(path.read_text())
        if properties in entry["argv"]:
            assert oct(path.stat().st_mode & 0o777) == "0o600"
            found.append(entry)
    assert len(found) == 1, found
    return found[0]


def entry_file(home: Path, cache: Path) -> Path:
    properties = str(home / "server.properties")
    (path,) = [
        p
        for p in (cache / "sparkconnect" / "launch").glob("*.json")
        if properties in json.loads(p.read_text())["argv"]
    ]
    return path


def symlink_farm(real: Path, farm: Path, changed: str | None = None) -> Path:
    """`farm` with a symlink to each entry of `real`; in `bin/`, each file linked too but
    `changed`, which is a copy with one more comment line (another version of that script)."""
    farm.mkdir()
    for item in real.iterdir():
        if item.name == "bin" and changed:
            (farm / "bin").mkdir()
            for script in item.iterdir():
                if script.name == changed:
                    shutil.copy2(script, farm / "bin" / script.name)
                    with (farm / "bin" / script.name).open("a") as f:
                        f.write("\n# another version\n")
                else:
                    (farm / "bin" / script.name).symlink_to(script)
        else:
            (farm / item.name).symlink_to(item)
    return farm


def test_the_second_start_runs_the_recorded_command_until_the_conf_changes(
    home: Path, archive_cache: Path
) -> None:
    first = started(NO_ARCHIVE)
    assert first.launch_path == "spark-submit"
    entry = entry_of(home, archive_cache)
    argv = entry["argv"]
    assert isinstance(argv, list)
    assert Path(argv[0]).name == "java" and SERVER_CLASS in argv
    assert first.token not in json.dumps(entry), "the token stays out of the cache"

    assert started().launch_path == "direct"

    # The driver's memory is on the java command line: spark-submit computes it anew.
    assert started({"spark.driver.memory": "600m"}).launch_path == "spark-submit"
    assert "-Xmx600m" in entry_of(home, archive_cache)["argv"]  # type: ignore[operator]
    assert started().launch_path == "direct"


def test_another_java_or_spark_installation_goes_through_spark_submit(
    home: Path, archive_cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = started(NO_ARCHIVE)
    assert first.launch_path == "spark-submit"
    java_home = Path(first.java).resolve().parent.parent
    monkeypatch.setenv("JAVA_HOME", str(symlink_farm(java_home, tmp_path / "jdk")))
    on_other_java = started()
    assert on_other_java.launch_path == "spark-submit"
    assert on_other_java.java == str(tmp_path / "jdk" / "bin" / "java")
    monkeypatch.delenv("JAVA_HOME")

    spark = symlink_farm(Path(lifecycle.spark_home()), tmp_path / "spark", changed="spark-class")
    monkeypatch.setenv("SPARK_HOME", str(spark))
    upgraded = started()
    assert upgraded.spark_home == str(spark)
    assert upgraded.launch_path == "spark-submit"


def test_a_recorded_command_that_fails_is_replaced_through_spark_submit(
    home: Path, archive_cache: Path
) -> None:
    assert started(NO_ARCHIVE).launch_path == "spark-submit"
    path = entry_file(home, archive_cache)
    entry = json.loads(path.read_text())
    entry["argv"] = [
        "org.example.NoSuchServer" if arg == SERVER_CLASS else arg for arg in entry["argv"]
    ]
    path.write_text(json.dumps(entry))

    # The damaged command runs, its JVM exits, and the start goes on through spark-submit.
    server = started()
    assert server.launch_path == "spark-submit"
    assert "org.example.NoSuchServer" in (home / "server.log.1").read_text()
    assert SERVER_CLASS in entry_of(home, archive_cache)["argv"]  # type: ignore[operator]
    assert started().launch_path == "direct"
