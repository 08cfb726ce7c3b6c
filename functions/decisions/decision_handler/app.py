"""DecisionFunction: ResultsTable's stream -> one message per moderation decision on
ModerationDecisionTopic (`media-callbacks/moderation-decision/v1`, docs/ALERTS.md).

Two records are decisions: a reviewer's audit entry written by the review desk (INSERT of a
DECISION# item), and a flagged result's new revision decided by the vendor's own human review
(`decided_by: vendor_review`). The publish is idempotent on the decision id (Powertools
Idempotency, decision_handler.root): a retried or redelivered record publishes nothing new.
"""

from __future__ import annotations

from media_callbacks import coldstart

coldstart.begin()

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from decision_handler.root import Services, build, settings
from media_callbacks import aws, keys
from media_callbacks.composition import Root
from media_callbacks.consumer import Consumer, EventType
from media_callbacks.decisions import (
    is_vendor_decision,
    message_of_entry,
    message_of_vendor_review,
)
from media_callbacks.observability import logger

config = settings()  # a bad environment fails the cold start, not a record
root: Root[Services] = Root(lambda: build(config))
if aws.snapshotting():  # the clients into the snapshot
    _ = root.get().persistence.client, root.get().sns


def decision_message(record: DynamoDBRecord) -> dict[str, Any] | None:
    """The decision a stream record carries, or None (the mapping's filter keeps those out)."""
    new = record.dynamodb.new_image if record.dynamodb else None
    old = record.dynamodb.old_image if record.dynamodb else None
    inserted = record.event_name is not None and record.event_name.name == "INSERT"
    if new and inserted and keys.is_decision(str(new.get("pk", ""))):
        return message_of_entry(new)
    if old and new and is_vendor_decision(old, new):
        return message_of_vendor_review(old, new)
    return None


def record_handler(record: DynamoDBRecord) -> None:
    message = decision_message(record)
    if message is not None:
        root.get().publish(message=message)


def _expire_in_progress_with(context: LambdaContext) -> None:
    # in-progress records expire with this invocation, so a crash is retried, not held 2 days
    root.get().idempotency.register_lambda_context(context)


consumer = Consumer(
    EventType.DynamoDBStreams, record_handler, before_batch=_expire_in_progress_with
)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer(event, context)


coldstart.end()
