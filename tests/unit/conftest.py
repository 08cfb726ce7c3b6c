"""The unit tier needs nothing: no AWS (not even moto), no network, no other process. A test
here that reaches for one fails, and belongs in tests/integration or tests/e2e."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest


def _refused(*_: Any, **__: Any) -> Any:
    raise AssertionError("the unit tier needs nothing: no network, no AWS, no subprocess")


@pytest.fixture(autouse=True)
def needs_nothing() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", _refused)
        patch.setattr(socket, "create_connection", _refused)
        patch.setattr(subprocess.Popen, "__init__", _refused)
        patch.delenv("AWS_ENDPOINT_URL", raising=False)
        patch.setenv("AWS_ACCESS_KEY_ID", "unit-tier-has-no-aws")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "unit-tier-has-no-aws")
        yield
