"""AlertFunction fed from the table's real stream, as the event source mapping feeds it.

SNS is observed the way a subscriber sees it: SQS queues subscribed to the topic in moto, one
with raw delivery and no filter, one with a filter policy that passes only `block`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest

from harness import TABLE, function, load_app
from helpers import callback_event, event_bytes, event_json
from inprocess.apigw import FakeLambdaContext
from inprocess.stream import StreamMapping, lambda_record, matches_filters
from inprocess.template import stream_mapping


class Setup:
    def __init__(self, aws: dict[str, Any]) -> None:
        self.sns = boto3.client("sns")
        self.sqs = boto3.client("sqs")
        self.streams = boto3.client("dynamodbstreams")
        self.topic = self.sns.create_topic(Name="moderation-alerts")["TopicArn"]
        self.all_url = self._subscriber("all-alerts", None)
        self.block_url = self._subscriber("block-only", {"suggestion": ["block"]})
        self.dlq_url = self.sqs.create_queue(QueueName="alert-dlq")["QueueUrl"]
        table = aws["dynamodb"].describe_table(TableName=TABLE)["Table"]
        self.stream_arn = table["LatestStreamArn"]
        self.callbacks = load_app()
        self.alerts: ModuleType = function("AlertFunction", {"ALERT_TOPIC_ARN": self.topic})
        self.mapping = self.new_mapping()

    def new_mapping(self) -> StreamMapping:
        """The event source mapping of the template, reading the stream from its start."""
        return StreamMapping(
            streams_client=self.streams,
            sqs_client=self.sqs,
            stream_arn=self.stream_arn,
            handler=self.alerts.lambda_handler,
            mapping=stream_mapping(),
            on_failure_queue_url=self.dlq_url,
            backoff_seconds=0,
        )

    def _subscriber(self, name: str, policy: dict[str, Any] | None) -> str:
        url: str = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        attributes = {"RawMessageDelivery": "true"}
        if policy:
            attributes["FilterPolicy"] = json.dumps(policy)
        self.sns.subscribe(
            TopicArn=self.topic,
            Protocol="sqs",
            Endpoint=arn["Attributes"]["QueueArn"],
            Attributes=attributes,
        )
        return url

    def post(self, path: str, body: bytes | dict[str, Any]) -> dict[str, Any]:
        response = self.callbacks.lambda_handler(callback_event(path, body), FakeLambdaContext())
        assert response["statusCode"] == 200, response["body"]
        answer: dict[str, Any] = json.loads(response["body"])
        return answer

    def records(self) -> list[dict[str, Any]]:
        """Every stream record so far, as Lambda would deliver it (before filtering)."""
        return self.mapping.poll()

    def invoke(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = self.alerts.lambda_handler(
            {"Records": records}, FakeLambdaContext("AlertFunction")
        )
        return result

    def received(self, url: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
            ).get("Messages", [])
            if not batch:
                return messages
            for message in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            messages.extend(batch)


@pytest.fixture
def setup(aws: dict[str, Any]) -> Iterator[Setup]:
    yield Setup(aws)
    os.environ.pop("ALERT_TOPIC_ARN", None)


def flagged(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if matches_filters(r, stream_mapping()["FilterCriteria"]["Filters"])]


def test_a_flagged_result_reaches_a_subscriber_once(setup: Setup) -> None:
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    records = flagged(setup.records())
    assert len(records) == 1
    assert setup.invoke(records) == {"batchItemFailures": []}
    [message] = setup.received(setup.all_url)
    alert = json.loads(message["Body"])  # raw delivery: the `default` JSON alert
    assert alert["schema"] == "media-callbacks/moderation-alert/v1"
    assert (alert["vendor"], alert["task_id"], alert["suggestion"]) == ("umedia", "1", "block")
    assert alert["categories"] == ["porn"]
    assert alert["revision"] == 1
    assert len(alert["findings"]) == 2
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes == {
        "vendor": "umedia",
        "suggestion": "block",
        "categories": '["porn"]',
        "max_score": "0.9999947547912598",
    }


def test_a_filter_policy_on_suggestion_passes_only_block(setup: Setup) -> None:
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))  # block
    setup.post("/callbacks/ctyun", event_bytes("ctyun/ai-content-review"))  # review (sexy 0.98)
    setup.invoke(flagged(setup.records()))
    suggestions = sorted(json.loads(m["Body"])["suggestion"] for m in setup.received(setup.all_url))
    assert suggestions == ["block", "review"]
    [only] = setup.received(setup.block_url)
    assert json.loads(only["Body"])["task_id"] == "1"


def test_clean_rejected_and_bookkeeping_records_never_reach_the_function(setup: Setup) -> None:
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation-clean"))
    setup.post("/callbacks/umedia/transcode", event_bytes("umedia/transcode"))
    setup.callbacks.lambda_handler(
        callback_event("/callbacks/umedia/transcode", b"{bad"), FakeLambdaContext()
    )
    records = setup.records()
    keys = {r["dynamodb"]["Keys"]["pk"]["S"].split("#")[0] + "#" for r in records}
    assert keys == {"TASK#", "REJECTED#"}  # moto may emit two records for one creating write
    assert flagged(records) == []
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    setup.invoke(flagged(setup.records()))  # writes idempotency records to the same table
    later = setup.records()
    assert any(r["dynamodb"]["Keys"]["pk"]["S"].startswith("ALERT#") for r in later)
    assert flagged(later) == []


def test_a_retried_batch_and_a_repeated_record_publish_one_alert(setup: Setup) -> None:
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    records = flagged(setup.records())
    setup.invoke(records)
    setup.invoke(records)  # the whole batch again, as after a timeout
    setup.invoke(records + records)  # the same record twice in one batch
    assert len(setup.received(setup.all_url)) == 1


def test_a_new_revision_alerts_again(setup: Setup) -> None:
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    changed = event_json("umedia/moderation")
    changed["invalid_image_list"][0]["rate"] = 0.95
    setup.post("/callbacks/umedia/moderation", changed)
    setup.post("/callbacks/umedia/moderation", changed)  # duplicate: no new revision
    setup.invoke(flagged(setup.records()))
    alerts = [json.loads(m["Body"]) for m in setup.received(setup.all_url)]
    assert sorted(a["revision"] for a in alerts) == [1, 2]
    assert len({a["alert_id"] for a in alerts}) == 2


@pytest.fixture
def failing_publish(setup: Setup) -> Iterator[list[str]]:
    """SNS refuses every alert of task `poison` (as for a topic policy gone wrong)."""
    refused: list[str] = []

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if json.loads(json.loads(params["Message"])["default"])["task_id"] == "poison":
            refused.append(params["Subject"])
            raise setup.alerts.root.get().sns.exceptions.AuthorizationErrorException(
                {"Error": {"Code": "AuthorizationError", "Message": "denied"}}, "Publish"
            )

    setup.alerts.root.get().sns.meta.events.register("provide-client-params.sns.Publish", refuse)
    yield refused
    setup.alerts.root.get().sns.meta.events.unregister("provide-client-params.sns.Publish", refuse)


def test_a_failing_record_is_reported_alone_and_the_rest_of_its_batch_goes_through(
    setup: Setup, failing_publish: list[str]
) -> None:
    poison = event_json("umedia/moderation") | {"task_id": "poison"}
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    setup.post("/callbacks/umedia/moderation", poison)
    setup.post("/callbacks/ctyun", event_bytes("ctyun/ai-content-review"))
    records = flagged(setup.records())
    response = setup.invoke(records)
    assert response == {
        "batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]
    }
    assert sorted(json.loads(m["Body"])["task_id"] for m in setup.received(setup.all_url)) == [
        "0003#fgty85118429465b99a794951ffd4310",
        "1",
    ]


def test_a_record_that_keeps_failing_ends_in_the_dead_letter_queue(
    setup: Setup, failing_publish: list[str]
) -> None:
    reader = setup.new_mapping()
    poison = event_json("umedia/moderation") | {"task_id": "poison"}
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    setup.post("/callbacks/umedia/moderation", poison)
    setup.post("/callbacks/ctyun", event_bytes("ctyun/ai-content-review"))
    setup.mapping.run_once()  # Lambda's mapping: retries, bisect, then the on-failure queue
    published = [json.loads(m["Body"])["task_id"] for m in setup.received(setup.all_url)]
    assert sorted(published) == ["0003#fgty85118429465b99a794951ffd4310", "1"]
    assert len(failing_publish) >= 1 + stream_mapping()["MaximumRetryAttempts"]
    dead = [json.loads(m["Body"])["DDBStreamBatchInfo"] for m in setup.received(setup.dlq_url)]
    assert dead, "nothing reached the dead-letter queue"
    task_of = {
        r["dynamodb"]["SequenceNumber"]: r["dynamodb"]["Keys"]["pk"]["S"] for r in reader.poll()
    }
    for info in dead:
        assert info["streamArn"] == setup.stream_arn
        assert info["batchSize"] == 1  # bisected down to the poison record alone
        assert task_of[info["startSequenceNumber"]] == "TASK#umedia#poison"


def test_a_publish_that_fails_once_is_published_on_the_retry(setup: Setup) -> None:
    calls: list[int] = []

    def flaky(**_: Any) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise setup.alerts.root.get().sns.exceptions.InternalErrorException(
                {"Error": {"Code": "InternalError", "Message": "try again"}}, "Publish"
            )

    setup.alerts.root.get().sns.meta.events.register("provide-client-params.sns.Publish", flaky)
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    setup.mapping.run_once()
    setup.alerts.root.get().sns.meta.events.unregister("provide-client-params.sns.Publish", flaky)
    assert len(calls) == 2
    assert len(setup.received(setup.all_url)) == 1
    assert setup.received(setup.dlq_url) == []


def test_stream_records_become_lambda_records() -> None:
    from datetime import UTC, datetime

    raw = {
        "eventID": "1",
        "eventName": "INSERT",
        "dynamodb": {"ApproximateCreationDateTime": datetime(2026, 1, 1, tzinfo=UTC),
                     "SequenceNumber": "100", "Keys": {"pk": {"S": "a"}}},
    }  # fmt: skip
    record = lambda_record(raw, "arn:stream")
    assert record["dynamodb"]["ApproximateCreationDateTime"] == 1767225600
    assert record["eventSourceARN"] == "arn:stream"
    assert record["eventSource"] == "aws:dynamodb"


def test_an_idempotency_record_that_cannot_be_completed_publishes_no_second_alert(
    setup: Setup,
) -> None:
    """The publish went out but Powertools could not mark its record completed: the record
    fails (Lambda retries it), and while the in-progress mark lives a retry publishes nothing."""
    from harness import refuse

    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    records = flagged(setup.records())
    refused, undo = refuse(
        "dynamodb",
        ("UpdateItem",),
        "InternalServerError",
        setup.alerts.root.get().persistence.client,
    )
    from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

    with pytest.raises(BatchProcessingError):  # the batch (this one record) fails: retried
        setup.invoke(records)
    undo()
    with pytest.raises(BatchProcessingError):  # the retry: still in progress, held back
        setup.invoke(records)
    assert refused == ["UpdateItem"]
    assert len(setup.received(setup.all_url)) == 1


def test_idempotency_records_use_the_alert_key_prefix_and_the_tables_ttl(setup: Setup) -> None:
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    setup.invoke(flagged(setup.records()))
    from harness import scan

    [record] = [i for i in scan(boto3.client("dynamodb")) if i["pk"].startswith("ALERT#")]
    assert record["pk"] == "ALERT#idempotency"  # the function's IAM policy: ALERT# keys only
    assert record["status"] == "COMPLETED"
    assert record["expires_at"] > 0  # removed by the table's TTL after two days


def test_the_shipped_stream_event_publishes_its_alert(setup: Setup) -> None:
    """events/stream/: what `sam local invoke` or `sam remote invoke AlertFunction` is given."""
    from helpers import EVENTS

    event = json.loads((EVENTS / "stream" / "flagged-umedia-moderation.json").read_text())
    assert setup.invoke(event["Records"]) == {"batchItemFailures": []}
    [message] = setup.received(setup.all_url)
    assert json.loads(message["Body"])["suggestion"] == "block"


def test_recording_the_evidence_alerts_nobody_again(setup: Setup) -> None:
    """EvidenceFunction's update of a flagged item is a MODIFY record of the same revision:
    AlertFunction sees it (still flagged) and publishes nothing new."""
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

    from media_callbacks.evidence import Collector
    from media_callbacks.fetch import Refused
    from media_callbacks.storage import ResultsTable

    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    first = flagged(setup.records())
    assert setup.invoke(first) == {"batchItemFailures": []}
    assert len(setup.received(setup.all_url)) == 1

    def unreachable(url: str, **_: Any) -> Any:
        raise Refused("timeout")

    boto3.client("s3").create_bucket(Bucket="evidence")
    stream_record = DynamoDBRecord(first[0]).dynamodb  # as the function reads it
    assert stream_record is not None
    image = stream_record.new_image
    Collector(table=ResultsTable(TABLE), bucket="evidence", s3=boto3.client("s3"),
              fetcher=unreachable).collect(image)  # fmt: skip
    modified = flagged(setup.records())
    assert [r["eventName"] for r in modified] == ["MODIFY"]
    assert setup.invoke(modified) == {"batchItemFailures": []}
    assert setup.received(setup.all_url) == []


@pytest.fixture
def publishes(setup: Setup) -> Iterator[list[dict[str, Any]]]:
    """Every sns.Publish request AlertFunction makes, as SNS receives it (the `email` form and
    the size SNS counts are only visible here; raw SQS delivery carries `default`)."""
    sent: list[dict[str, Any]] = []

    def keep(params: dict[str, Any], **_: Any) -> None:
        sent.append(json.loads(json.dumps(params)))

    sns = setup.alerts.root.get().sns
    sns.meta.events.register("provide-client-params.sns.Publish", keep)
    yield sent
    sns.meta.events.unregister("provide-client-params.sns.Publish", keep)


def sns_bytes(request: dict[str, Any]) -> int:
    """What SNS counts against 256 KiB: message, subject, each attribute's name, type, value."""
    size = len(request["Message"].encode()) + len(request.get("Subject", "").encode())
    for name, attribute in request.get("MessageAttributes", {}).items():
        size += len(name.encode()) + len(attribute["DataType"].encode())
        size += len(attribute["StringValue"].encode())
    return size


def test_an_alert_of_700_categories_is_delivered_within_256_kib_and_counts_them(
    setup: Setup, publishes: list[dict[str, Any]]
) -> None:
    """700 distinct vendor labels above the threshold: 700 categories, each in the JSON, the
    email and the `categories` attribute; over SNS's limit unless the alert sheds them."""
    review = event_json("tencent/review-audio-video-complete")
    segments = [
        {"Confidence": 99, "Suggestion": "block", "Label": f"label-{n:03d}-" + "x" * 180}
        for n in range(700)
    ]
    review["ReviewAudioVideoCompleteEvent"]["Output"]["SegmentSet"] = segments
    setup.post("/callbacks/tencent", review)
    assert setup.invoke(flagged(setup.records())) == {"batchItemFailures": []}
    [message] = setup.received(setup.all_url)
    alert = json.loads(message["Body"])
    assert alert["category_count"] == 700
    assert 0 < len(alert["categories"]) <= 100
    assert (
        json.loads(message["MessageAttributes"]["categories"]["StringValue"]) == alert["categories"]
    )
    [request] = publishes
    assert sns_bytes(request) <= 256 * 1024
    assert "(700 categories in all)" in json.loads(request["Message"])["email"]


def test_a_task_id_with_a_line_break_cannot_forge_a_line_of_the_email(
    setup: Setup, publishes: list[dict[str, Any]]
) -> None:
    forged = event_json("umedia/moderation") | {"task_id": "1\nVendor: forged"}
    forged["invalid_image_list"][0]["url"] = "http://h/a.jpg\r\nSource: forged"
    setup.post("/callbacks/umedia/moderation", forged)
    assert setup.invoke(flagged(setup.records())) == {"batchItemFailures": []}
    [request] = publishes
    email = json.loads(request["Message"])["email"]
    lines = email.splitlines()
    assert "Vendor:     umedia" in lines
    assert not any(line.startswith(("Vendor: forged", "Source: forged")) for line in lines)
    assert [line for line in lines if line.startswith("Vendor")] == ["Vendor:     umedia"]
    assert "Task:       1?Vendor: forged" in lines
    [message] = setup.received(setup.all_url)
    assert json.loads(message["Body"])["task_id"] == "1\nVendor: forged"  # the JSON keeps it


def test_an_item_recreated_after_its_ttl_deletion_alerts_again_with_a_new_id(
    setup: Setup, aws: dict[str, Any]
) -> None:
    """RetentionDays: the table's TTL deletes the item; the same task flagged again later starts
    over at revision 1, and must not reuse (and be deduplicated as) the deleted item's alert."""
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    setup.invoke(flagged(setup.records()))
    key = {"pk": {"S": "TASK#umedia#1"}, "sk": {"S": "RESULT#moderation"}}
    aws["dynamodb"].delete_item(TableName=TABLE, Key=key)  # as the TTL would
    setup.post("/callbacks/umedia/moderation", event_bytes("umedia/moderation"))
    assert setup.invoke(flagged(setup.records())) == {"batchItemFailures": []}
    alerts = [json.loads(m["Body"]) for m in setup.received(setup.all_url)]
    assert [a["revision"] for a in alerts] == [1, 1]
    assert alerts[0]["alert_id"] != alerts[1]["alert_id"]
