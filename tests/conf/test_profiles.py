"""Profiles from the user's config file: format, errors, merge order, and `%spark conf`."""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.server import profiles, workdir
from tests.support.helpers import run

CONFIG = """\
[profiles.bigmem]
description = "Big driver"
conf = { "spark.driver.memory" = "8g", "spark.sql.shuffle.partitions" = 64 }
env = { HADOOP_CONF_DIR = "/etc/hadoop/conf", AWS_SECRET_ACCESS_KEY = "do-not-show" }

[profiles.dotted.conf]
spark.executor.memory = "4g"
spark.sql.adaptive.enabled = false
"""


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file where XDG_CONFIG_HOME says it is."""
    monkeypatch.delenv(profiles.CONFIG_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = tmp_path / "xdg" / "sparkconnect" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(CONFIG)
    return path


def test_config_path_follows_xdg_and_the_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(profiles.CONFIG_ENV, raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert profiles.config_path() == tmp_path / ".config" / "sparkconnect" / "config.toml"
    monkeypatch.setenv("XDG_CONFIG_HOME", "/somewhere")
    assert profiles.config_path() == Path("/somewhere/sparkconnect/config.toml")
    monkeypatch.setenv(profiles.CONFIG_ENV, str(tmp_path / "mine.toml"))
    assert profiles.config_path() == tmp_path / "mine.toml"


def test_profiles_are_read_with_values_as_strings(config: Path) -> None:
    found = profiles.load()
    assert sorted(found) == ["bigmem", "dotted"]
    big = found["bigmem"]
    assert big.description == "Big driver"
    assert big.conf == {"spark.driver.memory": "8g", "spark.sql.shuffle.partitions": "64"}
    assert big.env["HADOOP_CONF_DIR"] == "/etc/hadoop/conf"
    # Unquoted dotted keys are nested tables in TOML; they read as the conf key they spell.
    assert found["dotted"].conf == {
        "spark.executor.memory": "4g",
        "spark.sql.adaptive.enabled": "false",
    }


def test_merge_order_defaults_profile_saved_line(config: Path) -> None:
    plan = profiles.ConfPlan(
        profiles.get("bigmem"),
        saved={"spark.sql.shuffle.partitions": "8", "spark.master": "local[2]"},
        line={"spark.sql.shuffle.partitions": "16"},
    )
    sources = plan.sources()
    assert sources["spark.connect.progress.reportInterval"] == ("500ms", "default")
    assert sources["spark.master"] == ("local[2]", "saved")
    assert sources["spark.driver.memory"] == ("8g", "user profile bigmem")
    assert sources["spark.sql.shuffle.partitions"] == ("16", "this command line")
    # The core applies its own defaults; they are not part of the requested conf. Ours (where
    # managed tables go) are, under the user's.
    assert plan.requested() == {
        **workdir.defaults(),
        "spark.driver.memory": "8g",
        "spark.sql.shuffle.partitions": "16",
        "spark.master": "local[2]",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[profiles.x\n", "is not valid TOML"),
        ("[profiles.x]\nconfs = {}\n", "unknown key(s) confs"),
        ("[profiles.x]\nconf = 3\n", "conf must be a table"),
        ('[profiles.x]\nconf = { "spark.a" = [1, 2] }\n', "must be a string, number or boolean"),
        ('[profiles.x]\nconf = { "spark a" = "1" }\n', "the key contains whitespace"),
        ('[profiles.x]\nenv = { "1BAD" = "1" }\n', "is not an environment variable name"),
        ("profiles = 3\n", "must be a table of [profiles.NAME] tables"),
    ],
)
def test_malformed_files_say_what_is_wrong(config: Path, text: str, expected: str) -> None:
    config.write_text(text)
    with pytest.raises(profiles.ProfileError) as caught:
        profiles.load()
    assert expected in str(caught.value)
    assert str(config) in str(caught.value)


def test_unknown_profile_lists_the_known_ones(config: Path) -> None:
    with pytest.raises(profiles.ProfileError, match="it defines bigmem, dotted"):
        profiles.get("nope")
    config.unlink()
    with pytest.raises(profiles.ProfileError, match=r"\[profiles.nope\]"):
        profiles.get("nope")


def test_conf_shows_each_item_with_its_source(
    shell: InteractiveShell, home: Path, config: Path
) -> None:
    run(shell, "%spark conf spark.sql.shuffle.partitions=8")
    shown = run(shell, "%spark conf --profile bigmem")
    assert shown.error is None, shown.shown
    text = shown.texts[0]
    assert "merge order: defaults < site < profile < saved < --conf" in text
    assert "spark.driver.memory" in text and "8g  (user profile bigmem)" in text
    # The saved value wins, and the profile's value it hides is shown, not dropped.
    assert "8  (saved; overrides user profile bigmem: 64)" in text
    assert "local[*]  (default)" in text
    assert "HADOOP_CONF_DIR=/etc/hadoop/conf" in text
    # Secrets stay out of notebook outputs.
    assert "do-not-show" not in text and "do-not-show" not in shown.htmls[0]
    assert "AWS_SECRET_ACCESS_KEY=•••" in text


def test_conf_key_shows_that_item_alone(shell: InteractiveShell, home: Path, config: Path) -> None:
    run(shell, "%spark conf spark.sql.shuffle.partitions=8")
    shown = run(shell, "%spark conf spark.sql.shuffle.partitions spark.never.set --profile bigmem")
    assert shown.error is None, shown.shown
    rows = shown.texts[0].splitlines()[1:]
    assert len(rows) == 2, rows
    assert "spark.sql.shuffle.partitions" in rows[0]
    assert "8  (saved; overrides user profile bigmem: 64)" in rows[0]
    assert "spark.never.set" in rows[1] and "not set: Spark's default applies" in rows[1]
    # Showing changes nothing.
    assert _core.load_conf(str(home)) == {"spark.sql.shuffle.partitions": "8"}


def test_profiles_card_lists_profiles_or_explains_the_format(
    shell: InteractiveShell, home: Path, config: Path
) -> None:
    shown = run(shell, "%spark profiles").texts[0]
    assert f"Profiles in {config}" in shown
    assert "bigmem" in shown and "Big driver: spark.driver.memory=8g" in shown
    assert "$HADOOP_CONF_DIR=/etc/hadoop/conf" in shown
    config.unlink()
    missing = run(shell, "%spark profiles").texts[0]
    assert "does not exist" in missing and "[profiles.bigmem]" in missing


def test_a_bad_profile_is_a_usage_error_that_changes_nothing(
    shell: InteractiveShell, home: Path, config: Path
) -> None:
    run(shell, "%spark conf spark.sql.shuffle.partitions=8")
    for line in ("start --profile nope --conf spark.executor.memory=2g", "conf --profile nope"):
        result = run(shell, f"%spark {line}")
        assert isinstance(result.error, UsageError), result.shown
        assert "There is no profile 'nope'" in str(result.error)
    config.write_text("[profiles.broken\n")
    result = run(shell, "%spark start --profile broken")
    assert isinstance(result.error, UsageError) and "not valid TOML" in str(result.error)
    assert _core.load_conf(str(home)) == {"spark.sql.shuffle.partitions": "8"}
    assert not java_servers_of(home)


def test_default_profile_option(shell: InteractiveShell, home: Path, config: Path) -> None:
    run(shell, "%config SparkConnect.default_profile = 'dotted'")
    try:
        text = run(shell, "%spark conf").texts[0]
        assert "4g  (user profile dotted)" in text
    finally:
        from sparkconnect.session.start_defaults import START_DEFAULTS

        START_DEFAULTS.forget_profile()
