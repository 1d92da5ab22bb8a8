"""`sparkconnect enable` / `disable`: real kernels started with a temporary IPYTHONDIR have
`spark` without `%load_ext` (and launch no JVM by loading), a user's own kernel config is kept,
and disabling gives back exactly what was there."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from IPython.core.application import ENV_CONFIG_DIRS

from drive.kernels import Kernel
from drive.procfs import java_servers_of
from sparkconnect import _core, autoload

USER_CONFIG = (
    "c.InteractiveShellApp.extensions = ['autoreload']\nc.InteractiveShell.xmode = 'Plain'\n"
)
"""A user's own kernel config, which enable and disable must keep."""


def cli(ipython_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sparkconnect", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "IPYTHONDIR": str(ipython_dir)},
    )


def kernel_view(home: Path, ipython_dir: Path) -> str:
    """What a fresh kernel has, a moment after it started, without any %load_ext."""
    kernel = Kernel({"SPARKCONNECT_HOME": str(home), "IPYTHONDIR": str(ipython_dir)})
    try:
        time.sleep(1)  # the background client import runs; nothing may launch meanwhile
        run = kernel.run(
            "print(type(globals().get('spark')).__name__, "
            "sorted(get_ipython().extension_manager.loaded), "
            "'spark' in get_ipython().magics_manager.magics['line'])"
        )
        assert run.status == "ok", run.text
        return run.text
    finally:
        kernel.shutdown()


def test_enabled_kernels_have_spark_and_launch_nothing(home: Path, tmp_path: Path) -> None:
    ipython_dir = tmp_path / "ipython"
    config = ipython_dir / "profile_default" / "ipython_kernel_config.py"
    config.parent.mkdir(parents=True)
    config.write_text(USER_CONFIG)

    enabled = cli(ipython_dir, "enable", "--user")
    assert enabled.returncode == 0, enabled.stderr
    assert str(config) in enabled.stdout
    text = config.read_text()
    assert text.startswith(USER_CONFIG), "the user's own config must be kept"
    assert autoload.is_enabled(config)
    again = cli(ipython_dir, "enable")  # --user is the default; a second time changes nothing
    assert again.returncode == 0 and "already" in again.stdout
    assert config.read_text() == text

    seen = kernel_view(home, ipython_dir)
    assert seen.startswith("LazySpark"), seen
    assert "'sparkconnect'" in seen and "'IPython.extensions.autoreload'" in seen, seen
    assert seen.rstrip().endswith("True"), "the %spark magic is registered"
    assert not java_servers_of(home), "loading launched a server"
    assert _core.status(str(home)).state == "stopped"

    disabled = cli(ipython_dir, "disable")
    assert disabled.returncode == 0, disabled.stderr
    assert config.read_text() == USER_CONFIG
    plain = kernel_view(home, ipython_dir)
    assert plain.startswith("NoneType") and "'sparkconnect'" not in plain, plain


def test_disable_removes_a_file_it_created(tmp_path: Path) -> None:
    config = tmp_path / "profile_default" / "ipython_kernel_config.py"
    assert autoload.enable(config)
    assert not autoload.enable(config)
    assert autoload.disable(config)
    assert not config.exists()
    assert not autoload.disable(config)


def test_sys_prefix_is_a_directory_ipython_reads() -> None:
    path = autoload.config_file("sys-prefix")
    assert str(path.parent) in ENV_CONFIG_DIRS
    assert path.parent == Path(sys.prefix) / "etc" / "ipython"


def test_cells_run_once_the_background_client_import_is_done(home: Path) -> None:
    """The client import that loading starts runs on a thread; a cell importing the same
    packages meanwhile could get a partly initialised module. The next cell waits for it."""
    kernel = Kernel({"SPARKCONNECT_HOME": str(home)})
    try:
        loaded = kernel.run("%load_ext sparkconnect")
        assert loaded.status == "ok", loaded.text
        seen = kernel.run(
            "import sys, threading\n"
            "print(sorted(t.name for t in threading.enumerate()))\n"
            "print('pyspark.sql.connect.session' in sys.modules)"
        )
        assert seen.status == "ok", seen.text
        assert "sparkconnect-import" not in seen.text, seen.text
        assert seen.text.strip().endswith("True"), seen.text
    finally:
        kernel.shutdown()
