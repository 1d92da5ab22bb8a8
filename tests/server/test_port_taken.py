"""The requested port is taken by a foreign process: refused before launching, with what to do
about that port; the foreign process keeps its port, nothing is started and the saved conf is
kept."""

from __future__ import annotations

import socket
from pathlib import Path

from IPython.core.interactiveshell import InteractiveShell

from drive.procfs import java_servers_of
from sparkconnect import StartError, _core
from tests.support.helpers import run
from tests.support.refusal import assert_refused


def test_a_port_in_use_is_refused(shell: InteractiveShell, home: Path) -> None:
    foreign = socket.socket()
    foreign.bind(("127.0.0.1", 0))
    foreign.listen()
    port = foreign.getsockname()[1]
    try:
        result = run(shell, f"%spark start --port {port} --conf spark.executor.memory=2g")
        assert_refused(result, StartError, f"Port {port} is already in use")
        assert isinstance(result.error, StartError) and result.error.cause == "port-in-use"
        # What to do is about the port, not the conf or the log.
        card = result.texts[0]
        assert f"Port {port} is taken: leave out --port to get a free one" in card
        assert "%spark conf" not in card and "%spark logs" not in card
        assert not java_servers_of(home)
        assert _core.status(str(home)).state == "stopped"
        assert _core.load_conf(str(home)) == {}
        # The foreign process still owns its port.
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            accepted, _ = foreign.accept()
            accepted.close()
    finally:
        foreign.close()
