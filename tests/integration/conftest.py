"""The integration tier: the functions in-process, every AWS API from moto (`mock_aws`), never
AWS or the network. The functions are built through their composition roots (tests/harness.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import boto3
import pytest
from moto import mock_aws

from harness import FUNCTION_ENV, NOT_IN_LAMBDA, TABLE, Invoke, load_app, refuse
from helpers import TOKEN
from inprocess.apigw import FakeLambdaContext
from inprocess.template import max_receive_count, table_definition


@pytest.fixture(scope="session", autouse=True)
def function_environment() -> Iterator[None]:
    """The functions' environment for the whole tier (set before any handler is imported)."""
    with pytest.MonkeyPatch.context() as patch:
        for name in NOT_IN_LAMBDA:
            patch.delenv(name, raising=False)
        for name, value in FUNCTION_ENV.items():
            patch.setenv(name, value)
        yield


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    """An empty in-process AWS account with the template's table, the token secret and the
    retry queue with its dead-letter queue (visible again at once, so retries need no wait)."""
    from media_callbacks import aws

    aws.reset()  # the functions' clients belong to one container, and each test is a new one
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**table_definition(TABLE))
        secret = boto3.client("secretsmanager").create_secret(
            Name=FUNCTION_ENV["CALLBACK_TOKEN_SECRET"], SecretString=TOKEN
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
        assert queue == FUNCTION_ENV["INGEST_QUEUE_URL"]
        yield {
            "dynamodb": dynamodb,
            "secret_arn": secret["ARN"],
            "sqs": sqs,
            "retry_queue": queue,
            "retry_dlq": dlq,
        }


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


@pytest.fixture
def failing_writes(app_module: ModuleType) -> Iterator[list[str]]:
    """Every write of CallbackFunction to the table is throttled."""
    calls, undo = refuse(
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
    calls, undo = refuse(
        "sqs", ("SendMessage",), "ServiceUnavailable", app_module.root.get().retry_queue.client
    )
    yield calls
    undo()
