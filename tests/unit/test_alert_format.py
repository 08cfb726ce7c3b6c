"""The alert message a subscriber reads: JSON body, subject, email text, attributes, id."""

from __future__ import annotations

import json
from typing import Any

import pytest

from media_callbacks.alerts import (
    SCHEMA,
    alert_id,
    build_alert,
    email_text,
    message_attributes,
    publish_request,
    subject,
)


def image(**overrides: Any) -> dict[str, Any]:
    finding = {
        "category": "porn",
        "label": "porn",
        "score": 0.9999947547912598,
        "image_url": "http://dest.ufile.ucloud.cn/my_1.jpg",
        "vendor_review": False,
        "suggestion": "block",
    }
    item = {
        "pk": "TASK#umedia#1",
        "sk": "RESULT#moderation",
        "vendor": "umedia",
        "kind": "moderation",
        "task_id": "1",
        "status": "succeeded",
        "source_url": "http://src.ufile.ucloud.cn/my.mp4",
        "received_at": "2026-11-21T20:20:42.105391Z",
        "revision": 1,
        "flagged": True,
        "moderation": {
            "findings": [finding],
            "suggestion": "block",
            "categories": ["porn"],
            "max_score": 0.9999947547912598,
            "thresholds": {"porn": {"review": 0.6, "block": 0.9}},
        },
    }
    item.update(overrides)
    return item


def test_the_json_alert_carries_the_contract_fields() -> None:
    alert = build_alert(image())
    assert alert["schema"] == SCHEMA == "media-callbacks/moderation-alert/v1"
    contract = "alert_id vendor kind task_id video_id source_url received_at suggestion categories"
    contract += " max_score findings thresholds table_key"
    assert set(contract.split()) <= set(alert)
    assert alert["table_key"] == {"pk": "TASK#umedia#1", "sk": "RESULT#moderation"}
    assert alert["findings"][0]["image_url"] == "http://dest.ufile.ucloud.cn/my_1.jpg"


def test_the_alert_says_who_decided_the_flagged_revision() -> None:
    assert build_alert(image(decided_by="machine"))["decided_by"] == "machine"
    assert build_alert(image(decided_by="vendor_review"))["decided_by"] == "vendor_review"
    assert build_alert(image())["decided_by"] == "machine"  # an item stored before the field


def test_alert_id_is_stable_per_revision_and_changes_with_it() -> None:
    assert build_alert(image())["alert_id"] == build_alert(image())["alert_id"]
    received = "2026-11-21T20:20:42.105391Z"
    assert build_alert(image())["alert_id"] == alert_id(
        "TASK#umedia#1", "RESULT#moderation", 1, received
    )
    assert build_alert(image(revision=2))["alert_id"] != build_alert(image())["alert_id"]
    assert alert_id("TASK#umedia#1", "RESULT#moderation", 1, received) != alert_id(
        "TASK#umedia#1", "RESULT#moderation", 11, received
    )


def test_the_documented_example_alert_id_is_the_one_built() -> None:
    """docs/ALERTS.md shows the alert of its example item: its id is the one subscribers get."""
    from helpers import ROOT

    docs = (ROOT / "docs" / "ALERTS.md").read_text(encoding="utf-8")
    assert f'"alert_id": "{build_alert(image())["alert_id"]}"' in docs


def test_subject_is_short_printable_ascii() -> None:
    assert subject(build_alert(image())) == "[block] porn 0.99 umedia task 1"
    long_id = "任务-" + "x" * 200
    text = subject(build_alert(image(task_id=long_id)))
    assert len(text) < 100
    assert all(32 <= ord(c) < 127 for c in text)
    assert text.startswith("[block] porn 0.99 umedia task \\u4efb\\u52a1-x")
    assert text.endswith("...")
    unscored = image()
    unscored["moderation"] = {**unscored["moderation"], "max_score": None, "categories": []}
    assert subject(build_alert(unscored)) == "[block] unscored n/a umedia task 1"
    weird = subject(build_alert(image(task_id="a\nb\tc")))
    assert weird == "[block] porn 0.99 umedia task a?b?c"


def test_email_text_is_readable() -> None:
    text = email_text(build_alert(image(video_id="v-1")))
    assert text.startswith("Moderation alert: BLOCK\n")
    assert "Task:       1" in text
    assert "Video:      v-1" in text
    assert "[block] porn 0.99 http://dest.ufile.ucloud.cn/my_1.jpg" in text
    assert "porn: 0.6 / 0.9" in text
    assert "TASK#umedia#1 / RESULT#moderation (revision 1)" in text


def test_message_attributes_for_filter_policies() -> None:
    attributes = message_attributes(build_alert(image()))
    assert attributes == {
        "vendor": {"DataType": "String", "StringValue": "umedia"},
        "suggestion": {"DataType": "String", "StringValue": "block"},
        "categories": {"DataType": "String.Array", "StringValue": '["porn"]'},
        "max_score": {"DataType": "Number", "StringValue": "0.9999947547912598"},
    }
    unscored = image()
    unscored["moderation"] = {**unscored["moderation"], "max_score": None}
    assert "max_score" not in message_attributes(build_alert(unscored))


@pytest.mark.parametrize("field", ["default", "email"])
def test_publish_request_uses_message_structure_json(field: str) -> None:
    request = publish_request("arn:aws:sns:us-east-1:123456789012:t", build_alert(image()))
    assert request["MessageStructure"] == "json"
    message = json.loads(request["Message"])
    assert set(message) == {"default", "email"}
    if field == "default":
        assert json.loads(message["default"])["alert_id"] == build_alert(image())["alert_id"]
    else:
        assert message["email"].startswith("Moderation alert: BLOCK")


@pytest.mark.parametrize(("urls", "source"), [(3000, 100), (3000, 200_000), (50, 100)])
def test_an_alert_with_long_frame_urls_still_fits_one_sns_message(urls: int, source: int) -> None:
    """Found on the nothing-lost read: 100 findings with 3 KB frame URLs, in both the JSON and
    the email form, are over SNS's 256 KiB, and the publish would fail into the dead letters."""
    finding = {
        "category": "porn",
        "label": "porn",
        "score": 0.95,
        "image_url": "http://h/" + "f" * urls,
        "vendor_review": False,
        "suggestion": "block",
    }
    moderation = {**image()["moderation"], "findings": [finding] * 100, "finding_count": 5000}
    alert = build_alert(image(moderation=moderation, source_url="http://s/" + "s" * source))
    request = publish_request("arn:aws:sns:us-east-1:123456789012:t", alert)
    assert len(request["Message"].encode()) < 256 * 1024 - 4096
    sent = json.loads(json.loads(request["Message"])["default"])
    assert sent["finding_count"] == 5000
    assert sent["max_score"] == alert["max_score"]
    assert 0 < len(sent["findings"]) <= 100 or source > 100_000
    if urls == 50:
        assert len(sent["findings"]) == 100  # nothing shed when it fits


def test_the_alert_names_where_its_frames_are_kept() -> None:
    alert = build_alert(image(task_id="a/b#1", revision=3), "media-callbacks-evidence")
    prefix = "s3://media-callbacks-evidence/evidence/umedia/a%2Fb%231/3/"
    assert alert["evidence_prefix"] == prefix
    assert f"Evidence:   {prefix}" in email_text(alert)
    assert build_alert(image())["evidence_prefix"] is None  # no bucket configured
    assert "Evidence:" not in email_text(build_alert(image()))
