"""Pre-start (`sparkconnect enable --prestart`, or `prestart = true` in the config file): real
kernels, started with the extension enabled through their own IPYTHONDIR, launch the user's
server in the background at start-up, without any cell using `spark`; the server holds no lease
until `spark` is used; kernels started together make one server; a server nobody attaches to
stops after its idle timeout; a first `spark` during the launch waits for it; with pre-start
off, or a bad setting, nothing is launched. Without a JVM: tests/server/test_prestart_choice.py."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from drive.kernels import Kernel
from drive.procfs import java_servers_of, processes_naming
from drive.waiting import wait_until
from sparkconnect import _core, autoload
from sparkconnect.server.detached import prestart
from sparkconnect.session.warmup import TAG
from tests.support.helpers import cli
from tests.support.processes import server
from tests.support.spark_ui import Job, jobs

pytestmark = pytest.mark.jvm

NOTEBOOK = "work/analysis.ipynb"
PRESTARTED = "notebook analysis.ipynb (pre-started)"
LAUNCH_LINE = "sparkconnect: launched"
"""How `spark` says it launched a server itself (render/server_cards.py launched_line)."""
SETTLE = 3.0
"""Seconds a kernel that should launch nothing is given to do so anyway: its helper, had it
started one, would have written to prestart.log within a second."""


def kernel_env(
    home: Path,
    tmp_path: Path,
    *,
    prestart_option: bool = True,
    config_text: str | None = None,
    kernel_lines: str = "",
    notebook: str = NOTEBOOK,
) -> dict[str, str]:
    """The environment of a kernel of a user who ran `sparkconnect enable [--prestart]`, with
    `config_text` as their sparkconnect config file (none when None) and `kernel_lines` added
    to their kernel config."""
    ipython_dir = tmp_path / "ipython"
    kernel_config = ipython_dir / "profile_default" / autoload.CONFIG_NAME
    if not kernel_config.exists():
        autoload.enable(kernel_config, prestart=prestart_option)
        if kernel_lines:
            kernel_config.write_text(kernel_config.read_text() + kernel_lines)
    config = tmp_path / "sparkconnect.toml"
    if config_text is not None:
        config.write_text(config_text)
    return {
        "SPARKCONNECT_HOME": str(home),
        "IPYTHONDIR": str(ipython_dir),
        "SPARKCONNECT_CONFIG": str(config),
        "JPY_SESSION_NAME": notebook,
    }


def helper_log(home: Path) -> str:
    try:
        return (home / prestart.LOG_NAME).read_text()
    except FileNotFoundError:
        return ""


def helpers_of(home: Path) -> list[int]:
    """Pre-start helpers running for `home` (named in their environment, not their argv)."""
    found = []
    for pid in processes_naming(prestart.MODULE):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if f"SPARKCONNECT_HOME={home}".encode() in environ:
            found.append(pid)
    return found


def warm_up_jobs(home: Path) -> list[Job]:
    """The server's jobs tagged by the warm-up; none while its UI does not answer yet."""
    try:
        listed = jobs(home)
    except OSError:
        return []
    return [job for job in listed if any(tag.endswith(f"_Tag_{TAG}") for tag in job.tags)]


def state(home: Path) -> str:
    return _core.status(str(home)).state


def test_kernel_start_pre_starts_the_server_with_no_lease_until_spark_is_used(
    home: Path, tmp_path: Path
) -> None:
    env = kernel_env(home, tmp_path)
    kernel = Kernel(env)
    second = None
    try:
        wait_until(lambda: state(home) == "running", 120, "the pre-started server runs")
        info = server(home)
        assert info.launched_by == PRESTARTED
        wait_until(lambda: "pre-started the server" in helper_log(home), 30, "the helper is done")
        assert _core.status(str(home)).attached == [], "nobody used `spark`: no lease"

        # The kernel warms the server it pre-started up, as after a launch of its own.
        wait_until(lambda: warm_up_jobs(home), 90, "the warm-up's jobs ran")

        terminal = cli("status", home=home)
        assert "pre-started by notebook analysis.ipynb" in terminal.stdout, terminal.stdout
        card = kernel.run("%spark status")
        assert card.status == "ok", card.text
        assert "pre-started by notebook analysis.ipynb" in card.text, card.text
        assert _core.status(str(home)).attached == [], "a status is no use of `spark`"

        used = kernel.run("print(spark.range(3).count())")
        assert used.status == "ok", used.text
        assert "3" in used.text and LAUNCH_LINE not in used.text, used.text
        assert _core.status(str(home)).attached == [kernel.pid]
        assert java_servers_of(home) == [info.pid]

        # Another notebook opened now finds the server running: its kernel launches nothing.
        before = helper_log(home)
        second = Kernel({**env, "JPY_SESSION_NAME": "other.ipynb"})
        time.sleep(SETTLE)
        assert helper_log(home) == before
        assert java_servers_of(home) == [info.pid]
        assert server(home).launched_by == PRESTARTED
    finally:
        kernel.shutdown()
        if second is not None:
            second.shutdown()


def test_first_spark_while_the_pre_start_runs_waits_for_it(home: Path, tmp_path: Path) -> None:
    kernel = Kernel(kernel_env(home, tmp_path))
    try:
        wait_until(lambda: state(home) == "starting", 60, "the pre-start is launching")
        used = kernel.run("print(spark.range(3).count())")
        assert used.status == "ok", used.text
        assert "3" in used.text and LAUNCH_LINE not in used.text, used.text
        info = server(home)
        assert info.launched_by == PRESTARTED, "the kernel waited instead of launching"
        assert java_servers_of(home) == [info.pid]
        assert _core.status(str(home)).attached == [kernel.pid]
    finally:
        kernel.shutdown()


def test_kernels_started_together_make_one_server(home: Path, tmp_path: Path) -> None:
    env = kernel_env(home, tmp_path)
    count = 3
    with ThreadPoolExecutor(count) as pool:
        kernels = list(
            pool.map(lambda n: Kernel({**env, "JPY_SESSION_NAME": f"n{n}.ipynb"}), range(count))
        )
    try:
        # Each kernel that found no server running started a helper; all but one found the
        # server under the lock and launched nothing.
        wait_until(lambda: state(home) == "running", 120, "the pre-started server runs")
        wait_until(lambda: not helpers_of(home), 60, "every helper is done")
        text = helper_log(home)
        assert text.count("pre-started the server") == 1, text
        assert "ERROR" not in text, text
        assert len(java_servers_of(home)) == 1
        assert _core.status(str(home)).attached == []
    finally:
        for kernel in kernels:
            kernel.shutdown()


def test_a_pre_started_server_nobody_uses_stops_after_its_idle_timeout(
    home: Path, tmp_path: Path
) -> None:
    kernel = Kernel(kernel_env(home, tmp_path, kernel_lines="c.SparkConnect.idle_timeout = 3\n"))
    try:
        wait_until(lambda: state(home) == "running", 120, "the pre-started server runs")
        assert server(home).idle_timeout == 3
        wait_until(lambda: state(home) == "stopped", 120, "the unused server stops by itself")
        wait_until(lambda: not java_servers_of(home), 30, "its JVM is gone")
        assert kernel.run("1").status == "ok", "the kernel is untouched"
    finally:
        kernel.shutdown()


def test_a_bad_setting_is_one_line_and_launches_nothing(home: Path, tmp_path: Path) -> None:
    env = kernel_env(home, tmp_path, prestart_option=False, config_text='prestart = "yes"\n')
    kernel = Kernel(env)
    try:
        first = kernel.run("print('cell ran')")
        assert first.status == "ok", first.text
        lines = first.text.splitlines()
        said = [line for line in lines if line.startswith("sparkconnect:")]
        assert len(said) == 1, first.text
        assert (
            "no server pre-started" in said[0]
            and "line 1: prestart must be true or false" in said[0]
        )
        assert env["SPARKCONNECT_CONFIG"] in said[0]
        assert "cell ran" in lines
        again = kernel.run("print('again')")
        assert "sparkconnect:" not in again.text, "said once"
        assert state(home) == "stopped" and not java_servers_of(home)
        assert helper_log(home) == ""
    finally:
        kernel.shutdown()


@pytest.mark.parametrize(
    ("option", "config_text"),
    [
        (False, None),  # `enable` without --prestart, no config file
        (False, "prestart = false\n"),
        (None, "prestart = true\n"),  # the file asks, the kernel option says no
    ],
)
def test_with_pre_start_off_nothing_launches(
    home: Path, tmp_path: Path, option: bool | None, config_text: str | None
) -> None:
    lines = "c.SparkConnect.prestart = False\n" if option is None else ""
    env = kernel_env(
        home, tmp_path, prestart_option=False, config_text=config_text, kernel_lines=lines
    )
    kernel = Kernel(env)
    try:
        time.sleep(SETTLE)
        assert state(home) == "stopped" and not java_servers_of(home)
        assert helper_log(home) == ""
        assert kernel.run("print(type(spark).__name__)").text.strip() == "LazySpark"
    finally:
        kernel.shutdown()
