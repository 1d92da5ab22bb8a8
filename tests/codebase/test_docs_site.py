"""`make docs` fails on what would rot the site: a broken link or anchor, a page left out of the
nav, benchmark results that are not there.

Each test builds a copy of the site (mkdocs.yml, docs/ and the benchmark results the benchmarks
page is filled from) with one thing broken, and checks that the strict build refuses it and says
what. Needs the `docs` extra (`make install`), no JVM; a build takes about a second.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of what the site is built from, in the checkout's layout."""
    shutil.copy(CHECKOUT / "mkdocs.yml", tmp_path)
    shutil.copytree(CHECKOUT / "docs", tmp_path / "docs")
    results = tmp_path / "bench" / "results"
    results.mkdir(parents=True)
    for path in (CHECKOUT / "bench" / "results").glob("latest.*"):
        shutil.copy(path, results)
    return tmp_path


def build(site: Path) -> subprocess.CompletedProcess[str]:
    # As `make docs` runs it: --strict, and not --quiet (which hides warnings from the count).
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(site / "mkdocs.yml")],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
    )


def refused(site: Path) -> str:
    result = build(site)
    assert result.returncode != 0, "the strict build passed:\n" + result.stderr
    return result.stderr


def test_the_site_builds_as_it_is(site: Path) -> None:
    result = build(site)
    assert result.returncode == 0, result.stderr
    page = (site / "site" / "benchmarks" / "index.html").read_text()
    assert "<!-- bench:" not in page, "a marker of the benchmarks page was left unfilled"
    assert "bench-results/latest.png" in page
    assert (site / "site" / "bench-results" / "latest.png").is_file()


def test_a_broken_link_fails_the_build(site: Path) -> None:
    with (site / "docs" / "install.md").open("a") as page:
        page.write("\nSee [the guide](no-such-page.md).\n")
    assert "no-such-page.md" in refused(site)


def test_a_broken_anchor_fails_the_build(site: Path) -> None:
    with (site / "docs" / "install.md").open("a") as page:
        page.write("\nSee [profiles](user-guide/profiles.md#no-such-heading).\n")
    assert "no-such-heading" in refused(site)


def test_a_page_left_out_of_the_nav_fails_the_build(site: Path) -> None:
    (site / "docs" / "stray.md").write_text("# A page nobody can reach\n")
    assert "stray.md" in refused(site)


def test_missing_benchmark_results_fail_the_build_saying_how_to_make_them(site: Path) -> None:
    (site / "bench" / "results" / "latest.json").unlink()
    message = refused(site)
    assert "latest.json is missing" in message
    assert "make bench" in message
