"""`sam local invoke` without Docker: each function run from its CodeUri with the environment SAM
CLI resolves for it (the template, the env-vars file `make run` writes for its stack,
.aws-sam/local/sam-local-env.json, and the shell's credentials, as
scripts/sam_local_env.py computes with SAM CLI's own code) and the event shipped in events/,
against the local run's emulator, as docs/DEPLOY.md's "sam local" section does it in a
container."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from inprocess.template import load_template

from .conftest import ROOT, TOKEN, LocalRun

pytestmark = pytest.mark.e2e

TOOLS_PYTHON = ROOT / ".venv-tools" / "bin" / "python"
INVOKE = """
import importlib, json, sys
module, _, name = sys.argv[1].rpartition(".")
with open(sys.argv[2], encoding="utf-8") as handle:
    event = json.load(handle)
class Context:
    function_name = "sam-local"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:sam-local"
    aws_request_id = "sam-local-request"
    def get_remaining_time_in_millis(self):
        return 10000
print("RESULT " + json.dumps(getattr(importlib.import_module(module), name)(event, Context())))
"""


@pytest.fixture(scope="module")
def sam_env(local_run: LocalRun, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """What SAM CLI gives each function, the shipped env-vars file pointed at this emulator."""
    if not TOOLS_PYTHON.exists():
        pytest.fail("SAM CLI's venv is missing: run `make install` (make test sets it up)")
    values = json.loads((local_run.state / "sam-local-env.json").read_text())
    assert values["Parameters"]["AWS_ENDPOINT_URL"].startswith("http://host.docker.internal:")
    values["Parameters"]["AWS_ENDPOINT_URL"] = local_run.emulator  # no Docker here
    env_file = tmp_path_factory.mktemp("sam-local") / "env.json"
    env_file.write_text(json.dumps(values))
    shell = {**os.environ, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    done = subprocess.run(  # noqa: S603 (the project's own script)
        [str(TOOLS_PYTHON), "scripts/sam_local_env.py", str(env_file)],
        cwd=ROOT, env=shell, capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    resolved: dict[str, Any] = json.loads(done.stdout)
    return resolved


def invoke(sam_env: dict[str, Any], function: str, event: dict[str, Any], tmp: Path) -> Any:
    env = sam_env[function]
    code_uri = load_template()["Resources"][function]["Properties"]["CodeUri"]
    event_file = tmp / f"{function}.json"
    event_file.write_text(json.dumps(event))
    done = subprocess.run(  # noqa: S603 (the project's own handler)
        [sys.executable, "-c", INVOKE, env["AWS_LAMBDA_FUNCTION_HANDLER"], str(event_file)],
        check=False, cwd=tmp,
        env={**env, "PATH": os.environ["PATH"],
             "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / code_uri)])},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert results, done.stdout + done.stderr
    return json.loads(results[-1].removeprefix("RESULT "))


def shipped(name: str) -> str:
    return (ROOT / "events" / name).read_text()


def test_every_function_gets_the_emulator_and_its_resources(
    sam_env: dict[str, Any], local_run: LocalRun
) -> None:
    assert set(sam_env) == {
        "CallbackFunction", "AlertFunction", "IngestRetryFunction", "EvidenceFunction",
        "ReviewFunction", "DecisionFunction",
    }  # fmt: skip
    for env in sam_env.values():
        assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
        assert env["TABLE_NAME"] == local_run.table
    assert (
        sam_env["CallbackFunction"]["CALLBACK_TOKEN_SECRET"]
        == local_run.outputs["CallbackTokenSecretArn"]
    )
    assert (
        sam_env["AlertFunction"]["ALERT_TOPIC_ARN"] == local_run.outputs["ModerationAlertTopicArn"]
    )
    review = sam_env["ReviewFunction"]
    assert review["USER_POOL_CLIENT_ID"] == local_run.outputs["ReviewerUserPoolClientId"]
    assert review["EVIDENCE_BUCKET"] == local_run.outputs["EvidenceBucketName"]
    decisions = sam_env["DecisionFunction"]
    assert decisions["DECISION_TOPIC_ARN"] == local_run.outputs["ModerationDecisionTopicArn"]


def test_the_callback_event_is_stored(
    sam_env: dict[str, Any], local_run: LocalRun, tmp_path: Path
) -> None:
    task_id = f"sam-local-{uuid.uuid4().hex[:8]}"
    event = json.loads(shipped("apigw/umedia-transcode.json").replace("local-dev-token", TOKEN))
    body = json.loads(base64.b64decode(event["body"]))
    event["body"] = base64.b64encode(json.dumps({**body, "task_id": task_id}).encode()).decode()
    answer = invoke(sam_env, "CallbackFunction", event, tmp_path)
    assert answer["statusCode"] == 200, answer
    status, stored = local_run.signed_get(f"/tasks/umedia/{task_id}")
    assert status == 200
    assert stored["results"][0]["kind"] == "transcode"


def test_the_queued_callback_event_is_ingested(
    sam_env: dict[str, Any], local_run: LocalRun, tmp_path: Path
) -> None:
    event = json.loads(shipped("sqs/queued-ctyun-transcode.json"))
    answer = invoke(sam_env, "IngestRetryFunction", event, tmp_path)
    assert answer == {"batchItemFailures": []}
    # read from the table: the emulator does not route a `#` encoded in the path (%23)
    key = {"pk": {"S": "TASK#ctyun#0001#tc85118429465b99a794951ffd4310"},
           "sk": {"S": "RESULT#transcode"}}  # fmt: skip
    item = local_run.client("dynamodb").get_item(TableName=local_run.table, Key=key)
    assert item["Item"]["kind"] == {"S": "transcode"}


def test_the_stream_event_publishes_its_alert(
    sam_env: dict[str, Any], local_run: LocalRun, tmp_path: Path
) -> None:
    task_id = f"sam-local-{uuid.uuid4().hex[:8]}"
    event = json.loads(shipped("stream/flagged-umedia-moderation.json"))
    for record in event["Records"]:  # a task of its own: no earlier alert of this session
        image = record["dynamodb"]["NewImage"]
        for item in (record["dynamodb"]["Keys"], image):
            item["pk"] = {"S": f"TASK#umedia#{task_id}"}
        image["task_id"] = {"S": task_id}
    sqs, sns = local_run.client("sqs"), local_run.client("sns")
    queue = sqs.create_queue(QueueName=f"sam-local-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=sam_env["AlertFunction"]["ALERT_TOPIC_ARN"], Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"], Attributes={"RawMessageDelivery": "true"},
    )  # fmt: skip
    answer = invoke(sam_env, "AlertFunction", event, tmp_path)
    assert answer == {"batchItemFailures": []}
    deadline, alerts = time.monotonic() + 10, list[dict[str, Any]]()
    while not alerts and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1).get("Messages", [])
        alerts = [json.loads(m["Body"]) for m in messages]
    assert [alert["task_id"] for alert in alerts] == [task_id]
