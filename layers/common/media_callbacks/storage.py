"""ResultsTable access: one conditional write per callback, rejected bodies, task look-ups."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks.results import CallbackResult

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

WriteStatus = Literal["stored", "duplicate", "ignored"]

FLAGGED_INDEX = "FlaggedIndex"  # flagged results, newest first: flagged_key = "FLAGGED"
SOURCE_INDEX = "SourceUrlIndex"  # every result of one source URL: source_key = the URL
FLAGGED_KEY = "FLAGGED"
MAX_INDEX_KEY_BYTES = 1024  # longer source URLs are stored but not indexed

# The SDK retries throttling and 5XX itself (standard mode); a callback then fails fast.
BOTO_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=2, read_timeout=5
)

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class StorageUnavailable(Exception):
    """The table did not answer (after the SDK's retries)."""


class ItemRefused(Exception):
    """The table refused the item itself (too large, invalid); retrying cannot help."""


@dataclass(frozen=True)
class WriteOutcome:
    status: WriteStatus
    revision: int | None = None


def result_key(vendor: str, task_id: str, kind: str) -> dict[str, str]:
    return {"pk": f"TASK#{vendor}#{task_id}", "sk": f"RESULT#{kind}"}


def to_dynamodb(value: Any) -> dict[str, Any]:
    """Serialise plain JSON-like data (floats become Decimals) into a DynamoDB attribute value."""
    serialized: dict[str, Any] = _serializer.serialize(  # type: ignore[assignment]
        json.loads(json.dumps(value), parse_float=Decimal)
    )
    return serialized


def from_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain JSON-ready data (Decimals become int or float)."""
    return {key: _plain(_deserializer.deserialize(value)) for key, value in item.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def _expires_at(received_at: str, retention_days: int) -> int | None:
    if retention_days <= 0:
        return None
    received = datetime.fromisoformat(received_at.replace("Z", "+00:00"))
    return int(received.timestamp()) + retention_days * 86400


class ResultStore:
    def __init__(
        self, table_name: str, *, retention_days: int = 0, client: DynamoDBClient | None = None
    ) -> None:
        self.table_name = table_name
        self.retention_days = retention_days
        self._client = client

    @property
    def client(self) -> DynamoDBClient:
        if self._client is None:
            self._client = boto3.client("dynamodb", config=BOTO_CONFIG)
        return self._client

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ConditionalCheckFailedException":
                raise
            if code == "ValidationException":
                raise ItemRefused(exc.response["Error"].get("Message", code)) from exc
            raise StorageUnavailable(f"{operation}: {code}") from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"{operation}: {type(exc).__name__}") from exc

    def put_result(
        self,
        result: CallbackResult,
        *,
        payload: str,
        payload_sha256: str,
        received_at: str,
        request_id: str,
    ) -> WriteOutcome:
        """Store the result unless it is a duplicate or a failure after a success.

        One UpdateItem, no read: the condition refuses a duplicate (same payload hash) and a
        failed result over a succeeded one; on refusal the old item comes back with the error and
        tells which. Otherwise every attribute is replaced and `revision` goes up by one.
        """
        source = result.source_url
        attributes: dict[str, Any] = {
            "vendor": result.vendor,
            "kind": result.kind,
            "task_id": result.task_id,
            "status": result.status,
            "message": result.message,
            "source_url": source,
            "received_at": received_at,
            "event_time": result.event_time,
            "video_id": result.video_id,
            "request_id": request_id,
            "payload_sha256": payload_sha256,
            "payload": payload,
            "result": result.result,
            "moderation": result.moderation.model_dump() if result.moderation else None,
            "flagged": result.flagged,
        }
        optional: dict[str, Any] = {
            "flagged_key": FLAGGED_KEY if result.flagged else None,
            "source_key": source
            if source and len(source.encode()) <= MAX_INDEX_KEY_BYTES
            else None,
            "expires_at": _expires_at(received_at, self.retention_days),
        }
        names: dict[str, str] = {}
        values: dict[str, Any] = {
            ":sha": {"S": payload_sha256},
            ":one": {"N": "1"},
        }
        sets, removes = [], []
        for i, (name, value) in enumerate({**attributes, **optional}.items()):
            names[f"#a{i}"] = name
            if value is None and name in optional:
                removes.append(f"#a{i}")
            else:
                values[f":v{i}"] = to_dynamodb(value)
                sets.append(f"#a{i} = :v{i}")
        names["#rev"], names["#sha"] = "revision", "payload_sha256"
        update = "SET " + ", ".join(sets)
        if removes:
            update += " REMOVE " + ", ".join(removes)
        update += " ADD #rev :one"
        condition = "attribute_not_exists(pk) OR (#sha <> :sha"
        if result.status == "failed":
            condition += " AND #status <> :succeeded"
            names["#status"] = "status"
            values[":succeeded"] = {"S": "succeeded"}
        condition += ")"
        try:
            self._call(
                "update_item",
                TableName=self.table_name,
                Key=to_dynamodb(result_key(result.vendor, result.task_id, result.kind))["M"],
                UpdateExpression=update,
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            old = from_dynamodb(dict(exc.response.get("Item", {})))  # type: ignore[call-overload]
            status: WriteStatus = (
                "duplicate" if old.get("payload_sha256") == payload_sha256 else "ignored"
            )
            return WriteOutcome(status, old.get("revision"))
        return WriteOutcome("stored")

    def put_rejected(self, item: dict[str, Any]) -> None:
        """Store a rejected body; the caller gives pk, sk and the rest."""
        expires = _expires_at(item["received_at"], self.retention_days)
        if expires is not None:
            item = {**item, "expires_at": expires}
        self._call(
            "put_item",
            TableName=self.table_name,
            Item=to_dynamodb(item)["M"],
        )

    def task_results(self, vendor: str, task_id: str) -> list[dict[str, Any]]:
        """Every stored result of one task, newest first."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :result)",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"TASK#{vendor}#{task_id}"},
                ":result": {"S": "RESULT#"},
            },
        }
        while True:
            page = self._call("query", **kwargs)
            items.extend(from_dynamodb(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        items.sort(key=lambda item: item.get("received_at", ""), reverse=True)
        return items
