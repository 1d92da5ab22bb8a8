"""`make test-matrix`'s own logic, without installing anything: which release stands for each
series, how a run's results are counted, and the page they make."""

from __future__ import annotations

from pathlib import Path

from matrix.compat_run import Outcome, java_versions, read_junit
from matrix.page import render
from matrix.releases import newest_patches

FILE = [{"filename": "pyspark.tar.gz", "yanked": False}]


def test_each_series_gets_its_newest_final_release() -> None:
    releases = {
        "4.0.4": FILE,
        "4.0.5": FILE,
        "4.0.10": FILE,  # numbers compare as numbers, not text
        "4.1.0.dev4": FILE,  # pre-releases are never what users get
        "4.1.0": FILE,
        "4.1.1rc1": FILE,
        "4.2.0": FILE,
        "4.2.1": [{"filename": "pyspark.tar.gz", "yanked": True}],
        "4.3.0": [],  # a release without files cannot be installed
        "3.5.9": FILE,
        "not-a-version": FILE,
    }
    assert newest_patches(releases, ["4.0", "4.1", "4.2", "4.3"]) == {
        "4.0": "4.0.10",
        "4.1": "4.1.0",
        "4.2": "4.2.0",
        "4.3": None,
    }


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="5">
<testcase classname="tests.test_a" name="test_ok" time="1.0" />
<testcase classname="tests.test_a" name="test_also_ok" time="1.0" />
<testcase classname="tests.test_b" name="test_broken" time="1.0">
  <failure message="x">x</failure></testcase>
<testcase classname="tests.test_b" name="test_fixture" time="1.0">
  <error message="y">y</error></testcase>
<testcase classname="tests.test_c" name="test_new" time="0.0">
  <skipped type="pytest.skip" message="needs pyspark 4.1">skip</skipped></testcase>
</testsuite></testsuites>
"""


def test_counts_and_skip_reasons_come_from_the_junit_report(tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    report.write_text(JUNIT)
    outcome = Outcome("4.0", "4.0.5")
    read_junit(report, outcome)
    assert (outcome.passed, outcome.failed, outcome.skipped) == (2, 2, 1)
    assert outcome.skips == [("tests.test_c.test_new", "needs pyspark 4.1")]
    assert not outcome.green


def test_the_java_is_what_the_servers_logged(tmp_path: Path) -> None:
    for name, java in (("a", "17.0.15"), ("b", "17.0.15+6-Debian-1deb12u1"), ("c", "21.0.2")):
        (tmp_path / name / "home").mkdir(parents=True)
        (tmp_path / name / "home" / "server.log").write_text(
            f"25/12/07 02:00:00 INFO SparkContext: Java version {java}\n"
        )
    assert java_versions(tmp_path) == ["17.0.15", "21.0.2"]


def test_the_page_has_a_title_a_row_per_release_and_the_skips() -> None:
    ok = Outcome("4.3", "4.3.0", passed=23, seconds=185.4, day="2026-12-07", java=["25.0.3"])
    old = Outcome("4.0", "4.0.5", passed=22, skipped=1, seconds=59, day="2026-12-07")
    old.skips = [("tests.test_c.test_new", "needs pyspark 4.1")]
    broken = Outcome("4.1", "4.1.4", problem="pytest stopped with exit status 2")
    text = render([old, broken, ok])
    assert text.startswith("# ") and "`make test-matrix`" in text
    assert "| 4.3.0 | 25.0.3 | 23 | 0 | 0 | 3 min 05 s | 2026-12-07 |" in text
    assert "| 4.0.5 | not logged | 22 | 0 | 1 | 59 s | 2026-12-07 |" in text
    assert "| 4.1.4 | not logged | 0 | 0 (pytest stopped with exit status 2) |" in text
    assert "- pyspark 4.0.5: `tests.test_c.test_new`: needs pyspark 4.1" in text
    assert ok.green and old.green and not broken.green
