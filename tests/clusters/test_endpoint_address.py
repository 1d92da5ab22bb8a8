"""`%spark connect` where no endpoint answers, and how endpoint URLs are read and masked. (A
notebook attached to a real endpoint: tests/clusters/test_remote_endpoint.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from sparkconnect.errors import ConnectError
from sparkconnect.server.remote import endpoint, mask
from tests.support.helpers import run


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("http://localhost:1", "is not a Spark Connect URL"),
        ("sc://localhost:1 --token-env SURELY_UNSET_VARIABLE", "SURELY_UNSET_VARIABLE is not set"),
        ("sc://localhost:1 --token-file /nonexistent/token", "Cannot read the token file"),
        ("sc://127.0.0.1:1", "Nothing answers at 127.0.0.1:1"),
    ],
)
def test_bad_endpoints_fail_fast_and_clearly(
    shell: InteractiveShell, home: Path, args: str, expected: str
) -> None:
    result = run(shell, f"%spark connect {args}")
    assert isinstance(result.error, ConnectError), result.shown
    assert expected in str(result.error)


def test_urls_are_masked_and_tokens_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPARKCONNECT_TOKEN", raising=False)
    assert mask("sc://h:1/;token=abc;use_ssl=true") == "sc://h:1/;token=…;use_ssl=true"
    monkeypatch.setenv("SPARKCONNECT_TOKEN", "s3cret")
    target = endpoint("sc://spark.example.org/;use_ssl=true")
    assert target.port == 15002
    assert target.url == "sc://spark.example.org:15002/;use_ssl=true;token=s3cret"
    assert "s3cret" not in target.shown
    with pytest.raises(ConnectError, match="already has a token"):
        endpoint("sc://h:1/;token=x")
