"""The functions as the integration tier builds them: each handler module imported once, its
composition root built anew for every test (a new container) from the function environment
plus the test's own variables. No module is reloaded and no environment is changed at import:
`FUNCTION_ENV` reaches os.environ only through tests/integration/conftest.py's session fixture,
before the first handler module is imported."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

TABLE = "media-callbacks-test"
ACCOUNT = "123456789012"  # moto's account: its queue URLs and topic ARNs are known in advance

# What the template gives the functions (each its own part), with the names of what the `aws`
# fixture creates; AWS credentials are moto's.
FUNCTION_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    # boto3 >= 1.44.4 with in-process moto misroutes DynamoDB Streams calls otherwise.
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "TABLE_NAME": TABLE,
    "CALLBACK_TOKEN_SECRET": "media-callbacks/callback-token",
    "INGEST_QUEUE_URL": f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/ingest-retry",
    "ALERT_TOPIC_ARN": f"arn:aws:sns:us-east-1:{ACCOUNT}:moderation-alerts",
    "EVIDENCE_BUCKET": "media-callbacks-evidence",
    "USER_POOL_CLIENT_ID": "review-page-client",
    "DECISION_TOPIC_ARN": f"arn:aws:sns:us-east-1:{ACCOUNT}:moderation-decisions",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_SERVICE_NAME": "media-callbacks",
    "RETRY_BACKOFF_SECONDS": "0",
}
NOT_IN_LAMBDA = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MODERATION_THRESHOLDS", "CALLBACK_TOKEN")

HANDLERS = {
    "CallbackFunction": "callback_handler",
    "AlertFunction": "alert_handler",
    "EvidenceFunction": "evidence_handler",
    "IngestRetryFunction": "retry_handler",
    "ReviewFunction": "review_handler",
    "DecisionFunction": "decision_handler",
}


def function(
    name: str, env: Mapping[str, str] | None = None, pieces: Mapping[str, Any] | None = None
) -> ModuleType:
    """The handler module of `name` (a template function) with its composition root built from
    the environment plus `env`, through the root's own `settings` and `build`: what a cold start
    with that environment builds, with `pieces` (fakes) passed to `build`. ConfigError when the
    environment is not usable."""
    package = HANDLERS[name]
    app = importlib.import_module(f"{package}.app")
    root = importlib.import_module(f"{package}.root")
    app.root.override(root.build(root.settings({**os.environ, **(env or {})}), **(pieces or {})))
    return app


def load_app(env: dict[str, str] | None = None) -> ModuleType:
    """CallbackFunction's handler module, built anew with `env` added (see `function`)."""
    return function("CallbackFunction", env)


Invoke = Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]


def scan(client: Any) -> list[dict[str, Any]]:
    from media_callbacks.items import from_dynamodb

    return [from_dynamodb(item) for item in client.scan(TableName=TABLE)["Items"]]


def refuse(service: str, operations: tuple[str, ...], code: str, client: Any) -> Any:
    """Make `client` answer every call of `operations` with `code`, as during an outage that
    outlasts the SDK's retries; returns the list of refused calls and an undo function."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    calls: list[str] = []

    def refused(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        calls.append(model.name)
        error = {"Code": code, "Message": "refused by the test"}
        response = AWSResponse(f"https://{service}", 400, HTTPHeaders(), None)
        return response, {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 400}}

    for operation in operations:
        client.meta.events.register_first(f"before-call.{service}.{operation}", refused)

    def undo() -> None:
        for operation in operations:
            client.meta.events.unregister(f"before-call.{service}.{operation}", refused)

    return calls, undo
