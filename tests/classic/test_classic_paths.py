"""End to end: relative paths mean each notebook's own folder, as with classic PySpark.

Two real kernels in different folders share one real server; each folder has its own `data.csv`
of a different size, so reading the other notebook's file (what the server would do on its own,
resolving against its working directory) shows up as a wrong count.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel
from sparkconnect import _core

pytestmark = pytest.mark.jvm


def csv_with_rows(folder: Path, rows: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["n"] + [str(i) for i in range(rows)]
    (folder / "data.csv").write_text("\n".join(lines) + "\n")


def ok(kernel: Kernel, code: str) -> str:
    run = kernel.run(code)
    assert run.status == "ok", run.text
    return run.text


@pytest.fixture
def folders(tmp_path: Path) -> dict[str, Path]:
    found = {"a": tmp_path / "nb" / "a", "b": tmp_path / "nb" / "b", "data": tmp_path / "data"}
    csv_with_rows(found["a"], 3)
    csv_with_rows(found["b"], 5)
    csv_with_rows(found["b"] / "sub", 7)
    return found


@pytest.fixture
def kernels(
    home: Path, folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Kernel, Kernel]]:
    # A kernel starts in the folder of its notebook (Jupyter starts it there): here the test
    # process's working directory at the time, which the kernel inherits.
    env = {"SPARKCONNECT_HOME": str(home), "XDG_DATA_HOME": str(folders["data"])}
    monkeypatch.chdir(folders["a"])
    a = Kernel(env)
    monkeypatch.chdir(folders["b"])
    b = Kernel(env)
    yield a, b
    a.shutdown()
    b.shutdown()


def count(kernel: Kernel, expression: str) -> int:
    text = ok(kernel, f"print('rows:', {expression}.count())")
    return int(text.split("rows:")[1].split()[0])


@pytest.mark.compat
def test_each_notebook_reads_and_writes_its_own_folder(
    kernels: tuple[Kernel, Kernel], folders: dict[str, Path], home: Path
) -> None:
    a, b = kernels
    a_dir, b_dir = folders["a"], folders["b"]
    # The server is launched from a's folder: before the fix, b read a's data.csv.
    ok(a, "%load_ext sparkconnect\n%spark start")
    ok(b, "%load_ext sparkconnect")
    assert count(b, 'spark.read.csv("data.csv", header=True)') == 5
    assert count(a, 'spark.read.csv("data.csv", header=True)') == 3
    # Asking the server how it qualifies paths left nothing in the user's log: no warning, no
    # FileNotFoundException stack about a probe file.
    log = (home / "server.log").read_text(errors="replace")
    assert "__sparkconnect_probe_" not in log and "FileNotFoundException" not in log
    by_option = 'spark.read.format("csv").option("header", True).option("path", "data.csv")'
    assert count(a, by_option + ".load()") == 3

    # Writers: next to each notebook.
    ok(a, 'spark.range(4).write.parquet("out_a")')
    ok(b, 'spark.range(2).write.mode("overwrite").csv("out_b")')
    assert (a_dir / "out_a" / "_SUCCESS").exists()
    assert (b_dir / "out_b" / "_SUCCESS").exists()
    ok(a, 'spark.range(3).write.option("path", "table_files").saveAsTable("external_a")')
    assert (a_dir / "table_files" / "_SUCCESS").exists()
    assert count(a, 'spark.table("external_a")') == 3

    # %cd moves what relative paths mean; a DataFrame made before keeps its files.
    ok(b, 'before = spark.read.csv("data.csv", header=True)\n%cd sub')
    assert count(b, 'spark.read.csv("data.csv", header=True)') == 7
    assert count(b, "before") == 5
    ok(b, 'spark.range(1).write.json("written_in_sub")')
    assert (b_dir / "sub" / "written_in_sub" / "_SUCCESS").exists()

    # Absolute paths and URIs are untouched.
    assert count(a, f'spark.read.csv("{b_dir / "data.csv"}", header=True)') == 5
    assert count(a, f'spark.read.csv("file:{b_dir / "sub" / "data.csv"}", header=True)') == 7

    # Streaming: the source, the sink and the checkpoint.
    csv_with_rows(a_dir / "stream_in", 4)
    ok(
        a,
        'query = (spark.readStream.schema("n INT").option("header", True).csv("stream_in")'
        '.writeStream.format("parquet").option("checkpointLocation", "checkpoint")'
        '.trigger(availableNow=True).start("stream_out"))\n'
        "query.awaitTermination()",
    )
    assert (a_dir / "checkpoint").is_dir()
    assert (a_dir / "stream_out" / "_spark_metadata").is_dir()
    assert count(a, 'spark.read.parquet("stream_out")') == 4

    # Nothing landed in the server's own working directory: a fixed per-user directory.
    server = _core.status(str(home)).server
    assert server is not None
    server_dir = folders["data"] / "sparkconnect"
    assert os.readlink(f"/proc/{server.pid}/cwd") == str(server_dir)
    assert sorted(p.name for p in server_dir.iterdir()) == ["spark-warehouse"]


def test_managed_tables_survive_a_restart_from_another_folder(
    kernels: tuple[Kernel, Kernel], folders: dict[str, Path]
) -> None:
    """With a persistent catalog (Hive's, as `enableHiveSupport()` asks for) both the tables'
    files (the warehouse) and their metastore (Derby's `metastore_db`, in the server's working
    directory) are in the fixed per-user directory, whichever folder launched the server."""
    a, b = kernels
    server_dir = folders["data"] / "sparkconnect"
    ok(a, "%load_ext sparkconnect\n%spark start --conf spark.sql.catalogImplementation=hive")
    ok(a, 'spark.range(6).write.saveAsTable("kept")')
    assert (server_dir / "spark-warehouse" / "kept").is_dir()
    assert (server_dir / "metastore_db").is_dir()
    assert str(server_dir / "spark-warehouse") in ok(a, "%spark status")
    assert not (folders["a"] / "spark-warehouse").exists()

    # The next server is launched from b's folder; the table is still there.
    # a is attached: the restart ends its session too, so it says --force.
    ok(b, "%load_ext sparkconnect\n%spark restart --force")
    assert count(b, 'spark.table("kept")') == 6
    assert not (folders["b"] / "spark-warehouse").exists()
    assert not (folders["b"] / "metastore_db").exists()
