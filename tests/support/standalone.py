"""A real Spark standalone cluster on loopback: one Master and two Workers, from pyspark's jars."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

from sparkconnect.server import lifecycle

from .helpers import free_port


def get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


class StandaloneCluster:
    """Master and Workers, each `bin/spark-class` in its own process group, logs in `workdir`."""

    def __init__(self, workdir: Path, workers: int = 2) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.webui_port = free_port()
        self.processes: list[subprocess.Popen[bytes]] = []
        spark_class = str(Path(lifecycle.spark_home()) / "bin" / "spark-class")
        self._spawn(
            "master",
            [
                spark_class,
                "org.apache.spark.deploy.master.Master",
                *("--host", "127.0.0.1", "--port", str(self.port)),
                *("--webui-port", str(self.webui_port)),
            ],
        )
        for index in range(workers):
            self._spawn(
                f"worker{index}",
                [
                    spark_class,
                    "org.apache.spark.deploy.worker.Worker",
                    self.url,
                    *("--host", "127.0.0.1", "--cores", "1", "--memory", "1g"),
                    *("--webui-port", str(free_port()), "--work-dir", str(workdir / f"w{index}")),
                ],
            )
        self._wait_for_workers(workers)

    @property
    def url(self) -> str:
        return f"spark://127.0.0.1:{self.port}"

    def _spawn(self, name: str, argv: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_NO_DAEMONIZE": "1"}
        self.processes.append(
            subprocess.Popen(argv, stdout=log, stderr=log, env=env, start_new_session=True)
        )

    def _wait_for_workers(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state = get_json(f"http://127.0.0.1:{self.webui_port}/json/")
                if sum(w["state"] == "ALIVE" for w in state["workers"]) >= count:
                    return
            # ValueError: while the master's UI is starting, its root page can answer for
            # `/json/` (HTML) before the JSON handler is in place.
            except (OSError, ValueError):
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"standalone cluster did not get {count} workers; see {self.workdir}")

    def stop(self) -> None:
        for proc in self.processes:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
