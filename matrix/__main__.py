"""`python -m matrix [SERIES ...]`: see the package's docstring."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import environments, page, releases
from .compat_run import Outcome, run_subset

DIST = Path(__file__).resolve().parent.parent / "dist"


def the_wheel() -> Path:
    """The one wheel `make wheel` left in dist/."""
    found = sorted(DIST.glob("sparkconnect-*.whl"))
    if len(found) != 1:
        sys.exit(f"Expected one wheel in {DIST}, found {len(found)}: run `make wheel` first.")
    return found[0]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m matrix", description=__doc__)
    parser.add_argument(
        "series",
        nargs="*",
        help=f"release series to run, of {', '.join(releases.SUPPORTED)} (default: all; the "
        "docs page is written only then)",
    )
    parser.add_argument("--pytest", default="", help="more pytest arguments, e.g. '-x -k progress'")
    args = parser.parse_args()
    unknown = [s for s in args.series if s not in releases.SUPPORTED]
    if unknown:
        parser.error(
            f"{', '.join(unknown)}: not a supported series; these are "
            f"{', '.join(releases.SUPPORTED)}."
        )
    chosen = args.series or list(releases.SUPPORTED)
    began = time.monotonic()
    try:
        newest = releases.newest_patches(releases.pypi_releases(), chosen)
    except releases.LookupFailed as problem:
        print(problem, file=sys.stderr)
        return 2
    wheel = the_wheel()
    outcomes: list[Outcome] = []
    for series in chosen:
        version = newest[series]
        if version is None:
            outcomes.append(Outcome(series, f"{series} (none)", problem="not on PyPI"))
            continue
        outcome = Outcome(series, version)
        outcomes.append(outcome)
        print(f"\n=== pyspark {version} ===", flush=True)
        try:
            env = environments.prepare(series, version, wheel)
        except environments.SetupFailed as problem:
            outcome.problem = str(problem)
            continue
        run_subset(env, outcome, args.pytest.split())
    print(f"\n{page.table(outcomes)}{page.skips(outcomes)}")
    if args.series:
        print("(only some series ran: the docs page was left as it was)")
    else:
        page.write(outcomes)
        print(f"Written to {page.PAGE.relative_to(page.PAGE.parent.parent)}.")
    print(f"The whole run took {page.duration(time.monotonic() - began)}.")
    return 0 if all(o.green for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
