"""The start-up hook of processes a notebook starts (wheel-data/purelib/_sparkconnect_token_scope):
installed in this environment, imported only when the notebook's variable is set, and then giving
pyspark the token for exactly the notebook's endpoint. Each case is a fresh Python process, as a
script the notebook runs would be; no server is needed (a channel connects lazily)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

from sparkconnect.session.child_env import CHILD_ENV

HOOK = "_sparkconnect_token_scope"
TOKENS = """\
import sys
from pyspark.sql.connect.client.core import DefaultChannelBuilder
print("hooked", {hook!r} in sys.modules)
for url in sys.argv[1:]:
    builder = DefaultChannelBuilder(url)
    print(url, builder.token, dict(builder.metadata()))
"""


def tokens(env: dict[str, str], *urls: str) -> dict[str, str]:
    """The token pyspark's client would send to each URL, in a process started with `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in (CHILD_ENV, "SPARK_CONNECT_AUTHENTICATE_TOKEN")
    }
    done = subprocess.run(
        [sys.executable, "-c", TOKENS.format(hook=HOOK), *urls],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    return {key: value.removesuffix(" {}") for key, value in lines.items()}


def test_the_hook_is_installed_beside_the_package() -> None:
    site = Path(sysconfig.get_path("purelib"))
    line = (site / f"{HOOK}.pth").read_text().strip()
    assert line.startswith("import ") and CHILD_ENV in line and HOOK in line
    assert (site / f"{HOOK}.py").is_file()


def test_without_the_variable_nothing_is_imported() -> None:
    found = tokens({}, "sc://localhost:4242/")
    assert found["hooked"] == "False"
    assert found["sc://localhost:4242/"] == "None"


def test_the_token_goes_to_exactly_the_notebook_endpoint() -> None:
    found = tokens(
        {CHILD_ENV: "sc://localhost:4242/;token=s3cr3t"},
        "sc://localhost:4242",
        "sc://localhost:4242/;user_id=me",
        "sc://localhost:4243/",
        "sc://127.0.0.1:4242/",
        "sc://elsewhere.example.org:4242/",
        "sc://localhost:4242/;token=its-own",
    )
    assert found["hooked"] == "True"
    # The token is the channel's credential, never one of its metadata entries.
    assert found["sc://localhost:4242"] == "s3cr3t"
    assert found["sc://localhost:4242/;user_id=me"] == "s3cr3t"
    assert found["sc://localhost:4243/"] == "None"
    assert found["sc://127.0.0.1:4242/"] == "None"
    assert found["sc://elsewhere.example.org:4242/"] == "None"
    assert found["sc://localhost:4242/;token=its-own"] == "its-own"


def test_pyspark_rules_stay_for_other_endpoints() -> None:
    # The user's own token variable still applies where ours does not.
    found = tokens(
        {
            CHILD_ENV: "sc://localhost:4242/;token=s3cr3t",
            "SPARK_CONNECT_AUTHENTICATE_TOKEN": "users-own",
        },
        "sc://localhost:4242/",
        "sc://localhost:4243/",
    )
    assert found["sc://localhost:4242/"] == "s3cr3t"
    assert found["sc://localhost:4243/"] == "users-own"


def test_a_value_that_is_no_url_leaves_pyspark_working() -> None:
    for value in ("", "garbage", "sc://localhost:4242/"):
        found = tokens({CHILD_ENV: value}, "sc://localhost:4242/")
        assert found["sc://localhost:4242/"] == "None", value
