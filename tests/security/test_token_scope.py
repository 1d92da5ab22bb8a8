"""End to end: the token of the user's server goes to that server only.

A real kernel with the extension loaded and a session on a real server, and a stand-in endpoint
on loopback (someone else's, say) that records the gRPC metadata of every call it gets. Neither a
session typed in the notebook nor one in a script the notebook runs may hand it the token; the
scripts still attach to the notebook's server, and a script's error never prints the token."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from drive.kernels import Kernel, KernelRun
from sparkconnect import _core
from tests.support.fake_endpoint import FakeEndpoint, fake_endpoint

pytestmark = pytest.mark.jvm

# The session is stopped while the endpoint still runs: left behind in the kernel, its client
# would retry calls to the gone endpoint on gRPC threads, and a kernel that forks for the next
# `!python` while those threads are in gRPC can lose the child.
TO_THE_ENDPOINT = """\
import sys
from pyspark.sql import SparkSession
other = SparkSession.builder.remote(sys.argv[1]).{method}()
try:
    other.range(3).collect()
except Exception as err:
    print("refused:", type(err).__name__)
finally:
    other.stop()
"""


@pytest.fixture(scope="module")
def kernel(module_home: Path) -> Iterator[Kernel]:
    kernel = Kernel({"SPARKCONNECT_HOME": str(module_home)})
    started = kernel.run("%load_ext sparkconnect\n%spark start")
    assert started.status == "ok", started.text
    yield kernel
    kernel.shutdown()


@pytest.fixture
def server(module_home: Path, kernel: Kernel) -> _core.ServerInfo:
    info = _core.status(str(module_home)).server
    assert info is not None
    return info


@pytest.fixture
def fake() -> Iterator[FakeEndpoint]:
    with fake_endpoint() as endpoint:
        yield endpoint


def printed(run: KernelRun, token: str) -> str:
    """The cell's stream output as written (a line may come in several stream messages),
    checked for the token first: the assertions that show it then cannot print the token."""
    text = "".join(run.texts)
    assert token not in text, "the token was printed"
    assert run.status == "ok", text
    return text


def script(kernel: Kernel, tmp_path: Path, token: str, code: str, *args: str) -> str:
    """Run `code` as `!python job.py ARGS` from the notebook; what it printed (stderr too)."""
    job = tmp_path / "job.py"
    job.write_text(code)
    return printed(kernel.run(f"!{sys.executable} {job} {' '.join(args)}"), token)


def assert_no_token_reached(fake: FakeEndpoint, token: str) -> None:
    calls = fake.recorded()
    assert calls, "the client never reached the stand-in endpoint: nothing was checked"
    leaked = fake.carrying(token)
    assert not leaked, f"the token reached the stand-in endpoint: {leaked}"


def test_a_session_typed_in_the_notebook_gets_no_token(
    kernel: Kernel, server: _core.ServerInfo, fake: FakeEndpoint
) -> None:
    # `create()`: in a notebook, `getOrCreate()` returns the notebook's own session.
    run = kernel.run(TO_THE_ENDPOINT.replace("sys.argv[1]", repr(fake.url)).format(method="create"))
    shown = printed(run, server.token)
    assert "refused: SparkConnectGrpcException" in shown, shown
    assert_no_token_reached(fake, server.token)


def test_a_session_typed_in_a_script_gets_no_token(
    kernel: Kernel, server: _core.ServerInfo, fake: FakeEndpoint, tmp_path: Path
) -> None:
    shown = script(
        kernel, tmp_path, server.token, TO_THE_ENDPOINT.format(method="getOrCreate"), fake.url
    )
    assert "refused: SparkConnectGrpcException" in shown, shown
    assert_no_token_reached(fake, server.token)


@pytest.mark.parametrize(
    "get_session",
    [
        "from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()",
        "import sparkconnect\nspark = sparkconnect.session()",
    ],
    ids=["builder", "sparkconnect.session"],
)
def test_scripts_still_attach_to_the_notebook_server(
    kernel: Kernel, server: _core.ServerInfo, tmp_path: Path, get_session: str
) -> None:
    code = (
        f"{get_session}\n"
        "print('rows', spark.range(5).count(), spark.client.host, spark.client._builder.endpoint)\n"
    )
    shown = script(kernel, tmp_path, server.token, code)
    assert f"rows 5 localhost localhost:{server.port}" in shown, shown


def test_a_script_with_a_master_prints_no_token(
    kernel: Kernel, server: _core.ServerInfo, tmp_path: Path
) -> None:
    # pyspark refuses `.master(...)` next to SPARK_REMOTE and quotes SPARK_REMOTE in its message:
    # the reason the token is not in that URL.
    code = (
        "from pyspark.sql import SparkSession\n"
        "SparkSession.builder.master('local[*]').getOrCreate()\n"
    )
    shown = script(kernel, tmp_path, server.token, code)
    assert "CANNOT_CONFIGURE_SPARK_CONNECT_MASTER" in shown, shown
    assert f"sc://localhost:{server.port}" in shown, shown


def test_a_restarted_server_inherits_no_token(
    kernel: Kernel, server: _core.ServerInfo, module_home: Path
) -> None:
    # The kernel keeps its session (and what it exports for scripts) while the server is
    # replaced: the new server's environment, which its Python workers inherit, must not carry
    # the old token.
    printed(kernel.run("%spark restart"), server.token)
    restarted = _core.status(str(module_home)).server
    assert restarted is not None and restarted.pid != server.pid
    # Booleans only: a failure must not print an environment that holds a token.
    environ = Path(f"/proc/{restarted.pid}/environ").read_bytes().split(b"\0")
    names = {entry.partition(b"=")[0] for entry in environ}
    assert b"SPARKCONNECT_CHILD_REMOTE" not in names, "the new server inherited the scripts' URL"
    holding = any(server.token.encode() in entry for entry in environ)
    assert not holding, "the old token is in the new server's environment"
