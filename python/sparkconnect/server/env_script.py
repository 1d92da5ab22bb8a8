"""A profile's `env_script`: sourced by bash just before a launch; the variables it sets become
the server's environment, and what it prints goes to the top of the server log.

It runs here, in Python, before the core's start rather than inside the launch: the core then
only sees a plain environment, and a script that fails or hangs fails the start before any JVM
exists. `set -a` exports every variable the script assigns, as a profile's script for a cluster
(`HADOOP_CONF_DIR=...`, `source /opt/cluster/env.sh`) expects; the environment is read back with
`env -0` (NUL-separated, so values may hold newlines) into a private temporary file, apart from
the script's own output.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sparkconnect import _core
from sparkconnect.wording import PREFIX

TIMEOUT = 60.0
"""Seconds a script may run. Set-up scripts fetch credentials or source a cluster's environment
(seconds at most); a script still running after a minute waits for something that will not come
(a password prompt, a hung network mount), and the user should hear so."""
CAUSE = "env-script"
"""StartError.cause of a start that failed in the script."""
SHOWN_LINES = 20
_SOURCE = 'set -a; . "$1" || exit $?; env -0 > "$2"'
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# Set by bash or `env` themselves, not by the script.
_OWN = frozenset({"_", "SHLVL", "PWD", "OLDPWD"})


@dataclass(frozen=True)
class Ran:
    env: dict[str, str]
    """Variables the script set or changed."""
    output: str
    seconds: float

    def log_text(self, script: str, owner: str) -> str:
        """Lines for the top of the server log; variable names, never values (secrets)."""
        names = ", ".join(sorted(self.env)) or "no variables"
        head = (
            f"{PREFIX}ran the env_script {script} of the {owner} in "
            f"{self.seconds:.1f} s before launching; it set {names}."
        )
        if not self.output.strip():
            return head + "\n"
        return (
            f"{head} Its output:\n{self.output.rstrip()}\n{PREFIX}end of the env_script's output.\n"
        )


def _failure(what: str, script: str, output: str) -> _core.StartError:
    lines = output.rstrip().splitlines()[-SHOWN_LINES:] or ["(it printed nothing)"]
    quoted = "\n".join(f"    {line}" for line in lines)
    err = _core.StartError(
        f"{what}; no server was launched.\nLast lines of its output ({script}):\n{quoted}"
    )
    err.cause = CAUSE
    return err


def run(script: str, base: Mapping[str, str], owner: str, timeout: float = TIMEOUT) -> Ran:
    """Source `script` in an environment of `base`; StartError (cause CAUSE) when it exits
    non-zero, calls `exit`, or is still running after `timeout` seconds."""
    began = time.monotonic()
    about = f"The env_script {script} of the {owner}"
    with tempfile.TemporaryDirectory(prefix="sparkconnect-env-") as scratch:
        dump = Path(scratch) / "env"
        try:
            process = subprocess.Popen(
                ["bash", "-c", _SOURCE, "sparkconnect-env-script", script, str(dump)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=dict(base),
                cwd=str(Path(script).parent),
                # Its own process group: whatever it started goes with it on a timeout.
                start_new_session=True,
            )
        except OSError as err:
            raise _failure(f"{about} could not be run: {err}", script, "") from None
        try:
            out, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, _ = process.communicate()
            raise _failure(
                f"{about} was still running after {timeout:g} s and was stopped (waiting for "
                "input, a network mount or a server that does not answer?)",
                script,
                out.decode(errors="replace"),
            ) from None
        output = out.decode(errors="replace")
        if process.returncode != 0:
            raise _failure(f"{about} exited with status {process.returncode}", script, output)
        if not dump.exists():
            raise _failure(
                f"{about} called `exit`, so its environment could not be read (a sourced "
                "script ends with `return`, or just at its end)",
                script,
                output,
            )
        after = _parse(dump.read_bytes())
    changed = {
        name: value
        for name, value in after.items()
        if base.get(name) != value and name not in _OWN and _NAME.match(name)
    }
    return Ran(changed, output, time.monotonic() - began)


def _parse(raw: bytes) -> dict[str, str]:
    found = {}
    for entry in raw.decode(errors="replace").split("\0"):
        name, sep, value = entry.partition("=")
        if sep:
            found[name] = value
    return found
