"""Pre-start: a kernel's start-up launches the user's server in the background, so the notebook's
first Spark cell finds it running instead of waiting seconds for a new JVM.

Turned on by `sparkconnect enable --prestart` (the kernel option `SparkConnect.prestart`, see
autoload.py) or, for every kernel that loads the extension at start-up, by a top-level key of
the user's config file (`$SPARKCONNECT_CONFIG`, else `~/.config/sparkconnect/config.toml`):

    prestart = true

The kernel option wins when set (`c.SparkConnect.prestart = False` in a kernel config turns it
off whatever the file says). The site configuration cannot set it: a pre-started server holds
about half a gigabyte for every user who opens a notebook, Spark or not, which is each user's
call; an administrator who wants it for a whole environment writes the kernel option there
(`sparkconnect enable --sys-prefix --prestart`), which users can still turn off.

The kernel only looks (the state file, no lock) and, when no server runs or starts, starts a
detached helper, `python -m sparkconnect.server.detached.prestart`, and goes on with its own
start-up.
Measured on two busy cores (kernel start to ready, 5 alternating rounds): 1.47 s with the
helper, 1.60 s without pre-start, 3.57 s with the same start on a thread of the kernel, whose
launch competes with the kernel's own start-up from its first millisecond. A thread would also,
were the kernel shut down within the seconds a launch takes, leave a server recorded as
starting, with no idle watchdog, until the next start adopts it. The helper
does what a notebook's first `spark` would: the same start, under the same lock, so kernels
started together make one server (the others' helpers find it and do nothing), and a notebook
that uses `spark` while the launch runs waits for that lock and attaches. It records the
notebook as the launcher, marked pre-started (caller.prestarted), drops the lease the start
gave it and exits, its exit status saying whether it launched: until the notebook uses `spark`
nobody holds a lease, and the idle watchdog stops a server nobody attaches to. It adds what it
did, or why it launched nothing, to `prestart.log` in the home.

The warm-up (session/warmup.py) is the kernel's, on a thread, once its helper says it launched:
there the Connect client is imported already, and the warm-up gives way to the notebook's first
query (or is skipped when that query came first, waiting for the launch). A detached warm-up
(the terminal's) cannot give way, and a warm-up beside a first query delays its answer (see
session/warmup.py).
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
from pathlib import Path

from sparkconnect.errors import ProfileError, SparkConnectError
from sparkconnect.server import caller, detached, lifecycle, profiles

SETTING = "prestart"
"""The config file's top-level key."""
LAUNCHED, FAILED, FOUND = 0, 1, 3
"""The helper's exit status: it launched the server, it could not, or one ran already."""
MODULE = "sparkconnect.server.detached.prestart"
LOG_NAME = "prestart.log"

log = logging.getLogger("sparkconnect.prestart")


def setting(path: Path | None = None) -> bool:
    """The user's config file's `prestart`: False when the file or the key is absent.
    ProfileError, in one paragraph naming the file and the line, for a file that is not TOML or
    a value that is not a boolean."""
    path = path or profiles.config_path()
    found = profiles.read(path, "config file")
    if found is None:
        return False
    document, located = found
    value = document.get(SETTING, False)
    if not isinstance(value, bool):
        raise ProfileError(
            f"{located.where(SETTING)}: {SETTING} must be true or false (without quotes), "
            f"not {value!r}."
        )
    return value


def needed() -> bool:
    """No server of this home runs or is being started."""
    return lifecycle.status().state == "stopped"


def launch_in_background(
    by: str, profile: str | None, idle_timeout: float
) -> subprocess.Popen[bytes]:
    """Start the helper, detached (its own session, so a kernel restart's signal to the
    kernel's process group does not reach it). `by` labels the notebook, `profile` is the one
    its `spark` would start with when none is named."""
    args = [f"--by={by}", f"--idle-timeout={idle_timeout!r}"]  # `--by=`: a name may begin with "-"
    if profile:
        args.append(f"--profile={profile}")
    # Appended: kernels started together each start a helper, and all of them write there.
    return detached.python_module(MODULE, args, Path(lifecycle.home()) / LOG_NAME, append=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m {MODULE}")
    parser.add_argument("--by", required=True, help="the notebook's label")
    parser.add_argument("--profile", default=None)
    parser.add_argument("--idle-timeout", type=float, required=True)
    return parser


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s: %(message)s")
    args = _parser().parse_args(argv)
    # A notebook's start, in its words (`%spark ...` in messages), recorded as pre-started.
    caller.use(caller.NOTEBOOK, caller.prestarted(args.by))
    try:
        plan = lifecycle.plan(fallback=args.profile)
        result = lifecycle.start_planned(plan, idle_timeout=args.idle_timeout)
    except SparkConnectError as err:
        # The notebook's first `spark` meets the same cause and shows it in its cell.
        log.error("no server pre-started: %s", err)
        return FAILED
    finally:
        lifecycle.release()
    server = result.server
    if not result.launched:
        log.info("a server was running already (pid %d); nothing launched", server.pid)
        return FOUND
    log.info("pre-started the server (pid %d, port %d) for %s", server.pid, server.port, args.by)
    return LAUNCHED


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
