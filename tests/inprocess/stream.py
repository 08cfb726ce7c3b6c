"""What Lambda's event source mapping does with a DynamoDB stream, for the local run and tests.

Reads the table's stream, turns records into the Lambda event shape, applies the mapping's
FilterCriteria, invokes the function in batches and follows its partial batch responses:
retry from the first failed record, bisect on error, and after MaximumRetryAttempts send the
batch's description to the on-failure SQS queue, as Lambda does.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from inprocess.apigw import FakeLambdaContext
from inprocess.poller import Poller

Handler = Callable[[dict[str, Any], Any], Any]
REGION = "us-east-1"
ACCOUNT = "123456789012"


def lambda_record(raw: dict[str, Any], stream_arn: str, region: str = REGION) -> dict[str, Any]:
    """A record from GetRecords as Lambda delivers it (epoch seconds, eventSourceARN)."""
    dynamodb = dict(raw["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {
        "eventID": raw.get("eventID") or uuid.uuid4().hex,
        "eventName": raw["eventName"],
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion", region),
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def _matches(pattern: Any, value: Any, present: bool) -> bool:
    if isinstance(pattern, dict):
        if not present or not isinstance(value, dict):
            return False
        return all(_matches(p, value.get(k), k in value) for k, p in pattern.items())
    if isinstance(pattern, list):
        return any(_rule(rule, value, present) for rule in pattern)
    return present and value == pattern


def _rule(rule: Any, value: Any, present: bool) -> bool:
    if isinstance(rule, dict):
        if "exists" in rule:
            return present is bool(rule["exists"])
        if "prefix" in rule:
            return present and isinstance(value, str) and value.startswith(rule["prefix"])
        if "anything-but" in rule:
            banned = rule["anything-but"]
            return present and value not in (banned if isinstance(banned, list) else [banned])
        raise ValueError(f"filter rule not emulated locally: {rule}")
    return present and value == rule


def matches_filters(record: dict[str, Any], filters: list[dict[str, str]]) -> bool:
    """Lambda event filtering: a record passes when any filter's pattern matches it."""
    if not filters:
        return True
    return any(_matches(json.loads(f["Pattern"]), record, True) for f in filters)


class StreamMapping(Poller):
    name = "stream poller"

    def __init__(
        self,
        *,
        streams_client: Any,
        sqs_client: Any,
        stream_arn: str,
        handler: Handler,
        mapping: dict[str, Any],
        on_failure_queue_url: str,
        function_name: str = "AlertFunction",
        backoff_seconds: float = 0.2,
        on_dead_letter: Callable[[dict[str, Any]], None] | None = None,
        table: tuple[Any, str] | None = None,
    ) -> None:
        self.table = table  # (DynamoDB client, table name): follow the table's newest stream
        self.streams = streams_client
        self.sqs = sqs_client
        self.stream_arn = stream_arn
        self.handler = handler
        self.batch_size = int(mapping.get("BatchSize", 100))
        self.max_retries = int(mapping.get("MaximumRetryAttempts", -1))
        self.bisect = bool(mapping.get("BisectBatchOnFunctionError", False))
        self.partial = "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", [])
        self.filters = mapping.get("FilterCriteria", {}).get("Filters", [])
        self.on_failure_queue_url = on_failure_queue_url
        self.function_name = function_name
        self.backoff_seconds = backoff_seconds
        self.on_dead_letter = on_dead_letter
        self._iterators: dict[str, str | None] = {}

    # --- reading the stream -----------------------------------------------------------------

    def _shards(self) -> Iterator[str]:
        description = self.streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description["Shards"]:
            yield shard["ShardId"]

    def poll(self) -> list[dict[str, Any]]:
        """New records of every shard since the last poll, in order, as Lambda records."""
        records: list[dict[str, Any]] = []
        for shard_id in self._shards():
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=shard_id,
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
            iterator = self._iterators[shard_id]
            if iterator is None:
                continue
            page = self.streams.get_records(ShardIterator=iterator, Limit=1000)
            self._iterators[shard_id] = page.get("NextShardIterator")
            records.extend(lambda_record(r, self.stream_arn) for r in page["Records"])
        return records

    # --- delivering -----------------------------------------------------------------------------

    def deliver(self, records: list[dict[str, Any]]) -> None:
        """Filter, batch and invoke, with Lambda's retry rules; returns when all are settled."""
        wanted = [r for r in records if matches_filters(r, self.filters)]
        for start in range(0, len(wanted), self.batch_size):
            self._process(wanted[start : start + self.batch_size], attempt=0)

    def _invoke(self, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first failed record, or None when the whole batch succeeded."""
        try:
            response = self.handler({"Records": batch}, FakeLambdaContext(self.function_name))
        except Exception:
            return 0
        failures = (response or {}).get("batchItemFailures") or [] if self.partial else []
        failed = {f.get("itemIdentifier") for f in failures}
        if not failed:
            return None
        if None in failed or "" in failed:
            return 0  # an unusable identifier fails the whole batch, as in Lambda
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in failed:
                return index
        return 0

    def _process(self, batch: list[dict[str, Any]], attempt: int) -> None:
        failed_at = self._invoke(batch)
        if failed_at is None:
            return
        remaining = batch[failed_at:]  # the stream checkpoint moves to the first failure
        if self.bisect and len(remaining) > 1:
            half = len(remaining) // 2
            self._process(remaining[:half], attempt)  # a split does not count as a retry
            self._process(remaining[half:], attempt)
            return
        if self.max_retries == -1 or attempt < self.max_retries:
            time.sleep(self.backoff_seconds * (2**attempt))
            self._process(remaining, attempt + 1)
            return
        self._dead_letter(remaining, attempt + 1)

    def _dead_letter(self, batch: list[dict[str, Any]], invocations: int) -> None:
        """The on-failure record Lambda sends for a stream batch: where it is, not the data."""
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": invocations,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST"},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "DDBStreamBatchInfo": {
                "shardId": "shardId-local",
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        self.sqs.send_message(QueueUrl=self.on_failure_queue_url, MessageBody=json.dumps(message))
        if self.on_dead_letter:
            self.on_dead_letter(message)

    def follow_table(self) -> None:
        """After the table is deleted and created again it has a new stream: read that one from
        its start, as Lambda's mapping would once pointed at it."""
        if self.table is None:
            return
        client, name = self.table
        latest = client.describe_table(TableName=name)["Table"].get("LatestStreamArn")
        if latest and latest != self.stream_arn:
            print(f"{self.name}: the table's stream is now {latest}", flush=True)
            self.stream_arn = latest
            self._iterators = {}

    def run_once(self) -> int:
        self.follow_table()
        records = self.poll()
        self.deliver(records)
        return len(records)
