"""Moderation alerts: one SNS message per flagged result revision, built from the stored item."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal
from typing import Any

from media_callbacks import keys

SCHEMA = "media-callbacks/moderation-alert/v1"
ALERT_NAMESPACE = uuid.UUID("6f1b7a52-3d0e-5c1e-9a57-2b6f4a8e9c10")
SUBJECT_LIMIT = 99  # SNS: printable ASCII, under 100 characters


# SNS takes 256 KiB per publish, the message, subject and every attribute's name, type and value
# together (all counted by `request_bytes`); the rest is room for the request's own framing.
MESSAGE_BUDGET = 256 * 1024 - 8 * 1024
URL_CHARS = 1024  # what is left of a source URL or task id in an alert that is still too large
# Categories an alert names (the strongest first); `category_count` counts them all. A vendor's
# own labels become categories, so a result can carry hundreds, each repeated in the JSON, the
# email and the `categories` attribute.
MAX_ALERT_CATEGORIES = 100
_RANK = {"block": 2, "review": 1}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def alert_id(pk: str, sk: str, revision: int, received_at: str | None = None) -> str:
    """UUID v5 of "<pk>|<sk>|<revision>|<received_at>": the same revision always gives the same
    id (its received_at is part of it), and an item recreated after its TTL deleted it starts
    again at revision 1 with another received_at, so another id."""
    return str(uuid.uuid5(ALERT_NAMESPACE, f"{pk}|{sk}|{revision}|{received_at or ''}"))


def _plain(value: Any) -> Any:
    """Stream images hold Decimals; alerts are JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def build_alert(image: Mapping[str, Any], evidence_bucket: str | None = None) -> dict[str, Any]:
    """The JSON alert (the message's `default`) from a result item's new image; with the
    evidence bucket, where EvidenceFunction keeps (or is keeping) this revision's frames."""
    item = _plain(image)
    moderation = item.get("moderation") or {}
    revision = int(item.get("revision") or 1)
    evidence = (
        f"s3://{evidence_bucket}/{keys.evidence_prefix(item['vendor'], item['task_id'], revision)}"
        if evidence_bucket
        else None
    )
    return {
        "schema": SCHEMA,
        "alert_id": alert_id(item["pk"], item["sk"], revision, item.get("received_at")),
        "vendor": item["vendor"],
        "kind": item["kind"],
        "task_id": item["task_id"],
        "video_id": item.get("video_id"),
        "source_url": item.get("source_url"),
        "received_at": item.get("received_at"),
        "event_time": item.get("event_time"),
        "status": item.get("status"),
        "revision": revision,
        "decided_by": item.get("decided_by") or "machine",
        "suggestion": moderation.get("suggestion"),
        "categories": _strongest_categories(
            moderation.get("categories", []), moderation.get("findings", [])
        ),
        "category_count": len(moderation.get("categories", [])),
        "max_score": moderation.get("max_score"),
        "findings": moderation.get("findings", []),
        "finding_count": moderation.get("finding_count", len(moderation.get("findings", []))),
        "thresholds": moderation.get("thresholds", {}),
        "table_key": {"pk": item["pk"], "sk": item["sk"]},
        "evidence_prefix": evidence,
    }


def _strongest_categories(categories: list[str], findings: list[dict[str, Any]]) -> list[str]:
    """At most MAX_ALERT_CATEGORIES, sorted: those of block findings first, then review."""
    if len(categories) <= MAX_ALERT_CATEGORIES:
        return categories
    rank: dict[str, int] = {}
    for finding in findings:
        category = str(finding.get("category"))
        rank[category] = max(rank.get(category, 0), _RANK.get(str(finding.get("suggestion")), 0))
    strongest = sorted(categories, key=lambda c: (-rank.get(c, 0), c))
    return sorted(strongest[:MAX_ALERT_CATEGORIES])


def _ascii(text: str) -> str:
    escaped = text.encode("ascii", "backslashreplace").decode("ascii")
    return re.sub(r"[^\x20-\x7e]", "?", escaped)


def _score(score: float | None) -> str:
    """Two decimals, rounded down: 0.99999 is shown as 0.99, never as 1.00."""
    if score is None:
        return "n/a"
    return str(Decimal(str(score)).quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def subject(alert: dict[str, Any]) -> str:
    """`[block] porn 0.99 umedia task 1`: printable ASCII, at most 99 characters."""
    head = _ascii(
        f"[{alert['suggestion']}] {','.join(alert['categories']) or 'unscored'} "
        f"{_score(alert['max_score'])} {alert['vendor']} task "
    )
    task = _ascii(str(alert["task_id"]))
    room = SUBJECT_LIMIT - len(head)
    if len(task) > room:
        task = task[: max(room - 3, 0)] + "..."
    return (head + task)[:SUBJECT_LIMIT]


def _categories_line(alert: dict[str, Any]) -> str:
    named = ", ".join(alert["categories"]) or "-"
    total = alert.get("category_count", len(alert["categories"]))
    if total > len(alert["categories"]):
        named += f", ... ({total} categories in all)"
    return f"Categories: {named} (max score {_score(alert['max_score'])})"


def _one_line(text: str) -> str:
    """Control characters and line separators a vendor sent (in a task id, a label, a URL)
    become `?`: they cannot start a line of their own in the email."""
    return _CONTROL.sub("?", text)


def email_text(alert: dict[str, Any]) -> str:
    """The plain-text summary; each entry of `lines` is exactly one line of it."""
    lines = [
        f"Moderation alert: {str(alert['suggestion']).upper()}",
        "",
        f"Vendor:     {alert['vendor']}",
        f"Task:       {alert['task_id']}",
    ]
    if alert.get("video_id"):
        lines.append(f"Video:      {alert['video_id']}")
    lines += [
        f"Source:     {alert.get('source_url') or '-'}",
        f"Received:   {alert.get('received_at')}",
        _categories_line(alert),
        "",
        "Findings:",
    ]
    for finding in alert["findings"]:
        label = finding.get("label")
        extra = f" ({label})" if label and label != finding["category"] else ""
        review = " vendor asks for review" if finding.get("vendor_review") else ""
        lines.append(
            f"  [{finding['suggestion']}] {finding['category']}{extra} "
            f"{_score(finding.get('score'))} {finding.get('image_url') or '-'}{review}"
        )
    lines += ["", "Thresholds (review / block):"]
    for category, level in sorted(alert["thresholds"].items()):
        lines.append(f"  {category}: {level.get('review')} / {level.get('block')}")
    lines += [
        "",
        f"Alert id:   {alert['alert_id']}",
        f"Table key:  {alert['table_key']['pk']} / {alert['table_key']['sk']}"
        f" (revision {alert['revision']})",
    ]
    if alert.get("evidence_prefix"):
        lines.append(f"Evidence:   {alert['evidence_prefix']} (the frames, kept by this stack)")
    return "\n".join(_one_line(line) for line in lines) + "\n"


def message_attributes(alert: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What subscribers' filter policies can match: vendor, suggestion, categories, max_score."""
    attributes = {
        "vendor": {"DataType": "String", "StringValue": alert["vendor"]},
        "suggestion": {"DataType": "String", "StringValue": alert["suggestion"]},
        "categories": {"DataType": "String.Array", "StringValue": json.dumps(alert["categories"])},
    }
    if alert["max_score"] is not None:  # a Number attribute cannot be null
        attributes["max_score"] = {"DataType": "Number", "StringValue": repr(alert["max_score"])}
    return attributes


def _message(alert: dict[str, Any]) -> str:
    body = json.dumps(alert, ensure_ascii=False, separators=(",", ":"))
    return json.dumps({"default": body, "email": email_text(alert)}, ensure_ascii=False)


def _smaller(alert: dict[str, Any]) -> dict[str, Any]:
    """Half the findings, then half the categories down to one; then long texts cut
    (finding_count and category_count keep the totals)."""
    if alert["findings"]:
        return {**alert, "findings": alert["findings"][: len(alert["findings"]) // 2]}
    if len(alert["categories"]) > 1:
        return {**alert, "categories": alert["categories"][: len(alert["categories"]) // 2]}
    cut = {
        k: str(alert[k])[:URL_CHARS]
        for k in ("source_url", "video_id", "event_time", "status")
        if alert.get(k)
    }
    categories = [str(c)[:URL_CHARS] for c in alert["categories"]]
    return {**alert, **cut, "task_id": str(alert["task_id"])[:URL_CHARS], "categories": categories}


def _request(topic_arn: str, alert: dict[str, Any]) -> dict[str, Any]:
    return {
        "TopicArn": topic_arn,
        "MessageStructure": "json",
        "Message": _message(alert),
        "Subject": subject(alert),
        "MessageAttributes": message_attributes(alert),
    }


def request_bytes(request: dict[str, Any]) -> int:
    """What SNS counts against its 256 KiB: the message, the subject, and each attribute's
    name, data type and value."""
    size = len(request["Message"].encode()) + len(request["Subject"].encode())
    for name, attribute in request["MessageAttributes"].items():
        size += len(name.encode()) + len(attribute["DataType"].encode())
        size += len(attribute["StringValue"].encode())
    return size


def publish_request(topic_arn: str, alert: dict[str, Any]) -> dict[str, Any]:
    """sns.publish arguments: MessageStructure json with `default` and `email`, within SNS's
    256 KiB (both forms and the attributes count): a result with long frame URLs or hundreds of
    categories sheds findings, then categories, to fit, so the alert is still delivered rather
    than failing into the dead-letter queue."""
    request = _request(topic_arn, alert)
    while request_bytes(request) > MESSAGE_BUDGET:
        smaller = _smaller(alert)
        if smaller == alert:
            break
        alert, request = smaller, _request(topic_arn, smaller)
    return request
