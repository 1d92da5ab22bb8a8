"""The Lab's API over a home that cannot be used (writable by others): the sidebar gets the
core's one paragraph, as state, as an action's outcome and as a JSON error; never a traceback
or a bare 500. No JVM is started."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.jupyterlab import JupyterLab
from tests.support.lab_api import call


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[JupyterLab]:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o777)
    root = tmp_path / "notebooks"
    root.mkdir()
    server = JupyterLab(root, {"SPARKCONNECT_HOME": str(home)})
    yield server
    server.stop()


def test_an_unusable_home_is_explained_everywhere(lab: JupyterLab) -> None:
    status, answer, _ = call(lab, "state")
    assert status == 200
    assert answer["state"]["state"] == "unknown"
    assert "writable" in answer["state"]["problem"], answer["state"]["problem"]

    status, said, _ = call(lab, "action", {"name": "start"})
    assert status == 200 and not said["ok"] and "writable" in said["text"], said

    status, error, _ = call(lab, "conf")
    assert status == 409 and "writable" in error["message"], error
    assert "Traceback" not in error["message"]
