"""A profile's env_script, run for real by bash: the variables it sets, its output for the
server log, and each way it can fail (non-zero exit, `exit`, still running at the timeout)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sparkconnect import _core
from sparkconnect.server import env_script
from sparkconnect.server.env_script import run


def _script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "setup.sh"
    path.write_text(text)
    return str(path)


def test_the_scripts_variables_and_output(tmp_path: Path) -> None:
    script = _script(
        tmp_path,
        'PLAIN=assigned\nexport EXPORTED="two\nlines"\nKEPT=$FROM_PROFILE-x\n'
        "unused() { :; }\necho hello from the script\necho to stderr >&2\n",
    )
    base = {**os.environ, "FROM_PROFILE": "p", "UNCHANGED": "same"}
    ran = run(script, base, "site profile cluster")
    # `set -a`: plain assignments are exported too; values may hold newlines.
    assert ran.env == {"PLAIN": "assigned", "EXPORTED": "two\nlines", "KEPT": "p-x"}
    assert ran.output == "hello from the script\nto stderr\n"
    log = ran.log_text(script, "site profile cluster")
    assert log.startswith(f"sparkconnect: ran the env_script {script} of the site profile cluster")
    assert "it set EXPORTED, KEPT, PLAIN." in log
    assert (
        "hello from the script\nto stderr\nsparkconnect: end of the env_script's output.\n" in log
    )
    # Names, never values, of what it set: a script may fetch secrets.
    assert "assigned" not in log


def test_a_script_runs_in_its_own_directory(tmp_path: Path) -> None:
    script = _script(tmp_path, "HERE=$(pwd)\n")
    assert run(script, dict(os.environ), "user profile x").env["HERE"] == str(tmp_path)


def test_non_zero_exit_fails_with_the_last_lines(tmp_path: Path) -> None:
    lines = "".join(f"echo line {n}\n" for n in range(30))
    script = _script(tmp_path, lines + "return 3\n")
    with pytest.raises(_core.StartError) as caught:
        run(script, dict(os.environ), "site profile cluster")
    err = caught.value
    assert err.cause == env_script.CAUSE
    message = str(err)
    assert f"The env_script {script} of the site profile cluster exited with status 3" in message
    assert f"Last lines of its output ({script}):\n    line 10\n" in message
    assert message.endswith("    line 29")
    assert "line 9\n" not in message


def test_exit_in_a_sourced_script_is_explained(tmp_path: Path) -> None:
    script = _script(tmp_path, "export A=1\nexit 0\n")
    with pytest.raises(_core.StartError, match="called `exit`"):
        run(script, dict(os.environ), "site profile cluster")


def test_a_hanging_script_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    script = _script(tmp_path, "echo waiting for the KDC\nsleep 317 &\nwait\n")
    began = time.monotonic()
    with pytest.raises(_core.StartError) as caught:
        run(script, dict(os.environ), "site profile cluster", timeout=1.0)
    assert time.monotonic() - began < 10
    message = str(caught.value)
    assert "was still running after 1 s and was stopped" in message
    assert "waiting for the KDC" in message
    # Its whole process group went with it: no `sleep 317` is left behind.
    leftovers = [
        p for p in os.listdir("/proc") if p.isdigit() and _cmdline(int(p)) == ["sleep", "317"]
    ]
    assert not leftovers


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except OSError:
        return []
