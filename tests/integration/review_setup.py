"""The review desk in-process on moto: the callback function stores flagged results, the review
function answers reviewers as API Gateway hands their requests over (the Cognito authorizer's
claims in the request context), DecisionFunction reads the table's real stream."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import boto3

from harness import FUNCTION_ENV, TABLE, function, load_app
from helpers import callback_event, event_json
from inprocess.apigw import FakeLambdaContext, proxy_event
from inprocess.stream import StreamMapping
from inprocess.template import stream_mapping

ALICE = {"sub": "11111111-aaaa-4aaa-8aaa-111111111111", "email": "alice@example.com",
         "cognito:groups": "[reviewers]"}  # fmt: skip
BOB = {"sub": "22222222-bbbb-4bbb-8bbb-222222222222", "email": "bob@example.com",
       "cognito:groups": "reviewers"}  # fmt: skip
BUCKET = FUNCTION_ENV["EVIDENCE_BUCKET"]


def review_event(
    method: str, path: str, claims: dict[str, str] | None, body: Any = None, query: str = ""
) -> dict[str, Any]:
    raw = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    event = proxy_event(method, path, query=query, body=raw,
                        headers={"Content-Type": "application/json"})  # fmt: skip
    if claims is not None:
        event["requestContext"]["authorizer"] = {"claims": claims}
    return event


class Desk:
    """The stack's review side: a flagged result to review, the review function, and a queue
    subscribed to the decision topic as a subscriber would."""

    def __init__(self, aws: dict[str, Any]) -> None:
        self.aws = aws
        self.s3 = boto3.client("s3")
        self.s3.create_bucket(Bucket=BUCKET)
        self.sns, self.sqs = boto3.client("sns"), boto3.client("sqs")
        self.topic = self.sns.create_topic(Name="moderation-decisions")["TopicArn"]
        self.alert_topic = self.sns.create_topic(Name="moderation-alerts")["TopicArn"]
        assert self.topic == FUNCTION_ENV["DECISION_TOPIC_ARN"]
        self.decisions_url = self._subscriber("decisions", self.topic)
        self.alerts_url = self._subscriber("alerts", self.alert_topic)
        self.callbacks = load_app()
        self.review: ModuleType = function("ReviewFunction")
        self.decisions: ModuleType = function("DecisionFunction")
        table = aws["dynamodb"].describe_table(TableName=TABLE)["Table"]
        self.dlq = self.sqs.create_queue(QueueName="decision-dlq")["QueueUrl"]
        self.mapping = StreamMapping(
            streams_client=boto3.client("dynamodbstreams"), sqs_client=self.sqs,
            stream_arn=table["LatestStreamArn"], handler=self.decisions.lambda_handler,
            mapping=stream_mapping("DecisionFunction"), on_failure_queue_url=self.dlq,
            backoff_seconds=0,
        )  # fmt: skip

    def _subscriber(self, name: str, topic: str) -> str:
        url: str = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"],
                           Attributes={"RawMessageDelivery": "true"})  # fmt: skip
        return url

    def flag(self, task_id: str = "1", body: dict[str, Any] | None = None) -> dict[str, Any]:
        """A flagged UMedia moderation result of this task, its frames kept as evidence."""
        payload = {**(body or event_json("umedia/moderation")), "task_id": task_id}
        response = self.callbacks.lambda_handler(
            callback_event("/callbacks/umedia/moderation", payload), FakeLambdaContext()
        )
        answer: dict[str, Any] = json.loads(response["body"])
        assert answer["flagged"] is True, answer
        return answer

    def keep_frames(self, task_id: str, revision: int, count: int = 2) -> list[str]:
        """The frames of a revision in the bucket and on the item, as EvidenceFunction leaves
        them."""
        from media_callbacks import keys
        from media_callbacks.storage import ResultsTable

        prefix = keys.evidence_prefix("umedia", task_id, revision)
        stored = []
        for n in range(count):
            key = f"{prefix}{n}.jpg"
            self.s3.put_object(
                Bucket=BUCKET, Key=key, Body=b"\xff\xd8jpeg", ContentType="image/jpeg"
            )
            stored.append({"key": key, "sha256": "00"})
        ResultsTable(TABLE, client=self.aws["dynamodb"]).record_evidence(
            keys.moderation_key("umedia", task_id), revision, f"s3://{BUCKET}/{prefix}", stored
        )
        return [s["key"] for s in stored]

    def call(
        self, method: str, path: str, claims: dict[str, str] | None = ALICE, body: Any = None,
        query: str = "",
    ) -> tuple[int, dict[str, Any], dict[str, str]]:  # fmt: skip
        response = self.review.lambda_handler(
            review_event(method, path, claims, body, query), FakeLambdaContext("ReviewFunction")
        )
        multi = response.get("multiValueHeaders") or {}
        headers = {**(response.get("headers") or {}), **{k: ", ".join(v) for k, v in multi.items()}}
        if "json" not in headers.get("Content-Type", ""):
            return response["statusCode"], {"text": response["body"]}, headers
        return response["statusCode"], json.loads(response["body"]), headers

    def received(self, url: str) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        while batch := self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        ).get("Messages", []):
            for message in batch:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            messages.extend(batch)
        return messages

    def deliver_stream(self) -> None:
        """What the event source mapping does: the new records, filtered, to DecisionFunction."""
        self.mapping.deliver(self.mapping.poll())
