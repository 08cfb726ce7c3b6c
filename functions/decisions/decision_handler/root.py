"""DecisionFunction's composition root: the SNS client and topic, and the publish wrapped in
Powertools Idempotency on the decision id (records under PUBLISHED#decisions in the results
table), built from validated settings in one place; tests pass their own clients."""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from media_callbacks import aws, keys
from media_callbacks.decisions import publish_request
from media_callbacks.observability import logger
from media_callbacks.settings import Settings, load_settings

RECORD_SECONDS = 2 * 86400  # longer than a stream record (24 h) and its retries


class Services(NamedTuple):
    config: Settings
    idempotency: IdempotencyConfig
    persistence: DynamoDBPersistenceLayer
    sns: Any
    publish: Callable[..., str]  # publish(message=...) -> message id, once per decision id


def _publish(sns: Any, topic_arn: str) -> Callable[..., str]:
    def publish(message: dict[str, Any]) -> str:
        message_id: str = sns.publish(**publish_request(topic_arn, message))["MessageId"]
        logger.info(
            f"decision {message['decision']} by {message['decided_by']}: "
            f"{message['vendor']} task {message['task_id']} revision {message['revision']}",
            extra={
                "decision_id": message["decision_id"],
                "message_id": message_id,
                "decision": message["decision"],  # the dashboard's decisions table reads these
                "decided_by": message["decided_by"],
                "vendor": message["vendor"],
            },
        )
        return message_id

    return publish


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """This function's settings from the environment (default: the process's), validated:
    ConfigError names each variable that is missing or wrong."""
    return load_settings(environ).require("decision_topic_arn")


def build(config: Settings, *, sns: Any = None, dynamodb: Any = None) -> Services:
    assert config.decision_topic_arn is not None  # noqa: S101 (settings.require checked it)
    sns = sns or aws.client("sns")
    persistence = DynamoDBPersistenceLayer(
        table_name=config.table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=keys.DECISION_IDEMPOTENCY_PK,
        expiry_attr="expires_at",
        boto3_client=dynamodb or aws.client("dynamodb"),
    )
    idempotency = IdempotencyConfig(
        event_key_jmespath="decision_id",
        expires_after_seconds=RECORD_SECONDS,
        raise_on_no_idempotency_key=True,
    )
    publish = idempotent_function(
        data_keyword_argument="message", config=idempotency, persistence_store=persistence
    )(_publish(sns, config.decision_topic_arn))
    return Services(config, idempotency, persistence, sns, publish)
