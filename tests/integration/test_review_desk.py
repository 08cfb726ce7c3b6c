"""The review desk's API on moto (docs/REVIEW.md): what a reviewer sees and what the decision
topic's subscribers receive, with the callback function storing the flagged results."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from harness import TABLE, scan
from inprocess.stream import matches_filters
from inprocess.template import stream_mapping
from integration.review_setup import ALICE, BOB, Desk


@pytest.fixture
def desk(aws: dict[str, Any]) -> Desk:
    return Desk(aws)


def test_the_queue_lists_a_flagged_video_with_its_strongest_frames(desk: Desk) -> None:
    desk.flag("1")
    desk.keep_frames("1", 1)
    status, body, _ = desk.call("GET", "/review/queue")
    assert status == 200
    [entry] = body["items"]
    assert (entry["vendor"], entry["task_id"], entry["revision"]) == ("umedia", "1", 1)
    assert entry["suggestion"] == "block"
    assert entry["categories"] == ["porn"]
    assert [t["category"] for t in entry["thumbnails"]] == ["porn", "porn"]
    assert body["cursor"] is None


def test_frames_are_presigned_urls_of_the_evidence_bucket_for_five_minutes_at_most(
    desk: Desk,
) -> None:
    desk.flag("1")
    keys = desk.keep_frames("1", 1)
    status, view, _ = desk.call("GET", "/review/tasks/umedia/1")
    assert status == 200
    urls = [frame["frame_url"] for frame in view["frames"]]
    for url, key in zip(urls, keys, strict=True):
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        assert key in parts.path
        assert "media-callbacks-evidence" in (parts.netloc + parts.path)
        assert int(query["X-Amz-Expires"][0]) <= 300
        assert "X-Amz-Signature" in query
    assert view["frames"][0]["image_url"] == "http://dest.ufile.ucloud.cn/my_1.jpg"
    assert view["thresholds"]["porn"]["block"] is not None
    assert view["awaiting_decision"] is True
    assert view["decisions"] == []


def test_a_frame_not_kept_says_why(desk: Desk) -> None:
    desk.flag("1")
    status, view, _ = desk.call("GET", "/review/tasks/umedia/1")
    assert status == 200
    assert [f["frame_url"] for f in view["frames"]] == [None, None]
    assert view["frames"][0]["missing"] == "not kept yet"


def test_a_decision_is_an_audit_entry_and_one_message_on_the_decision_topic(desk: Desk) -> None:
    desk.flag("1")
    decision = {"decision": "confirm", "revision": 1, "note": "clearly porn"}
    status, body, _ = desk.call("POST", "/review/tasks/umedia/1/decision", body=decision)
    assert status == 200
    assert body["status"] == "decided"
    again = desk.call("POST", "/review/tasks/umedia/1/decision", body=decision)
    assert again[0] == 200
    assert again[1]["status"] == "duplicate"
    assert again[1]["decision"]["decision_id"] == body["decision"]["decision_id"]
    desk.deliver_stream()
    desk.deliver_stream()  # a redelivered stream publishes nothing new
    [message] = desk.received(desk.decisions_url)
    sent = json.loads(message["Body"])
    assert sent["schema"] == "media-callbacks/moderation-decision/v1"
    assert sent["decision_id"] == body["decision"]["decision_id"]
    assert (sent["vendor"], sent["task_id"], sent["revision"]) == ("umedia", "1", 1)
    assert (sent["decision"], sent["decided_by"], sent["reviewer_id"]) == (
        "confirm", "reviewer", ALICE["sub"],
    )  # fmt: skip
    assert sent["note"] == "clearly porn"
    assert sent["alert_id"]
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {"vendor": "umedia", "decision": "confirm", "decided_by": "reviewer"}
    _, view, _ = desk.call("GET", "/review/tasks/umedia/1")
    [entry] = view["decisions"]
    assert (entry["reviewer_email"], entry["decision"], entry["note"]) == (
        "alice@example.com", "confirm", "clearly porn",
    )  # fmt: skip
    assert view["awaiting_decision"] is False
    assert desk.call("GET", "/review/queue")[1]["items"] == []


def test_the_decision_alerts_nobody_and_leaves_the_result_as_it_was(desk: Desk) -> None:
    desk.flag("1")
    before = {i["sk"]: i for i in scan(desk.aws["dynamodb"]) if i["pk"].startswith("TASK#")}
    desk.mapping.poll()  # the stream so far: the flagged result's own record
    desk.call("POST", "/review/tasks/umedia/1/decision", body={"decision": "clear", "revision": 1})
    after = {i["sk"]: i for i in scan(desk.aws["dynamodb"]) if i["pk"].startswith("TASK#")}
    assert after == before
    new_records = desk.mapping.poll()
    assert [r["dynamodb"]["Keys"]["pk"]["S"][:9] for r in new_records] == ["DECISION#"]
    for consumer in ("AlertFunction", "EvidenceFunction"):
        filters = stream_mapping(consumer)["FilterCriteria"]["Filters"]
        assert not any(matches_filters(r, filters) for r in new_records), consumer


def test_a_second_reviewers_other_decision_on_a_decided_revision_is_409(desk: Desk) -> None:
    desk.flag("1")
    desk.call(
        "POST", "/review/tasks/umedia/1/decision", body={"decision": "confirm", "revision": 1}
    )
    status, body, _ = desk.call(
        "POST", "/review/tasks/umedia/1/decision", BOB, {"decision": "clear", "revision": 1}
    )
    assert status == 409
    assert body["status"] == "conflict"
    assert "confirm by alice@example.com" in body["error"]
    entries = [i for i in scan(desk.aws["dynamodb"]) if i["pk"].startswith("DECISION#")]
    assert [(e["decision"], e["reviewer_email"]) for e in entries] == [
        ("confirm", "alice@example.com")
    ]


def test_a_decision_on_a_revision_no_longer_current_is_409(desk: Desk) -> None:
    desk.flag("1")
    mixed = {"invalid_image_list": [{"name": "http://dest.ufile.ucloud.cn/x.jpg", "rate": 0.99,
                                     "label": 0, "review": True}]}  # fmt: skip
    from helpers import event_json

    desk.flag("1", {**event_json("umedia/moderation"), **mixed})  # revision 2
    status, body, _ = desk.call(
        "POST", "/review/tasks/umedia/1/decision", BOB, {"decision": "clear", "revision": 1}
    )
    assert status == 409
    assert body["current_revision"] == 2
    assert "no longer current" in body["error"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"decision": "maybe", "revision": 1}, "decision"),
        ({"decision": "confirm"}, "revision"),
        ({"decision": "confirm", "revision": "1"}, "revision"),
        ({"decision": "clear", "revision": 1, "note": "n" * 2001}, "note"),
        ({"decision": "clear", "revision": 1, "extra": 1}, "extra"),
        (b"not json", "body"),
        (b"\x80", "body"),  # invalid UTF-8: found by test_review_property.py (was a 500)
    ],
)
def test_a_bad_decision_is_400_naming_the_field(desk: Desk, body: Any, field: str) -> None:
    desk.flag("1")
    status, answer, _ = desk.call("POST", "/review/tasks/umedia/1/decision", body=body)
    assert status == 400
    assert answer["status"] == "rejected"
    assert field in answer["error"] or (field == "body" and "json" in answer["error"].lower()), (
        answer
    )


def test_a_claim_holds_the_video_for_ten_minutes_against_other_reviewers(desk: Desk) -> None:
    desk.flag("1")
    status, body, _ = desk.call("POST", "/review/tasks/umedia/1/claim")
    assert status == 200
    assert body["claim"]["email"] == "alice@example.com"
    assert desk.call("POST", "/review/tasks/umedia/1/claim")[0] == 200  # renewing one's own
    status, body, _ = desk.call("POST", "/review/tasks/umedia/1/claim", BOB)
    assert status == 409
    assert "alice@example.com" in body["error"]
    desk.review.root.get().desk.clock = lambda: time.time() + 601  # ten minutes later
    assert desk.call("POST", "/review/tasks/umedia/1/claim", BOB)[0] == 200


def test_callers_outside_the_reviewers_group_are_403_and_unknown_tasks_404(desk: Desk) -> None:
    desk.flag("1")
    outsider = {"sub": "3", "email": "eve@example.com", "cognito:groups": "[admins]"}
    for method, path in (("GET", "/review/queue"), ("GET", "/review/tasks/umedia/1"),
                         ("POST", "/review/tasks/umedia/1/claim")):  # fmt: skip
        assert desk.call(method, path, outsider)[0] == 403
        assert desk.call(method, path, None)[0] == 403
    assert desk.call("GET", "/review/tasks/umedia/nope")[0] == 404
    assert desk.call("GET", "/review/tasks/acme/1")[0] == 404


def test_the_queue_filters_and_pages_with_an_opaque_cursor(desk: Desk) -> None:
    for task in ("a", "b", "c"):
        desk.flag(task)
    status, first, _ = desk.call("GET", "/review/queue", query="limit=2")
    assert status == 200
    assert [e["task_id"] for e in first["items"]] == ["c", "b"]
    _, second, _ = desk.call("GET", "/review/queue", query=f"limit=2&cursor={first['cursor']}")
    assert [e["task_id"] for e in second["items"]] == ["a"]
    assert second["cursor"] is None
    assert desk.call("GET", "/review/queue", query="vendor=ctyun")[1]["items"] == []
    assert desk.call("GET", "/review/queue", query="category=terrorism")[1]["items"] == []
    assert len(desk.call("GET", "/review/queue", query="category=porn")[1]["items"]) == 3
    assert desk.call("GET", "/review/queue", query="suggestion=review")[1]["items"] == []
    assert desk.call("GET", "/review/queue", query="since=2999-01-01T00:00:00Z")[1]["items"] == []
    for bad in ("cursor=abc", "limit=0", "since=yesterday", "suggestion=pass"):
        status, body, _ = desk.call("GET", "/review/queue", query=bad)
        assert status == 400, bad
        assert bad.split("=")[0] in body["error"]


def test_a_task_id_with_a_slash_is_reviewed_url_encoded(desk: Desk) -> None:
    desk.flag("job/7#1")
    path = f"/review/tasks/umedia/{quote('job/7#1', safe='')}"
    status, view, _ = desk.call("GET", path)
    assert status == 200
    assert view["task_id"] == "job/7#1"
    status, _, _ = desk.call("POST", f"{path}/decision", body={"decision": "clear", "revision": 1})
    assert status == 200


def test_the_page_is_served_with_a_policy_allowing_only_the_stacks_origins(desk: Desk) -> None:
    status, body, headers = desk.call("GET", "/review", claims=None)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self' https://cognito-idp.us-east-1.amazonaws.com" in policy
    assert "img-src https://media-callbacks-evidence.s3.amazonaws.com" in policy
    assert "review-page-client" in body["text"]
    assert "<script" in body["text"]
    assert "<script>" not in body["text"]  # no inline script: the policy allows none
    for name, kind in (("app.js", "text/javascript"), ("app.css", "text/css")):
        status, _, headers = desk.call("GET", f"/review/{name}", claims=None)
        assert status == 200
        assert headers["Content-Type"].startswith(kind)


def test_no_route_changes_or_deletes_an_audit_entry(desk: Desk) -> None:
    desk.flag("1")
    desk.call("POST", "/review/tasks/umedia/1/decision", body={"decision": "clear", "revision": 1})
    before = [i for i in scan(desk.aws["dynamodb"]) if i["pk"].startswith("DECISION#")]
    for claims in (ALICE, BOB):
        for decision in ("confirm", "clear"):
            desk.call("POST", "/review/tasks/umedia/1/decision", claims,
                      {"decision": decision, "revision": 1, "note": "changed"})  # fmt: skip
    assert [i for i in scan(desk.aws["dynamodb"]) if i["pk"].startswith("DECISION#")] == before
    routes = {r for r in dir(desk.review) if not r.startswith("_")}
    assert not {"delete", "patch", "put"} & routes
    assert TABLE
