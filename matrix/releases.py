"""Which pyspark each supported release series stands for: its newest patch release on PyPI,
looked up at run time so that a new patch release is tested without anyone editing a list."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable
from typing import Any

from packaging.version import InvalidVersion, Version

SUPPORTED = ("4.0", "4.1", "4.2", "4.3")
"""The pyspark release series the package supports (pyproject.toml: pyspark>=4.0,<5)."""

PYPI_PROJECT = "https://pypi.org/pypi/pyspark/json"


class LookupFailed(Exception):
    """PyPI could not say which releases exist; the message is for the person running it."""


def pypi_releases(url: str = PYPI_PROJECT, timeout: float = 60) -> dict[str, Any]:
    """The `releases` mapping of PyPI's JSON API for pyspark: version -> its files."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            releases: dict[str, Any] = json.load(answer)["releases"]
            return releases
    except (OSError, ValueError, KeyError) as problem:
        raise LookupFailed(
            f"Could not ask PyPI which pyspark releases exist ({url}: {problem}). The matrix "
            "installs each series' newest patch release from PyPI, so it needs to reach it."
        ) from problem


def newest_patches(releases: dict[str, Any], series: Iterable[str]) -> dict[str, str | None]:
    """The newest final, not yanked release of each series ("4.1" -> "4.1.4"); None where PyPI
    has none. Pre-releases (4.2.0.dev5) and yanked releases are what users never get by
    default, so they are never picked."""
    newest: dict[str, Version | None] = dict.fromkeys(series)
    for text, files in releases.items():
        try:
            version = Version(text)
        except InvalidVersion:
            continue
        if version.is_prerelease or version.is_devrelease or not files:
            continue
        if all(entry.get("yanked", False) for entry in files):
            continue
        key = f"{version.major}.{version.minor}"
        if key not in newest:
            continue
        current = newest[key]
        if current is None or version > current:
            newest[key] = version
    return {key: None if found is None else str(found) for key, found in newest.items()}
