"""One shell for the functions that consume a stream or a queue (alert, evidence, retry).

Powertools' BatchProcessor hands each record to the function's record handler and answers with
a partial batch response: only the records that raised are retried, each on its own. What a
function adds is its record handler and, optionally, what it does with the invocation's context
before the batch (AlertFunction's idempotency).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from media_callbacks.stream import ResultImage, flagged_revision

__all__ = ["Consumer", "EventType", "on_flagged_revisions"]


class Consumer:
    def __init__(
        self,
        event_type: EventType,
        record_handler: Callable[[Any], None],
        *,
        before_batch: Callable[[LambdaContext], None] | None = None,
    ) -> None:
        self.processor = BatchProcessor(event_type=event_type)
        self.record_handler = record_handler
        self.before_batch = before_batch

    def __call__(self, event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        if self.before_batch is not None:
            self.before_batch(context)
        return process_partial_response(
            event=event,
            record_handler=self.record_handler,
            processor=self.processor,
            context=context,
        )


def on_flagged_revisions(
    handle: Callable[[ResultImage], None],
    *,
    before_batch: Callable[[LambdaContext], None] | None = None,
) -> Consumer:
    """A stream consumer that passes each flagged result revision to `handle`, typed, and
    skips every other record."""

    def record_handler(record: DynamoDBRecord) -> None:
        image = flagged_revision(record)
        if image is not None:
            handle(image)

    return Consumer(EventType.DynamoDBStreams, record_handler, before_batch=before_batch)
