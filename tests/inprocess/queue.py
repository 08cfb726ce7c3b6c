"""What Lambda's SQS event source mapping does, for the local run and tests: poll the queue,
invoke the function with a batch, delete what succeeded, leave failures to the queue's
visibility timeout and redrive policy (moto moves a message to the dead-letter queue after
maxReceiveCount receives, as SQS does)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from inprocess.apigw import FakeLambdaContext
from inprocess.poller import Poller

Handler = Callable[[dict[str, Any], Any], Any]


def lambda_sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """A received SQS message as Lambda delivers it."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": queue_arn.split(":")[3],
    }


class QueueMapping(Poller):
    name = "queue poller"

    def __init__(
        self,
        *,
        sqs_client: Any,
        queue_url: str,
        handler: Handler,
        mapping: dict[str, Any],
        function_name: str = "IngestRetryFunction",
    ) -> None:
        self.sqs = sqs_client
        self.queue_url = queue_url
        self.queue_arn = sqs_client.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]["QueueArn"]
        self.handler = handler
        self.batch_size = min(int(mapping.get("BatchSize", 10)), 10)
        self.partial = "ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", [])
        self.function_name = function_name

    def run_once(self) -> int:
        """One receive and invocation; the number of messages handed to the function."""
        messages = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        records = [lambda_sqs_record(m, self.queue_arn) for m in messages]
        try:
            response = self.handler({"Records": records}, FakeLambdaContext(self.function_name))
            failures = (response or {}).get("batchItemFailures", []) if self.partial else []
            failed = {f.get("itemIdentifier") for f in failures}
        except Exception:
            failed = {m["MessageId"] for m in messages}  # the whole batch returns to the queue
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return len(messages)
