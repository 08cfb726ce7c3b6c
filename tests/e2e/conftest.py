"""One local run (python -m local_stack) per test session, on free ports, stopped at the end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "e2e-token-abcdef"
IMPORT_ROOTS = (
    "layers/common",
    "functions/callback",
    "functions/alerts",
    "functions/retry",
    "functions/evidence",
    "local",
)


@dataclass
class LocalRun:
    api: str
    emulator: str
    process: subprocess.Popen[str]
    output: list[str]

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.emulator,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        req = urllib.request.Request(
            self.api + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, json.loads(raw) if raw else None

    def post(self, path: str, body: bytes, token: str | None = TOKEN) -> tuple[int, Any]:
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}token={token}" if token is not None else path
        return self.request("POST", url, body, {"Content-Type": "application/json"})


def start_local_run(**extra: str) -> LocalRun:
    """python -m local_stack on free ports, ready to serve (`extra`: more environment)."""
    env = {
        **os.environ,
        "PORT": "0",
        "AWS_EMULATOR_PORT": "0",
        "CALLBACK_TOKEN": TOKEN,
        "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in IMPORT_ROOTS),
        "PYTHONUNBUFFERED": "1",
        "HTTP_READ_TIMEOUT_SECONDS": "2",  # a short body is answered 400 after this
        **extra,
    }
    for name in ("AWS_ENDPOINT_URL", "TABLE_NAME", "CALLBACK_TOKEN_SECRET", "AWS_PROFILE"):
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    deadline = time.monotonic() + 60
    ready = None
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        ready = re.search(r"ready api=(\S+) emulator=(\S+)", line)
        if ready:
            break
    if not ready:
        process.kill()
        pytest.fail("the local run did not start:\n" + "".join(output))

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=drain, daemon=True).start()
    return LocalRun(api=ready.group(1), emulator=ready.group(2), process=process, output=output)


def stop_local_run(run: LocalRun) -> None:
    run.process.terminate()
    try:
        run.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        run.process.kill()


@pytest.fixture(scope="session")
def local_run() -> Iterator[LocalRun]:
    """One local run for the session's end-to-end tests."""
    run = start_local_run()
    yield run
    stop_local_run(run)


@pytest.fixture
def own_local_run() -> Iterator[LocalRun]:
    """A local run of the test's own, for tests that break it (delete the table)."""
    run = start_local_run()
    yield run
    stop_local_run(run)
