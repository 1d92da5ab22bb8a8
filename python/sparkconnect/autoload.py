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
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

CONFIG_NAME = "ipython_kernel_config.py"
BEGIN = "# >>> sparkconnect enable >>> (`sparkconnect disable` removes this block)"
END = "# <<< sparkconnect enable <<<"
BLOCK = f'{BEGIN}\nc.InteractiveShellApp.extensions.append("sparkconnect")\n{END}\n'


def config_file(scope: str) -> Path:
    """The kernel config file of `scope`: "user" or "sys-prefix"."""
    if scope == "sys-prefix":
        return Path(sys.prefix) / "etc" / "ipython" / CONFIG_NAME
    if scope != "user":
        raise ValueError(f"unknown scope {scope!r}")
    from IPython.paths import get_ipython_dir

    return Path(get_ipython_dir()) / "profile_default" / CONFIG_NAME


def _without_block(text: str) -> str:
    lines, kept, inside = text.splitlines(keepends=True), [], False
    for line in lines:
        if line.rstrip("\n") == BEGIN:
            inside = True
        elif inside and line.rstrip("\n") == END:
            inside = False
        elif not inside:
            kept.append(line)
    return "".join(kept)


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
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def enable(path: Path) -> bool:
    """Add the block to `path` (creating it and its directory); False if it was there."""
    if is_enabled(path):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        text = path.read_text()
    except FileNotFoundError:
        text = ""
    if text and not text.endswith("\n"):
        text += "\n"
    _write(path, text + ("\n" if text else "") + BLOCK)
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
