"""The deployed local stack as its users see it: its outputs with URLs the local API answers,
the callback secret set from CALLBACK_TOKEN / CALLBACK_KEYS, the alert queue subscribed."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, NamedTuple

import boto3

from local_stack.emulator import CREDENTIALS, REGION

STACK = "media-callbacks-local"
# Where a run writes down what `make stack-env ENV=local` and `sam local` read: .aws-sam/local,
# or LOCAL_RUN_DIR for a run beside it (the tests' runs, each its own: a second run's files
# would otherwise replace the first's, its reviewer and user pool client among them).
STATE = (
    Path(
        os.environ.get("LOCAL_RUN_DIR")
        or Path(__file__).resolve().parents[2] / ".aws-sam" / "local"
    )
    / "run.json"
)
ALERT_QUEUE_NAME = "moderation-alerts-local"
DECISION_QUEUE_NAME = "moderation-decisions-local"
REVIEWER_EMAIL = "reviewer@example.com"
STAGE_URL = re.compile(r"^https://([^./]+)\.execute-api\.[^/]+/([^/]+)")
LOG_GROUPS = {  # the functions whose log messages the console shows, and how it marks them
    "CallbackFunctionLogGroup": "",
    "IngestRetryFunctionLogGroup": "retry: ",
    "AlertFunctionLogGroup": "ALERT ",
    "EvidenceFunctionLogGroup": "",
    "ReviewFunctionLogGroup": "review: ",
    "DecisionFunctionLogGroup": "DECISION ",
}


class LocalStack(NamedTuple):
    endpoint: str  # the emulator's AWS APIs
    api: str  # the API's base URL as the local API serves it: what `ready` prints
    outputs: dict[str, str]  # every output, URLs rewritten to `api`


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def raw_outputs(endpoint: str, stack: str = STACK) -> dict[str, str]:
    found = client("cloudformation", endpoint).describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in found.get("Outputs", [])}


def local_api(endpoint: str, outputs: dict[str, str]) -> str:
    """`http://127.0.0.1:PORT/_aws/execute-api/<api id>/<stage>`: where the emulator serves the
    API whose AWS URL is the CallbackBaseUrl output."""
    found = STAGE_URL.match(outputs["CallbackBaseUrl"])
    if found is None:
        raise SystemExit(f"unexpected CallbackBaseUrl output {outputs['CallbackBaseUrl']!r}")
    return f"{endpoint}/_aws/execute-api/{found.group(1)}/{found.group(2)}"


def localised(outputs: dict[str, str], api: str) -> dict[str, str]:
    """The outputs with each URL of the API on the local API's base URL instead."""
    return {key: STAGE_URL.sub(api, value) for key, value in outputs.items()}


def load(endpoint: str, stack: str = STACK) -> LocalStack:
    outputs = raw_outputs(endpoint, stack)
    api = local_api(endpoint, outputs)
    return LocalStack(endpoint, api, localised(outputs, api))


def secret_text(token: str, keys: str | None) -> str:
    """The callback secret: the token as text, or with CALLBACK_KEYS its JSON form."""
    from media_callbacks.auth import parse_keys

    if not (keys or "").strip():
        return token
    try:
        parse_keys(keys)
        data = json.loads(keys or "")
    except ValueError as exc:
        raise SystemExit(f"CALLBACK_KEYS: {exc}") from None
    if not isinstance(data, dict):
        raise SystemExit('CALLBACK_KEYS: expected a JSON object like {"tokens": {"umedia": "..."}}')
    return json.dumps({"token": token, **data})


def set_secret(stack: LocalStack, text: str) -> None:
    client("secretsmanager", stack.endpoint).put_secret_value(
        SecretId=stack.outputs["CallbackTokenSecretArn"], SecretString=text
    )


def subscribe_alert_queue(stack: LocalStack) -> str:
    """`moderation-alerts-local`, subscribed to the alert topic with raw delivery: what a
    subscriber gets (the JSON alert as the body, the attributes as message attributes)."""
    return subscribe_queue(stack, ALERT_QUEUE_NAME, "ModerationAlertTopicArn")


def subscribe_decision_queue(stack: LocalStack) -> str:
    """`moderation-decisions-local`, subscribed to the decision topic with raw delivery."""
    return subscribe_queue(stack, DECISION_QUEUE_NAME, "ModerationDecisionTopicArn")


def subscribe_queue(stack: LocalStack, name: str, topic_output: str) -> str:
    sqs, sns = client("sqs", stack.endpoint), client("sns", stack.endpoint)
    url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(
        TopicArn=stack.outputs[topic_output], Protocol="sqs",
        Endpoint=arn["QueueArn"], Attributes={"RawMessageDelivery": "true"},
    )  # fmt: skip
    return url


def reviewer_password() -> str:
    """A password the user pool's policy takes (12+ characters, upper and lower case, digits)."""
    import secrets

    return f"Rv-{secrets.token_urlsafe(12)}-9a"


def create_reviewer(stack: LocalStack, email: str, password: str) -> str:
    """The local run's reviewer, in the group `reviewers`, with this password (nothing mailed);
    their user id back."""
    from reviewers import add_reviewer

    pool = stack.outputs["ReviewerUserPoolId"]
    return add_reviewer(client("cognito-idp", stack.endpoint), pool, email, password)


def log_groups(endpoint: str, stack: str = STACK) -> dict[str, str]:
    """The functions' log groups (physical names) and the console's mark for each."""
    resources = client("cloudformation", endpoint).describe_stack_resources(StackName=stack)
    names = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources["StackResources"]}
    return {names[logical]: mark for logical, mark in LOG_GROUPS.items() if logical in names}


def running_endpoint() -> str:
    """The emulator `make run` started: on PORT when it is set, else where the last run wrote
    it down, else on 4566."""
    if os.environ.get("PORT", "").strip() not in ("", "0"):
        return f"http://127.0.0.1:{os.environ['PORT'].strip()}"
    try:
        return str(json.loads(STATE.read_text())["endpoint"])
    except (OSError, ValueError, KeyError):
        return "http://127.0.0.1:4566"


def token(stack: LocalStack) -> str:
    """The callback token the local stack's secret holds."""
    from media_callbacks.auth import parse_keys

    found = client("secretsmanager", stack.endpoint).get_secret_value(
        SecretId=stack.outputs["CallbackTokenSecretArn"]
    )
    keys = parse_keys(found.get("SecretString"))
    return (keys.token if keys else None) or ""


SAM_LOCAL_ENV = STATE.parent / "sam-local-env.json"


def sam_local_env(stack: LocalStack, host: str = "host.docker.internal") -> dict[str, Any]:
    """`sam local invoke --env-vars` for the functions of this stack: its resources, and the
    emulator as SAM CLI's containers reach it (Docker Desktop's name for the host)."""
    outputs = stack.outputs
    port = stack.endpoint.rsplit(":", 1)[1]
    retry_queue = outputs["IngestRetryQueueUrl"]
    return {
        "Parameters": {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "TABLE_NAME": outputs["ResultsTableName"],
            "POWERTOOLS_LOG_LEVEL": "INFO",
        },
        "CallbackFunction": {
            "CALLBACK_TOKEN_SECRET": outputs["CallbackTokenSecretArn"],
            "INGEST_QUEUE_URL": retry_queue,
        },
        "AlertFunction": {
            "ALERT_TOPIC_ARN": outputs["ModerationAlertTopicArn"],
            "EVIDENCE_BUCKET": outputs["EvidenceBucketName"],
        },
        "IngestRetryFunction": {"INGEST_QUEUE_URL": retry_queue},
        "EvidenceFunction": {"EVIDENCE_BUCKET": outputs["EvidenceBucketName"]},
        "ReviewFunction": {
            "EVIDENCE_BUCKET": outputs["EvidenceBucketName"],
            "USER_POOL_CLIENT_ID": outputs["ReviewerUserPoolClientId"],
        },
        "DecisionFunction": {"DECISION_TOPIC_ARN": outputs["ModerationDecisionTopicArn"]},
    }
