"""Pre-start without a JVM: the config file's `prestart` key, the block `enable --prestart`
writes (and `enable` without it, and `disable`), the terminal command's words, and how a status
names a pre-started server's launcher. Kernels and servers: tests/server/test_prestart.py."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from sparkconnect import autoload
from sparkconnect.errors import ProfileError
from sparkconnect.server import caller
from sparkconnect.server.detached import prestart
from tests.support.helpers import cli

USER_LINES = "c.InteractiveShell.xmode = 'Plain'\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", False),
        ("prestart = true\n", True),
        ("prestart = false\n", False),
        ('[profiles.x]\nconf = { "spark.a" = "1" }\n', False),
        ('# mine\nprestart = true\n[profiles.x]\nconf = { "spark.a" = "1" }\n', True),
    ],
)
def test_setting_reads_the_top_level_key(tmp_path: Path, text: str, expected: bool) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    assert prestart.setting(path) is expected


def test_no_config_file_means_off(tmp_path: Path) -> None:
    assert prestart.setting(tmp_path / "absent.toml") is False


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('\nprestart = "yes"\n', "line 2: prestart must be true or false (without quotes), not 'y"),
        ("prestart = 1\n", "line 1: prestart must be true or false (without quotes), not 1."),
        ("prestart = tru\n", "is not valid TOML"),
    ],
)
def test_a_bad_setting_is_one_paragraph_naming_the_file(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as raised:
        prestart.setting(path)
    message = str(raised.value)
    assert said in message and str(path) in message, message
    assert "\n" not in message


def test_enable_with_and_without_prestart(tmp_path: Path) -> None:
    path = tmp_path / "profile_default" / "ipython_kernel_config.py"
    path.parent.mkdir()
    path.write_text(USER_LINES)
    assert autoload.enable(path, prestart=True)
    assert autoload.prestarts(path) and autoload.PRESTART_LINE in path.read_text()
    assert not autoload.enable(path, prestart=True), "asked twice: nothing changes"
    path.write_text(path.read_text() + "c.InteractiveShell.colors = 'nocolor'\n")

    # Without --prestart: the block is rewritten in place, the user's lines around it kept.
    assert autoload.enable(path)
    assert not autoload.prestarts(path) and autoload.is_enabled(path)
    assert path.read_text() == (
        USER_LINES + "\n" + autoload.block() + "c.InteractiveShell.colors = 'nocolor'\n"
    )
    assert not autoload.enable(path)

    assert autoload.enable(path, prestart=True)
    assert autoload.disable(path)
    # (The blank line enable put before its block stays, as it always has.)
    assert path.read_text() == USER_LINES + "\nc.InteractiveShell.colors = 'nocolor'\n"
    assert not autoload.prestarts(path)


def test_the_block_is_valid_kernel_config() -> None:
    """What the block sets, read as IPython reads a config file."""
    from traitlets.config import Config

    c = Config()
    c.InteractiveShellApp.extensions = []
    exec(autoload.block(prestart=True), {"c": c})  # our own constant text
    assert c.InteractiveShellApp.extensions == ["sparkconnect"]
    assert c.SparkConnect.prestart is True


def _cli(ipython_dir: Path, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return cli(*args, env={"IPYTHONDIR": str(ipython_dir), "SPARKCONNECT_CONFIG": str(config)})


def test_terminal_enable_prestart_then_off(tmp_path: Path) -> None:
    ipython_dir, config = tmp_path / "ipython", tmp_path / "config.toml"
    kernel_config = ipython_dir / "profile_default" / "ipython_kernel_config.py"
    on = _cli(ipython_dir, config, "enable", "--prestart", "--json")
    assert on.returncode == 0, on.stderr
    assert json.loads(on.stdout) == {
        "config_file": str(kernel_config),
        "changed": True,
        "prestart": True,
    }
    assert autoload.prestarts(kernel_config)
    worded = _cli(ipython_dir, config, "enable", "--prestart")
    assert "already loaded" in worded.stdout and "in the background" in worded.stdout

    config.write_text("prestart = true\n")
    off = _cli(ipython_dir, config, "enable")
    assert off.returncode == 0, off.stderr
    assert not autoload.prestarts(kernel_config)
    assert "Pre-start is off again in the kernel config" in off.stdout
    assert f"`prestart = true` in {config} keeps it on" in off.stdout

    gone = _cli(ipython_dir, config, "disable")
    assert gone.returncode == 0 and not kernel_config.exists()


def test_disable_takes_no_prestart_option(tmp_path: Path) -> None:
    done = _cli(tmp_path, tmp_path / "config.toml", "disable", "--prestart")
    assert done.returncode == 2
    assert "--prestart" in done.stderr and "Traceback" not in done.stderr


def test_status_names_who_pre_started_it() -> None:
    label = caller.prestarted("notebook analysis.ipynb")
    assert caller.origin(label) == "pre-started by notebook analysis.ipynb"
    assert caller.origin("the terminal") == "launched by the terminal"
    assert caller.origin(None) == ""
    assert caller.Caller(caller.NOTEBOOK, label).label == label
