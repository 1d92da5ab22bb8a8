"""Run the benchmarks and write bench/results/<time>.{json,md,png} (and latest.*).

python -m bench.run                 # full: several runs, 8 notebooks, a 1 GiB log
python -m bench.run --quick         # one run each, 2 notebooks, a small log: proves it works
python -m bench.run --only attach   # focused figures (repeatable); --cache DIR keeps the
                                    # start-up archive between such runs
python -m bench.run --only launch_steps --cache DIR   # a cold start cut into its steps
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sparkconnect
from drive.procfs import cmdline, processes_naming

from . import comparison, first_use, launch_steps, scenarios
from .chart import draw
from .harness import Bench
from .machine import describe, load_average
from .peers import stop_reuse_server
from .stats import Figure, markdown

RESULTS = Path(__file__).parent / "results"

ALL: list[Callable[[Bench], list[Figure]]] = [
    scenarios.load_ext,
    scenarios.first_cold_start,
    scenarios.archive_build,
    launch_steps.launch_steps,
    comparison.cold_start,
    comparison.attach,
    first_use.first_query_after_start,
    first_use.autoload,
    first_use.prestart,
    scenarios.readiness,
    scenarios.status,
    scenarios.logs_on_big_file,
    comparison.memory,
    scenarios.concurrent_start,
]


def compile_package() -> None:
    """Byte-compile the package as `pip install` of a wheel does: an editable install (and a
    PYTHONDONTWRITEBYTECODE environment) would otherwise make every kernel compile it afresh."""
    compileall.compile_dir(str(Path(sparkconnect.__file__).parent), quiet=1)


def show_what_the_server_left(bench: Bench) -> None:
    """A failed scenario's temporary directory goes with the run: print the end of the logs in
    it (server, watchdog, warm-up, pre-start) and what still runs there while they exist, so a
    failure in CI can be understood."""
    for path in sorted(bench.root.rglob("*.log")):
        lines = path.read_text(errors="replace").splitlines()
        print(f"--- {path.relative_to(bench.root)} (last {min(len(lines), 40)} lines)")
        print("\n".join(lines[-40:]), flush=True)
    for pid in processes_naming(str(bench.root)):
        print(f"--- still running: pid {pid}: {' '.join(cmdline(pid)[:4])} …", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run")
    parser.add_argument("--quick", action="store_true", help="one run each, small sizes")
    names = [scenario.__name__ for scenario in ALL]
    parser.add_argument("--only", action="append", choices=names, help="run only these")
    parser.add_argument("--cache", type=Path, help="start-up archive cache to keep and reuse")
    args = parser.parse_args()
    mode = "quick" if args.quick else "full"
    compile_package()
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="sparkconnect-bench-") as tmp:
        bench = Bench(
            root=Path(tmp),
            cache=args.cache.resolve() if args.cache else None,
            runs=1 if args.quick else 5,
            notebooks=2 if args.quick else 8,
            log_bytes=(64 if args.quick else 1024) * 2**20,
        )
        # Kernels inherit it; pyspark's reuse looks for its discovery file there too.
        os.environ.update(bench.env)
        figures: list[Figure] = []
        try:
            for scenario in ALL:
                if args.only and scenario.__name__ not in args.only:
                    continue
                print(f"· {scenario.__name__} …", flush=True)
                began = time.monotonic()
                for figure in scenario(bench):
                    figures.append(figure)
                    print(f"  {figure.name}: median {figure.median:.4g} {figure.unit}", flush=True)
                # Where a run's time goes (CI runs the quick pass in every `make test`).
                print(f"  ({time.monotonic() - began:.0f} s)", flush=True)
        except Exception:
            show_what_the_server_left(bench)
            raise
        finally:
            bench.stop_server()
            stop_reuse_server()
    machine = {**describe(), "load average (1, 5, 15 min) before": load_before}
    machine["load average (1, 5, 15 min) after"] = load_average()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    table = markdown(figures, bench.peers, bench.notebooks, machine, mode)
    data = {
        "mode": mode,
        "machine": machine,
        "figures": [f.as_dict() for f in figures],
        "peers": {key: vars(peer) for key, peer in bench.peers.items()},
    }
    # Only a whole run replaces latest.* (the docs' benchmarks page); focused runs and quick ones
    # keep their own (and stay out of git).
    suffix = "-quick" if args.quick else "-focused" if args.only else ""
    title = f"sparkconnect vs alternatives ({mode} mode, {machine['cores']} cores, {stamp})"
    for name in (f"{stamp}{suffix}", f"latest{suffix}"):
        (RESULTS / f"{name}.md").write_text(table)
        (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
        if draw(bench.peers, bench.notebooks, title, RESULTS / f"{name}.png"):
            print(f"chart: {RESULTS / f'{name}.png'}")
    print(table)


if __name__ == "__main__":
    main()
