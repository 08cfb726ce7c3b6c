"""Tencent's route through CallbackFunction."""

from __future__ import annotations

from typing import Any

from harness import Invoke
from helpers import callback_event, event_bytes


def test_the_route_stores_tencent_events(invoke: Invoke, aws: Any) -> None:
    body = event_bytes("tencent/review-audio-video-complete")
    status, answer = invoke(callback_event("/callbacks/tencent", body))
    assert (status, answer["status"], answer["kind"], answer["flagged"]) == (
        200,
        "stored",
        "moderation",
        True,
    )
    assert "RetCode" not in answer
