"""AlertFunction: ResultsTable's stream -> one SNS alert per flagged result revision.

Partial batch responses report only the records that failed; the publish is recorded in an
alert ledger keyed on the alert id (media_callbacks.ledger), so a retried or redelivered stream
record never publishes the same alert twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from alert_handler.services import Services, build
from media_callbacks import aws
from media_callbacks.alerts import build_alert, is_alertable, publish_request
from media_callbacks.composition import Root
from media_callbacks.observability import count, logger
from media_callbacks.settings import load_settings

config = load_settings().require("alert_topic_arn")  # fails the cold start, not a record
root: Root[Services] = Root(lambda: build(config))
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
if aws.snapshotting():  # the clients into the snapshot
    _ = root.get().ledger.client


def publish(alert: dict[str, Any]) -> str | None:
    """Publish once per alert id; the message id, or None when it was published before."""
    alert_id = alert["alert_id"]
    services = root.get()
    ledger = services.ledger
    if not ledger.begin(alert_id):
        logger.info(f"alert {alert_id} was published before", extra={"alert_id": alert_id})
        return None
    try:
        request = publish_request(services.topic_arn, alert)
        message_id: str = services.sns.publish(**request)["MessageId"]
    except Exception:
        ledger.abandon(alert_id)
        raise
    try:
        ledger.complete(alert_id, message_id)
    except (ClientError, BotoCoreError):
        # The alert is out: failing the record now would publish it again once the in-progress
        # mark expires. Succeeding leaves only a later redelivery of it (a retried neighbour in
        # the same batch) able to publish twice, after 60 s; see docs/ALERTS.md.
        logger.exception("alert published but its ledger record not completed")
    count("Alerts", Vendor=alert["vendor"], Suggestion=alert["suggestion"])
    logger.info(
        f"alert {alert['suggestion']} {alert['vendor']} task {alert['task_id']}",
        extra={"alert_id": alert_id, "message_id": message_id},
    )
    return message_id


def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image or not is_alertable(image):
        return  # the event source mapping's filter already keeps these out
    publish(build_alert(image))


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
