"""A description of the machine a benchmark ran on, recorded next to its figures."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib.metadata import version


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    with open("/proc/meminfo") as meminfo:
        kib = int(meminfo.readline().split()[1])
    return round(kib / 2**20, 1)


def _java() -> str:
    done = subprocess.run(["java", "-version"], capture_output=True, text=True)
    return done.stderr.splitlines()[0] if done.stderr else "unknown"


def describe() -> dict[str, str | int | float]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count() or 0,
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "java": _java(),
        "pyspark": version("pyspark"),
        "sparkconnect": version("sparkconnect"),
    }


def load_average() -> str:
    """How busy the machine was: runs on a shared machine are only comparable with this."""
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
