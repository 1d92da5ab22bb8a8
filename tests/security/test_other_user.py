"""Another local user of the same host gets nothing from a user's Spark.

Two Unix users are created for the module (so it needs root; skipped otherwise): the owner, whose
long-lived "notebook" process starts the shared server and keeps a session on it, and an intruder.
The intruder tries every way in: reading the home, running a query on the gRPC port, the Spark UI
port, stopping, restarting and signalling the server. After each attempt the owner's notebook still
answers a query on the same session.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drive.waiting import wait_until

pytestmark = [
    pytest.mark.jvm,
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("useradd") is None,
        reason="creating two Unix users and switching to them needs root and useradd",
    ),
]

# The package and its interpreter are read by users that are not their owner.
PACKAGE = Path(__file__).resolve().parents[2] / "python"
SITE_PACKAGES = sysconfig.get_paths()["purelib"]


def _interpreter() -> str:
    """This interpreter, or when other users may not run it (one under root's own home) the
    system's of the same version: the venv's packages then come through PYTHONPATH."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, shutil.which(version, path="/usr/local/bin:/usr/bin")):
        if candidate and _others_can_run(Path(candidate).resolve()):
            return candidate
    pytest.skip(f"no {version} that other users may run")


def _others_can_run(path: Path) -> bool:
    return path.stat().st_mode & 0o001 != 0 and all(
        parent.stat().st_mode & 0o001 for parent in path.parents
    )


@dataclass
class User:
    name: str
    uid: int
    gid: int
    dir: Path

    def env(self) -> dict[str, str]:
        """A clean environment of this user's own: nothing of the test process's homes."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.dir),
            "SPARKCONNECT_HOME": str(self.dir / "home"),
            "XDG_DATA_HOME": str(self.dir / "data"),
            "XDG_CACHE_HOME": str(self.dir / "cache"),
            "XDG_CONFIG_HOME": str(self.dir / "config"),
            "PYTHONPATH": f"{PACKAGE}:{SITE_PACKAGES}",
            **{k: v for k, v in os.environ.items() if k in ("JAVA_HOME", "LANG")},
        }

    def become(self) -> None:
        os.setgid(self.gid)
        os.setgroups([])
        os.setuid(self.uid)

    def python(self, code: str, **kwargs: Any) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [_interpreter(), "-c", textwrap.dedent(code)],
            env=self.env(),
            cwd=self.dir,
            preexec_fn=self.become,
            text=True,
            **kwargs,
        )

    def run(self, code: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        proc = self.python(code, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = proc.communicate(timeout=timeout)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def cli(self, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [_interpreter(), "-m", "sparkconnect", *args],
            env={**self.env(), "SPARKCONNECT_HOME": str(home)},
            cwd=self.dir,
            preexec_fn=self.become,
            capture_output=True,
            text=True,
            timeout=120,
        )


def _create_user(prefix: str) -> User:
    name = f"{prefix}{uuid.uuid4().hex[:6]}"
    subprocess.run(
        ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
        check=True,
        capture_output=True,
    )
    entry = pwd.getpwnam(name)
    directory = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    os.chown(directory, entry.pw_uid, entry.pw_gid)
    directory.chmod(0o700)
    return User(name, entry.pw_uid, entry.pw_gid, directory)


def _pids_of(uid: int) -> list[int]:
    """Live processes of `uid`, from /proc (no procps needed)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            real_uid = next(line for line in status.splitlines() if line.startswith("Uid:"))
            if int(real_uid.split()[1]) == uid and "\nState:\tZ" not in status:
                found.append(int(entry.name))
    return found


def _remove_user(user: User) -> None:
    for pid in _pids_of(user.uid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not _pids_of(user.uid), 30, f"the processes of {user.name} to end")
    subprocess.run(["userdel", user.name], capture_output=True)
    shutil.rmtree(user.dir, ignore_errors=True)


OWNER_NOTEBOOK = """
    import sys, sparkconnect
    spark = sparkconnect.start()
    print("ready", flush=True)
    for line in sys.stdin:
        print(spark.range(int(line)).count(), flush=True)
"""


class Notebook:
    """The owner's notebook: one process, one session, asked for a query after each attempt."""

    def __init__(self, owner: User) -> None:
        self.proc = owner.python(
            OWNER_NOTEBOOK, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline().strip()
        if first != "ready":
            self.proc.kill()
            _, err = self.proc.communicate()
            raise AssertionError(f"the owner's notebook did not start: {err}")

    def counts(self, n: int) -> int:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(f"{n}\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())


@dataclass
class Scene:
    owner: User
    intruder: User
    notebook: Notebook
    server: dict[str, Any]

    @property
    def home(self) -> Path:
        return self.owner.dir / "home"

    def owner_still_works(self) -> None:
        assert self.notebook.counts(7) == 7
        os.kill(self.server["pid"], 0)  # the server is still there


@pytest.fixture(scope="module")
def scene() -> Iterator[Scene]:
    owner, intruder = _create_user("scown"), _create_user("scoth")
    try:
        notebook = Notebook(owner)
        server = json.loads((owner.dir / "home" / "server.json").read_text())
        yield Scene(owner, intruder, notebook, server)
        notebook.proc.kill()
        notebook.proc.communicate()
        owner.cli("stop", "--force", home=owner.dir / "home")
    finally:
        _remove_user(owner)
        _remove_user(intruder)


READ_EVERYTHING = """
    import json, os, sys
    home = sys.argv[1]
    found = {}
    try:
        os.listdir(home)
        found[home] = "listed"
    except OSError as err:
        found[home] = type(err).__name__
    for path in sys.argv[2:]:
        try:
            with open(path, "rb") as file:
                file.read(1)
            found[path] = "read"
        except OSError as err:
            found[path] = type(err).__name__
    print(json.dumps(found))
"""


def test_the_intruder_can_read_nothing_in_the_home(scene: Scene) -> None:
    files = sorted(str(p) for p in scene.home.rglob("*") if p.is_file())
    names = {Path(f).name for f in files}
    assert {"server.json", "server.properties"} <= names, names
    log = scene.server["log_path"]
    targets = [*files, *([log] if log not in files else [])]
    proc = subprocess.run(
        [_interpreter(), "-c", textwrap.dedent(READ_EVERYTHING), str(scene.home), *targets],
        env=scene.intruder.env(),
        cwd=scene.intruder.dir,
        preexec_fn=scene.intruder.become,
        capture_output=True,
        text=True,
    )
    found = json.loads(proc.stdout)
    assert found == {path: "PermissionError" for path in [str(scene.home), *targets]}
    assert scene.server["token"] not in proc.stdout + proc.stderr
    scene.owner_still_works()


def test_the_intruder_cannot_run_a_query_on_the_grpc_port(scene: Scene) -> None:
    result = scene.intruder.run(
        f"""
        from pyspark.sql.connect.session import SparkSession
        session = SparkSession(connection="sc://localhost:{scene.server["port"]}/")
        try:
            print("ANSWERED", session.range(3).count())
        except Exception as err:
            print("REFUSED", type(err).__name__, str(err)[:300])
        """
    )
    assert "REFUSED" in result.stdout and "UNAUTHENTICATED" in result.stdout, result
    scene.owner_still_works()


def test_the_intruder_gets_401_or_403_from_the_spark_ui(scene: Scene) -> None:
    result = scene.intruder.run(
        f"""
        import urllib.error, urllib.request
        for path in ("/jobs/", "/api/v1/applications", "/environment/"):
            try:
                urllib.request.urlopen("http://127.0.0.1:{scene.server["ui_port"]}" + path)
                print(path, "served")
            except urllib.error.HTTPError as err:
                print(path, err.code)
        """
    )
    answers = dict(line.split() for line in result.stdout.splitlines())
    assert set(answers) == {"/jobs/", "/api/v1/applications", "/environment/"}, result
    assert all(code in ("401", "403") for code in answers.values()), answers
    scene.owner_still_works()


def test_the_intruder_cannot_stop_or_restart_the_server(scene: Scene) -> None:
    for command in (["stop", "--force"], ["restart", "--force"]):
        result = scene.intruder.cli(*command, home=scene.home)
        assert result.returncode != 0, result
        assert "Traceback" not in result.stderr, result.stderr
        scene.owner_still_works()


def test_the_intruder_cannot_signal_the_server(scene: Scene) -> None:
    pid = scene.server["pid"]
    result = scene.intruder.run(
        f"""
        import os, signal
        kill, kill_group = os.kill, os.killpg
        for how in (lambda: kill({pid}, signal.SIGKILL), lambda: kill_group({pid}, signal.SIGTERM)):
            try:
                how()
                print("SIGNALLED")
            except PermissionError:
                print("EPERM")
        """
    )
    assert result.stdout.split() == ["EPERM", "EPERM"], result
    scene.owner_still_works()
    # The same signal from the owner does reach it: the refusal above is the kernel's uid check.
    assert scene.owner.run(f"import os; os.kill({pid}, 0)").returncode == 0
