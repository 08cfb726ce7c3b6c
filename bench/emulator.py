"""The emulated AWS account: moto server plus the resources the template declares."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from inprocess.template import (
    max_receive_count,
    queue_attributes,
    table_definition,
    table_ttl_attribute,
)
from local_stack.guard import loopback_only

REGION = "us-east-1"
TABLE_NAME = "media-callbacks"
TOPIC_NAME = "moderation-alerts"
ALERT_QUEUE_NAME = "moderation-alerts-local"
ALERT_DLQ_NAME = "media-callbacks-alert-dlq"
SECRET_NAME = "media-callbacks/callback-token"
RETRY_QUEUE_NAME = "media-callbacks-ingest-retry"
RETRY_DLQ_NAME = "media-callbacks-ingest-retry-dlq"
EVIDENCE_BUCKET = "media-callbacks-evidence"
EVIDENCE_DLQ_NAME = "media-callbacks-evidence-dlq"

# moto accepts any credentials; fixed fake ones keep every client pointed at the emulator.
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
}


@dataclass
class Resources:
    endpoint: str
    table_name: str
    stream_arn: str
    topic_arn: str
    alert_queue_url: str
    alert_dlq_url: str
    secret_arn: str
    retry_queue_url: str
    retry_dlq_url: str
    evidence_bucket: str = EVIDENCE_BUCKET
    evidence_dlq_url: str = ""


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


class GuardedMotoServer(ThreadedMotoServer):
    """moto server behind local_stack.guard: no web page can reach it (moto grants every
    origin by default)."""

    def _server_entry(self) -> None:
        app = loopback_only(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()


def start_server(host: str = "127.0.0.1", port: int = 5000) -> tuple[ThreadedMotoServer, str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per AWS call
    server = GuardedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    return server, f"http://{bound_host}:{bound_port}"


def create_resources(endpoint: str, token: str) -> Resources:
    """Table, topic, secret and queues as template.yaml declares them, under local names."""
    dynamodb = client("dynamodb", endpoint)
    table = dynamodb.create_table(**table_definition(TABLE_NAME))["TableDescription"]
    ttl = table_ttl_attribute()
    if ttl:
        dynamodb.update_time_to_live(
            TableName=TABLE_NAME,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl},
        )
    dynamodb.update_continuous_backups(
        TableName=TABLE_NAME,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    sns = client("sns", endpoint)
    sqs = client("sqs", endpoint)
    topic_arn = sns.create_topic(Name=TOPIC_NAME)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=ALERT_QUEUE_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    dlq_url = sqs.create_queue(QueueName=ALERT_DLQ_NAME)["QueueUrl"]
    retry_dlq_url = sqs.create_queue(
        QueueName=RETRY_DLQ_NAME, Attributes=queue_attributes("IngestRetryDeadLetterQueue")
    )["QueueUrl"]
    retry_dlq_arn = sqs.get_queue_attributes(QueueUrl=retry_dlq_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    redrive = {
        "deadLetterTargetArn": retry_dlq_arn,
        "maxReceiveCount": max_receive_count("IngestRetryQueue"),
    }
    retry_url = sqs.create_queue(
        QueueName=RETRY_QUEUE_NAME,
        Attributes={**queue_attributes("IngestRetryQueue"), "RedrivePolicy": json.dumps(redrive)},
    )["QueueUrl"]
    secret_arn = client("secretsmanager", endpoint).create_secret(
        Name=SECRET_NAME, SecretString=token
    )["ARN"]
    client("s3", endpoint).create_bucket(Bucket=EVIDENCE_BUCKET)
    evidence_dlq_url = sqs.create_queue(QueueName=EVIDENCE_DLQ_NAME)["QueueUrl"]
    return Resources(
        endpoint=endpoint,
        table_name=TABLE_NAME,
        stream_arn=table["LatestStreamArn"],
        topic_arn=topic_arn,
        alert_queue_url=queue_url,
        alert_dlq_url=dlq_url,
        secret_arn=secret_arn,
        retry_queue_url=retry_url,
        retry_dlq_url=retry_dlq_url,
        evidence_dlq_url=evidence_dlq_url,
    )


def function_environment(resources: Resources, **extra: str) -> dict[str, str]:
    """What the template's Globals and function environment give in AWS, pointed at moto."""
    return {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": resources.endpoint,
        "TABLE_NAME": resources.table_name,
        "CALLBACK_TOKEN_SECRET": resources.secret_arn,
        "ALERT_TOPIC_ARN": resources.topic_arn,
        "INGEST_QUEUE_URL": resources.retry_queue_url,
        "EVIDENCE_BUCKET": resources.evidence_bucket,
        # the local run only: frames served from 127.0.0.1 may be kept (tests, demos)
        "EVIDENCE_ALLOW_LOOPBACK": "true",
        "POWERTOOLS_SERVICE_NAME": "media-callbacks",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        **extra,
    }


def describe(resources: Resources) -> str:
    return json.dumps(resources.__dict__, indent=2)
