"""EvidenceFunction: ResultsTable's stream -> each flagged result revision's frames kept in S3
(media_callbacks.evidence), on its own so that no alert waits for a download.

Partial batch responses report only the records that failed (S3 or the table did not answer,
or refused access); one frame is never a failure: one that cannot be fetched, or that S3 refuses
as an object (its key, metadata, size), has its reason recorded on the item, and the record is
made smaller when the item is near DynamoDB's 400 KB (media_callbacks.evidence).
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

from evidence_handler.services import build
from media_callbacks.alerts import is_alertable
from media_callbacks.composition import Root
from media_callbacks.evidence import Collector
from media_callbacks.observability import count, logger
from media_callbacks.settings import load_settings

config = load_settings().require("evidence_bucket")  # fails the cold start, not a record
root: Root[Collector] = Root(lambda: build(config))
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image or not is_alertable(image):
        return  # the event source mapping's filter already keeps these out
    outcomes = root.get().collect(image)
    if outcomes is None:
        return  # this revision's evidence is recorded already (a retry, or our own update)
    kept = sum(1 for outcome in outcomes if "key" in outcome)
    vendor = str(image["vendor"])
    count("EvidenceFrames", kept, Vendor=vendor, Outcome="kept")
    count("EvidenceFrames", len(outcomes) - kept, Vendor=vendor, Outcome="missing")
    logger.info(
        f"evidence {image['vendor']} task {image['task_id']}: {kept} of {len(outcomes)} kept",
        extra={"reasons": sorted({o["reason"] for o in outcomes if "reason" in o})},
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


# The cold start's objects (modules, classes, models) live as long as the container: freeze them,
# so that no collection scans them again, and collect from here on (docs/PERFORMANCE.md).
gc.freeze()
gc.enable()
