"""AlertFunction: ResultsTable's stream -> one SNS alert per flagged result revision.

Partial batch responses report only the records that failed (media_callbacks.consumer); the
publish is made idempotent on the alert id by Powertools Idempotency (alert_handler.root), so a
retried or redelivered stream record never publishes the same alert twice; a record whose
publish is in progress elsewhere fails and is retried.
"""

from __future__ import annotations

from media_callbacks import coldstart

coldstart.begin()

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from alert_handler.root import Services, build, settings
from media_callbacks import aws
from media_callbacks.alerts import build_alert
from media_callbacks.composition import Root
from media_callbacks.consumer import on_flagged_revisions
from media_callbacks.observability import logger
from media_callbacks.stream import ResultImage

config = settings()  # a bad environment fails the cold start, not a record
root: Root[Services] = Root(lambda: build(config))
if aws.snapshotting():  # the clients into the snapshot
    _ = root.get().persistence.client, root.get().sns


def alert(image: ResultImage) -> None:
    services = root.get()
    services.publish(alert=build_alert(image, services.config.evidence_bucket))


def _expire_in_progress_with(context: LambdaContext) -> None:
    # in-progress records expire with this invocation, so a crash is retried, not held 2 days
    root.get().idempotency.register_lambda_context(context)


consumer = on_flagged_revisions(alert, before_batch=_expire_in_progress_with)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer(event, context)


coldstart.end()
