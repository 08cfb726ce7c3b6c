"""ResultsTable access: one conditional write per callback, rejected bodies, task look-ups."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import aws
from media_callbacks.results import CallbackResult

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

WriteStatus = Literal["stored", "duplicate", "ignored"]

FLAGGED_KEY = "FLAGGED"  # FlaggedIndex: flagged results, newest first (SourceUrlIndex: source_key)
MAX_INDEX_KEY_BYTES = 1024  # longer source URLs are stored but not indexed


class StorageUnavailable(Exception):
    """The table did not answer (after the SDK's retries)."""


class ItemRefused(Exception):
    """The table refused the item itself (too large, invalid); retrying cannot help."""


@dataclass(frozen=True)
class WriteOutcome:
    status: WriteStatus


def result_key(vendor: str, task_id: str, kind: str) -> dict[str, str]:
    return {"pk": f"TASK#{vendor}#{task_id}", "sk": f"RESULT#{kind}"}


def to_dynamodb(value: Any) -> dict[str, Any]:
    """Plain JSON-like data as a DynamoDB attribute value (numbers as exact decimal text)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"DynamoDB cannot store {value}")
        return {"N": repr(value)}
    if isinstance(value, Decimal):
        return {"N": str(value)}
    if isinstance(value, dict):
        return {"M": {str(k): to_dynamodb(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_dynamodb(v) for v in value]}
    raise TypeError(f"cannot store a {type(value).__name__} in DynamoDB")


def from_dynamodb(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain JSON-ready data (numbers become int or float)."""
    return {key: from_attribute(value) for key, value in item.items()}


def _number(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def from_attribute(value: dict[str, Any]) -> Any:
    """One DynamoDB attribute value as plain data."""
    [(kind, data)] = value.items()
    match kind:
        case "S" | "BOOL" | "B":
            return data
        case "N":
            return _number(data)
        case "NULL":
            return None
        case "M":
            return {k: from_attribute(v) for k, v in data.items()}
        case "L":
            return [from_attribute(v) for v in data]
        case "SS" | "BS":
            return list(data)
        case "NS":
            return [_number(v) for v in data]
    raise ValueError(f"unknown DynamoDB attribute type {kind}")


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
        """The client given at construction (tests), else the process's shared one."""
        return self._client if self._client is not None else aws.client("dynamodb")

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

        One UpdateItem, no read: the condition refuses a duplicate (same payload hash), a
        failed result over a succeeded one, and a result that arrived before the stored one (a
        request that waited in the retry queue, or a replay); on refusal the old item comes back
        with the error and tells which. Otherwise every attribute is replaced and `revision` goes
        up by one.
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
        names["#rev"], names["#sha"], names["#ra"] = "revision", "payload_sha256", "received_at"
        values[":ra"] = {"S": received_at}
        update = "SET " + ", ".join(sets)
        if removes:
            update += " REMOVE " + ", ".join(removes)
        update += " ADD #rev :one"
        condition = "attribute_not_exists(pk) OR (#sha <> :sha AND #ra <= :ra"
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
            return WriteOutcome(status)
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
