"""AlertFunction: ResultsTable's stream -> one SNS alert per flagged result revision.

Partial batch responses report only the records that failed; the publish is made idempotent on
the alert id by Powertools Idempotency (alert_handler.services), so a retried or redelivered
stream record never publishes the same alert twice; a record whose publish is in progress
elsewhere fails and is retried.
"""

from __future__ import annotations

import gc

gc.disable()  # no cyclic collection while the cold start imports: see the end of this module

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from alert_handler.services import Services, build
from media_callbacks import aws
from media_callbacks.alerts import build_alert, is_alertable
from media_callbacks.composition import Root
from media_callbacks.observability import logger
from media_callbacks.settings import load_settings

config = load_settings().require("alert_topic_arn")  # fails the cold start, not a record
root: Root[Services] = Root(lambda: build(config))
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
if aws.snapshotting():  # the clients into the snapshot
    _ = root.get().persistence.client, root.get().sns


def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image or not is_alertable(image):
        return  # the event source mapping's filter already keeps these out
    root.get().publish(alert=build_alert(image, config.evidence_bucket))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    # in-progress records expire with this invocation, so a crash is retried, not held 2 days
    root.get().idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


# The cold start's objects (modules, classes, models) live as long as the container: freeze them,
# so that no collection scans them again, and collect from here on. Together with gc.disable()
# above this takes about 30 ms off a cold start (docs/PERFORMANCE.md).
gc.freeze()
gc.enable()
