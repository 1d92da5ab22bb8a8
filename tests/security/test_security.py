"""Security of a real server: loopback only, token required, token never visible."""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

import sparkconnect
from drive.procfs import all_pids, cmdline
from sparkconnect import _core
from tests.support.helpers import run

pytestmark = pytest.mark.jvm


@pytest.fixture(scope="module")
def server(module_home: Path) -> Iterator[_core.ServerInfo]:
    sparkconnect.start()
    info = _core.status(str(module_home)).server
    assert info is not None
    yield info
    sparkconnect.stop(force=True)


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def listening_addresses(pid: int) -> list[tuple[str, int]]:
    """(hex local address, port) of every TCP socket in LISTEN state that `pid` holds."""
    inodes = socket_inodes(pid)
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and inode in inodes:
                address, port = local.split(":")
                found.append((address, int(port, 16)))
    return found


LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
LOOPBACK_V4_MAPPED = "0000000000000000FFFF00000100007F"  # ::ffff:127.0.0.1


def test_every_listening_socket_is_on_loopback(server: _core.ServerInfo) -> None:
    listening = listening_addresses(server.pid)
    ports = {port for _, port in listening}
    assert server.port in ports and server.ui_port in ports
    for address, port in listening:
        assert address in (LOOPBACK_V4, LOOPBACK_V4_MAPPED), f"port {port} binds {address}"


def test_a_client_without_or_with_a_wrong_token_is_refused(
    server: _core.ServerInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pyspark.errors.exceptions.connect import SparkConnectGrpcException
    from pyspark.sql.connect.session import SparkSession

    # pyspark's client sends this variable when a URL has none: an intruder has no such luck.
    monkeypatch.delenv("SPARK_CONNECT_AUTHENTICATE_TOKEN", raising=False)

    for url in (
        f"sc://localhost:{server.port}/",
        f"sc://localhost:{server.port}/;token=not-the-token",
    ):
        intruder = SparkSession(connection=url)
        try:
            with pytest.raises(SparkConnectGrpcException, match=r"UNAUTHENTICATED|Invalid"):
                intruder.range(1).collect()
        finally:
            intruder.release_session_on_close = False
            intruder.stop()
    assert sparkconnect.session().range(2).count() == 2


def test_token_is_in_no_argv_and_no_log(server: _core.ServerInfo) -> None:
    for pid in all_pids():
        assert not any(server.token in arg for arg in cmdline(pid)), f"token in argv of {pid}"
    assert server.token not in Path(server.log_path).read_text(errors="replace")
    assert server.token not in repr(sparkconnect.status())
    assert server.token not in repr(server)


def test_home_and_state_file_modes(server: _core.ServerInfo, module_home: Path) -> None:
    assert stat.S_IMODE(module_home.stat().st_mode) == 0o700
    for name in ("server.json", "server.properties"):
        assert stat.S_IMODE((module_home / name).stat().st_mode) == 0o600, name
    assert stat.S_IMODE(Path(server.log_path).stat().st_mode) & 0o077 == 0


NOBODY = 65534


def as_nobody() -> None:
    os.setgid(NOBODY)
    os.setgroups([])
    os.setuid(NOBODY)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to another uid needs root")
def test_another_local_user_cannot_read_the_token(
    server: _core.ServerInfo, module_home: Path
) -> None:
    state = module_home / "server.json"
    for target in (state, module_home / "server.properties", Path(server.log_path)):
        other = subprocess.run(
            ["cat", str(target)], preexec_fn=as_nobody, capture_output=True, text=True
        )
        assert other.returncode != 0, f"uid {NOBODY} could read {target}"
        assert "Permission denied" in other.stderr
        assert server.token not in other.stdout
    listing = subprocess.run(
        ["ls", str(module_home)], preexec_fn=as_nobody, capture_output=True, text=True
    )
    assert listing.returncode != 0 and "Permission denied" in listing.stderr
    # The same command as root does read it: the refusal above is the permissions' doing.
    assert (
        server.token in subprocess.run(["cat", str(state)], capture_output=True, text=True).stdout
    )


def test_token_is_in_no_notebook_output(server: _core.ServerInfo, shell: InteractiveShell) -> None:
    shown = []
    for line in ("%spark start", "%spark status", "%spark logs -n 500", "%spark conf", "spark"):
        result = run(shell, line)
        assert result.error is None, result.shown
        shown += [result.shown, *result.htmls]
    assert all(server.token not in text for text in shown)
