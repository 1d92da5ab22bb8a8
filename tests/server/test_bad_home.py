"""A home owned by someone else or with loose permissions is refused with what to do; it is
not "fixed" silently (its owner and mode stay as they were) and nothing is started."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import HomeError, _core
from tests.support.helpers import run
from tests.support.refusal import assert_refused

NOBODY = 65534


@pytest.fixture
def made_home(home: Path) -> Iterator[Path]:
    """The home, created, with a saved conf; its owner and mode restored afterwards so the
    fixture that stops leftovers can use it."""
    _core.resolve_home(str(home))
    _core.save_conf(str(home), {"spark.sql.shuffle.partitions": "8"})
    yield home
    os.chown(home, os.getuid(), os.getgid())
    home.chmod(0o700)


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a directory's owner needs root")
def test_a_home_owned_by_another_user(shell: InteractiveShell, made_home: Path) -> None:
    os.chown(made_home, NOBODY, NOBODY)
    for line in ("%spark start", "%spark status", "%spark conf a=b"):
        result = run(shell, line)
        assert_refused(result, HomeError, f"owned by uid {NOBODY}", "SPARKCONNECT_HOME")
    assert made_home.stat().st_uid == NOBODY
    assert not java_servers_of(made_home)


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722])
def test_a_home_writable_by_others(shell: InteractiveShell, made_home: Path, mode: int) -> None:
    made_home.chmod(mode)
    result = run(shell, "%spark start")
    assert_refused(result, HomeError, "writable by group or others", "chmod 700")
    assert stat.S_IMODE(made_home.stat().st_mode) == mode
    assert not java_servers_of(made_home)
    made_home.chmod(0o700)
    assert _core.load_conf(str(made_home)) == {"spark.sql.shuffle.partitions": "8"}
