"""The wheel users install: built by `make wheel` (abi3, manylinux, checked by auditwheel),
installed into a fresh virtual environment with no Rust toolchain on PATH, enabled for that
environment (`sparkconnect enable --sys-prefix`), and a notebook without `%load_ext` run in a
kernel of that environment against a real server. The wheel carries the prebuilt JupyterLab
extension, which a JupyterLab of that environment finds enabled."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from drive.procfs import kill_processes_naming

pytestmark = pytest.mark.jvm

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = [
    "import sys; print('prefix', sys.prefix)",
    'spark.range(100).selectExpr("sum(id) AS total").collect()[0].total',
    # A script the notebook runs attaches through the installed start-up hook.
    '!{sys.executable} -c "from pyspark.sql import SparkSession as S; '
    "print('script', S.builder.getOrCreate().range(7).count())\"",
    "%spark status",
    "%spark stop",
]


def without_rust(path: str) -> str:
    """PATH without the directories that hold cargo or rustc."""
    kept = [
        entry
        for entry in path.split(os.pathsep)
        if entry and not any((Path(entry) / tool).exists() for tool in ("cargo", "rustc"))
    ]
    return os.pathsep.join(kept)


def run(argv: list[str | Path], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, f"{argv}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel() -> Path:
    built = run(["make", "wheel"], dict(os.environ), ROOT)
    assert "is consistent with the following platform tag" in " ".join(built.split()), built
    (path,) = ROOT.glob("dist/sparkconnect-*.whl")
    return path


def test_the_wheel_installs_without_rust_and_runs_a_notebook(
    wheel: Path, home: Path, tmp_path: Path
) -> None:
    assert "-abi3-" in wheel.name and "manylinux" in wheel.name, wheel.name
    # The lab extension, built and committed (maturin runs no npm), as shared data.
    names = zipfile.ZipFile(wheel).namelist()
    extension = re.compile(
        r"sparkconnect-[^/]+\.data/data/share/jupyter/labextensions/sparkconnect-lab/package\.json"
    )
    assert any(extension.fullmatch(name) for name in names), names
    # The start-up hook that gives scripts the notebook server's token, for that server only,
    # and the post-import hook it shares with the package.
    hooks = re.compile(
        r"sparkconnect-[^/]+\.data/purelib/_sparkconnect_(token_scope\.pth|token_scope\.py|import_hook\.py)"
    )
    assert len([name for name in names if hooks.fullmatch(name)]) == 3, names
    venv = tmp_path / "venv"
    path = f"{venv / 'bin'}{os.pathsep}{without_rust(os.environ['PATH'])}"
    assert shutil.which("cargo", path=path) is None and shutil.which("rustc", path=path) is None
    cache = tmp_path / "cache"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "JUPYTER_PATH")
    }
    env.update(PATH=path, SPARKCONNECT_HOME=str(home), XDG_CACHE_HOME=str(cache))
    try:
        run([sys.executable, "-m", "venv", venv], env, tmp_path)
        python = venv / "bin" / "python"
        # The dependencies come from the package index, or pip's cache when it has them.
        run(
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                wheel,
                "ipykernel",
                "nbclient",
                "jupyterlab",
            ],
            env,
            tmp_path,
        )
        where = run(
            [python, "-c", "import sparkconnect._core as c; print(c.__file__)"], env, tmp_path
        )
        assert where.startswith(str(venv)), where
        assert (venv / "share/jupyter/labextensions/sparkconnect-lab/package.json").exists()
        listed = subprocess.run(
            [venv / "bin" / "jupyter", "labextension", "list"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        found = re.search(r"sparkconnect-lab v\S+ (\S+)", listed.stdout + listed.stderr)
        assert found and "enabled" in found.group(1), listed.stdout + listed.stderr
        run([venv / "bin" / "sparkconnect", "enable", "--sys-prefix"], env, tmp_path)
        assert (venv / "etc" / "ipython" / "ipython_kernel_config.py").exists()

        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in NOTEBOOK]
        nbformat.write(notebook, tmp_path / "check.ipynb")
        shown = run([python, ROOT / "examples" / "run_notebook.py", "check.ipynb"], env, tmp_path)
    finally:
        kill_processes_naming(str(cache))  # a start-up archive builder of this new Spark
    assert f"prefix {venv}" in shown, shown
    assert "4950" in shown, shown
    assert "script 7" in shown, shown
    assert "running" in shown, shown
