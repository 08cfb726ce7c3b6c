"""Evidence collection for one flagged result revision: frames stored in S3 with their metadata,
a reason for each one not kept, the outcome recorded on the item for that revision only, and a
revision never fetched twice."""

from __future__ import annotations

import hashlib
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness import TABLE
from helpers import event_json
from media_callbacks.body import canonical_sha256
from media_callbacks.evidence import Collector, expires_at
from media_callbacks.fetch import Fetched, Refused
from media_callbacks.items import from_dynamodb
from media_callbacks.keys import evidence_prefix as prefix
from media_callbacks.keys import result_key
from media_callbacks.normalise import normalise
from media_callbacks.storage import ResultsTable
from media_callbacks.thresholds import DEFAULT_THRESHOLDS

BUCKET = "media-callbacks-evidence"
FRAME = b"\xff\xd8\xff\xe0 a jpeg frame"


class FakeFetcher:
    """Answers per URL: a Fetched image, or the Refused reason given."""

    def __init__(self, answers: dict[str, str | None]) -> None:
        self.answers, self.calls = answers, list[str]()

    def __call__(self, url: str, **_: Any) -> Fetched:
        self.calls.append(url)
        refusal = self.answers.get(url)
        if refusal:
            raise Refused(refusal)
        return Fetched(url, "image/jpeg", FRAME, hashlib.sha256(FRAME).hexdigest())


def store(vendor: str, kind: str | None, name: str, task_id: str | None = None) -> dict[str, Any]:
    data = event_json(name)
    if task_id:
        data["task_id"] = task_id
    result = normalise(vendor, kind, data, DEFAULT_THRESHOLDS)
    ResultsTable(TABLE).put_result(
        result, body=b"{}", payload_sha256=canonical_sha256(data),
        received_at="2026-11-23T00:00:00.000000Z", request_id="r",
    )  # fmt: skip
    return item(vendor, result.task_id, result.kind)


def item(vendor: str, task_id: str, kind: str) -> dict[str, Any]:
    key = result_key(vendor, task_id, kind)
    found = boto3.client("dynamodb").get_item(
        TableName=TABLE, Key={k: {"S": v} for k, v in key.items()}
    )["Item"]
    return from_dynamodb(found)


@pytest.fixture
def s3(aws: dict[str, Any]) -> Any:
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def collector(s3: Any, fetcher: FakeFetcher) -> Collector:
    return Collector(table=ResultsTable(TABLE), bucket=BUCKET, s3=s3,
                     fetcher=fetcher, clock=lambda: "2026-11-23T00:00:01Z")  # fmt: skip


def test_flagged_frames_are_kept_with_their_metadata_and_the_item_says_where(s3: Any) -> None:
    image = store("umedia", "moderation", "umedia/moderation", task_id="ev/1#a")
    urls = [f["image_url"] for f in image["moderation"]["findings"]]
    fetcher = FakeFetcher({urls[1]: "404"})
    outcomes = collector(s3, fetcher).collect(image)
    folder = prefix("umedia", "ev/1#a", 1)
    assert folder == "evidence/umedia/ev%2F1%23a/1/"
    digest = hashlib.sha256(FRAME).hexdigest()
    assert outcomes == [{"key": f"{folder}0.jpg", "sha256": digest}, {"reason": "404"}]
    stored = s3.get_object(Bucket=BUCKET, Key=f"{folder}0.jpg")
    assert stored["Body"].read() == FRAME
    assert stored["ContentType"] == "image/jpeg"
    assert stored["Metadata"] == {
        "source-url": urls[0], "sha256": digest, "fetched-at": "2026-11-23T00:00:01Z",
    }  # fmt: skip
    recorded = item("umedia", "ev/1#a", "moderation")
    assert recorded["evidence"] == outcomes
    assert recorded["evidence_prefix"] == f"s3://{BUCKET}/{folder}"
    assert recorded["revision"] == 1  # recording the evidence is not a new revision


def test_a_revision_is_never_fetched_twice(s3: Any) -> None:
    image = store("umedia", "moderation", "umedia/moderation", task_id="ev-2")
    fetcher = FakeFetcher({})
    assert collector(s3, fetcher).collect(image) is not None
    calls = len(fetcher.calls)
    assert collector(s3, fetcher).collect(image) is None  # a retried batch
    assert len(fetcher.calls) == calls


def test_an_older_revision_leaves_the_newer_ones_evidence_alone(s3: Any) -> None:
    first = store("umedia", "moderation", "umedia/moderation", task_id="ev-3")
    data = event_json("umedia/moderation")
    data |= {"task_id": "ev-3", "message": "a second revision"}
    result = normalise("umedia", "moderation", data, DEFAULT_THRESHOLDS)
    ResultsTable(TABLE).put_result(
        result, body=b"{}", payload_sha256=canonical_sha256(data),
        received_at="2026-11-23T00:00:02.000000Z", request_id="r2",
    )  # fmt: skip
    fetcher = FakeFetcher({})
    assert collector(s3, fetcher).collect(first) is None
    assert fetcher.calls == []
    assert "evidence" not in item("umedia", "ev-3", "moderation")


def test_frames_without_urls_and_hostile_urls_get_a_reason(s3: Any) -> None:
    uai = store("uai-censor", None, "uai-censor/moderation")
    outcomes = collector(s3, FakeFetcher({})).collect(uai)
    assert outcomes
    assert {o["reason"] for o in outcomes} <= {"no frame URL", "not flagged"}
    assert "no frame URL" in {o["reason"] for o in outcomes}
    image = store("umedia", "moderation", "umedia/moderation", task_id="ev-4")
    urls = [f["image_url"] for f in image["moderation"]["findings"]]
    fetcher = FakeFetcher(dict.fromkeys(urls, "private address"))
    assert collector(s3, fetcher).collect(image) == [{"reason": "private address"}] * 2
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix("umedia", "ev-4", 1))["KeyCount"] == 0


@pytest.mark.parametrize(
    ("query", "expiry"),
    [("Expires=1800000000&OSSAccessKeyId=x", 1800000000.0), ("e=1800000000&token=x", 1800000000.0),
     ("t=6b49d200&sign=x", 1800000000.0),
     ("X-Amz-Date=20270115T070000Z&X-Amz-Expires=3600", 1800000000.0), ("v=2", None)],
)  # fmt: skip
def test_a_signed_urls_expiry_is_read_from_its_query(query: str, expiry: float | None) -> None:
    assert expires_at(f"https://frames.example.com/f.jpg?{query}") == expiry


def test_an_expired_frame_url_is_not_fetched(s3: Any) -> None:
    image = store("umedia", "moderation", "umedia/moderation", task_id="ev-5")
    for finding in image["moderation"]["findings"]:
        finding["image_url"] = "https://frames.example.com/f.jpg?Expires=1700000000"
    fetcher = FakeFetcher({})
    collect = Collector(table=ResultsTable(TABLE), bucket=BUCKET, s3=s3,
                        fetcher=fetcher, now=lambda: 1800000000.0)  # fmt: skip
    assert collect.collect(image) == [{"reason": "expired"}] * 2
    assert fetcher.calls == []


@settings(max_examples=300, deadline=None, database=None)
@given(
    url=st.one_of(
        st.text(max_size=60),
        st.builds(
            lambda host, name, value: f"http://{host}/f.jpg?{name}={value}",
            st.sampled_from(["cdn.example.com", "[::1", "[::1]", "a:99999", "a:x"]),
            st.sampled_from(["Expires", "e", "t", "X-Amz-Expires", "X-Amz-Date", "x"]),
            st.text(max_size=12),
        ),
    )
)
def test_any_frame_url_has_an_expiry_or_none_never_an_error(url: str) -> None:
    """Frame URLs come from callbacks: `²` is a digit to str.isdigit, not to int()."""
    expiry = expires_at(url)
    assert expiry is None or isinstance(expiry, float)


def test_a_fetcher_failing_on_one_frame_is_its_reason_and_the_others_are_kept(s3: Any) -> None:
    image = store("umedia", "moderation", "umedia/moderation", task_id="ev-6")
    urls = [f["image_url"] for f in image["moderation"]["findings"]]

    def breaks_on_the_first(url: str, **_: Any) -> Fetched:
        if url == urls[0]:
            raise RuntimeError("a fetcher bug")
        return Fetched(url, "image/jpeg", FRAME, hashlib.sha256(FRAME).hexdigest())

    collect = Collector(table=ResultsTable(TABLE), bucket=BUCKET, s3=s3,
                        fetcher=breaks_on_the_first)  # fmt: skip
    folder = prefix("umedia", "ev-6", 1)
    assert [o.get("key") or o["reason"] for o in collect.collect(image) or []] == [
        "fetch failed", f"{folder}1.jpg"
    ]  # fmt: skip
    assert item("umedia", "ev-6", "moderation")["evidence"][0] == {"reason": "fetch failed"}
