"""A process with a busy Connect session can start programs: a notebook's `!cmd` forks through a
pty (pexpect), and gRPC's fork handlers used to kill or garble about one child in ten while a
query ran (grpc/grpc#43055). Forty forks during queries must all run cleanly."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.processes import python

pytestmark = pytest.mark.jvm

FORKS = 40
PROGRAM = """
    import sys, threading
    import pexpect
    import sparkconnect

    spark = sparkconnect.session()
    done = threading.Event()

    def queries():
        while not done.is_set():
            spark.range(1000).count()

    threading.Thread(target=queries, daemon=True).start()
    bad = []
    for i in range({forks}):
        out = pexpect.run(f"{{sys.executable}} -c \\"print('ok')\\"", timeout=60).decode()
        if out.strip() != "ok":
            bad.append(out.strip()[-160:] or "(no output)")
    done.set()
    print("BAD", len(bad), bad[:3], flush=True)
"""


def test_programs_started_during_a_query_all_run(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This test process set it when it imported the session layer: the program must do so itself.
    monkeypatch.delenv("GRPC_ENABLE_FORK_SUPPORT", raising=False)
    proc = python(PROGRAM.format(forks=FORKS), home, stdout=subprocess.PIPE)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out
    assert out.strip().startswith("BAD 0 "), out
