"""Alibaba's and Volcengine's routes through CallbackFunction."""

from __future__ import annotations

import json

from harness import Invoke
from helpers import callback_event, event_bytes


def test_a_flagged_alibaba_audit_is_stored_and_flagged_through_the_api(invoke: Invoke) -> None:
    status, body = invoke(
        callback_event("/callbacks/alibaba", event_bytes("alibaba/ai-media-audit-complete"))
    )
    assert (status, body["kind"], body["task_id"], body["flagged"]) == (
        200, "moderation", "a1b2c3d4e5f6", True,
    )  # fmt: skip
    status, body = invoke(
        callback_event("/callbacks/volcengine", event_bytes("volcengine/workflow-complete"))
    )
    assert (status, body["kind"], body["task_id"]) == (200, "event", "v02a1b2c3d4e5f")
    assert json.loads(event_bytes("volcengine/workflow-complete"))["Data"]["Vid"] == body["task_id"]
