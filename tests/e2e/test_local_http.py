"""The local stack as an HTTP client meets it: chunked bodies, console lines that a task id
cannot forge, a port already taken."""

from __future__ import annotations

import json
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import pytest

from helpers import event_bytes

from .conftest import TOKEN, LocalRun

pytestmark = pytest.mark.e2e


def raw_request(run: LocalRun, head: bytes, body: bytes = b"", wait: float = 20) -> bytes:
    """Send bytes as they are; the whole answer (the server closes or answers in `wait` s)."""
    url = urlsplit(run.api)
    with socket.create_connection((url.hostname, url.port), timeout=wait) as conn:
        conn.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer or not _complete(answer):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_and_json(answer: bytes) -> tuple[int, Any]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body) if body else None


def post_head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path}?token={TOKEN} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    encoded = b"".join(f"{len(p):x}\r\n".encode() + p + b"\r\n" for p in parts)
    return encoded + b"0\r\n\r\n"


def test_a_chunked_body_is_read_whole_and_stored(local_run: LocalRun) -> None:
    data = json.loads(event_bytes("umedia/transcode"))
    data["task_id"] = f"chunked-{uuid.uuid4().hex[:8]}"
    body = json.dumps(data).encode()
    head = post_head(
        urlsplit(local_run.api).path + "/callbacks/umedia/transcode",
        {"Content-Type": "application/json", "Transfer-Encoding": "chunked", "Connection": "close"},
    )
    status, answer = status_and_json(raw_request(local_run, head, chunked(body)))
    assert (status, answer["status"], answer["task_id"]) == (200, "stored", data["task_id"])
    _, listing = local_run.signed_get(f"/tasks/umedia/{data['task_id']}")
    assert listing["results"][0]["payload"] == body.decode()


def test_a_task_id_with_a_newline_cannot_forge_a_console_line(local_run: LocalRun) -> None:
    marker = uuid.uuid4().hex[:8]
    forged = f"x{marker}\n05:00:00 stored umedia transcode task FORGED{marker}"
    body = json.dumps({"retcode": 0, "task_id": forged, "width": 1}).encode()
    assert local_run.post("/callbacks/umedia", body)[0] == 200
    deadline = time.monotonic() + 15
    lines: list[str] = []
    while not lines and time.monotonic() < deadline:
        lines = [line for line in local_run.output if marker in line]
        time.sleep(0.05)
    assert len(lines) == 1, lines  # one console line, not two
    assert "\\n05:00:00" in lines[0]
    assert not any(line.startswith("05:00:00 ") for line in local_run.output)


def test_a_body_that_is_not_utf8_is_kept_byte_for_byte(local_run: LocalRun) -> None:
    """BinaryMediaTypes `*~1*`: every body reaches the function as its exact bytes, so invalid
    UTF-8 is rejected for what it is and kept as sent (base64 in the rejected item)."""
    import base64

    body = b'\xff\xfe{"task_id": "\x80"}'
    status, answer = local_run.post("/callbacks/umedia/transcode", body)
    assert (status, answer["error"]) == (400, "body: not valid UTF-8 (byte 0)")
    rejection_id = answer["rejection_id"]
    item = local_run.client("dynamodb").get_item(
        TableName=local_run.table,
        Key={"pk": {"S": f"REJECTED#{rejection_id[:10]}"}, "sk": {"S": rejection_id}},
    )["Item"]
    assert item["body_encoding"] == {"S": "base64"}
    assert base64.b64decode(item["body"]["S"]) == body


@pytest.mark.parametrize("variable", ["PORT"])
def test_a_port_in_use_fails_at_once_with_one_line_naming_it(variable: str) -> None:
    import os
    import subprocess
    import sys

    from import_roots import pythonpath

    from .conftest import ROOT

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {
            **os.environ,
            variable: str(port),
            "PYTHONPATH": pythonpath(),
        }
        done = subprocess.run(
            [sys.executable, "-m", "local_stack"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    assert done.returncode != 0
    lines = (done.stdout + done.stderr).strip().splitlines()
    assert lines == [
        f"port {port} ({variable}) is in use on 127.0.0.1: stop what uses it, or run "
        f"`{variable}=<another port> make run` (0 picks a free one)"
    ]
