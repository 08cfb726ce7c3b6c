"""ResultsTable, through one gateway: one conditional write per callback, rejected bodies and
their replay marks, task look-ups, evidence records; DynamoDB's errors mapped to the domain's
in one place (`domain_error`)."""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import aws, keys
from media_callbacks.delivery import Delivery
from media_callbacks.items import (
    ITEM_LIMIT,
    AttributeValue,
    from_dynamodb,
    item_size,
    stored_body,
    stored_bytes,
    to_dynamodb,
)
from media_callbacks.results import CallbackResult

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

WriteStatus = Literal["stored", "duplicate", "ignored"]

MAX_INDEX_KEY_BYTES = 1024  # longer source URLs are stored but not indexed
# What an item may take before the body is compressed or the normalised copy capped: the limit
# less room for the key, the revision and the expression's own attributes.
ITEM_BUDGET = ITEM_LIMIT - 8 * 1024
CAP_CHARS, CAP_ITEMS = 1024, 100  # a capped normalised copy: strings and lists at most this long


class StorageUnavailable(Exception):
    """The table did not answer (after the SDK's retries), or refused access."""


class ItemRefused(Exception):
    """The table refused the item itself (too large, invalid); retrying cannot help."""


class ItemTooLarge(ItemRefused):
    """The write would take the item over DynamoDB's 400 KB."""


class ConditionFailed(Exception):
    """A conditional write found the item otherwise; `item` is the old one, when asked for."""

    def __init__(self, item: dict[str, Any]) -> None:
        super().__init__("the condition failed")
        self.item = item


class WriteOutcome(NamedTuple):
    status: WriteStatus


def _expires_at(received_at: str, retention_days: int) -> int | None:
    if retention_days <= 0:
        return None
    received = datetime.fromisoformat(received_at.replace("Z", "+00:00"))
    return int(received.timestamp()) + retention_days * 86400


def domain_error(operation: str, exc: ClientError) -> Exception:
    """The domain's name for what DynamoDB answered: the one place AWS errors are mapped."""
    details = exc.response.get("Error", {})
    code, message = details.get("Code", ""), str(details.get("Message", ""))
    if code == "ConditionalCheckFailedException":
        return ConditionFailed(from_dynamodb(dict(exc.response.get("Item", {}))))  # type: ignore[call-overload]
    if code == "ValidationException" and "maximum allowed size" in message:
        return ItemTooLarge(message)
    if code == "ValidationException":
        return ItemRefused(message or code)
    return StorageUnavailable(f"{operation}: {code}")


class ResultsTable:
    """The one gateway to ResultsTable: results, rejected bodies, evidence records and replay
    marks, read and written here alone, DynamoDB's errors as the domain's."""

    def __init__(
        self, table_name: str, *, retention_days: int = 0, client: "DynamoDBClient | None" = None
    ) -> None:
        self.table_name = table_name
        self.retention_days = retention_days
        self._client = client

    @property
    def client(self) -> "DynamoDBClient":
        """The client given at construction (tests), else the process's shared one."""
        return self._client if self._client is not None else aws.client("dynamodb")

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.client, operation)(TableName=self.table_name, **kwargs)
        except ClientError as exc:
            raise domain_error(operation, exc) from exc
        except BotoCoreError as exc:
            raise StorageUnavailable(f"{operation}: {type(exc).__name__}") from exc

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item a query finds, page after page, as plain data."""
        while True:
            page = self._call("query", **kwargs)
            yield from (from_dynamodb(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # --- results ------------------------------------------------------------------------------

    def put_result(
        self,
        result: CallbackResult,
        *,
        body: bytes,
        payload_sha256: str,
        received_at: str,
        request_id: str,
    ) -> WriteOutcome:
        """Store the result unless it is a duplicate or a failure after a success.

        One UpdateItem, no read: the condition refuses a duplicate (same payload hash), a
        failed result over a succeeded one, and a result that arrived before the stored one (a
        request that waited in the retry queue, or a replay) from the same decider; on refusal
        the old item comes back with the error and tells which. Otherwise every attribute is
        replaced and `revision` goes up by one. A result decided otherwise than the stored one
        (a vendor's human review and its machine result, in either order) is never refused for
        its arrival time: each is a new revision.
        """
        values = result_item(result, received_at, self.retention_days)
        values |= {"request_id": request_id, "payload_sha256": payload_sha256}
        update, names, expression = _update(fit_item(values, body))
        names |= {"#sha": "payload_sha256", "#ra": "received_at", "#db": "decided_by"}
        expression |= {
            ":sha": {"S": payload_sha256},
            ":ra": {"S": received_at},
            ":db": {"S": result.decided_by},
        }
        condition = "attribute_not_exists(pk) OR (#sha <> :sha AND (#ra <= :ra OR #db <> :db)"
        if result.status == "failed":
            condition += " AND #status <> :succeeded"
            names["#status"] = "status"
            expression[":succeeded"] = {"S": "succeeded"}
        try:
            self._call(
                "update_item",
                Key=to_dynamodb(result_key(result))["M"],
                UpdateExpression=update,
                ConditionExpression=condition + ")",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=expression,
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ConditionFailed as refused:
            same = refused.item.get("payload_sha256") == payload_sha256
            return WriteOutcome("duplicate" if same else "ignored")
        return WriteOutcome("stored")

    def task_results(self, vendor: str, task_id: str) -> list[dict[str, Any]]:
        """Every stored result of one task, newest first."""
        found = self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :result)",
            ExpressionAttributeValues={
                ":pk": {"S": keys.task_pk(vendor, task_id)},
                ":result": {"S": keys.RESULT},
            },
        )
        items = [readable(item) for item in found]
        items.sort(key=lambda item: item.get("received_at", ""), reverse=True)
        return items

    # --- rejected bodies ----------------------------------------------------------------------

    def put_rejected(self, delivery: Delivery, error: str, kind: str | None) -> str:
        """Store the body exactly as received (text, base64 or gzip, whichever fits) with what
        came with it; the rejection's id back. Headers or a query the table will not take are
        left out (the error says so): the body still goes in."""
        item = rejected_item(delivery, error, kind)
        try:
            self._put_body(item, delivery.body)
        except ItemRefused:
            item |= {"headers": {}, "query": {}, "error": f"{error} (headers not kept)"}
            self._put_body(item, delivery.body)
        return str(item["rejection_id"])

    def _put_body(self, item: dict[str, Any], body: bytes) -> None:
        expires = _expires_at(item["received_at"], self.retention_days)
        if expires is not None:
            item = {**item, "expires_at": expires}
        attributes = to_dynamodb(item)["M"]
        room = ITEM_BUDGET - item_size(attributes)
        attributes["body"], attributes["body_encoding"] = map(to_dynamodb, stored_body(body, room))
        self._call("put_item", Item=attributes)

    def rejected(self, since: date, until: date) -> Iterator[dict[str, Any]]:
        """Every rejected body received from `since` to `until` (UTC days), day by day."""
        day = since
        while day <= until:
            partition = {":pk": {"S": keys.rejected_day(day.isoformat())}}
            yield from self._query(
                KeyConditionExpression="pk = :pk", ExpressionAttributeValues=partition
            )
            day += timedelta(days=1)

    def mark_replayed(self, key: dict[str, str], at: str, outcome: str, error: str | None) -> None:
        """A rejected item's mark: when it was replayed, and what became of it."""
        self._call(
            "update_item",
            Key=to_dynamodb(key)["M"],
            UpdateExpression="SET replayed_at = :at, replay_outcome = :o, replay_error = :e",
            ExpressionAttributeValues={
                ":at": {"S": at},
                ":o": {"S": outcome},
                ":e": to_dynamodb(error),
            },
        )

    # --- evidence -----------------------------------------------------------------------------

    def evidence_recorded(self, key: dict[str, str], revision: int) -> bool:
        """Whether this revision has its evidence already, or is no longer the item's."""
        found = self._call(
            "get_item",
            Key=to_dynamodb(key)["M"],
            ConsistentRead=True,
            ProjectionExpression="#rev, #ev",
            ExpressionAttributeNames=EVIDENCE_NAMES,
        ).get("Item")
        item = from_dynamodb(found) if found else {}
        return "evidence" in item or int(item.get("revision", revision)) != revision

    def record_evidence(self, key: dict[str, str], revision: int, uri: str, evidence: Any) -> bool:
        """The evidence on the item, if it is still this revision and has none; False when it
        is not. ItemTooLarge when the record does not fit the item."""
        try:
            self._call(
                "update_item",
                Key=to_dynamodb(key)["M"],
                UpdateExpression="SET #ev = :e, #evp = :p",
                ConditionExpression="#rev = :r AND attribute_not_exists(#ev)",
                ExpressionAttributeNames={**EVIDENCE_NAMES, "#evp": "evidence_prefix"},
                ExpressionAttributeValues={
                    ":e": to_dynamodb(evidence),
                    ":p": {"S": uri},
                    ":r": {"N": str(revision)},
                },
            )
        except ConditionFailed:
            return False
        return True


# attribute names as placeholders: DynamoDB reserves hundreds of words
EVIDENCE_NAMES = {"#rev": "revision", "#ev": "evidence"}


def _update(item: dict[str, AttributeValue | None]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """`SET` every attribute with a value, `REMOVE` every None, and `revision` up by one."""
    names: dict[str, str] = {"#rev": "revision"}
    values: dict[str, Any] = {":one": {"N": "1"}}
    sets, removes = [], []
    for i, (name, value) in enumerate(item.items()):
        names[f"#a{i}"] = name
        if value is None:
            removes.append(f"#a{i}")
        else:
            values[f":v{i}"] = value
            sets.append(f"#a{i} = :v{i}")
    update = "SET " + ", ".join(sets)
    if removes:
        update += " REMOVE " + ", ".join(removes)
    return update + " ADD #rev :one", names, values


def rejected_item(delivery: Delivery, error: str, kind: str | None) -> dict[str, Any]:
    """A rejected body's item but for the body: its key, the error and what came with it."""
    key = keys.rejected_key(delivery.received_at, delivery.request_id)
    item = {
        **key,
        "rejection_id": key["sk"],
        "route": delivery.route,
        "vendor": delivery.vendor,
        "kind": kind,
        "error": error,
        "content_type": delivery.content_type,
        "source_ip": delivery.source_ip,
        "headers": delivery.headers,
        "query": delivery.query,
        "received_at": delivery.received_at,
        "request_id": delivery.request_id,
    }
    if delivery.problem is not None:  # the request itself was broken: a replay says so too
        item["problem"] = delivery.problem
    return item


# Attributes set to None are removed by the update: a new revision leaves none of the old behind.
# Attributes a revision may lack: None removes what an earlier revision of the item set. The
# evidence of a revision is its own (EvidenceFunction records it): a new revision starts without.
OPTIONAL = (
    "flagged_key",
    "source_key",
    "expires_at",
    "payload_encoding",
    "capped",
    "evidence",
    "evidence_prefix",
)


def result_key(result: CallbackResult) -> dict[str, str]:
    """The result's item: one per task and kind, and per event type for kind `event`."""
    return keys.result_key(
        result.vendor, result.task_id, result.kind, result.result.get("event_type")
    )


def result_item(result: CallbackResult, received_at: str, retention_days: int) -> dict[str, Any]:
    """A result's attributes as plain data (the payload is added by `fit_item`)."""
    source = result.source_url
    indexable = source is not None and len(source.encode()) <= MAX_INDEX_KEY_BYTES
    return {
        "vendor": result.vendor,
        "kind": result.kind,
        "task_id": result.task_id,
        "status": result.status,
        "message": result.message,
        "source_url": source,
        "received_at": received_at,
        "event_time": result.event_time,
        "video_id": result.video_id,
        "result": result.result,
        "moderation": result.moderation.as_dict() if result.moderation else None,
        "decided_by": result.decided_by,
        "flagged": result.flagged,
        "flagged_key": keys.FLAGGED if result.flagged else None,
        "source_key": source if indexable else None,
        "expires_at": _expires_at(received_at, retention_days),
        "capped": None,  # set by fit_item when this revision's copy is capped
        "evidence": None,
        "evidence_prefix": None,
    }


def capped(value: Any) -> Any:
    """The value with strings cut to CAP_CHARS and lists to CAP_ITEMS, at every depth."""
    if isinstance(value, str) and len(value) > CAP_CHARS:
        return f"{value[:CAP_CHARS]}... ({len(value)} characters; the payload has them all)"
    if isinstance(value, list):
        return [capped(v) for v in value[:CAP_ITEMS]]
    if isinstance(value, dict):
        return {k: capped(v) for k, v in value.items()}
    return value


def _encode(values: dict[str, Any]) -> dict[str, AttributeValue | None]:
    return {
        name: None if value is None and name in OPTIONAL else to_dynamodb(value)
        for name, value in values.items()
    }


def fit_item(values: dict[str, Any], body: bytes) -> dict[str, AttributeValue | None]:
    """The item as attribute values (None: remove), within DynamoDB's 400 KB.

    The raw body is kept whole: as text, or gzip-compressed when the text does not fit. If the
    item is still too large, the normalised copy (message, result, findings) is capped, and
    `capped` names what was; the payload still holds every byte.
    """
    item = _encode(values)
    for attempt in ("as is", "capped"):
        room = ITEM_BUDGET - item_size({k: v for k, v in item.items() if v is not None})
        payload, encoding = stored_body(body, room - 64)
        item["payload"] = to_dynamodb(payload)
        item["payload_encoding"] = to_dynamodb(encoding) if encoding != "utf-8" else None
        size = item_size({k: v for k, v in item.items() if v is not None})
        if size <= ITEM_BUDGET:
            return item
        if attempt == "as is":
            names = [n for n in ("message", "result", "moderation") if values.get(n) is not None]
            item |= _encode({name: capped(values[name]) for name in names})
            item["capped"] = to_dynamodb(names)
    raise ItemRefused(f"the result would take {size} bytes of the table's {ITEM_LIMIT}")


def readable(item: dict[str, Any]) -> dict[str, Any]:
    """A stored result as GET /tasks shows it: the payload as text, however it was kept."""
    encoding = item.pop("payload_encoding", None)
    if encoding is not None and "payload" in item:
        item["payload"] = stored_bytes(item["payload"], encoding).decode("utf-8", "replace")
    return item
