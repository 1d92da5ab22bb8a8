"""Run the benchmarks and write bench/results/<time>.{json,md} (and latest.*).

python -m bench.run            # full: several runs, 8 notebooks, a 1 GiB log
python -m bench.run --quick    # one run each, 2 notebooks, a small log: proves it works
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import tempfile
import time
from pathlib import Path

import sparkconnect

from .machine import describe
from .scenarios import ALL, Bench
from .stats import markdown

RESULTS = Path(__file__).parent / "results"


def compile_package() -> None:
    """Byte-compile the package as `pip install` of a wheel does: an editable install (and a
    PYTHONDONTWRITEBYTECODE environment) would otherwise make every kernel compile it afresh."""
    compileall.compile_dir(str(Path(sparkconnect.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--quick", action="store_true", help="one run each, small sizes")
    parser.add_argument("--only", action="append", help="run only these scenarios")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    compile_package()
    with tempfile.TemporaryDirectory(prefix="sparkconnect-bench-") as tmp:
        home, cache = Path(tmp) / "home", Path(tmp) / "cache"
        os.environ["SPARKCONNECT_HOME"] = str(home)
        os.environ["XDG_CACHE_HOME"] = str(cache)
        bench = Bench(
            home=home,
            cache=cache,
            runs=1 if args.quick else 5,
            notebooks=2 if args.quick else 8,
            log_bytes=(64 if args.quick else 1024) * 2**20,
        )
        figures = []
        try:
            for scenario in ALL:
                if args.only and scenario.__name__ not in args.only:
                    continue
                print(f"· {scenario.__name__} …", flush=True)
                figure = scenario(bench)
                figures.append(figure)
                print(f"  median {figure.median:.4g} {figure.unit}", flush=True)
        finally:
            bench.stop_server()
    machine = describe()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    table = markdown(figures, machine, mode)
    data = {"mode": mode, "machine": machine, "figures": [f.as_dict() for f in figures]}
    suffix = "" if mode == "full" else "-quick"
    for name in (f"{stamp}{suffix}", f"latest{suffix}"):
        (RESULTS / f"{name}.md").write_text(table)
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    print(table)


if __name__ == "__main__":
    main()
