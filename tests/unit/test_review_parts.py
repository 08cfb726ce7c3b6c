"""The review desk's small parts that need nothing: the claim of groups, the queue's times, the
frames an item's evidence names, and the messages a decision becomes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from media_callbacks.decisions import (
    SCHEMA,
    is_vendor_decision,
    message_of_entry,
    message_of_vendor_review,
    reviewer_entry,
)
from review_handler.frames import frame_key
from review_handler.requests import DecisionRequest, QueueQuery, groups_of

RESULT = {"pk": "TASK#umedia#1", "sk": "RESULT#moderation", "vendor": "umedia", "task_id": "1",
          "revision": 3, "received_at": "2026-11-30T00:00:00.000000Z", "flagged": True}  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "groups"),
    [
        (["reviewers", "admins"], {"reviewers", "admins"}),
        ("[reviewers admins]", {"reviewers", "admins"}),
        ("reviewers,admins", {"reviewers", "admins"}),
        ("reviewers", {"reviewers"}),
        ("[]", set()),
        (None, set()),
        ("[reviewers-old]", {"reviewers-old"}),  # a prefix of the group is not the group
    ],
)
def test_the_groups_claim_is_read_in_every_form_the_authorizer_gives(
    raw: object, groups: set[str]
) -> None:
    assert groups_of(raw) == groups


def test_queue_times_become_utc_text_comparable_with_received_at() -> None:
    query = QueueQuery(since="2026-11-30T08:00:00+08:00", until="2026-11-30T01:00:00")
    assert query.since == "2026-11-30T00:00:00.000000Z"
    assert query.until == "2026-11-30T01:00:00.000000Z"
    with pytest.raises(ValidationError, match="ISO-8601"):
        QueueQuery(since="yesterday")


def test_a_decision_names_its_revision_as_a_number_and_nothing_else() -> None:
    assert DecisionRequest.model_validate_json(b'{"decision":"clear","revision":2}').note == ""
    for body in (b'{"decision":"clear","revision":"2"}', b'{"decision":"clear","revision":true}',
                 b'{"decision":"ok","revision":2}', b'{"decision":"clear"}'):  # fmt: skip
        with pytest.raises(ValidationError):
            DecisionRequest.model_validate_json(body)


def test_frames_are_found_in_both_forms_of_an_items_evidence() -> None:
    listed = [{"key": "evidence/umedia/1/3/0.jpg", "sha256": "a"}, {"reason": "expired"}]
    assert frame_key(listed, None, 0) == ("evidence/umedia/1/3/0.jpg", None)
    assert frame_key(listed, None, 1) == (None, "expired")
    assert frame_key(listed, None, 2) == (None, "not kept yet")
    summary = {"kept": ["0.jpg", "10.png"], "missing": {"403": [1]}}
    prefix = "s3://bucket/evidence/umedia/1/3/"
    assert frame_key(summary, prefix, 10) == ("evidence/umedia/1/3/10.png", None)
    assert frame_key(summary, prefix, 1) == (None, "403")
    assert frame_key(None, None, 0) == (None, "not kept yet")


def test_a_reviewers_decision_message_carries_the_contracts_fields_and_no_email() -> None:
    entry = reviewer_entry(RESULT, decision="clear", user_id="u-1", email="a@example.com",
                           decided_at="2026-11-30T01:00:00Z", note="fine")  # fmt: skip
    assert entry["pk"] == "DECISION#umedia#1"
    assert entry["sk"] == "REVISION#000000000003"
    message = message_of_entry(entry)
    assert set(message) == {"schema", "decision_id", "vendor", "task_id", "video_id", "revision",
                            "alert_id", "decision", "decided_by", "reviewer_id", "decided_at",
                            "note"}  # fmt: skip
    assert message["schema"] == SCHEMA
    assert "a@example.com" not in str(message)
    again = reviewer_entry(RESULT, decision="clear", user_id="u-2", email=None,
                           decided_at="2026-11-30T02:00:00Z", note="")  # fmt: skip
    assert again["decision_id"] == entry["decision_id"]  # one decision per revision: stable id


def test_a_vendor_review_decides_only_a_flagged_revision() -> None:
    old = {**RESULT, "decided_by": "machine"}
    cleared = {**RESULT, "revision": 4, "flagged": False, "decided_by": "vendor_review",
               "received_at": "2026-11-30T03:00:00.000000Z", "message": "ok"}  # fmt: skip
    assert is_vendor_decision(old, cleared)
    assert not is_vendor_decision({**old, "flagged": False}, cleared)
    assert not is_vendor_decision(old, {**cleared, "decided_by": "machine"})
    message = message_of_vendor_review(old, cleared)
    assert (message["decision"], message["revision"], message["reviewer_id"]) == ("clear", 4, None)
    assert message["decided_at"] == "2026-11-30T03:00:00.000000Z"
    confirmed = message_of_vendor_review(old, {**cleared, "flagged": True})
    assert confirmed["decision"] == "confirm"
    assert confirmed["decision_id"] == message["decision_id"]  # of that revision, whatever it says
