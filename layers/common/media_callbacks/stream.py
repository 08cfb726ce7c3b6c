"""ResultsTable's stream as its consumers read it: a flagged result revision, typed.

The alert and evidence functions see the same records; this is the one place that says which
records they act on and what a result's new image holds for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Required, TypedDict, TypeGuard

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from media_callbacks import keys


class ResultImage(TypedDict, total=False):
    """A result item's new image (Powertools deserialises numbers to Decimal): the fields the
    consumers read, as DESIGN.md's table lays them out."""

    pk: Required[str]
    sk: Required[str]
    vendor: Required[str]
    kind: Required[str]
    task_id: Required[str]
    revision: Required[Decimal]
    flagged: Required[bool]
    received_at: str
    event_time: str
    status: str
    video_id: str
    source_url: str
    moderation: dict[str, Any]


def is_flagged_result(image: Mapping[str, Any]) -> TypeGuard[ResultImage]:
    """A stored result (not an idempotency, evidence or rejected record) that is flagged."""
    return keys.is_result(str(image.get("pk", ""))) and image.get("flagged") is True


def flagged_revision(record: DynamoDBRecord) -> ResultImage | None:
    """The record's new image when it is a flagged result revision, else None (the event
    source mapping's filter already keeps the others out; this holds without it)."""
    image = record.dynamodb.new_image if record.dynamodb else None
    return image if image and is_flagged_result(image) else None
