"""IngestRetryFunction: callbacks that waited in IngestRetryQueue, ingested again.

The very same ingestion as a direct callback (duplicates, ordering and the failed-after-succeeded
rule hold; a bad body is kept as a rejected item). While the table is still unavailable the
record fails, is hidden for an exponentially growing delay, and after the queue's
maxReceiveCount lands in IngestRetryDeadLetterQueue (alarmed).
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
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from media_callbacks import aws
from media_callbacks.composition import Root
from media_callbacks.observability import logger
from media_callbacks.retry import backoff_seconds, decode
from media_callbacks.settings import load_settings
from media_callbacks.storage import StorageUnavailable
from retry_handler.services import Services, build

config = load_settings().require("ingest_queue_url")  # fails the cold start, not a record
root: Root[Services] = Root(lambda: build(config))
processor = BatchProcessor(event_type=EventType.SQS)
if aws.snapshotting():
    _ = root.get().store.client, root.get().queue.client


def record_handler(record: SQSRecord) -> None:
    delivery = decode(record.body)  # a message that is not a queued callback fails every time
    services = root.get()
    try:
        outcome = services.ingestor.ingest(delivery)
    except StorageUnavailable:
        receives = int(record.attributes.approximate_receive_count or 1)
        delay = backoff_seconds(receives, services.config.retry_backoff_seconds)
        services.queue.delay(record.receipt_handle, delay)
        logger.warning(
            f"table still unavailable; {delivery.route} retried in {delay} s",
            extra={"request_id": delivery.request_id, "attempt": receives},
        )
        raise
    logger.info(
        f"queued {delivery.route} ingested: {outcome.status}",
        extra={"request_id": delivery.request_id, "outcome": outcome.status},
    )


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )


# The cold start's objects (modules, classes, models) live as long as the container: freeze them,
# so that no collection scans them again, and collect from here on. Together with gc.disable()
# above this takes about 30 ms off a cold start (docs/PERFORMANCE.md).
gc.freeze()
gc.enable()
