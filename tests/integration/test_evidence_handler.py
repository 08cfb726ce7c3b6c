"""EvidenceFunction fed from the table's real stream (moto), as its event source mapping feeds
it: a flagged callback whose frames a local HTTP server serves (127.0.0.1, allowed only through
EVIDENCE_ALLOW_LOOPBACK, which the template never sets) ends with the frames in the bucket and
their keys on the item; its own update and a retried record fetch nothing again."""

from __future__ import annotations

import functools
import hashlib
import json
import random
import socket
import string
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import boto3
import pytest

from harness import TABLE, function, load_app
from helpers import callback_event, event_json
from inprocess.apigw import FakeLambdaContext, proxy_event
from inprocess.stream import StreamMapping, matches_filters
from inprocess.template import stream_mapping
from media_callbacks.keys import evidence_prefix as prefix

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
        self.environment = {"EVIDENCE_BUCKET": BUCKET, "EVIDENCE_ALLOW_LOOPBACK": "true"}
        self.evidence = function("EvidenceFunction", self.environment)
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
def setup(aws: dict[str, Any]) -> Setup:
    return Setup(aws)


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


# --- issue 19 ------------------------------------------------------------------------------------


def moderation(task_id: str, urls: list[str], **extra: Any) -> dict[str, Any]:
    """A flagged UMedia moderation callback: one porn frame (rate 0.99) per URL."""
    payload = event_json("umedia/moderation") | {"task_id": task_id, **extra}
    image = payload["invalid_image_list"][0]
    payload["invalid_image_list"] = [image | {"name": url} for url in urls]
    return payload


def post(setup: Setup, payload: dict[str, Any]) -> None:
    answer = setup.callbacks.lambda_handler(
        callback_event("/callbacks/umedia/moderation", json.dumps(payload)), FakeLambdaContext()
    )
    assert answer["statusCode"] == 200, answer["body"]


def evidence_of(setup: Setup, task_id: str) -> list[str]:
    return [o.get("key") or o["reason"] for o in setup.item(task_id)["evidence"]]


def resolving_to_loopback(setup: Setup) -> None:
    """Every host name resolves to 127.0.0.1 (the frames server), as a CDN's name would resolve
    to its address: the consumer's fetcher is otherwise the real one."""
    from media_callbacks.fetch import fetch

    def loopback(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    setup.evidence = function(
        "EvidenceFunction",
        setup.environment,
        {"fetcher": functools.partial(fetch, resolve=loopback)},
    )


def test_a_second_flagged_revision_gets_its_own_frames_under_its_own_prefix(
    setup: Setup, frames: str
) -> None:
    post(setup, moderation("revised", [f"{frames}/frames/first.png"]))
    assert setup.invoke(setup.flagged()) == {"batchItemFailures": []}
    assert evidence_of(setup, "revised") == ["evidence/umedia/revised/1/0.png"]

    post(setup, moderation("revised", [f"{frames}/frames/second.png"]))  # revision 2
    assert setup.invoke(setup.flagged()) == {"batchItemFailures": []}
    item = setup.item("revised")
    assert item["revision"] == 2
    assert evidence_of(setup, "revised") == ["evidence/umedia/revised/2/0.png"]
    assert item["evidence_prefix"] == f"s3://{BUCKET}/evidence/umedia/revised/2/"
    kept = setup.s3.get_object(Bucket=BUCKET, Key="evidence/umedia/revised/2/0.png")
    assert kept["Metadata"]["source-url"] == f"{frames}/frames/second.png"
    shown = setup.callbacks.lambda_handler(
        proxy_event("GET", "/tasks/umedia/revised"), FakeLambdaContext()
    )
    [result] = json.loads(shown["body"])["results"]
    assert (result["revision"], result["evidence"][0]["key"]) == (
        2, "evidence/umedia/revised/2/0.png"
    )  # fmt: skip


def test_a_bad_frame_url_is_a_reason_and_the_revisions_other_frames_are_kept(
    setup: Setup, frames: str
) -> None:
    resolving_to_loopback(setup)
    port = frames.rsplit(":", 1)[1]
    urls = [f"{frames}/frames/a.png", "http://[::1/x.jpg", "http://127.0.0.1:99999/x.jpg",
            f"http://例子.测试:{port}/frames/b.png"]  # fmt: skip
    post(setup, moderation("bad-urls", urls))
    assert setup.invoke(setup.flagged()) == {"batchItemFailures": []}
    folder = "evidence/umedia/bad-urls/1/"
    assert evidence_of(setup, "bad-urls") == [
        f"{folder}0.png", "malformed URL", "malformed URL", f"{folder}3.png"
    ]  # fmt: skip
    assert setup.s3.get_object(Bucket=BUCKET, Key=f"{folder}3.png")["Body"].read() == FRAME


def test_a_long_task_ids_frames_are_kept_under_a_digest_that_fits_s3s_key_limit(
    setup: Setup, frames: str
) -> None:
    task_id = "a/" * 400  # 800 characters, 1600 bytes percent-encoded
    post(setup, moderation(task_id, [f"{frames}/frames/a.png"]))
    assert setup.invoke(setup.flagged()) == {"batchItemFailures": []}
    [key] = evidence_of(setup, task_id)
    digest = hashlib.sha256(task_id.encode()).hexdigest()
    assert key == f"evidence/umedia/sha256-{digest}/1/0.png"
    assert len(key.encode()) <= 1024  # S3 refuses longer keys (KeyTooLongError)
    assert setup.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == FRAME


def refuse_puts(s3: Any, code: str, key_suffix: str = "") -> Callable[[], None]:
    """S3 answers PutObject of keys ending in `key_suffix` with `code`; returns the undo."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    def refuse(params: dict[str, Any], **_: Any) -> Any:
        if not params["url_path"].endswith(key_suffix):
            return None
        error = {"Code": code, "Message": "refused by the test"}
        response = AWSResponse("https://s3", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    s3.meta.events.register_first("before-call.s3.PutObject", refuse)
    return lambda: s3.meta.events.unregister("before-call.s3.PutObject", refuse)


def test_a_frame_s3_refuses_is_a_reason_and_the_other_frames_are_kept(
    setup: Setup, frames: str
) -> None:
    refuse_puts(setup.evidence.root.get().s3, "KeyTooLongError", key_suffix="/1.png")
    post(setup, moderation("s3-refuses", [f"{frames}/frames/a.png", f"{frames}/frames/b.png"]))
    assert setup.invoke(setup.flagged()) == {"batchItemFailures": []}
    assert evidence_of(setup, "s3-refuses") == [
        "evidence/umedia/s3-refuses/1/0.png", "s3 KeyTooLongError"
    ]  # fmt: skip


def test_an_s3_outage_fails_the_record_and_its_redelivery_keeps_the_frames(
    setup: Setup, frames: str
) -> None:
    """Not a reason: the frames are still there to fetch once S3 answers again."""
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    undo = refuse_puts(setup.evidence.root.get().s3, "SlowDown")
    post(setup, moderation("s3-outage", [f"{frames}/frames/a.png"]))
    records = setup.flagged()
    with pytest.raises(BatchProcessingError):  # every record failed: the batch is retried
        setup.invoke(records)
    assert "evidence" not in setup.item("s3-outage")
    undo()
    assert setup.invoke(records) == {"batchItemFailures": []}
    assert evidence_of(setup, "s3-outage") == ["evidence/umedia/s3-outage/1/0.png"]


def noise(length: int, alphabet: str, seed: int) -> str:
    """Text gzip cannot shrink by a quarter: the payload stays text, as large as it is."""
    return "".join(random.Random(seed).choices(alphabet, k=length))


def near_the_limit(setup: Setup, frames: str, task_id: str) -> dict[str, Any]:
    """100 flagged frames with 1.5 KB URLs, padded so that the item takes about 391.5 KiB:
    what the callback's write leaves at most (storage.ITEM_BUDGET) less half a KiB."""
    from media_callbacks.items import item_size, to_dynamodb
    from media_callbacks.storage import ITEM_BUDGET

    unreserved = string.ascii_letters + string.digits + "-._~"
    urls = [f"{frames}/frames/{n}.png?pad={noise(1500, unreserved, n)}" for n in range(100)]
    probe = task_id[:-1] + ("x" if task_id[-1] != "x" else "y")  # the same length: the same size
    post(setup, moderation(probe, urls))
    # the probe's payload, compressible alone, may be kept gzip: count it as the text it is
    probed = {k: v for k, v in setup.item(probe).items() if not k.startswith("payload")}
    body = len(json.dumps(moderation(probe, urls)).encode())
    unpadded = item_size(to_dynamodb(probed)["M"]) + len("payload") + body
    padding = ITEM_BUDGET - 512 - unpadded - len(', "padding": ""')
    printable = "".join(c for c in string.printable[:94] if c not in '"\\')
    post(setup, moderation(task_id, urls, padding=noise(padding, printable, -1)))
    item = setup.item(task_id)
    assert ITEM_BUDGET - 1024 < item_size(to_dynamodb(item)["M"]) <= ITEM_BUDGET
    return item


@pytest.mark.parametrize(
    ("task_id", "recorded"),
    [("near-limit", "keys without sha256s"), ("n" * 256, "a summary")],  # 290-byte keys
)
def test_the_evidence_record_fits_an_item_near_dynamodbs_limit(
    setup: Setup, frames: str, task_id: str, recorded: str
) -> None:
    near_the_limit(setup, frames, task_id)
    mine = [r for r in setup.flagged() if r["dynamodb"]["Keys"]["pk"]["S"].endswith(task_id)]
    assert setup.invoke(mine) == {"batchItemFailures": []}
    item = setup.item(task_id)
    folder = prefix("umedia", task_id, 1)
    assert item["evidence_prefix"] == f"s3://{BUCKET}/{folder}"
    names = [f"{n}.png" for n in range(100)]
    if recorded == "keys without sha256s":
        assert item["evidence"] == [{"key": folder + name} for name in names]
    else:
        assert item["evidence"] == {"kept": names, "missing": {}}
    listed = setup.s3.list_objects_v2(Bucket=BUCKET, Prefix=folder)
    assert sorted(o["Key"] for o in listed["Contents"]) == sorted(folder + n for n in names)
