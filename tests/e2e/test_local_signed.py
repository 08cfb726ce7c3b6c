"""Signed vendors on the local stack: `make send` (scripts/send.py) signs an example as the vendor
would for the URL `ready` printed (the stack's PublicBaseUrls), the function verifies it, and a
token alone is refused once the vendor's key is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from import_roots import pythonpath

from .conftest import ROOT, TOKEN, LocalRun, start_local_run, stop_local_run

pytestmark = pytest.mark.e2e

KEYS = {
    "alibaba": {"auth_key": "alibabaKey123"},
    "volcengine": {"private_key": "volcKey456"},
    "qiniu": {"access_key": "qiniuAK", "secret_key": "qiniuSK"},
    "aliyun-green": {"uid": "1234567890123456", "seed": "demoSeed_2026"},
    "yidun": {"secret_id": "yidunId", "secret_key": "yidunKey789"},
    "huawei-vod": {"key": "huaweiVodKey"},
    "huawei-moderation": {"seed": "huawei_seed_1"},
    "baidu": {"user": "0123456789abcdef0123456789abcdef", "key": "baiduKey"},
}
KINDS = {"qiniu": "censor"}  # the route's kind where the vendor's route has one


@pytest.fixture(scope="module")
def signed_run() -> Iterator[LocalRun]:
    run = start_local_run(CALLBACK_KEYS=json.dumps(KEYS))
    yield run
    stop_local_run(run)


def send(
    run: LocalRun, vendor: str, event: str, keys: Mapping[str, Any], kind: str | None = None
) -> tuple[int, str]:
    env = {
        **os.environ,
        "PYTHONPATH": pythonpath(),
        "CALLBACK_KEYS": json.dumps(keys),
        "TOKEN": TOKEN,
    }
    kind = kind or KINDS.get(vendor)
    url = f"{run.api}/callbacks/{vendor}" + (f"/{kind}" if kind else "")
    done = subprocess.run(  # noqa: S603 (the project's own script)
        [sys.executable, "scripts/send.py", vendor, event, "--url", url,
         *(["--kind", kind] if kind else [])],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout


@pytest.mark.parametrize(
    ("vendor", "event"),
    [
        ("alibaba", "ai-media-audit-complete"),
        ("volcengine", "workflow-complete"),
        ("qiniu", "censor"),
        ("aliyun-green", "scan-porn"),
        ("aliyun-green", "review-human-pass"),
        ("yidun", "machine-porn"),
        ("yidun", "review-pass"),
        ("huawei-vod", "review-complete"),
        ("huawei-vod", "review-message-envelope"),
        ("huawei-moderation", "job-succeeded"),
        ("baidu", "regulation-complete"),
    ],
)
def test_make_send_signs_like_the_vendor_and_the_local_run_stores_it(
    signed_run: LocalRun, vendor: str, event: str
) -> None:
    code, printed = send(signed_run, vendor, event, KEYS)
    assert code == 0, printed
    assert "(signed," in printed
    status, answer = printed.splitlines()[1].split(" ", 1)
    assert (status, json.loads(answer)["status"]) in {("200", "stored"), ("200", "duplicate")}


def test_with_the_key_set_a_token_alone_or_a_wrong_key_is_refused(signed_run: LocalRun) -> None:
    code, printed = send(signed_run, "alibaba", "ai-media-audit-pass", {})
    assert (code, "with the token" in printed, "401" in printed) == (1, True, True)
    wrong = {"alibaba": {"auth_key": "notTheKey"}}
    code, printed = send(signed_run, "alibaba", "ai-media-audit-pass", wrong)
    assert (code, "401" in printed) == (1, True)


@pytest.mark.parametrize(
    ("vendor", "wrong"),
    [("aliyun-green", {"uid": "1234567890123456", "seed": "notTheSeed"}),
     ("yidun", {"secret_id": "yidunId", "secret_key": "notTheKey"})],
)  # fmt: skip
def test_a_form_signed_with_a_wrong_key_or_a_token_alone_is_refused(
    signed_run: LocalRun, vendor: str, wrong: dict[str, str]
) -> None:
    event = "scan-pass" if vendor == "aliyun-green" else "machine-pass"
    code, printed = send(signed_run, vendor, event, {vendor: wrong})
    assert (code, "(signed," in printed, "401" in printed) == (1, True, True)
    code, printed = send(signed_run, vendor, event, {})
    assert (code, "with the token" in printed, "401" in printed) == (1, True, True)


@pytest.mark.parametrize(
    ("vendor", "event"),
    [("huawei-vod", "transcode-complete"), ("huawei-moderation", "job-strings"),
     ("baidu", "regulation-strings")],
)  # fmt: skip
def test_a_signed_huawei_or_baidu_route_refuses_the_token_alone(
    signed_run: LocalRun, vendor: str, event: str
) -> None:
    code, printed = send(signed_run, vendor, event, {})
    assert (code, "with the token" in printed, "401" in printed) == (1, True, True)


def test_baidu_vcr_signs_nothing_and_keeps_the_token_while_baidus_key_is_set(
    signed_run: LocalRun,
) -> None:
    code, printed = send(signed_run, "baidu", "vcr-finished", KEYS, kind="vcr")
    assert code == 0, printed
    assert "with the token" in printed
    assert json.loads(printed.splitlines()[1].split(" ", 1)[1])["status"] in {"stored", "duplicate"}
