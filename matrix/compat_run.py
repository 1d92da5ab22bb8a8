"""Runs the compatibility subset in one environment and reads what came of it: the counts from
pytest's JUnit XML, the Java from the logs of the servers the tests started."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent

JAVA_LINE = re.compile(r"\bJava version (\S+)")
"""What SparkContext logs at start-up (`Java version 17.0.15`), in every server's log."""

LEFT_TO_THE_ENVIRONMENT = ("SPARK_HOME", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
"""Not passed on: each would let the tests reach another Spark or Python than the environment's
(the package runs the server from SPARK_HOME when it is set)."""


@dataclass
class Outcome:
    """One release's run of the subset."""

    series: str
    pyspark: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    day: str = field(default_factory=lambda: datetime.now(UTC).date().isoformat())
    java: list[str] = field(default_factory=list)
    skips: list[tuple[str, str]] = field(default_factory=list)
    """(test id, reason) of each skipped test."""
    problem: str | None = None
    """Why the run could not count as one (set-up failed, pytest stopped, nothing ran)."""

    @property
    def green(self) -> bool:
        return self.problem is None and self.failed == 0 and self.passed > 0


def read_junit(path: Path, outcome: Outcome) -> None:
    """Counts (errors count as failures) and skip reasons from pytest's JUnit XML."""
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname')}.{case.get('name')}"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome.failed += 1
        elif (skip := case.find("skipped")) is not None:
            outcome.skipped += 1
            outcome.skips.append((name, skip.get("message", "")))
        else:
            outcome.passed += 1


def java_versions(scratch: Path) -> list[str]:
    """Every Java version the servers of the run logged, in the order first seen."""
    seen: list[str] = []
    for log in sorted(scratch.rglob("server.log*")):
        for logged in JAVA_LINE.findall(log.read_text(errors="replace")):
            # `17.0.15+6-Debian-1deb12u1` (Spark 4.1 on) and `17.0.15` (4.0) are one Java.
            found = logged.split("+")[0]
            if found not in seen:
                seen.append(found)
    return seen


def run_subset(env: Path, outcome: Outcome, extra: list[str]) -> None:
    """pytest -m compat with the environment's Python, from the checkout (the tests import
    `tests.support`; `sparkconnect` comes from the environment's wheel)."""
    scratch = env / "pytest-tmp"
    report = env / "junit.xml"
    shutil.rmtree(scratch, ignore_errors=True)
    report.unlink(missing_ok=True)
    environ = {k: v for k, v in os.environ.items() if k not in LEFT_TO_THE_ENVIRONMENT}
    environ["PATH"] = f"{env / 'bin'}{os.pathsep}{environ.get('PATH', '')}"
    command = [
        str(env / "bin" / "python"),
        "-m",
        "pytest",
        "-m",
        "compat",
        "-p",
        "no:cacheprovider",
        f"--basetemp={scratch}",
        f"--junitxml={report}",
        *extra,
    ]
    began = time.monotonic()
    done = subprocess.run(command, cwd=CHECKOUT, env=environ)
    outcome.seconds = time.monotonic() - began
    if report.is_file():
        read_junit(report, outcome)
    outcome.java = java_versions(scratch)
    # 0: all passed; 1: some failed (counted above). Anything else stopped the run itself.
    if done.returncode not in (0, 1):
        outcome.problem = f"pytest stopped with exit status {done.returncode}"
    elif outcome.passed == 0 and outcome.failed == 0:
        outcome.problem = "no test ran"
