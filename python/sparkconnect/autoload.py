"""`sparkconnect enable` / `disable`: the extension in IPython's kernel start-up configuration.

Listing an extension in `c.InteractiveShellApp.extensions` is how IPython loads extensions that
should always be on; every new kernel then has `spark` (connecting on first use) without
`%load_ext`, and the Connect client import begins while the user is still reading the notebook.
Loading never starts a server by itself.

The line goes into `ipython_kernel_config.py`, which kernels read and a terminal IPython does not
(there the background client import would cost every `ipython` a second of CPU for nothing):

- `--user`: the default IPython profile's directory (`$IPYTHONDIR/profile_default`);
- `--sys-prefix`: `<sys.prefix>/etc/ipython`, which IPython reads for every user of that
  Python environment (a shared software stack).

It is appended as a marked block, so a file the user already has is kept as it is; `.append`
(rather than assigning the list) adds to extensions listed elsewhere instead of replacing them.
Enabling twice changes nothing; `disable` removes the block, and the file if nothing else is
left in it.

`--prestart` adds `c.SparkConnect.prestart = True` to the block: kernels then also launch the server
in the background at start-up when none runs (server/detached/prestart.py). The block says what the
last `enable` asked for: `enable` without `--prestart` rewrites it without that line, in place,
which turns pre-start off again (unless the user's sparkconnect config file asks for it with
`prestart = true`, which then decides, as in any kernel without the option); `disable` removes it
with the rest.
"""

from __future__ import annotations

import sys
from pathlib import Path

from sparkconnect import _core

CONFIG_NAME = "ipython_kernel_config.py"
BEGIN = "# >>> sparkconnect enable >>> (`sparkconnect disable` removes this block)"
END = "# <<< sparkconnect enable <<<"
LOAD_LINE = 'c.InteractiveShellApp.extensions.append("sparkconnect")'
PRESTART_LINE = "c.SparkConnect.prestart = True"


def block(prestart: bool = False) -> str:
    """The block `enable` writes, with or without pre-start."""
    lines = [BEGIN, LOAD_LINE, *([PRESTART_LINE] if prestart else []), END]
    return "\n".join(lines) + "\n"


def config_file(scope: str) -> Path:
    """The kernel config file of `scope`: "user" or "sys-prefix"."""
    if scope == "sys-prefix":
        return Path(sys.prefix) / "etc" / "ipython" / CONFIG_NAME
    if scope != "user":
        raise ValueError(f"unknown scope {scope!r}")
    from IPython.paths import get_ipython_dir

    return Path(get_ipython_dir()) / "profile_default" / CONFIG_NAME


def _split(text: str) -> tuple[str, str, str]:
    """(before, the block, after) of `text`; the block is "" when there is none."""
    parts: tuple[list[str], list[str], list[str]] = ([], [], [])
    part = 0
    for line in text.splitlines(keepends=True):
        if part == 0 and line.rstrip("\n") == BEGIN:
            part = 1
        parts[part].append(line)
        if part == 1 and line.rstrip("\n") == END:
            part = 2
    before, inside, after = ("".join(lines) for lines in parts)
    return before, inside, after


def _without_block(text: str) -> str:
    before, _, after = _split(text)
    return before + after


def prestarts(path: Path) -> bool:
    """Whether the block in `path` turns pre-start on."""
    try:
        _, inside, _ = _split(path.read_text())
    except FileNotFoundError:
        return False
    return PRESTART_LINE in inside.splitlines()


def is_enabled(path: Path) -> bool:
    try:
        return BEGIN in path.read_text().splitlines()
    except FileNotFoundError:
        return False


def _write(path: Path, text: str) -> None:
    """Replace `path` atomically, keeping its permissions (new files: 0644, like an editor's)."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    _core.atomic_write(path, text, mode=mode)


def enable(path: Path, prestart: bool = False) -> bool:
    """Add the block to `path` (creating it and its directory), or rewrite the one there in
    place when it asked for another pre-start; False if it was there as asked."""
    wanted = block(prestart)
    if is_enabled(path):
        before, inside, after = _split(path.read_text())
        if inside == wanted:
            return False
        _write(path, before + wanted + after)
        return True
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = path.read_text()
    except FileNotFoundError:
        text = ""
    if text and not text.endswith("\n"):
        text += "\n"
    _write(path, text + ("\n" if text else "") + wanted)
    return True


def disable(path: Path) -> bool:
    """Remove the block from `path`, and the file when nothing else is left; False if the block
    was not there."""
    if not is_enabled(path):
        return False
    rest = _without_block(path.read_text())
    if rest.strip():
        _write(path, rest.rstrip("\n") + "\n")
    else:
        path.unlink()
    return True
