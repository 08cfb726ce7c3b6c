"""EvidenceFunction fed from the table's real stream (moto), as its event source mapping feeds
it: a flagged callback whose frames a local HTTP server serves (127.0.0.1, allowed only through
EVIDENCE_ALLOW_LOOPBACK, which the template never sets) ends with the frames in the bucket and
their keys on the item; its own update and a retried record fetch nothing again."""

from __future__ import annotations

import importlib
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import boto3
import pytest

from conftest import TABLE, load_app
from helpers import callback_event, event_json
from local_stack.apigw import FakeLambdaContext
from local_stack.stream import StreamMapping, matches_filters
from local_stack.template import stream_mapping

BUCKET = "media-callbacks-evidence"
FRAME = b"\x89PNG\r\n\x1a\n a png frame"


class Frames(BaseHTTPRequestHandler):
    served: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        Frames.served.append(self.path)
        found = self.path.startswith("/frames/")
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "image/png" if found else "text/plain")
        body = FRAME if found else b""
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def frames() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Frames)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


class Setup:
    def __init__(self, aws: dict[str, Any]) -> None:
        self.s3 = boto3.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)
        table = aws["dynamodb"].describe_table(TableName=TABLE)["Table"]
        self.callbacks = load_app()
        os.environ |= {"EVIDENCE_BUCKET": BUCKET, "EVIDENCE_ALLOW_LOOPBACK": "true"}
        import evidence_handler.app as evidence

        self.evidence = importlib.reload(evidence)
        self.mapping = StreamMapping(
            streams_client=boto3.client("dynamodbstreams"), sqs_client=aws["sqs"],
            stream_arn=table["LatestStreamArn"], handler=self.evidence.lambda_handler,
            mapping=stream_mapping("EvidenceFunction"), on_failure_queue_url=aws["retry_dlq"],
            backoff_seconds=0,
        )  # fmt: skip

    def flagged(self) -> list[dict[str, Any]]:
        filters = stream_mapping("EvidenceFunction")["FilterCriteria"]["Filters"]
        return [r for r in self.mapping.poll() if matches_filters(r, filters)]

    def invoke(self, records: list[dict[str, Any]]) -> Any:
        return self.evidence.lambda_handler({"Records": records}, FakeLambdaContext("Evidence"))

    def item(self, task_id: str) -> dict[str, Any]:
        from media_callbacks.items import from_dynamodb

        key = {"pk": {"S": f"TASK#umedia#{task_id}"}, "sk": {"S": "RESULT#moderation"}}
        return from_dynamodb(boto3.client("dynamodb").get_item(TableName=TABLE, Key=key)["Item"])


@pytest.fixture
def setup(aws: dict[str, Any]) -> Iterator[Setup]:
    yield Setup(aws)
    for name in ("EVIDENCE_BUCKET", "EVIDENCE_ALLOW_LOOPBACK"):
        os.environ.pop(name, None)


def test_a_flagged_callbacks_frames_end_in_the_bucket_once(setup: Setup, frames: str) -> None:
    payload = event_json("umedia/moderation")
    payload["task_id"] = "evidence-1"
    images = payload["invalid_image_list"]
    images[0]["name"] = f"{frames}/frames/a.png"
    images[1]["name"] = f"{frames}/missing.png"
    answer = setup.callbacks.lambda_handler(
        callback_event("/callbacks/umedia/moderation", json.dumps(payload)), FakeLambdaContext()
    )
    assert answer["statusCode"] == 200
    records = setup.flagged()
    assert len(records) == 1
    assert setup.invoke(records) == {"batchItemFailures": []}
    item = setup.item("evidence-1")
    folder = "evidence/umedia/evidence-1/1/"
    assert item["evidence_prefix"] == f"s3://{BUCKET}/{folder}"
    assert [o.get("key") or o["reason"] for o in item["evidence"]] == [f"{folder}0.png", "404"]
    kept = setup.s3.get_object(Bucket=BUCKET, Key=f"{folder}0.png")
    assert kept["Body"].read() == FRAME
    assert kept["Metadata"]["source-url"] == f"{frames}/frames/a.png"
    served = len(Frames.served)
    again = setup.flagged()  # the recording's own MODIFY record, still flagged
    assert len(again) == 1
    assert setup.invoke(again + records) == {"batchItemFailures": []}  # and a redelivery
    assert len(Frames.served) == served
