"""The review desk's reads and writes of ResultsTable, through the table's one gateway
(media_callbacks.storage: its calls, and DynamoDB's errors mapped there).

Reads: flagged results from FlaggedIndex, a task's moderation result, its decisions, claims.
Writes: an audit entry (PutItem, only if none exists for that revision: no route changes or
deletes one) and a claim (PutItem, only over a claim that is the caller's own or has lapsed).
The template grants the review function exactly these (docs/REVIEW.md, Security).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import keys
from media_callbacks.items import from_dynamodb, to_dynamodb
from media_callbacks.storage import ConditionFailed, ResultsTable, StorageUnavailable, domain_error

FLAGGED_INDEX = "FlaggedIndex"
BATCH_LIMIT = 100  # BatchGetItem's keys per call


class AlreadyDecided(Exception):
    """This revision has its decision already; `entry` is the stored one."""

    def __init__(self, entry: dict[str, Any]) -> None:
        super().__init__("already decided")
        self.entry = entry


class ClaimedByOther(Exception):
    """Another reviewer's claim is live; `claim` is theirs."""

    def __init__(self, claim: dict[str, Any]) -> None:
        super().__init__("claimed by another reviewer")
        self.claim = claim


class ReviewRecords:
    def __init__(self, table: ResultsTable) -> None:
        self.table = table

    def flagged(
        self, *, since: str | None, until: str | None, vendor: str | None,
        start: dict[str, str] | None, limit: int,
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:  # fmt: skip
        """One page of FlaggedIndex, newest first: (items, the key to go on from, or None)."""
        condition, values = "flagged_key = :f", {":f": {"S": keys.FLAGGED}}
        if since and until:
            condition += " AND received_at BETWEEN :since AND :until"
            values |= {":since": {"S": since}, ":until": {"S": until}}
        elif since:
            condition += " AND received_at >= :since"
            values[":since"] = {"S": since}
        elif until:
            condition += " AND received_at <= :until"
            values[":until"] = {"S": until}
        request: dict[str, Any] = {
            "IndexName": FLAGGED_INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if vendor:
            request["FilterExpression"] = "vendor = :v"
            values[":v"] = {"S": vendor}
        if start:
            request["ExclusiveStartKey"] = to_dynamodb(start)["M"]
        page = self.table._call("query", **request)
        items = [from_dynamodb(item) for item in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return items, from_dynamodb(last) if last else None

    def get(
        self,
        key: dict[str, str],
        projection: str | None = None,
        names: dict[str, str] | None = None,
    ) -> dict[str, Any] | None:
        request: dict[str, Any] = {"Key": to_dynamodb(key)["M"], "ConsistentRead": True}
        if projection:
            request |= {"ProjectionExpression": projection, "ExpressionAttributeNames": names}
        found = self.table._call("get_item", **request).get("Item")
        return from_dynamodb(found) if found else None

    def get_many(
        self, wanted: list[dict[str, str]], projection: str, names: dict[str, str]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """The items of these keys that exist (these attributes), by (pk, sk); unprocessed keys
        asked again."""
        found: dict[tuple[str, str], dict[str, Any]] = {}
        unique = list({(k["pk"], k["sk"]): k for k in wanted}.values())
        for start in range(0, len(unique), BATCH_LIMIT):
            batch = [to_dynamodb(k)["M"] for k in unique[start : start + BATCH_LIMIT]]
            request: dict[str, Any] = {
                self.table.table_name: {
                    "Keys": batch,
                    "ProjectionExpression": projection,
                    "ExpressionAttributeNames": names,
                }
            }
            while request:
                page = self._batch_get(request)
                for item in page.get("Responses", {}).get(self.table.table_name, []):
                    plain = from_dynamodb(item)
                    found[(plain["pk"], plain["sk"])] = plain
                request = page.get("UnprocessedKeys") or {}
        return found

    def _batch_get(self, request: dict[str, Any]) -> Any:
        try:
            return self.table.client.batch_get_item(RequestItems=request)
        except ClientError as exc:
            raise domain_error("batch_get_item", exc) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"batch_get_item: {type(exc).__name__}") from exc

    def decisions(self, vendor: str, task_id: str) -> list[dict[str, Any]]:
        """Every audit entry of the task, newest revision first."""
        found = self.table._query(
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.decisions_pk(vendor, task_id)}},
            ScanIndexForward=False,
        )
        return list(found)

    def put_decision(self, entry: dict[str, Any]) -> None:
        """Write the audit entry unless its revision has one: AlreadyDecided with that one."""
        try:
            self.table._call(
                "put_item",
                Item=to_dynamodb(entry)["M"],
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ConditionFailed as refused:
            raise AlreadyDecided(refused.item) from None

    def put_claim(self, claim: dict[str, Any], now: int) -> None:
        """The claim, unless another reviewer's is live: ClaimedByOther with theirs."""
        try:
            self.table._call(
                "put_item",
                Item=to_dynamodb(claim)["M"],
                ConditionExpression="attribute_not_exists(pk) OR #user = :me OR #until < :now",
                ExpressionAttributeNames={"#user": "user_id", "#until": "until"},
                ExpressionAttributeValues={
                    ":me": {"S": claim["user_id"]},
                    ":now": {"N": str(now)},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ConditionFailed as refused:
            raise ClaimedByOther(refused.item) from None
