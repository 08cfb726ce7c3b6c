"""The durable fallback: a callback the table could not take waits in IngestRetryQueue.

Vendors document no retries, so a 503 can lose a result. When the table write fails after the
SDK's own retries, the request goes to SQS and the vendor gets 202; IngestRetryFunction runs the
same ingestion again later (media_callbacks.ingest), with exponential backoff between attempts.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from media_callbacks import aws
from media_callbacks.delivery import Delivery

FORMAT = 1
BACKOFF_CAP_SECONDS = 900  # SQS allows up to 12 hours; 15 minutes keeps results timely


class QueueUnavailable(Exception):
    """SQS did not take the request either: the caller must retry (503)."""


class BadQueuedRequest(ValueError):
    """A message on the queue that is not a queued callback."""


def encode(delivery: Delivery) -> str:
    """The message body: JSON, the callback's body gzip-compressed and base64-encoded."""
    fields = delivery._asdict()
    fields["body"] = base64.b64encode(gzip.compress(delivery.body, mtime=0)).decode()
    # ASCII: SQS refuses control characters and lone surrogates a header value may hold
    return json.dumps({"format": FORMAT, **fields}, separators=(",", ":"))


def decode(text: str) -> Delivery:
    try:
        fields: dict[str, Any] = json.loads(text)
        if fields.pop("format", None) != FORMAT:
            raise BadQueuedRequest("unknown message format")
        fields["body"] = gzip.decompress(base64.b64decode(fields["body"]))
        return Delivery(**fields)
    except (ValueError, TypeError, KeyError, OSError) as exc:
        raise BadQueuedRequest(f"not a queued callback: {type(exc).__name__}: {exc}") from exc


def backoff_seconds(receive_count: int, base: float) -> int:
    """Delay before the next attempt: base, 2 x base, 4 x base, ... capped."""
    return int(min(BACKOFF_CAP_SECONDS, base * 2 ** max(receive_count - 1, 0)))


class RetryQueue:
    def __init__(self, queue_url: str, client: Any = None) -> None:
        self.queue_url = queue_url
        self._client = client

    @property
    def client(self) -> Any:
        """The client given at construction (tests), else the process's shared one."""
        return self._client if self._client is not None else aws.client("sqs")

    def put(self, delivery: Delivery) -> str:
        try:
            response = self.client.send_message(
                QueueUrl=self.queue_url, MessageBody=encode(delivery)
            )
        except (ClientError, BotoCoreError) as exc:
            raise QueueUnavailable(str(exc)) from exc
        return str(response["MessageId"])

    def delay(self, receipt_handle: str, seconds: int) -> None:
        """Hide a message for `seconds` before its next attempt (best effort)."""
        with contextlib.suppress(ClientError, BotoCoreError):  # else the queue's own timeout
            self.client.change_message_visibility(
                QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
            )
