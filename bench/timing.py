"""Timing helpers: code that runs inside a kernel and reports how long it took."""

from __future__ import annotations

import re
import textwrap

from drive.kernels import Kernel

_ELAPSED = re.compile(r"ELAPSED ([0-9.]+)")


def timed_cell(body: str) -> str:
    """A cell that runs `body` and prints its duration, measured inside the kernel."""
    return (
        "import time as _bench_time\n"
        "_bench_t0 = _bench_time.perf_counter()\n"
        + textwrap.dedent(body).strip()
        + "\nprint('ELAPSED', _bench_time.perf_counter() - _bench_t0)\n"
    )


def run_timed(kernel: Kernel, body: str) -> float:
    """Seconds `body` took inside `kernel`; raises if the cell failed."""
    result = kernel.run(timed_cell(body))
    found = _ELAPSED.search(result.text)
    if result.status != "ok" or found is None:
        raise RuntimeError(f"benchmark cell failed:\n{result.text}")
    return float(found.group(1))
