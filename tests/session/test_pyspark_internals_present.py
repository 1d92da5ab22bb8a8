"""Every private pyspark name listed in session/pyspark_internals.py exists in the installed
pyspark, and the package reaches those names nowhere else.

A rename in a new pyspark release shows here first, naming the name and the features it turns
off. Names set by `__init__` are looked up on instances made as the package makes them, to a port
nobody listens on: a client connects lazily, so nothing here needs a server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sparkconnect.session import pyspark_internals as internals
from sparkconnect.session.pyspark_internals import NEEDED_BY, Name

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    *sorted((ROOT / "python" / "sparkconnect").rglob("*.py")),
    *sorted((ROOT / "wheel-data" / "purelib").glob("*.py")),
]
REGISTRY = ROOT / "python" / "sparkconnect" / "session" / "pyspark_internals.py"
TOKEN_HOOK = ROOT / "wheel-data" / "purelib" / "_sparkconnect_token_scope.py"
"""Outside the package, and imports none of it (its docstring says why): it names its own."""


def release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version)[:2])


@pytest.fixture(scope="module")
def instances() -> Iterator[tuple[Any, ...]]:
    """One object of every class whose per-instance names are listed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_CONNECT_MODE_ENABLED", "1")
        from pyspark.sql import session as classic
        from pyspark.sql.connect.session import SparkSession

        session = SparkSession(connection="sc://localhost:1/;token=unused")
        made = (
            session,
            session.client,
            session.catalog,
            session.range(1),
            classic.SparkSession.Builder(),
            SparkSession.Builder(),
        )
        yield made
        session.release_session_on_close = False  # nothing to release: no server was reached
        session.stop()


@pytest.mark.compat
@pytest.mark.parametrize("name", list(NEEDED_BY), ids=str)
def test_the_installed_pyspark_has_it(name: Name, instances: tuple[Any, ...]) -> None:
    installed = internals.pyspark_version()
    if name.absent_before and release(installed) < release(name.absent_before):
        pytest.skip(f"pyspark {installed} predates {name.absent_before}, which brought {name}")
    if name.per_instance:
        owner = internals.owner_of(name, internals._module(name.module))
        assert any(isinstance(each, owner) for each in instances), f"no {owner} to look on"
    features = ", ".join(feature.key for feature in NEEDED_BY[name])
    assert internals._resolve(name, instances) is not internals._MISSING, (
        f"pyspark {installed} has no {name}: the features {features} need it"
    )


def test_each_feature_says_what_goes_missing_in_one_sentence() -> None:
    keys = [feature.key for feature in internals.FEATURES]
    assert len(keys) == len(set(keys)), "two features share a key"
    for feature in internals.FEATURES:
        assert feature.names, f"{feature.key} names nothing"
        assert "\n" not in feature.what and not feature.what.endswith(".")


def _private(name: Name) -> str | None:
    attribute = name.attribute
    return attribute if attribute.startswith("_") and not attribute.startswith("__") else None


@pytest.mark.parametrize("source", SOURCES, ids=lambda path: path.name)
def test_no_module_reaches_a_listed_private_name_itself(source: Path) -> None:
    if source in (REGISTRY, TOKEN_HOOK):
        return
    attributes = {attribute for name in NEEDED_BY if (attribute := _private(name))}
    # `self._session` and friends are the package's own attributes.
    listed = "|".join(map(re.escape, sorted(attributes)))
    pattern = re.compile(rf"""((?<!self)\.|["'])({listed})\b""")
    found = [
        f"{source.relative_to(ROOT)}:{number}: {line.strip()}"
        for number, line in enumerate(source.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, "reach these through session/pyspark_internals.py:\n" + "\n".join(found)
