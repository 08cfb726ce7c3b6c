"""Moderation decisions: what a person decided about a flagged result, as an audit entry and as
the `media-callbacks/moderation-decision/v1` message on ModerationDecisionTopic (docs/ALERTS.md).

Two deciders: a reviewer of the review desk (the entry is written by the review function, one
per revision of the task's moderation result), and a vendor's own human review that clears or
confirms a flagged result (a new revision of that result with `decided_by: vendor_review`,
seen on the table's stream). DecisionFunction publishes both, once per decision id.
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any, Literal

from media_callbacks import keys
from media_callbacks.alerts import alert_id

SCHEMA = "media-callbacks/moderation-decision/v1"
DECISION_NAMESPACE = uuid.UUID("0c9e5d3a-7f41-5b8e-8d2a-4e6b1f9a3c57")
Decision = Literal["confirm", "clear"]
DECISIONS: tuple[Decision, ...] = ("confirm", "clear")
MAX_NOTE_CHARS = 2000
# what a message carries of an entry: everything but the keys and the reviewer's email
MESSAGE_FIELDS = (
    "decision_id", "vendor", "task_id", "video_id", "revision", "alert_id", "decision",
    "decided_by", "reviewer_id", "decided_at", "note",
)  # fmt: skip


def decision_id(pk: str, sk: str, revision: int, received_at: str | None, decided_by: str) -> str:
    """UUID v5 of the result's key, revision and received_at, and who decides: one stable id
    per decision of a revision, whoever sends it and however often."""
    text = f"{pk}|{sk}|{revision}|{received_at or ''}|{decided_by}"
    return str(uuid.uuid5(DECISION_NAMESPACE, text))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def reviewer_entry(
    result: dict[str, Any],
    *,
    decision: Decision,
    user_id: str,
    email: str | None,
    decided_at: str,
    note: str,
) -> dict[str, Any]:
    """A reviewer's audit entry for the result's current revision (plain data, keys included)."""
    revision = int(result["revision"])
    received_at = result.get("received_at")
    return {
        **keys.decision_key(result["vendor"], result["task_id"], revision),
        "decision_id": decision_id(result["pk"], result["sk"], revision, received_at, "reviewer"),
        "vendor": result["vendor"],
        "task_id": result["task_id"],
        "video_id": result.get("video_id"),
        "revision": revision,
        "alert_id": alert_id(result["pk"], result["sk"], revision, received_at),
        "decision": decision,
        "decided_by": "reviewer",
        "reviewer_id": user_id,
        "reviewer_email": email,
        "decided_at": decided_at,
        "note": note,
        "result_key": {"pk": result["pk"], "sk": result["sk"]},
    }


def message_of_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """The message for an audit entry (a DECISION# item, from the table or its stream)."""
    item = _plain(entry)
    return {"schema": SCHEMA, **{name: item.get(name) for name in MESSAGE_FIELDS}}


def is_vendor_decision(old: dict[str, Any] | None, new: dict[str, Any] | None) -> bool:
    """A new revision of a flagged result that the vendor's own human review decided."""
    if not old or not new or not keys.is_result(str(new.get("pk", ""))):
        return False
    return old.get("flagged") is True and new.get("decided_by") == "vendor_review"


def message_of_vendor_review(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The message for a vendor's review that clears (no longer flagged) or confirms (still
    flagged) the flagged revision before it; it answers that revision's alert."""
    before, after = _plain(old), _plain(new)
    revision = int(after.get("revision") or 1)
    prior = int(before.get("revision") or 1)
    return {
        "schema": SCHEMA,
        "decision_id": decision_id(
            after["pk"], after["sk"], revision, after.get("received_at"), "vendor_review"
        ),
        "vendor": after["vendor"],
        "task_id": after["task_id"],
        "video_id": after.get("video_id") or before.get("video_id"),  # reviews may omit it
        "revision": revision,
        "alert_id": alert_id(before["pk"], before["sk"], prior, before.get("received_at")),
        "decision": "confirm" if after.get("flagged") is True else "clear",
        "decided_by": "vendor_review",
        "reviewer_id": None,
        "decided_at": after.get("event_time") or after.get("received_at"),
        "note": after.get("message"),
    }


def message_attributes(message: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What subscribers' filter policies can match: vendor, decision, decided_by."""
    return {
        name: {"DataType": "String", "StringValue": str(message[name])}
        for name in ("vendor", "decision", "decided_by")
    }


def publish_request(topic_arn: str, message: dict[str, Any]) -> dict[str, Any]:
    """sns.publish arguments: the JSON message and its attributes (a note is at most 2000
    characters and a task id at most 1 KiB, so a message stays far below SNS's 256 KiB)."""
    return {
        "TopicArn": topic_arn,
        "Message": json.dumps(message, ensure_ascii=False, separators=(",", ":")),
        "MessageAttributes": message_attributes(message),
    }
