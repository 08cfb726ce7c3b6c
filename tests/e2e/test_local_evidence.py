"""Evidence on the local run: a flagged callback whose frames a local HTTP server serves ends with
the frames in the stack's EvidenceBucket and their keys in GET /tasks (the local deployment
opens loopback to the fetcher: samconfig.toml's `local` environment, EvidenceAllowLoopback)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from helpers import event_json

from .conftest import LocalRun, unique

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


def umedia_frames(payload: dict[str, Any], frames: str) -> None:
    for n, image in enumerate(payload["invalid_image_list"]):
        image["name"] = f"{frames}/frame-{n}.jpg"


def aliyun_green_frames(payload: dict[str, Any], frames: str) -> None:
    for n, frame in enumerate(payload["results"][0]["frames"]):
        frame["url"] = f"{frames}/frame-{n}.jpg?Expires=4102444800&Signature=abc"  # not expired


def yidun_frames(payload: dict[str, Any], frames: str) -> None:
    picture = payload["antispam"]["pictures"][0]
    payload["antispam"]["pictures"] = [
        {**picture, "url": f"{frames}/frame-{n}.jpg"} for n in (0, 1)
    ]


def shumei_frames(payload: dict[str, Any], frames: str) -> None:
    frame = payload["frameDetail"][0]
    payload["frameDetail"] = [{**frame, "imgUrl": f"{frames}/frame-{n}.jpg"} for n in (0, 1)]


def huawei_vod_frames(payload: dict[str, Any], frames: str) -> None:
    video = payload["review_info"]["video"][0]
    video["porn"] = video["porn"][:1]  # the porn row: one flagged finding per frame
    payload["review_info"]["video"] = [
        {**video, "url": f"{frames}/frame-{n}.jpg", "offset": 12 + n} for n in (0, 1)
    ]


def baidu_items(review: dict[str, Any], frames: str) -> None:
    item = review["results"][0]["items"][0]
    review["results"][0]["items"] = [
        {**item, "evidence": {"thumbnail": f"{frames}/frame-{n}.jpg"}} for n in (0, 1)
    ]


def baidu_frames(payload: dict[str, Any], frames: str) -> None:
    event = payload["mediaRegulationCompleteEvent"]
    baidu_items(event["regulationTaskInfo"]["regulationOutput"], frames)


def baidu_vcr_frames(payload: dict[str, Any], frames: str) -> None:
    baidu_items(payload["messageBody"], frames)  # sent as an object in this example


@pytest.mark.parametrize(
    ("vendor", "name", "path", "with_frames"),
    [("umedia", "umedia/moderation", "/callbacks/umedia/moderation", umedia_frames),
     ("aliyun-green", "aliyun-green/scan-porn", "/callbacks/aliyun-green", aliyun_green_frames),
     ("yidun", "yidun/machine-porn", "/callbacks/yidun", yidun_frames),
     ("shumei", "shumei/machine-reject", "/callbacks/shumei", shumei_frames),
     ("huawei-vod", "huawei-vod/review-complete", "/callbacks/huawei-vod", huawei_vod_frames),
     ("baidu", "baidu/regulation-complete", "/callbacks/baidu", baidu_frames),
     ("baidu", "baidu/vcr-object-body", "/callbacks/baidu/vcr", baidu_vcr_frames)],
)  # fmt: skip
def test_a_flagged_callbacks_frames_are_kept_in_the_bucket(
    local_run: LocalRun,
    frames: str,
    vendor: str,
    name: str,
    path: str,
    with_frames: Callable[[dict[str, Any], str], None],
) -> None:
    task_id = f"evidence-{uuid.uuid4().hex[:8]}"
    payload = event_json(name)
    with_frames(payload, frames)
    _, body = unique(name, task_id, payload)
    status, _ = local_run.post(path, body)
    assert status == 200
    s3, prefix = local_run.client("s3"), f"evidence/{vendor}/{task_id}/1/"
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
        result = local_run.signed_get(f"/tasks/{vendor}/{task_id}")[1]["results"][0]
        time.sleep(0.2)
    assert [o["key"] for o in result["evidence"]] == keys
    assert result["evidence_prefix"] == f"s3://{bucket}/{prefix}"


def test_huawei_content_moderation_frames_are_recorded_by_their_time(local_run: LocalRun) -> None:
    """The product sends frame times, no frame images: the finding keeps the time, and the
    evidence says why there is no frame."""
    task_id, body = unique("huawei-moderation/job-succeeded")
    assert local_run.post("/callbacks/huawei-moderation", body)[1]["flagged"] is True
    deadline, result = time.monotonic() + 30, {}
    while "evidence" not in result and time.monotonic() < deadline:
        result = local_run.signed_get(f"/tasks/huawei-moderation/{task_id}")[1]["results"][0]
        time.sleep(0.2)
    assert result["evidence"] == [{"reason": "no frame URL"}]
    [finding] = result["moderation"]["findings"]
    assert (finding["time"], finding["image_url"], finding["suggestion"]) == (12.0, None, "block")
