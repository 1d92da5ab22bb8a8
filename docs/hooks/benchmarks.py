"""Fills the benchmarks page from `bench/results/latest.*` when the site is built, so the page
shows the figures of the last full `make bench` run and cannot drift from them.

The page (docs/benchmarks.md) holds the prose; these markers in it are replaced:

- `<!-- bench:run -->`: which run the figures come from (its time-stamped file, pyspark, Java);
- `<!-- bench:chart -->`: the run's chart, copied into the site;
- `<!-- bench:tables -->`: the comparison and figures tables with their notes, as `bench.run`
  wrote them to latest.md;
- `<!-- bench:machine -->`: the machine list of latest.md.

A missing results file, a result that is not a full run, or a marker missing from the page
stops the build with one message saying what to do.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

PAGE = "benchmarks.md"
CHART_IN_SITE = "bench-results/latest.png"
MACHINE_HEADING = "\nMachine:\n"
MARKERS = ("run", "chart", "tables", "machine")


def _results(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).parent / "bench" / "results"


def _latest(config: MkDocsConfig, suffix: str) -> Path:
    path = _results(config) / f"latest.{suffix}"
    if not path.is_file():
        raise PluginError(
            f"The benchmarks page is generated from bench/results/latest.{{md,json,png}}, and "
            f"{path.name} is missing. A full benchmark run writes them (`make bench`); "
            f"or restore them from git (`git checkout -- bench/results/`)."
        )
    return path


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """The chart goes into the site beside the page (it lives in bench/, outside docs/)."""
    chart = _latest(config, "png")
    files.append(File.generated(config, CHART_IN_SITE, abs_src_path=str(chart)))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    for name in MARKERS:
        if markdown.count(_marker(name)) != 1:
            raise PluginError(
                f"docs/{PAGE} must hold the marker {_marker(name)} exactly once: "
                f"docs/hooks/benchmarks.py replaces it with the latest benchmark results."
            )
    data = json.loads(_latest(config, "json").read_text())
    if data.get("mode") != "full":
        raise PluginError(
            f"bench/results/latest.json is from a {data.get('mode')!r} run; only a full run "
            f"(`make bench`) should be on the benchmarks page."
        )
    tables, machine = _split(_latest(config, "md").read_text())
    filled = {
        "run": _which_run(config, data),
        "chart": f"![sparkconnect next to the alternatives: medians of the latest run]"
        f"({CHART_IN_SITE})",
        "tables": tables,
        "machine": machine,
    }
    for name, text in filled.items():
        markdown = markdown.replace(_marker(name), text.strip())
    return markdown


def _marker(name: str) -> str:
    return f"<!-- bench:{name} -->"


def _split(latest_md: str) -> tuple[str, str]:
    """latest.md without its title, cut into the tables (with their notes) and the machine."""
    title, _, body = latest_md.partition("\n")
    if not title.startswith("# ") or MACHINE_HEADING not in body:
        raise PluginError(
            "bench/results/latest.md is not laid out as bench/stats.py writes it (a title line, "
            "the tables, then 'Machine:'): update docs/hooks/benchmarks.py with it."
        )
    tables, _, machine = body.partition(MACHINE_HEADING)
    return tables, machine


def _which_run(config: MkDocsConfig, data: dict[str, Any]) -> str:
    """A sentence naming the run: its time-stamped copy (latest.json is written with it, byte for
    byte), and the versions it ran on."""
    latest = _latest(config, "json").read_bytes()
    stamped = sorted(
        path.with_suffix(".md").name
        for path in _results(config).glob("2*.json")
        if path.read_bytes() == latest
    )
    source = f"`bench/results/{stamped[-1]}`" if stamped else "`bench/results/latest.md`"
    machine = data.get("machine", {})
    parts = [
        f"pyspark {machine['pyspark']}" if "pyspark" in machine else None,
        _java(str(machine.get("java", ""))),
        f"{machine['cores']} cores" if "cores" in machine else None,
    ]
    on = ", ".join(part for part in parts if part)
    return f"The figures of the latest full run ({source}; {on})."


def _java(described: str) -> str | None:
    """`openjdk version "17.0.15" 2025-04-15` (as `java -version` says it) as `Java 17.0.15`."""
    version = re.search(r'"([^"]+)"', described)
    return f"Java {version.group(1)}" if version else described or None
