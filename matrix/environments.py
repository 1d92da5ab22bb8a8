"""One virtual environment per pyspark release, under .matrix/ in the checkout (git-ignored):
pyspark of that release, this package's wheel with its test dependencies. An environment that
already has the release and the same wheel is used as it is, so a second run installs nothing.

Why the wheel and not an editable install: it is what users install (the compiled core plus the
Jupyter configuration and start-up hook an editable install takes from the checkout), it is
built once for all releases (abi3), and an editable install would rebuild the Rust core for each
environment's interpreter."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / ".matrix"
"""Where the environments live (one directory per series: pyspark-4.0, ...)."""

STAMP = "matrix-installed.txt"
"""Written into an environment once its installs succeeded: the pyspark version and the wheel's
fingerprint. Until then the environment counts as unfinished and is made again."""


class SetupFailed(Exception):
    """An environment could not be made; the message says which step and why."""


def wheel_fingerprint(wheel: Path) -> str:
    """The hash of the wheel's RECORD (the hash of every file in it): two builds of the same
    sources share it, while the wheel file itself differs in its timestamps."""
    with zipfile.ZipFile(wheel) as archive:
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        return hashlib.sha256(archive.read(record)).hexdigest()


def installed_pyspark(env: Path) -> str | None:
    """The pyspark version installed in `env`, from its metadata directory (no process)."""
    found = sorted(env.glob("lib/python*/site-packages/pyspark-*.dist-info"))
    if len(found) != 1:
        return None
    return found[0].name.removeprefix("pyspark-").removesuffix(".dist-info")


def python_of(env: Path) -> Path:
    return env / "bin" / "python"


def _pip(env: Path, *args: str) -> None:
    command = [str(python_of(env)), "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(command)
    if done.returncode != 0:
        raise SetupFailed(f"`pip {' '.join(args)}` in {env} failed (exit {done.returncode}).")


def prepare(series: str, pyspark: str, wheel: Path, say: Callable[[str], None] = print) -> Path:
    """The environment of `series` with pyspark `pyspark` and `wheel`, made or brought up to
    date; returns its directory."""
    env = ROOT / f"pyspark-{series}"
    stamp = env / STAMP
    wanted = f"pyspark {pyspark}\nwheel {wheel_fingerprint(wheel)}\n"
    if stamp.is_file() and stamp.read_text() == wanted:
        return env
    if installed_pyspark(env) != pyspark or not python_of(env).exists():
        say(f"pyspark {pyspark}: making {env} (the first install downloads and builds pyspark)")
        shutil.rmtree(env, ignore_errors=True)
        made = subprocess.run([sys.executable, "-m", "venv", str(env)])
        if made.returncode != 0:
            raise SetupFailed(f"`python -m venv {env}` failed (exit {made.returncode}).")
        _pip(env, "install", "--quiet", "--upgrade", "pip")
    else:
        say(f"pyspark {pyspark}: installing the new wheel into {env}")
        stamp.unlink(missing_ok=True)
        # Same version, other contents: pip would keep the installed one.
        _pip(env, "install", "--quiet", "--force-reinstall", "--no-deps", str(wheel))
    # One resolve, pyspark pinned: the wheel's own requirement (pyspark>=4.0,<5) and the test
    # dependencies settle around it.
    _pip(env, "install", "--quiet", f"pyspark[connect]=={pyspark}", f"{wheel}[test]")
    if installed_pyspark(env) != pyspark:
        raise SetupFailed(f"{env} has pyspark {installed_pyspark(env)}, not {pyspark}.")
    stamp.write_text(wanted)
    return env
