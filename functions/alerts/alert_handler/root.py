"""AlertFunction's composition root: the SNS client and topic, and the publish wrapped in
Powertools Idempotency (its DynamoDB persistence layer on the results table), built from
validated settings in one place; tests pass their own pieces."""

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig

from media_callbacks import aws, keys
from media_callbacks.alerts import publish_request
from media_callbacks.observability import count, logger
from media_callbacks.once import once_per_id
from media_callbacks.settings import Settings, load_settings


class Services(NamedTuple):  # a dataclass costs ~1 ms of cold start
    config: Settings
    idempotency: IdempotencyConfig
    persistence: DynamoDBPersistenceLayer
    sns: Any
    publish: Callable[..., str]  # publish(alert=...) -> message id, once per alert id


def _publish(sns: Any, topic_arn: str) -> Callable[..., str]:
    def publish(alert: dict[str, Any]) -> str:
        request = publish_request(topic_arn, alert)
        message_id: str = sns.publish(**request)["MessageId"]
        count("Alerts", Suggestion=alert["suggestion"])
        logger.info(
            f"alert {request['Subject']}",  # `[block] porn 0.99 umedia task 1`
            extra={"alert_id": alert["alert_id"], "message_id": message_id},
        )
        return message_id

    return publish


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """This function's settings from the environment (default: the process's), validated:
    ConfigError names each variable that is missing or wrong."""
    return load_settings(environ).require("alert_topic_arn")


def build(config: Settings, *, sns: Any = None, dynamodb: Any = None) -> Services:
    assert config.alert_topic_arn is not None  # noqa: S101 (settings.require checked it)
    sns = sns or aws.client("sns")
    once = once_per_id(
        _publish(sns, config.alert_topic_arn),
        keyword="alert",
        id_field="alert_id",
        table_name=config.table_name,
        partition=keys.IDEMPOTENCY_PK,  # the function may write no other key of the table
        dynamodb=dynamodb or aws.client("dynamodb"),
    )
    return Services(config, once.idempotency, once.persistence, sns, once.publish)
