"""IngestRetryFunction: callbacks that waited in IngestRetryQueue, ingested again.

The very same ingestion as a direct callback (duplicates, ordering and the failed-after-succeeded
rule hold; a bad body is kept as a rejected item). While the table is still unavailable the
record fails, is hidden for an exponentially growing delay, and after the queue's
maxReceiveCount lands in IngestRetryDeadLetterQueue (alarmed).
"""

from __future__ import annotations

from media_callbacks import coldstart

coldstart.begin()

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from media_callbacks import aws
from media_callbacks.composition import Root
from media_callbacks.consumer import Consumer, EventType
from media_callbacks.observability import logger
from media_callbacks.retry import backoff_seconds, decode
from media_callbacks.storage import StorageUnavailable
from retry_handler.root import Services, build, settings

config = settings()  # a bad environment fails the cold start, not a record
root: Root[Services] = Root(lambda: build(config))
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
        # not `outcome`: the ingestion's own line has it, and the Callbacks metric counts those
        extra={"request_id": delivery.request_id, "ingested": outcome.status},
    )


consumer = Consumer(EventType.SQS, record_handler)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer(event, context)


coldstart.end()
