"""Publish each alert at most once: a ledger record per alert_id in the results table.

What Powertools idempotency does, as conditional writes on the function's botocore client
(its DynamoDB layer imports boto3, and s3transfer with it, on every cold start):

1. `begin`: PutItem `ALERT#<alert_id>` with status INPROGRESS, unless a record exists that is
   COMPLETED, or INPROGRESS and not yet expired (another invocation is publishing it, or one
   crashed mid-way: the record is retried once the mark expires);
2. publish;
3. `complete` marks it COMPLETED with the message id; `abandon` deletes it when the publish
   failed, so the retried record publishes.

Records expire (TTL `expires_at`) after two days, longer than a stream record lives.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import aws, keys

KEEP_SECONDS = 2 * 24 * 3600
IN_PROGRESS_SECONDS = 60  # six times AlertFunction's timeout: a crashed attempt is retried soon


class AlertInProgress(Exception):
    """Another invocation is publishing this alert right now; retry the record later."""


@dataclass
class AlertLedger:
    table_name: str
    _client: Any = None

    @property
    def client(self) -> Any:
        """The client given at construction (tests), else the process's shared one."""
        return self._client if self._client is not None else aws.client("dynamodb")

    @staticmethod
    def key(alert_id: str) -> dict[str, dict[str, str]]:
        return {name: {"S": value} for name, value in keys.alert_key(alert_id).items()}

    def begin(self, alert_id: str) -> bool:
        """True when this invocation should publish; False when it was published already."""
        now = int(time.time())
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    **self.key(alert_id),
                    "status": {"S": "INPROGRESS"},
                    "in_progress_until": {"N": str(now + IN_PROGRESS_SECONDS)},
                    "expires_at": {"N": str(now + KEEP_SECONDS)},
                },
                ConditionExpression=(
                    "attribute_not_exists(pk) OR (#s = :busy AND in_progress_until < :now)"
                ),
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":busy": {"S": "INPROGRESS"}, ":now": {"N": str(now)}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if aws.error_code(exc) != "ConditionalCheckFailedException":
                raise
            old: dict[str, Any] = exc.response.get("Item") or {}  # type: ignore[assignment]
            status = old.get("status", {}).get("S")
            if status == "COMPLETED":
                return False
            raise AlertInProgress(alert_id) from exc
        return True

    def complete(self, alert_id: str, message_id: str) -> None:
        self.client.update_item(
            TableName=self.table_name,
            Key=self.key(alert_id),
            UpdateExpression="SET #s = :done, message_id = :m REMOVE in_progress_until",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":done": {"S": "COMPLETED"}, ":m": {"S": message_id}},
        )

    def abandon(self, alert_id: str) -> None:
        # if this fails too, the record still expires (in_progress_until) before the retry
        with contextlib.suppress(ClientError, BotoCoreError):
            self.client.delete_item(TableName=self.table_name, Key=self.key(alert_id))
