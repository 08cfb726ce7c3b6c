"""One cold process, as Lambda's init plus first invocation: run by bench/run.py, not by hand.

    python -S bench/child.py <what> <event.json>

`what` is callback, alert (the functions from the build output), floor-dynamodb, floor-sns
(boto3 alone) or stack-callback, stack-alert (the least the team's libraries cost: see
`stack_callback` and `stack_alert`). Prints one JSON line: the monotonic time when the
response was ready (the clock is system-wide, so the parent can subtract its spawn time),
status and peak RSS; then exits without tearing the interpreter down, as Lambda keeps a
container after its first response.

For a callback and its libraries alone it also reports `own`: the CPU time the process spent
after the libraries' imports, less the time inside botocore (creating clients, and each AWS call
with the emulator's answer). Both processes import the same libraries first, so ours' `own` less
the libraries alone's `own` is the time our code adds, measured inside the cold processes rather
than as the difference of two whole ones (which carries the shared machine's noise twice).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any


class Context:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    aws_request_id = "bench-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def peak_rss_kib() -> int:
    """VmHWM: this process's own peak (ru_maxrss can carry the parent's from before exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Stamps:
    """CPU seconds since the libraries were imported, and inside botocore since then."""

    libraries = 0.0
    aws = 0.0

    @classmethod
    def own(cls) -> float:
        return time.process_time() - cls.libraries - cls.aws


def timed(function: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            Stamps.aws += time.process_time() - started

    return wrapper


def import_libraries() -> None:
    """The libraries both a callback and its libraries alone use, imported in the same order
    with the cyclic collector off (as the functions' app.py does first thing); then botocore's
    client creation and API calls are timed (Stamps)."""
    import gc

    gc.disable()
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver  # noqa: F401
    from aws_lambda_powertools.logging import Logger  # noqa: F401
    from botocore.client import BaseClient
    from botocore.session import Session
    from pydantic import BaseModel  # noqa: F401

    BaseClient._make_api_call = timed(BaseClient._make_api_call)  # type: ignore[method-assign]
    Session.create_client = timed(Session.create_client)  # type: ignore[method-assign]
    Stamps.libraries = time.process_time()


def stack_callback(event: dict[str, Any]) -> object:
    """The least any CallbackFunction built on the contract's libraries pays, with no code of ours.

    Powertools Logger and REST event handler, a one-field pydantic model, botocore (one session),
    the token from Secrets Manager and one DynamoDB write, one log line. The write is the very
    UpdateItem our function sends for this vendor's callback (STACK_UPDATE, captured by
    bench/run.py, under a fresh key), so the emulator's time on it is the same on both sides.
    """
    import gc
    import uuid
    from urllib.parse import parse_qsl

    import_libraries()
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver
    from aws_lambda_powertools.logging import Logger
    from botocore.session import Session
    from pydantic import BaseModel, ConfigDict

    class Payload(BaseModel):
        model_config = ConfigDict(extra="allow")
        task_id: str | None = None

    logger = Logger(service="stack")
    app = APIGatewayRestResolver()
    gc.freeze()
    gc.enable()
    session = Session()
    secrets = session.create_client("secretsmanager")
    dynamodb = session.create_client("dynamodb")
    update = json.loads(os.environ["STACK_UPDATE"])

    def store() -> dict[str, str]:
        secrets.get_secret_value(SecretId=os.environ["CALLBACK_TOKEN_SECRET"])
        body = app.current_event.decoded_body
        if not body.lstrip().startswith("{"):  # a form sender: the JSON is its longest field
            body = max(dict(parse_qsl(body)).values(), key=len)
        Payload.model_validate_json(body)
        update["Key"]["pk"] = {"S": f"STACK#{uuid.uuid4().hex}"}
        dynamodb.update_item(**update)
        logger.info("stored")
        return {"status": "stored"}

    app.post("/callbacks/<vendor>")(lambda vendor: store())
    app.post("/callbacks/<vendor>/<kind>")(lambda vendor, kind: store())
    return app.resolve(event, Context())["statusCode"]


def stack_alert(event: dict[str, Any]) -> object:
    """The least any AlertFunction on the team's libraries pays: Powertools Logger and batch over
    the stream records, a one-field pydantic settings model, botocore, and Powertools
    Idempotency around one publish."""
    import gc

    gc.disable()  # as the functions do: no cyclic collection while the cold start imports
    from aws_lambda_powertools.logging import Logger
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from botocore.session import Session
    from pydantic import BaseModel

    class Settings(BaseModel):
        table_name: str

    table = Settings(table_name=os.environ["TABLE_NAME"]).table_name
    logger = Logger(service="stack")
    gc.freeze()
    gc.enable()
    session = Session()
    sns = session.create_client("sns")
    persistence = DynamoDBPersistenceLayer(
        table_name=table,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value="STACK#idempotency",
        boto3_client=session.create_client("dynamodb"),
    )
    config = IdempotencyConfig(event_key_jmespath="id")

    @idempotent_function(
        data_keyword_argument="alert", config=config, persistence_store=persistence
    )
    def publish(alert: dict[str, Any]) -> str:
        return str(
            sns.publish(TopicArn=os.environ["ALERT_TOPIC_ARN"], Message="alert")["MessageId"]
        )

    def record_handler(record: Any) -> None:
        publish(alert={"id": record.event_id})
        logger.info("published")

    processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=Context()
    )


def main() -> None:
    what, event_path = sys.argv[1], sys.argv[2]
    with open(event_path, encoding="utf-8") as handle:
        event = json.load(handle)
    status: object
    if what == "callback":
        import_libraries()
        from callback_handler.app import lambda_handler

        status = lambda_handler(event, Context())["statusCode"]
    elif what == "alert":
        from alert_handler.app import lambda_handler as alert_handler

        status = alert_handler(event, Context())
    elif what == "stack-callback":
        status = stack_callback(event)
    elif what == "stack-alert":
        status = stack_alert(event)
    elif what == "floor-dynamodb":
        import boto3

        boto3.client("dynamodb").put_item(TableName=event["table"], Item=event["item"])
        status = 200
    elif what == "floor-sns":
        import boto3

        boto3.client("sns").publish(TopicArn=event["topic"], Message=event["message"])
        status = 200
    else:
        raise SystemExit(f"unknown: {what}")
    done = time.monotonic()
    own, aws = (Stamps.own(), Stamps.aws) if Stamps.libraries else (None, None)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime  # this process's CPU: waiting for a core is not in it
    rss_kib = peak_rss_kib()
    report = {"done": done, "cpu": cpu, "own": own, "aws": aws, "status": status}
    report["rss_kib"] = rss_kib
    sys.stderr.write(json.dumps(report) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
