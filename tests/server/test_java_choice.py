"""Which Java a real server runs on: with no JAVA_HOME, the newest Java installed in the JDK
directory that the Spark supports (even when no java is on PATH); with JAVA_HOME, that one. The
expectation is computed here from the machine's own `release` files, independently of the core."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sparkconnect import _core, api
from sparkconnect.render.server_cards import status_card
from sparkconnect.render.server_state import server_state
from tests.support.helpers import cli

pytestmark = pytest.mark.jvm

JDK_DIR = Path("/usr/lib/jvm")


def release_version(home: Path) -> tuple[int, ...] | None:
    try:
        text = (home / "release").read_text()
    except OSError:
        return None
    found = re.search(r'^JAVA_VERSION="(\d+(?:\.\d+)*)', text, re.M)
    return tuple(int(p) for p in found.group(1).split(".")) if found else None


def supports(spark: str, java: tuple[int, ...]) -> bool:
    """Spark's documentation: 4.0 and 4.1 run on Java 17 and 21, 4.2 adds 25 from 25.0.3."""
    spark_minor = tuple(int(p) for p in spark.split(".")[:2])
    if java[0] in (17, 21):
        return True
    padded = java + (0,) * (3 - len(java))
    return java[0] == 25 and spark_minor >= (4, 2) and padded >= (25, 0, 3)


def installed() -> dict[Path, tuple[int, ...]]:
    """Every real Java installation in JDK_DIR with its version."""
    found = {}
    for java in JDK_DIR.glob("*/bin/java"):
        home = java.resolve().parent.parent
        version = release_version(home)
        if version is not None:
            found[home] = version
    return found


def newest_supported(spark: str) -> Path:
    javas = installed()
    if len(javas) < 2:
        pytest.skip(f"fewer than two Java installations in {JDK_DIR}: nothing to choose")
    usable = {home: v for home, v in javas.items() if supports(spark, v)}
    if not usable:
        pytest.skip(f"no Java in {JDK_DIR} that Spark {spark} supports")
    return max(usable, key=lambda home: usable[home])


def running() -> _core.ServerInfo:
    assert api.start().range(3).count() == 3
    server = _core.status(os.environ["SPARKCONNECT_HOME"]).server
    assert server is not None
    return server


def jvm_home(server: _core.ServerInfo) -> Path:
    """The installation of the server JVM's executable, as the kernel knows it."""
    return Path(os.readlink(f"/proc/{server.pid}/exe")).resolve().parent.parent


def shown_java(home: Path, server: _core.ServerInfo) -> str:
    """The Java row of the status as the terminal, a notebook (HTML) and the panel show it."""
    text = cli("status", home=home).stdout
    java_lines = [line for line in text.splitlines() if line.strip().startswith("Java")]
    assert len(java_lines) == 1, text
    status = _core.status(str(home))
    card = status_card(status, "")
    assert "Java" in card._repr_html_()
    panel = dict(server_state(status, lambda s: "")["rows"])
    assert panel["Java"] in java_lines[0], (panel, java_lines)
    return java_lines[0]


def test_without_java_home_the_newest_supported_java_runs_the_server(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("SPARKCONNECT_JDK_DIR", raising=False)
    server = running()
    expected = newest_supported(server.spark_version)
    assert jvm_home(server) == expected
    assert server.java_choice == "newest"
    version = ".".join(map(str, installed()[expected]))
    assert server.java_version == version
    line = shown_java(home, server)
    assert version in line and str(expected) in line, line
    assert f"the newest installed that Spark {server.spark_version} supports" in line, line


def test_with_no_java_on_path_an_installed_one_is_chosen(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PATH keeps every tool the Spark scripts need, but no java: only the JDK directory has one.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in Path("/usr/bin").iterdir():
        if tool.name != "java":
            (bin_dir / tool.name).symlink_to(tool)
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.delenv("SPARKCONNECT_JDK_DIR", raising=False)
    server = running()
    assert jvm_home(server) == newest_supported(server.spark_version)
    assert server.java_choice == "newest"


def test_java_home_names_the_java(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The oldest installed Java, so that it is not what the choice would have taken.
    javas = installed()
    if len(javas) < 2:
        pytest.skip(f"fewer than two Java installations in {JDK_DIR}")
    oldest = min(javas, key=lambda h: javas[h])
    monkeypatch.setenv("JAVA_HOME", str(oldest))
    server = running()
    assert jvm_home(server) == oldest
    assert server.java_choice == "java_home"
    line = shown_java(home, server)
    assert line.split()[1:] == [".".join(map(str, javas[oldest])), "(JAVA_HOME)"], line
