"""The local emulator holds the callback secret and the table: no web page may read or write
them (issue 19, item 6). A browser marks its requests with Origin / Sec-Fetch-Site, and a
DNS-rebinding page arrives under its own Host name; the SDKs do neither."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from .conftest import LocalRun

pytestmark = pytest.mark.e2e

# What a page could send: Secrets Manager's JSON protocol, and SQS's form-encoded query protocol
# (a "simple" request a browser sends without a preflight).
GET_SECRET = (
    b'{"SecretId": "media-callbacks/callback-token"}',
    {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "secretsmanager.GetSecretValue"},
)
LIST_QUEUES = (b"Action=ListQueues", {"Content-Type": "application/x-www-form-urlencoded"})


def send(
    url: str, body: bytes, headers: dict[str, str], method: str = "POST"
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def cors_headers(headers: dict[str, str]) -> list[str]:
    return [name for name in headers if name.lower().startswith("access-control-")]


@pytest.mark.parametrize("request_", [GET_SECRET, LIST_QUEUES], ids=["secret", "sqs-form"])
def test_a_web_page_cannot_read_the_emulator(
    local_run: LocalRun, request_: tuple[bytes, dict[str, str]]
) -> None:
    body, headers = request_
    status, answer, content = send(
        local_run.emulator + "/", body, {**headers, "Origin": "https://evil.example"}
    )
    assert status == 403
    assert cors_headers(answer) == []
    assert b"local-dev-token" not in content
    assert b"e2e-token" not in content


def test_a_preflight_grants_no_origin(local_run: LocalRun) -> None:
    status, answer, _ = send(
        local_run.emulator + "/",
        b"",
        {
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target,content-type",
        },
        method="OPTIONS",
    )
    assert status == 403
    assert cors_headers(answer) == []


def test_a_cross_site_fetch_without_origin_is_refused(local_run: LocalRun) -> None:
    body, headers = LIST_QUEUES
    status, _, _ = send(local_run.emulator + "/", body, {**headers, "Sec-Fetch-Site": "cross-site"})
    assert status == 403


def test_a_rebound_host_name_is_refused(local_run: LocalRun) -> None:
    body, headers = GET_SECRET
    status, _, content = send(
        local_run.emulator + "/", body, {**headers, "Host": "attacker.example:4566"}
    )
    assert status == 403
    assert b"token" not in content


def test_the_sdk_still_reaches_the_emulator(local_run: LocalRun) -> None:
    secret = local_run.client("secretsmanager").get_secret_value(
        SecretId=local_run.outputs["CallbackTokenSecretArn"]
    )
    assert secret["SecretString"]
