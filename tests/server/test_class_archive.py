"""The start-up archive (JVM class-data sharing), end to end with a real server, the real
detached builder and a real `java -Xshare:dump`: the first server records the classes it loads,
the builder turns them into an archive at the lowest CPU priority, the next server maps it. An
archive the JVM cannot use, or a build the JVM refuses, costs the speed-up and nothing else."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.procfs import cmdline, kill_processes_naming, processes_naming
from drive.waiting import wait_until
from sparkconnect import _core, api

pytestmark = pytest.mark.jvm

# An idle machine dumps in about 35 s; a loaded one (other suites, nice 19) takes longer.
BUILD_TIMEOUT = 600


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache of its own, so this test sees the first launch of an installation."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    directory = tmp_path / "cache" / "sparkconnect" / "cds"
    yield directory
    kill_processes_naming(str(directory))


def running(home: Path) -> _core.ServerInfo:
    server = _core.status(str(home)).server
    assert server is not None
    return server


def properties(home: Path) -> str:
    return (home / "server.properties").read_text()


def builders(cache: Path) -> list[int]:
    """The builder processes of `cache` (the server JVM names the cache in its argv too)."""
    return [
        pid
        for pid in processes_naming(str(cache))
        if "sparkconnect.server.detached.archive_builder" in cmdline(pid)
        or "-Xshare:dump" in cmdline(pid)
    ]


def niceness(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_first_server_records_the_builder_dumps_and_the_next_server_maps_it(
    home: Path, cache: Path
) -> None:
    assert api.start().range(5).count() == 5
    first = running(home)
    assert first.class_archive is None
    assert f"-XX:DumpLoadedClassList={cache}/" in properties(home)
    (class_list,) = cache.glob("*.classlist")
    assert class_list.stat().st_size > 0, "the JVM writes the classes it loads"

    wait_until(lambda: builders(cache), 30, "the builder runs")
    (builder,) = builders(cache)
    assert niceness(builder) == 19, "the builder must not compete with notebooks for the CPU"
    assert not list(cache.glob("*.jsa")), "no archive before the class list is complete"

    # The server's exit completes the list: the builder dumps at once.
    api.stop()
    wait_until(lambda: list(cache.glob("*.jsa")), BUILD_TIMEOUT, "the archive is built")
    (archive,) = cache.glob("*.jsa")
    assert archive.stat().st_size > 50 * 2**20
    wait_until(lambda: not builders(cache), 30, "the builder exits")
    assert sorted(p.suffix for p in cache.iterdir()) == [".jsa", ".lock"], "no leftovers"
    assert oct(cache.stat().st_mode & 0o777) == "0o700"

    assert api.start().range(5).count() == 5
    second = running(home)
    assert second.class_archive == str(archive)
    assert str(archive) in Path(f"/proc/{second.pid}/maps").read_text(), "the JVM maps it"
    assert f"JVM start-up classes from {archive}" in str(api.status())
    api.stop()

    # An archive the JVM cannot read: the server starts as if there were none.
    archive.chmod(0o600)
    archive.write_bytes(b"not an archive" * 1000)
    assert api.start().range(5).count() == 5
    third = running(home)
    assert third.class_archive is None
    assert f"-XX:SharedArchiveFile={archive}" in properties(home)
    assert not builders(cache), "no rebuild for an archive that exists"


def test_a_refused_build_is_not_retried_and_launches_go_on_without(
    home: Path, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Full Spark distributions ship conf/*.template: a non-empty directory on the classpath,
    # which `java -Xshare:dump` refuses.
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    (conf_dir / "spark-env.sh.template").write_text("# template\n")
    monkeypatch.setenv("SPARK_CONF_DIR", str(conf_dir))

    assert api.start().range(5).count() == 5
    api.stop()
    wait_until(lambda: list(cache.glob("*.failed")), BUILD_TIMEOUT, "the build gives up")
    (failed,) = cache.glob("*.failed")
    note = failed.read_text()
    assert "non-empty directory" in note, note
    (build_log,) = cache.glob("*.log")
    assert str(build_log) in note, "the note points to the build log"
    assert not list(cache.glob("*.jsa*"))

    assert api.start().range(5).count() == 5
    assert "SharedArchiveFile" not in properties(home)
    assert "DumpLoadedClassList" not in properties(home)
    assert running(home).class_archive is None
    api.stop()


def test_a_users_own_class_data_options_win(home: Path, cache: Path) -> None:
    options = "-Xshare:off"
    assert api.start(conf={"spark.driver.extraJavaOptions": options}).range(5).count() == 5
    # The user's options stay first and no class-data option joins them (the log settings'
    # option may follow: src/log_settings.rs).
    (line,) = [x for x in properties(home).splitlines() if "extraJavaOptions" in x]
    assert line.startswith(f"spark.driver.extraJavaOptions={options}"), line
    assert "-XX:" not in line, line
    assert running(home).class_archive is None
    assert not cache.exists() or not any(cache.iterdir())
    api.stop()


def test_no_cache_directory_means_no_archive(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cache path that cannot be a directory (a file is in the way): the launch goes on.
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert api.start().range(5).count() == 5
    assert "-XX:" not in properties(home)
    assert os.path.isfile(blocker)
    api.stop()
