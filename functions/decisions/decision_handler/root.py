"""DecisionFunction's composition root: the SNS client and topic, and the publish wrapped in
Powertools Idempotency on the decision id (records under PUBLISHED#decisions in the results
table), built from validated settings in one place; tests pass their own clients."""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

from media_callbacks import aws, keys
from media_callbacks.decisions import publish_request
from media_callbacks.observability import logger
from media_callbacks.once import once_per_id
from media_callbacks.settings import Settings, load_settings


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
    once = once_per_id(
        _publish(sns, config.decision_topic_arn),
        keyword="message",
        id_field="decision_id",
        table_name=config.table_name,
        partition=keys.DECISION_IDEMPOTENCY_PK,  # the function may write no other key of the table
        dynamodb=dynamodb or aws.client("dynamodb"),
    )
    return Services(config, once.idempotency, once.persistence, sns, once.publish)
