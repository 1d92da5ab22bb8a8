"""A real start with a site profile whose env_script exports a variable: the server process has
it in its environment, and the script's output is at the top of the server log; a notebook
attaching afterwards does not run the script again."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.server import site_config
from tests.support.helpers import run
from tests.support.processes import server

pytestmark = pytest.mark.jvm

SITE = """\
default_profile = "cluster"
idle_timeout = 600

[profiles.cluster]
description = "The department's cluster"
conf = { "spark.sql.shuffle.partitions" = 7 }
env_script = "cluster-env.sh"
"""
SCRIPT = """\
CLUSTER_TOKEN_FILE=/run/cluster/token-$RANDOM_SUFFIX
echo "hello from the site script"
echo "runs" >> ran.txt
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "site" / "config.toml"
    path.parent.mkdir()
    path.write_text(SITE)
    (path.parent / "cluster-env.sh").write_text(SCRIPT)
    monkeypatch.setenv(site_config.SITE_ENV, str(path))
    monkeypatch.setenv("SPARKCONNECT_CONFIG", str(tmp_path / "no-user-file.toml"))
    monkeypatch.setenv("RANDOM_SUFFIX", "42")
    return path


def test_site_profile_env_script_reaches_the_server_and_its_log(
    site: Path, home: Path, shell: InteractiveShell
) -> None:
    # (`site` first: the extension loads with the site file in place, for its idle timeout.)
    started = run(shell, "%spark start")  # no --profile: the site's default_profile
    assert started.error is None, started.shown
    assert "Profile" in started.texts[0] and "cluster (site)" in started.texts[0]
    info = server(home)
    environ = Path(f"/proc/{info.pid}/environ").read_bytes().split(b"\0")
    assert b"CLUSTER_TOKEN_FILE=/run/cluster/token-42" in environ
    assert info.conf["spark.sql.shuffle.partitions"] == "7"
    assert info.idle_timeout == 600

    logs = run(shell, "%spark logs --grep script").texts[0]
    assert "hello from the site script" in logs
    assert "ran the env_script" in logs and "site profile cluster" in logs
    head = Path(info.log_path).read_text().splitlines()[:3]
    assert head[0].startswith("sparkconnect: ran the env_script"), head

    # Attaching to the running server does not run the script again.
    assert run(shell, "%spark start").error is None
    assert (site.parent / "ran.txt").read_text() == "runs\n"
    assert spark_answers(shell)


def spark_answers(shell: InteractiveShell) -> bool:
    return shell.ev("spark.range(3).count()") == 3  # type: ignore[no-any-return]
