"""Evidence on the local run: a flagged callback whose frames a local HTTP server serves ends with
the frames in the stack's EvidenceBucket and their keys in GET /tasks (the local deployment
opens loopback to the fetcher: samconfig.toml's `local` environment, EvidenceAllowLoopback)."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from helpers import event_json

from .conftest import LocalRun

pytestmark = pytest.mark.e2e

FRAME = b"\xff\xd8\xff\xe0 a frame served on 127.0.0.1"


class Frames(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(FRAME)))
        self.end_headers()
        self.wfile.write(FRAME)


@pytest.fixture(scope="module")
def frames() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Frames)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_a_flagged_callbacks_frames_are_kept_in_the_bucket(
    local_run: LocalRun, frames: str
) -> None:
    task_id = f"evidence-{uuid.uuid4().hex[:8]}"
    payload = event_json("umedia/moderation")
    payload["task_id"] = task_id
    for n, image in enumerate(payload["invalid_image_list"]):
        image["name"] = f"{frames}/frame-{n}.jpg"
    status, _ = local_run.post("/callbacks/umedia/moderation", json.dumps(payload).encode())
    assert status == 200
    s3, prefix = local_run.client("s3"), f"evidence/umedia/{task_id}/1/"
    bucket = local_run.outputs["EvidenceBucketName"]
    deadline, keys = time.monotonic() + 30, list[str]()
    while len(keys) < 2 and time.monotonic() < deadline:
        listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
        keys = sorted(o["Key"] for o in listed.get("Contents", []))
        time.sleep(0.2)
    assert keys == [f"{prefix}0.jpg", f"{prefix}1.jpg"]
    body = s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()
    assert body == FRAME
    deadline, result = time.monotonic() + 10, {}
    while "evidence" not in result and time.monotonic() < deadline:
        result = local_run.signed_get(f"/tasks/umedia/{task_id}")[1]["results"][0]
        time.sleep(0.2)
    assert [o["key"] for o in result["evidence"]] == keys
    assert result["evidence_prefix"] == f"s3://{bucket}/{prefix}"
