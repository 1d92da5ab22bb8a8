"""Fast checks of the pieces behind classic-PySpark compatibility: which paths are resolved
against the notebook's folder, and what scripts inherit."""

from __future__ import annotations

import os

import pytest

from sparkconnect.server.remote import split_token
from sparkconnect.session import child_env
from sparkconnect.session.local_paths import resolve


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("data.csv", "/nb/data.csv"),
        ("sub/data.csv", "/nb/sub/data.csv"),
        ("./data/*.csv", "/nb/data/*.csv"),
        ("../shared/x.parquet", "/shared/x.parquet"),
        ("~/x.csv", "/nb/~/x.csv"),  # Spark does not expand ~, and neither did classic PySpark
        ("/abs/data.csv", "/abs/data.csv"),
        ("file:/abs/data.csv", "file:/abs/data.csv"),
        ("file:data.csv", "file:data.csv"),
        ("hdfs://nn:8020/user/me/x", "hdfs://nn:8020/user/me/x"),
        ("s3a://bucket/key", "s3a://bucket/key"),
        ("", ""),
    ],
)
def test_only_relative_local_paths_are_resolved(path: str, expected: str) -> None:
    assert resolve(path, "/nb") == expected


def test_scripts_inherit_the_url_and_the_token_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    pyspark_token = "SPARK_CONNECT_AUTHENTICATE_TOKEN"
    monkeypatch.setenv(child_env.REMOTE_ENV, "sc://users-own:15002")
    monkeypatch.delenv(child_env.CHILD_ENV, raising=False)
    monkeypatch.delenv(pyspark_token, raising=False)
    child_env.export("sc://localhost:4242/;token=s3cr3t")
    assert os.environ[child_env.REMOTE_ENV] == "sc://localhost:4242/"
    assert os.environ[child_env.CHILD_ENV] == "sc://localhost:4242/;token=s3cr3t"
    # Not in pyspark's own variable, which its client sends to any endpoint.
    assert pyspark_token not in os.environ
    child_env.export("sc://localhost:4343/;token=other")
    assert os.environ[child_env.CHILD_ENV] == "sc://localhost:4343/;token=other"
    child_env.withdraw()
    # The user's own values come back, and no token is left behind.
    assert os.environ[child_env.REMOTE_ENV] == "sc://users-own:15002"
    assert child_env.CHILD_ENV not in os.environ
    assert pyspark_token not in os.environ


def test_split_token_keeps_other_parameters() -> None:
    assert split_token("sc://h:1/;use_ssl=true;token=t;user_id=u") == (
        "sc://h:1/;use_ssl=true;user_id=u",
        "t",
    )
    assert split_token("sc://h:1") == ("sc://h:1", None)
