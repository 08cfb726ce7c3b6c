"""Test environment: never AWS, never the network; moto stands in for every AWS API."""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

# Before any handler module is imported: fake credentials and the function's environment.
for _name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MODERATION_THRESHOLDS", "CALLBACK_TOKEN"):
    os.environ.pop(_name, None)
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        # boto3 >= 1.44.4 with in-process moto misroutes DynamoDB Streams calls otherwise.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "TABLE_NAME": "media-callbacks-test",
        "CALLBACK_TOKEN_SECRET": "media-callbacks/callback-token",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "media-callbacks",
        "RETRY_BACKOFF_SECONDS": "0",
    }
)

from helpers import TOKEN  # noqa: E402
from inprocess.apigw import FakeLambdaContext  # noqa: E402
from inprocess.template import max_receive_count, table_definition  # noqa: E402

TABLE = os.environ["TABLE_NAME"]


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    """An empty in-process AWS account with the template's table, the token secret and the
    retry queue with its dead-letter queue (visible again at once, so retries need no wait)."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**table_definition(TABLE))
        secret = boto3.client("secretsmanager").create_secret(
            Name=os.environ["CALLBACK_TOKEN_SECRET"], SecretString=TOKEN
        )
        sqs = boto3.client("sqs")
        dlq = sqs.create_queue(QueueName="ingest-retry-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
        redrive = {
            "deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"],
            "maxReceiveCount": max_receive_count("IngestRetryQueue"),
        }
        queue = sqs.create_queue(
            QueueName="ingest-retry",
            Attributes={"VisibilityTimeout": "0", "RedrivePolicy": json.dumps(redrive)},
        )["QueueUrl"]
        os.environ["INGEST_QUEUE_URL"] = queue
        try:
            yield {
                "dynamodb": dynamodb,
                "secret_arn": secret["ARN"],
                "sqs": sqs,
                "retry_queue": queue,
                "retry_dlq": dlq,
            }
        finally:
            os.environ.pop("INGEST_QUEUE_URL", None)


def load_app(env: dict[str, str] | None = None) -> ModuleType:
    """(Re)import the handler module as a cold start would, with `env` added."""
    from media_callbacks import aws

    aws.reset()  # clients belong to one container, and each test is a new one
    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    try:
        from callback_handler import app

        return importlib.reload(app)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


Invoke = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


@pytest.fixture
def app_module(aws: dict[str, Any]) -> ModuleType:
    return load_app()


@pytest.fixture
def invoke(app_module: ModuleType) -> Invoke:
    """Call CallbackFunction with an API Gateway event; (status, JSON body)."""

    def call(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = app_module.lambda_handler(event, FakeLambdaContext())
        return response["statusCode"], json.loads(response["body"])

    return call


def scan(client: Any) -> list[dict[str, Any]]:
    from media_callbacks.items import from_dynamodb

    return [from_dynamodb(item) for item in client.scan(TableName=TABLE)["Items"]]


def _refuse(service: str, operations: tuple[str, ...], code: str, client: Any) -> Any:
    """Make `client` answer every call of `operations` with `code`, as during an outage that
    outlasts the SDK's retries; returns the list of refused calls and an undo function."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    calls: list[str] = []

    def refuse(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        calls.append(model.name)
        error = {"Code": code, "Message": "refused by the test"}
        response = AWSResponse(f"https://{service}", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    for operation in operations:
        client.meta.events.register_first(f"before-call.{service}.{operation}", refuse)

    def undo() -> None:
        for operation in operations:
            client.meta.events.unregister(f"before-call.{service}.{operation}", refuse)

    return calls, undo


@pytest.fixture
def failing_writes(app_module: ModuleType) -> Iterator[list[str]]:
    """Every write of CallbackFunction to the table is throttled."""
    calls, undo = _refuse(
        "dynamodb",
        ("UpdateItem", "PutItem"),
        "ProvisionedThroughputExceededException",
        app_module.root.get().store.client,
    )
    yield calls
    undo()


@pytest.fixture
def failing_queue(app_module: ModuleType) -> Iterator[list[str]]:
    """SQS refuses CallbackFunction's messages too."""
    calls, undo = _refuse(
        "sqs", ("SendMessage",), "ServiceUnavailable", app_module.root.get().retry_queue.client
    )
    yield calls
    undo()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything the function logs, formatted exactly as CloudWatch would receive it."""
    from media_callbacks.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    yield stream
    logger._logger.removeHandler(handler)
