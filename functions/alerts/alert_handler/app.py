"""AlertFunction: ResultsTable's stream -> one SNS alert per flagged result revision.

Partial batch responses report only the records that failed; a publish is idempotent on the
alert id (Powertools idempotency, records kept in the same table), so a retried or redelivered
stream record never publishes the same alert twice.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from media_callbacks.alerts import build_alert, is_alertable, publish_request
from media_callbacks.observability import count, logger, tracer
from media_callbacks.settings import settings
from media_callbacks.storage import BOTO_CONFIG

config = settings()
TOPIC_ARN = os.environ["ALERT_TOPIC_ARN"]
# Longer than a stream record lives (24 h), so no redelivery can outlast its idempotency record.
IDEMPOTENCY_SECONDS = 2 * 24 * 3600

sns = boto3.client("sns", config=BOTO_CONFIG)
persistence = DynamoDBPersistenceLayer(
    table_name=config.table_name,
    key_attr="pk",
    sort_key_attr="sk",
    expiry_attr="expires_at",
    boto3_client=boto3.client("dynamodb", config=BOTO_CONFIG),
)
idempotency = IdempotencyConfig(
    event_key_jmespath="alert_id", expires_after_seconds=IDEMPOTENCY_SECONDS
)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@idempotent_function(  # type: ignore[untyped-decorator]
    data_keyword_argument="alert", persistence_store=persistence, config=idempotency
)
def publish(alert: dict[str, Any]) -> dict[str, str]:
    response = sns.publish(**publish_request(TOPIC_ARN, alert))
    count("Alerts", Vendor=alert["vendor"], Suggestion=alert["suggestion"])
    logger.info(
        f"alert {alert['suggestion']} {alert['vendor']} task {alert['task_id']}",
        extra={"alert_id": alert["alert_id"], "message_id": response["MessageId"]},
    )
    return {"alert_id": alert["alert_id"], "message_id": response["MessageId"]}


@tracer.capture_method
def record_handler(record: DynamoDBRecord) -> None:
    image = record.dynamodb.new_image if record.dynamodb else None
    if not image or not is_alertable(image):
        return  # the event source mapping's filter already keeps these out
    publish(alert=build_alert(image))


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    idempotency.register_lambda_context(context)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
