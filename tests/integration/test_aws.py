"""The functions' AWS clients: one session and one client per service, safe across threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from media_callbacks import aws as clients


def test_clients_come_from_one_session_and_work(aws: dict[str, Any]) -> None:
    clients.reset()
    dynamodb = clients.client("dynamodb")
    secrets = clients.client("secretsmanager")
    assert clients.client("dynamodb") is dynamodb
    # one session for all: a second session would load the endpoint and model data again
    assert len(clients._session) == 1
    assert dynamodb.describe_table(TableName="media-callbacks-test")["Table"]["TableName"]
    assert secrets.get_secret_value(SecretId=aws["secret_arn"])["SecretString"]


def test_concurrent_first_calls_get_one_client_per_service(aws: dict[str, Any]) -> None:
    """The local run calls the API and the stream and queue consumers from several threads."""
    clients.reset()
    services = ["dynamodb", "sns", "sqs", "secretsmanager"] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        made = list(pool.map(clients.client, services))
    ids: dict[str, set[int]] = {}
    for service, client in zip(services, made, strict=True):
        ids.setdefault(service, set()).add(id(client))
    assert all(len(found) == 1 for found in ids.values()), ids
    assert len(clients._session) == 1
    assert made[0].describe_table(TableName="media-callbacks-test")["Table"]["TableStatus"]
