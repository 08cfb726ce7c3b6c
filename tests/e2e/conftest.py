"""The local stack (python -m local_stack: template.yaml deployed on the AWS emulator), started
once per test session on a free port and stopped at the end. Tests talk to it only as vendors
and subscribers do: HTTP to the API, the AWS APIs of the emulator."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from helpers import compact, event_bytes
from import_roots import pythonpath
from media_callbacks.vendors import VENDORS

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "e2e-token-abcdef"
READY = re.compile(r"^ready (http://\S+)$")
START_SECONDS = 900  # a first run builds the layer (a few minutes); a cached one takes ~25 s


@dataclass
class LocalRun:
    api: str  # what `ready` printed
    emulator: str  # the emulator's AWS endpoint
    process: subprocess.Popen[str]
    output: list[str]
    state: Path  # its LOCAL_RUN_DIR: run.json and sam-local-env.json
    outputs: dict[str, str] = field(default_factory=dict)  # the stack's outputs, local URLs

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.emulator,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 30,
    ) -> tuple[int, Any]:
        req = urllib.request.Request(
            self.api + path, data=body, method=method, headers=headers or {}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, json.loads(raw) if raw else None

    def post(
        self, path: str, body: bytes, token: str | None = TOKEN, timeout: float = 30
    ) -> tuple[int, Any]:
        sep = "&" if "?" in path else "?"
        url = f"{path}{sep}token={token}" if token is not None else path
        return self.request("POST", url, body, {"Content-Type": "application/json"}, timeout)

    def signed_get(self, path: str) -> tuple[int, Any]:
        """GET with SigV4 (execute-api), as IAM-authorised routes need it."""
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        request = AWSRequest(method="GET", url=self.api + path)
        SigV4Auth(Credentials("test", "test"), "execute-api", "us-east-1").add_auth(request)
        return self.request("GET", path, headers=dict(request.headers.items()))

    @property
    def table(self) -> str:
        return self.outputs["ResultsTableName"]

    def lines_since(self, mark: int) -> list[str]:
        return self.output[mark:]


def environment(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PORT": "0",
        "CALLBACK_TOKEN": TOKEN,
        "PYTHONPATH": pythonpath(),
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    for name in ("AWS_ENDPOINT_URL", "TABLE_NAME", "CALLBACK_TOKEN_SECRET", "AWS_PROFILE"):
        env.pop(name, None)
    return env


def wait_ready(process: subprocess.Popen[str], output: list[str]) -> str:
    deadline = time.monotonic() + START_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        found = READY.match(line.strip())
        if found:
            return found.group(1)
    process.kill()
    pytest.fail("the local run did not start:\n" + "".join(output))


def start_local_run(**extra: str) -> LocalRun:
    """python -m local_stack on a free port, deployed and ready (`extra`: more environment),
    its files in a directory of its own (a developer's `make run` and the other test runs keep
    theirs)."""
    state = Path(tempfile.mkdtemp(prefix="local-run-"))
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack"],
        cwd=ROOT, env=environment(LOCAL_RUN_DIR=str(state), **extra), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    output: list[str] = []
    api = wait_ready(process, output)

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    threading.Thread(target=drain, daemon=True).start()
    emulator = api.split("/_aws/", 1)[0]
    run = LocalRun(api=api, emulator=emulator, process=process, output=output, state=state)
    run.outputs = stack_env(run)
    return run


def stack_env(run: LocalRun) -> dict[str, str]:
    """The stack's outputs as `make -s stack-env ENV=local` gives them to the docs' commands."""
    port = run.emulator.rsplit(":", 1)[1]
    done = subprocess.run(
        ["make", "-s", "stack-env", "ENV=local"],  # noqa: S607 (make on the PATH)
        cwd=ROOT, env={**environment(LOCAL_RUN_DIR=str(run.state)), "PORT": port},
        capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    variables = dict(re.findall(r"^export (\w+)=(.*)$", done.stdout, re.MULTILINE))
    from local_stack.stack import load  # the same outputs, by output key

    found = load(run.emulator).outputs
    assert variables["CALLBACK_BASE_URL"] == found["CallbackBaseUrl"] == run.api
    return found


def stop_local_run(run: LocalRun) -> None:
    run.process.terminate()
    try:
        run.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        run.process.kill()
    shutil.rmtree(run.state, ignore_errors=True)


@pytest.fixture(scope="session")
def local_run() -> Iterator[LocalRun]:
    """One local stack for the session's end-to-end tests."""
    run = start_local_run()
    yield run
    stop_local_run(run)


@pytest.fixture(scope="module")
def own_local_run() -> Iterator[LocalRun]:
    """A local stack of the module's own, for tests that break it (delete the table) or
    redeploy it."""
    run = start_local_run()
    yield run
    stop_local_run(run)


# where the moderation specialists' payloads hold the task id
TASK_ID_PATHS: dict[str, list[tuple[str, ...]]] = {
    "aliyun-green": [("taskId",), ("scanResult", "taskId")],
    "yidun": [("antispam", "taskId")],
    "shumei": [("requestId",)],
    "huawei-vod": [
        (*envelope, info, "asset_id")
        for envelope in ((), ("message",))
        for info in ("review_info", "transcode_info", "create_info")
    ],
    "huawei-moderation": [("job_id",)],
    "baidu": [
        ("mediaRegulationCompleteEvent", "taskId"),
        ("mediaUploadCompleteEvent", "mediaId"),
        ("messageBody", "source"),
    ],
}
# payloads that carry their JSON as text inside a field (Baidu VCR's `messageBody`, Huawei VOD's
# UNCONFIRMED `message` envelope): the task id is set inside it, and it is sent as text again
JSON_TEXT_FIELDS = {"baidu": "messageBody", "huawei-vod": "message"}


def unique(
    name: str, task_id: str | None = None, data: dict[str, Any] | None = None
) -> tuple[str, bytes]:
    """The events/ payload (or `data` in its place) under a fresh task id (or this one), so
    tests sharing the server do not meet; a form sender's JSON inside its form, as it posts it."""
    vendor = name.partition("/")[0]
    data = data if data is not None else json.loads(event_bytes(name))
    task_id = task_id or f"e2e-{uuid.uuid4().hex[:12]}"
    if vendor not in TASK_ID_PATHS:
        data["taskId" if "eventType" in data else "task_id"] = task_id
        return task_id, json.dumps(data).encode()
    text = JSON_TEXT_FIELDS.get(vendor, "")
    as_text = isinstance(data.get(text), str)
    if as_text:
        data[text] = json.loads(data[text])
    for path in TASK_ID_PATHS[vendor]:
        target: Any = data
        for step in path[:-1]:
            target = target.get(step, {})
        if path[-1] in target:
            target[path[-1]] = task_id
    if as_text:
        data[text] = compact(data[text])
    return task_id, VENDORS[vendor].body_of(compact(data).encode())
