"""Test environment: never AWS, never the network; moto stands in for every AWS API."""

from __future__ import annotations

import importlib
import json
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
    }
)

from helpers import TOKEN  # noqa: E402
from local_stack.apigw import FakeLambdaContext  # noqa: E402
from local_stack.template import table_definition  # noqa: E402

TABLE = os.environ["TABLE_NAME"]


@pytest.fixture
def aws() -> Iterator[dict[str, Any]]:
    """An empty in-process AWS account with the template's table and the token secret."""
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(**table_definition(TABLE))
        secret = boto3.client("secretsmanager").create_secret(
            Name=os.environ["CALLBACK_TOKEN_SECRET"], SecretString=TOKEN
        )
        yield {"dynamodb": dynamodb, "secret_arn": secret["ARN"]}


def load_app(env: dict[str, str] | None = None) -> ModuleType:
    """(Re)import the handler module as a cold start would, with `env` added."""
    from media_callbacks.settings import settings

    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    try:
        settings.cache_clear()
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
    from media_callbacks.storage import from_dynamodb

    return [from_dynamodb(item) for item in client.scan(TableName=TABLE)["Items"]]
