"""How much memory a process holds, read from /proc: the panel shows the server JVM's.

Resident set size (VmRSS) is what the machine actually gives the JVM, as `top` shows it; the
heap size Spark was configured with says little about that. Reading one small /proc file costs
microseconds, so the panel can show it live.
"""

from __future__ import annotations

from pathlib import Path


def resident_bytes(pid: int) -> int | None:
    """VmRSS of `pid` in bytes; None when the process is gone (or /proc is not Linux's)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            fields = line.split()
            # "VmRSS:   612345 kB": the kernel always reports kibibytes.
            return int(fields[1]) * 1024 if len(fields) >= 2 and fields[1].isdigit() else None
    return None  # a zombie or a kernel thread has no VmRSS line
