"""The site configuration without a JVM: where it is found, what it holds, how its layers merge
with the user's, locked keys refused at every entry point, a user profile that takes a site
profile's name, and malformed files reported with their file and line everywhere."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import _core
from sparkconnect.errors import ProfileError
from sparkconnect.render import conf_editor
from sparkconnect.server import conf_rows, lifecycle, site_config
from sparkconnect.session.start_defaults import START_DEFAULTS
from sparkconnect.web import conf as web_conf
from tests.support.helpers import cli, run

SITE = """\
default_profile = "cluster"
master = "local[3]"
idle_timeout = 1800
locked = ["spark.driver.memory"]

[conf]
"spark.sql.shuffle.partitions" = 64
"spark.driver.memory" = "2g"

[profiles.cluster]
description = "The department's cluster"
conf = { "spark.executor.memory" = "4g" }
env = { HADOOP_CONF_DIR = "/etc/hadoop/conf" }

[profiles.scripted]
env_script = "setup.sh"
"""

USER = """\
[profiles.mine]
conf = { "spark.executor.cores" = 2 }
"""


@pytest.fixture
def user_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "user.toml"
    path.write_text(USER)
    monkeypatch.setenv("SPARKCONNECT_CONFIG", str(path))
    return path


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, user_file: Path) -> Path:
    path = tmp_path / "site" / "config.toml"
    path.parent.mkdir()
    path.write_text(SITE)
    (path.parent / "setup.sh").write_text("export FROM_SCRIPT=yes\necho set up\n")
    monkeypatch.setenv(site_config.SITE_ENV, str(path))
    return path


@pytest.fixture(autouse=True)
def forget_profile() -> object:
    yield
    START_DEFAULTS.forget_profile()


# Discovery ------------------------------------------------------------------------------------
def test_the_first_existing_file_wins_env_then_prefix_then_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path / "venv"
    local, system = tmp_path / "usr-local-etc.toml", tmp_path / "etc.toml"
    monkeypatch.setattr(sys, "prefix", str(prefix))
    monkeypatch.setattr(site_config, "SYSTEM_PATHS", (local, system))
    explicit = tmp_path / "explicit.toml"
    monkeypatch.setenv(site_config.SITE_ENV, str(explicit))
    in_prefix = prefix / "etc" / "sparkconnect" / "config.toml"
    assert site_config.candidates() == [explicit, in_prefix, local, system]
    assert site_config.site_path() is None
    assert site_config.load() == site_config.Site()
    for path in (system, local, in_prefix, explicit):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'default_profile = ""\n# {path.name}\n')
        # Each file found earlier in the order replaces the later ones (they are not merged).
        assert site_config.site_path() == path
    monkeypatch.delenv(site_config.SITE_ENV)
    assert site_config.candidates()[0] == in_prefix


# What it holds --------------------------------------------------------------------------------
def test_site_file_is_read_with_its_profiles_defaults_and_locks(site: Path) -> None:
    found = site_config.load()
    assert found.path == site
    assert found.default_profile == "cluster"
    assert found.idle_timeout == 1800.0
    assert found.locked == ("spark.driver.memory",)
    assert found.conf == {
        "spark.sql.shuffle.partitions": "64",
        "spark.driver.memory": "2g",
        "spark.master": "local[3]",
    }
    cluster = found.profiles["cluster"]
    assert cluster.origin == "site" and cluster.label == "site profile cluster"
    assert cluster.env == {"HADOOP_CONF_DIR": "/etc/hadoop/conf"}
    # A relative env_script is the file next to the site file.
    assert found.profiles["scripted"].env_script == str(site.parent / "setup.sh")
    assert f"{site}, line 4" in found.lock_owners()["spark.driver.memory"]
    assert lifecycle.default_idle_timeout() == 1800.0


def test_layers_name_where_each_value_comes_from(site: Path, home: Path) -> None:
    _core.save_conf(str(home), {"spark.executor.memory": "8g"})
    plan = lifecycle.plan({"spark.sql.shuffle.partitions": "16"})
    # No profile named: the site's default_profile applies.
    assert plan.profile is not None and plan.profile.label == "site profile cluster"
    sources = plan.sources()
    assert sources["spark.master"] == ("local[3]", "site")
    assert sources["spark.driver.memory"] == ("2g", "site")
    assert sources["spark.sql.shuffle.partitions"] == ("16", "this command line")
    assert sources["spark.executor.memory"] == ("8g", "saved")
    assert plan.overridden()["spark.executor.memory"] == [("4g", "site profile cluster")]
    assert plan.overridden()["spark.sql.shuffle.partitions"] == [("64", "site")]
    mine = lifecycle.plan(profile="mine")
    assert mine.sources()["spark.executor.cores"] == ("2", "user profile mine")
    # A notebook's own default (its last profile or SparkConnect.default_profile) wins over the
    # site's default, and a named profile over both.
    assert lifecycle.plan(fallback="mine").profile.name == "mine"  # type: ignore[union-attr]
    named = lifecycle.plan(profile="scripted", fallback="mine").profile
    assert named is not None and named.name == "scripted"


def test_conf_card_shows_site_sources_and_locks(
    shell: InteractiveShell, home: Path, site: Path
) -> None:
    text = run(shell, "%spark conf").texts[0]
    assert "merge order: defaults < site < profile < saved < --conf" in text
    assert "local[3]  (site; overrides default: local[*])" in text
    assert "2g  (site; locked by the site)" in text
    assert "4g  (site profile cluster)" in text
    assert "HADOOP_CONF_DIR=/etc/hadoop/conf  (site profile cluster)" in text
    assert f"Site configuration: {site}" in text
    mine = run(shell, "%spark conf --profile mine").texts[0]
    assert "2  (user profile mine)" in mine


def test_profiles_card_lists_both_files_with_their_origin(
    shell: InteractiveShell, home: Path, site: Path, user_file: Path
) -> None:
    text = run(shell, "%spark profiles").texts[0]
    assert f"Profiles in {site} (site) and {user_file} (user)" in text
    assert "cluster (site, site default)" in text
    assert "The department's cluster: spark.executor.memory=4g" in text
    assert f"env_script {site.parent / 'setup.sh'}" in text
    assert "mine (user)" in text


def test_choosers_list_site_profiles_marked(site: Path, home: Path) -> None:
    choices = conf_editor.profile_choices()
    assert choices.error == "" and choices.default == "cluster"
    assert [p["label"] for p in choices.profiles] == [
        "cluster (site)",
        "scripted (site)",
        "mine",
    ]
    editor = web_conf.editor("")
    assert editor["profile"] == "cluster" and editor["profiles"] == choices.profiles


# Locks ------------------------------------------------------------------------------------------
def _says_locked(text: str, site: Path) -> None:
    assert "spark.driver.memory is locked by the site configuration" in text, text
    assert str(site) in text


def test_every_entry_point_refuses_a_locked_key(
    shell: InteractiveShell, home: Path, site: Path, user_file: Path
) -> None:
    # %spark conf K=V
    result = run(shell, "%spark conf spark.driver.memory=9g")
    assert isinstance(result.error, UsageError)
    _says_locked(str(result.error), site)
    # --conf on a start, and a user profile that sets it
    result = run(shell, "%spark start --conf spark.driver.memory=9g")
    assert isinstance(result.error, UsageError)
    _says_locked(str(result.error), site)
    user_file.write_text('[profiles.mine]\nconf = { "spark.driver.memory" = "9g" }\n')
    result = run(shell, "%spark start --profile mine")
    assert isinstance(result.error, UsageError)
    _says_locked(str(result.error), site)
    assert "your profile mine" in str(result.error)
    # sparkconnect conf K=V, sparkconnect start --conf
    for args in (("conf", "spark.driver.memory=9g"), ("start", "--conf", "spark.driver.memory=1g")):
        done = cli(*args)
        assert done.returncode == 2, done.stderr
        _says_locked(done.stderr, site)
        assert "Traceback" not in done.stderr
    # The conf editors' rows (panel and sidebar): marked as typed, and not saved.
    rows = [{"key": "spark.driver.memory", "value": "9g", "scope": "server"}]
    check = conf_rows.check(conf_rows.parse(rows))[0]
    assert check.state == "invalid"
    _says_locked(check.message, site)
    saved = web_conf.save({"rows": rows, "profile": ""})
    assert saved["ok"] is False
    assert _core.load_conf(str(home)) == {}
    assert not java_servers_of(home)


def test_a_locked_key_saved_before_the_lock_refuses_starts_until_unset(
    shell: InteractiveShell, home: Path, site: Path
) -> None:
    _core.save_conf(str(home), {"spark.driver.memory": "9g"})
    shown = run(shell, "%spark conf").texts[0]
    assert "which the site configuration" in shown and "%spark conf --unset" in shown
    result = run(shell, "%spark start")
    assert isinstance(result.error, _core.ConfError)
    _says_locked(str(result.error), site)
    assert "%spark conf --unset spark.driver.memory" in str(result.error)
    assert not java_servers_of(home)
    assert run(shell, "%spark conf --unset spark.driver.memory").error is None
    assert _core.load_conf(str(home)) == {}


def test_a_user_profile_with_a_site_profiles_name_is_refused(
    shell: InteractiveShell, home: Path, site: Path, user_file: Path
) -> None:
    user_file.write_text('# mine\n[profiles.cluster]\nconf = { "spark.executor.memory" = "1g" }\n')
    for line in ("%spark profiles", "%spark start --profile cluster", "%spark conf"):
        result = run(shell, line)
        assert isinstance(result.error, UsageError), line
        message = str(result.error)
        assert "has the name of a profile of the site configuration" in message
        assert f"{user_file}, line 2" in message and f"{site}, line 10" in message
    assert "has the name" in conf_editor.profile_choices().error
    assert not java_servers_of(home)


# Bad files ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ('master = "x"\n[conf\n', 2, "is not valid TOML"),
        ('default_profile = "a"\nlockd = []\n', 2, "unknown key(s) lockd"),
        ("\nidle_timeout = -5\n", 2, "idle_timeout must be a number of seconds"),
        ('idle_timeout = "soon"\n', 1, "idle_timeout must be a number of seconds"),
        ('\n\nlocked = "spark.driver.memory"\n', 3, "locked must be a list of conf keys"),
        ("master = 3\n", 1, "master must be a string"),
        ('default_profile = "nope"\n', 1, "default_profile 'nope' is not a profile"),
        ('[conf]\n"spark.a" = 1\n"spark b" = 2\n', 3, "the key contains whitespace"),
        ("[profiles.x]\n\nconfs = {}\n", 3, "unknown key(s) confs"),
        ('[profiles.x]\nconf = { "spark.a" = [1, 2] }\n', 2, "must be a string, number or boolean"),
        ("[profiles.x]\nenv_script = 3\n", 2, "env_script must be the path of a shell script"),
        ('[profiles.x]\nenv_script = "missing.sh"\n', 2, "is not a file"),
        ('master = "a"\n[conf]\n"spark.master" = "b"\n', 1, "sets both `master` and conf"),
    ],
)
def test_bad_site_files_name_the_file_and_line(
    site: Path, text: str, line: int, expected: str
) -> None:
    site.write_text(text)
    with pytest.raises(ProfileError) as caught:
        site_config.load()
    message = str(caught.value)
    assert expected in message
    assert f"{site}, line {line}" in message


def test_a_bad_site_file_is_one_paragraph_everywhere(
    shell: InteractiveShell, home: Path, site: Path
) -> None:
    site.write_text('locked = ["spark.driver.memory"]\nidle_timeout = "soon"\n')
    where = f"{site}, line 2"
    for line in ("%spark start", "%spark conf", "%spark profiles"):
        result = run(shell, line)
        assert isinstance(result.error, UsageError), (line, result.shown)
        assert where in str(result.error)
    for args in (("start",), ("conf",)):
        done = cli(*args)
        assert done.returncode == 2 and where in done.stderr, done.stderr
        assert "Traceback" not in done.stderr
    # The panel and the sidebar show it where the profile is chosen.
    assert where in conf_editor.profile_choices().error
    assert where in web_conf.editor("")["profiles_error"]
    # Loading the extension and its options still work (the idle timeout falls back to ours).
    assert lifecycle.default_idle_timeout() == lifecycle.DEFAULT_IDLE_TIMEOUT
    assert not java_servers_of(home)


def test_site_idle_timeout_is_the_options_default(
    site: Path, home: Path, shell: InteractiveShell
) -> None:
    # (`site` first: the extension is loaded with the site file in place.)
    magics = shell.magics_manager.registry["SparkConnect"]
    assert magics.idle_timeout == 1800.0  # type: ignore[attr-defined]
    assert START_DEFAULTS.idle_timeout == 1800.0


# A failing env_script ---------------------------------------------------------------------------
def test_a_failing_env_script_fails_the_start_with_its_last_lines(
    shell: InteractiveShell, home: Path, site: Path
) -> None:
    script = site.parent / "setup.sh"
    script.write_text(
        textwrap.dedent(
            """\
            echo "contacting the cluster"
            echo "kinit: Cannot find KDC for realm EXAMPLE.ORG" >&2
            false
            """
        )
    )
    result = run(shell, "%spark start --profile scripted")
    assert isinstance(result.error, _core.StartError)
    assert result.error.cause == "env-script"  # type: ignore[attr-defined]
    card = result.texts[0]
    assert "Spark Connect server did not start" in card
    assert f"The env_script {script} of the site profile scripted exited with status 1" in card
    assert "kinit: Cannot find KDC for realm EXAMPLE.ORG" in card
    assert "contacting the cluster" in card
    assert f"The script belongs to the site profile scripted ({site})" in card
    assert "kinit: Cannot find KDC" in result.htmls[0]
    done = cli("start", "--profile", "scripted")
    assert done.returncode == 1
    assert "kinit: Cannot find KDC for realm EXAMPLE.ORG" in done.stderr
    assert "Traceback" not in done.stderr
    assert not java_servers_of(home)


def test_start_failure_points_at_the_file_a_value_comes_from(site: Path, home: Path) -> None:
    from sparkconnect.render.start_failure import StartFailure

    def fix_for(log_line: str, plan_profile: str | None = None) -> list[str]:
        failure = StartFailure(
            f"The server exited.\nLast lines of /h/server.log:\n    ERROR {log_line}",
            "exited",
            lifecycle.plan(profile=plan_profile),
        )
        return failure.steps()

    [step] = fix_for("bad size for spark.executor.memory")
    assert f"comes from the site profile cluster ({site}): ask its administrators" in step
    [step] = fix_for("cannot use spark.sql.shuffle.partitions=64")
    assert f"comes from the site configuration ({site}): ask its administrators" in step
    assert "conf spark.sql.shuffle.partitions=VALUE" in step
    # A locked key is not the user's to set: no such advice.
    [step] = fix_for("spark.driver.memory too small")
    assert "ask its administrators." in step and "your own conf" not in step
    [step] = fix_for("spark.executor.cores: no", "mine")
    assert f"comes from the user profile mine ({site.parent.parent / 'user.toml'})" in step
