"""IngestRetryFunction: callbacks that waited in IngestRetryQueue, ingested again.

The very same ingestion as a direct callback (duplicates, ordering and the failed-after-succeeded
rule hold; a bad body is kept as a rejected item). While the table is still unavailable the
record fails, is hidden for an exponentially growing delay, and after the queue's
maxReceiveCount lands in IngestRetryDeadLetterQueue (alarmed).
"""

from __future__ import annotations

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
from media_callbacks.ingest import Ingestor
from media_callbacks.observability import logger
from media_callbacks.retry import RetryQueue, backoff_seconds, decode
from media_callbacks.settings import settings
from media_callbacks.storage import ResultStore, StorageUnavailable

config = settings()
if not config.ingest_queue_url:
    raise RuntimeError("INGEST_QUEUE_URL is not set")
store = ResultStore(config.table_name, retention_days=config.retention_days)
ingestor = Ingestor(store, config.thresholds)  # no fallback: a failure retries the record
queue = RetryQueue(config.ingest_queue_url)
processor = BatchProcessor(event_type=EventType.SQS)
if aws.snapshotting():
    _ = store.client, queue.client


def record_handler(record: SQSRecord) -> None:
    delivery = decode(record.body)  # a message that is not a queued callback fails every time
    try:
        outcome = ingestor.ingest(delivery)
    except StorageUnavailable:
        receives = int(record.attributes.approximate_receive_count or 1)
        delay = backoff_seconds(receives, config.retry_backoff_seconds)
        queue.delay(record.receipt_handle, delay)
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
