"""Publishing once per id, for the stream consumers that publish (alerts, decisions).

Powertools Idempotency wraps the function's publish: its records live in the results table
under the function's own partition key (the only key its policy lets it write there) and
expire with the table's TTL, two days: longer than a stream record (24 h) and its retries. A
retried or redelivered record publishes nothing new; one whose publish is in progress
elsewhere fails and is retried.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

RECORD_SECONDS = 2 * 86400


class Once(NamedTuple):  # a dataclass costs ~1 ms of cold start
    idempotency: IdempotencyConfig
    persistence: DynamoDBPersistenceLayer
    publish: Callable[..., str]  # publish(<keyword>=message) -> message id, once per id


def once_per_id(
    publish: Callable[[dict[str, Any]], str],
    *,
    keyword: str,
    id_field: str,
    table_name: str,
    partition: str,
    dynamodb: Any,
) -> Once:
    """`publish`, called as publish(<keyword>=message), at most once per message[id_field]."""
    persistence = DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value=partition,
        expiry_attr="expires_at",  # the table's TTL attribute removes old records
        boto3_client=dynamodb,
    )
    idempotency = IdempotencyConfig(
        event_key_jmespath=id_field,
        expires_after_seconds=RECORD_SECONDS,
        raise_on_no_idempotency_key=True,
    )
    once = idempotent_function(
        data_keyword_argument=keyword, config=idempotency, persistence_store=persistence
    )(publish)
    return Once(idempotency, persistence, once)
