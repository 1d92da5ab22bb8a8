"""Fault tests launch many real JVMs; these settings make each launch cheaper without changing
what is tested (the lifecycle around the JVM): C1-only JIT and serial GC start faster on two
cores. They are saved as the pending conf of each test's home, so every start in the test,
from this process or from a notebook-like subprocess, uses them."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparkconnect import _core

FAST_JVM = {"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"}


@pytest.fixture(autouse=True)
def fast_jvm(home: Path) -> None:
    _core.save_conf(_core.resolve_home(str(home)), FAST_JVM)
