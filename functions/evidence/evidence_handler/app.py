"""EvidenceFunction: ResultsTable's stream -> each flagged result revision's frames kept in S3
(media_callbacks.evidence), on its own so that no alert waits for a download.

Partial batch responses report only the records that failed (S3 or the table did not answer,
or refused access; media_callbacks.consumer); one frame is never a failure: one that cannot be
fetched, or that S3 refuses as an object (its key, metadata, size), has its reason recorded on
the item, and the record is made smaller when the item is near DynamoDB's 400 KB
(media_callbacks.evidence).
"""

from __future__ import annotations

from media_callbacks import coldstart

coldstart.begin()

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from evidence_handler.root import build, settings
from media_callbacks.composition import Root
from media_callbacks.consumer import on_flagged_revisions
from media_callbacks.evidence import Collector
from media_callbacks.observability import count, logger
from media_callbacks.stream import ResultImage

config = settings()  # a bad environment fails the cold start, not a record
root: Root[Collector] = Root(lambda: build(config))


def keep_frames(image: ResultImage) -> None:
    outcomes = root.get().collect(image)
    if outcomes is None:
        return  # this revision's evidence is recorded already (a retry, or our own update)
    kept = sum(1 for outcome in outcomes if "key" in outcome)
    vendor = image["vendor"]
    count("EvidenceFrames", kept, Outcome="kept")
    count("EvidenceFrames", len(outcomes) - kept, Outcome="missing")
    logger.info(
        f"evidence {vendor} task {image['task_id']}: {kept} of {len(outcomes)} kept",
        extra={"reasons": sorted({o["reason"] for o in outcomes if "reason" in o})},
    )


consumer = on_flagged_revisions(keep_frames)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer(event, context)


coldstart.end()
