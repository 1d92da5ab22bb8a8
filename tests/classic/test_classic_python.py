"""End to end: each notebook's Python UDFs run on that notebook's own interpreter.

The server is launched with a third interpreter as its default, one without pyspark: a UDF that
ran on it would fail. Kernel a runs the project's environment, kernel b a second one (a venv of
its own whose packages are the project's), found by Jupyter through a kernelspec as any other
environment's kernel would be.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel
from sparkconnect.server import lifecycle

pytestmark = pytest.mark.jvm

SHOW_INTERPRETERS = """\
import sys
from pyspark.sql.functions import udf

@udf("string")
def interpreter(_):
    import sys
    return sys.executable

def interpreters(frames):
    import sys
    import pandas as pd
    for _ in frames:
        yield pd.DataFrame({"exe": [sys.executable]})

print("kernel", sys.executable)
print("udf", spark.range(1).select(interpreter("id")).first()[0])
print("pandas", spark.range(1).mapInPandas(interpreters, "exe string").first()[0])
"""


def venv(path: Path, packages_of: str | None) -> Path:
    """A venv (no pip: fast); `packages_of` adds another environment's site-packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    if packages_of is not None:
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        # addsitedir (not a plain path line) so the project's own .pth files, the editable
        # sparkconnect among them, are read too.
        (Path(site) / "project.pth").write_text(f"import site; site.addsitedir({packages_of!r})\n")
    return python


@pytest.fixture
def interpreters(tmp_path: Path) -> dict[str, Path]:
    project_site = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "second": venv(tmp_path / "second", project_site),
        "server": venv(tmp_path / "bare", None),
    }


@pytest.fixture
def kernels(
    home: Path,
    tmp_path: Path,
    interpreters: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Kernel, Kernel]]:
    env = {"SPARKCONNECT_HOME": str(home)}
    a = Kernel(env)
    second = str(interpreters["second"])
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [second, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (second environment)",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    b = Kernel(env)
    monkeypatch.delenv("JUPYTER_PATH")
    yield a, b
    a.shutdown()
    b.shutdown()


def shown(kernel: Kernel, code: str) -> dict[str, str]:
    run = kernel.run(code)
    assert run.status == "ok", run.text
    found = {}
    for line in run.text.splitlines():
        label, _, value = line.partition(" ")
        if label in ("kernel", "udf", "pandas"):
            found[label] = value.strip()
    return found


def test_each_notebook_runs_its_udfs_on_its_own_python(
    kernels: tuple[Kernel, Kernel], interpreters: dict[str, Path]
) -> None:
    a, b = kernels
    server = lifecycle.start({}, env={"PYSPARK_PYTHON": str(interpreters["server"])}).server
    assert server.python == str(interpreters["server"])

    in_a = shown(a, "%load_ext sparkconnect\n" + SHOW_INTERPRETERS)
    in_b = shown(b, "%load_ext sparkconnect\n" + SHOW_INTERPRETERS)
    assert in_b["kernel"] == str(interpreters["second"])
    assert in_a["kernel"] != in_b["kernel"]
    for found in (in_a, in_b):
        assert found["udf"] == found["kernel"]
        assert found["pandas"] == found["kernel"]
