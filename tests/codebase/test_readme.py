"""The README stays a first screen: short, naming CI's test command, its links leading somewhere.

Everything else lives in the docs site, whose own links `make docs` checks in strict mode; the
README is outside the site, so its links into it are checked here. Needs no build and no JVM.
"""

from __future__ import annotations

import re
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
README = CHECKOUT / "README.md"
MAX_LINES = 150

_LINK = re.compile(r"\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6} (.+?)\s*$", re.MULTILINE)


def slug(heading: str) -> str:
    """A heading's anchor as the site makes it (Python-Markdown's toc: lowercase, code marks and
    punctuation dropped, spaces as hyphens)."""
    text = re.sub(r"[^\w\s-]", "", heading.replace("`", "")).strip().lower()
    return re.sub(r"[-\s]+", "-", text)


def test_the_readme_fits_a_first_screen_and_a_bit() -> None:
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_LINES, f"README.md has {len(lines)} lines; move detail to docs/"


def test_the_readme_names_the_test_command_ci_runs() -> None:
    # .ci/run runs the README's test command: they must stay the same command.
    assert "make test" in (CHECKOUT / ".ci" / "run").read_text()
    assert re.search(r"\bmake test\b(?!-)", README.read_text()), "README.md lost `make test`"


def test_install_and_first_use_come_before_anything_else() -> None:
    headings = _HEADING.findall(README.read_text())
    assert headings[1:3] == ["Install", "First use"], headings


def test_every_relative_link_leads_to_a_file_and_its_anchor() -> None:
    broken = []
    for target in _LINK.findall(README.read_text()):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        file = CHECKOUT / path
        if not file.is_file():
            broken.append(f"{target}: no file {path}")
        elif anchor and anchor not in {slug(h) for h in _HEADING.findall(file.read_text())}:
            broken.append(f"{target}: {path} has no heading with the anchor #{anchor}")
    assert not broken, "\n".join(broken)


def test_the_slug_is_the_sites() -> None:
    assert slug("The Rust core, and what it does without") == (
        "the-rust-core-and-what-it-does-without"
    )
    assert slug("Does not run: Spark Connect has no `SparkContext`") == (
        "does-not-run-spark-connect-has-no-sparkcontext"
    )
