"""YARN and Kubernetes masters, which cannot run here: the server is launched for real against a
ResourceManager / API server address on loopback where nothing listens. Spark itself then shows
that it took our command line, properties and environment as a client-mode driver for that cluster
manager (it reaches for the address we configured), and the start fails cleanly."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drive.procfs import cmdline, java_servers_of
from sparkconnect import _core
from sparkconnect.errors import StartError
from sparkconnect.server import lifecycle

pytestmark = pytest.mark.jvm

CLOSED_PORT = 9  # discard: nothing listens on it here


@dataclass
class Launch:
    """What the server process looked like while it ran, and how the start ended."""

    argv: list[str] = field(default_factory=list)
    environ: dict[str, str] = field(default_factory=dict)
    properties: str = ""
    error: BaseException | None = None


def launch_and_watch(home: Path, conf: dict[str, str]) -> Launch:
    seen = Launch()

    def start() -> None:
        try:
            lifecycle.start(conf, timeout=90)
        except BaseException as err:  # handed to the test thread
            seen.error = err

    thread = threading.Thread(target=start)
    thread.start()
    while thread.is_alive() and not seen.argv:
        for pid in java_servers_of(home):
            if "org.apache.spark.launcher.Main" in cmdline(pid):
                continue  # spark-submit's short-lived command builder, not the server yet
            try:
                raw = Path(f"/proc/{pid}/environ").read_bytes()
                seen.properties = (home / "server.properties").read_text()
            except OSError:
                continue
            seen.environ = dict(
                item.decode().split("=", 1) for item in raw.split(b"\0") if b"=" in item
            )
            seen.argv = cmdline(pid)
        time.sleep(0.05)
    thread.join()
    return seen


def assert_failed_cleanly(home: Path, launch: Launch) -> str:
    assert isinstance(launch.error, StartError), launch.error
    assert not java_servers_of(home)
    assert _core.status(str(home)).state == "stopped"
    return Path(_core.status(str(home)).log_path).read_text()


def assert_launched_as_cluster_driver(launch: Launch, master: str) -> None:
    assert f"spark.master={master}" in launch.properties
    assert "org.apache.spark.sql.connect.service.SparkConnectServer" in launch.argv
    token = launch.environ["SPARK_CONNECT_AUTHENTICATE_TOKEN"]
    assert not any(token in arg for arg in launch.argv)
    # Executors on other hosts must reach the driver: no loopback-only binding for cluster masters.
    assert "SPARK_LOCAL_IP" not in launch.environ
    assert "spark.connect.grpc.binding.address=127.0.0.1" in launch.properties


def test_yarn_client_mode_driver(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hadoop_conf = tmp_path / "hadoop-conf"
    hadoop_conf.mkdir()
    (hadoop_conf / "yarn-site.xml").write_text(
        "<configuration>"
        "<property><name>yarn.resourcemanager.address</name>"
        f"<value>127.0.0.1:{CLOSED_PORT}</value></property>"
        "<property><name>yarn.resourcemanager.connect.max-wait.ms</name>"
        "<value>2000</value></property>"
        "</configuration>"
    )
    monkeypatch.setenv("HADOOP_CONF_DIR", str(hadoop_conf))
    launch = launch_and_watch(home, {"spark.master": "yarn", "spark.executor.instances": "2"})
    assert_launched_as_cluster_driver(launch, "yarn")
    assert launch.environ["HADOOP_CONF_DIR"] == str(hadoop_conf)
    assert "spark.executor.instances=2" in launch.properties
    log = assert_failed_cleanly(home, launch)
    assert "YarnClientSchedulerBackend" in log
    assert f"Connecting to ResourceManager at /127.0.0.1:{CLOSED_PORT}" in log


def test_kubernetes_client_mode_driver(home: Path) -> None:
    master = f"k8s://https://127.0.0.1:{CLOSED_PORT}"
    launch = launch_and_watch(
        home,
        {
            "spark.master": master,
            "spark.kubernetes.container.image": "registry.example.org/spark:4",
            "spark.driver.host": "127.0.0.1",
            "spark.executor.instances": "1",
        },
    )
    assert_launched_as_cluster_driver(launch, master)
    assert "spark.kubernetes.container.image=registry.example.org/spark:4" in launch.properties
    log = assert_failed_cleanly(home, launch)
    # Spark 4.0 logs its executor request; Spark 4.3 first sets up the executors' config map
    # on the API server and fails there. Either shows it acting as the Kubernetes driver.
    assert (
        "Going to request 1 executors from Kubernetes" in log
        or "KubernetesClusterSchedulerBackend.setUpExecutorConfigMap" in log
    )
    assert f"/127.0.0.1:{CLOSED_PORT}" in log
