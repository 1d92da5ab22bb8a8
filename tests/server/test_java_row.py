"""The Java row of the status (terminal, notebook, panel): the version, where it is and why it
was chosen, in one short line for each way the core can choose it."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from sparkconnect.render.server_cards import java_text


def server(choice: str | None, version: str | None, java: str) -> Any:
    return SimpleNamespace(
        java=java, java_version=version, java_choice=choice, spark_version="4.3.0"
    )


@pytest.mark.parametrize(
    ("choice", "version", "java", "shown"),
    [
        ("java_home", "17.0.15", "/opt/jdk-17/bin/java", "17.0.15 (JAVA_HOME)"),
        ("profile", "21.0.7", "/opt/jdk-21/bin/java", "21.0.7 (the profile's JAVA_HOME)"),
        (
            "newest",
            "25.0.3",
            "/nonexistent/jvm/temurin-25/bin/java",
            "25.0.3 (/nonexistent/jvm/temurin-25), the newest installed that Spark 4.3.0 supports",
        ),
        ("path", None, "/usr/local/bin/java", "version unknown (/usr/local/bin/java, on PATH)"),
        # Recorded by a version that did not say: only the path is known.
        (None, None, "/usr/bin/java", "/usr/bin/java"),
    ],
)
def test_java_row(choice: str | None, version: str | None, java: str, shown: str) -> None:
    assert java_text(server(choice, version, java)) == shown
