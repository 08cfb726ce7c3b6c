"""The review desk on the local run, in a real browser: headless Chromium (Debian's package,
which `make test` installs when missing) driven by Playwright against the deployed stack.

A reviewer signs in as the one `make run` creates, sees the queue, opens a flagged video whose
frames the stack kept in its evidence bucket, confirms it with the keyboard; the decision is a
message on a queue subscribed to the decision topic and an audit entry in GET /review/tasks; a
second reviewer's stale decision is 409. The screenshot it takes is docs/review-desk.png."""

from __future__ import annotations

import json
import re
import shutil
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest

from helpers import event_json

from .conftest import ROOT, LocalRun

pytestmark = pytest.mark.e2e

SCREENSHOT = ROOT / "docs" / "review-desk.png"
REVIEWER_LINE = re.compile(r"reviewer (\S+), password (\S+)")


def png(width: int, height: int, shade: int) -> bytes:
    """A small PNG of stripes (a frame the browser can really draw)."""
    rows = b"".join(
        b"\x00" + bytes(
            v for x in range(width)
            for v in ((shade + x) % 256, (y * 2) % 256, (255 - shade) % 256)
        )
        for y in range(height)
    )  # fmt: skip

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


class Frames(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        body = png(160, 120, 40 * int(self.path.rsplit("-", 1)[-1].split(".")[0] or 0))
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def frames() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Frames)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    return found


def reviewer_of(run: LocalRun) -> tuple[str, str]:
    """The reviewer `make run` created, as its console printed it (once)."""
    for line in run.output:
        found = REVIEWER_LINE.search(line)
        if found:
            return found.group(1), found.group(2)
    pytest.fail("the local run printed no reviewer:\n" + "".join(run.output))


def flag_with_frames(run: LocalRun, frames: str) -> str:
    """A flagged UMedia moderation callback whose three frames the stack keeps as evidence."""
    task_id = f"review-{uuid.uuid4().hex[:8]}"
    payload = event_json("umedia/moderation")
    payload["task_id"] = task_id
    payload["invalid_image_list"] = [
        {"name": f"{frames}/frame-{n}.png", "rate": rate, "label": 0, "review": n == 2}
        for n, rate in enumerate((0.99, 0.93, 0.71))
    ]
    status, body = run.post("/callbacks/umedia/moderation", json.dumps(payload).encode())
    assert status == 200, body
    assert body["flagged"] is True, body
    deadline, result = time.monotonic() + 60, {}
    while "evidence" not in result and time.monotonic() < deadline:
        result = run.signed_get(f"/tasks/umedia/{task_id}")[1]["results"][0]
        time.sleep(0.3)
    assert [bool(o.get("key")) for o in result["evidence"]] == [True, True, True], result
    return task_id


def id_token(run: LocalRun, email: str, password: str) -> str:
    answer = run.client("cognito-idp").initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=run.outputs["ReviewerUserPoolClientId"],
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )  # fmt: skip
    return str(answer["AuthenticationResult"]["IdToken"])


def decision_messages(run: LocalRun, task_id: str, seconds: float = 30) -> list[dict[str, Any]]:
    sqs = run.client("sqs")
    url = sqs.get_queue_url(QueueName="moderation-decisions-local")["QueueUrl"]
    deadline, found = time.monotonic() + seconds, list[dict[str, Any]]()
    while not found and time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", []):
            body = json.loads(message["Body"])
            if body.get("task_id") == task_id:
                found.append({**body, "attributes": {
                    k: v["StringValue"] for k, v in message.get("MessageAttributes", {}).items()
                }})  # fmt: skip
    return found


def test_a_reviewer_confirms_a_flagged_video_in_the_browser(
    local_run: LocalRun, frames: str, chromium: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    task_id = flag_with_frames(local_run, frames)
    email, password = reviewer_of(local_run)
    bucket = local_run.outputs["EvidenceBucketName"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        refused: list[str] = []
        page.on(
            "console", lambda m: refused.append(m.text) if "Content Security" in m.text else None
        )
        page.goto(local_run.outputs["ReviewPageUrl"])
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.keyboard.press("Enter")
        entry = page.locator(".queue-entry", has_text=task_id)
        expect(entry).to_be_visible(timeout=30_000)
        thumbnails = entry.locator("img")
        expect(thumbnails).to_have_count(3)
        for n in range(3):
            assert thumbnails.nth(n).evaluate("img => img.complete && img.naturalWidth") == 160
        # to the video with the keyboard: j until it has the focus, then Enter
        for _ in range(50):
            if entry.evaluate("a => a === document.activeElement"):
                break
            page.keyboard.press("j")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name=f"umedia task {task_id}")).to_be_visible()
        images = page.locator("img.frame")
        expect(images).to_have_count(3)
        for n in range(3):
            image = images.nth(n)
            expect(image).to_have_js_property("complete", True)
            assert image.evaluate("img => img.naturalWidth") == 160
            source = image.get_attribute("src") or ""
            assert source.startswith(f"{local_run.emulator}/{bucket}/evidence/")
        expect(page.locator("#frames")).to_contain_text("score 0.93")
        page.locator("#video-title").focus()
        page.keyboard.press("c")
        expect(page.get_by_role("status")).to_contain_text("Confirmed", timeout=15_000)
        expect(page.locator("#decisions")).to_contain_text(f"confirm revision 1 by {email}")
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        assert refused == []
        browser.close()

    [message] = decision_messages(local_run, task_id)
    assert (message["decision"], message["decided_by"], message["revision"]) == (
        "confirm",
        "reviewer",
        1,
    )
    assert message["schema"] == "media-callbacks/moderation-decision/v1"
    assert message["attributes"] == {
        "vendor": "umedia",
        "decision": "confirm",
        "decided_by": "reviewer",
    }

    path = f"/review/tasks/umedia/{quote(task_id, safe='')}"
    status, view = local_run.request(
        "GET", path, headers={"Authorization": id_token(local_run, email, password)}
    )
    assert status == 200
    [entry_seen] = view["decisions"]
    assert (entry_seen["reviewer_email"], entry_seen["decision"]) == (email, "confirm")
    assert entry_seen["decision_id"] == message["decision_id"]

    # a second reviewer, added with the documented command's function, decides the old state
    from local_stack.stack import client
    from reviewers import add_reviewer

    other, other_password = f"second-{uuid.uuid4().hex[:6]}@example.com", "Second-Reviewer-1"
    add_reviewer(client("cognito-idp", local_run.emulator), local_run.outputs["ReviewerUserPoolId"],
                 other, other_password)  # fmt: skip
    stale = json.dumps({"decision": "clear", "revision": 1}).encode()
    token = id_token(local_run, other, other_password)
    headers = {"Authorization": token, "Content-Type": "application/json"}
    status, answer = local_run.request("POST", f"{path}/decision", stale, headers)
    assert status == 409, answer
    assert f"confirm by {email}" in answer["error"]
    assert decision_messages(local_run, task_id, seconds=3) == []


def test_the_review_routes_need_a_reviewers_token(local_run: LocalRun) -> None:
    status, _ = local_run.request("GET", "/review/queue")
    assert status == 401
    status, _ = local_run.request("GET", "/review/queue", headers={"Authorization": "not.a.jwt"})
    assert status == 401
    page = local_run.outputs["ReviewPageUrl"].removeprefix(local_run.api)
    import urllib.request

    with urllib.request.urlopen(local_run.api + page, timeout=30) as response:
        policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert f"connect-src 'self' {local_run.emulator}" in policy


def test_an_invited_reviewer_chooses_a_password_at_the_first_sign_in(
    local_run: LocalRun, chromium: str
) -> None:
    """What `make reviewer EMAIL=...` leaves on AWS: a user with the temporary password Cognito
    mailed (here given to AdminCreateUser, as the mail would carry it), in the group."""
    from playwright.sync_api import expect, sync_playwright

    cognito, pool = local_run.client("cognito-idp"), local_run.outputs["ReviewerUserPoolId"]
    email = f"invited-{uuid.uuid4().hex[:6]}@example.com"
    cognito.admin_create_user(
        UserPoolId=pool, Username=email, TemporaryPassword="Temporary-Pass-1",
        UserAttributes=[{"Name": "email", "Value": email}], MessageAction="SUPPRESS",
    )  # fmt: skip
    cognito.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="reviewers")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(local_run.outputs["ReviewPageUrl"])
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill("Temporary-Pass-1")
        page.get_by_role("button", name="Sign in").click()
        new_password = page.get_by_label("Choose a new password", exact=False)
        expect(new_password).to_be_focused()
        new_password.fill("My-Own-Password-2026")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Awaiting a decision")).to_be_visible()
        expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()
        browser.close()
    assert cognito.admin_get_user(UserPoolId=pool, Username=email)["UserStatus"] == "CONFIRMED"


def test_a_vendors_own_review_clearing_a_flagged_video_is_a_decision_message(
    local_run: LocalRun,
) -> None:
    """Shumei's machine result flags a video, its human review clears it: one message on the
    decision topic with `decided_by: vendor_review` (the stream mapping's filter on the old and
    new images, as deployed)."""
    machine = event_json("shumei/machine-reject")
    task_id = machine["requestId"] = f"shumei-{uuid.uuid4().hex}"
    status, answer = local_run.post("/callbacks/shumei", json.dumps(machine).encode())
    assert status == 200, answer
    assert answer["flagged"] is True
    review = event_json("shumei/review-pass")
    review["requestId"] = task_id
    status, answer = local_run.post("/callbacks/shumei/review", json.dumps(review).encode())
    assert status == 200, answer
    [message] = decision_messages(local_run, task_id, seconds=60)
    assert (message["decision"], message["decided_by"], message["revision"]) == (
        "clear", "vendor_review", 2,
    )  # fmt: skip
    assert message["attributes"]["decided_by"] == "vendor_review"
